import ArgumentParser
import FunnelDiagnostics
import FunnelDriver
import FunnelReport
import FunnelEngine
#if canImport(Glibc)
import Glibc
#endif

/// Options shared by the subcommands that read data.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Read events from this file instead of the source's path (the column mapping is kept; a .csv, .jsonl or .ndjson extension sets the format).")
    var events: String?

    @Flag(name: .long, help: "Skip rows that cannot be read (bad timestamps, ragged rows...), count them and report them with the results, instead of failing.")
    var skipBadRows = false

    @Option(name: .long, help: "CSV field delimiter: one character, or \\t for tab (default: the source's, or ',').")
    var delimiter: String?

    @Option(name: .long, help: "\"Now\" for recency(...), as a date or date-time (default: the latest event in the data).")
    var asOf: String?

    func driverOptions() throws -> DriverOptions {
        var o = DriverOptions(events: events, skipBadRows: skipBadRows)
        if let d = delimiter {
            let text = d == "\\t" ? "\t" : d
            guard text.utf8.count == 1, let b = text.utf8.first else {
                throw ValidationError("--delimiter takes one character, such as ';' or \\t")
            }
            o.delimiter = b
        }
        if let a = asOf {
            guard let t = CLI.parseTime(a) else { throw ValidationError("--as-of takes a date such as 2024-01-31 or 2024-01-31T12:00:00Z") }
            o.asOf = t
        }
        return o
    }
}

struct ColorOption: ParsableArguments {
    @Option(name: .long, help: "Colour: auto, always or never (auto honours NO_COLOR and whether output is a terminal).")
    var color: ColorMode = .auto

    func enabled(forStderr: Bool = false) -> Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto:
            if getenv("NO_COLOR") != nil { return false }
            return isatty(forStderr ? 2 : 1) != 0
        }
    }
}

enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }
extension OutputFormat: ExpressibleByArgument {}

enum CLI {
    /// Prints diagnostics to standard error.
    static func report(_ diagnostics: [Diagnostic], color: Bool) {
        guard !diagnostics.isEmpty else { return }
        let text = DiagnosticRenderer(color: color).render(diagnostics)
        FileHandleOut.stderr(text)
    }

    static func parseTime(_ s: String) -> Int64? {
        parseTimeText(s)
    }
}

/// Writes to the standard streams without Foundation.
enum FileHandleOut {
    static func stdout(_ s: String) { fputs(s, Glibc.stdout); fflush(Glibc.stdout) }
    static func stderr(_ s: String) { fputs(s, Glibc.stderr) }
}
