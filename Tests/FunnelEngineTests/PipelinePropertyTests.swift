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

/// Attribution through the whole pipeline against the oracle, user by user: `by X` (first touch)
/// and `by X at STEP` (the best assignment's event), with and without `hold`, on random files in
/// shuffled order, dense in ties, with missing values. Dictionary codes follow first appearance in
/// the file, so they are unrelated to any user's own order: no result may depend on them.
struct AttributionPropertyTests {
    static let events = zip(Gen.int(in: 0...5), Gen.int(in: 0...8), Gen.int(in: 0...3), Gen.int(in: 0...1000), Gen.int(in: 0...11))
        .map { [$0, $1, $2, $3, $4] }.array(of: 0...24)
    static let shape = Gen.int(in: 0...30).array(of: 4)

    @Test func groupsMatchTheOraclePerUser() async throws {
        let dir = TestSupport.temporaryFolder("attribution")
        await propertyCheck(count: 200, input: Self.events, Self.shape) { evs, shape in
            guard !evs.isEmpty else { return }
            let names = ["a", "b", "c", "x"], accts = ["", "k1", "k2", "k3"], devices = ["", "mobile", "desktop"]
            let rows = evs.enumerated().sorted { ($0.element[3], $0.offset) < ($1.element[3], $1.offset) }.map(\.element)
            var csv = "user,time,event,acct,device\n"
            for r in rows { csv += "u\(r[0]),\(1_704_067_200 + r[1]),\(names[r[2]]),\(accts[r[4] % 4]),\(devices[r[4] % 3])\n" }
            try? csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
            let order: MatchOrder = [.ordered, .strict, .any][shape[0] % 3]
            let tiesStrict = shape[2] % 4 == 0
            let hold = shape[1] % 2 == 0
            // 0: by acct (first touch); 1...3: by device at step k; 4: by device last (last touch).
            let at = shape[3] % 5
            let stepNames = ["sa", "sb", "sc"]
            let funnel = """
            source e = csv("e.csv") { user = user  time = time  event = event }
            funnel f {
              window 5s
              order \(order.rawValue)
              \(tiesStrict ? "ties strict" : "")
              \(hold ? "hold acct" : "")
              step sa = "a"
              step sb = "b"
              step sc = "c"
              \(at == 0 ? "by acct" : at == 4 ? "by device last" : "by device at \(stepNames[at - 1])")
            }
            """
            try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            guard let result = Driver.run(c).first else { return }
            let config = MatchConfig(steps: 3, window: 5_000_000, within: [nil, nil, nil], order: order, tiesStrict: tiesStrict)
            var expected: [String: [Int]] = [:]
            var expectedSteps = [0, 0, 0]
            for user in Set(rows.map { $0[0] }) {
                let mine = rows.enumerated().filter { $0.element[0] == user }
                let input = mine.map { row, r in
                    Oracle.Event(time: Int64(r[1]) * 1_000_000, row: row, steps: r[2] < 3 ? UInt32(1 << r[2]) : 0,
                                 hold: [r[4] % 4 == 0 ? nil : r[4] % 4])
                }
                let o = Oracle.evaluate(input, Oracle.Config(match: config, hold: hold))
                for k in 0..<o.level { expectedSteps[k] += 1 }
                guard o.level > 0 else { continue }
                let value: String
                if at == 0 { value = o.firstTouch.map { accts[mine[$0].element[4] % 4] } ?? "" }
                else if at == 4 {
                    // Last touch: the furthest step's event; in `any`, the latest matched event (then the later row).
                    let matched = o.assignment.filter { $0 >= 0 }
                    let last = order == .any ? matched.max { (mine[$0].element[1], $0) < (mine[$1].element[1], $1) } : o.assignment[o.level - 1]
                    value = last.map { devices[mine[$0].element[4] % 3] } ?? ""
                }
                else { value = o.assignment[at - 1] >= 0 ? devices[mine[o.assignment[at - 1]].element[4] % 3] : "" }
                var g = expected[value] ?? [0, 0, 0]
                for k in 0..<o.level { g[k] += 1 }
                expected[value] = g
            }
            #expect(result.steps.map(\.users) == expectedSteps, "\(funnel)\n\(csv)")
            var got: [String: [Int]] = [:]
            for g in result.groups {
                if case .string(let v) = g.key[0].value { got[v] = g.steps.map(\.users) } else { got[""] = g.steps.map(\.users) }
            }
            #expect(got == expected, "\(funnel)\n\(csv)")
        }
    }
}
