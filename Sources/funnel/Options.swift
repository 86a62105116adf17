import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport
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

    @Option(name: .long, help: "\"Now\" for recency(...), rfm(...) and clv(...), and the day `dates last 30d` and `to today` end with, as a date or date-time (default: the latest event in the data).")
    var asOf: String?

    @Flag(name: [.customShort("q"), .long], help: "No progress line on standard error while data loads (it shows only on a terminal, after a second).")
    var quiet = false

    @Option(name: .long, help: "Breakdown groups shown per funnel, the largest first; the others are summed in one \"(other)\" group and a note says so (0: all). Default 1000.")
    var maxGroups: Int = 1000

    @Option(name: .long, help: "Stop with an error (E414) when funnel's memory passes this size, such as 2G or 512M (default: 80% of the machine's memory).")
    var maxMemory: String?

    func driverOptions() throws -> DriverOptions {
        var o = DriverOptions(events: events, skipBadRows: skipBadRows)
        if !quiet && isatty(2) != 0 {
            let line = ProgressLine()
            o.progress = { path, bytes, total, rows in line.update(path: path, bytes: bytes, total: total, rows: rows) }
        }
        guard maxGroups >= 0 else { throw ValidationError("--max-groups takes a count: 0 or more (0 shows every group)") }
        o.maxGroups = maxGroups
        if let m = maxMemory {
            guard let bytes = CLI.parseSize(m), bytes > 0 else { throw ValidationError("--max-memory takes a size such as 2G, 512M or 1.5GiB") }
            o.maxMemory = bytes
        }
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
    @Option(name: .long, help: "Colour: auto, always or never (auto colours a terminal unless NO_COLOR is set or TERM is dumb).")
    var color: ColorPolicy = .auto

    func enabled(forStderr: Bool = false) -> Bool {
        color.enabled(isTerminal: isatty(forStderr ? 2 : 1) != 0, environment: ProcessInfo.processInfo.environment)
    }
}

extension ColorPolicy: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

enum CLI {
    /// Compiles `file`, prints its diagnostics, and stops with exit 2 on errors or a usage error
    /// for a `--funnel` name the file does not declare (with a suggestion).
    static func compile(_ file: String, options: DriverOptions, load: Bool, funnels: [String], color: ColorOption) throws -> Compilation {
        let c = Driver.compile(path: file, options: options, load: load)
        report(Report.diagnostics(c.diagnostics, color: color.enabled(forStderr: true)))
        if c.hasErrors {
            FileHandleOut.stderr(Report.summary(c.diagnostics) + "\n")
            throw ExitCode(2)
        }
        let names = c.funnelNames
        for f in funnels where !names.contains(f) {
            let help = Driver.suggestion(for: f, among: names, kind: "funnels") ?? ""
            throw ValidationError("no funnel named '\(f)' in \(file). \(help)")
        }
        return c
    }

    /// Prints diagnostics to standard error.
    /// Rendered diagnostics go to standard error.
    static func report(_ rendered: String) {
        if !rendered.isEmpty { FileHandleOut.stderr(rendered) }
    }

    static func parseTime(_ s: String) -> Int64? { Driver.parseTime(s) }

    /// "2G", "512M", "1.5GiB", "800MB", "1000000": bytes (K, M, G, T are powers of 1024).
    static func parseSize(_ s: String) -> Int? {
        var text = s.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where text.hasSuffix(suffix) && text.count > suffix.count { text.removeLast(suffix.count); break }
        let scale: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
        var factor = 1.0
        if let last = text.last, let f = scale[last] { factor = f; text.removeLast() }
        guard let x = Double(text), x.isFinite, x > 0, x * factor < 9e18 else { return nil }
        return Int(x * factor)
    }
}

/// Writes to the standard streams without Foundation. Every write to standard output is
/// checked: the first failure is kept, and `exitIfOutputFailed` ends the run with exit 2.
enum FileHandleOut {
    /// errno of the first failed write to standard output.
    nonisolated(unsafe) static var stdoutError: Int32? = nil

    static func stdout(_ s: String) {
        guard stdoutError == nil else { return }
        if fputs(s, Glibc.stdout) < 0 || fflush(Glibc.stdout) != 0 || ferror(Glibc.stdout) != 0 { stdoutError = errno }
    }
    static func stderr(_ s: String) { fputs(s, Glibc.stderr) }

    /// After a command: when standard output could not be written, says so and exits 2.
    static func exitIfOutputFailed() {
        if stdoutError == nil, fflush(Glibc.stdout) != 0 || ferror(Glibc.stdout) != 0 { stdoutError = errno }
        guard let e = stdoutError else { return }
        stderr("funnel: error: cannot write to standard output: \(String(cString: strerror(e)))\n")
        exit(2)
    }

    /// Writes a report file (JUnit); a failure is an error naming the path, exit 2.
    static func writeFile(_ text: String, to path: String, what: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        catch {
            stderr("funnel: error: cannot write the \(what) to \(path): \(error.localizedDescription)\n")
            throw ExitCode(2)
        }
    }
}
