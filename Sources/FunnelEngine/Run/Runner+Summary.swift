import FunnelCore
import FunnelDiagnostics
import FunnelPlan

/// From outcomes to figures: steps, breakdown groups, comparisons, KPIs and expects.
extension FunnelRunner {
    /// Groups of a splitting breakdown, from the split runs' outcomes.
    func splitResults(_ groups: [UInt64: SplitGroup], eval: VectorEvaluator, names: [String]) -> [GroupResult] {
        guard let sp = funnel.splitKey else { return [] }
        let n = funnel.steps.count
        let byPeriod: Bool
        if case .period = sp.attribution { byPeriod = true } else { byPeriod = false }
        let vec = byPeriod ? nil : eval.field(sp.field)
        var out: [(code: UInt64, result: GroupResult)] = []
        // The breakdown's other keys (first touch within the run, or at a step of its best assignment).
        let others = funnel.breakdown.enumerated().filter { !$0.element.attribution.splits }
        let otherValues = others.map { breakdownValues($0.element, eval) }
        for (code, g) in groups {
            let outcomes = Outcomes(steps: n, levels: g.levels, rows: g.rows, member: [Bool](repeating: true, count: g.levels.count))
            let value: Value
            if byPeriod { value = .string(formatDate(Int64(bitPattern: code) * 86_400_000_000)) }
            else { value = code == FunnelRunner.missingKey || g.sample < 0 ? .null : (vec?.value(at: g.sample) ?? .null) }
            // Records by the other keys' values, in order of first appearance.
            var byKey: [[Value]: [Int]] = [:]
            var keyOrder: [[Value]] = []
            for i in 0..<g.levels.count where g.levels[i] > 0 {
                let key = others.enumerated().map { j, b -> Value in
                    let row: Int32
                    switch b.element.attribution {
                    case .atStep(let k): row = g.rows[i * n + k]
                    case .lastTouch: row = lastTouch((0..<n).map { g.rows[i * n + $0] })
                    default: row = i < g.touch.count ? g.touch[i] : -1
                    }
                    return row < 0 ? .null : otherValues[j].value(at: Int(row))
                }
                if byKey[key] == nil { keyOrder.append(key) }
                byKey[key, default: []].append(i)
            }
            for key in keyOrder {
                let records = byKey[key] ?? []
                let steps = stepStats(outcomes, records, names: names)
                guard steps.first?.users ?? 0 > 0 else { continue }
                // Labels in the breakdown's order.
                var labelled: [(name: String, value: Value)] = []
                var k = 0
                for b in funnel.breakdown {
                    if b.attribution.splits { labelled.append((sp.label, value)) } else { labelled.append((b.label, key[k])); k += 1 }
                }
                let group = GroupResult(key: labelled, steps: steps, timeToConvert: timeToConvert(outcomes, records, steps: n))
                out.append((code, withKPIs(group, outcomes, records, eval: eval)))
            }
        }
        // Periods in time order; within a period (or for `all`), the largest groups first.
        return out.sorted { a, b in
            if byPeriod && a.code != b.code { return Int64(bitPattern: a.code) < Int64(bitPattern: b.code) }
            let (x, y) = (a.result, b.result)
            if x.steps[0].users != y.steps[0].users { return x.steps[0].users > y.steps[0].users }
            return x.key.map { $0.value.description }.joined(separator: "\u{0}") < y.key.map { $0.value.description }.joined(separator: "\u{0}")
        }.map(\.result)
    }

