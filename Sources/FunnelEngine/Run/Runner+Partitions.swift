import Foundation
import FunnelDiagnostics
import FunnelCore
import FunnelPlan

/// `hold`, `by X all` and trends: the matcher runs on part of an actor's events at a time.
extension FunnelRunner {
    static let missingKey = UInt64.max

    /// The events of one actor as the matcher sees them (actor order), with per-event keys.
    struct ActorEvents {
        var times: [Int64] = []
        var masks: [UInt32] = []
        var rows: [Int32] = []
        var starts: [Bool] = []
        var hold: [UInt64] = []
        var split: [UInt64] = []
        /// Bit x: the event matches exclusion x (only when the funnel has exclusions).
        var excluded: [UInt32] = []

        mutating func clear() {
            times.removeAll(keepingCapacity: true); masks.removeAll(keepingCapacity: true)
            rows.removeAll(keepingCapacity: true); starts.removeAll(keepingCapacity: true)
            hold.removeAll(keepingCapacity: true); split.removeAll(keepingCapacity: true)
            excluded.removeAll(keepingCapacity: true)
        }
    }

    /// One exact code per distinct value of each row (missing: `missingKey`).
    static func codes(_ v: Vec, count: Int) -> [UInt64] {
        switch v {
        case .strings(let c, _): return c.map { $0 == missingCode ? missingKey : UInt64($0) }
        case .numbers(let x): return x.map { $0.isNaN ? missingKey : ($0 == 0 ? 0 : $0.bitPattern) }
        case .bools(let b): return b.map { $0 == 2 ? missingKey : UInt64($0) }
        case .times(let t): return t.map { $0 == missingTime ? missingKey : UInt64(bitPattern: $0) }
        case .constant(let c): return [UInt64](repeating: c == .null ? missingKey : 0, count: count)
        }
    }

    /// A key per row for `hold`: the tuple of the held values (missing if any is missing).
    func holdCodes(_ eval: VectorEvaluator) -> [UInt64]? {
        guard !funnel.hold.isEmpty else { return nil }
        let parts = funnel.hold.map { FunnelRunner.codes(eval.field($0), count: store.count) }
        if parts.count == 1 { return parts[0] }
        var ids: [[UInt64]: UInt64] = [:]
        return (0..<store.count).map { i in
            let key = parts.map { $0[i] }
            if key.contains(FunnelRunner.missingKey) { return FunnelRunner.missingKey }
            if let id = ids[key] { return id }
            let id = UInt64(ids.count)
            ids[key] = id
            return id
        }
    }

    /// The first day (days since 1970-01-01, local to the source's time zone) of each row's period.
    func periodCodes(_ period: TrendPeriod) -> [UInt64] {
        let zone = self.zone
        var offsets: [Int64: Int64] = [:]
        return store.time.map { t in
            var local = t
            if let z = zone {
                let hour = t >= 0 ? t / 3_600_000_000 : (t - 3_599_999_999) / 3_600_000_000
                if let o = offsets[hour] { local += o } else {
                    // Cached per hour only when the offset holds for the whole hour (a change at :30 does not).
                    let o = z.offset(atUTC: t), start = hour * 3_600_000_000
                    if z.offset(atUTC: start) == o && z.offset(atUTC: start + 3_599_999_999) == o { offsets[hour] = o }
                    local += o
                }
            }
            let day = local >= 0 ? local / 86_400_000_000 : (local - 86_399_999_999) / 86_400_000_000
            return UInt64(bitPattern: FunnelRunner.periodStart(day, period))
        }
    }

    /// Weeks start on Monday (1970-01-01 was a Thursday); months on their first day.
    static func periodStart(_ day: Int64, _ p: TrendPeriod) -> Int64 {
        switch p {
        case .day: return day
        case .week: return day - ((day % 7 + 7 + 3) % 7)
        case .month:
            let (y, m, _) = civilFromDays(Int(day))
            return Int64(daysFromCivil(y, m, 1))
        }
    }

