import FunnelDiagnostics
import FunnelCore
import FunnelPlan

/// The figures of one step (or one "completed k steps" row of an `any` funnel).
public struct StepStats: Sendable, Equatable {
    public var name: String
    public var users: Int
    /// Share of step-1 users (a fraction); nil when step 1 has no users.
    public var fromStart: Double?
    /// Share of the previous step's users.
    public var fromPrevious: Double?
    /// Users at the previous step minus users here (0 at step 1).
    public var dropped: Int
    public var droppedShare: Double?
    public var medianSecondsFromPrevious: Double?
    public var p90SecondsFromPrevious: Double?
    public var meanSecondsFromPrevious: Double? = nil
    /// Times from the previous step (nil at step 1).
    public var histogramFromPrevious: Histogram? = nil

    /// The rows of a funnel (or a group): actors per step and, per step after the first, the
    /// seconds from the previous step of each actor who reached it. Every engine builds them here.
    public static func table(names: [String], users: [Int], seconds deltas: [[Double]]) -> [StepStats] {
        (0..<names.count).map { k in
            let prev = k == 0 ? users[0] : users[k - 1]
            return StepStats(name: names[k], users: users[k],
                             fromStart: users[0] > 0 ? Double(users[k]) / Double(users[0]) : nil,
                             fromPrevious: k == 0 ? (users[0] > 0 ? 1 : nil) : (prev > 0 ? Double(users[k]) / Double(prev) : nil),
                             dropped: k == 0 ? 0 : prev - users[k],
                             droppedShare: k == 0 ? 0 : (prev > 0 ? Double(prev - users[k]) / Double(prev) : nil),
                             medianSecondsFromPrevious: k == 0 ? nil : Statistics.median(deltas[k]),
                             p90SecondsFromPrevious: k == 0 ? nil : Statistics.percentile(deltas[k], 0.9),
                             meanSecondsFromPrevious: k == 0 || deltas[k].isEmpty ? nil : deltas[k].reduce(0, +) / Double(deltas[k].count),
                             histogramFromPrevious: k == 0 ? nil : Histogram.of(deltas[k]))
        }
    }
}

/// Counts of durations per bucket [edges[i], edges[i+1]) in seconds. The edges come from one
/// ladder of round durations (1s 5s 10s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d 2d 3d 7d 14d
/// 30d 90d 180d 365d, then whole years), roughly log-spaced, trimmed to the values' range.
public struct Histogram: Sendable, Equatable {
    public var edges: [Double]
    public var counts: [Int]

    public static let ladder: [Double] = [0, 1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
                                          86400, 172800, 259200, 604800, 1209600, 2592000, 7776000, 15552000, 31536000]

    /// nil for no values.
    public static func of(_ values: [Double]) -> Histogram? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        var edges = ladder
        while let top = edges.last, top <= hi { edges.append(top + 31536000) }
        let first = max(0, (edges.lastIndex { $0 <= lo } ?? 0))
        let last = edges.firstIndex { $0 > hi } ?? edges.count - 1
        let used = Array(edges[first...last])
        var counts = [Int](repeating: 0, count: used.count - 1)
        for v in values {
            // The last edge at or below v: buckets are [edges[i], edges[i+1]).
            var i = counts.count - 1
            while i > 0 && used[i] > v { i -= 1 }
            counts[i] += 1
        }
        return Histogram(edges: used, counts: counts)
    }
}

/// Time from the first to the last step of the actors who completed the funnel (best assignment).
public struct TimeToConvert: Sendable, Equatable {
    public var users: Int
    public var meanSeconds: Double?
    public var medianSeconds: Double?
    public var p90Seconds: Double?
    public var histogram: Histogram?

    public init(_ seconds: [Double]) {
        users = seconds.count
        meanSeconds = seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
        medianSeconds = Statistics.median(seconds)
        p90Seconds = Statistics.percentile(seconds, 0.9)
        histogram = Histogram.of(seconds)
    }
}

/// Where drop-off is highest: the step (after the first) with the largest share of the previous
/// step's users lost; ties go to the earlier step. nil for a one-step funnel or no users.
public struct BiggestDrop: Sendable, Equatable {
    public var step: String
    public var dropped: Int
    public var share: Double

