import FunnelCore
import FunnelPlan

/// Evaluates KPI and expect expressions over the actors' results.
struct KPIContext {
    let funnel: PlannedFunnel
    let outcomes: FunnelRunner.Outcomes
    let actors: [Int]
    let population: Int
    let store: EventStore
    let eval: VectorEvaluator

    /// Actors at step k: level >= k+1 (ordered), or step k matched (any).
    func usersAt(_ k: Int) -> Int {
        if funnel.match.order == .any { return actors.filter { outcomes.row($0, k) >= 0 }.count }
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
