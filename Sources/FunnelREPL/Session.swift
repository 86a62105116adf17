import Foundation
import FunnelDriver
import FunnelReport

/// What the session says back to one input.
public struct Reply: Sendable, Equatable {
    public var text: String
    public var quit = false
    /// The input failed (an error was reported): piped sessions print it on stderr and exit 2.
    public var failed = false
    public init(_ text: String, quit: Bool = false, failed: Bool = false) { self.text = text; self.quit = quit; self.failed = failed }
}

/// The REPL's logic, with no terminal: lines in, text out. The definitions and the data in
/// memory belong to the driver's workspace; the session adds multi-line input, `:commands`,
/// the output format and timing.
public final class Session {
    public let workspace: Workspace
    public var format: OutputFormat = .table
    public var timing = false
    /// `:timeout`: seconds a query may take before it stops as if cancelled (nil: no limit).
    public var timeout: Double? = nil
    /// `:output FILE`: results go to FILE from now on (nil: the screen).
    public var outputPath: String? = nil
    /// `:once FILE`: the next result goes to FILE.
    public var oncePath: String? = nil
    /// `:pager on|off`: on a terminal, a result taller than the screen goes through the pager.
    public var pager = true
    public var color: Bool { workspace.color }
    /// Whether a reply may go through the pager: a result or a listing shown on the screen,
    /// never an error (it stays in sight) and never while results go to a file.
    public func mayPage(_ reply: Reply) -> Bool { pager && !reply.failed && !reply.quit && outputPath == nil }
    /// Text of a declaration still open (a brace not yet closed).
    var pending: [String] = []

    public init(options: DriverOptions = DriverOptions(), color: Bool = false) {
        workspace = Workspace(options: options, color: color)
    }

    init(workspace: Workspace) { self.workspace = workspace }

    /// A session in the same state (definitions, data in memory, format, timing, time limit,
    /// output file, half-typed input) that goes on apart from this one: the REPL fuzz target
    /// loads its data once and types each input into a copy.
    public func copy() -> Session {
        let s = Session(workspace: workspace.copy())
        s.format = format; s.timing = timing; s.timeout = timeout
        s.outputPath = outputPath; s.oncePath = oncePath; s.pending = pending; s.pager = pager
        return s
    }

    public var prompt: String { pending.isEmpty ? "funnel> " : "   ...> " }
    public var isContinuing: Bool { !pending.isEmpty }
    /// Braces still open in the half-typed input.
    public var openBlockCount: Int { Session.openBraces(pending.joined(separator: "\n")) }

    /// Forgets a half-typed multi-line input (Ctrl-C).
    public func cancelInput() { pending = [] }

    /// One line of input. Lines accumulate while a brace is open.
    public func handle(_ line: String) -> Reply {
        // A Ctrl-C belongs to the input it interrupted, never to the next one.
        Driver.resetCancellation()
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if Session.openBraces(text) > 0 && !text.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return Reply("") }
        pending = []
        return execute(text)
    }

    /// Braces opened and not yet closed, outside strings and comments.
    static func openBraces(_ text: String) -> Int {
        var depth = 0, inString = false, inComment = false, escape = false
        for c in text {
            if inComment { if c == "\n" { inComment = false }; continue }
            if inString {
                if escape { escape = false } else if c == "\\" { escape = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "#": inComment = true
            case "{": depth += 1
            case "}": depth -= 1
            default: break
            }
        }
        return depth
    }

    func execute(_ raw: String) -> Reply {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.hasPrefix("#") { return Reply("") }
        if text.hasPrefix(":") { return meta(text) }
        // The words DuckDB's and psql's users type, unless a funnel has that name.
        if !workspace.funnelNames.contains(text) {
            if ["exit", "quit", "\\q"].contains(text) { return Reply("", quit: true) }
            if text == "help" { return meta(":help") }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = timeout.map { Driver.deadline(in: $0) }
        workspace.options.deadline = deadline
        defer { workspace.options.deadline = nil }
        // As typed, leading blanks included: a caret's column is the column on the screen.
        let evaluated = workspace.evaluate(raw)
        if let d = deadline, Driver.passed(d) {
            return Reply("cancelled: the query took longer than its time budget of \(Session.seconds(timeout ?? 0)) (:timeout)\n", failed: true)
        }
        // Figures of a query cut short are partial: never shown.
        if Driver.cancellationRequested { return Reply("cancelled\n") }
        switch evaluated {
        case .answer(let a): return Reply(a.text, failed: a.failed)
        case .ran(let run):
            if run.failed { return Reply(run.notes, failed: true) }
            if let path = oncePath ?? outputPath {
                oncePath = nil
                let text = Report.render(run.results, plan: run.plan, format: format, color: false)
                return Session.append(text, to: path).map { Reply("error: cannot write to \(path): \($0)\n", failed: true) }
                    ?? Reply(run.notes + "wrote the result to \(path)\n")
            }
            var out = run.notes + Report.render(run.results, plan: run.plan, format: format, options: .screen(color: color))
            if timing {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                out += String(format: "time: %.1f ms\n", ms)
            }
            return Reply(out + (format == .table ? "\n" : ""))
        }
    }

    /// `funnel repl events.csv`: writes a starter (as `funnel init` does) in memory and enters it
    /// as if typed, line by line, so the session opens on the data with a first funnel.
    public func start(fromData path: String) -> Reply {
        Driver.resetCancellation()
        switch Starter.make(dataPath: path) {
        case .failure(let f): return Reply("error: \(f.message)\(f.message.hasSuffix("\n") ? "" : "\n")", failed: true)
        case .success(let s):
            var out = "started from \(path) (the starter `funnel init \(path)` would write):\n"
            out += s.text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0.hasPrefix("source") || $0.hasPrefix("  user") || $0.hasPrefix("  time") || $0.hasPrefix("  event") || $0.hasPrefix("  delimiter") || $0.hasPrefix("funnel") || $0.hasPrefix("  step") || $0 == "}" }
                .map { "  " + $0 }.joined(separator: "\n") + "\n"
            for d in s.doubts { out += "note: unsure guess: \(d)\n" }
            var failed = false
            for line in s.text.split(separator: "\n", omittingEmptySubsequences: false) {
                let reply = handle(String(line))
                if reply.failed { failed = true }
                if !reply.text.isEmpty && (failed || !line.hasPrefix("}") || reply.text.contains("error")) { out += reply.text }
            }
            if !failed { out += "funnel first_funnel is defined: type first_funnel to run it, :schema for the data, :save FILE to keep the definitions\n" }
            return Reply(out, failed: failed)
        }
    }

    /// Loads a `.funnel` file's definitions (and its data) into the session.
    public func load(path: String) -> Reply {
        Driver.resetCancellation()
        let a = workspace.load(path: path)
        return Reply(a.text, failed: a.failed)
    }
}

extension Session {
    /// Appends to a file (creating it); the reason when it cannot.
    static func append(_ text: String, to path: String) -> String? {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { return "cannot create the file" }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return "cannot open the file for writing" }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            return nil
        } catch { return "\(error.localizedDescription)" }
    }

    /// Empties (or creates) the file that `:output` will append to.
    static func start(_ path: String) -> String? {
        FileManager.default.createFile(atPath: path, contents: Data()) ? nil : "cannot create the file"
    }
}
