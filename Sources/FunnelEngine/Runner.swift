import Dispatch
import Foundation
import FunnelSema

/// Runs one checked funnel over a loaded store: predicates once per event, then the
/// matcher per actor (actors split across cores), then the figures.
public struct FunnelRunner {
    public let funnel: CheckedFunnel
    public let store: EventStore
    public let profile: ProfileTable?
    /// "Now" for `recency` (default: the latest event time).
    public let asOf: Int64?
    /// The source's time zone, for trend periods.
    public let timezone: String?

    public init(funnel: CheckedFunnel, store: EventStore, profile: ProfileTable?, asOf: Int64? = nil, timezone: String? = nil) {
        self.funnel = funnel; self.store = store; self.profile = profile; self.asOf = asOf; self.timezone = timezone
    }

    /// Outcomes of the runs behind a splitting breakdown (`by X all`, trends), per group code:
    /// one level and one row of step events per (actor, group), and a row that shows the group's value.
    struct SplitGroup {
        var levels: [UInt8] = []
        var rows: [Int32] = []
        var sample: Int = -1
    }

    /// Per actor: the level and, per step, the row of the event in the best assignment
    /// (-1 if none), in flat arrays: actor a's rows are `rows[a*steps ..< (a+1)*steps]`.
    struct Outcomes {
        let steps: Int
        var levels: [UInt8]
        var rows: [Int32]
        var member: [Bool]
        func row(_ a: Int, _ k: Int) -> Int32 { rows[a * steps + k] }
    }

