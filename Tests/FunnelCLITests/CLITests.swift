import Foundation
import Testing
import FunnelTestSupport

/// Runs the built `funnel` binary as a user would.
enum CLI {
    static let repo = TestSupport.repo

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["FUNNEL_BIN"] { return b }
        for candidate in [".build/debug/funnel", ".build/release/funnel"] where FileManager.default.isExecutableFile(atPath: repo + "/" + candidate) {
            return repo + "/" + candidate
        }
        return repo + "/.build/debug/funnel"
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }
    final class ErrorData: @unchecked Sendable { var data = Data() }

    /// Runs the binary with `stdoutPath` (such as /dev/full) as its standard output.
    static func run(_ args: [String], stdoutPath: String) -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: repo)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        p.environment = env
        guard let out = FileHandle(forWritingAtPath: stdoutPath) else { return Output(status: -1, stdout: "", stderr: "cannot open \(stdoutPath)") }
        let err = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return Output(status: -1, stdout: "", stderr: "\(error)") }
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? out.close()
        return Output(status: p.terminationStatus, stdout: "", stderr: String(decoding: e, as: UTF8.self))
    }

    static func run(_ args: [String], stdin: String? = nil, cwd: String? = nil, environment: [String: String] = [:]) -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd ?? repo)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        // The table's characters follow the locale: pinned, so a CI shell with LANG=C sees what a laptop does.
        env["LC_ALL"] = "C.UTF-8"
        env.merge(environment) { _, new in new }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = inp
        do { try p.run() } catch { return Output(status: -1, stdout: "", stderr: "\(error)") }
        if let s = stdin { inp.fileHandleForWriting.write(s.data(using: .utf8) ?? Data()) }
        try? inp.fileHandleForWriting.close()
        // Standard error is drained on another thread, so a long one cannot fill its pipe and stall the run.
        let errorData = ErrorData()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { errorData.data = err.fileHandleForReading.readDataToEndOfFile(); drained.signal() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        let e = errorData.data
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// A folder with a funnel over `data.csv` (or another file), for bad-input cases.
    static func fixture(data: [UInt8], name: String = "data.csv", funnel: String? = nil) -> String {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(data)))
        let format = name.hasSuffix(".jsonl") ? "jsonl" : "csv"
        let text = funnel ?? """
        source events = \(format)("\(name)") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        """
        try? text.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        return dir
    }

    static func fixture(csv: String, funnel: String? = nil) -> String { fixture(data: Array(csv.utf8), funnel: funnel) }
}

