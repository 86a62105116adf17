import Foundation
import FunnelTestSupport
import Testing

/// Issue 8, root cause 12: messages that say what is wrong — a KPI cycle is a cycle, a forward
/// reference is "declared later", control characters are named, each finding is said once, and a
/// backticked name can hold a backtick.
struct MessageClarityTests {
    static let events = "user,time,event,price\nu1,2024-01-01T00:00:00Z,view,1\nu1,2024-01-01T01:00:00Z,buy,2\nu2,2024-01-01T00:00:00Z,view,3\n"
    static let source = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\n"

    static func check(_ funnel: String, csv: String = events) -> CLI.Output {
        CLI.run(["check", CLI.fixture(csv: csv, funnel: source + funnel) + "/f.funnel"])
    }

    @Test func kpiCyclesSelfReferencesAndForwardReferencesSaySo() {
        let cycle = Self.check("funnel f { step view = \"view\"  step buy = \"buy\"\n  kpi a = b + 1\n  kpi b = a * 2 }\n")
        #expect(cycle.status == 2)
        #expect(cycle.stderr.contains("f.funnel:3:11: error[E246]: KPIs 'a' and 'b' refer to each other (a cycle)"), "\(cycle.stderr)")
        #expect(!cycle.stderr.contains("unknown step or KPI"), "\(cycle.stderr)")
        let forward = Self.check("funnel f { step view = \"view\"  step buy = \"buy\"\n  kpi a = b + 1\n  kpi b = buy / view }\n")
        #expect(forward.stderr.contains("f.funnel:3:11: error[E246]: KPI 'b' is declared later (line 4)"), "\(forward.stderr)")
        #expect(forward.stderr.contains("help: a KPI may use only KPIs declared before it: move 'b' above this line"), "\(forward.stderr)")
        let itself = Self.check("funnel f { step view = \"view\"\n  kpi a = a + 1 }\n")
        #expect(itself.stderr.contains("f.funnel:3:11: error[E246]: KPI 'a' refers to itself"), "\(itself.stderr)")
        let expect = Self.check("funnel f { step view = \"view\"  step buy = \"buy\"\n  expect rate >= 10%\n  kpi rate = buy / view }\n")
        #expect(expect.stderr.contains("f.funnel:3:10: error[E246]: KPI 'rate' is declared later (line 4)"), "\(expect.stderr)")
        // A name declared nowhere is still "unknown".
        let unknown = Self.check("funnel f { step view = \"view\"\n  kpi a = nothing + 1 }\n")
        #expect(unknown.stderr.contains("error[E246]: unknown step or KPI 'nothing'"), "\(unknown.stderr)")
    }

    @Test func controlCharactersAreNamedNeverEchoedRaw() {
        let r = Self.check("funnel f { step view = \"view\" \u{1B}[31m }\n")
        #expect(r.status == 2)
        #expect(!r.stderr.contains("\u{1B}"), "no raw escape reaches the terminal")
        #expect(r.stderr.contains("U+001B"), "\(r.stderr)")
        #expect(r.stderr.contains("\u{241B}[31m"), "the quoted line shows a visible stand-in: \(r.stderr)")
        // In data shown in a table.
        let dir = CLI.fixture(csv: "user,time,event,device\nu1,2024-01-01T00:00:00Z,view,mo\u{07}bile\n",
                              funnel: Self.source + "funnel f { step view = \"view\"  by device }\n")
        let table = CLI.run(["run", dir + "/f.funnel"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(!table.stdout.contains("\u{07}") && table.stdout.contains("moU+0007bile"), "\(table.stdout)")
    }

    @Test func aFindingReachedTwiceIsSaidOnce() {
        // The segment is expanded in both funnels: its error used to be printed three times.
        let r = Self.check("segment s = count(\"view\") > \"x\"\nfunnel f { step view = \"view\"  for s }\nfunnel g { step view = \"view\"  for s }\n")
        #expect(r.status == 2)
        #expect(r.stderr.components(separatedBy: "error[E204]").count - 1 == 1, "\(r.stderr)")
        #expect(r.stdout.contains("(1 error)"), "\(r.stdout)")
    }

    @Test func aBacktickedNameMayHoldABacktickAndABackslash() {
        let csv = "user,time,event,a`b,c\\d\nu1,2024-01-01T00:00:00Z,view,1,2\nu1,2024-01-01T01:00:00Z,buy,5,6\n"
        let dir = CLI.fixture(csv: csv, funnel: Self.source + "funnel f { step view = \"view\"  step buy = \"buy\" and `a\\`b` > 3 and `c\\\\d` > 5 }\n")
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,"), "\(r.stdout)")
    }
}
