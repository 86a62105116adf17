import Foundation
import FunnelTestSupport
import Testing

/// Issue 12 (CI outputs): `funnel check --format github|junit|json`, `--strict`, and `-o PATH` on
/// every subcommand that prints a report.
struct CIOutputTests {
    static let funnel = """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel f { step view = "view"  step buy = "buy"
          kpi conversion = buy / view
          expect conversion >= 40
          expect conversion >= 90% }
        """
    static let events = "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00Z,buy\nu2,2024-01-01T00:00:00Z,view\n"

    @Test func githubAnnotationsSitOnTheLines() {
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel)
        let r = CLI.run(["check", dir + "/f.funnel", "--format", "github"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("::warning file=\(dir)/f.funnel,line=4,col=10,title=funnel E257::'conversion >= 40' compares a rate (0 to 1) with 40%0Ahelp: rates are fractions: write 40%25 for 40 percent"), "\(r.stdout)")
        #expect(lines.contains("::error file=\(dir)/f.funnel,line=4,title=funnel expect failed::f: expect conversion >= 40 failed (actual 50.00%25)"), "\(r.stdout)")
        #expect(lines.contains("::error file=\(dir)/f.funnel,line=5,title=funnel expect failed::f: expect conversion >= 90%25 failed (actual 50.00%25)"), "\(r.stdout)")
        #expect(lines.last == "funnel check: 1 file, 0 invalid, 2 failed expects")
        #expect(r.stderr.isEmpty, "annotations replace the human diagnostics: \(r.stderr)")
    }

    @Test func strictTurnsWarningsIntoErrors() {
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel.replacingOccurrences(of: "step buy = \"buy\"", with: "step buy = \"bye\""))
        let plain = CLI.run(["check", dir + "/f.funnel"])
        #expect(plain.status == 1, "warnings alone do not fail: \(plain.stderr)")
        let strict = CLI.run(["check", dir + "/f.funnel", "--strict"])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("f.funnel:2:43: error[E210]"), "\(strict.stderr)")
        #expect(strict.stderr.contains("f.funnel:4:10: error[E257]"), "\(strict.stderr)")
    }

    @Test func jsonHasFilesDiagnosticsExpectsAndASummary() throws {
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel)
        let r = CLI.run(["check", dir + "/f.funnel", "--format", "json"])
        #expect(r.status == 1)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let file = try #require((doc["files"] as? [[String: Any]])?.first)
        #expect(file["valid"] as? Bool == true)
        let diagnostic = try #require((file["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["code"] as? String == "E257")
        #expect(diagnostic["line"] as? Int == 4 && diagnostic["column"] as? Int == 10)
        let expects = try #require(((file["funnels"] as? [[String: Any]])?.first?["expects"]) as? [[String: Any]])
        #expect(expects.map { $0["passed"] as? Bool } == [false, false])
        #expect(expects.first?["actual"] as? Double == 0.5)
        #expect((doc["summary"] as? [String: Any])?["failed_expects"] as? Int == 2)
    }

    @Test func everyReportCanGoToAFile() throws {
        let dir = CLI.fixture(csv: Self.events, funnel: Self.funnel)
        let junit = CLI.run(["check", dir + "/f.funnel", "--format", "junit", "-o", dir + "/check.xml"])
        #expect(junit.status == 1 && junit.stdout.isEmpty)
        #expect(try String(contentsOfFile: dir + "/check.xml", encoding: .utf8).contains("<testsuites name=\"funnel check\" tests=\"2\" failures=\"2\""))
        let run = CLI.run(["run", dir + "/f.funnel", "--format", "html", "-o", dir + "/report.html"])
        #expect(run.status == 1 && run.stdout.isEmpty)
        #expect(try String(contentsOfFile: dir + "/report.html", encoding: .utf8).contains("<html"))
        let explain = CLI.run(["explain", dir + "/f.funnel", "-o", dir + "/plan.txt"])
        #expect(explain.status == 0 && explain.stdout.isEmpty)
        #expect(try String(contentsOfFile: dir + "/plan.txt", encoding: .utf8).contains("funnel f"))
        let test = CLI.run(["test", dir + "/f.funnel", "-o", dir + "/tests.txt"])
        #expect(test.stdout.isEmpty)
        #expect(try String(contentsOfFile: dir + "/tests.txt", encoding: .utf8).contains("no tests"))
        let unwritable = CLI.run(["run", dir + "/f.funnel", "-o", "/nonexistent/dir/r.txt"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("cannot write the report to /nonexistent/dir/r.txt"), "\(unwritable.stderr)")
    }
}

