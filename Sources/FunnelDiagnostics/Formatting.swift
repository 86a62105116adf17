/// The one home of how numbers, counts, durations and times are written, for every stage and
/// format (stdlib only, like the calendar beside it).

/// Numbers print without a trailing ".0" when whole: `3`, `2.5`.
public func formatNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return String(x)
}

/// `1,234,567`: counts as every human format (and the REPL) prints them.
public func formatCount(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// A CSV field: quoted (with `""` escapes) when it holds the delimiter, a quote or a line break.
public func csvField(_ s: String, delimiter: Character = ",") -> String {
    guard s.contains(delimiter) || s.contains("\"") || s.contains("\n") || s.contains("\r") else { return s }
    var out = "\""
    for c in s { out += c == "\"" ? "\"\"" : String(c) }
    return out + "\""
}

/// `7d`, `1h30m`, `45s`, `250ms`.
public func formatDuration(_ micros: Int64) -> String {
    if micros == 0 { return "0s" }
    var rest = abs(micros)
    var out = micros < 0 ? "-" : ""
    for (unit, size) in [("d", Int64(86_400_000_000)), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1_000)] {
        if rest >= size { out += "\(rest / size)\(unit)"; rest %= size }
    }
    if rest > 0 { out += "\(rest)us" }
    return out
}

/// ISO 8601 in UTC: `2024-01-31T08:00:00Z` (fractional seconds when present).
public func formatTime(_ micros: Int64) -> String {
    let secs = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    let frac = micros - secs * 1_000_000
    let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
    let sod = secs - days * 86400
    let (y, m, d) = civilFromDays(Int(days))
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    var s = "\(String(format4(y)))-\(two(Int64(m)))-\(two(Int64(d)))T\(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60))"
    if frac != 0 {
        var f = String(frac)
        while f.count < 6 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        s += "." + f
    }
    return s + "Z"
}

/// `2024-01-31`
public func formatDate(_ micros: Int64) -> String {
    let days = micros >= 0 ? micros / 86_400_000_000 : (micros - 86_399_999_999) / 86_400_000_000
    let (y, m, d) = civilFromDays(Int(days))
    return "\(format4(y))-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
}

private func format4(_ y: Int) -> String {
    var s = String(y)
    while s.count < 4 { s = "0" + s }
    return s
}

/// Wraps text in an ANSI style (`"1;31"` bold red) when colour is on.
public func paint(_ text: String, _ style: String, _ on: Bool) -> String {
    on ? "\u{1B}[\(style)m\(text)\u{1B}[0m" : text
}

/// Text from the data as shown to people (tables, CSV, Markdown, HTML): control characters are
/// named (`U+001B`) instead of reaching a terminal raw.
public func visibleText(_ s: String) -> String { DiagnosticRenderer.named(s) }
