import FunnelDiagnostics
import Foundation

/// Turns `.funnel` text into tokens. Works on bytes; never stops at the first
/// error: a bad character or literal becomes a diagnostic and lexing goes on.
public struct Lexer {
    let file: SourceFile
    let b: [UInt8]
    var i = 0
    public private(set) var diagnostics: [Diagnostic] = []
    /// Characters that start no token, and where the first one not reported is.
    var unexpected = 0
    var firstUnreported: SourceSpan?

    /// Unexpected characters reported one by one (a screenful, as the renderer prints per file);
    /// the rest of a file's are one more diagnostic. A binary file would otherwise give one per
    /// byte, and every later phase handles each.
    public static let unexpectedReported = DiagnosticRenderer.maxPerFile - 1

    public init(_ file: SourceFile) {
        self.file = file
        self.b = file.bytes
    }

    public static func tokenize(_ file: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lx = Lexer(file)
        var out: [Token] = []
        while true {
            let t = lx.next()
            out.append(t)
            if t.kind == .endOfFile { break }
        }
        if let at = lx.firstUnreported {
            let more = lx.unexpected - unexpectedReported
            lx.error(.unexpectedCharacter, "\(more) more unexpected character\(more == 1 ? "" : "s") from here on", at.start, at.end,
                     help: "only the first \(unexpectedReported) are reported one by one; is this the right file?")
        }
        return (out, lx.diagnostics)
    }

    /// The two-character and the one-character punctuation (made once, not per token).
    private static let pairs: Set<String> = ["==", "!=", "<=", ">=", "->"]
    private static let singles: Set<UInt8> = Set("{}()[],=<>+-*/.:".utf8)

