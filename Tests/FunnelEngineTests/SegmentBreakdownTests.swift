import FunnelCore
import FunnelEngine
import Testing

/// Issue 10, item 3: `by SEGMENT` splits users into "in" and "not in" the segment; each group
/// counts exactly what the funnel counts with `for SEGMENT` and `for not SEGMENT`.
struct SegmentBreakdownTests {
    static let t = Harness.t

    static let rows: [String] = {
        var rows: [String] = []
        for u in 0..<40 {
            let events = ["view", u % 3 == 0 ? "cart" : "view", u % 5 == 0 ? "purchase" : "cart", u % 2 == 0 ? "purchase" : "view"]
            for (i, e) in events.enumerated() { rows.append("u\(u),\(t(u * 100 + i * 7)),\(e),\(u % 4 == 0 ? "mobile" : "desktop")") }
        }
        return rows
    }()

    static func steps(_ clause: String) -> [Int] {
        let funnel = "segment buyers = count(\"purchase\") >= 2\nfunnel f { step v = \"view\"  step c = \"cart\"  step p = \"purchase\"  \(clause) }"
        return Harness.run(funnel, rows: rows, extraColumns: ["device"]).results.first?.steps.map(\.users) ?? []
    }

    @Test func eachGroupCountsWhatTheSegmentFilterCounts() throws {
        let funnel = "segment buyers = count(\"purchase\") >= 2\nfunnel f { step v = \"view\"  step c = \"cart\"  step p = \"purchase\"  by buyers }"
        let r = try #require(Harness.run(funnel, rows: Self.rows, extraColumns: ["device"]).results.first)
        func group(_ v: String) -> [Int]? { r.groups.first { $0.key[0].value == .string(v) }?.steps.map(\.users) }
        #expect(r.groups.count == 2)
        #expect(r.groups.allSatisfy { $0.key[0].name == "buyers" })
        #expect(group("in") == Self.steps("for buyers"))
        #expect(group("not in") == Self.steps("for not buyers"))
        #expect(Self.steps("for buyers").first ?? 0 > 0 && Self.steps("for not buyers").first ?? 0 > 0, "both groups are non-empty")
        // Combined with another key.
        let both = try #require(Harness.run(funnel.replacingOccurrences(of: "by buyers", with: "by buyers, device"), rows: Self.rows, extraColumns: ["device"]).results.first)
        let inMobile = both.groups.first { $0.key[0].value == .string("in") && $0.key[1].value == .string("mobile") }
        // A user's device is the same on every event here, so first touch is the user's device.
        #expect(inMobile?.steps.map(\.users) == Self.steps("for buyers and first(device) == \"mobile\""))
    }

    @Test func aSegmentBreakdownTakesNeitherAtNorAll() {
        for key in ["buyers at c", "buyers all"] {
            let funnel = "segment buyers = count(\"purchase\") >= 2\nfunnel f { step v = \"view\"  step c = \"cart\"  by \(key) }"
            let d = Harness.run(funnel, rows: Self.rows, extraColumns: ["device"]).diagnostics
            #expect(d.contains { $0.code == .keyExpected && $0.message.contains("a segment breakdown ('by buyers') takes neither 'at', 'all', 'last' nor 'bands'") }, "\(key)")
        }
    }
}
