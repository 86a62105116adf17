import Foundation
import FunnelTestSupport
import Testing

/// Diagnostics that need a whole process or special data to appear: each is triggered the way
/// a user would meet it (the catalogue test requires every code to be covered somewhere).
struct DiagnosticCoverageTests {
    @Test func funnelFileThatIsNotUTF8() throws {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        #expect(FileManager.default.createFile(atPath: dir + "/bad.funnel", contents: Data([0x66, 0x75, 0xFF, 0xFE, 0x0A])))
        let r = CLI.run(["check", dir + "/bad.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.funnel: error[E121]: the file is not valid UTF-8 text"))
    }

    @Test func emptyUserField() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\n,2024-01-01T00:01:00Z,buy\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("data.csv:3:1: error[E404]: the user field is empty"))
    }

    /// Types come from the first 2,000 rows; a later row that does not fit is a located error.
    @Test func valueThatDoesNotFitItsColumn() {
        var csv = "user,time,event,price\n"
        for i in 0..<2000 { csv += "u\(i),2024-01-01T00:00:00Z,view,\(i)\n" }
        csv += "u9,2024-01-01T00:00:01Z,buy,free\n"
        let dir = CLI.fixture(csv: csv, funnel: """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" and price >= 0 }
        """)
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("data.csv:2002:29:"))   // the header, 2,000 rows, then the bad one
        #expect(r.stderr.contains("error[E407]: 'free' in column 'price' is not a number"))
    }

    @Test func testBlockWithoutAnEventColumn() throws {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        try """
        source events = csv("none.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        test "no event column" for f {
          events {
            user  time
            u1    2024-01-01T00:00:00Z
          }
          expect view == 1
        }
        """.write(toFile: dir + "/t.funnel", atomically: true, encoding: .utf8)
        let r = CLI.run(["test", dir + "/t.funnel"])
        #expect(r.status == 2)
        #expect(r.stdout.contains("error[E217]: the events table has no 'event' column"))
    }

    /// A test's table is written to a temporary file; when that is impossible, the test says so.
    @Test func testTableThatCannotBeWritten() throws {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        try """
        source events = csv("none.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        test "one view" for f {
          events {
            user  time                  event
            u1    2024-01-01T00:00:00Z  view
          }
          expect view == 1
        }
        """.write(toFile: dir + "/t.funnel", atomically: true, encoding: .utf8)
        // The temporary folder lies under a regular file, so no folder can be made there.
        #expect(FileManager.default.createFile(atPath: dir + "/blocker", contents: Data("x".utf8)))
        let r = CLI.run(["test", dir + "/t.funnel"], environment: ["TMPDIR": dir + "/blocker/"])
        #expect(r.status == 2)
        #expect(r.stdout.contains("error[E410]: cannot write the test's events"))
    }
}

/// A test's table takes the data's own time formats, and a cell it cannot read is shown in the table.
struct TestTableTimeTests {
    @Test func tableCellsTakeTheDataFormatsAndBadCellsAreLocated() throws {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        let table = { (second: String) in """
        source events = csv("none.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        test "formats" for f {
          events {
            user  time                       event
            u1    "2024-01-01 10:00:00"      view
            u1    \(second)    buy
            u2    "2024-01-01 10:00:00 UTC"  view
          }
          expect buy == 1
          expect view == 2
        }
        """ }
        try table("1704103260").write(toFile: dir + "/ok.funnel", atomically: true, encoding: .utf8)
        let ok = CLI.run(["test", dir + "/ok.funnel"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        try table("yesterday ").write(toFile: dir + "/bad.funnel", atomically: true, encoding: .utf8)
        let bad = CLI.run(["test", dir + "/bad.funnel"])
        #expect(bad.status == 2)
        #expect(bad.stdout.contains("bad.funnel:7:11: error[E405]: cannot read 'yesterday' as a time"))
        #expect(bad.stdout.contains("help: use ISO 8601"))
    }
}
