import FunnelCore

/// The execution plan: plain data (no closures), lowered from the checked model. It is the
/// one definition that runs: the native engine takes nothing else, `funnel explain` prints
/// it, and a SQL backend translates it. Everything the engine needs is decided here.
public struct Plan: Sendable {
    /// Event files to read, in declaration order; funnels refer to them by index.
    public var sources: [SourcePlan]
    public var users: UsersPlan?
    public var funnels: [PlannedFunnel]

    public init(sources: [SourcePlan], users: UsersPlan?, funnels: [PlannedFunnel]) {
        self.sources = sources; self.users = users; self.funnels = funnels
    }
}

/// A property column to read, with the type the checker inferred from the data.
public struct PlannedColumn: Sendable, Equatable {
    public var name: String
    public var type: ValueType
    public init(name: String, type: ValueType) { self.name = name; self.type = type }
}

/// One event file: how to read it, and the property columns (beyond user, time and event) the funnels use.
public struct SourcePlan: Sendable {
    public var spec: SourceSpec
    public var columns: [PlannedColumn]
    public var columnNames: [String] { columns.map(\.name) }
}

/// The users profile table and the columns the funnels read as `user.X`.
public struct UsersPlan: Sendable {
    public var spec: UsersSpec
    public var columns: [PlannedColumn]
    public var columnNames: [String] { columns.map(\.name) }
}

/// How one funnel matches an actor's events (language.md §4), as the per-actor loop needs it.
public struct MatchConfig: Sendable, Equatable {
    public var steps: Int
    /// Window from the attempt's first event, inclusive, in µs; nil means none.
    public var window: Int64?
    /// Per step (index 0 unused): at most this long after the previous step, inclusive.
    public var within: [Int64?]
    public var order: MatchOrder
    public var tiesStrict: Bool

    public init(steps: Int, window: Int64?, within: [Int64?], order: MatchOrder, tiesStrict: Bool) {
        self.steps = steps; self.window = window; self.within = within; self.order = order; self.tiesStrict = tiesStrict
    }
}

/// A step: its predicate sets bit `index` of an event's step mask.
public struct PlannedStep: Sendable {
    public var name: String
    public var predicate: EventExpr
}

/// `exclude P between A and B [remove]`, with the steps resolved (the whole funnel when not given).
public struct PlannedExclusion: Sendable {
    public enum Effect: String, Sendable { case stop, remove }
    public var predicate: EventExpr
    public var from: Int
    public var to: Int
    public var effect: Effect
}

/// Where a breakdown key's value comes from.
public enum Attribution: Sendable, Equatable {
    /// The actor's first step-1 event that may start an attempt (any step's in `any` funnels).
    case firstTouch
    /// The event matched to this step (0-based) in the best assignment.
    case atStep(Int)
    /// `by X last`: the event of the furthest step reached in the best assignment (in `any`
    /// funnels, the latest matched event).
    case lastTouch
    /// `by X all`: the funnel runs once per value of X.
    case everyValue
    /// `by day | week | month`: attempts bucketed by the period of their step-1 event.
    case period(TrendPeriod)

    /// Whether groups come from separate runs (per value or per period) rather than one key per actor.
    public var splits: Bool {
        switch self {
        case .everyValue, .period: return true
        case .firstTouch, .atStep, .lastTouch: return false
        }
    }
}

public struct PlannedBreakdown: Sendable {
    /// The key as tables print it: `device`, `device at purchase`, `week`.
    public var label: String
    /// The key's name in JSON (language.md §6): the property (`device`, `user.country`) or the
    /// period (`week`); the label only when the same property is used twice in one breakdown.
    public var name: String
    /// How the value is attributed, in words: "first touch", "at purchase", "every value", "week of step 1".
    public var attributionText: String
    public var field: EventField
    public var attribution: Attribution
    /// `by SEGMENT`: the segment's condition; each user's value is "in" or "not in".
    public var segment: UserExpr? = nil
    /// A user value as the key (`by rfm(…).segment`, `by MEASURE`): its type; nil for a segment or a tier.
    public var userValueType: ValueType? = nil
    /// `by X bands [a, b, …]`: ascending edges; the groups are `<a`, `a–b`, …, `z+`.
    public var bands: [Double]? = nil

    /// The bands' names, below the first edge to above the last: `<18`, `18–25`, …, `65+`.
    public static func bandLabels(_ edges: [Double]) -> [String] {
        let shown = edges.map { Value.number($0).description }
        guard let first = shown.first, let last = shown.last else { return [] }
        return ["<" + first] + zip(shown, shown.dropFirst()).map { "\($0)–\($1)" } + [last + "+"]
    }

