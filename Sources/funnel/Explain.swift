import ArgumentParser
import FunnelDiagnostics
import FunnelDriver
import FunnelPlan

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the execution plan of a .funnel file: what is read and how each funnel matches.")

    @Argument(help: "The .funnel file.") var file: String
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        let c = Driver.compile(path: file, options: try data.driverOptions(), load: false)
        CLI.report(c.diagnostics, color: colorOption.enabled(forStderr: true))
        guard let plan = c.plan, !c.hasErrors else { throw ExitCode(2) }
        FileHandleOut.stdout(FunnelPlan.Explain.render(plan))
    }
}
