/// The checked model: every name resolved, every type known. Plain data, no closures.

/// A field of one event.
public enum EventField: Sendable, Hashable, CustomStringConvertible {
    case event, time, actor
    /// A property column of the event source.
    case property(String)
    /// A column of the users profile table (`user.age`).
    case profile(String)
    public var description: String {
        switch self {
        case .event: return "event"
        case .time: return "time"
        case .actor: return "user"
        case .property(let p): return p
        case .profile(let p): return "user.\(p)"
        }
    }
}

public enum CompareOp: String, Sendable { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=" }
public enum ArithOp: String, Sendable { case add = "+", sub = "-", mul = "*", div = "/" }
public enum StringOp: String, Sendable { case contains, startsWith = "starts_with", matches }

/// An expression over one event (steps, `where`, `exclude`, values inside aggregates).
public indirect enum EventExpr: Sendable, Hashable, CustomStringConvertible {
    case literal(Value)
    case field(EventField, ValueType)
    case compare(CompareOp, EventExpr, EventExpr)
    case inList(EventExpr, [Value], negated: Bool)
    case stringOp(StringOp, EventExpr, String)
    case isNull(EventExpr, negated: Bool)
    case and(EventExpr, EventExpr)
    case or(EventExpr, EventExpr)
    case not(EventExpr)
    case arith(ArithOp, EventExpr, EventExpr)
    case negate(EventExpr)

    public var description: String {
        switch self {
        case .literal(let v): return v.description
        case .field(let f, _): return f.description
        case .compare(let op, let a, let b): return "\(a) \(op.rawValue) \(b)"
        case .inList(let a, let vs, let neg): return "\(a) \(neg ? "not in" : "in") [\(vs.map(\.description).joined(separator: ", "))]"
        case .stringOp(let op, let a, let s): return "\(a) \(op.rawValue) \(Value.string(s))"
        case .isNull(let a, let neg): return "\(a) \(neg ? "!=" : "==") null"
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "not \(a)"
        case .arith(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .negate(let a): return "-\(a)"
        }
    }
}

/// Aggregates over a user's history (segments) or over a step's matched events (KPIs).
public enum AggregateKind: String, Sendable { case count, sum, avg, min, max, median, p90, first, last, recency }

/// An expression over one user's whole history (`segment`, `for`).
public indirect enum UserExpr: Sendable, Hashable, CustomStringConvertible {
    case literal(Value)
    case profile(String, ValueType)
    /// `count(P)`, `sum(x where P)`, `first(x [where P])`, `recency(P)`.
    case aggregate(AggregateKind, value: EventExpr?, filter: EventExpr?)
    case compare(CompareOp, UserExpr, UserExpr)
    case inList(UserExpr, [Value], negated: Bool)
    case isNull(UserExpr, negated: Bool)
    case and(UserExpr, UserExpr)
    case or(UserExpr, UserExpr)
    case not(UserExpr)
    case arith(ArithOp, UserExpr, UserExpr)
    case negate(UserExpr)

    public var description: String {
        switch self {
        case .literal(let v): return v.description
        case .profile(let p, _): return "user.\(p)"
        case .aggregate(let k, let v, let f):
            let inner = [v?.description, f.map { (v == nil ? "" : "where ") + $0.description }].compactMap { $0 }.joined(separator: " ")
            return "\(k.rawValue)(\(inner))"
        case .compare(let op, let a, let b): return "\(a) \(op.rawValue) \(b)"
        case .inList(let a, let vs, let neg): return "\(a) \(neg ? "not in" : "in") [\(vs.map(\.description).joined(separator: ", "))]"
        case .isNull(let a, let neg): return "\(a) \(neg ? "!=" : "==") null"
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "not \(a)"
        case .arith(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .negate(let a): return "-\(a)"
        }
    }
}

/// An expression over a funnel's results (`kpi`, `expect`).
public indirect enum KPIExpr: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    /// Actors at step k (0-based).
    case stepUsers(Int)
    /// Actors in the funnel's population.
    case population
    /// `avg(purchase.price)`: an aggregate of a value over the events matched to a step.
    case stepAggregate(AggregateKind, step: Int, value: EventExpr)
    /// `median(time(view -> purchase))`, in seconds.
    case timeBetween(AggregateKind, from: Int, to: Int)
    case kpi(Int)
    case arith(ArithOp, KPIExpr, KPIExpr)
    case negate(KPIExpr)
    case compare(CompareOp, KPIExpr, KPIExpr)
    case between(KPIExpr, KPIExpr, KPIExpr)
    case and(KPIExpr, KPIExpr)
    case or(KPIExpr, KPIExpr)
    case not(KPIExpr)

    public var description: String {
        switch self {
        case .number(let n): return Value.number(n).description
        case .stepUsers(let k): return "users[step \(k + 1)]"
        case .population: return "users"
        case .stepAggregate(let a, let s, let v): return "\(a.rawValue)(step \(s + 1).\(v))"
        case .timeBetween(let a, let f, let t): return "\(a.rawValue)(time(step \(f + 1) -> step \(t + 1)))"
        case .kpi(let i): return "kpi[\(i)]"
        case .arith(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
        case .negate(let a): return "-\(a)"
        case .compare(let op, let a, let b): return "\(a) \(op.rawValue) \(b)"
        case .between(let a, let lo, let hi): return "\(a) between \(lo) and \(hi)"
        case .and(let a, let b): return "(\(a) and \(b))"
        case .or(let a, let b): return "(\(a) or \(b))"
        case .not(let a): return "not \(a)"
        }
    }
}

public enum MatchOrder: String, Sendable { case ordered, strict, any }

/// A data source after checking: where the file is and which columns play which role.
public struct CheckedSource: Sendable {
    public var name: String
    public var format: String
    /// The path resolved against the `.funnel` file's folder.
    public var path: String
    public var userColumn: String
    public var timeColumn: String
    public var eventColumn: String
    public var timezone: String?
    public var delimiter: UInt8
    public init(name: String, format: String, path: String, userColumn: String, timeColumn: String,
                eventColumn: String, timezone: String?, delimiter: UInt8) {
        self.name = name; self.format = format; self.path = path; self.userColumn = userColumn
        self.timeColumn = timeColumn; self.eventColumn = eventColumn; self.timezone = timezone; self.delimiter = delimiter
    }
}

/// The users profile table.
public struct CheckedUsers: Sendable {
    public var format: String
    public var path: String
    public var keyColumn: String
    public var delimiter: UInt8
    public init(format: String, path: String, keyColumn: String, delimiter: UInt8) {
        self.format = format; self.path = path; self.keyColumn = keyColumn; self.delimiter = delimiter
    }
}

public struct CheckedStep: Sendable {
    public var name: String
    public var predicate: EventExpr
    public var within: Int64?
    public var line: Int
}

public struct CheckedExclusion: Sendable {
    public var predicate: EventExpr
    /// Step indexes (0-based); nil means from step 1 to the last step.
    public var between: (Int, Int)?
    public var remove: Bool
}

public struct CheckedBreakdown: Sendable {
    /// The key as printed: `device`, `user.country`, `week`.
    public var label: String
    public var field: EventField
    /// `by X at STEP`: from the best assignment's event at that step.
    public var at: Int?
    /// `by X all`: the funnel runs separately per value of X.
    public var all: Bool
    /// `by day | week | month`: attempts bucketed by the period of their step-1 event.
    public var period: TrendPeriod?

    /// Whether groups come from separate runs (per value or per period) rather than one key per user.
    public var splits: Bool { all || period != nil }
}

public enum TrendPeriod: String, Sendable { case day, week, month }

public struct CheckedKPI: Sendable {
    public var name: String
    public var expr: KPIExpr
    public var line: Int
}

public struct CheckedExpect: Sendable {
    /// The expectation as written.
    public var source: String
    public var line: Int
    public var expr: KPIExpr
    /// The left-hand side, whose value is reported as "actual".
    public var actual: KPIExpr
}

public enum CountMode: Sendable, Equatable { case users, property(String), conversions }

/// `compare by KEY [baseline VALUE]`: each group of KEY (first touch) against the baseline.
public struct CheckedCompare: Sendable {
    public var label: String
    public var field: EventField
    /// The named baseline group; nil means the largest group.
    public var baseline: Value?
}

public struct CheckedFunnel: Sendable {
    public var name: String
    public var line: Int
    public var source: Int
    public var window: Int64?
    public var order: MatchOrder
    public var tiesStrict: Bool
    public var steps: [CheckedStep]
    public var exclusions: [CheckedExclusion]
    public var wherePredicate: EventExpr?
    public var population: UserExpr?
    public var dates: (Int64, Int64)?
    public var breakdown: [CheckedBreakdown]
    public var hold: [EventField]
    public var count: CountMode
    public var kpis: [CheckedKPI]
    public var expects: [CheckedExpect]
    public var compare: CheckedCompare?
}

/// Everything a `.funnel` file (with its imports) declares, checked.
public struct CheckedProgram: Sendable {
    public var sources: [CheckedSource]
    public var users: CheckedUsers?
    public var segments: [String: UserExpr]
    public var funnels: [CheckedFunnel]
}