    private func peek(_ k: Int = 0) -> UInt8 { i + k < b.count ? b[i + k] : 0 }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isIdentStart(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
    private static func isIdentChar(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

    private mutating func error(_ code: DiagnosticCode, _ msg: String, _ s: Int, _ e: Int, help: String? = nil) {
        diagnostics.append(Diagnostic(.error, code, msg, at: .source(file, SourceSpan(s, e)), help: help))
    }

    public mutating func next() -> Token {
        // A loop, not a call per unexpected character: a long run of them (a binary file, a
        // pasted blob) used to overflow the stack.
        while true {
            if let t = tokenOrSkip() { return t }
        }
    }

    /// The next token, or nil after reporting and skipping an unexpected character.
    private mutating func tokenOrSkip() -> Token? {
        var newline = i == 0
        // Skip blanks and comments, remembering line breaks.
        while i < b.count {
            let c = b[i]
            if c == 10 { newline = true; i += 1 }
            else if c == 32 || c == 9 || c == 13 { i += 1 }
            else if c == UInt8(ascii: "#") { while i < b.count && b[i] != 10 { i += 1 } }
            else { break }
        }
        let start = i
        guard i < b.count else { return Token(.endOfFile, SourceSpan(i, i), startsLine: true) }
        let c = b[i]
        func tok(_ k: Token.Kind) -> Token { Token(k, SourceSpan(start, i), startsLine: newline) }

        if Lexer.isIdentStart(c) {
            while i < b.count && Lexer.isIdentChar(b[i]) { i += 1 }
            return tok(.identifier(String(decoding: b[start..<i], as: UTF8.self)))
        }
        if Lexer.isDigit(c) { return tok(lexNumberLike()) }
        switch c {
        case UInt8(ascii: "\""): return tok(lexString())
        case UInt8(ascii: "`"):
            i += 1
            // `\`` is a backtick and `\\` a backslash inside the name; any other backslash is itself.
            var bytes: [UInt8] = []
            while i < b.count && b[i] != UInt8(ascii: "`") && b[i] != 10 {
                if b[i] == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "`") || b[i + 1] == UInt8(ascii: "\\") { i += 1 }
                bytes.append(b[i])
                i += 1
            }
            let name = String(decoding: bytes, as: UTF8.self)
            if i < b.count && b[i] == UInt8(ascii: "`") { i += 1 } else {
                error(.unterminatedBacktick, "unterminated backticked name", start, i, help: "close the name with a backtick: `\(name)`")
            }
            return tok(.quotedName(name))
        default: break
        }
        // Two-character operators first.
        let two = i + 1 < b.count ? String(decoding: b[i...(i + 1)], as: UTF8.self) : ""
        if Lexer.pairs.contains(two) { i += 2; return tok(.punct(two)) }
        if Lexer.singles.contains(c) { i += 1; return tok(.punct(String(UnicodeScalar(c)))) }
        // Unknown character: skip the whole UTF-8 sequence and report it.
        i += 1
        while i < b.count && (b[i] & 0xC0) == 0x80 { i += 1 }
        let ch = String(decoding: b[start..<i], as: UTF8.self)
        unexpected += 1
        if unexpected > Lexer.unexpectedReported {
            if firstUnreported == nil { firstUnreported = SourceSpan(start, i) }
            return nil
        }
        let help = ch == "'" ? "strings use double quotes: \"...\"" : (ch == "&" || ch == "|" ? "write 'and' / 'or'" : nil)
        error(.unexpectedCharacter, "unexpected character '\(ch)'", start, i, help: help)
        return nil
    }

    private mutating func lexString() -> Token.Kind {
        let start = i
        i += 1
        var bytes: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return .string(String(decoding: bytes, as: UTF8.self)) }
            if c == 10 { break }
            if c == UInt8(ascii: "\\") {
                let e = peek(1)
                switch e {
                case UInt8(ascii: "\""): bytes.append(34); i += 2
                case UInt8(ascii: "\\"): bytes.append(92); i += 2
                case UInt8(ascii: "n"): bytes.append(10); i += 2
                case UInt8(ascii: "t"): bytes.append(9); i += 2
                case UInt8(ascii: "u") where peek(2) == UInt8(ascii: "{"):
                    var j = i + 3, v: UInt32 = 0, ok = false
                    while j < b.count, let h = hexValue(b[j]) { v = v &* 16 &+ UInt32(h); j += 1 }
                    if j < b.count, b[j] == UInt8(ascii: "}"), j > i + 3, let s = UnicodeScalar(v) {
                        bytes.append(contentsOf: Array(String(Character(s)).utf8)); ok = true; j += 1
                    }
                    if !ok { error(.badEscape, "invalid unicode escape", i, j, help: "write \\u{1F600} with 1 to 6 hex digits") }
                    i = j
                default:
                    error(.badEscape, "unknown escape '\\\(String(UnicodeScalar(e)))' in string", i, i + 2,
                          help: "known escapes: \\\" \\\\ \\n \\t \\u{...}")
                    i += 2
                }
                continue
            }
            bytes.append(c)
            i += 1
        }
        error(.unterminatedString, "unterminated string", start, i, help: "close the string with '\"' on the same line")
        return .string(String(decoding: bytes, as: UTF8.self))
    }

    private func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// Numbers, percentages, durations, dates and date-times all start with a digit.
    private mutating func lexNumberLike() -> Token.Kind {
        // A date: four digits, '-', two digits, '-', two digits.
        if isDateAt(i) { return lexDate() }
        var total: Int64 = 0, sawUnit = false
        while true {
            let numStart = i
            while i < b.count && (Lexer.isDigit(b[i]) || (b[i] == 95 && i + 1 < b.count && Lexer.isDigit(b[i + 1]))) { i += 1 }
            if i + 1 < b.count && b[i] == UInt8(ascii: ".") && Lexer.isDigit(b[i + 1]) {
                i += 1
                while i < b.count && Lexer.isDigit(b[i]) { i += 1 }
            }
            let text = String(decoding: b[numStart..<i], as: UTF8.self).replacingOccurrences(of: "_", with: "")
            let value = Double(text) ?? 0
            if i < b.count && b[i] == UInt8(ascii: "%") && !sawUnit { i += 1; return .percent(value / 100) }
            guard i < b.count, Lexer.isIdentStart(b[i]) else {
                return sawUnit ? .duration(total) : .number(value)
            }
            let unitStart = i
            while i < b.count && (b[i] >= 97 && b[i] <= 122) { i += 1 }
            if i == unitStart { while i < b.count && Lexer.isIdentChar(b[i]) { i += 1 } }
            let unit = String(decoding: b[unitStart..<i], as: UTF8.self)
            let scale: Double
            switch unit {
            case "ms": scale = 1_000
            case "s": scale = 1_000_000
            case "m": scale = 60_000_000
            case "h": scale = 3_600_000_000
            case "d": scale = 86_400_000_000
            case "w": scale = 604_800_000_000
            default:
                while i < b.count && Lexer.isIdentChar(b[i]) { i += 1 }
                error(.badDurationLiteral, "unknown duration unit '\(unit)'", unitStart, i,
                      help: "durations use ms, s, m, h, d or w, as in 30s, 1h30m, 7d")
                return .duration(total)
            }
            // Durations stay far below Int64's range (about 292,000 years of microseconds).
            let micros = (value * scale).rounded()
            if micros > 3e18 || Double(total) + micros > 3e18 {
                error(.badDurationLiteral, "duration too long", numStart, i, help: "durations are at most about 90,000 years; use window none for no limit")
                return .duration(0)
            }
            total += Int64(micros)
            sawUnit = true
            if !(i < b.count && Lexer.isDigit(b[i])) {
                if i < b.count && Lexer.isIdentChar(b[i]) {
                    let s = i
                    while i < b.count && Lexer.isIdentChar(b[i]) { i += 1 }
                    error(.badDurationLiteral, "unexpected text after duration", s, i, help: "a duration is like 30s, 1h30m or 7d")
                }
                return .duration(total)
            }
        }
    }

    private func isDateAt(_ k: Int) -> Bool {
        guard k + 10 <= b.count else { return false }
        for j in [0, 1, 2, 3, 5, 6, 8, 9] where !Lexer.isDigit(b[k + j]) { return false }
        return b[k + 4] == UInt8(ascii: "-") && b[k + 7] == UInt8(ascii: "-")
    }

    private mutating func lexDate() -> Token.Kind {
        let start = i
        func num(_ s: Int, _ n: Int) -> Int {
            var v = 0
            for j in s..<(s + n) { v = v * 10 + Int(b[j] - 48) }
            return v
        }
        let y = num(i, 4), mo = num(i + 5, 2), d = num(i + 8, 2)
        i += 10
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo) else {
            error(.badDateLiteral, "invalid date", start, i, help: "dates are written YYYY-MM-DD, as in 2024-01-31")
            return .date(0)
        }
        let days = daysFromCivil(y, mo, d)
        var micros = Int64(days) * 86_400_000_000
        // Optional time part: THH:MM[:SS[.fff]] then Z or ±HH:MM.
        guard i < b.count, b[i] == UInt8(ascii: "T") else { return .date(micros) }
        i += 1
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            for j in 0..<n where !Lexer.isDigit(b[i + j]) { return nil }
            let v = num(i, n); i += n; return v
        }
        guard let hh = digits(2), i < b.count, b[i] == UInt8(ascii: ":"), ({ i += 1; return true })(),
              let mm = digits(2) else {
            error(.badDateLiteral, "invalid date-time", start, i, help: "write 2024-01-31T08:00:00Z")
            return .dateTime(micros)
        }
        var ss = 0, frac: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            ss = digits(2) ?? 0
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var scale: Int64 = 100_000
                while i < b.count, Lexer.isDigit(b[i]) { frac += Int64(b[i] - 48) * scale; scale /= 10; i += 1 }
            }
        }
        guard hh < 24, mm < 60, ss < 60 else {
            error(.badDateLiteral, "invalid time of day", start, i, help: "hours run 00-23, minutes and seconds 00-59: 2024-01-31T08:00:00Z")
            return .dateTime(micros)
        }
        micros += Int64(hh * 3600 + mm * 60 + ss) * 1_000_000 + frac
        if i < b.count, b[i] == UInt8(ascii: "Z") { i += 1 }
        else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            let oh = digits(2) ?? 0
            if i < b.count, b[i] == UInt8(ascii: ":") { i += 1 }
            let om = digits(2) ?? 0
            guard oh < 24, om < 60 else {
                error(.badDateLiteral, "invalid UTC offset", start, i, help: "an offset is ±HH:MM with hours 00-23 and minutes 00-59, as in +02:00")
                return .dateTime(micros)
            }
            micros -= sign * Int64(oh * 3600 + om * 60) * 1_000_000
        }
        return .dateTime(micros)
    }
}
