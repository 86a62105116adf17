import FunnelSema

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
}

/// One breakdown group: its key (name and value per breakdown key) and its steps.
public struct GroupResult: Sendable {
    public var key: [(name: String, value: Value)]
    public var steps: [StepStats]
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
}

/// Everything `funnel run` reports for one funnel.
public struct FunnelResult: Sendable {
    public var name: String
    public var windowSeconds: Double?
    public var order: MatchOrder
    public var steps: [StepStats]
    public var groups: [GroupResult]
    /// Labels of the breakdown keys, in order.
    public var breakdownLabels: [String]
    public var kpis: [KPIResult]
    public var expects: [ExpectResult]
    /// Actors in the funnel's population (after `where` and `for`).
    public var population: Int
    /// What an actor is: "users", or the property that `count` names.
    public var counting: String
    public var skipped: SkipReport
    public var eventsRead: Int
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
