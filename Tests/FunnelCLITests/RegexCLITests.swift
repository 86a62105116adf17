import Foundation
import FunnelTestSupport
import Testing

/// `matches` patterns: refused constructs are E215 errors pointing into the pattern, and a
/// pattern that makes backtracking engines exponential runs in linear time.
struct RegexCLITests {
    static let events = "user,time,event,url\nu1,2024-01-01T00:00:00Z,view,/p/1\nu1,2024-01-01T01:00:00Z,buy,/p/1\n"

    /// A funnel whose second step is `buy` and `condition`, written on line 3.
    static func funnel(_ condition: String) -> String {
        """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"
          step buy = "buy" and (\(condition)) }
        """
    }

    /// The 1-based column of `part` in line 3 of `funnel(condition)`.
    static func column(of part: String, in condition: String) -> Int {
        let line = "  step buy = \"buy\" and (\(condition)) }"
        return line.distance(from: line.startIndex, to: line.range(of: part)!.lowerBound) + 1
    }

    @Test func aBackreferenceIsE215AtThePattern() {
        let condition = #"url matches "(a)\\1""#
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel(condition))
        for command in ["check", "run"] {
            let r = CLI.run([command, dir + "/f.funnel"])
            #expect(r.status == 2, "\(r.stderr)")
            let col = Self.column(of: #"\\1"#, in: condition)
            #expect(r.stderr.contains("f.funnel:3:\(col): error[E215]: invalid regular expression: backreferences (\\1) are not supported: funnel's regular expressions run in linear time (no backtracking)"), "\(r.stderr)")
            #expect(r.stderr.contains("help: write the repeated text out"), "\(r.stderr)")
            // The caret is under the backreference as written in the file (three characters: \\1).
            #expect(r.stderr.contains(String(repeating: " ", count: col - 1) + "^^^\n"), "\(r.stderr)")
        }
    }

    @Test func otherRefusedConstructsPointIntoThePattern() {
        let cases: [(condition: String, part: String, message: String)] = [
            (#"url matches "^/p/(?!admin)""#, "(?!", "lookahead (?!...) is not supported"),
            (#"url matches "[z-a]+""#, "z-a", "bad range z-a: 'z' comes after 'a'"),
            (#"url matches "/p/(\\d+""#, #"(\\d"#, "unbalanced parenthesis: the group opened at character 4 is never closed"),
            (#"url matches "\u{e9}+\\q""#, #"\\q"#, "unknown escape \\q"),
            (#"url matches "x{1001}""#, "{1001}", "repetition count 1001 is above the limit of 1000"),
        ]
        for c in cases {
            let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel(c.condition))
            let r = CLI.run(["check", dir + "/f.funnel"])
            #expect(r.status == 2, "\(r.stderr)")
            let col = Self.column(of: c.part, in: c.condition)
            #expect(r.stderr.contains("f.funnel:3:\(col): error[E215]: invalid regular expression: " + c.message), "\(c.condition): \(r.stderr)")
        }
    }

    /// 100 distinct values on which ICU's backtracking took about 0.5 s each.
    @Test(.timeLimit(.minutes(1))) func aCatastrophicPatternRunsInLinearTime() {
        var csv = "user,time,event,url\n"
        for i in 0..<100 {
            csv += "u\(i),2024-01-01T00:00:00Z,view,\(String(repeating: "a", count: 34 + i))\(i % 2 == 0 ? "b" : "")\n"
            csv += "u\(i),2024-01-01T01:00:00Z,buy,x\n"
        }
        let dir = CLI.fixture(csv: csv, funnel: """
            source events = csv("data.csv") { user = user  time = time  event = event }
            funnel f { step view = "view" and url matches "^(a+)+$"  step buy = "buy" }
            """)
        let start = Date()
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,view,50,"), "\(r.stdout)")
        #expect(Date().timeIntervalSince(start) < 20)
    }
}
