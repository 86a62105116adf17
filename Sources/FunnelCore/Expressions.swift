/// The language's shared vocabulary: typed expression trees over event fields, as the checker
/// builds them, the plan carries them and the engines evaluate them. Plain data, no closures.

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
    /// A tier: the label of the first case whose condition holds, else `otherwise` (nil: missing).
    case tier(name: String, cases: [TierCase], otherwise: String?)
    /// `rfm(PURCHASE, VALUE).PART` and `clv(PURCHASE, VALUE[, LIFETIME]).PART`: a customer measure.
    case customer(CustomerMeasure)

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
        case .tier(let name, let cases, let otherwise):
            let parts = cases.map { "\"\($0.label)\" if \($0.condition)" } + (otherwise.map { ["\"\($0)\" otherwise"] } ?? [])
            return "tier \(name) { \(parts.joined(separator: "; ")) }"
        case .customer(let m): return m.description
        }
    }
}

/// RFM and CLV of each user, over the user's whole history up to the as-of time.
/// RFM (users with at least one purchase): R is the time since the last purchase, F the number of
/// purchases, M the sum of their values; each becomes a score 1–5 by quintiles over the buyers:
/// 1 + ⌊5 × (buyers with a worse value) / buyers⌋ (worse: longer ago, fewer, less), so ties share a
/// score. `score` is the three digits ("545"), `segment` a name from R and F (README's grid).
/// CLV: `historic` is the sum of the values; `predicted` = average order value × orders per year
/// (orders over the time from the user's first event to the as-of time, at least 30 days) ×
/// the expected lifetime (default 3 years).
public struct CustomerMeasure: Sendable, Hashable, CustomStringConvertible {
    public enum Part: String, Sendable, CaseIterable {
        case r, f, m, score, segment              // rfm(...)
        case historic, predicted, orders, aov, frequency   // clv(...)
        public var isRFM: Bool { [.r, .f, .m, .score, .segment].contains(self) }
        public var isText: Bool { self == .score || self == .segment }
    }
    public var purchase: EventExpr
    public var value: EventExpr
    /// The expected customer lifetime for `predicted`, in days.
    public var lifetimeDays: Int
    public var part: Part
    public init(purchase: EventExpr, value: EventExpr, lifetimeDays: Int = 1095, part: Part) {
        self.purchase = purchase; self.value = value; self.lifetimeDays = lifetimeDays; self.part = part
    }
    public var description: String {
        part.isRFM ? "rfm(\(purchase), \(value)).\(part.rawValue)" : "clv(\(purchase), \(value), \(lifetimeDays)d).\(part.rawValue)"
    }

    /// The named segment of an R and an F score (1–5 each).
    public static func segment(r: Int, f: Int) -> String {
        switch (r, f) {
        case (5, 4...5): return "champions"
        case (3...4, 4...5): return "loyal"
        case (4...5, 2...3): return "potential loyalists"
        case (5, 1): return "new customers"
        case (4, 1): return "promising"
        case (3, 3): return "need attention"
        case (3, 1...2): return "about to sleep"
        case (1...2, 5): return "can't lose them"
        case (1...2, 3...4): return "at risk"
        default: return "hibernating"
        }
    }
}

/// One case of a tier: its label and the user condition that selects it.
public struct TierCase: Sendable, Hashable {
    public var label: String
    public var condition: UserExpr
    public init(label: String, condition: UserExpr) { self.label = label; self.condition = condition }
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
    /// `avg(purchase.user.ltv)`: an aggregate of a user value (a measure) over the actors at a step.
    case stepUserAggregate(AggregateKind, step: Int, value: UserExpr)
    /// `median(time(view -> purchase))`, in seconds.
    case timeBetween(AggregateKind, from: Int, to: Int)
    case kpi(Int)
    /// `biggest_drop.share | users | step` over a funnel of `steps` steps: the step (after the
    /// first) that loses the largest share of the step before, ties to the earlier step.
    case biggestDrop(BiggestDropPart, steps: Int)
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
        case .stepUserAggregate(let a, let s, let v): return "\(a.rawValue)(step \(s + 1).user: \(v))"
        case .timeBetween(let a, let f, let t): return "\(a.rawValue)(time(step \(f + 1) -> step \(t + 1)))"
        case .kpi(let i): return "kpi[\(i)]"
        case .biggestDrop(let part, _): return "biggest_drop.\(part.rawValue)"
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

/// A bound of `dates`: a calendar day (its local midnight in µs, as if local time were UTC), or a
/// day counted back from the as-of day (`--as-of`, else the day of the data's latest event):
/// `today` is 0 days back, `last 30d` starts 29 days back.
public enum DayBound: Sendable, Equatable, CustomStringConvertible {
    case day(Int64)
    case daysBeforeAsOf(Int)

