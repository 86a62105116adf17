import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport
import FunnelSQL

/// Where `funnel run` computes: the native engine, or a SQL engine running `funnel sql`'s query.
enum EngineChoice: String, ExpressibleByArgument, CaseIterable {
    case native, duckdb, clickhouse, spark
    var target: SQLTarget? { SQLTarget(rawValue: rawValue) }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the funnels of a .funnel file and print the report.",
        discussion: "Prints users, conversion from start and from the previous step, drop-off and time from the previous step for every step; breakdown groups; KPIs and expects. Exit code 1 when an expect fails, 2 when the file or the data is invalid.")

    @Argument(help: "The .funnel file.") var file: String
    @Option(name: .long, help: "Output format: table, json, csv, markdown or html (a self-contained page: funnel chart, groups side by side, trend lines, histogram, KPIs against targets; light and dark).") var format: OutputFormat = .table
    @Option(name: .long, help: "Run only this funnel (repeatable).") var funnel: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Write the report to this file instead of standard output (report.html, results.json...).") var output: String?
    @Option(name: .long, help: "Where to compute: native (default), duckdb, clickhouse or spark (the query of `funnel sql`; the same report).") var engine: EngineChoice = .native
    @Option(name: .long, help: "ClickHouse's HTTP interface for --engine clickhouse (default http://localhost:8123; credentials from CLICKHOUSE_USER and CLICKHOUSE_PASSWORD).") var url: String?
    @Option(name: .long, help: "For --engine clickhouse without a server: a command that reads the query on standard input and prints JSONEachRow, such as \"clickhouse local\" (or FUNNEL_CLICKHOUSE_LOCAL).") var clickhouseLocal: String?
    @Option(name: .long, help: "For --engine spark: spark-submit (default: on PATH, or FUNNEL_SPARK_SUBMIT; pip install pyspark brings one).") var sparkSubmit: String?
    @Option(name: .long, help: "For --engine spark: the cluster's master URL, such as yarn or spark://host:7077 (default local[*], or FUNNEL_SPARK_MASTER).") var master: String?
    @Option(name: .long, help: "For --engine spark: a KEY=VALUE setting for spark-submit's --conf, such as spark.executor.memory=8g (repeatable).") var sparkConf: [String] = []
    @Option(name: .long, help: "The DuckDB command line for --engine duckdb (default: duckdb on PATH, or FUNNEL_DUCKDB).") var duckdb: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var colorOption: ColorOption
    @OptionGroup var table: TableOptions

    func validate() throws {
        for setting in sparkConf where !setting.contains("=") || setting.hasPrefix("=") {
            throw ValidationError("--spark-conf takes KEY=VALUE, such as spark.executor.memory=8g; got '\(setting)'")
        }
    }

    func run() throws {
        let started = DispatchTime.now()
        let options = try data.driverOptions()
        let c = try CLI.compile(file, options: options, load: engine == .native, funnels: funnel, color: colorOption)
        let only = funnel.isEmpty ? nil : funnel
        var results = engine == .native ? Driver.run(c, options: options, only: only) : []
        if let target = engine.target {
            var settings = EngineSettings()
            settings.url = url
            settings.duckdb = duckdb
            settings.clickhouseLocal = clickhouseLocal
            settings.sparkSubmit = sparkSubmit
            settings.master = master
            settings.sparkConf = sparkConf
            let (ran, problems) = Driver.runOnEngine(c, target: target, settings: settings, options: options, only: only)
            CLI.report(Report.diagnostics(problems, color: colorOption.enabled(forStderr: true)))
            if !problems.isEmpty { throw ExitCode(2) }
            results = ran
        }
        var rendering = table.renderOptions(color: output == nil && colorOption.enabled(), toFile: output != nil)
        rendering.sourceFile = file
        rendering.elapsedSeconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let text = Report.render(results, plan: c.plan, format: format, options: rendering)
        if let path = output { try FileHandleOut.writeFile(text, to: path, what: "report") } else { FileHandleOut.stdout(text) }
        // Skipped rows are in every format's output; CSV has no place for them, so stderr always says so too.
        for r in results where r.skipped.total > 0 {
            FileHandleOut.stderr("note: \(r.name): skipped \(r.skipped.total) bad rows: \(r.skipped.summary)\n")
        }
        // The other notes (a capped breakdown, a step no event matches) likewise, where the format has no place for them.
        if format == .csv || output != nil {
            for r in results { for note in r.notes { FileHandleOut.stderr("note: \(r.name): \(note)\n") } }
        }
        if results.contains(where: { $0.expects.contains { !$0.passed } }) { throw ExitCode(1) }
    }
}

/// How the table (`--format table`) is laid out; the other formats ignore these.
struct TableOptions: ParsableArguments {
    @Option(name: .long, help: "Lay the table out for N columns: no line longer (bars shrink, then the least important columns drop). Default: the terminal's width on a terminal, no limit on a pipe or with -o; 0: no limit.")
    var width: Int?

    @Flag(name: .long, help: "Plain ASCII bars and marks in the table (# and . for the bars, -> for arrows); the default when the locale (LC_ALL, LC_CTYPE, LANG) is set and is not UTF-8.")
    var ascii = false

    @Option(name: .long, help: "Show only the N largest breakdown groups in the table, and how many more there are.")
    var top: Int?

    @Flag(name: .long, inversion: .prefixedNo, help: "Show breakdown groups one row each (the groups' conversion side by side) instead of a table each; the default beyond 8 groups.")
    var compact: Bool?

    func validate() throws {
        if let w = width, w != 0 && w < Terminal.minimumWidth {
            throw ValidationError("--width takes a number of columns: \(Terminal.minimumWidth) or more, or 0 for no limit")
        }
        if let n = top, n < 1 { throw ValidationError("--top takes a number of groups: 1 or more") }
    }

    /// `toFile`: the report goes to -o's file, which has no width whatever standard output is.
    func renderOptions(color: Bool, toFile: Bool) -> RenderOptions {
        var o = RenderOptions.standardOutput(color: color, isTerminal: !toFile && Terminal.isTerminal(1), width: width, ascii: ascii,
                                             environment: ProcessInfo.processInfo.environment)
        o.top = top
        o.compact = compact
        return o
    }
}