    public func run() -> FunnelResult {
        let eval = VectorEvaluator(store: store, profile: profile)
        let n = funnel.steps.count
        // Step masks, once per event.
        var masks = [UInt32](repeating: 0, count: store.count)
        for (k, step) in funnel.steps.enumerated() {
            let bit: UInt32 = 1 << UInt32(k)
            let p = eval.predicate(step.predicate)
            masks.withUnsafeMutableBufferPointer { m in
                p.withUnsafeBufferPointer { pb in for i in 0..<pb.count where pb[i] == 1 { m[i] |= bit } }
            }
        }
        let wherePasses: [UInt8]? = funnel.wherePredicate.map { eval.predicate($0) }
        var startable: [Bool]? = nil
        if let (a, b) = funnel.dates {
            // The days are the source's days: midnight in its time zone.
            let zone = timezone.flatMap { $0 == "UTC" ? nil : TimeZone(identifier: $0) }.map(ZoneConverter.init)
            let lo = zone?.utc(fromLocal: a) ?? a, hi = zone.map { $0.utc(fromLocal: b + 1) - 1 } ?? b
            startable = store.time.map { $0 >= lo && $0 <= hi }
        }
        let userPopulation: [Bool]? = funnel.population.map {
            UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime).truth($0)
        }
        let config = MatchConfig(steps: n, window: funnel.window, within: funnel.steps.map(\.within),
                                 order: funnel.order, tiesStrict: funnel.tiesStrict)
        // The actors: users, or the values of the property that `count` names.
        var index = store.byActor
        if case .property(let p) = funnel.count, let byProperty = store.index(byProperty: p) { index = byProperty }
        let actorCount = index.start.count - 1
        var passes = wherePasses
        var inPopulation = userPopulation
        if case .property = funnel.count, let pop = userPopulation {
            // `for` selects users; when another thing is counted, it keeps those users' events.
            let users = store.actor.map { pop[Int($0)] ? UInt8(1) : 0 }
            passes = passes.map { p in zip(p, users).map { $0 & $1 } } ?? users
            inPopulation = nil
        }
        // Masks, filters and start flags in actor order: the per-actor loop reads them sequentially.
        let ordMasks = index.permute(masks, zero: 0)
        let ordPasses = passes.map { index.permute($0, zero: 0) }
        let ordStartable = startable.map { index.permute($0, zero: false) }
        // Strict funnels need every event (a non-step event breaks the chain); the others only step events.
        let keepAll = funnel.order == .strict
        var out = Outcomes(steps: n, levels: [UInt8](repeating: 0, count: actorCount),
                           rows: [Int32](repeating: -1, count: actorCount * n), member: [Bool](repeating: false, count: actorCount))
        let parts = max(1, min(256, actorCount / 1024 + 1))
        let time = index.time
        let order = index.order
        let ordHold = holdCodes(eval).map { index.permute($0, zero: FunnelRunner.missingKey) }
        let split = funnel.breakdown.first(where: \.splits)
        let ordSplit: [UInt64]? = split.map { sp in
            let codes = sp.period.map { periodCodes($0) } ?? FunnelRunner.codes(eval.field(sp.field), count: store.count)
            return index.permute(codes, zero: FunnelRunner.missingKey)
        }
        let isAny = funnel.order == .any
        var splitGroups: [UInt64: SplitGroup] = [:]
        let conversions = funnel.count == .conversions
        var attempts = SplitGroup()          // count conversions: one record per attempt
        var attemptOwner: [Int] = []
        let lock = NSLockLike()
        out.levels.withUnsafeMutableBufferPointer { lv in
            out.rows.withUnsafeMutableBufferPointer { rw in
                out.member.withUnsafeMutableBufferPointer { mb in
                    guard let lvp = lv.baseAddress, let rwp = rw.baseAddress, let mbp = mb.baseAddress else { return }
                    // Each part writes only its own actors' slots.
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let lo = actorCount * part / parts, hi = actorCount * (part + 1) / parts
                        let matcher = Matcher(config)
                        var ev = ActorEvents()
                        var local: [UInt64: SplitGroup] = [:]
                        var localAttempts = SplitGroup()
                        var localOwner: [Int] = []
                        if Cancellation.requested { return }
                        for a in lo..<hi {
                            if let pop = inPopulation, !pop[a] { continue }
                            ev.clear()
                            var present = false
                            for k in index.start[a]..<index.start[a + 1] {
                                if let p = ordPasses, p[k] == 0 { continue }
                                present = true
                                let m = ordMasks[k]
                                if m == 0 && !keepAll { continue }
                                ev.times.append(time[k]); ev.masks.append(m); ev.rows.append(Int32(order[k]))
                                if let s = ordStartable { ev.starts.append(s[k]) }
                                if let h = ordHold { ev.hold.append(h[k]) }
                                if let s = ordSplit { ev.split.append(s[k]) }
                            }
                            if !present { continue }
                            mbp[a] = true
                            if ev.times.isEmpty { continue }
                            let starts = ordStartable == nil ? nil : ev.starts
                            let o = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: starts, hold: ordHold != nil)
                            lvp[a] = UInt8(o.level)
                            for (k, e) in o.assignment.enumerated() where e >= 0 && k < n { rwp[a * n + k] = ev.rows[e] }
                            if conversions {
                                // Each completed attempt once; the next may start only after it completed.
                                var attempt = o
                                while attempt.level > 0 {
                                    var stepRows = [Int32](repeating: -1, count: n)
                                    for (k, e) in attempt.assignment.enumerated() where e >= 0 && k < n { stepRows[k] = ev.rows[e] }
                                    localAttempts.levels.append(UInt8(attempt.level)); localAttempts.rows += stepRows; localOwner.append(a)
                                    guard attempt.level == n, let done = attempt.assignment.filter({ $0 >= 0 }).map({ ev.times[$0] }).max() else { break }
                                    let after = (0..<ev.times.count).map { (starts?[$0] ?? true) && ev.times[$0] > done }
                                    attempt = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: after, hold: ordHold != nil)
                                }
                            }
                            guard let sp = split else { continue }
                            // The split runs: per value of X (all), or per period in which an attempt starts.
                            let count = ev.times.count
                            var keys: [UInt64]
                            if sp.period != nil {
                                keys = (0..<count).filter { i in (isAny ? ev.masks[i] != 0 : ev.masks[i] & 1 != 0) && (starts?[i] ?? true) }.map { ev.split[$0] }
                            } else { keys = ev.split }
                            keys = Array(Set(keys)).sorted()
                            for key in keys {
                                var subset: [Int]? = nil
                                var st = starts
                                if sp.period != nil {
                                    st = (0..<count).map { (starts?[$0] ?? true) && ev.split[$0] == key }
                                } else {
                                    subset = (0..<count).filter { ev.split[$0] == key }
                                }
                                let g = FunnelRunner.matchHeld(matcher, ev, subset: subset, startable: st, hold: ordHold != nil)
                                var group = local[key] ?? SplitGroup()
                                group.levels.append(UInt8(g.level))
                                var stepRows = [Int32](repeating: -1, count: n)
                                for (k, e) in g.assignment.enumerated() where e >= 0 && k < n { stepRows[k] = ev.rows[e] }
                                group.rows += stepRows
                                if group.sample < 0, let first = (subset ?? Array(0..<count)).first(where: { ev.split[$0] == key }) {
                                    group.sample = Int(ev.rows[first])
                                }
                                local[key] = group
                            }
                        }
                        if conversions {
                            lock.locked {
                                attempts.levels += localAttempts.levels
                                attempts.rows += localAttempts.rows
                                attemptOwner += localOwner
                            }
                        }
                        if split != nil {
                            lock.locked {
                                for (key, g) in local {
                                    var merged = splitGroups[key] ?? SplitGroup()
                                    merged.levels += g.levels
                                    merged.rows += g.rows
                                    if merged.sample < 0 { merged.sample = g.sample }
                                    splitGroups[key] = merged
                                }
                            }
                        }
                    }
                }
            }
        }
        let population = out.member.filter { $0 }.count
        if conversions {
            let records = Outcomes(steps: n, levels: attempts.levels, rows: attempts.rows, member: [Bool](repeating: true, count: attempts.levels.count))
            return summarize(records, owner: attemptOwner, population: population, masks: masks, passes: passes, startable: startable, eval: eval, splitGroups: splitGroups, index: index)
        }
        return summarize(out, owner: nil, population: population, masks: masks, passes: passes, startable: startable, eval: eval, splitGroups: splitGroups, index: index)
    }

    /// Groups of a splitting breakdown, from the split runs' outcomes.
    func splitResults(_ groups: [UInt64: SplitGroup], eval: VectorEvaluator, names: [String]) -> [GroupResult] {
        guard let sp = funnel.breakdown.first(where: \.splits) else { return [] }
        let n = funnel.steps.count
        let vec = sp.period == nil ? eval.field(sp.field) : nil
        var out: [(code: UInt64, result: GroupResult)] = []
        for (code, g) in groups {
            let outcomes = Outcomes(steps: n, levels: g.levels, rows: g.rows, member: [Bool](repeating: true, count: g.levels.count))
            let value: Value
            if sp.period != nil { value = .string(formatDate(Int64(bitPattern: code) * 86_400_000_000)) }
            else { value = code == FunnelRunner.missingKey || g.sample < 0 ? .null : (vec?.value(at: g.sample) ?? .null) }
            let steps = stepStats(outcomes, Array(0..<g.levels.count), names: names)
            if steps.first?.users ?? 0 > 0 { out.append((code, GroupResult(key: [(sp.label, value)], steps: steps))) }
        }
        if sp.period != nil { return out.sorted { Int64(bitPattern: $0.code) < Int64(bitPattern: $1.code) }.map(\.result) }
        return out.map(\.result).sorted { a, b in
            a.steps[0].users != b.steps[0].users ? a.steps[0].users > b.steps[0].users : a.key[0].value.description < b.key[0].value.description
        }
    }

    /// Figures from outcome records: one per actor, or (with `owner`) one per attempt of `owner[i]`.
    func summarize(_ out: Outcomes, owner: [Int]?, population: Int, masks: [UInt32], passes: [UInt8]?, startable: [Bool]?, eval: VectorEvaluator,
                   splitGroups: [UInt64: SplitGroup], index: ActorIndex) -> FunnelResult {
        let n = funnel.steps.count
        let isAny = funnel.order == .any
        let rowNames = isAny ? (1...n).map { "completed \($0) step\($0 == 1 ? "" : "s")" } : funnel.steps.map(\.name)
        let all = (0..<out.levels.count).filter { out.member[$0] }
        let steps = stepStats(out, all, names: rowNames)

        // Breakdown: a key per actor (first touch, at a step, or every value with `all`).
        var groups: [GroupResult] = []
        if funnel.breakdown.contains(where: \.splits) {
            groups = splitResults(splitGroups, eval: eval, names: rowNames)
        } else if !funnel.breakdown.isEmpty {
            let keyed = firstTouchGroups(funnel.breakdown.map { (eval.field($0.field), $0.at) }, out: out, owner: owner, actors: all,
                                         masks: masks, passes: passes, startable: startable, index: index)
            groups = keyed.map { key, rs in
                GroupResult(key: zip(funnel.breakdown.map(\.label), key).map { ($0, $1) }, steps: stepStats(out, rs, names: rowNames))
            }
            groups.sort { a, b in
                a.steps[0].users != b.steps[0].users ? a.steps[0].users > b.steps[0].users
                    : a.key.map { $0.value.description }.joined() < b.key.map { $0.value.description }.joined()
            }
        }
        var comparisons: [Comparison] = []
        var comparisonNote: String? = nil
        if let cmp = funnel.compare {
            let keyed = firstTouchGroups([(eval.field(cmp.field), nil)], out: out, owner: owner, actors: all,
                                         masks: masks, passes: passes, startable: startable, index: index)
            let stats = keyed.map { ($0.0[0], stepStats(out, $0.1, names: rowNames)) }.sorted { $0.1[0].users > $1.1[0].users }
            (comparisons, comparisonNote) = compare(stats, spec: cmp, names: rowNames)
        }
        // KPIs, then expects.
        let kpiContext = KPIContext(funnel: funnel, outcomes: out, actors: all, population: population, store: store, eval: eval)
        var kpiValues: [Double?] = []
        var kpis: [KPIResult] = []
        for k in funnel.kpis {
            let v = kpiContext.number(k.expr, kpis: kpiValues)
            kpiValues.append(v)
            kpis.append(KPIResult(name: k.name, value: v))
        }
        let expects = funnel.expects.map { e in
            ExpectResult(source: e.source, line: e.line, passed: kpiContext.truth(e.expr, kpis: kpiValues),
                         actual: kpiContext.number(e.actual, kpis: kpiValues))
        }
        return FunnelResult(name: funnel.name, windowSeconds: funnel.window.map { Double($0) / 1e6 }, order: funnel.order,
                            steps: steps, groups: groups, breakdownLabels: funnel.breakdown.map(\.label), kpis: kpis,
                            expects: expects, population: population, counting: countingLabel, skipped: store.skipped, eventsRead: store.count,
                            comparisons: comparisons, comparisonNote: comparisonNote)
    }

    /// Records grouped by the values of `keys` (first touch, or the event at a step), in order of first appearance.
    func firstTouchGroups(_ keys: [(vec: Vec, at: Int?)], out: Outcomes, owner: [Int]?, actors: [Int], masks: [UInt32],
                          passes: [UInt8]?, startable: [Bool]?, index: ActorIndex) -> [([Value], [Int])] {
        let need: UInt32 = funnel.order == .any ? ~0 : 1
        var byKey: [[Value]: [Int]] = [:]
        var keyOrder: [[Value]] = []
        for a in actors where out.levels[a] > 0 {
            var key: [Value] = []
            for (vec, at) in keys {
                var row: Int32 = -1
                if let step = at {
                    row = out.row(a, step)
                } else {
                    // First touch: the actor's first event that matches step 1 (any step for `any`) and may start an attempt.
                    let actor = owner?[a] ?? a
                    for k in index.start[actor]..<index.start[actor + 1] {
                        let r = Int(index.order[k])
                        if let p = passes, p[r] == 0 { continue }
                        if masks[r] & need != 0 && (startable?[r] ?? true) { row = Int32(r); break }
                    }
                }
                key.append(row < 0 ? .null : vec.value(at: Int(row)))
            }
            if byKey[key] == nil { keyOrder.append(key) }
            byKey[key, default: []].append(a)
        }
        return keyOrder.map { ($0, byKey[$0] ?? []) }
    }

    /// Each group against the baseline: overall conversion, then each step's conversion from the previous.
    func compare(_ groups: [(Value, [StepStats])], spec: CheckedCompare, names: [String]) -> ([Comparison], String?) {
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

    var countingLabel: String {
        if case .property(let p) = funnel.count { return p }
        return "users"
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
            if funnel.order == .any {
                let ts = (0..<n).map { out.row(a, $0) }.filter { $0 >= 0 }.map { time[Int($0)] }.sorted()
                for k in 1..<max(1, ts.count) { deltas[k].append(Double(ts[k] - ts[k - 1]) / 1e6) }
            } else {
                for k in 1..<max(1, min(level, n)) where out.row(a, k) >= 0 && out.row(a, k - 1) >= 0 {
                    deltas[k].append(Double(time[Int(out.row(a, k))] - time[Int(out.row(a, k - 1))]) / 1e6)
                }
            }
        }
        return (0..<n).map { k in
            let prev = k == 0 ? users[0] : users[k - 1]
            return StepStats(name: names[k], users: users[k],
                             fromStart: users[0] > 0 ? Double(users[k]) / Double(users[0]) : nil,
                             fromPrevious: k == 0 ? (users[0] > 0 ? 1 : nil) : (prev > 0 ? Double(users[k]) / Double(prev) : nil),
                             dropped: k == 0 ? 0 : prev - users[k],
                             droppedShare: k == 0 ? 0 : (prev > 0 ? Double(prev - users[k]) / Double(prev) : nil),
                             medianSecondsFromPrevious: k == 0 ? nil : Statistics.median(deltas[k]),
                             p90SecondsFromPrevious: k == 0 ? nil : Statistics.percentile(deltas[k], 0.9))
        }
    }
}

