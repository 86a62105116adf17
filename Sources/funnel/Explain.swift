import ArgumentParser
import FunnelDriver
import FunnelReport

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the execution plan of a .funnel file: what is read and how each funnel matches.",
        discussion: "When a data file is missing, the plan is printed anyway with the column types marked unchecked, and a warning on standard error (exit code 0).")

    @Argument(help: "The .funnel file.") var file: String
    @Option(name: [.customShort("o"), .long], help: "Write the plan to this file instead of standard output.") var output: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        // Without its data file the plan is still shown (types unchecked), with a warning.
        var options = try data.driverOptions()
        options.planWithoutData = true
        let c = Driver.compile(path: file, options: options, load: false)
        CLI.report(Report.diagnostics(c.diagnostics, color: colorOption.enabled(forStderr: true)))
        guard let text = Driver.explain(c) else { throw ExitCode(2) }
        if let path = output { try FileHandleOut.writeFile(text, to: path, what: "plan") } else { FileHandleOut.stdout(text) }
    }
}
