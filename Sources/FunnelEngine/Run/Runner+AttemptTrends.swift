import FunnelCore
import FunnelDiagnostics
import FunnelPlan

/// `count conversions` with a trend (`by week`, alone or with other keys): the funnel's attempts,
/// each counted in the period of the event that started it, so the periods add up to the total.
/// The other keys come from the attempt's own events: its first step (first touch), the step
/// named by `at`, or its furthest step (`last`).
extension FunnelRunner {
    func attemptTrendGroups(_ out: Outcomes, _ records: [Int], eval: VectorEvaluator, names: [String]) -> [GroupResult] {
        guard let period = splitPeriod, let split = funnel.breakdown.firstIndex(where: \.attribution.splits) else { return [] }
        let codes = periodCodes(period)
        let n = funnel.steps.count
        let values = funnel.breakdown.map { $0.attribution.splits ? nil : breakdownValues($0, eval) }
        var byKey: [[Value]: [Int]] = [:]
        var keyOrder: [[Value]] = []
        for i in records where out.levels[i] > 0 {
            let rows = (0..<n).map { out.row(i, $0) }
            let start = attemptStart(rows)
            guard start >= 0 else { continue }
            let key = funnel.breakdown.enumerated().map { j, b -> Value in
                if b.attribution.splits { return .string(formatDate(Int64(bitPattern: codes[Int(start)]) * 86_400_000_000)) }
                let row: Int32
                switch b.attribution {
                case .atStep(let k): row = rows[k]
                case .lastTouch: row = lastTouch(rows)
                default: row = start
                }
                return row < 0 ? .null : (values[j]?.value(at: Int(row)) ?? .null)
            }
            if byKey[key] == nil { keyOrder.append(key) }
            byKey[key, default: []].append(i)
        }
        let labels = funnel.breakdown.map(\.label)
        let groups = keyOrder.map { key -> GroupResult in
            let records = byKey[key] ?? []
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
