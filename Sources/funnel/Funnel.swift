import ArgumentParser
import FunnelDriver

@main
struct Funnel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "funnel",
        abstract: "Compile, check and run conversion funnels declared in .funnel files.",
        discussion: """
        A .funnel file names its event data (CSV or JSON Lines), its steps, filters, breakdowns,
        KPIs and expectations. See the README for a tour of the language.

        Exit codes: 0 success, 1 an expect failed, 2 the definition or the data is invalid,
        64 wrong usage.
        """,
        version: "0.1.0",
        subcommands: [Run.self, Check.self, Explain.self, Repl.self]
    )
}
