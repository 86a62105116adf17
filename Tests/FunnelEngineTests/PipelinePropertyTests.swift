import Foundation
import FunnelDriver
import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelSema
import PropertyBased
import Testing
import FunnelTestSupport

/// The whole pipeline (CSV text → store → predicates → matcher → counts) against the oracle
/// applied user by user, on random multi-user files in shuffled order, dense in ties.
struct PipelinePropertyTests {
    static let events = zip(Gen.int(in: 0...5), Gen.int(in: 0...12), Gen.int(in: 0...3), Gen.int(in: 0...1000))
        .map { [$0, $1, $2, $3] }.array(of: 0...30)
    static let shape = Gen.int(in: 0...30).array(of: 3)

    @Test func countsMatchTheOraclePerUser() async throws {
        let dir = TestSupport.temporaryFolder("pipeline")
        await propertyCheck(count: 150, input: Self.events, Self.shape) { evs, shape in
            let names = ["a", "b", "c", "x"]
            // File order is shuffled by the 4th number; times repeat often.
            let rows = evs.enumerated().sorted { ($0.element[3], $0.offset) < ($1.element[3], $1.offset) }.map(\.element)
            var csv = "user,time,event\n"
            for r in rows { csv += "u\(r[0]),\(1_704_067_200 + r[1]),\(names[r[2]])\n" }
            try? csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
            let order: MatchOrder = [.ordered, .strict, .any][shape[0] % 3]
            let window: Int64? = shape[1] % 4 == 0 ? nil : Int64(shape[1] % 9)
            let tiesStrict = order != .any && shape[2] % 3 == 0
            let funnel = """
            source e = csv("e.csv") { user = user  time = time  event = event }
            funnel f {
              window \(window.map { "\($0)s" } ?? "none")
              order \(order.rawValue)
              \(tiesStrict ? "ties strict" : "")
              step a = "a"
              step b = "b"
              step c = "c"
            }
            """
            try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            let hasRows = !evs.isEmpty
            guard hasRows else { return }
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            let counts = Driver.run(c).first?.steps.map(\.users) ?? []
            // The oracle, user by user: events by time, ties in file order.
            let config = MatchConfig(steps: 3, window: window.map { $0 * 1_000_000 }, within: [nil, nil, nil], order: order, tiesStrict: tiesStrict)
            var expected = [0, 0, 0]
            for user in Set(rows.map { $0[0] }) {
                let mine = rows.filter { $0[0] == user }.enumerated().sorted { ($0.element[1], $0.offset) < ($1.element[1], $1.offset) }.map(\.element)
                let level = Oracle.match(times: mine.map { Int64($0[1]) * 1_000_000 }, masks: mine.map { $0[2] < 3 ? UInt32(1 << $0[2]) : 0 },
                                         config: config).level
                for k in 0..<level { expected[k] += 1 }
            }
            #expect(counts == expected, "order \(order) window \(String(describing: window)) tiesStrict \(tiesStrict)")
        }
    }
}