    /// The band of a number: 0 below the first edge, k when edges[k-1] <= x < edges[k].
    public static func band(_ x: Double, _ edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// `dates A to B`: the days (in the source's time zone) whose step-1 events may start an attempt.
public struct StartDays: Sendable, Equatable {
    /// The first and the last day, both included; either may count back from the as-of day.
    public var first: DayBound
    public var last: DayBound
    public init(first: DayBound, last: DayBound) { self.first = first; self.last = last }

    /// Local midnight of the first day and the last microsecond of the last day (as if local time
    /// were UTC), given the as-of day's local midnight (used only by relative bounds).
    public func bounds(asOfDay: Int64) -> (first: Int64, last: Int64) {
        (first.midnight(asOfDay: asOfDay), last.midnight(asOfDay: asOfDay) + DayBound.dayMicros - 1)
    }

    /// Whether the days depend on the as-of day (`today`, `last 30d`).
    public var isRelative: Bool { first.isRelative || last.isRelative }
}

/// How a figure reads: a ratio of user counts is a rate, a time aggregate is seconds.
public struct Reading: Sendable, Equatable, CustomStringConvertible {
    /// `step`: a step's position (1 = the first), shown as the step's name (`biggest_drop.step`).
    public enum Kind: String, Sendable { case rate, seconds, number, money, step }
    public var kind: Kind
    /// Digits after the point; nil: the kind's own (a rate 2, money 2, a number as many as it needs).
    public var decimals: Int?
    /// For `step`: the names of the funnel's steps (rows), first to last.
    public var labels: [String] = []
    public init(_ kind: Kind, decimals: Int? = nil) { self.kind = kind; self.decimals = decimals }
    public static let rate = Reading(.rate), seconds = Reading(.seconds), number = Reading(.number)
    public var description: String { kind.rawValue + (decimals.map { ", \($0) decimals" } ?? "") }
}

public struct PlannedKPI: Sendable {
    public var name: String
    public var expr: KPIExpr
    public var reading: Reading
}

public struct PlannedExpect: Sendable {
    /// The expectation as written, and its line in the `.funnel` file.
    public var source: String
    public var line: Int
    public var condition: KPIExpr
    /// The left-hand side, reported as "actual".
    public var actual: KPIExpr
    public var reading: Reading
    /// `for each KEY`: checked in every breakdown group rather than over the whole funnel.
    public var forEach: String? = nil
}

/// `profile by KEY { columns }`: per group of KEY (first touch, as `by`), the funnel's users
/// (its step-1 actors), their share, the funnel's conversion, and each column's mean or mix.
public struct PlannedProfile: Sendable {
    public var key: PlannedBreakdown
    public var columns: [PlannedProfileColumn]
    public init(key: PlannedBreakdown, columns: [PlannedProfileColumn]) { self.key = key; self.columns = columns }
}

/// A profile column: numbers and durations are averaged, texts and true/false shown as a mix.
public struct PlannedProfileColumn: Sendable {
    public var name: String
    public var expr: UserExpr
    public var type: ValueType
    public var averaged: Bool { type == .number || type == .duration || type == .unknown }
    public init(name: String, expr: UserExpr, type: ValueType) { self.name = name; self.expr = expr; self.type = type }
}

/// `compare by KEY [baseline VALUE]`: each first-touch group of KEY against the baseline.
public struct PlannedCompare: Sendable {
    public var label: String
    public var field: EventField
    /// The named baseline group; nil means the largest group.
    public var baseline: Value?
}

/// One funnel, ready to run.
public struct PlannedFunnel: Sendable {
    public var name: String
    public var line: Int
    /// Index into `Plan.sources`.
    public var source: Int
    /// The source's time zone (nil = UTC): `dates` and trend periods are its days.
    public var timezone: String?
    public var match: MatchConfig
    public var steps: [PlannedStep]
    /// What each result row is called: the step names, or "completed k steps" in `any` funnels.
    public var rowLabels: [String]
    public var exclusions: [PlannedExclusion]
    /// `where`: other events do not exist for this funnel.
    public var eventFilter: EventExpr?
    /// `for`: the actors counted (segments are expanded in place).
    public var actorFilter: UserExpr?
    public var startDays: StartDays?
    public var counting: CountMode
    public var breakdown: [PlannedBreakdown]
    /// `hold`: every step of an assignment carries the same values of these fields.
    public var hold: [EventField]
    public var kpis: [PlannedKPI]
    public var expects: [PlannedExpect]
    public var compare: PlannedCompare?
    /// `profile by KEY { columns }`: the funnel's users described per group of KEY.
    public var profile: PlannedProfile? = nil
    /// `by … top N`: at most N groups (the largest); nil: the run's `--max-groups`.
    public var topGroups: Int? = nil

    /// The breakdown key whose groups come from separate runs, if any.
    public var splitKey: PlannedBreakdown? { breakdown.first { $0.attribution.splits } }
    /// What is counted, as JSON's `counting` says it: `users`, `conversions` or the property.
    public var countingLabel: String {
        switch counting {
        case .property(let p): return p
        case .conversions: return "conversions"
        case .users: return "users"
        }
    }
}