    public static let dayMicros: Int64 = 86_400_000_000

    /// Local midnight of the bound's day, given the as-of day's local midnight.
    public func midnight(asOfDay: Int64) -> Int64 {
        switch self {
        case .day(let d): return d
        case .daysBeforeAsOf(let n): return asOfDay - Int64(n) * DayBound.dayMicros
        }
    }

    public var isRelative: Bool { if case .daysBeforeAsOf = self { return true } else { return false } }

    /// The midnight starting the day of a time (µs), rounding down before 1970 too.
    public static func dayStart(_ micros: Int64) -> Int64 {
        (micros >= 0 ? micros / dayMicros : (micros - dayMicros + 1) / dayMicros) * dayMicros
    }

    public var description: String {
        switch self {
        case .day(let d): return "day \(d / DayBound.dayMicros)"
        case .daysBeforeAsOf(0): return "the as-of day"
        case .daysBeforeAsOf(let n): return "\(n) days before the as-of day"
        }
    }
}

/// What `biggest_drop.X` reads: the share of the step before lost, the users lost, or the step's
/// position (1 is the first step; a step's name compared with it stands for its position).
public enum BiggestDropPart: String, Sendable, CaseIterable { case share, users, step }

public enum MatchOrder: String, Sendable { case ordered, strict, any }

public enum TrendPeriod: String, Sendable { case day, week, month }

public enum CountMode: Sendable, Equatable { case users, property(String), conversions }

extension EventExpr {
    /// Every field the expression reads.
    public var fields: [EventField] {
        switch self {
        case .literal: return []
        case .field(let f, _): return [f]
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .arith(_, let a, let b): return a.fields + b.fields
        case .inList(let a, _, _), .stringOp(_, let a, _), .isNull(let a, _), .not(let a), .negate(let a): return a.fields
        }
    }
}

extension UserExpr {
    /// Every field the expression reads.
    public var fields: [EventField] {
        switch self {
        case .literal: return []
        case .profile(let p, _): return [.profile(p)]
        case .aggregate(_, let v, let f): return (v?.fields ?? []) + (f?.fields ?? [])
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .arith(_, let a, let b): return a.fields + b.fields
        case .inList(let a, _, _), .isNull(let a, _), .not(let a), .negate(let a): return a.fields
        case .tier(_, let cases, _): return cases.flatMap(\.condition.fields)
        case .customer(let m): return m.purchase.fields + m.value.fields
        }
    }
}

extension KPIExpr {
    /// The expressions directly inside this one (operands of arithmetic, comparisons and logic).
    public var children: [KPIExpr] {
        switch self {
        case .arith(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): return [a, b]
        case .between(let a, let b, let c): return [a, b, c]
        case .negate(let a), .not(let a): return [a]
        default: return []
        }
    }

    /// The user values the expression averages over a step's users (`avg(purchase.user.ltv)`), in order.
    public var userValues: [UserExpr] {
        if case .stepUserAggregate(_, _, let v) = self { return [v] }
        return children.flatMap(\.userValues)
    }

    /// Whether the expression averages a user value somewhere.
    public var readsUserValues: Bool { !userValues.isEmpty }

    /// Every field the expression reads (inside step aggregates).
    public var fields: [EventField] {
        switch self {
        case .stepAggregate(_, _, let v): return v.fields
        case .stepUserAggregate(_, _, let v): return v.fields
        default: return children.flatMap(\.fields)
        }
    }
}

extension KPIExpr {
    /// A count of actors (a step, `users`, or sums and differences of them).
    public var isUserCount: Bool {
        switch self {
        case .stepUsers, .population: return true
        case .arith(.add, let a, let b), .arith(.sub, let a, let b): return a.isUserCount && b.isUserCount
        default: return false
        }
    }
}
