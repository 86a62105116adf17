import FunnelCore
import FunnelEngine
import FunnelPlan
import PropertyBased
import Testing

/// The engine's exclusion search against the oracle on random small streams dense in ties,
/// excluded events, window edges and events that match several steps: level, removal and the
/// best assignment must all agree.
struct ExclusionPropertyTests {
    /// events: [time, step mask, exclusion mask, startable draw]; shape: steps, window, rules, effects, within, ties.
    static let events = zip(Gen.int(in: 0...10), Gen.int(in: 0...15), Gen.int(in: 0...3), Gen.int(in: 0...8))
        .map { [$0, $1, $2, $3] }.array(of: 1...8)
    static let shape = Gen.int(in: 0...60).array(of: 10)

    static func check(_ evs: [[Int]], _ sh: [Int], order: MatchOrder) {
        let steps = 2 + sh[0] % 3
        let sorted = evs.sorted { $0[0] < $1[0] }     // stable: equal times keep their rows
        let times = sorted.map { Int64($0[0]) }
        let masks = sorted.map { UInt32($0[1]) & ((1 << UInt32(steps)) - 1) }
        let ruleCount = 1 + sh[1] % 2
        let excluded = sorted.map { UInt32($0[2]) & ((1 << UInt32(ruleCount)) - 1) }
        let startable: [Bool]? = sh[2] % 4 == 0 ? sorted.map { $0[3] % 3 != 0 } : nil
        let window: Int64? = sh[3] % 4 == 0 ? nil : Int64(sh[3] % 9)
        var within: [Int64?] = [nil]
        for k in 1..<steps { within.append(sh[4] % 3 == 0 && (sh[5] + k) % 2 == 0 ? Int64(sh[5 + k % 3] % 5) : nil) }
        let config = MatchConfig(steps: steps, window: window, within: within, order: order, tiesStrict: sh[8] % 3 == 0)
        let rules = (0..<ruleCount).map { x -> ExclusionRule in
            let a = sh[6 + x] % steps, b = min(steps - 1, a + 1 + sh[7 + x] % steps)
            let whole = a == b || sh[9] % 4 == 0
            return ExclusionRule(from: whole ? 0 : a, to: whole ? steps - 1 : b, remove: (sh[9] + x) % 3 == 0)
        }
        let fast = Matcher(config).match(times: times, masks: masks, excluded: excluded, rules: rules, startable: startable)
        let events = times.indices.map {
            Oracle.Event(time: times[$0], row: $0, steps: masks[$0], startable: startable?[$0] ?? true, excluded: excluded[$0])
        }
        let oracle = Oracle.evaluate(events, Oracle.Config(match: config,
            exclusions: rules.map { Oracle.Exclusion(from: $0.from, to: $0.to, effect: $0.remove ? .remove : .stop) }))
        let scenario = "times=\(times) masks=\(masks) excluded=\(excluded) startable=\(String(describing: startable)) config=\(config) rules=\(rules)"
        #expect(fast.level == oracle.level, "level: \(scenario)")
        #expect(fast.removed == oracle.removed, "removed: \(scenario)")
        #expect(fast.assignment == oracle.assignment, "assignment \(fast.assignment) vs \(oracle.assignment): \(scenario)")
    }

    @Test func orderedExclusionsMatchTheOracle() async {
        await propertyCheck(count: 3000, input: Self.events, Self.shape) { ev, sh in Self.check(ev, sh, order: .ordered) }
    }

    @Test func strictExclusionsMatchTheOracle() async {
        await propertyCheck(count: 3000, input: Self.events, Self.shape) { ev, sh in Self.check(ev, sh, order: .strict) }
    }
}
