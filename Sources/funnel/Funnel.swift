import ArgumentParser
import CMalloc
import FunnelDriver

@main
struct Funnel: ParsableCommand {
    static func main() {
        // Keep freed memory in the process: big per-query arrays are then reused instead of
        // being returned to the kernel and faulted in (zeroed) again by the next query.
        funnel_keep_freed_memory()
        do {
            var command = try parseAsRoot()
            try command.run()
            FileHandleOut.exitIfOutputFailed()
        } catch {
            FileHandleOut.exitIfOutputFailed()
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "funnel",
        abstract: "Compile, check and run conversion funnels declared in .funnel files.",
        discussion: """
        A .funnel file names its event data (CSV or JSON Lines), its steps, filters, breakdowns, KPIs and expectations; the README has a tour of the language.

          funnel init events.csv -o my.funnel       # a starter for your own data
          funnel run examples/ecommerce.funnel      # the report, as a table
          funnel run shop.funnel --format json      # for machines
          funnel check funnels/*.funnel             # CI: exit 1 on a failed expect
          funnel test funnels/*.funnel              # CI: the test blocks
          funnel repl examples/ecommerce.funnel     # explore interactively
          funnel sql shop.funnel --target spark     # each funnel as SQL
          funnel run shop.funnel --engine duckdb    # computed by DuckDB

        Exit codes: 0 success, 1 an expect failed, 2 the definition or the data is invalid, 64 wrong usage.
        """,
        version: "0.1.0",
        subcommands: [Init.self, Run.self, Check.self, Test.self, Explain.self, SQL.self, Fmt.self, Repl.self, Lsp.self]
    )
}
