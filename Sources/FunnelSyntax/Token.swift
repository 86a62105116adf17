import FunnelDiagnostics

/// One lexical token. Keywords are identifiers: the parser decides by context, so
/// `user`, `event` or `time` stay usable as property and mapping names.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case identifier(String)
        /// A backticked property name: `` `page.url` ``.
        case quotedName(String)
        case string(String)
        case number(Double)
        /// `2.5%`, stored as the fraction 0.025.
        case percent(Double)
        /// A duration in microseconds: `30s`, `1h30m`, `7d`, `2w`.
        case duration(Int64)
        /// A date, as microseconds since 1970-01-01T00:00:00Z at midnight UTC.
        case date(Int64)
        /// A date-time with an explicit or implied (UTC) offset, in microseconds.
        case dateTime(Int64)
        case punct(String)
        case endOfFile
    }
    public var kind: Kind
    public var span: SourceSpan
    /// True when a line break separates this token from the previous one.
    public var startsLine: Bool

    public init(_ kind: Kind, _ span: SourceSpan, startsLine: Bool = false) {
        self.kind = kind
        self.span = span
        self.startsLine = startsLine
    }

    public var identifier: String? { if case .identifier(let s) = kind { return s } else { return nil } }
    public func isPunct(_ p: String) -> Bool { kind == .punct(p) }
    public func isWord(_ w: String) -> Bool { kind == .identifier(w) }

    /// How the token reads in an error message.
    public var display: String {
        switch kind {
        case .identifier(let s): return "'\(s)'"
        case .quotedName(let s): return "`\(s)`"
        case .string(let s): return "string \"\(s)\""
        case .number(let n): return "number \(formatNumber(n))"
        case .percent(let p): return "percentage \(formatNumber(p * 100))%"
        case .duration: return "a duration"
        case .date: return "a date"
        case .dateTime: return "a date-time"
        case .punct(let p): return "'\(p)'"
        case .endOfFile: return "end of file"
        }
    }
}
