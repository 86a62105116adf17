import Foundation

/// What the table needs to know about the terminal it is shown on: its width and whether it
/// shows UTF-8. The probes live here, so `funnel run` and the REPL read a terminal the same way.
public enum Terminal {
    /// The narrowest width the table lays out for; a narrower terminal wraps what does not fit.
    public static let minimumWidth = 40
    /// Where no window size and no `COLUMNS` say otherwise: the classic terminal.
    public static let defaultWidth = 80

    /// Whether file descriptor `fd` is a terminal.
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// The width of the terminal on `fd`: its window size (TIOCGWINSZ), else `COLUMNS`, else 80;
    /// never less than `minimumWidth`. Read at each render, so a resized window is followed.
    public static func width(fd: Int32 = 1, environment: [String: String]) -> Int {
        let columns = windowColumns(fd) ?? environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        return max(minimumWidth, columns ?? defaultWidth)
    }

    /// The window's columns; nil when `fd` is no terminal or the terminal does not say (a fresh
    /// pseudo-terminal reports 0).
    static func windowColumns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Whether the locale's character set is UTF-8: the first non-empty of LC_ALL, LC_CTYPE and
    /// LANG (the order POSIX gives them) names UTF-8 ("UTF-8" or "utf8", any case). No locale at
    /// all counts as UTF-8: containers and CI shells often set none, and their terminals and log
    /// viewers show UTF-8, so an unset locale keeps the bars people expect. A locale that is set
    /// to something else (C, POSIX, en_US.ISO-8859-1) gets plain ASCII.
    public static func isUTF8(environment: [String: String]) -> Bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        guard let name = locale?.lowercased() else { return true }
        return name.contains("utf-8") || name.contains("utf8")
    }
}

extension RenderOptions {
    /// The options of a table printed on standard output by a command: the terminal's width when
    /// standard output is one (`width` 0 or more overrides: 0 is no limit), ASCII when asked for
    /// or when the locale is not UTF-8.
    public static func standardOutput(color: Bool, isTerminal: Bool, width: Int?, ascii: Bool,
                                      environment: [String: String]) -> RenderOptions {
        var o = RenderOptions(color: color)
        if let w = width { o.width = w == 0 ? nil : w } else if isTerminal { o.width = Terminal.width(environment: environment) }
        o.ascii = ascii || !Terminal.isUTF8(environment: environment)
        return o
    }

    /// Set by `funnel repl`: the REPL's results on the screen follow the terminal and the locale as
    /// `funnel run`'s do. Off in-process (tests, the fuzz target), so there a table never depends
    /// on the machine's terminal or locale.
    nonisolated(unsafe) public static var replFollowsTerminal = false

    /// The options of the REPL's results on the screen (see `replFollowsTerminal`).
    public static func screen(color: Bool) -> RenderOptions {
        guard replFollowsTerminal else { return RenderOptions(color: color) }
        let env = ProcessInfo.processInfo.environment
        return standardOutput(color: color, isTerminal: Terminal.isTerminal(1), width: nil, ascii: false, environment: env)
    }
}