struct ExampleTests {
    @Test func checkPassesOnEveryExample() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.repo + "/examples").filter { $0.hasSuffix(".funnel") }.sorted()
        #expect(files.count >= 4)
        let r = CLI.run(["check"] + files.map { "examples/" + $0 })
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.components(separatedBy: ": ok").count - 1 == files.count)
    }

    @Test func everyExamplesTestsPass() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.repo + "/examples").filter { $0.hasSuffix(".funnel") }.sorted()
        for f in files {
            let r = CLI.run(["test", "examples/" + f])
            #expect(r.status == 0, "\(f): \(r.stdout)\(r.stderr)")
            // The seven-stage example's test runs against a table whose times and columns differ from the
            // export's: its source's time format and declared columns do not apply to the table.
            if f == "sales_stages.funnel" { #expect(r.stdout.contains("1 passed, 0 failed"), "\(r.stdout)") }
        }
    }

    @Test func everyGrammarSnippetChecks() throws {
        let dir = CLI.repo + "/grammar/snippets"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".funnel") }
        #expect(!files.isEmpty)
        for f in files {
            let r = CLI.run(["check", "grammar/snippets/" + f])
            #expect(r.status == 0, "\(f): \(r.stdout)\(r.stderr)")
        }
    }

    @Test func runPrintsATableWithBars() {
        let r = CLI.run(["run", "examples/ecommerce.funnel"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("funnel checkout"))
        #expect(r.stdout.contains("█"))
        #expect(r.stdout.contains("device = mobile"))
        #expect(r.stdout.contains("PASS"))
    }

    @Test func jsonHasTheDocumentedSchema() throws {
        let r = CLI.run(["run", "examples/ecommerce.funnel", "--format", "json", "--funnel", "checkout"])
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let funnels = try #require(json["funnels"] as? [[String: Any]])
        #expect(funnels.count == 1)
        let f = funnels[0]
        for key in ["name", "window_seconds", "order", "steps", "groups", "kpis", "expects"] { #expect(f[key] != nil, "missing \(key)") }
        #expect(f["window_seconds"] as? Int == 604800)
        let steps = try #require(f["steps"] as? [[String: Any]])
        for key in ["name", "users", "from_start", "from_previous", "dropped", "median_seconds_from_previous", "p90_seconds_from_previous"] {
            #expect(steps[1][key] != nil, "missing step key \(key)")
        }
        #expect(steps[0]["dropped"] as? Int == 0)
        #expect(steps[0]["median_seconds_from_previous"] is NSNull)
        let groups = try #require(f["groups"] as? [[String: Any]])
        #expect((groups.first?["key"] as? [String: Any])?["device"] != nil)
        let expects = try #require(f["expects"] as? [[String: Any]])
        #expect(expects.first?["passed"] as? Bool == true)
        #expect(expects.first?["line"] as? Int == 28)
    }

    @Test func oneStepFunnelCountsReachInEveryFormat() throws {
        let funnel = "source e = csv(\"data.csv\") { user = user  time = time  event = event }\nfunnel reach { step search = \"search\"  by device }\n"
        let dir = CLI.fixture(csv: "user,time,event,device\nu1,2024-01-01T00:00:00Z,search,mobile\nu1,2024-01-01T00:01:00Z,search,desktop\nu2,2024-01-01T00:00:00Z,open,mobile\nu3,2024-01-02T00:00:00Z,search,desktop\n",
                              funnel: funnel)
        #expect(CLI.run(["check", dir + "/f.funnel"]).status == 0)
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let f = try #require((json["funnels"] as? [[String: Any]])?.first)
        #expect((f["steps"] as? [[String: Any]])?.map { $0["users"] as? Int } == [2])
        #expect((f["groups"] as? [[String: Any]])?.count == 2)
        for format in ["table", "csv", "markdown", "html"] {
            let out = CLI.run(["run", dir + "/f.funnel", "--format", format])
            #expect(out.status == 0, "\(format): \(out.stderr)")
            #expect(out.stdout.contains("search"), "\(format)")
        }
    }

    @Test func csvAndMarkdownFormats() {
        let csv = CLI.run(["run", "examples/aida.funnel", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("funnel,group,step,users,from_start,from_previous,dropped"))
        #expect(csv.stdout.contains("aida,channel=search,awareness,"))
        let md = CLI.run(["run", "examples/aida.funnel", "--format", "markdown"])
        #expect(md.stdout.contains("| step | users |"))
    }

    @Test func sparkSettingsAreKeyValuePairs() {
        let r = CLI.run(["run", "examples/ecommerce.funnel", "--engine", "spark", "--spark-conf", "spark.executor.memory"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--spark-conf takes KEY=VALUE, such as spark.executor.memory=8g; got 'spark.executor.memory'"), "\(r.stderr)")
    }

    @Test func htmlIsASelfContainedPageWithCharts() {
        let r = CLI.run(["run", "examples/ecommerce.funnel", "--format", "html", "--funnel", "checkout"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(r.stdout.contains("<rect class=\"step\" x=\"150\" y=\"8\" width=\"430\""))     // step 1 is the full bar
        #expect(r.stdout.contains("<rect class=\"step\" x=\"150\" y=\"54\" width=\"137.6\""))  // cart: 333 of 1,041
        #expect(r.stdout.contains("<h3>by device</h3>"))
        #expect(r.stdout.contains("<td>actual 12.78%</td>"))
        #expect(!r.stdout.contains("<script") && !r.stdout.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
    }

    @Test func explainPrintsThePlan() {
        let r = CLI.run(["explain", "examples/saas_trial.funnel"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("window: 30d from step 1, inclusive"))
        #expect(r.stdout.contains("step 2 activate (mask bit 1): event == \"project_created\" within 7d of step 1"))
    }

    @Test func eventsOverrideKeepsTheMapping() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T00:01:00Z,buy\n")
        let r = CLI.run(["run", "examples/ecommerce.funnel", "--events", dir + "/data.csv", "--funnel", "checkout"])
        #expect(r.status == 2)   // the example's mapping (user_id, event_time ...) is not in this file
        #expect(r.stderr.contains("column 'user_id' (the user column) is not in"))
    }
}

struct BadInputTests {
    func expectDataError(_ r: CLI.Output, code: String, line: Int, _ comment: String) {
        #expect(r.status == 2, "\(comment): status \(r.status)\n\(r.stderr)")
        #expect(r.stderr.contains("error[\(code)]"), "\(comment): \(r.stderr)")
        #expect(r.stderr.contains("data.csv:\(line):") || r.stderr.contains("data.jsonl:\(line):"), "\(comment): no file:line in \(r.stderr)")
    }

    @Test func missingFunnelFile() {
        let r = CLI.run(["run", "no-such.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("file not found: 'no-such.funnel'"))
    }

    @Test func missingDataFilePointsAtThePath() {
        let dir = CLI.fixture(csv: "x", funnel: "source e = csv(\"gone.csv\") { user = u  time = t  event = e }\nfunnel f { step a = \"a\"  step b = \"b\" }\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("f.funnel:1:16: error[E401]"))
    }

    @Test func badTimestamp() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,yesterday,buy\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        expectDataError(r, code: "E405", line: 3, "bad timestamp")
        #expect(r.stderr.contains("data.csv:3:4:"))
        #expect(r.stderr.contains("cannot read 'yesterday' as a time"))
    }

    @Test func skipBadRowsCountsAndReports() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,yesterday,buy\nu2,2024-01-01T00:00:00Z,view,extra\nu2,2024-01-01T00:00:05Z,buy\n")
        let r = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("skipped 2 bad rows"))
        let j = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "json"])
        #expect(j.stdout.contains("\"skipped_rows\":{\"total\":2"))
        // CSV has no place for them: standard error says so, in every format.
        let csv = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "csv"])
        #expect(csv.stderr.contains("note: f: skipped 2 bad rows"))
        let md = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "markdown"])
        #expect(md.stdout.contains("> skipped 2 bad rows"))
    }

    @Test func unterminatedQuote() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,\"2024-01-01T00:01:00Z,buy\n")
        expectDataError(CLI.run(["run", dir + "/f.funnel"]), code: "E402", line: 3, "unterminated quote")
    }

    @Test func raggedRow() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T00:01:00Z\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        expectDataError(r, code: "E403", line: 3, "ragged row")
        #expect(r.stderr.contains("expected 3 fields, found 2"))
    }

    @Test func emptyFile() {
        let dir = CLI.fixture(csv: "")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[E406]: the data file is empty"))
    }

    @Test func headerOnly() {
        let dir = CLI.fixture(csv: "user,time,event\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("has a header but no rows"))
    }

    @Test func nonUTF8Bytes() {
        var bytes = Array("user,time,event\nu1,2024-01-01T00:00:00Z,view\nu".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(",2024-01-01T00:01:00Z,buy\n".utf8)
        let dir = CLI.fixture(data: bytes)
        expectDataError(CLI.run(["run", dir + "/f.funnel"]), code: "E408", line: 3, "non-UTF-8")
    }

    @Test func missingMappedColumn() {
        let dir = CLI.fixture(csv: "user,ts,event\nu1,2024-01-01T00:00:00Z,view\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("f.funnel:1:55: error[E205]: column 'time' (the time column) is not in"))
        #expect(r.stderr.contains("known columns: event, ts, user"))
    }

    @Test func quotedFieldsCRLFAndBOM() {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("user,time,event,note\r\n\"u,1\",2024-01-01T00:00:00Z,view,\"a \"\"quoted\"\"\r\nline\"\r\n\"u,1\",2024-01-01T00:00:09Z,buy,\r\n".utf8)
        let dir = CLI.fixture(data: bytes)
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,1,1,0,9,9"))
    }

    @Test func otherDelimiter() {
        let dir = CLI.fixture(csv: "user;time;event\nu1;1704067200;view\nu1;1704067260000;buy\n")
        let bad = CLI.run(["run", dir + "/f.funnel"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--delimiter"))
        let r = CLI.run(["run", dir + "/f.funnel", "--delimiter", ";", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,1,1,0,60,60"))    // epoch seconds and epoch milliseconds
    }

    @Test func jsonLinesWithABadLine() {
        let text = "{\"user\":\"u1\",\"time\":\"2024-01-01 00:00:00\",\"event\":\"view\"}\n{\"user\":\"u1\",\"time\":\"2024-01-01 00:00:30 UTC\",\"event\":\"buy\"}\n{\"user\": \"u2\", \"time\": oops}\n"
        let dir = CLI.fixture(data: Array(text.utf8), name: "data.jsonl")
        expectDataError(CLI.run(["run", dir + "/f.funnel"]), code: "E402", line: 3, "bad JSON line")
        let r = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,1,1,0,30,30"))
    }

    @Test func failingExpectExitsOne() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu2,2024-01-01T00:00:00Z,view\nu2,2024-01-01T00:00:01Z,buy\n",
                              funnel: "source e = csv(\"data.csv\") { user = user  time = time  event = event }\nfunnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  kpi conversion = buy / view\n  expect conversion >= 60%\n}\n")
        let r = CLI.run(["check", dir + "/f.funnel"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL"))
        #expect(r.stdout.contains("f.funnel:6"))
        #expect(r.stdout.contains("(actual 50.00%)"))   // a rate reads as a percentage, as in `run`
    }

    @Test func junitReportForCI() throws {
        let failing = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu2,2024-01-01T00:00:00Z,view\nu2,2024-01-01T00:00:01Z,buy\n",
                                  funnel: "source e = csv(\"data.csv\") { user = user  time = time  event = event }\nfunnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  kpi conversion = buy / view\n  expect conversion >= 60%\n  expect conversion > 10%\n}\n")
        let report = failing + "/report.xml"
        let r = CLI.run(["check", "examples/aida.funnel", failing + "/f.funnel", "Tests/FunnelSyntaxTests/Golden/diagnostics/five_mistakes.funnel", "--junit", report])
        #expect(r.status == 2)      // an invalid file outranks a failed expect
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        #expect(xml.contains("<testsuites name=\"funnel check\" tests=\"5\" failures=\"1\" errors=\"1\">"))
        #expect(xml.contains("name=\"expect conversion &gt;= 60% (line 6)\""))
        #expect(xml.contains("<failure message=\"actual 50.00%\""))
        #expect(xml.contains("<error message=\"expected &apos;=&apos;, found string &quot;view&quot;\""))
        #expect(!xml.contains("\u{1B}"))
    }

    @Test func testBlocksRunOnTheirOwnEvents() throws {
        let ok = CLI.run(["test", "examples/ecommerce.funnel"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("2 passed, 0 failed"))
        let dir = CLI.fixture(csv: "user,time,event\nx,2024-01-01T00:00:00Z,view\n", funnel: """
        source e = csv("data.csv") { user = user  time = time  event = event }
        funnel f {
          step view = "view"
          step buy = "buy"
          kpi conversion = buy / view
          expect conversion > 0       # replaced by each test's own expects
        }
        test "half convert" for f {
          events {
            user time                  event
            a    2024-01-01T00:00:00Z  view
            a    2024-01-01T00:00:05Z  buy
            b    2024-01-01T00:00:00Z  view
          }
          expect conversion == 50%
          expect buy == 2
        }
        test "typo" for ff {
          events {
            user time event
            a 2024-01-01T00:00:00Z view
          }
          expect view == 1
        }
        """)
        let r = CLI.run(["test", dir + "/f.funnel", "--junit", dir + "/r.xml"])
        #expect(r.status == 2)     // a test that cannot run outranks a failure
        #expect(r.stdout.contains("FAIL   \(dir)/f.funnel:8  test \"half convert\" for f"))
        #expect(r.stdout.contains("FAIL  line 16: expect buy == 2  (actual 1)"))
        #expect(r.stdout.contains("ok    line 15: expect conversion == 50%  (actual 50.00%)"))
        #expect(r.stdout.contains("did you mean 'f'?"))
        #expect(r.stdout.contains("0 passed, 1 failed, 1 could not run"))
        let xml = try String(contentsOfFile: dir + "/r.xml", encoding: .utf8)
        #expect(xml.contains("<testsuites name=\"funnel test\" tests=\"2\" failures=\"1\" errors=\"1\">"))
        // `run` and `check` leave test blocks alone.
        #expect(CLI.run(["check", dir + "/f.funnel"]).status == 1)    // conversion > 0 is false on data.csv
    }

    @Test func importSharesSourcesAndSegments() throws {
        let dir = CLI.fixture(csv: "user,time,event,device\nu1,2024-01-01T00:00:00Z,view,mobile\nu1,2024-01-01T00:00:05Z,buy,mobile\nu2,2024-01-01T00:00:00Z,view,desktop\n",
                              funnel: "import \"shared.funnel\"\nfunnel f { step view = \"view\"  step buy = \"buy\"  for mobile_users }\n")
        try "import \"f.funnel\"    # a cycle back: read once\nsource e = csv(\"data.csv\") { user = user  time = time  event = event }\nsegment mobile_users = first(device) == \"mobile\"\n"
            .write(toFile: dir + "/shared.funnel", atomically: true, encoding: .utf8)
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,view,1,1,1,0,,"))
        #expect(r.stdout.contains("f,,buy,1,1,1,0,5,5"))
        try "import \"missing.funnel\"\n".write(toFile: dir + "/g.funnel", atomically: true, encoding: .utf8)
        let missing = CLI.run(["check", dir + "/g.funnel"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("g.funnel:1:8: error[E120]: file not found"))
    }

    @Test func eventsOverrideTakesTheFormatFromTheExtension() throws {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\n")
        try "{\"user\":\"u1\",\"time\":\"2024-01-01T00:00:00Z\",\"event\":\"view\"}\n{\"user\":\"u1\",\"time\":\"2024-01-01T00:00:09Z\",\"event\":\"buy\"}\n"
            .write(toFile: dir + "/more.jsonl", atomically: true, encoding: .utf8)
        let r = CLI.run(["run", dir + "/f.funnel", "--events", dir + "/more.jsonl", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,1,1,0,9,9"))
    }

    @Test func wrongUsageExits64() {
        #expect(CLI.run(["run"]).status == 64)
        #expect(CLI.run(["run", "examples/ecommerce.funnel", "--format", "xml"]).status == 64)
        #expect(CLI.run(["frobnicate"]).status == 64)
    }

    @Test func invalidDefinitionExitsTwoWithEveryError() {
        let r = CLI.run(["check", "Tests/FunnelSyntaxTests/Golden/diagnostics/five_mistakes.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "error[").count - 1 == 5)
    }
}
