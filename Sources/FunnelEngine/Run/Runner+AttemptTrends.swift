import FunnelCore
import FunnelDiagnostics
import FunnelPlan

/// `count conversions` with a trend (`by week`, alone or with other keys): the funnel's attempts,
/// each counted in the period of the event that started it, so the periods add up to the total.
/// The other keys come from the attempt's own events: its first step (first touch), the step
/// named by `at`, or its furthest step (`last`).
extension FunnelRunner {
    func attemptTrendGroups(_ out: Outcomes, _ records: [Int], owner: [Int], eval: VectorEvaluator, names: [String], masks: [UInt32],
                            passes: [UInt8]?, startable: [Bool]?, hold: [UInt64]?, index: ActorIndex) -> [GroupResult] {
        guard let period = splitPeriod, let split = funnel.breakdown.firstIndex(where: \.attribution.splits) else { return [] }
        let n = funnel.steps.count
        // The period as a key like any other: the start of each event's period, attributed (as every
        // key of an attempt) to the event that started the attempt.
        let periods = Vec.times(periodCodes(period).map { Int64(bitPattern: $0) * 86_400_000_000 })
        let keys = funnel.breakdown.map { b in b.attribution.splits ? (periods, Attribution.firstTouch) : (breakdownValues(b, eval), b.attribution) }
        let keyed = firstTouchGroups(keys, out: out, owner: owner, actors: records, masks: masks, passes: passes,
                                     startable: startable, hold: hold, index: index).map { key, members -> ([Value], [Int]) in
            var shown = key
            if case .time(let t) = key[split] { shown[split] = .string(formatDate(t)) }
            return (shown, members)
        }
        let labels = funnel.breakdown.map(\.label)
        let groups = keyed.map { key, records -> GroupResult in
            let group = GroupResult(key: zip(labels, key).map { ($0, $1) }, steps: stepStats(out, records, names: names),
                                    timeToConvert: timeToConvert(out, records, steps: n))
            return withKPIs(group, out, records, eval: eval)
        }
        // Periods in time order (ISO dates sort as text); within a period, the largest groups first.
        return groups.sorted { a, b in
            let (pa, pb) = (a.key[split].value.description, b.key[split].value.description)
            if pa != pb { return pa < pb }
            if a.steps[0].users != b.steps[0].users { return a.steps[0].users > b.steps[0].users }
            return a.key.map { $0.value.description }.joined(separator: "\u{0}") < b.key.map { $0.value.description }.joined(separator: "\u{0}")
        }
    }

    /// The event that started an attempt: its step-1 event; in `order any` its earliest matched
    /// event (at equal times, the earlier in the file). -1 when none.
    func attemptStart(_ rows: [Int32]) -> Int32 {
        if funnel.match.order != .any { return rows.first ?? -1 }
        var best: Int32 = -1
        for r in rows where r >= 0 {
            if best < 0 || (store.time[Int(r)], r) < (store.time[Int(best)], best) { best = r }
        }
        return best
    }
}
