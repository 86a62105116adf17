import FunnelCore
import FunnelDiagnostics

/// The checked model: every name resolved, every type known. Plain data, no closures.

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
    /// `by SEGMENT`: each user is "in" or "not in" the segment.
    public var segment: UserExpr? = nil
    /// A user value as the key (`by rfm(…).segment`, `by MEASURE`): its type; nil for a segment's "in" / "not in" and a tier's label.
    public var userValueType: ValueType? = nil
    /// `by X last`: from the event of the furthest step the actor reached (last touch).
    public var last = false
    /// `by X bands [a, b, …]`: ascending edges; a value falls in the band that starts at or below it.
    public var bands: [Double]? = nil

    /// Whether groups come from separate runs (per value or per period) rather than one key per user.
    public var splits: Bool { all || period != nil }
}

public struct CheckedKPI: Sendable {
    public var name: String
    public var expr: KPIExpr
    public var line: Int
    /// `format …` as written (percent, number, seconds, money); nil: read from the expression.
    public var format: String? = nil
    /// `decimals N`; nil: the format's own.
    public var decimals: Int? = nil
}

public struct CheckedExpect: Sendable {
    /// The expectation as written.
    public var source: String
    public var line: Int
    public var expr: KPIExpr
    /// The left-hand side, whose value is reported as "actual".
    public var actual: KPIExpr
    /// `for each KEY`: checked in every breakdown group (KEY as written), not over the whole funnel.
    public var forEach: String? = nil
}

/// `compare by KEY [baseline VALUE]`: each group of KEY (first touch) against the baseline.
public struct CheckedCompare: Sendable {
    public var label: String
    public var field: EventField
    /// The named baseline group; nil means the largest group.
    public var baseline: Value?
}

/// `profile by KEY { columns }`: per group of KEY, the funnel's users described by user values.
public struct CheckedProfile: Sendable {
    public var key: CheckedBreakdown
    public var columns: [CheckedProfileColumn]
}

public struct CheckedProfileColumn: Sendable {
    public var name: String
    public var expr: UserExpr
    public var type: ValueType
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
    /// `dates`: the first and the last day (both included) whose step-1 events may start an attempt.
    public var dates: (DayBound, DayBound)?
    public var breakdown: [CheckedBreakdown]
    public var hold: [EventField]
    public var count: CountMode
    public var kpis: [CheckedKPI]
    public var expects: [CheckedExpect]
    public var compare: CheckedCompare?
    public var profile: CheckedProfile? = nil
    /// `by … top N`: the N largest groups are shown, the rest summed in "(other)" (or left out).
    public var topGroups: Int? = nil
}

/// Everything a `.funnel` file (with its imports) declares, checked.
public struct CheckedProgram: Sendable {
    public var sources: [SourceSpec]
    public var users: UsersSpec?
    public var segments: [String: UserExpr]
    public var funnels: [CheckedFunnel]
    /// Event names the predicates compare with, for warnings once the data is read.
    public var eventMentions: [EventMention]
    /// Sources whose user, time or event column is not in the file (E205): their data cannot be read.
    public var sourcesMissingRoles: Set<Int>
}

/// An event name written in a predicate (`"purchase"`), with where it was written.
public struct EventMention: Sendable {
    public var name: String
    public var location: DiagnosticLocation
    /// The source whose events it is compared with.
    public var source: Int
}
