#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunnelDriver
import FunnelReport

/// `funnel repl`: line editing on a terminal, plain lines otherwise (scripts, CI).
public enum REPLMain {
    public static func start(files: [String], options: DriverOptions, bail: Bool = false) -> Int32 {
        let interactive = isatty(0) != 0 && isatty(1) != 0
        let color = ColorPolicy.auto.enabled(isTerminal: interactive, environment: ProcessInfo.processInfo.environment)
        let session = Session(options: options, color: color)
        catchInterrupts()
        if interactive { print("funnel \(REPLMain.version) — :help for help, Tab completes, Ctrl-D quits") }
        // A data file instead of a .funnel file: start from it, as `funnel init` would.
        var failed = false
        for f in files {
            let reply = isDataFile(f) ? session.start(fromData: f) : session.load(path: f)
            emit(reply, toStderr: !interactive)
            failed = failed || reply.failed
        }
        if interactive, let editor = LineEditor(program: "funnel", historyPath: historyPath, completer: session.complete) {
            converse(session, editor)
            return 0
        }
        return readPiped(session, bail: bail, failedBefore: failed)
    }

    /// The terminal: one line at a time from the editor, until Ctrl-D or `:quit`.
    static func converse(_ session: Session, _ editor: LineEditor) {
        let environment = ProcessInfo.processInfo.environment
        let pager = Pager(environment: environment)
        // The lines of the input being typed: a block is one history entry, so ↑ and Enter run it again.
        var block: [String] = []
        while true {
            guard let line = editor.readLine(prompt: session.prompt) else { emit("\n"); break }
            if editor.cancelled { session.cancelInput(); block = []; continue }
            block.append(line)
            let reply = session.handle(line)
            if !session.isContinuing {
                editor.addHistory(block.joined(separator: "\n"))
                block = []
            }
            // The terminal echoed ^C where the cursor was: what follows starts on a line of its own.
            if Driver.cancellationRequested { emit("\n") }
            show(reply, session: session, pager: pager, environment: environment)
            if reply.quit { break }
        }
    }

    /// A reply on the terminal, through the pager when it is taller than the screen.
    static func show(_ reply: Reply, session: Session, pager: Pager?, environment: [String: String]) {
        if let pager = pager, session.mayPage(reply), outputError == nil, let screen = Pager.screenSize(environment: environment),
           Pager.isTaller(reply.text, than: screen), pager.page(reply.text) {
            return
        }
        emit(reply.text)
    }

    /// Piped lines (scripts, CI): results on stdout, errors on stderr, exit 2 when an input failed.
    static func readPiped(_ session: Session, bail: Bool, failedBefore: Bool) -> Int32 {
        var failed = failedBefore
        while let line = Swift.readLine(strippingNewline: true) {
            let reply = session.handle(line)
            emit(reply, toStderr: true)
            failed = failed || reply.failed
            if reply.quit || outputError != nil || (bail && reply.failed) { break }
        }
        // The command line says why (it checks standard output after every command).
        if outputError != nil { return 2 }
        if session.isContinuing {
            let open = session.openBlockCount
            fputs("error: the input ended inside a block: \(open) '{' not closed; it was not run\n", stderr)
            failed = true
        }
        return failed ? 2 : 0
    }

    /// Ctrl-C during a query cancels the query; the session goes on. A parent may hand down a
    /// signal mask that blocks SIGINT (a test runner's does), and then Ctrl-C would never reach
    /// the handler: it is unblocked here.
    static func catchInterrupts() {
        signal(SIGINT) { _ in Driver.requestCancellation() }
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
    }

    /// A reply on stdout, or (piped, when it failed) on stderr.
    static func emit(_ reply: Reply, toStderr: Bool) {
        if reply.failed && toStderr { if !reply.text.isEmpty { fputs(reply.text, stderr) } } else { emit(reply.text) }
    }

    static let version = "0.1.0"

    /// A data file (by its extension) rather than a `.funnel` file.
    public static func isDataFile(_ path: String) -> Bool {
        ["csv", "tsv", "txt", "jsonl", "ndjson", "json"].contains((path as NSString).pathExtension.lowercased())
    }

    /// `$FUNNEL_HISTORY`, or `~/.funnel_history`.
    static var historyPath: String {
        if let p = ProcessInfo.processInfo.environment["FUNNEL_HISTORY"], !p.isEmpty { return p }
        return (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.funnel_history"
    }

    /// errno of the first failed write to standard output (a full disk, a closed stream).
    nonisolated(unsafe) static var outputError: Int32? = nil

    static func emit(_ text: String) {
        guard !text.isEmpty, outputError == nil else { return }
        if fputs(text, stdout) < 0 || fflush(stdout) != 0 || ferror(stdout) != 0 { outputError = errno }
    }
}