    public static func of(_ steps: [StepStats]) -> BiggestDrop? {
        largest(users: steps.map(\.users)).map { BiggestDrop(step: steps[$0.step].name, dropped: $0.lost, share: $0.share) }
    }

    /// The rule over users per step: the step (index ≥ 1) losing the largest share of the one
    /// before; a step after an empty one has no share; ties go to the earlier step.
    public static func largest(users: [Int]) -> (step: Int, lost: Int, share: Double)? {
        var best: (step: Int, lost: Int, share: Double)? = nil
        for k in users.indices.dropFirst() where users[k - 1] > 0 {
            let lost = users[k - 1] - users[k]
            let share = Double(lost) / Double(users[k - 1])
            if share > (best?.share ?? -1) { best = (k, lost, share) }
        }
        return best
    }
}

/// One breakdown group: its key (name and value per breakdown key) and its steps.
public struct GroupResult: Sendable {
    public var key: [(name: String, value: Value)]
    public var steps: [StepStats]
    public var timeToConvert: TimeToConvert? = nil
    public var biggestDrop: BiggestDrop? { BiggestDrop.of(steps) }
    /// The funnel's KPIs over this group's actors (`users` is the group's step-1 actors).
    public var kpis: [KPIResult] = []
    /// The funnel's `for each` expects checked in this group, by the expect's position (nil for the others).
    public var checks: [ExpectResult?] = []
    public init(key: [(name: String, value: Value)], steps: [StepStats], timeToConvert: TimeToConvert? = nil) {
        self.key = key; self.steps = steps; self.timeToConvert = timeToConvert
    }
    /// `device = mobile, week = 2024-01-01`: the group as messages name it.
    public var label: String {
        key.map { k in
            let shown: String
            switch k.value {
            case .null: shown = "(none)"
            case .string(let s): shown = visibleText(s)
            default: shown = k.value.description
            }
            return "\(k.name) = \(shown)"
        }.joined(separator: ", ")
    }
}

public struct KPIResult: Sendable, Equatable {
    public var name: String
    /// nil when undefined (a division by zero, no values).
    public var value: Double?
}

public struct ExpectResult: Sendable, Equatable {
    public var source: String
    public var line: Int
    public var passed: Bool
    public var actual: Double?
    /// How the actual value reads (a rate prints as a percentage), as the plan says.
    public var reading: Reading = .number
    /// `for each KEY` as written; the expect holds when it holds in every group.
    public var forEach: String? = nil
    /// With `for each`: the check in every group, in the groups' order.
    public var groups: [GroupCheck] = []
    /// The groups where a `for each` expect does not hold.
    public var failedGroups: [GroupCheck] { groups.filter { !$0.passed } }
}

/// A `for each` expect in one breakdown group.
public struct GroupCheck: Sendable, Equatable {
    /// The group as `GroupResult.label` names it.
    public var group: String
    public var passed: Bool
    public var actual: Double?
}

/// One rate of a group against the same rate of the baseline.
public struct ComparisonRow: Sendable, Equatable {
    /// "overall" or the step ("cart", its conversion from the previous step).
    public var step: String
    public var rate: Double?
    public var baselineRate: Double?
    /// rate − baseline rate, with its 95% interval (Newcombe).
    public var difference: Double?
    public var low: Double?
    public var high: Double?
    public var pValue: Double?
    /// "z" or "fisher".
    public var test: String
    /// Fewer than 30 users on either side, or a cell below 5: read with care.
    public var small: Bool
}

/// A group of the compared key against the baseline group.
public struct Comparison: Sendable {
    public var key: String
    public var group: Value
    public var baseline: Value
    public var users: Int
    public var baselineUsers: Int
    public var rows: [ComparisonRow]
}

