import Foundation
import FunnelTestSupport
import Testing

/// Issue 13: from a raw export to a working funnel — `funnel init`, `funnel repl DATA`, the
/// messages about a file's shape, and `funnel explain` without the data.
struct FirstMinutesTests {
    static let csv = "user_id,session_id,event,time\nu1,s1,view,2024-01-01T00:00:00Z\nu1,s1,buy,2024-01-01T00:01:00Z\nu2,s2,view,2024-01-02T00:00:00Z\n"

    @Test func initWritesAFileThatRuns() throws {
        let dir = TestSupport.temporaryFolder("funnel-init")
        let out = dir + "/sub/my.funnel"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        let r = CLI.run(["init", "examples/data/ecommerce.csv", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote \(out); next: funnel run \(out)"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("user  = user_id"))
        #expect(text.contains("funnel first_funnel {"))
        #expect(text.contains("#   \"view\"              5,809"))
        let run = CLI.run(["run", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("funnel first_funnel  (window 14d, ordered; 1,200 users in population)"))
        let check = CLI.run(["check", out])
        #expect(check.status == 0 && check.stderr.isEmpty, "\(check.stderr)")
        // An existing file is kept unless --force.
        let again = CLI.run(["init", "examples/data/ecommerce.csv", "-o", out])
        #expect(again.status == 64)
        #expect(again.stderr.contains("already exists; pass --force"))
        #expect(CLI.run(["init", "examples/data/ecommerce.csv", "-o", out, "--force"]).status == 0)
    }

    @Test func initPrintsWithoutOutputAndSaysWhatItDoubts() {
        let dir = CLI.fixture(csv: "who,when,what,extra\na,1709283600,x,1\nb,1709283601,y,2\n")
        let r = CLI.run(["init", "data.csv"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("# A starter written by `funnel init data.csv`"))
        #expect(r.stdout.contains("source events = csv(\"data.csv\") {"))
        #expect(r.stdout.contains("# UNSURE: one point needs checking:\n#   - user = who: named like a user column"))
        #expect(r.stderr.contains("note: unsure guess: user = who: named like a user column, but every sampled value is distinct"))
    }

    @Test func initFailsClearly() {
        let r = CLI.run(["init", "examples/data/users.csv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: no column of 'examples/data/users.csv' looks like a time"))
        let missing = CLI.run(["init", "nowhere.csv"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("error: cannot read 'nowhere.csv': file not found"))
        #expect(CLI.run(["init", "--help"]).stdout.contains("funnel init events.csv -o my.funnel"))
    }

    @Test func initCountsBadRowsAndSaysSo() {
        let dir = CLI.fixture(csv: "user_id,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,yesterday,buy\nu1,2024-01-01T00:02:00Z,buy\nu2,2024-01-01T00:00:00Z,view\n")
        let r = CLI.run(["init", "data.csv"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("#   - 1 row cannot be read"))
        #expect(r.stderr.contains("run with --skip-bad-rows or fix them"))
    }

    @Test func replStartsFromADataFile() {
        let r = CLI.run(["repl", "examples/data/saas_trial.csv"], stdin: "first_funnel\n:funnels\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("started from examples/data/saas_trial.csv"))
        #expect(r.stdout.contains("delimiter \";\""))
        #expect(r.stdout.contains("funnel first_funnel  (window 14d, ordered; 900 users in population)"))
        #expect(r.stdout.contains("first_funnel: signup -> login -> project_created -> subscribed"))
    }

    /// One error, not one per role, when the header was split with the wrong delimiter.
    @Test func headerReadWithAnotherDelimiter() {
        let dir = CLI.fixture(csv: Self.csv, funnel: """
        source events = csv("data.csv") { user = user_id  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        """)
        let r = CLI.run(["run", dir + "/f.funnel", "--delimiter", ";"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/data.csv looks comma-separated, but it was read with \";\": one column 'user_id,session_id,event,time'"))
        #expect(r.stderr.contains("help: add `delimiter \",\"` to the source or remove --delimiter"))
        #expect(r.stderr.contains("f.funnel:1:8: error[E218]: the header of "))
        #expect(!r.stderr.contains("E205"))
        #expect(r.stderr.contains("\n1 error"))

        let semi = CLI.fixture(csv: "user_id;time;event\nu1;2024-01-01T00:00:00Z;view\n")
        let s = CLI.run(["check", semi + "/f.funnel"])
        #expect(s.status == 2)
        #expect(s.stderr.contains("looks semicolon-separated, but it was read with \",\""))
        #expect(s.stderr.contains("help: add `delimiter \";\"` to the source (or pass --delimiter ';')"))
    }

    @Test func missingRoleColumnSuggestsTheClosest() {
        let dir = CLI.fixture(csv: Self.csv, funnel: """
        source events = csv("data.csv") { time = time  event = event }
        funnel f { step view = "view"  step buy = "buy" }
        """)
        let r = CLI.run(["check", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[E205]: column 'user' (the user column) is not in \(dir)/data.csv (a role not mapped in the source defaults to the column of its name)"))
        #expect(r.stderr.contains("help: did you mean 'user_id'? map it with user = user_id"))
    }

    @Test func explainWithoutTheData() {
        let dir = TestSupport.temporaryFolder("funnel-cli")
        try? """
        source events = csv("gone.csv") { user = user_id  time = ts  event = name }
        funnel f { step view = "view"  step buy = "buy" and price > 0  by device }
        """.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let r = CLI.run(["explain", dir + "/f.funnel"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("load properties: device (unchecked), price (unchecked)"))
        #expect(r.stderr.contains("warning[E401]: cannot read data file: file not found"))
        #expect(r.stderr.contains("the plan is shown without it, column types unchecked"))
        // Only explain: run still fails on the missing data.
        let run = CLI.run(["run", dir + "/f.funnel"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("error[E401]"))
    }
}
