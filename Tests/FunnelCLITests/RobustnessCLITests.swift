import Foundation
import FunnelTestSupport
import Testing

/// Issue 8: bad input ends in a result or a located error, never a crash, a lost report or
/// a silently wrong answer.
struct RobustnessCLITests {
    static let events = "user,time,event,price\nu1,2024-01-01T00:00:00Z,view,1\nu1,2024-01-01T01:00:00Z,buy,2\nu2,2024-01-01T00:00:00Z,view,3\n"

    /// A funnel whose second step is `buy` and `condition`, written on line 3.
    static func funnel(_ condition: String) -> String {
        """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"
          step buy = "buy" and (\(condition)) }
        """
    }

    @Test func longFlatChainsGiveAResult() {
        let n = 100_000
        let or = (0..<n).map { "price > \($0)" }.joined(separator: " or ")
        let and = (0..<n).map { "price > -\($0)" }.joined(separator: " and ")
        for condition in [or, and] {
            let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel(condition))
            let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
            #expect(r.status == 0, "\(r.stderr.prefix(500))")
            #expect(r.stdout.contains("f,,buy,1,"), "\(r.stdout)")
            let e = CLI.run(["explain", dir + "/f.funnel"])
            #expect(e.status == 0, "\(e.stderr.prefix(500))")
        }
    }

    @Test func deepNestingAndLongArithmeticAreLocatedErrors() {
        let n = 10_000
        let cases = [
            String(repeating: "(", count: n) + "price > 0" + String(repeating: ")", count: n),
            String(repeating: "not ", count: n) + "price > 0",
            "price > " + String(repeating: "- ", count: n) + "1",
            "price in " + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n),
            "price > " + Array(repeating: "1", count: 100_000).joined(separator: " + "),
            "price > " + Array(repeating: "2", count: 100_000).joined(separator: " * "),
        ]
        for condition in cases {
            let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel(condition))
            let r = CLI.run(["run", dir + "/f.funnel"])
            #expect(r.status == 2, "\(r.stderr.prefix(300))")
            #expect(r.stderr.contains("f.funnel:3:"), "\(r.stderr.prefix(300))")
            #expect(r.stderr.contains("error[E117]: "), "\(r.stderr.prefix(300))")
            #expect(r.stderr.count < 1_000, "a long line is shown as a window around the caret")
        }
        // Just inside the limit still runs.
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel(String(repeating: "(", count: 200) + "price > " + Array(repeating: "1", count: 200).joined(separator: " + ") + String(repeating: ")", count: 200)))
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 0, "\(r.stderr.prefix(300))")
    }

    /// A long run of characters the language does not use (a binary file renamed, a pasted blob)
    /// is located errors: 99 one by one, then one for the rest. The lexer used to overflow the
    /// stack on it (a crash from about 200,000), and below that took minutes.
    @Test func aLongRunOfUnexpectedCharactersIsLocatedErrors() {
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel("price > 0") + "\n" + String(repeating: "@", count: 300_000) + "\n")
        let start = Date()
        let r = CLI.run(["check", dir + "/f.funnel"])
        #expect(r.status == 2, "\(r.stderr.prefix(300))")
        #expect(r.stderr.contains("f.funnel:4:1: error[E102]: unexpected character '@'"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.contains("f.funnel:4:100: error[E102]: 299901 more unexpected characters from here on"), "\(r.stderr.suffix(300))")
        #expect(!r.stderr.contains("… and"), "every diagnostic is printed")
        #expect(r.stderr.count < 100_000, "a long line is shown as a window around the caret")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// Segments are expanded into the conditions that use them: a long chain of segments is one deep condition.
    @Test func longChainsOfSegmentsAreLocatedErrors() {
        var text = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\nsegment s0 = count(\"buy\") >= 1\n"
        for i in 1..<5_000 { text += "segment s\(i) = not s\(i - 1)\n" }
        text += "funnel f { step view = \"view\"  step buy = \"buy\"  for s4999 }\n"
        let dir = CLI.fixture(csv: Self.events, funnel: text)
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2, "\(r.stderr.prefix(300))")
        #expect(r.stderr.contains("error[E117]: segment 's127' is nested more than 256 levels deep"), "\(r.stderr.prefix(300))")
        // A short chain still runs.
        let short = CLI.fixture(csv: Self.events, funnel: "source events = csv(\"data.csv\") { user = user  time = time  event = event }\nsegment s0 = count(\"buy\") >= 1\n"
            + (1..<50).map { "segment s\($0) = not s\($0 - 1)\n" }.joined() + "funnel f { step view = \"view\"  step buy = \"buy\"  for s49 }\n")
        let ok = CLI.run(["run", short + "/f.funnel"])
        #expect(ok.status == 0, "\(ok.stderr.prefix(300))")
    }

    @Test func aReportThatCannotBeWrittenExitsTwo() {
        let r = CLI.run(["run", "examples/ecommerce.funnel"], stdoutPath: "/dev/full")
        #expect(r.status == 2)
        #expect(r.stderr.contains("funnel: error: cannot write to standard output"))
        let c = CLI.run(["check", "examples/ecommerce.funnel"], stdoutPath: "/dev/full")
        #expect(c.status == 2)
        #expect(c.stderr.contains("cannot write to standard output"))
        // A piped REPL stops at the first lost answer, says so once, and exits 2.
        let repl = CLI.run(["repl", "examples/ecommerce.funnel"], stdoutPath: "/dev/full")
        #expect(repl.status == 2)
        #expect(repl.stderr.components(separatedBy: "cannot write to standard output").count - 1 == 1, "\(repl.stderr)")
    }

    @Test func aJUnitReportThatCannotBeWrittenExitsTwoNamingThePath() {
        let path = TestSupport.temporaryFolder("funnel-cli") + "/missing/dir/report.xml"
        let r = CLI.run(["check", "examples/ecommerce.funnel", "--junit", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot write the JUnit report to \(path)"))
    }

    @Test func impossibleUTCOffsetsInDataAreLocated() {
        for offset in ["+25:00", "+99:99", "+00:60", "-24:00"] {
            let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00\(offset),buy\n")
            let r = CLI.run(["run", dir + "/f.funnel"])
            #expect(r.status == 2, "\(offset)")
            #expect(r.stderr.contains("data.csv:3:4: error[E405]: cannot read '2024-01-01T01:00:00\(offset)' as a time"), "\(r.stderr)")
        }
        let ok = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00+14:00,buy\n")
        #expect(CLI.run(["run", ok + "/f.funnel"]).status == 0)
    }

    @Test func impossibleUTCOffsetsInLiteralsAreLocated() {
        for (literal, message) in [("2024-01-01T00:00:00+25:00", "invalid UTC offset"), ("2024-01-01T00:00:00+00:60", "invalid UTC offset"),
                                   ("2024-01-01T24:00:00Z", "invalid time of day")] {
            let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel("time > \(literal)"))
            let r = CLI.run(["check", dir + "/f.funnel"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("f.funnel:3:32: error[E106]: \(message)"), "\(r.stderr)")
        }
    }

    @Test func invalidJSONEscapesAreLocated() {
        let cases = [(#"\uZZZZ"#, "invalid \\u escape: four hex digits expected"),
                     (#"\uD800"#, "invalid \\u escape: a high surrogate without its low surrogate"),
                     (#"\uDC00x"#, "invalid \\u escape: a lone low surrogate"),
                     (#"\q"#, "invalid escape '\\q' in a string")]
        for (escape, message) in cases {
            let jsonl = "{\"user\": \"u1\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"}\n{\"user\": \"u1\", \"time\": \"2024-01-01T01:00:00Z\", \"event\": \"b\(escape)\"}\n"
            let dir = CLI.fixture(data: Array(jsonl.utf8), name: "data.jsonl")
            let r = CLI.run(["run", dir + "/f.funnel"])
            #expect(r.status == 2, "\(escape)")
            #expect(r.stderr.contains("data.jsonl:2:59: error[E402]: \(message)"), "\(r.stderr)")
        }
        // A valid pair and the usual escapes still read.
        let good = #"{"user": "u\ud83d\ude00", "time": "2024-01-01T00:00:00Z", "event": "view\/\n"}"# + "\n"
        let dir = CLI.fixture(data: Array(good.utf8), name: "data.jsonl")
        #expect(CLI.run(["run", dir + "/f.funnel"]).status == 0)
    }

    @Test func aNULByteInACSVFieldIsLocatedOrCounted() {
        let csv = Array("user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00Z,bu".utf8) + [0] + Array("y\n".utf8)
        let dir = CLI.fixture(data: csv)
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("data.csv:3:27: error[E402]: the field contains a NUL byte (U+0000)"), "\(r.stderr)")
        let skipped = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows"])
        #expect(skipped.status == 0)
        #expect(skipped.stdout.contains("NUL byte"), "\(skipped.stdout)")
    }

    @Test func aJSONLinesFileMayStartWithAByteOrderMark() {
        let jsonl = [0xEF, 0xBB, 0xBF] + Array("{\"user\": \"u1\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"}\n{\"user\": \"u1\", \"time\": \"2024-01-01T01:00:00Z\", \"event\": \"buy\"}\n".utf8)
        let dir = CLI.fixture(data: jsonl, name: "data.jsonl")
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,"), "\(r.stdout)")
    }

    @Test func aFileWithoutFunnelsWarns() throws {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        for (name, text) in [("empty.funnel", ""), ("comments.funnel", "# nothing here yet\n\n# still nothing\n")] {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
            let r = CLI.run(["check", dir + "/" + name])
            #expect(r.status == 0)
            #expect(r.stderr.contains("\(name): warning[E118]: no funnels: the file declares none"), "\(r.stderr)")
        }
    }

    @Test func diagnosticsAreCappedPerFile() {
        let funnels = (0..<150).map { "funnel f\($0) { step a = \"view\" and nope == 1 }" }.joined(separator: "\n")
        let dir = CLI.fixture(csv: Self.events, funnel: "source events = csv(\"data.csv\") { user = user  time = time  event = event }\n" + funnels)
        let r = CLI.run(["check", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "error[E201]").count - 1 == 100)
        #expect(r.stderr.contains("f.funnel: … and 50 more"), "\(r.stderr.suffix(300))")
        #expect(r.stdout.contains("invalid (150 errors)"), "\(r.stdout)")
    }
}

/// Piped REPL sessions (scripts, CI): errors go to stderr, an unclosed block is reported, and the
/// exit status says whether every input went through.
struct PipedREPLTests {
    @Test func failedLinesGoToStderrAndExitTwo() {
        let r = CLI.run(["repl", "examples/ecommerce.funnel"], stdin: "checkout\nchekout\nfunnel a {\nfunnel b {\n")
        #expect(r.status == 2)
        #expect(r.stdout.contains("funnel checkout"))
        #expect(!r.stdout.contains("unknown funnel"))
        #expect(r.stderr.contains("error[E243]: unknown funnel 'chekout'"))
        #expect(r.stderr.contains("error: the input ended inside a block: 2 '{' not closed; it was not run"))
        let ok = CLI.run(["repl", "examples/ecommerce.funnel"], stdin: "checkout\n:format csv\ncheckout by country\n")
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}
