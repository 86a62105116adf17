import Foundation
import FunnelTestSupport
import Testing

/// Issue 8, root causes 3, 4 and 5: data paths that are not plain files, files that change while
/// read, and headers of a million columns end in a located error or a result, never a hang or a crash.
struct DataFileRobustnessTests {
    /// A funnel reading `path` (relative to the fixture's folder).
    static func funnel(reading path: String) -> String {
        "source events = csv(\"\(path)\") { user = user  time = time  event = event }\nfunnel f { step view = \"view\"  step buy = \"buy\" }\n"
    }

    @Test(.timeLimit(.minutes(1))) func aNamedPipeIsRefusedWithoutWaitingForAWriter() {
        let dir = CLI.fixture(csv: "user,time,event\n", funnel: Self.funnel(reading: "pipe.csv"))
        #expect(mkfifo(dir + "/pipe.csv", 0o600) == 0)
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[E401]: cannot read data file: it is a named pipe (FIFO)"), "\(r.stderr)")
        // As the `.funnel` file itself, and through --events.
        #expect(mkfifo(dir + "/pipe.funnel", 0o600) == 0)
        let own = CLI.run(["check", dir + "/pipe.funnel"])
        #expect(own.status == 2)
        #expect(own.stderr.contains("cannot read '\(dir)/pipe.funnel': it is a named pipe (FIFO)"), "\(own.stderr)")
        let events = CLI.run(["run", dir + "/f.funnel", "--events", dir + "/pipe.csv"])
        #expect(events.status == 2)
        #expect(events.stderr.contains("named pipe"), "\(events.stderr)")
    }

    @Test func aSymbolicLinkLoopAndAFolderAreNamedAsSuch() throws {
        let dir = CLI.fixture(csv: "user,time,event\n", funnel: Self.funnel(reading: "loop.csv"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop.csv", withDestinationPath: dir + "/loop.csv")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("f.funnel:1:21: error[E401]: cannot read data file: a loop of symbolic links"), "\(r.stderr)")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop.funnel", withDestinationPath: dir + "/loop.funnel")
        let own = CLI.run(["check", dir + "/loop.funnel"])
        #expect(own.stderr.contains("error[E120]: cannot read '\(dir)/loop.funnel': a loop of symbolic links"), "\(own.stderr)")
        try FileManager.default.createDirectory(atPath: dir + "/folder.csv", withIntermediateDirectories: true)
        let folder = CLI.run(["run", dir + "/f.funnel", "--events", dir + "/folder.csv"])
        #expect(folder.stderr.contains("cannot read data file: it is a folder, not a file"), "\(folder.stderr)")
        let missing = CLI.run(["run", dir + "/f.funnel", "--events", dir + "/none.csv"])
        #expect(missing.stderr.contains("cannot read data file: file not found"), "\(missing.stderr)")
    }

    /// 200,000 columns took minutes when each column's type was found by a linear search.
    @Test(.timeLimit(.minutes(1))) func aHeaderOfTwoHundredThousandColumnsReadsInLinearTime() {
        let n = 200_000
        let extra = (0..<n).map { "c\($0)" }.joined(separator: ",")
        let values = (0..<n).map { String($0 % 10) }.joined(separator: ",")
        let csv = "user,time,event,\(extra)\nu1,2024-01-01T00:00:00Z,view,\(values)\nu1,2024-01-01T01:00:00Z,buy,\(values)\n"
        let dir = CLI.fixture(csv: csv, funnel: Self.funnel(reading: "data.csv").replacingOccurrences(of: "step buy = \"buy\"", with: "step buy = \"buy\" and c199999 == 9"))
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,"), "\(r.stdout)")
    }
}
