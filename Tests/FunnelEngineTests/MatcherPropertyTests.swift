import FunnelCore
@testable import FunnelEngine
import FunnelPlan
import FunnelSema
import PropertyBased
import Testing

/// The fast matcher against the brute-force oracle on random small streams dense in
/// ties, window edges, per-step `within` and events that match several steps.
struct MatcherPropertyTests {
    /// A random scenario: events (time, mask) sorted by time, and a funnel configuration.
    struct Scenario: CustomStringConvertible {
        var times: [Int64]
        var masks: [UInt32]
        var startable: [Bool]?
        var config: MatchConfig
        var description: String {
            "times=\(times) masks=\(masks) startable=\(startable.map { "\($0)" } ?? "nil") steps=\(config.steps) window=\(config.window.map(String.init) ?? "none") within=\(config.within) order=\(config.order) tiesStrict=\(config.tiesStrict)"
        }
    }

    /// `extended` adds what the old oracle did not know (OracleRuleTests' refactor guard uses the
    /// plain scenarios): `ties strict` in `order any`, and there `dates` (startable by time only).
    static func scenario(events: [[Int]], shape: [Int], order: MatchOrder, extended: Bool = false) -> Scenario {
        let steps = 2 + shape[0] % 3                       // 2...4 steps
        let sorted = events.sorted { $0[0] < $1[0] }       // stable: ties keep generation order
        let times = sorted.map { Int64($0[0]) }
        let masks = sorted.map { UInt32($0[1]) & ((1 << UInt32(steps)) - 1) }
        let window: Int64? = shape[1] % 4 == 0 ? nil : Int64(shape[1] % 9)
        var within: [Int64?] = [nil]
        for k in 1..<steps { within.append(shape[2 + k] % 3 == 0 ? Int64(shape[2 + k] % 5) : nil) }
        var startable: [Bool]? = order != .any && shape[2] % 4 == 0 ? sorted.map { $0[2] % 3 != 0 } : nil
        if extended && order == .any && shape[2] % 4 == 0 { startable = times.map { ($0 + Int64(shape[4])) % 3 != 0 } }
        return Scenario(times: times, masks: masks, startable: startable,
                        config: MatchConfig(steps: steps, window: window, within: order == .any ? [Int64?](repeating: nil, count: steps) : within,
                                            order: order, tiesStrict: (order != .any || extended) && shape[1] % 3 == 0))
    }

    static let events = zip(Gen.int(in: 0...12), Gen.int(in: 0...15), Gen.int(in: 0...8)).map { [$0, $1, $2] }.array(of: 0...7)
    static let shape = Gen.int(in: 0...40).array(of: 8)

    func check(_ s: Scenario) {
        let fast = Matcher(s.config).match(times: s.times, masks: s.masks, startable: s.startable)
        let slow = Oracle.match(times: s.times, masks: s.masks, startable: s.startable, config: s.config)
        #expect(fast.level == slow.level, "level differs for \(s)")
        // The best assignment too: ordered/strict steps 0..<level; `order any` one entry per step.
        #expect(fast.assignment == slow.assignment, "best assignment differs for \(s)")
    }

    @Test func orderedMatchesOracle() async {
        await propertyCheck(count: 3000, input: Self.events, Self.shape) { ev, sh in check(Self.scenario(events: ev, shape: sh, order: .ordered)) }
    }

    @Test func strictMatchesOracle() async {
        await propertyCheck(count: 3000, input: Self.events, Self.shape) { ev, sh in check(Self.scenario(events: ev, shape: sh, order: .strict)) }
    }

    @Test func anyOrderMatchesOracle() async {
        await propertyCheck(count: 2000, input: Self.events, Self.shape) { ev, sh in check(Self.scenario(events: ev, shape: sh, order: .any)) }
    }

    /// `order any` with `ties strict` (a third of the cases) and `dates` (a quarter).
    @Test func anyOrderTiesStrictAndDatesMatchOracle() async {
        await propertyCheck(count: 3000, input: Self.events, Self.shape) { ev, sh in
            check(Self.scenario(events: ev, shape: sh, order: .any, extended: true))
        }
    }

    // MARK: hold

    /// Events with a held key each (the 4th number; 0: missing, so about a quarter have none).
    static let heldEvents = zip(Gen.int(in: 0...12), Gen.int(in: 0...15), Gen.int(in: 0...8), Gen.int(in: 0...3))
        .map { [$0, $1, $2, $3] }.array(of: 0...8)

    /// `hold` as the runner does it (FunnelRunner.matchHeld over one actor's events, every event
    /// kept as the runner keeps them for strict order) against the oracle: level and best assignment.
    func checkHeld(_ evs: [[Int]], _ sh: [Int], _ order: MatchOrder) {
        let s = Self.scenario(events: evs, shape: sh, order: order, extended: true)
        let sorted = evs.sorted { $0[0] < $1[0] }            // the scenario's order (stable)
        let keys: [Int?] = sorted.map { $0[3] == 0 ? nil : $0[3] }
        var ev = FunnelRunner.ActorEvents()
        ev.times = s.times
        ev.masks = s.masks
        ev.rows = s.times.indices.map { Int32($0) }
        // The codes' order is unrelated to the rows' (3 sorts before 1): ties must not depend on it.
        ev.hold = keys.map { $0.map { UInt64(7 - $0) } ?? FunnelRunner.missingKey }
        let fast = FunnelRunner.matchHeld(Matcher(s.config), ev, subset: nil, startable: s.startable, hold: true)
        let events = s.times.indices.map { i in
            Oracle.Event(time: s.times[i], row: i, steps: s.masks[i], startable: s.startable?[i] ?? true, hold: [keys[i]])
        }
        let slow = Oracle.evaluate(events, Oracle.Config(match: s.config, hold: true))
        let expected = order == .any ? (slow.level > 0 ? slow.assignment : []) : Array(slow.assignment.prefix(slow.level))
        #expect(fast.level == slow.level, "level differs for \(s) keys=\(keys)")
        #expect(fast.assignment == expected, "best assignment differs for \(s) keys=\(keys)")
    }

    @Test(arguments: [MatchOrder.ordered, .strict, .any])
    func holdMatchesOracle(order: MatchOrder) async {
        await propertyCheck(count: 2000, input: Self.heldEvents, Self.shape) { ev, sh in checkHeld(ev, sh, order) }
    }
}
