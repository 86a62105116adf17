import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile, type-check and evaluate the expects of .funnel files against their data (for CI).",
        discussion: "Exit code 0 when every file is valid and every expect passes, 1 when an expect fails, 2 when a file or its data is invalid.")

    @Argument(help: "The .funnel files.") var files: [String]
    @Option(name: .long, help: "text (default, for people), github (GitHub Actions ::error/::warning annotations at each line), junit (JUnit XML) or json.")
    var format: CheckFormat = .text
    @Option(name: [.customShort("o"), .long], help: "Write the report to this file instead of standard output.") var output: String?
    @Flag(name: .long, help: "Treat warnings (an event that never occurs, a rate compared with a number above 1...) as errors.") var strict = false
    @Option(name: .long, help: "Also write a JUnit XML report to this file (one test case per expect).") var junit: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    enum CheckFormat: String, ExpressibleByArgument, CaseIterable { case text, github, junit, json }

    func run() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one .funnel file") }
        let options = try data.driverOptions()
        var invalid = 0, failedExpects = 0
        let color = colorOption.enabled() && format == .text && output == nil
        var outcomes: [JUnitRenderer.FileOutcome] = []
        var text = ""
        for file in files {
            let started = DispatchTime.now().uptimeNanoseconds
            let c = Driver.compile(path: file, options: options, load: true)
            // --strict: a warning fails the file as an error does.
            let diagnostics = strict ? c.diagnostics.map { d in var e = d; e.severity = .error; return e } : c.diagnostics
            if format == .text { CLI.report(Report.diagnostics(diagnostics, color: colorOption.enabled(forStderr: true))) }
            if diagnostics.contains(where: \.isError) {
                invalid += 1
                text += "\(file): invalid (\(Report.summary(diagnostics)))\n"
                outcomes.append(.init(path: file, diagnostics: diagnostics, results: [], seconds: Check.seconds(since: started)))
                continue
            }
            let results = Driver.run(c, options: options)
            outcomes.append(.init(path: file, diagnostics: diagnostics, results: results, seconds: Check.seconds(since: started)))
            let expects = results.flatMap { r in r.expects.map { (r.name, $0) } }
            let failed = expects.filter { !$0.1.passed }
            failedExpects += failed.count
            let status = failed.isEmpty ? Report.paint("ok", "32", color) : Report.paint("FAILED", "31", color)
            text += "\(file): \(status) (\(results.count) funnel\(results.count == 1 ? "" : "s"), \(expects.count - failed.count)/\(expects.count) expects passed)\n"
            for (funnel, e) in expects {
                let mark = e.passed ? "pass" : "FAIL"
                text += "  \(mark)  \(file):\(e.line)  \(funnel): expect \(Report.written(e))  (\(Report.outcome(e, none: "-")))\n"
            }
            for r in results where r.skipped.total > 0 {
                text += "  note: skipped \(r.skipped.total) bad rows: \(r.skipped.summary)\n"
            }
        }
        let report: String
        switch format {
        case .text: report = text
        case .github: report = CheckRenderer.github(outcomes)
        case .junit: report = JUnitRenderer.render(outcomes)
        case .json: report = CheckRenderer.json(outcomes)
        }
        if let path = output { try FileHandleOut.writeFile(report, to: path, what: "check report") } else { FileHandleOut.stdout(report) }
        if let path = junit {
            try FileHandleOut.writeFile(JUnitRenderer.render(outcomes), to: path, what: "JUnit report")
        }
        if invalid > 0 { throw ExitCode(2) }
        if failedExpects > 0 { throw ExitCode(1) }
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

