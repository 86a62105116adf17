import ArgumentParser
import FunnelDriver
import FunnelReport

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the execution plan of a .funnel file: what is read and how each funnel matches.")

    @Argument(help: "The .funnel file.") var file: String
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        let c = Driver.compile(path: file, options: try data.driverOptions(), load: false)
        CLI.report(Report.diagnostics(c.diagnostics, color: colorOption.enabled(forStderr: true)))
        guard let text = Driver.explain(c) else { throw ExitCode(2) }
        FileHandleOut.stdout(text)
    }
}
