import FunnelCore
import FunnelEngine
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

    static func scenario(events: [[Int]], shape: [Int], order: MatchOrder) -> Scenario {
        let steps = 2 + shape[0] % 3                       // 2...4 steps
        let sorted = events.sorted { $0[0] < $1[0] }       // stable: ties keep generation order
        let times = sorted.map { Int64($0[0]) }
        let masks = sorted.map { UInt32($0[1]) & ((1 << UInt32(steps)) - 1) }
        let window: Int64? = shape[1] % 4 == 0 ? nil : Int64(shape[1] % 9)
        var within: [Int64?] = [nil]
        for k in 1..<steps { within.append(shape[2 + k] % 3 == 0 ? Int64(shape[2 + k] % 5) : nil) }
        let startable: [Bool]? = order != .any && shape[2] % 4 == 0 ? sorted.map { $0[2] % 3 != 0 } : nil
        return Scenario(times: times, masks: masks, startable: startable,
                        config: MatchConfig(steps: steps, window: window, within: order == .any ? [Int64?](repeating: nil, count: steps) : within,
                                            order: order, tiesStrict: order != .any && shape[1] % 3 == 0))
    }

    static let events = zip(Gen.int(in: 0...12), Gen.int(in: 0...15), Gen.int(in: 0...8)).map { [$0, $1, $2] }.array(of: 0...7)
    static let shape = Gen.int(in: 0...40).array(of: 8)

    func check(_ s: Scenario) {
        let fast = Matcher(s.config).match(times: s.times, masks: s.masks, startable: s.startable)
        let slow = Oracle.match(times: s.times, masks: s.masks, startable: s.startable, config: s.config)
        #expect(fast.level == slow.level, "level differs for \(s)")
        if s.config.order != .any {
            #expect(fast.assignment == slow.assignment, "best assignment differs for \(s)")
        } else if fast.level > 0 {
            // The engine's assignment must be a valid one of that size.
            let used = fast.assignment.enumerated().filter { $0.element >= 0 }
            #expect(used.count == fast.level, "assignment size for \(s)")
            #expect(Set(used.map(\.element)).count == used.count, "an event filled two steps in \(s)")
            for (step, e) in used { #expect(s.masks[e] & (1 << UInt32(step)) != 0, "event does not match its step in \(s)") }
            let ts = used.map { s.times[$0.element] }
            if let w = s.config.window, let lo = ts.min(), let hi = ts.max() { #expect(hi - lo <= w, "window broken in \(s)") }
        }
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
}
