import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the test blocks of .funnel files: each funnel on its own small events table.",
        discussion: "A test block (test \"name\" for FUNNEL { events { ... } expect ... }) checks a definition without production data. Exit code 0 when every test passes, 1 when one fails, 2 when a test cannot run.")

    @Argument(help: "The .funnel files.") var files: [String]
    @Option(name: .long, help: "Also write a JUnit XML report to this file (one test case per test block).") var junit: String?
    @Option(name: [.customShort("o"), .long], help: "Write the report to this file instead of standard output.") var output: String?
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one .funnel file") }
        var report = ""
        func say(_ s: String) { report += s }
        defer { if output == nil { FileHandleOut.stdout(report) } }
        let color = output == nil && colorOption.enabled()
        func paint(_ s: String, _ style: String) -> String { Report.paint(s, style, color) }
        var passed = 0, failed = 0, broken = 0
        var suites: [JUnitRenderer.TestFile] = []
        for file in files {
            let (tests, diagnostics) = Driver.runTests(path: file)
            CLI.report(Report.diagnostics(diagnostics, color: colorOption.enabled(forStderr: true)))
            if diagnostics.contains(where: \.isError) {
                broken += 1
                say("\(file): invalid (\(Report.summary(diagnostics)))\n")
            } else if tests.isEmpty {
                say("\(file): no tests\n")
            }
            for t in tests {
                if !t.diagnostics.filter(\.isError).isEmpty {
                    broken += 1
                    say("\(paint("ERROR", "1;31"))  \(t.path):\(t.line)  test \"\(t.name)\" for \(t.funnel)\n")
                    say(Report.diagnostics(t.diagnostics, color: false).split(separator: "\n").map { "       " + $0 }.joined(separator: "\n") + "\n")
                    continue
                }
                let expects = t.result?.expects ?? []
                if t.passed { passed += 1 } else { failed += 1 }
                say("\(t.passed ? paint("PASS", "1;32") : paint("FAIL", "1;31"))   \(t.path):\(t.line)  test \"\(t.name)\" for \(t.funnel)\n")
                for e in expects where !e.passed || !t.passed {
                    say("       \(e.passed ? "ok  " : "FAIL")  line \(e.line): expect \(Report.written(e))  (\(Report.outcome(e)))\n")
                }
            }
            suites.append((file, tests, diagnostics))
        }
        say("\(passed) passed, \(failed) failed\(broken > 0 ? ", \(broken) could not run" : "")\n")
        if let path = output { try FileHandleOut.writeFile(report, to: path, what: "test report") }
        if let path = junit {
            try FileHandleOut.writeFile(JUnitRenderer.renderTests(suites), to: path, what: "JUnit report")
        }
        if broken > 0 { throw ExitCode(2) }
        if failed > 0 { throw ExitCode(1) }
    }
}