    /// Figures from outcome records: one per actor, or (with `owner`) one per attempt of `owner[i]`.
    func summarize(_ out: Outcomes, owner: [Int]?, population: Int, masks: [UInt32], passes: [UInt8]?, startable: [Bool]?, hold: [UInt64]?, eval: VectorEvaluator,
                   splitGroups: [UInt64: SplitGroup], index: ActorIndex) -> FunnelResult {
        let rowNames = funnel.rowLabels
        let all = (0..<out.levels.count).filter { out.member[$0] }
        let steps = stepStats(out, all, names: rowNames)

        // Breakdown: a key per actor (first touch, at a step, or every value with `all`).
        var groups: [GroupResult] = []
        var groupNote: String? = nil
        if funnel.splitKey != nil {
            if let owner = owner {
                groups = attemptTrendGroups(out, all, owner: owner, eval: eval, names: rowNames, masks: masks, passes: passes,
                                            startable: startable, hold: hold, index: index)
            } else {
                groups = splitResults(splitGroups, eval: eval, names: rowNames)
            }
            let cap = groupCap
            if cap > 0 && groups.count > cap {
                // An actor may be in several groups of `all` (or several periods): the rest cannot be
                // summed into one group, so they are left out, and the note says how many.
                groupNote = splitPeriod != nil
                    ? "showing the first \(formatCount(cap)) of \(formatCount(groups.count)) groups, in time order; the others are left out (\(FunnelRunner.capHelp(funnel)))"
                    : "showing the \(formatCount(cap)) largest of \(formatCount(groups.count)) groups; an actor may be in several groups here, so the others are left out rather than summed (\(FunnelRunner.capHelp(funnel)))"
                // In their order: the largest groups of `all`, or the first periods of a trend.
                groups = Array(groups.prefix(cap))
            }
        } else if !funnel.breakdown.isEmpty {
            var keyed = firstTouchGroups(funnel.breakdown.map { (breakdownValues($0, eval), $0.attribution) }, out: out, owner: owner, actors: all,
                                         masks: masks, passes: passes, startable: startable, hold: hold, index: index)
            var other: [Int]? = nil
            (keyed, other, groupNote) = capGroups(keyed)
            groups = keyed.map { key, rs in
                withKPIs(GroupResult(key: zip(funnel.breakdown.map(\.label), key).map { ($0, $1) }, steps: stepStats(out, rs, names: rowNames),
                                     timeToConvert: timeToConvert(out, rs, steps: rowNames.count)), out, rs, eval: eval)
            }
            groups.sort { a, b in
                a.steps[0].users != b.steps[0].users ? a.steps[0].users > b.steps[0].users
                    : a.key.map { $0.value.description }.joined() < b.key.map { $0.value.description }.joined()
            }
            if let rest = other {
                groups.append(withKPIs(GroupResult(key: funnel.breakdown.map { ($0.label, FunnelRunner.otherGroup) }, steps: stepStats(out, rest, names: rowNames),
                                                   timeToConvert: timeToConvert(out, rest, steps: rowNames.count)), out, rest, eval: eval))
            }
        }
        var comparisons: [Comparison] = []
        var comparisonNote: String? = nil
        if let cmp = funnel.compare {
            let keyed = firstTouchGroups([(eval.field(cmp.field), .firstTouch)], out: out, owner: owner, actors: all,
                                         masks: masks, passes: passes, startable: startable, hold: hold, index: index)
            let stats = keyed.map { ($0.0[0], stepStats(out, $0.1, names: rowNames)) }.sorted { $0.1[0].users > $1.1[0].users }
            (comparisons, comparisonNote) = compare(stats, spec: cmp, names: rowNames)
        }
        let profiled = funnel.profile.map { spec in
            profileResult(spec, out, firstTouchGroups([(breakdownValues(spec.key, eval), spec.key.attribution)], out: out, owner: owner, actors: all,
                                                      masks: masks, passes: passes, startable: startable, hold: hold, index: index), eval: eval)
        }
        // KPIs, then expects.
        var kpiContext = KPIContext(funnel: funnel, outcomes: out, actors: all, population: population, store: store, eval: eval)
        kpiContext.userNumbers = kpiUserNumbers
        var (kpis, expects) = KPIEvaluator(kpiContext).evaluate(funnel)
        KPIEvaluator.foldGroupChecks(&expects, groups: groups)
        var skippedRows = store.skipped
        if let p = profile { skippedRows.merge(p.skipped) }
        var result = FunnelResult(name: funnel.name, windowSeconds: funnel.match.window.map { Double($0) / 1e6 }, order: funnel.match.order,
                                  steps: steps, groups: groups, breakdownLabels: funnel.breakdown.map(\.label),
                                  breakdown: funnel.breakdown.map { ($0.name, $0.attributionText) }, kpis: kpis,
                                  expects: expects, population: population, counting: funnel.countingLabel, skipped: skippedRows, eventsRead: store.count)
        result.comparisons = comparisons
        result.comparisonNote = comparisonNote
        result.profile = profiled
        if let note = groupNote { result.notes.append(note) }
        result.timeToConvert = timeToConvert(out, all, steps: rowNames.count)
        if store.count > 0 { result.dataRange = store.minTime...store.maxTime }
        return result
    }

