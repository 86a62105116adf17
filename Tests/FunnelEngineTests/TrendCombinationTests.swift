import FunnelCore
import FunnelEngine
import Testing

/// Issue 10, item 3: a trend (or `by X all`) combined with other keys — `by week, device`. Each
/// record of a period takes the other keys from its first touch in that period (or its step).
struct TrendCombinationTests {
    static let day = 86_400
    /// 60 users over three weeks; a user's device never changes; some users come back a week later.
    static let rows: [String] = (0..<60).flatMap { u -> [String] in
        let device = ["mobile", "desktop", "tablet"][u % 3]
        var out: [String] = []
        for visit in 0..<(u % 4 == 0 ? 2 : 1) {
            let start = (u % 14) * day + visit * 7 * day + u * 60
            out.append("u\(u),\(Harness.t(start)),view,\(device)")
            if (u + visit) % 2 == 0 { out.append("u\(u),\(Harness.t(start + 600)),cart,\(device)") }
            if (u + visit) % 5 == 0 { out.append("u\(u),\(Harness.t(start + 1200)),purchase,\(device)") }
        }
        return out
    }

    static func groups(_ clauses: String) -> [GroupResult] {
        let funnel = "funnel f { step v = \"view\"  step c = \"cart\"  step p = \"purchase\"  \(clauses) }"
        return Harness.run(funnel, rows: rows, extraColumns: ["device"]).results.first?.groups ?? []
    }

    @Test func eachWeeksGroupsPartitionTheWeek() {
        let weeks = Self.groups("by week")
        let combined = Self.groups("by week, device")
        #expect(weeks.count >= 3 && combined.count > weeks.count)
        for w in weeks {
            let parts = combined.filter { $0.key[0].value == w.key[0].value }
            #expect(parts.allSatisfy { $0.key.map(\.name) == ["week", "device"] })
            for k in 0..<3 {
                #expect(parts.reduce(0) { $0 + $1.steps[k].users } == w.steps[k].users, "\(w.key[0].value) step \(k)")
            }
        }
    }

    @Test func aGroupEqualsTheTrendOfItsUsers() {
        // The device is the same on all of a user's events, so first touch is the user's device.
        let mobile = Self.groups("by week  for first(device) == \"mobile\"")
        let combined = Self.groups("by week, device").filter { $0.key[1].value == .string("mobile") }
        #expect(mobile.count == combined.count && !mobile.isEmpty)
        for (a, b) in zip(mobile, combined) {
            #expect(a.key[0].value == b.key[0].value)
            #expect(a.steps.map(\.users) == b.steps.map(\.users))
        }
        // The key order follows the clause: device first.
        #expect(Self.groups("by device, week").first?.key.map(\.name) == ["device", "week"])
    }

    @Test func twoSplittingKeysAreStillRefused() {
        let funnel = "funnel f { step v = \"view\"  step c = \"cart\"  by week, device all }"
        let d = Harness.run(funnel, rows: Self.rows, extraColumns: ["device"]).diagnostics
        #expect(d.contains { $0.code == .unsupported && $0.message.contains("two splitting keys") })
    }
}