/// `funnel fmt`: files rewritten in place, `--check` lists what would change (exit 1), `-` is a filter.
struct FmtCommandTests {
    @Test func fmtRewritesChecksAndFilters() throws {
        let dir = TestSupport.temporaryFolder("funnel-fmt")
        let messy = "source events = csv(\"e.csv\") { user=u }\nfunnel f{ step v=\"view\" }\n"
        let tidy = "source events = csv(\"e.csv\") { user = u }\nfunnel f { step v = \"view\" }\n"
        try messy.write(toFile: dir + "/a.funnel", atomically: true, encoding: .utf8)
        try tidy.write(toFile: dir + "/b.funnel", atomically: true, encoding: .utf8)
        let check = CLI.run(["fmt", "--check", dir + "/a.funnel", dir + "/b.funnel"])
        #expect(check.status == 1)
        #expect(check.stdout == "\(dir)/a.funnel\n", "\(check.stdout)")
        #expect(try String(contentsOfFile: dir + "/a.funnel", encoding: .utf8) == messy, "--check writes nothing")
        let filter = CLI.run(["fmt", "-"], stdin: messy)
        #expect(filter.status == 0 && filter.stdout == tidy, "\(filter.stdout)")
        #expect(CLI.run(["fmt", dir + "/a.funnel"]).status == 0)
        #expect(try String(contentsOfFile: dir + "/a.funnel", encoding: .utf8) == tidy)
        #expect(CLI.run(["fmt", "--check", dir + "/a.funnel"]).status == 0)
        try "funnel f { step v = \n".write(toFile: dir + "/bad.funnel", atomically: true, encoding: .utf8)
        let bad = CLI.run(["fmt", dir + "/bad.funnel"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.funnel:1:20: error[E111]"), "\(bad.stderr)")
    }
}

/// Issue 12, item 8: shell completion scripts, and `--color always` beats NO_COLOR.
struct ShellConventionTests {
    @Test func completionScriptsNameTheSubcommands() {
        for shell in ["bash", "zsh", "fish"] {
            let r = CLI.run(["--generate-completion-script", shell])
            #expect(r.status == 0, "\(shell)")
            #expect(["run", "check", "fmt", "lsp", "repl"].allSatisfy { r.stdout.contains($0) }, "\(shell)")
        }
    }

    @Test func colorAlwaysBeatsNoColor() {
        let dir = CLI.fixture(csv: "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu1,2024-01-01T01:00:00Z,buy\n")
        let always = CLI.run(["run", dir + "/f.funnel", "--color", "always"], environment: ["NO_COLOR": "1"])
        #expect(always.stdout.contains("\u{1B}["), "\(always.stdout)")
        let auto = CLI.run(["run", dir + "/f.funnel"], environment: ["NO_COLOR": "1"])
        #expect(!auto.stdout.contains("\u{1B}["))
    }
}

/// `funnel repl --bail`: piped input stops at the first failing line.
struct REPLBailTests {
    @Test func bailStopsAtTheFirstFailure() {
        let script = "nope\ncheckout\n"
        let keepGoing = CLI.run(["repl", "examples/ecommerce.funnel"], stdin: script)
        #expect(keepGoing.status == 2 && keepGoing.stdout.contains("funnel checkout"))
        let bail = CLI.run(["repl", "examples/ecommerce.funnel", "--bail"], stdin: script)
        #expect(bail.status == 2 && !bail.stdout.contains("funnel checkout"), "\(bail.stdout)")
    }
}