/// Everything `funnel run` reports for one funnel.
public struct FunnelResult: Sendable {
    public var name: String
    public var windowSeconds: Double?
    public var order: MatchOrder
    public var steps: [StepStats]
    public var groups: [GroupResult]
    /// Labels of the breakdown keys, in order (as tables print them: `device at purchase`).
    public var breakdownLabels: [String]
    /// Per breakdown key: its JSON name and how its value is attributed.
    public var breakdown: [(name: String, attribution: String)] = []
    public var kpis: [KPIResult]
    public var expects: [ExpectResult]
    /// Actors in the funnel's population (after `where` and `for`).
    public var population: Int
    /// What an actor is: "users", or the property that `count` names.
    public var counting: String
    public var skipped: SkipReport
    public var eventsRead: Int
    public var comparisons: [Comparison] = []
    /// Why there is no comparison (for example, the baseline has no users).
    public var comparisonNote: String?
    /// Things worth knowing about the figures: a step that no event matches, and why.
    public var notes: [String] = []
    /// First to last step, over the actors who completed the funnel (nil for a one-step funnel).
    public var timeToConvert: TimeToConvert? = nil
    public var biggestDrop: BiggestDrop? { BiggestDrop.of(steps) }
    /// The first and the last event time of the data read (µs since the epoch, UTC); nil when unknown.
    public var dataRange: ClosedRange<Int64>? = nil
    /// `profile by KEY`: the funnel's users described per group.
    public var profile: ProfileResult? = nil

    public init(name: String, windowSeconds: Double?, order: MatchOrder, steps: [StepStats], groups: [GroupResult], breakdownLabels: [String],
                breakdown: [(name: String, attribution: String)], kpis: [KPIResult], expects: [ExpectResult], population: Int,
                counting: String, skipped: SkipReport, eventsRead: Int) {
        self.name = name; self.windowSeconds = windowSeconds; self.order = order; self.steps = steps; self.groups = groups
        self.breakdownLabels = breakdownLabels; self.breakdown = breakdown; self.kpis = kpis; self.expects = expects
        self.population = population; self.counting = counting; self.skipped = skipped; self.eventsRead = eventsRead
    }
}

/// Median and p90 as language.md §4 defines them.
public enum Statistics {
    /// Mean of the two middle values for an even count.
    public static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// Linear interpolation between closest ranks: h = (n - 1) q.
    public static func percentile(_ xs: [Double], _ q: Double) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let h = Double(s.count - 1) * q
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }
}

/// One `test` block, run.
public struct TestOutcome: Sendable {
    public var name: String
    public var funnel: String
    public var path: String
    public var line: Int
    /// Why the test could not run (an unknown funnel, a table that does not check...).
    public var diagnostics: [Diagnostic]
    public var result: FunnelResult?
    public var passed: Bool { !diagnostics.contains(where: \.isError) && (result?.expects.allSatisfy(\.passed) ?? false) }

    public init(name: String, funnel: String, path: String, line: Int, diagnostics: [Diagnostic], result: FunnelResult?) {
        self.name = name; self.funnel = funnel; self.path = path; self.line = line
        self.diagnostics = diagnostics; self.result = result
    }
}

/// `profile by KEY { columns }`: per group of KEY, the funnel's users (its step-1 actors), their
/// share, the funnel's conversion (last step / first), and each column's mean or mix.
public struct ProfileResult: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public enum Kind: String, Sendable { case mean, duration, mix }
        public var name: String
        /// `mean` of numbers, `duration`: mean of durations in seconds, `mix`: the share of each value.
        public var kind: Kind
        public init(name: String, kind: Kind) { self.name = name; self.kind = kind }
    }
    /// One value of a mix column and the share of the group's users who have it.
    public struct Share: Sendable, Equatable {
        public var label: String
        public var users: Int
        public var share: Double
        public init(label: String, users: Int, share: Double) { self.label = label; self.users = users; self.share = share }
    }
    public enum Cell: Sendable, Equatable {
        /// The mean over the users with a value (nil when none has one), and how many have one.
        case mean(Double?, count: Int)
        /// Every value's share of the group's users, the most common first; a missing value is "(none)".
        case mix([Share])
    }
    public struct Row: Sendable, Equatable {
        public var value: Value
        public var users: Int
        public var share: Double?
        public var conversion: Double?
        public var cells: [Cell]
        public init(value: Value, users: Int, share: Double?, conversion: Double?, cells: [Cell]) {
            self.value = value; self.users = users; self.share = share; self.conversion = conversion; self.cells = cells
        }
    }
    /// The key as tables print it (`loyalty`, `user.gender`), and its JSON name.
    public var key: String
    public var keyName: String
    public var columns: [Column]
    /// The groups, the largest first (ties by value), and every user of the funnel together.
    public var rows: [Row]
    public var total: Row
    public var note: String? = nil
    public init(key: String, keyName: String, columns: [Column], rows: [Row], total: Row) {
        self.key = key; self.keyName = keyName; self.columns = columns; self.rows = rows; self.total = total
    }
}
