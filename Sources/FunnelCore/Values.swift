import FunnelDiagnostics

/// The types a value can have in the language.
public enum ValueType: String, Sendable, Equatable, CustomStringConvertible {
    case string, number, bool, time, duration
    /// A column with only missing values so far: compares with anything.
    case unknown
    public var description: String { rawValue }
}

/// A constant value. Times and durations are microseconds.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case time(Int64)
    case duration(Int64)
    case null

    public var type: ValueType? {
        switch self {
        case .string: return .string
        case .number: return .number
        case .bool: return .bool
        case .time: return .time
        case .duration: return .duration
        case .null: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        case .bool(let b): return String(b)
        case .time(let t): return formatTime(t)
        case .duration(let d): return formatDuration(d)
        case .null: return "null"
        }
    }
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
