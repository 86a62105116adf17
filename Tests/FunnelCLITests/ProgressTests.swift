import Foundation
import FunnelReport
import FunnelTestSupport
import Testing

/// Issue 11, item 7: a progress line while a big file loads — on a terminal only, never on a pipe
/// or with --quiet.
struct ProgressTests {
    @Test func theProgressLineSaysHowFarHowFastAndHowLong() {
        let text = Report.progressText(name: "events.csv", bytes: 600 << 20, total: 1200 << 20, rows: 4_800_000, seconds: 1.5)
        #expect(text == "reading events.csv: 50% of 1.2 GiB · 3.2M rows/s · 2s left")
        #expect(Report.progressText(name: "e.csv", bytes: 10, total: 100, rows: 900, seconds: 2) == "reading e.csv: 10% of 100 bytes · 450 rows/s · 18s left")
        #expect(Report.progressText(name: "e.csv", bytes: 1 << 30, total: 4 << 30, rows: 2_000_000, seconds: 100).hasSuffix("· 20.0k rows/s · 5m 0s left"))
    }

    @Test func noProgressOnAPipeOrWithQuiet() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00Z,buy\n")
        for args in [["run", dir + "/f.funnel"], ["run", dir + "/f.funnel", "--quiet"], ["check", dir + "/f.funnel", "-q"]] {
            let r = CLI.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("reading ") && !r.stderr.contains("\r"), "\(args): \(r.stderr)")
        }
    }
}
