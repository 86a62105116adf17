import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelSQL
import FunnelTestSupport
import Testing

/// What the SQL backends say when they cannot do what was asked, and hostile names.
@Suite struct SQLDiagnosticsTests {
    static func write(_ files: [String: String]) -> String {
        let folder = TestSupport.temporaryFolder("sql-diag")
        for (name, text) in files { try? text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    static let data = "user,time,event,p,n\nu1,2024-03-01T10:00:00Z,view,x,1\nu1,2024-03-01T10:01:00Z,cart,x,2\n"
    static func funnel(_ body: String) -> String {
        "source events = csv(\"events.csv\") {\n  user = user\n  time = time\n  event = event\n}\n\nfunnel shop {\n\(body)\n}\n"
    }

    @Test func aConstructWithoutAnExactTranslationIsRefusedAtTheFunnel() {
        let folder = Self.write(["events.csv": Self.data, "f.funnel": Self.funnel("  order any\n  step view = \"view\"\n  step cart = \"cart\"")])
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        for target in SQLTarget.allCases {
            let out = Driver.sql(c, target: target)
            #expect(out.count == 1 && out[0].query == nil)
            let d = out.first?.diagnostic
            #expect(d?.code == .notTranslatable)
            #expect(d?.message.contains("`order any`") == true && d?.message.contains(target.displayName) == true)
            #expect(d?.position?.line == 7 && d?.position?.column == 8)
        }
    }

    /// Constructs of this session that the folds do not compute yet: refused, never a silent FALSE.
    @Test func customerMeasuresAndTimeFormatsAreRefused() {
        let cases: [(String, String)] = [
            ("  step view = \"view\"\n  for rfm(\"cart\", n).segment == \"champions\"", "`rfm(…).segment`"),
            ("  step view = \"view\"\n  by clv(\"cart\", n).predicted", "`by clv(\"cart\", n).predicted`"),
        ]
        for (body, construct) in cases {
            let folder = Self.write(["events.csv": Self.data, "f.funnel": Self.funnel(body)])
            let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
            for target in SQLTarget.allCases {
                let d = Driver.sql(c, target: target).first?.diagnostic
                #expect(d?.code == .notTranslatable && d?.message.contains(construct) == true, "\(construct): \(d?.message ?? "no refusal")")
            }
        }
        let formatted = "source events = csv(\"events.csv\") {\n  user = user\n  time = time format \"%Y-%m-%dT%H:%M:%SZ\"\n  event = event\n}\n\nfunnel shop {\n  step view = \"view\"\n}\n"
        let folder = Self.write(["events.csv": Self.data, "f.funnel": formatted])
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        #expect(Driver.sql(c, target: .duckdb).first?.diagnostic?.message.contains("on the time column") == true)
    }

    @Test func aMissingEngineSaysHowToInstallIt() {
        let folder = Self.write(["events.csv": Self.data, "f.funnel": Self.funnel("  step view = \"view\"\n  step cart = \"cart\"")])
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        var settings = EngineSettings()
        settings.duckdb = folder + "/no-such-duckdb"
        let (results, problems) = Driver.runOnEngine(c, target: .duckdb, settings: settings, options: DriverOptions())
        #expect(results.isEmpty)
        #expect(problems.first?.code == .engineUnavailable)
        #expect(problems.first?.message.contains("pip install duckdb-cli") == true)
        settings = EngineSettings()
        settings.url = "http://127.0.0.1:9"   // nothing listens on the discard port
        let (_, unreachable) = Driver.runOnEngine(c, target: .clickhouse, settings: settings, options: DriverOptions())
        #expect(unreachable.first?.code == .engineUnavailable)
    }

    @Test func aQueryThatFailsOnTheEngineIsAnError() throws {
        guard let duckdb = SQLEngines.duckdb else { SQLEngines.note("DuckDB"); return }
        // The native engine stops at a time that is not a time; so does the query.
        let bad = Self.data + "u2,yesterday,view,x,1\n"
        let folder = Self.write(["events.csv": bad, "f.funnel": Self.funnel("  step view = \"view\"\n  step cart = \"cart\"")])
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        let (_, problems) = Driver.runOnEngine(c, target: .duckdb, settings: duckdb, options: DriverOptions())
        #expect(problems.first?.code == .engineFailed)
        #expect(problems.first?.message.contains("a time that is not a time") == true)
    }

    @Test func anAnswerOfTheWrongShapeIsReported() throws {
        let folder = Self.write(["events.csv": Self.data, "f.funnel": Self.funnel("  step view = \"view\"\n  step cart = \"cart\""),
                                 "fake-duckdb": "#!/bin/sh\ncat > /dev/null\necho '[{\"total\": 1, \"population\": 1}]'\n"])
        chmod(folder + "/fake-duckdb", 0o755)
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        var settings = EngineSettings()
        settings.duckdb = folder + "/fake-duckdb"
        let (_, problems) = Driver.runOnEngine(c, target: .duckdb, settings: settings, options: DriverOptions())
        #expect(problems.first?.code == .engineResult)
        #expect(problems.first?.message.contains("events_read") == true)
    }

    /// Names and values that would change the SQL if they were not quoted for each dialect.
    @Test func hostileNamesAndValuesGiveTheNativeFigures() throws {
        let hostile = ["\"; DROP TABLE x; --", "it's", "back\\slash", "${env:HOME}", "tick`tock", "日本語", "a\"\"b", "semi;colon"]
        let column = "we\"ird'col\\ $x"
        var csv = "user,time,event,\"we\"\"ird'col\\ $x\"\n"
        for (i, h) in hostile.enumerated() {
            let field = "\"" + h.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            csv += "u\(i),2024-03-01T10:00:00Z,\(field),\(field)\n"
            csv += "u\(i),2024-03-01T10:0\(i % 10):00Z,\(field),\(field)\n"
        }
        func lit(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        let body = "  ties strict\n  step first = \(lit(hostile[0])) or \(lit(hostile[3]))\n  step second = `\(column)` in [\(hostile.map(lit).joined(separator: ", "))]\n  by `\(column)`\n  where event != \(lit(hostile[7]))"
        let folder = Self.write(["events.csv": csv, "f.funnel": Self.funnel(body)])
        let engines = SQLEngines.available()
        for (target, settings) in engines {
            let (native, engine, problems) = SQLEngines.compare(folder + "/f.funnel", target, settings)
            #expect(problems.isEmpty, "\(target): \(problems)")
            #expect(native.contains("DROP TABLE x") && native.contains("u0024") == false)
            #expect(native == engine, "\(target)")
        }
        // Spark: every name and text goes through its quoting too.
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        let spark = Driver.sql(c, target: .spark).first?.query?.sql ?? ""
        #expect(spark.contains("'\\u0024{env:HOME}'"))
        #expect(spark.contains("`we\"ird'col\\ $x`") || spark.contains("`p_we\"ird'col\\ $x`"))
    }
}
