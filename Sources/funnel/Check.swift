import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile, type-check and evaluate the expects of .funnel files against their data (for CI).",
        discussion: "Exit code 0 when every file is valid and every expect passes, 1 when an expect fails, 2 when a file or its data is invalid.")

    @Argument(help: "The .funnel files.") var files: [String]
    @Option(name: .long, help: "Also write a JUnit XML report to this file (one test case per expect).") var junit: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one .funnel file") }
        let options = try data.driverOptions()
        var invalid = 0, failedExpects = 0
        let color = colorOption.enabled()
        var outcomes: [JUnitRenderer.FileOutcome] = []
        for file in files {
            let started = DispatchTime.now().uptimeNanoseconds
            let c = Driver.compile(path: file, options: options, load: true)
            CLI.report(Report.diagnostics(c.diagnostics, color: colorOption.enabled(forStderr: true)))
            if c.hasErrors {
                invalid += 1
                FileHandleOut.stdout("\(file): invalid (\(Report.summary(c.diagnostics)))\n")
                outcomes.append(.init(path: file, diagnostics: c.diagnostics, results: [], seconds: Check.seconds(since: started)))
                continue
            }
            let results = Driver.run(c, options: options)
            outcomes.append(.init(path: file, diagnostics: c.diagnostics, results: results, seconds: Check.seconds(since: started)))
            let expects = results.flatMap { r in r.expects.map { (r.name, $0) } }
            let failed = expects.filter { !$0.1.passed }
            failedExpects += failed.count
            let status = failed.isEmpty ? Report.paint("ok", "32", color) : Report.paint("FAILED", "31", color)
            FileHandleOut.stdout("\(file): \(status) (\(results.count) funnel\(results.count == 1 ? "" : "s"), \(expects.count - failed.count)/\(expects.count) expects passed)\n")
            for (funnel, e) in expects {
                let mark = e.passed ? "pass" : "FAIL"
                let actual = Report.actual(e.actual, e.reading) ?? "-"
                FileHandleOut.stdout("  \(mark)  \(file):\(e.line)  \(funnel): expect \(e.source)  (actual \(actual))\n")
            }
            for r in results where r.skipped.total > 0 {
                FileHandleOut.stdout("  note: skipped \(r.skipped.total) bad rows: \(r.skipped.summary)\n")
            }
        }
        if let path = junit {
            try FileHandleOut.writeFile(JUnitRenderer.render(outcomes), to: path, what: "JUnit report")
        }
        if invalid > 0 { throw ExitCode(2) }
        if failedExpects > 0 { throw ExitCode(1) }
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

