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
        case .number(let n): return formatNumber(n)
        case .bool(let b): return String(b)
        case .time(let t): return formatTime(t)
        case .duration(let d): return formatDuration(d)
        case .null: return "null"
        }
    }
}
