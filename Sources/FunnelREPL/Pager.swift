#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunnelReport

/// A result taller than the terminal goes through a pager, as in psql: `$FUNNEL_PAGER`, else
/// `$PAGER`, else `less -FRX` (-F quits at once when the text fits after all, -R keeps the
/// colours, -X leaves the text on the screen). An empty command, or `cat`, means no pager.
struct Pager {
    /// The shell command the text is piped into.
    let command: String

    /// The pager the environment asks for; nil when it switches paging off.
    init?(environment: [String: String]) {
        guard let command = Pager.command(environment: environment) else { return nil }
        self.command = command
    }

    init(command: String) { self.command = command }

    static let defaultCommand = "less -FRX"

    /// `FUNNEL_PAGER` wins over `PAGER` even when empty, so funnel alone can be kept from paging.
    static func command(environment: [String: String]) -> String? {
        let chosen = (environment["FUNNEL_PAGER"] ?? environment["PAGER"] ?? defaultCommand).trimmingCharacters(in: .whitespaces)
        return chosen.isEmpty || chosen == "cat" ? nil : chosen
    }

    // MARK: deciding

    /// Rows the text takes on a screen `columns` wide: a long line wraps; colour codes take no room.
    static func rows(of text: String, columns: Int) -> Int {
        let width = max(1, columns)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines.reduce(0) { $0 + max(1, (visibleWidth($1) + width - 1) / width) }
    }

    /// Characters shown, without the escape sequences that colour them.
    static func visibleWidth(_ line: Substring) -> Int {
        var count = 0, inEscape = false
        for u in line.unicodeScalars {
            if inEscape { if u.properties.isAlphabetic { inEscape = false }; continue }
            if u == "\u{1B}" { inEscape = true; continue }
            count += 1
        }
        return count
    }

    /// Taller than the screen: the text would not fit above the next prompt.
    static func isTaller(_ text: String, than screen: (rows: Int, columns: Int)) -> Bool {
        rows(of: text, columns: screen.columns) > screen.rows - 1
    }

    /// The screen of standard output: its rows from the window size, else `$LINES`; its columns
    /// as the table measures them. Nil when nothing says how tall it is (a fresh pseudo-terminal,
    /// as script(1) makes, reports 0 rows): a text cannot be known to be taller than that.
    static func screenSize(environment: [String: String]) -> (rows: Int, columns: Int)? {
        var size = winsize()
        let window = ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 ? Int(size.ws_row) : nil
        guard let rows = window ?? environment["LINES"].flatMap(Int.init).flatMap({ $0 > 0 ? $0 : nil }) else { return nil }
        return (rows, Terminal.width(fd: 1, environment: environment))
    }

    // MARK: paging

    /// Pipes the text into the pager, whose output is the terminal, and waits for it to end.
    /// False when the pager could not run the text (no such command, not started, or it failed
    /// before reading it all): the caller then prints the text itself, so nothing is lost.
    func page(_ text: String, output: Int32 = 1) -> Bool {
        fflush(nil)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        guard let pid = spawn(input: fds[0], closing: fds[1], output: output) else {
            close(fds[0]); close(fds[1])
            return false
        }
        close(fds[0])
        let readAll = Pager.write(text, to: fds[1])
        close(fds[1])
        guard let status = Pager.wait(pid) else { return readAll }
        // 126 and 127: the shell could not find or run the command.
        if status == 126 || status == 127 { return false }
        return readAll || status == 0
    }

    /// Starts `sh -c COMMAND` reading `input`; nil when it cannot be started. The pager must not
    /// hold the pipe's other end (`writeEnd`), or it would never see the end of the text.
    private func spawn(input: Int32, closing writeEnd: Int32, output: Int32) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else { return nil }
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_addclose(&actions, input)
        if output != 1 { posix_spawn_file_actions_adddup2(&actions, output, 1) }
        let args = ["/bin/sh", "-c", command]
        let env = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // The pager starts with no signal blocked, whatever mask this process was handed.
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { return nil }
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid = pid_t()
        return posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, &envp) == 0 ? pid : nil
    }

    /// Writes everything to the pager; false when it stopped reading first (a person quit
    /// `less` early, or it failed). SIGPIPE is ignored meanwhile, so that is an EPIPE, not death.
    private static func write(_ text: String, to fd: Int32) -> Bool {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// The pager's exit status; nil when it ended by a signal or cannot be waited for.
    private static func wait(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        // WIFEXITED and WEXITSTATUS are macros that Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }
}
