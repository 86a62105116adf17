import Foundation
import FunnelTestSupport
import Testing

/// Issue 8, limits instead of exhaustion: a cap on breakdown groups with the rest in "(other)",
/// and a memory limit that stops loading with a clear error.
struct LimitTests {
    /// Ten users on five devices: d0 has 4 users, d1 3, d2 and d3 one each, d4 one; half of them buy.
    static let csv: String = {
        var rows = ["user,time,event,device"]
        let devices = ["d0", "d0", "d0", "d0", "d1", "d1", "d1", "d2", "d3", "d4"]
        for (i, d) in devices.enumerated() {
            rows.append("u\(i),2024-01-01T00:00:00Z,view,\(d)")
            if i % 2 == 0 { rows.append("u\(i),2024-01-01T01:00:00Z,buy,\(d)") }
        }
        return rows.joined(separator: "\n") + "\n"
    }()
    static let funnel = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\nfunnel f { step view = \"view\"  step buy = \"buy\"  by device }\n"

    @Test func groupsBeyondTheCapAreSummedInOtherWithANote() {
        let dir = CLI.fixture(csv: Self.csv, funnel: Self.funnel)
        let r = CLI.run(["run", dir + "/f.funnel", "--max-groups", "2", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,device=d0,view,4,"), "\(r.stdout)")
        #expect(r.stdout.contains("f,device=d1,view,3,"), "\(r.stdout)")
        // d2, d3, d4: three users, of whom u8 (d3) buys... u7 (d2) no, u8 (d3) yes, u9 (d4) no.
        #expect(r.stdout.contains("f,device=(other),view,3,"), "\(r.stdout)")
        #expect(r.stdout.contains("f,device=(other),buy,1,"), "\(r.stdout)")
        #expect(!r.stdout.contains("device=d2"), "\(r.stdout)")
        #expect(r.stderr.contains("note: f: showing the 2 largest of 5 groups; the other 3 are summed in \"(other)\""), "\(r.stderr)")
        let json = CLI.run(["run", dir + "/f.funnel", "--max-groups", "2", "--format", "json"])
        #expect(json.stdout.contains("showing the 2 largest of 5 groups"), "\(json.stdout)")
        let all = CLI.run(["run", dir + "/f.funnel", "--max-groups", "0", "--format", "csv"])
        #expect(all.stdout.contains("device=d4") && !all.stdout.contains("(other)"), "\(all.stdout)")
        let bad = CLI.run(["run", dir + "/f.funnel", "--max-groups", "-1"])
        #expect(bad.status == 64)
    }

    @Test func theMemoryLimitStopsLoadingWithAClearError() {
        let dir = CLI.fixture(csv: Self.csv, funnel: Self.funnel)
        let r = CLI.run(["run", dir + "/f.funnel", "--max-memory", "1M"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[E414]: reading stopped at 0% of the file: funnel uses"), "\(r.stderr)")
        #expect(r.stderr.contains("over the limit of 1.0 MiB"), "\(r.stderr)")
        #expect(r.stderr.contains("help: raise the limit with --max-memory"), "\(r.stderr)")
        #expect(CLI.run(["run", dir + "/f.funnel", "--max-memory", "2G"]).status == 0)
        let bad = CLI.run(["run", dir + "/f.funnel", "--max-memory", "lots"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--max-memory takes a size such as 2G"), "\(bad.stderr)")
    }
}
