import Foundation
import FunnelCore
import FunnelDriver
import FunnelEngine
import FunnelPlan
import FunnelTestSupport
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

    /// How many cases: `normal`, or FUNNEL_PROPERTY_COUNT for a one-off longer run.
    static func count(_ normal: Int) -> Int {
        ProcessInfo.processInfo.environment["FUNNEL_PROPERTY_COUNT"].flatMap { Int($0) } ?? normal
    }

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

    /// `order any`: the rules' steps do not apply (an exclusion covers the whole attempt); ties
    /// strict a third of the time, `startable` per event a quarter of the time, window none a quarter.
    @Test func anyExclusionsMatchTheOracle() async {
        await propertyCheck(count: Self.count(4000), input: Self.events, Self.shape) { ev, sh in Self.check(ev, sh, order: .any) }
    }
}

/// Exclusions through the whole pipeline against the oracle, user by user: random multi-user
/// files in shuffled order, dense in ties, with `stop` and `remove`, `between` pairs, two
/// exclusions, strict and any order, `window none`, and `hold` with missing values.
struct ExclusionPipelineTests {
    static let events = zip(Gen.int(in: 0...4), Gen.int(in: 0...8), Gen.int(in: 0...4), Gen.int(in: 0...1000), Gen.int(in: 0...3))
        .map { [$0, $1, $2, $3, $4] }.array(of: 1...24)
    static let shape = Gen.int(in: 0...30).array(of: 6)

    @Test func countsMatchTheOraclePerUser() async throws {
        let dir = TestSupport.temporaryFolder("exclusions")
        await propertyCheck(count: ExclusionPropertyTests.count(300), input: Self.events, Self.shape) { evs, shape in
            let names = ["a", "b", "c", "x", "y"], accts = ["", "k1", "k2", "k3"]
            let rows = evs.enumerated().sorted { ($0.element[3], $0.offset) < ($1.element[3], $1.offset) }.map(\.element)
            var csv = "user,time,event,acct\n"
            for r in rows { csv += "u\(r[0]),\(1_704_067_200 + r[1]),\(names[r[2]]),\(accts[r[4]])\n" }
            try? csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
            let order: MatchOrder = [.ordered, .strict, .any][shape[0] % 3]
            let hold = shape[1] % 3 == 0
            let stepNames = ["sa", "sb", "sc"]
            var rules: [Oracle.Exclusion] = []
            var clauses: [String] = []
            for (x, name) in ["x", "y"].enumerated() where x == 0 || shape[2] % 2 == 0 {
                let a = (shape[3] + x) % 3, b = min(2, a + 1 + (shape[4] + x) % 2)
                let whole = a == b || shape[5] % 4 == x || order == .any     // `order any` takes no `between`
                let remove = (shape[5] + x) % 3 == 0
                rules.append(Oracle.Exclusion(from: whole ? 0 : a, to: whole ? 2 : b, effect: remove ? .remove : .stop))
                clauses.append("exclude \"\(name)\"\(whole ? "" : " between \(stepNames[a]) and \(stepNames[b])")\(remove ? " remove" : "")")
            }
            let windowNone = shape[1] % 4 == 1
            let funnel = """
            source e = csv("e.csv") { user = user  time = time  event = event }
            funnel f {
              window \(windowNone ? "none" : "5s")
              order \(order.rawValue)
              \(hold ? "hold acct" : "")
              step sa = "a"
              step sb = "b"
              step sc = "c"
              \(clauses.joined(separator: "\n  "))
            }
            """
            try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            let counts = Driver.run(c).first?.steps.map(\.users) ?? []
            let config = MatchConfig(steps: 3, window: windowNone ? nil : 5_000_000, within: [nil, nil, nil], order: order, tiesStrict: false)
            var expected = [0, 0, 0]
            for user in Set(rows.map { $0[0] }) {
                let input = rows.enumerated().filter { $0.element[0] == user }.map { row, r in
                    Oracle.Event(time: Int64(r[1]) * 1_000_000, row: row, steps: r[2] < 3 ? UInt32(1 << r[2]) : 0,
                                 hold: [r[4] == 0 ? nil : r[4]], excluded: r[2] == 3 ? 1 : (r[2] == 4 && rules.count > 1 ? 2 : 0))
                }
                let o = Oracle.evaluate(input, Oracle.Config(match: config, exclusions: rules, hold: hold))
                for k in 0..<o.counted { expected[k] += 1 }
            }
            #expect(counts == expected, "\(funnel)\n\(csv)")
        }
    }
}
