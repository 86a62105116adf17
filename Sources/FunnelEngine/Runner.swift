import Dispatch
import FunnelSema

/// Runs one checked funnel over a loaded store: predicates once per event, then the
/// matcher per actor (actors split across cores), then the figures.
public struct FunnelRunner {
    public let funnel: CheckedFunnel
    public let store: EventStore
    public let profile: ProfileTable?
    /// "Now" for `recency` (default: the latest event time).
    public let asOf: Int64?

    public init(funnel: CheckedFunnel, store: EventStore, profile: ProfileTable?, asOf: Int64? = nil) {
        self.funnel = funnel; self.store = store; self.profile = profile; self.asOf = asOf
    }

    /// Per actor: the level and, per step, the row of the event in the best assignment (-1 if none).
    struct ActorResult { var level: Int; var rows: [Int32] }

    public func run() -> FunnelResult {
        let eval = VectorEvaluator(store: store, profile: profile)
        let n = funnel.steps.count
        // Step masks, once per event.
        var masks = [UInt32](repeating: 0, count: store.count)
        for (k, step) in funnel.steps.enumerated() {
            let bit: UInt32 = 1 << UInt32(k)
            let p = eval.predicate(step.predicate)
            for i in 0..<store.count where p[i] == 1 { masks[i] |= bit }
        }
        let passes: [UInt8]? = funnel.wherePredicate.map { eval.predicate($0) }
        var startable: [Bool]? = nil
        if let (a, b) = funnel.dates { startable = store.time.map { $0 >= a && $0 <= b } }
        let inPopulation: [Bool]? = funnel.population.map {
            UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime).truth($0)
        }
        let config = MatchConfig(steps: n, window: funnel.window, within: funnel.steps.map(\.within),
                                 order: funnel.order, tiesStrict: funnel.tiesStrict)
        let index = store.byActor
        let actorCount = store.actorCount
        // Strict funnels need every event (a non-step event breaks the chain); the others only step events.
        let keepAll = funnel.order == .strict
        var results = [ActorResult](repeating: ActorResult(level: 0, rows: []), count: actorCount)
        var member = [Bool](repeating: false, count: actorCount)
        let parts = max(1, min(64, actorCount / 2048 + 1))
        let lock = NSLockLike()
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lo = actorCount * part / parts, hi = actorCount * (part + 1) / parts
            let matcher = Matcher(config)
            var times: [Int64] = [], ms: [UInt32] = [], rows: [Int32] = [], starts: [Bool] = []
            var local: [(Int, ActorResult, Bool)] = []
            for a in lo..<hi {
                if let pop = inPopulation, !pop[a] { continue }
                times.removeAll(keepingCapacity: true); ms.removeAll(keepingCapacity: true)
                rows.removeAll(keepingCapacity: true); starts.removeAll(keepingCapacity: true)
                var present = false
                for k in index.start[a]..<index.start[a + 1] {
                    let r = Int(index.order[k])
                    if let p = passes, p[r] == 0 { continue }
                    present = true
                    let m = masks[r]
                    if m == 0 && !keepAll { continue }
                    times.append(store.time[r]); ms.append(m); rows.append(Int32(r))
                    if let s = startable { starts.append(s[r]) }
                }
                if !present { continue }
                let out = matcher.match(times: times, masks: ms, startable: startable == nil ? nil : starts)
                var stepRows = [Int32](repeating: -1, count: n)
                for (k, e) in out.assignment.enumerated() where e >= 0 && k < n { stepRows[k] = rows[e] }
                local.append((a, ActorResult(level: out.level, rows: stepRows), true))
            }
            lock.locked { for (a, r, m) in local { results[a] = r; member[a] = m } }
        }
        return summarize(results: results, member: member, masks: masks, passes: passes, eval: eval)
    }

    func summarize(results: [ActorResult], member: [Bool], masks: [UInt32], passes: [UInt8]?, eval: VectorEvaluator) -> FunnelResult {
        let n = funnel.steps.count
        let population = member.filter { $0 }.count
        let isAny = funnel.order == .any
        let rowNames = isAny ? (1...n).map { "completed \($0) step\($0 == 1 ? "" : "s")" } : funnel.steps.map(\.name)
        let all = (0..<results.count).filter { member[$0] }
        let steps = stepStats(all.map { results[$0] }, names: rowNames)

        // Breakdown: a key per actor (first touch, at a step, or every value with `all`).
        var groups: [GroupResult] = []
        if !funnel.breakdown.isEmpty {
            let vecs = funnel.breakdown.map { eval.field($0.field) }
            var byKey: [[Value]: [ActorResult]] = [:]
            var keyOrder: [[Value]] = []
            let index = store.byActor
            for a in all where results[a].level > 0 {
                var key: [Value] = []
                for (b, spec) in funnel.breakdown.enumerated() {
                    var row: Int32 = -1
                    if let step = spec.at {
                        row = results[a].rows[step]
                    } else {
                        // First touch: the actor's first event matching step 1 (any step for `any`).
                        let need: UInt32 = isAny ? ~0 : 1
                        for k in index.start[a]..<index.start[a + 1] {
                            let r = Int(index.order[k])
                            if let p = passes, p[r] == 0 { continue }
                            if masks[r] & need != 0 { row = Int32(r); break }
                        }
                    }
                    key.append(row < 0 ? .null : value(vecs[b], Int(row)))
                }
                if byKey[key] == nil { keyOrder.append(key) }
                byKey[key, default: []].append(results[a])
            }
            for key in keyOrder {
                let rs = byKey[key] ?? []
                groups.append(GroupResult(key: zip(funnel.breakdown.map(\.label), key).map { ($0, $1) }, steps: stepStats(rs, names: rowNames)))
            }
            groups.sort { a, b in
                a.steps[0].users != b.steps[0].users ? a.steps[0].users > b.steps[0].users
                    : a.key.map { $0.value.description }.joined() < b.key.map { $0.value.description }.joined()
            }
        }
        // KPIs, then expects.
        let kpiContext = KPIContext(funnel: funnel, results: all.map { results[$0] }, population: population, store: store, eval: eval)
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
                            expects: expects, population: population, skipped: store.skipped, eventsRead: store.count)
    }

    func value(_ v: Vec, _ row: Int) -> Value {
        switch v {
        case .strings(let c, let d): return c[row] == missingCode ? .null : .string(d[Int(c[row])])
        case .numbers(let x): return x[row].isNaN ? .null : .number(x[row])
        case .bools(let b): return b[row] == 2 ? .null : .bool(b[row] == 1)
        case .times(let t): return t[row] == missingTime ? .null : .time(t[row])
        case .constant(let c): return c
        }
    }

    /// Users per row, conversion, drop-off and time from the previous step.
    func stepStats(_ rs: [ActorResult], names: [String]) -> [StepStats] {
        let n = names.count
        var users = [Int](repeating: 0, count: n)
        var deltas = [[Double]](repeating: [], count: n)
        let time = store.time
        for r in rs {
            for k in 0..<min(r.level, n) { users[k] += 1 }
            if funnel.order == .any {
                let ts = r.rows.filter { $0 >= 0 }.map { time[Int($0)] }.sorted()
                for k in 1..<max(1, ts.count) { deltas[k].append(Double(ts[k] - ts[k - 1]) / 1e6) }
            } else {
                for k in 1..<max(1, min(r.level, n)) where r.rows[k] >= 0 && r.rows[k - 1] >= 0 {
                    deltas[k].append(Double(time[Int(r.rows[k])] - time[Int(r.rows[k - 1])]) / 1e6)
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
    let results: [FunnelRunner.ActorResult]
    let population: Int
    let store: EventStore
    let eval: VectorEvaluator

    /// Actors at step k: level >= k+1 (ordered), or step k matched (any).
    func usersAt(_ k: Int) -> Int {
        if funnel.order == .any { return results.filter { k < $0.rows.count && $0.rows[k] >= 0 }.count }
        return results.filter { $0.level > k }.count
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
            for r in results where step < r.rows.count && r.rows[step] >= 0 {
                let row = Int(r.rows[step])
                switch vec {
                case .numbers(let v): if !v[row].isNaN { xs.append(v[row]) }
                case .constant(.number(let c)): xs.append(c)
                default: break
                }
            }
            return aggregate(kind, xs)
        case .timeBetween(let kind, let from, let to):
            var xs: [Double] = []
            for r in results where r.level > to && r.rows[to] >= 0 && r.rows[from] >= 0 {
                xs.append(Double(store.time[Int(r.rows[to])] - store.time[Int(r.rows[from])]) / 1e6)
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
