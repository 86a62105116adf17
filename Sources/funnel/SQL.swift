import ArgumentParser
import FunnelDriver
import FunnelReport
import FunnelSQL

extension SQLTarget: ExpressibleByArgument {}

struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print each funnel as one SQL query for DuckDB, ClickHouse or Spark.",
        discussion: """
        The query reads the source, matches every actor as the native engine does (language.md §4) and returns, per breakdown group and over every actor (total = 1): the population, actors per step (reachedK), the µs between steps per actor (deltaK, ttc) and the values KPIs read. `funnel run --engine` runs it and computes the report from it. A construct without an exact translation for the target is refused (E302), never approximated.
        """)

    @Argument(help: "The .funnel file.") var file: String
    @Option(name: .long, help: "The SQL dialect: duckdb, clickhouse or spark.") var target: SQLTarget
    @Option(name: .long, help: "Only this funnel (repeatable).") var funnel: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Write the queries to this file instead of standard output.") var output: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        let options = try data.driverOptions()
        let c = try CLI.compile(file, options: options, load: false, funnels: funnel, color: colorOption)
        let queries = Driver.sql(c, target: target, only: funnel.isEmpty ? nil : funnel)
        let refused = queries.compactMap(\.diagnostic)
        CLI.report(Report.diagnostics(refused, color: colorOption.enabled(forStderr: true)))
        let text = queries.compactMap { $0.query.map { $0.text } }.joined(separator: ";\n\n") + (queries.contains { $0.query != nil } ? ";\n" : "")
        if let path = output { try FileHandleOut.writeFile(text, to: path, what: "queries") } else { FileHandleOut.stdout(text) }
        if !refused.isEmpty { throw ExitCode(2) }
    }
}
