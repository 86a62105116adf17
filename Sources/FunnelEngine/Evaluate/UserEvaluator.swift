import FunnelCore

/// Evaluates user expressions (`segment`, `for`) once per actor over the actor's whole
/// history (before `where`): aggregates first, column-wise, then the expression per actor.
struct UserEvaluator {
    let store: EventStore
    let evaluator: VectorEvaluator
    /// "Now" for recency.
    let asOf: Int64

    init(store: EventStore, evaluator: VectorEvaluator, asOf: Int64) {
        self.store = store; self.evaluator = evaluator; self.asOf = asOf
    }

    /// True per actor.
    func truth(_ e: UserExpr) -> [Bool] {
        values(e).map { if case .bool(true) = $0 { return true } else { return false } }
    }

    func values(_ e: UserExpr) -> [Value] {
        let n = store.actorCount
        switch e {
        case .literal(let v): return [Value](repeating: v, count: n)
        case .profile(let p, _):
            guard let col = evaluator.profile?.columns[p], let rows = evaluator.profileRows else { return [Value](repeating: .null, count: n) }
            return rows.map { $0 < 0 ? .null : col.value(at: Int($0)) }
        case .aggregate(let kind, let valueExpr, let filter):
            return aggregate(kind, valueExpr, filter)
        case .compare(let op, let a, let b):
            return zip(values(a), values(b)).map { .bool(VectorEvaluator.compareValues(op, $0, $1)) }
        case .inList(let a, let set, let negated):
            let s = Set(set)
            return values(a).map { v in v == .null ? .bool(false) : .bool(s.contains(v) != negated) }
        case .isNull(let a, let negated):
            return values(a).map { .bool(($0 == .null) != negated) }
        case .and(let a, let b):
            return zip(values(a), values(b)).map { .bool($0 == .bool(true) && $1 == .bool(true)) }
        case .or(let a, let b):
            return zip(values(a), values(b)).map { .bool($0 == .bool(true) || $1 == .bool(true)) }
        case .not(let a):
            return values(a).map { .bool($0 != .bool(true)) }
        case .arith(let op, let a, let b):
            return zip(values(a), values(b)).map { x, y in
                switch (x, y) {
                case (.number(let p), .number(let q)):
                    let r = VectorEvaluator.apply(op, p, q); return r.isNaN ? .null : .number(r)
                case (.duration(let p), .duration(let q)):
                    return op == .add ? .duration(p + q) : (op == .sub ? .duration(p - q) : .null)
                default: return .null
                }
            }
        case .negate(let a):
            return values(a).map { v in
                switch v {
                case .number(let x): return .number(-x)
                case .duration(let d): return .duration(-d)
                default: return .null
                }
            }
        case .tier(_, let cases, let otherwise):
            // The first case that holds wins.
            var out = [Value](repeating: otherwise.map { .string($0) } ?? .null, count: n)
            var decided = [Bool](repeating: false, count: n)
            for c in cases {
                for (a, holds) in truth(c.condition).enumerated() where holds && !decided[a] {
                    out[a] = .string(c.label)
                    decided[a] = true
                }
            }
            return out
        case .customer(let m):
            return CustomerMeasures(store: store, evaluator: evaluator, asOf: asOf).values(m)
        }
    }

    func aggregate(_ kind: AggregateKind, _ valueExpr: EventExpr?, _ filter: EventExpr?) -> [Value] {
        let n = store.actorCount
        let pass = filter.map { evaluator.predicate($0) }
        let vec = valueExpr.map { evaluator.eval($0) }
        let index = store.byActor
        var out = [Value](repeating: .null, count: n)
        for a in 0..<n {
            var count = 0
            var sum = 0.0, lo = Double.infinity, hi = -Double.infinity
            var firstRow = -1, lastRow = -1
            var lastTime = Int64.min
            for k in index.start[a]..<index.start[a + 1] {
                let r = Int(index.order[k])
                if let p = pass, p[r] == 0 { continue }
                var v: Value = .null
                if let vec = vec {
                    v = vec.value(at: r)
                    if v == .null { continue }
                }
                count += 1
                if firstRow < 0 { firstRow = r }
                lastRow = r
                lastTime = max(lastTime, store.time[r])
                if case .number(let x) = v { sum += x; lo = min(lo, x); hi = max(hi, x) }
            }
            switch kind {
            case .count: out[a] = .number(Double(count))
            case .recency: out[a] = count == 0 ? .null : .duration(asOf - lastTime)
            case .sum: out[a] = .number(sum)
            case .avg: out[a] = count == 0 ? .null : .number(sum / Double(count))
            case .min:
                if let vec = vec, case .numbers = vec { out[a] = count == 0 ? .null : .number(lo) }
                else { out[a] = count == 0 ? .null : minMaxOther(vec, a, pass, max: false) }
            case .max:
                if let vec = vec, case .numbers = vec { out[a] = count == 0 ? .null : .number(hi) }
                else { out[a] = count == 0 ? .null : minMaxOther(vec, a, pass, max: true) }
            case .first: out[a] = firstRow < 0 ? .null : (vec.map { $0.value(at: firstRow) } ?? .null)
            case .last: out[a] = lastRow < 0 ? .null : (vec.map { $0.value(at: lastRow) } ?? .null)
            default: out[a] = .null
            }
        }
        return out
    }

    /// min/max of non-numeric values (times, strings) for one actor.
    func minMaxOther(_ vec: Vec?, _ a: Int, _ pass: [UInt8]?, max wantMax: Bool) -> Value {
        guard let vec = vec else { return .null }
        let index = store.byActor
        var best: Value = .null
        for k in index.start[a]..<index.start[a + 1] {
            let r = Int(index.order[k])
            if let p = pass, p[r] == 0 { continue }
            let v = vec.value(at: r)
            if v == .null { continue }
            if best == .null || VectorEvaluator.compareValues(wantMax ? .gt : .lt, v, best) { best = v }
        }
        return best
    }
}