/// Evaluates KPI and expect expressions over the actors' results.
struct KPIContext {
    let funnel: CheckedFunnel
    let outcomes: FunnelRunner.Outcomes
    let actors: [Int]
    let population: Int
    let store: EventStore
    let eval: VectorEvaluator

    /// Actors at step k: level >= k+1 (ordered), or step k matched (any).
    func usersAt(_ k: Int) -> Int {
        if funnel.order == .any { return actors.filter { outcomes.row($0, k) >= 0 }.count }
        return actors.filter { Int(outcomes.levels[$0]) > k }.count
    }

    func number(_ e: KPIExpr, kpis: [Double?]) -> Double? {
        switch e {
        case .number(let x): return x
        case .stepUsers(let k): return Double(usersAt(k))
        case .population: return Double(population)
        case .kpi(let i): return i < kpis.count ? kpis[i] : nil
        case .stepAggregate(let kind, let step, let valueExpr):
            let vec = eval.eval(valueExpr)
            var xs: [Double] = []
            for a in actors where outcomes.row(a, step) >= 0 {
                let row = Int(outcomes.row(a, step))
                switch vec {
                case .numbers(let v): if !v[row].isNaN { xs.append(v[row]) }
                case .constant(.number(let c)): xs.append(c)
                default: break
                }
            }
            return aggregate(kind, xs)
        case .timeBetween(let kind, let from, let to):
            var xs: [Double] = []
            for a in actors where Int(outcomes.levels[a]) > to && outcomes.row(a, to) >= 0 && outcomes.row(a, from) >= 0 {
                xs.append(Double(store.time[Int(outcomes.row(a, to))] - store.time[Int(outcomes.row(a, from))]) / 1e6)
            }
            return aggregate(kind, xs)
        case .arith(let op, let a, let b):
            guard let x = number(a, kpis: kpis), let y = number(b, kpis: kpis) else { return nil }
            let v = VectorEvaluator.apply(op, x, y)
            return v.isNaN || v.isInfinite ? nil : v
        case .negate(let a): return number(a, kpis: kpis).map { -$0 }
        case .compare, .between, .and, .or, .not: return truth(e, kpis: kpis) ? 1 : 0
        }
    }

    func truth(_ e: KPIExpr, kpis: [Double?]) -> Bool {
        switch e {
        case .compare(let op, let a, let b):
            guard let x = number(a, kpis: kpis), let y = number(b, kpis: kpis) else { return false }
            return VectorEvaluator.test(op, x, y)
        case .between(let a, let lo, let hi):
            guard let x = number(a, kpis: kpis), let l = number(lo, kpis: kpis), let h = number(hi, kpis: kpis) else { return false }
            return x >= l && x <= h
        case .and(let a, let b): return truth(a, kpis: kpis) && truth(b, kpis: kpis)
        case .or(let a, let b): return truth(a, kpis: kpis) || truth(b, kpis: kpis)
        case .not(let a): return !truth(a, kpis: kpis)
        default: return (number(e, kpis: kpis) ?? 0) != 0
        }
    }

    func aggregate(_ kind: AggregateKind, _ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        switch kind {
        case .sum: return xs.reduce(0, +)
        case .avg: return xs.reduce(0, +) / Double(xs.count)
        case .min: return xs.min()
        case .max: return xs.max()
        case .median: return Statistics.median(xs)
        case .p90: return Statistics.percentile(xs, 0.9)
        default: return nil
        }
    }
}
