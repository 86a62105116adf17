import FunnelCore
import FunnelPlan

/// What KPI and expect expressions read: actors per step, the population, a value at a step of
/// each actor's best assignment, and times between two steps. The native engine reads them from
/// its outcomes (`KPIContext`), a SQL backend from its query's result; both evaluate them here.
public protocol KPIInputs {
    /// Actors at step k (0-based).
    func usersAt(_ k: Int) -> Int
    var population: Int { get }
    /// The numbers of `value` at the events matched to `step` (missing values left out).
    func values(at step: Int, of value: EventExpr) -> [Double]
    /// The numbers of a user value (a measure) of the actors at `step`, once per actor (missing left out).
    func userValues(at step: Int, of value: UserExpr) -> [Double]
    /// Seconds from step `from` to step `to`, for the actors who reached `to`.
    func seconds(from: Int, to: Int) -> [Double]
}

/// Evaluates KPI and expect expressions over the figures of a funnel's actors.
public struct KPIEvaluator {
    let inputs: any KPIInputs
    public init(_ inputs: any KPIInputs) { self.inputs = inputs }

    /// Every KPI, then every expect, of the funnel.
    public func evaluate(_ funnel: PlannedFunnel) -> (kpis: [KPIResult], expects: [ExpectResult]) {
        let kpis = kpiResults(funnel)
        let values = kpis.map(\.value)
        let expects = funnel.expects.map { check($0, kpis: values) }
        return (kpis, expects)
    }

    /// Every KPI in order (a KPI may read the ones before it).
    func kpiResults(_ funnel: PlannedFunnel) -> [KPIResult] {
        var values: [Double?] = []
        var kpis: [KPIResult] = []
        for k in funnel.kpis {
            let v = number(k.expr, kpis: values)
            values.append(v)
            kpis.append(KPIResult(name: k.name, value: v))
        }
        return kpis
    }

    /// One expect over these inputs, given the KPIs' values.
    func check(_ e: PlannedExpect, kpis values: [Double?]) -> ExpectResult {
        var r = ExpectResult(source: e.source, line: e.line, passed: truth(e.condition, kpis: values),
                             actual: number(e.actual, kpis: values), reading: e.reading)
        r.forEach = e.forEach
        return r
    }

    /// A breakdown group's KPIs and its checks of the `for each` expects (the inputs are the group's).
    public func evaluateGroup(_ funnel: PlannedFunnel) -> (kpis: [KPIResult], checks: [ExpectResult?]) {
        let kpis = kpiResults(funnel)
        let values = kpis.map(\.value)
        return (kpis, funnel.expects.map { $0.forEach == nil ? nil : check($0, kpis: values) })
    }

    /// The funnel's `for each` expects from its groups' checks: each holds when it holds in every
    /// group; its actual value is the first failing group's (else the whole funnel's).
    public static func foldGroupChecks(_ expects: inout [ExpectResult], groups: [GroupResult]) {
        for j in expects.indices where expects[j].forEach != nil {
            expects[j].groups = groups.compactMap { g in
                guard j < g.checks.count, let c = g.checks[j] else { return nil }
                return GroupCheck(group: g.label, passed: c.passed, actual: c.actual)
            }
            expects[j].passed = expects[j].groups.allSatisfy(\.passed)
            if let failed = expects[j].failedGroups.first { expects[j].actual = failed.actual }
        }
    }

    func number(_ e: KPIExpr, kpis: [Double?]) -> Double? {
        switch e {
        case .number(let x): return x
        case .stepUsers(let k): return Double(inputs.usersAt(k))
        case .population: return Double(inputs.population)
        case .kpi(let i): return i < kpis.count ? kpis[i] : nil
        case .biggestDrop(let part, let steps): return biggestDrop(part, steps: steps)
        case .stepAggregate(let kind, let step, let valueExpr): return KPIEvaluator.aggregate(kind, inputs.values(at: step, of: valueExpr))
        case .stepUserAggregate(let kind, let step, let valueExpr): return KPIEvaluator.aggregate(kind, inputs.userValues(at: step, of: valueExpr))
        case .timeBetween(let kind, let from, let to): return KPIEvaluator.aggregate(kind, inputs.seconds(from: from, to: to))
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

    /// `BiggestDrop`'s rule over these inputs' users per step; nil when no step has a share.
    func biggestDrop(_ part: BiggestDropPart, steps: Int) -> Double? {
        guard let b = BiggestDrop.largest(users: (0..<steps).map(inputs.usersAt)) else { return nil }
        switch part {
        case .share: return b.share
        case .users: return Double(b.lost)
        case .step: return Double(b.step + 1)
        }
    }

    static func aggregate(_ kind: AggregateKind, _ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        // Summed in ascending order: the same bits whatever order the actors came in (the native
        // engine's actor order, a SQL engine's list order).
        let xs = values.sorted()
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

/// The native engine's KPI inputs: its outcomes over the store.
struct KPIContext: KPIInputs {
    let funnel: PlannedFunnel
    let outcomes: FunnelRunner.Outcomes
    let actors: [Int]
    let population: Int
    let store: EventStore
    let eval: VectorEvaluator
    /// The KPIs' user values (measures), per user: computed once per run, read by every group.
    var userNumbers: [UserExpr: [Double]] = [:]

    /// Actors at step k: level >= k+1 (ordered), or step k matched (any).
    func usersAt(_ k: Int) -> Int {
        if funnel.match.order == .any { return actors.filter { outcomes.row($0, k) >= 0 }.count }
        return actors.filter { Int(outcomes.levels[$0]) > k }.count
    }

    func values(at step: Int, of value: EventExpr) -> [Double] {
        let vec = eval.eval(value)
        var xs: [Double] = []
        for a in actors where outcomes.row(a, step) >= 0 {
            let row = Int(outcomes.row(a, step))
            switch vec {
            case .numbers(let v): if !v[row].isNaN { xs.append(v[row]) }
            case .constant(.number(let c)): xs.append(c)
            default: break
            }
        }
        return xs
    }

    func userValues(at step: Int, of value: UserExpr) -> [Double] {
        let perUser = userNumbers[value] ?? []
        // Once per user, also when attempts (or another property's values) are counted.
        var seen = Set<Int>()
        var xs: [Double] = []
        for a in actors where outcomes.row(a, step) >= 0 {
            let user = Int(store.actor[Int(outcomes.row(a, step))])
            if user < perUser.count, !perUser[user].isNaN, seen.insert(user).inserted { xs.append(perUser[user]) }
        }
        return xs
    }

    func seconds(from: Int, to: Int) -> [Double] {
        var xs: [Double] = []
        for a in actors where Int(outcomes.levels[a]) > to && outcomes.row(a, to) >= 0 && outcomes.row(a, from) >= 0 {
            xs.append(Double(store.time[Int(outcomes.row(a, to))] - store.time[Int(outcomes.row(a, from))]) / 1e6)
        }
        return xs
    }
}