    /// A group with the funnel's KPIs and `for each` checks over its records of `out`; a group's
    /// `users` is its step-1 actors (an actor joins a group by its first step's event).
    func withKPIs(_ group: GroupResult, _ out: Outcomes, _ records: [Int], eval: VectorEvaluator) -> GroupResult {
        guard !funnel.kpis.isEmpty || funnel.expects.contains(where: { $0.forEach != nil }) else { return group }
        var g = group
        var context = KPIContext(funnel: funnel, outcomes: out, actors: records, population: g.steps.first?.users ?? 0, store: store, eval: eval)
        context.userNumbers = kpiUserNumbers
        (g.kpis, g.checks) = KPIEvaluator(context).evaluateGroup(funnel)
        return g
    }

    /// A breakdown key's value per event: the field, or for `by SEGMENT` the user's membership ("in" / "not in").
    func breakdownValues(_ b: PlannedBreakdown, _ eval: VectorEvaluator) -> Vec {
        if let edges = b.bands, b.segment == nil { return FunnelRunner.banded(eval.field(b.field), edges) }
        guard let segment = b.segment else { return eval.field(b.field) }
        let users = UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime)
        if case .tier(_, let cases, let otherwise) = segment {
            // Codes in the tier's own order: each case's label, then `otherwise`; users without one are missing.
            var labels: [String] = []
            for l in cases.map(\.label) + (otherwise.map { [$0] } ?? []) where !labels.contains(l) { labels.append(l) }
            return perEvent(users.values(segment), labels: labels)
        }
        if let type = b.userValueType {
            // A user's value (an RFM segment, a CLV, a measure): one key per user, numbers banded when asked.
            let values = users.values(segment)
            guard type == .number else { return perEvent(values.map(FunnelRunner.asText), labels: []) }
            let numbers = Vec.numbers(store.actor.map { if case .number(let x) = values[Int($0)] { return x }; return .nan })
            return b.bands.map { FunnelRunner.banded(numbers, $0) } ?? numbers
        }
        let member = users.truth(segment)
        return .strings(store.actor.map { member[Int($0)] ? 0 : 1 }, ["in", "not in"])
    }

    /// A user value as a key's text: texts as they are, other values as printed (`true`, `3d`); missing stays missing.
    static func asText(_ v: Value) -> Value {
        switch v {
        case .null, .string: return v
        default: return .string(v.description)
        }
    }

    /// Text values per user as a per-event key: codes into `labels` (values not in it are added in
    /// order of appearance); a user without a text value is missing.
    func perEvent(_ values: [Value], labels: [String]) -> Vec {
        var labels = labels
        var code = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, UInt32($0)) })
        let perUser = values.map { v -> UInt32 in
            guard case .string(let s) = v else { return missingCode }
            if let c = code[s] { return c }
            code[s] = UInt32(labels.count); labels.append(s)
            return UInt32(labels.count - 1)
        }
        return .strings(store.actor.map { perUser[Int($0)] }, labels)
    }

    /// Numbers as their bands' names (`18–25`); a missing value stays missing.
    static func banded(_ v: Vec, _ edges: [Double]) -> Vec {
        let labels = PlannedBreakdown.bandLabels(edges)
        switch v {
        case .numbers(let xs): return .strings(xs.map { $0.isNaN ? missingCode : UInt32(PlannedBreakdown.band($0, edges)) }, labels)
        case .constant(.number(let x)): return .constant(.string(labels[PlannedBreakdown.band(x, edges)]))
        default: return .constant(.null)
        }
    }

    /// The value shown for the groups beyond the cap.
    public static let otherGroup = Value.string("(other)")

    /// Keeps the `maxGroups` groups with the most actors; every other actor goes to one "(other)"
    /// group. With first-touch or at-step keys each actor has one key, so "(other)" counts each once.
    func capGroups(_ keyed: [([Value], [Int])]) -> ([([Value], [Int])], [Int]?, String?) {
        let cap = groupCap
        guard cap > 0 && keyed.count > cap else { return (keyed, nil, nil) }
        let ranked = keyed.sorted { $0.1.count != $1.1.count ? $0.1.count > $1.1.count : $0.0.description < $1.0.description }
        let rest = ranked[cap...]
        let note = "showing the \(formatCount(cap)) largest of \(formatCount(keyed.count)) groups; the other \(formatCount(rest.count)) are summed in \"(other)\" (\(FunnelRunner.capHelp(funnel)))"
        return (Array(ranked[..<cap]), rest.flatMap(\.1), note)
    }

    /// How many groups are shown: the funnel's `top N`, else the run's `--max-groups` (0: all).
    var groupCap: Int { funnel.topGroups ?? maxGroups }

    /// How to see the groups left out, for the cap's note.
    public static func capHelp(_ funnel: PlannedFunnel) -> String {
        funnel.topGroups.map { "the funnel's `top \(formatCount($0))`" } ?? "raise --max-groups to see them"
    }

    /// Records grouped by the values of `keys` (first touch, or the event at a step), in order of first appearance.
    /// Records are grouped by exact codes of their values (`Vec.code(at:)`), not by hashing values:
    /// a breakdown over a million users hashes a million small integers, not a million arrays.
    func firstTouchGroups(_ keys: [(vec: Vec, attribution: Attribution)], out: Outcomes, owner: [Int]?, actors: [Int], masks: [UInt32],
                          passes: [UInt8]?, startable: [Bool]?, hold: [UInt64]?, index: ActorIndex) -> [([Value], [Int])] {
        let need: UInt32 = funnel.match.order == .any ? ~0 : 1
        /// The event a key takes its value from: at a step, the last touch, or the first touch.
        func keyRow(_ a: Int, _ attribution: Attribution) -> Int32 {
            if case .atStep(let step) = attribution { return out.row(a, step) }
            if case .lastTouch = attribution { return lastTouch((0..<funnel.steps.count).map { out.row(a, $0) }) }
            // An attempt (`count conversions`) is attributed to the event that started it, as in a trend.
            if owner != nil { return attemptStart((0..<funnel.steps.count).map { out.row(a, $0) }) }
            // First touch: the actor's first event that matches step 1 (any step for `any`) and may start an
            // attempt (under `hold`, one with a held value).
            for k in index.start[a]..<index.start[a + 1] {
                let r = Int(index.order[k])
                if let p = passes, p[r] == 0 { continue }
                if let h = hold, h[r] == FunnelRunner.missingKey { continue }
                if masks[r] & need != 0 && (startable?[r] ?? true) { return Int32(r) }
            }
            return -1
        }
        func value(_ vec: Vec, _ row: Int32) -> Value { row < 0 ? .null : vec.value(at: Int(row)) }
        // Texts that are equal as strings but not as bytes (an accent written two ways) are one group.
        let canonical = keys.map { $0.vec.canonicalCodes() }
        func code(_ k: Int, _ row: Int32) -> UInt64 {
            guard row >= 0 else { return FunnelRunner.missingKey }
            let c = keys[k].vec.code(at: Int(row))
            if let canon = canonical[k], c != FunnelRunner.missingKey { return UInt64(canon[Int(c)]) }
            return c
        }
        var groups: [(key: [Value], members: [Int])] = []
        if keys.count == 1, let only = keys.first {
            var groupOf: [UInt64: Int] = [:]
            for a in actors where out.levels[a] > 0 {
                let row = keyRow(a, only.attribution)
                let c = code(0, row)
                if let g = groupOf[c] { groups[g].members.append(a); continue }
                groupOf[c] = groups.count
                groups.append(([value(only.vec, row)], [a]))
            }
        } else {
            var groupOf: [[UInt64]: Int] = [:]
            for a in actors where out.levels[a] > 0 {
                let rows = keys.map { keyRow(a, $0.attribution) }
                let c = rows.indices.map { code($0, rows[$0]) }
                if let g = groupOf[c] { groups[g].members.append(a); continue }
                groupOf[c] = groups.count
                groups.append((zip(keys, rows).map { value($0.vec, $1) }, [a]))
            }
        }
        return groups.map { ($0.key, $0.members) }
    }

    /// Last touch, from the events matched to each step (-1: none): the furthest step's event; in
    /// `any` funnels the latest matched event (at equal times, the later in the file).
    func lastTouch(_ rows: [Int32]) -> Int32 {
        if funnel.match.order != .any { return rows.last { $0 >= 0 } ?? -1 }
        var best: Int32 = -1
        for r in rows where r >= 0 {
            if best < 0 || (store.time[Int(r)], r) > (store.time[Int(best)], best) { best = r }
        }
        return best
    }

    /// Each group against the baseline: overall conversion, then each step's conversion from the previous.
    func compare(_ groups: [(Value, [StepStats])], spec: PlannedCompare, names: [String]) -> ([Comparison], String?) {
        guard let base = spec.baseline.map({ b in groups.first { $0.0 == b } }) ?? groups.first else {
            return ([], "baseline \(spec.baseline?.description ?? "") has no users in this data")
        }
        let n = names.count
        var out: [Comparison] = []
        for (value, steps) in groups where value != base.0 {
            func row(_ name: String, _ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int) -> ComparisonRow {
                let r1 = n1 > 0 ? Double(x1) / Double(n1) : nil, r2 = n2 > 0 ? Double(x2) / Double(n2) : nil
                let ci = ABStatistics.newcombe(x1, n1, x2, n2)
                let (p, test) = ABStatistics.pValue(x1, n1, x2, n2)
                let small = n1 < 30 || n2 < 30 || test == "fisher"
                return ComparisonRow(step: name, rate: r1, baselineRate: r2, difference: r1.flatMap { a in r2.map { a - $0 } },
                                     low: ci?.low, high: ci?.high, pValue: p, test: test, small: small)
            }
            var rows = [row("overall", steps[n - 1].users, steps[0].users, base.1[n - 1].users, base.1[0].users)]
            for k in 1..<n { rows.append(row(names[k], steps[k].users, steps[k - 1].users, base.1[k].users, base.1[k - 1].users)) }
            out.append(Comparison(key: spec.label, group: value, baseline: base.0, users: steps[0].users, baselineUsers: base.1[0].users, rows: rows))
        }
        return (out, nil)
    }

    /// Users per row, conversion, drop-off and time from the previous step.
    func stepStats(_ out: Outcomes, _ actors: [Int], names: [String]) -> [StepStats] {
        let n = names.count
        var users = [Int](repeating: 0, count: n)
        var deltas = [[Double]](repeating: [], count: n)
        let time = store.time
        for a in actors {
            let level = Int(out.levels[a])
            for k in 0..<min(level, n) { users[k] += 1 }
            if funnel.match.order == .any {
                let ts = (0..<n).map { out.row(a, $0) }.filter { $0 >= 0 }.map { time[Int($0)] }.sorted()
                for k in 1..<max(1, ts.count) { deltas[k].append(Double(ts[k] - ts[k - 1]) / 1e6) }
            } else {
                for k in 1..<max(1, min(level, n)) where out.row(a, k) >= 0 && out.row(a, k - 1) >= 0 {
                    deltas[k].append(Double(time[Int(out.row(a, k))] - time[Int(out.row(a, k - 1))]) / 1e6)
                }
            }
        }
        return StepStats.table(names: names, users: users, seconds: deltas)
    }

    /// First step to last, for the actors at the last row (for `any`: their first to their last matched event).
    func timeToConvert(_ out: Outcomes, _ actors: [Int], steps n: Int) -> TimeToConvert? {
        guard n > 1 else { return nil }
        let time = store.time
        var seconds: [Double] = []
        for a in actors where Int(out.levels[a]) >= n {
            let rows = (0..<n).map { out.row(a, $0) }.filter { $0 >= 0 }.map { time[Int($0)] }
            guard let first = rows.min(), let last = rows.max() else { continue }
            seconds.append(Double(last - first) / 1e6)
        }
        return TimeToConvert(seconds)
    }
}
