import FunnelCore

/// RFM scores and CLV per user (`rfm(…).r`, `clv(…).predicted`), as `CustomerMeasure` defines them,
/// over each user's whole history up to the as-of time.
struct CustomerMeasures {
    let store: EventStore
    let evaluator: VectorEvaluator
    let asOf: Int64

    /// Per user: purchases, the sum of their values, the last purchase and the first event.
    struct Facts {
        var orders = 0
        var total = 0.0
        var lastPurchase = Int64.min
        var firstEvent = Int64.max
    }

    func facts(_ m: CustomerMeasure) -> [Facts] {
        let purchase = evaluator.predicate(m.purchase)
        let value = evaluator.eval(m.value)
        let index = store.byActor
        var out = [Facts](repeating: Facts(), count: store.actorCount)
        for a in 0..<store.actorCount {
            var f = Facts()
            for k in index.start[a]..<index.start[a + 1] {
                let r = Int(index.order[k])
                let t = store.time[r]
                // Only the history up to the as-of time counts.
                if t > asOf { continue }
                f.firstEvent = min(f.firstEvent, t)
                guard purchase[r] == 1 else { continue }
                f.orders += 1
                f.lastPurchase = max(f.lastPurchase, t)
                if case .number(let x) = value.value(at: r) { f.total += x }
            }
            out[a] = f
        }
        return out
    }

    func values(_ m: CustomerMeasure) -> [Value] {
        let all = facts(m)
        return m.part.isRFM ? rfm(all, m.part) : clv(all, m)
    }

    /// Scores 1–5 by quintiles over the buyers: 1 + ⌊5 × (buyers with a worse value) / buyers⌋.
    static func scores(_ xs: [Double], higherIsBetter: Bool) -> [Int] {
        let sorted = xs.sorted()
        let n = xs.count
        return xs.map { x in
            // Buyers with a worse value: smaller when higher is better, larger otherwise.
            let worse = higherIsBetter ? lowerBound(sorted, x) : n - upperBound(sorted, x)
            return 1 + min(4, 5 * worse / max(n, 1))
        }
    }

    static func lowerBound(_ xs: [Double], _ x: Double) -> Int {
        var lo = 0, hi = xs.count
        while lo < hi { let mid = (lo + hi) / 2; if xs[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    static func upperBound(_ xs: [Double], _ x: Double) -> Int {
        var lo = 0, hi = xs.count
        while lo < hi { let mid = (lo + hi) / 2; if xs[mid] <= x { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    func rfm(_ all: [Facts], _ part: CustomerMeasure.Part) -> [Value] {
        let buyers = all.indices.filter { all[$0].orders > 0 }
        let r = CustomerMeasures.scores(buyers.map { Double(asOf - all[$0].lastPurchase) }, higherIsBetter: false)
        let f = CustomerMeasures.scores(buyers.map { Double(all[$0].orders) }, higherIsBetter: true)
        let m = CustomerMeasures.scores(buyers.map { all[$0].total }, higherIsBetter: true)
        var out = [Value](repeating: .null, count: all.count)
        for (i, a) in buyers.enumerated() {
            switch part {
            case .r: out[a] = .number(Double(r[i]))
            case .f: out[a] = .number(Double(f[i]))
            case .m: out[a] = .number(Double(m[i]))
            case .score: out[a] = .string("\(r[i])\(f[i])\(m[i])")
            case .segment: out[a] = .string(CustomerMeasure.segment(r: r[i], f: f[i]))
            default: break
            }
        }
        return out
    }

    /// Historic revenue, and the predicted value: average order × orders per year × lifetime.
    func clv(_ all: [Facts], _ m: CustomerMeasure) -> [Value] {
        let year = 365.0 * 86_400_000_000, floor = 30.0 * 86_400_000_000
        return all.map { f in
            let tenure = f.firstEvent == .max ? floor : max(floor, Double(asOf - f.firstEvent))
            let perYear = Double(f.orders) / (tenure / year)
            let aov: Double? = f.orders > 0 ? f.total / Double(f.orders) : nil
            switch m.part {
            case .historic: return .number(f.total)
            case .orders: return .number(Double(f.orders))
            case .aov: return aov.map { .number($0) } ?? .null
            case .frequency: return .number(perYear)
            case .predicted: return .number((aov ?? 0) * perYear * Double(m.lifetimeDays) / 365)
            default: return .null
            }
        }
    }
}
