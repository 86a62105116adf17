import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelSQL
import FunnelTestSupport
import Testing

/// JSON Lines sources on the SQL engines at the edges of the native reader's rules
/// (FunnelEngine/Read/JSONLReader.swift): a value is its text as written, so an engine either
/// reads that same text or the query fails; it never reads another value.
@Suite(.serialized) struct SQLJSONLinesTests {
    static func folder(_ files: [String: String]) -> String {
        let folder = TestSupport.temporaryFolder("sql-jsonl")
        for (name, text) in files { try? text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    static func funnel(_ body: String, users: Bool = false) -> String {
        "source events = jsonl(\"events.jsonl\") {\n  user = user\n  time = time\n  event = event\n}\n"
            + (users ? "users = jsonl(\"users.jsonl\") { key = id }\n" : "") + "\nfunnel shop {\n\(body)\n}\n"
    }

    static let steps = "  window 1h\n  step view = \"view\"\n  step buy = \"buy\"\n"

    /// Native and engine figures, on every engine installed.
    static func expectSame(_ files: [String: String], _ funnelText: String, _ what: String) {
        var all = files
        all["f.funnel"] = funnelText
        let folder = folder(all)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (target, settings) in SQLEngines.available() {
            let (native, engine, problems) = SQLEngines.compare(folder + "/f.funnel", target, settings)
            #expect(problems.isEmpty, "\(what), \(target): \(problems)")
            #expect(!native.isEmpty && native == engine, "\(what), \(target)\nnative: \(native)\nengine: \(engine)")
        }
    }

    /// The engine's diagnostics for a funnel over these files (nil when the engine is missing).
    static func problems(_ files: [String: String], _ funnelText: String, on target: SQLTarget) -> [Diagnostic]? {
        guard let settings = target == .duckdb ? SQLEngines.duckdb : SQLEngines.clickhouse else { return nil }
        var all = files
        all["f.funnel"] = funnelText
        let folder = folder(all)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        return Driver.runOnEngine(c, target: target, settings: settings, options: DriverOptions()).diagnostics
    }

    @Test func wholeNumbersTrueFalseAndEscapesInTextColumnsReadAsWritten() {
        // Numeric user ids, a time as epoch seconds (number and string), escapes, `true` as text.
        let events = """
            {"user": 7, "time": 1709251200, "event": "view", "p": "a\\u00e9"}
            {"user": 7, "time": "1709251260", "event": "\\u0062uy", "p": true}
            {"user": 42, "time": 1709251200, "event": "view", "p": "x\\"y"}

            {"user": -3, "time": 1709251200, "event": "view", "p": "a\\u00e9", "extra": [1, {"a": 2}]}
            {"user": -3, "time": 1709251230, "event": "buy", "p": null}
            """ + "\n"
        Self.expectSame(["events.jsonl": events], Self.funnel(Self.steps + "  by p"), "numbers, escapes, true")
    }

    @Test func numbersReadAsNumbersWhateverTheirSpelling() {
        let events = """
            {"user": "u1", "time": "2024-03-01T00:00:00Z", "event": "view", "v": 1.50}
            {"user": "u1", "time": "2024-03-01T00:01:00Z", "event": "buy", "v": 15e-1}
            {"user": "u2", "time": "2024-03-01T00:00:00Z", "event": "view", "v": "2.25"}
            {"user": "u2", "time": "2024-03-01T00:02:00Z", "event": "buy", "v": -0.0}
            {"user": "u3", "time": "2024-03-01T00:00:00Z", "event": "view", "v": 1234567890123.25e3}
            {"user": "u4", "time": "2024-03-01T00:00:00Z", "event": "view", "v": ""}
            """ + "\n"
        let body = Self.steps + "  by v bands [1, 2]\n  kpi total = sum(view.v)\n  kpi avg = avg(buy.v)"
        Self.expectSame(["events.jsonl": events], Self.funnel(body), "number spellings")
    }

    /// ClickHouse keeps a literal's text as written, so 1.50 and a nested value as text are the
    /// native engine's; DuckDB does not keep it, so its query fails, naming the column.
    @Test func aFractionOrANestedValueInATextColumn() {
        let events = """
            {"user": "u1", "time": 1709251200, "event": "view", "p": 1.50}
            {"user": "u1", "time": 1709251260, "event": "buy", "p": {"a": [1, 2]}}
            {"user": "u2", "time": 1709251200, "event": "view", "p": "x"}
            """ + "\n"
        let text = Self.funnel(Self.steps + "  by p at buy")
        if let duck = Self.problems(["events.jsonl": events], text, on: .duckdb) {
            #expect(duck.first?.code == .engineFailed)
            #expect(duck.first?.message.contains("in the text column 'p'") == true, "\(duck)")
        }
        if SQLEngines.clickhouse != nil {
            var all = ["events.jsonl": events]
            all["f.funnel"] = text
            let folder = Self.folder(all)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let (native, engine, problems) = SQLEngines.compare(folder + "/f.funnel", .clickhouse, SQLEngines.clickhouse ?? EngineSettings())
            #expect(problems.isEmpty && native == engine && native.contains("{\\\"a\\\": [1, 2]}"), "\(problems)\n\(native)\n\(engine)")
        }
    }

    /// Keys are matched by their exact name: a row whose event is under `Event` has no event,
    /// which stops the native engine and fails the query.
    @Test func keysDifferingInCaseAreOtherKeys() {
        let events = """
            {"user": "u1", "time": 1709251200, "event": "view"}
            {"user": "u1", "time": 1709251260, "Event": "buy"}
            """ + "\n"
        for target in [SQLTarget.duckdb, .clickhouse] {
            guard let problems = Self.problems(["events.jsonl": events], Self.funnel(Self.steps), on: target) else { continue }
            #expect(problems.first?.code == .engineFailed && problems.first?.message.contains("without an event") == true, "\(target): \(problems)")
        }
    }

    /// A key twice in one row (the native reader takes the last) and a NUL character (the native
    /// reader stops) fail the query on both engines: never the first value, never a count.
    @Test func aKeyTwiceOrANULCharacterFailsTheQuery() {
        let rows = ["{\"user\": \"u1\", \"time\": 1709251260, \"event\": \"buy\", \"event\": \"view\"}",
                    "{\"user\": \"u1\", \"time\": 1709251260, \"event\": \"vi\\u0000ew\"}"]
        for row in rows {
            let events = "{\"user\": \"u1\", \"time\": 1709251200, \"event\": \"view\"}\n" + row + "\n"
            for target in [SQLTarget.duckdb, .clickhouse] {
                guard let problems = Self.problems(["events.jsonl": events], Self.funnel(Self.steps), on: target) else { continue }
                #expect(problems.first?.code == .engineFailed, "\(target), \(row): \(problems)")
            }
        }
    }

    @Test func aJSONLinesUsersTable() {
        let events = """
            {"user": "u1", "time": 1709251200, "event": "view"}
            {"user": "u1", "time": 1709251260, "event": "buy"}
            {"user": "u2", "time": 1709251200, "event": "view"}
            {"user": 3, "time": 1709251200, "event": "view"}
            {"user": 3, "time": 1709251200, "event": "buy"}
            """ + "\n"
        let users = """
            {"id": "u1", "age": 40.0, "plan": "pro"}
            {"plan": null, "id": "u2", "age": "51"}
            {"id": 3, "age": 45, "plan": "free"}
            """ + "\n"
        let text = Self.funnel(Self.steps + "  for user.age >= 41 or user.plan == \"pro\"", users: true)
        Self.expectSame(["events.jsonl": events, "users.jsonl": users], text, "users table")
    }

    /// A key and values that would change the SQL (the column list of DuckDB, the structure
    /// string of ClickHouse) if they were not quoted.
    @Test func hostileKeysAndValues() {
        let hostile = ["\"; DROP TABLE x; --", "it's", "back\\slash", "tick`tock", "日本語", "a\"\"b", "', 'JSON'}); --"]
        let key = "we\"ird'col\\ x String, y}"
        func json(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var events = ""
        for (i, h) in hostile.enumerated() {
            events += "{\"user\": \"u\(i)\", \"time\": 1709251200, \"event\": \"view\", \(json(key)): \(json(h))}\n"
            events += "{\"user\": \"u\(i)\", \"time\": \(1_709_251_200 + 60 * i), \"event\": \(json(h)), \(json(key)): \(json(h))}\n"
        }
        let body = Self.steps.replacingOccurrences(of: "step buy = \"buy\"", with: "step buy = `\(key)` in [\(hostile.map(json).joined(separator: ", "))]") + "  ties strict\n  by `\(key)` at buy"
        Self.expectSame(["events.jsonl": events], Self.funnel(body), "hostile keys")
    }

    @Test func sparkRefusesJSONLinesAtTheFunnel() {
        let folder = Self.folder(["events.jsonl": "{\"user\": \"u1\", \"time\": 1709251200, \"event\": \"view\"}\n", "f.funnel": Self.funnel(Self.steps)])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
        let d = Driver.sql(c, target: .spark).first?.diagnostic
        #expect(d?.code == .notTranslatable && d?.message.contains("`jsonl(…)` source") == true && d?.message.contains("Spark SQL") == true)
        #expect(d?.position?.line == 7)
        for target in [SQLTarget.duckdb, .clickhouse] { #expect(Driver.sql(c, target: target).first?.query != nil) }
    }

    /// Every example funnel a target translates gives the native figures there; b2b_pipeline
    /// (JSON Lines) is among them.
    @Test func theExamplesGiveTheNativeFigures() {
        let examples = ["b2b_pipeline", "ecommerce", "aida", "sales_stages", "saas_trial"]
        var ran: Set<String> = []
        for (target, settings) in SQLEngines.available() {
            for name in examples {
                let path = TestSupport.repo + "/examples/\(name).funnel"
                let c = Driver.compile(path: path, options: DriverOptions(), load: true)
                let translated = Driver.sql(c, target: target).filter { $0.query != nil }.map(\.funnel)
                guard !translated.isEmpty else { continue }
                let native = Driver.run(c).filter { translated.contains($0.name) }
                let (onEngine, problems) = Driver.runOnEngine(c, target: target, settings: settings, options: DriverOptions(), only: translated)
                #expect(problems.isEmpty, "\(name) on \(target): \(problems.map(\.message))")
                #expect(SQLEngines.figures(native, c) == SQLEngines.figures(onEngine, c), "\(name) on \(target)")
                ran.insert(name)
            }
        }
        if !SQLEngines.available().isEmpty { #expect(ran.contains("b2b_pipeline")) }
    }
}