    /// The best outcome over the actor's events, or (with `hold`) over each held value's events,
    /// by language.md §4's order (`better`). Events without a held value fill no step. In strict
    /// funnels every event stays: one of another value (or none) still lies between steps.
    /// The actor's outcome: what the best assignment reached, or level 0 when `remove` removed them.
    static func matchHeld(_ matcher: Matcher, _ ev: ActorEvents, subset: [Int]?, startable: [Bool]?, hold: Bool,
                          rules: [ExclusionRule] = []) -> MatchOutcome {
        let o = bestOutcome(matcher, ev, subset: subset, startable: startable, hold: hold, rules: rules)
        return o.removed ? MatchOutcome(level: 0, assignment: []) : o
    }

    static func bestOutcome(_ matcher: Matcher, _ ev: ActorEvents, subset: [Int]?, startable: [Bool]?, hold: Bool,
                            rules: [ExclusionRule]) -> MatchOutcome {
        // Actors without an excluded event (in the events this run sees) match as if there were no exclusions.
        let excluding = !rules.isEmpty && (subset.map { $0.contains { ev.excluded[$0] != 0 } } ?? ev.excluded.contains { $0 != 0 })
        if !hold && subset == nil {
            if !excluding { return matcher.match(times: ev.times, masks: ev.masks, startable: startable) }
            let x = matcher.match(times: ev.times, masks: ev.masks, excluded: ev.excluded, rules: rules, startable: startable)
            return MatchOutcome(level: x.level, assignment: x.assignment, removed: x.removed)
        }
        let all = subset ?? Array(0..<ev.times.count)
        /// The matcher on some of the events; `eligible` limits which may fill steps (hold), the others still count as between.
        /// With excluded events, the exact exclusion search of the funnel's order (ordered and strict: `ExclusionSearch`;
        /// `order any`: `AnyExclusionSearch`, which takes `eligible` the same way).
        func run(_ idx: [Int], eligible: [Bool]? = nil) -> MatchOutcome {
            let times = idx.map { ev.times[$0] }, masks = idx.map { ev.masks[$0] }
            let starts = startable.map { s in idx.map { s[$0] } }
            let o: MatchOutcome
            if excluding {
                let x = matcher.match(times: times, masks: masks, excluded: idx.map { ev.excluded[$0] }, rules: rules,
                                      startable: starts, eligible: eligible)
                o = MatchOutcome(level: x.level, assignment: x.assignment, removed: x.removed)
            } else {
                o = matcher.match(times: times, masks: masks, startable: starts, eligible: eligible)
            }
            return MatchOutcome(level: o.level, assignment: o.assignment.map { $0 >= 0 ? idx[$0] : -1 }, removed: o.removed)
        }
        guard hold else { return run(all) }
        let strict = matcher.config.order == .strict
        let any = matcher.config.order == .any
        var best = MatchOutcome(level: 0, assignment: [])
        for key in Set(all.map { ev.hold[$0] }) where key != missingKey {
            // Strict funnels and exclusions see every event (another value still lies between, or hits);
            // otherwise only the held value's events exist for this run.
            let o = strict || excluding ? run(all, eligible: all.map { ev.hold[$0] == key }) : run(all.filter { ev.hold[$0] == key })
            if o.level > 0 && (best.level == 0 || better(o, than: best, times: ev.times, any: any)) { best = o }
        }
        return best
    }

    /// language.md §4's order of outcomes: the higher level, then a clean one over a removed one, then
    /// `Matcher.prefers` (last event, start, earliest events). Never the values' codes.
    static func better(_ x: MatchOutcome, than y: MatchOutcome, times: [Int64], any: Bool) -> Bool {
        if x.level != y.level { return x.level > y.level }
        if x.removed != y.removed { return !x.removed }      // a clean assignment keeps the actor
        return Matcher.prefers(x.assignment, over: y.assignment, times: times, any: any)
    }
}
