import Foundation
import FunnelCore
import FunnelDriver
import FunnelEngine
import FunnelPlan
import FunnelTestSupport
import PropertyBased
import Testing

/// Issue 10, item 3, against the oracle: a trend combined with another key (`by day, device`).
/// Per user and per day with a step-1 event (any step in `order any`), the funnel runs with only
/// that day's events allowed to start an attempt (later events may complete it); the record's
/// device is its first touch within that run. Random tie-dense streams over four days, with the
/// device changing from event to event, so first touch within the run is what decides.
struct TrendOraclePropertyTests {
    static let events = zip(Gen.int(in: 0...4), Gen.int(in: 0...30), Gen.int(in: 0...3), Gen.int(in: 0...1000), Gen.int(in: 0...2))
        .map { [$0, $1, $2, $3, $4] }.array(of: 0...26)
    static let shape = Gen.int(in: 0...30).array(of: 3)
    static let devices = ["mobile", "desktop", ""]

    @Test func periodAndKeyGroupsMatchTheOracle() async throws {
        let dir = TestSupport.temporaryFolder("trend-oracle")
        await propertyCheck(count: 200, input: Self.events, Self.shape) { evs, shape in
            guard !evs.isEmpty else { return }
            let rows = DayStreams.write(evs, to: dir, extra: [("device", { Self.devices[$0[4]] })])
            let shape = DayStreams.Shape(shape)
            let order = shape.order
            let funnel = shape.funnel("by day, device")
            try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            guard let result = Driver.run(c).first else { return }
            let config = shape.config
            var expected: [String: [Int]] = [:]
            for user in Set(rows.map { $0[0] }) {
                let mine = rows.enumerated().filter { $0.element[0] == user }
                let all = mine.map { row, r in Oracle.Event(time: DayStreams.micros(r), row: row, steps: r[2] < 3 ? UInt32(1 << r[2]) : 0) }
                let starts = all.filter { order == .any ? $0.steps != 0 : $0.steps & 1 != 0 }
                for day in Set(starts.map { $0.time / 86_400_000_000 }) {
                    var input = all
                    for i in input.indices { input[i].startable = input[i].time / 86_400_000_000 == day }
                    let o = Oracle.evaluate(input, Oracle.Config(match: config))
                    guard o.level > 0 else { continue }
                    let device = o.firstTouch.map { Self.devices[mine[$0].element[4]] } ?? ""
                    let key = "\(day) \(device)"
                    var counts = expected[key] ?? [0, 0, 0]
                    for k in 0..<o.level { counts[k] += 1 }
                    expected[key] = counts
                }
            }
            let days = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
            var got: [String: [Int]] = [:]
            for g in result.groups {
                guard case .string(let d) = g.key[0].value, let day = days.firstIndex(of: d) else { continue }
                let device: String
                if case .string(let v) = g.key[1].value { device = v } else { device = "" }
                got["\(day) \(device)"] = g.steps.map(\.users)
            }
            #expect(got == expected, "\(funnel)\n\(rows)")
        }
    }
}
