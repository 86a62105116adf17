import FunnelCore
import FunnelEngine
import PropertyBased
import Testing

/// A predicate over one text column is evaluated once per dictionary value and then looked up per
/// event (`VectorEvaluator.truthByCode`). On random predicates — comparisons, lists, string tests,
/// null tests, and/or/not — over a column with missing values, it must select exactly the events
/// the per-event evaluation selects (forced by a conjunct over time, which is always true).
struct TruthByCodePropertyTests {
    static let values = ["mobile", "desktop", "tablet", "", "Mobile", "mob"]
    static let atoms = Gen.int(in: 0...9)
    static let tree = zip(Self.atoms.array(of: 1...4), Gen.int(in: 0...3).array(of: 3), Gen.int(in: 0...5).array(of: 4))

    static func atom(_ kind: Int, _ v: Int) -> String {
        let s = "\"\(values[v % 4 == 3 ? 0 : v % values.count])\""
        switch kind {
        case 0: return "device == \(s)"
        case 1: return "device != \(s)"
        case 2: return "device < \(s)"
        case 3: return "device in [\(s), \"tablet\"]"
        case 4: return "device not in [\(s)]"
        case 5: return "device contains \"ob\""
        case 6: return "device starts_with \"m\""
        case 7: return "device == null"
        case 8: return "device != null"
        default: return "device matches \"^(mob|tab)\""
        }
    }

    @Test func lookupsEqualThePerEventEvaluation() async {
        let rows = (0..<60).map { i in "u\(i),\(Harness.t(i)),e,\(Self.values[i % Self.values.count])" }
        await propertyCheck(count: 150, input: Self.tree) { kinds, joins, vals in
            var pred = Self.atom(kinds[0], vals[0])
            for (i, k) in kinds.dropFirst().enumerated() {
                let next = Self.atom(k, vals[(i + 1) % vals.count])
                switch joins[i % joins.count] {
                case 0: pred = "(\(pred)) and (\(next))"
                case 1: pred = "(\(pred)) or (\(next))"
                case 2: pred = "not (\(pred)) or (\(next))"
                default: pred = "(\(pred)) and not (\(next))"
                }
            }
            let fast = Harness.counts("funnel f { step s = \(pred) }", rows, extra: ["device"])
            let slow = Harness.counts("funnel f { step s = (\(pred)) and time >= 2000-01-01 }", rows, extra: ["device"])
            #expect(fast == slow, "\(pred)")
            #expect(!fast.isEmpty, "\(pred)")
        }
    }
}
