import FunnelCore
import FunnelDriver
@testable import FunnelEngine
import Testing

/// Issue 10, item 2: RFM scores by quintiles over the buyers, the named segments, and CLV, on
/// hand-computed data.
struct CustomerMeasureTests {
    static let t = Harness.t
    static let day = 86_400

    /// Purchases (day, price): u1 (1: 10, 9: 20), u2 (5: 100), u3 (2, 3, 4: 5 each), u4 (10: 50), u5 (10: 1); u6 only views.
    static let rows: [String] = {
        let buys: [(String, Int, Int)] = [("u1", 1, 10), ("u1", 9, 20), ("u2", 5, 100), ("u3", 2, 5), ("u3", 3, 5), ("u3", 4, 5), ("u4", 10, 50), ("u5", 10, 1)]
        var rows = ["u1", "u2", "u3", "u4", "u5", "u6"].map { u -> String in
            let first = buys.filter { $0.0 == u }.map(\.1).min() ?? 3
            return "\(u),\(t(first * day)),view,"
        }
        rows += buys.map { "\($0.0),\(t($0.1 * day + 60)),purchase,\($0.2)" }
        return rows
    }()

    static var asOf: DriverOptions {
        var o = DriverOptions()
        o.asOf = Int64(1_704_067_200 + 11 * day) * 1_000_000   // day 11, midnight
        return o
    }

    static func groups(_ key: String) -> [String: Int] {
        let r = Harness.run("funnel f {\n  step view = \"view\"\n  by \(key)\n}\n", rows: Self.rows, extraColumns: ["price"], options: Self.asOf)
        var out: [String: Int] = [:]
        for g in r.results.first?.groups ?? [] {
            let key: String
            switch g.key[0].value {
            case .string(let s): key = s
            case .number(let x): key = String(Int(x))
            default: key = "(none)"
            }
            out[key] = g.steps[0].users
        }
        return out
    }

    @Test func scoresAreQuintilesOverTheBuyersAndTiesShareAScore() {
        // Recency 2, 6, 7, 1, 1 days; orders 2, 1, 3, 1, 1; money 30, 100, 15, 50, 1.
        #expect(CustomerMeasures.scores([2, 6, 7, 1, 1], higherIsBetter: false) == [3, 2, 1, 4, 4])
        #expect(CustomerMeasures.scores([2, 1, 3, 1, 1], higherIsBetter: true) == [4, 1, 5, 1, 1])
        #expect(CustomerMeasures.scores([30, 100, 15, 50, 1], higherIsBetter: true) == [3, 5, 2, 4, 1])
        // Ten buyers: two per quintile.
        #expect(CustomerMeasures.scores((1...10).map(Double.init), higherIsBetter: true) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(CustomerMeasures.scores([7], higherIsBetter: true) == [1])
    }

    @Test func theSegmentGridCoversEveryScore() {
        #expect(CustomerMeasure.segment(r: 5, f: 5) == "champions")
        #expect(CustomerMeasure.segment(r: 3, f: 4) == "loyal")
        #expect(CustomerMeasure.segment(r: 4, f: 2) == "potential loyalists")
        #expect(CustomerMeasure.segment(r: 5, f: 1) == "new customers")
        #expect(CustomerMeasure.segment(r: 4, f: 1) == "promising")
        #expect(CustomerMeasure.segment(r: 3, f: 3) == "need attention")
        #expect(CustomerMeasure.segment(r: 3, f: 2) == "about to sleep")
        #expect(CustomerMeasure.segment(r: 2, f: 5) == "can't lose them")
        #expect(CustomerMeasure.segment(r: 1, f: 3) == "at risk")
        #expect(CustomerMeasure.segment(r: 2, f: 2) == "hibernating")
        let named = Set((1...5).flatMap { r in (1...5).map { f in CustomerMeasure.segment(r: r, f: f) } })
        #expect(named.count == 10)
    }

    @Test func usersBreakDownByTheirRFM() {
        #expect(Self.groups("rfm(\"purchase\", price).score") == ["343": 1, "215": 1, "152": 1, "414": 1, "411": 1, "(none)": 1])
        #expect(Self.groups("rfm(\"purchase\", price).segment") == ["loyal": 1, "hibernating": 1, "can't lose them": 1, "promising": 2, "(none)": 1])
        #expect(Self.groups("rfm(\"purchase\", price).m") == ["1": 1, "2": 1, "3": 1, "4": 1, "5": 1, "(none)": 1])
    }

    @Test func clvIsAverageOrderTimesOrdersPerYearTimesLifetime() throws {
        // u1: 2 orders, 30 in all, first seen 10 days before day 11 (counted as 30 days): 15 × 2/(30/365) × 3 = 1,095.
        // u2: 1 order of 100, first seen 6 days before (30 days): 100 × 1/(30/365) × 3 = 3,650; u6: 0.
        let tiers = """
        tier worth {
          "high" if clv("purchase", price).predicted >= 3000
          "mid"  if clv("purchase", price).predicted >= 1000
          "low"  otherwise
        }
        segment big_spenders = clv("purchase", price).historic >= 30
        """
        let r = Harness.run(tiers + "\nfunnel f {\n  step view = \"view\"\n  by worth\n}\nfunnel g {\n  step view = \"view\"\n  for big_spenders\n}\n",
                            rows: Self.rows, extraColumns: ["price"], options: Self.asOf)
        let f = try #require(r.results.first)
        var byTier: [String: Int] = [:]
        for g in f.groups { if case .string(let s) = g.key[0].value { byTier[s] = g.steps[0].users } }
        // u4: 50 × 1/(30/365) × 3 = 1,825 (mid); u3: 5 × 3/(30/365) × 3 = 547.5 (low); u5: 36.5 (low).
        #expect(byTier == ["high": 1, "mid": 2, "low": 3])
        #expect(r.results.last?.steps[0].users == 3, "u1 (30), u2 (100) and u4 (50)")
        // A shorter lifetime: 52 weeks gives a third of the 3-year value.
        let short = Harness.run("segment mid = clv(\"purchase\", price, 52w).predicted between 350 and 370\nfunnel f {\n  step view = \"view\"\n  for mid\n}\n",
                                rows: Self.rows, extraColumns: ["price"], options: Self.asOf)
        #expect(short.results.first?.steps[0].users == 1, "u1: 1,095 × 364/1095 = 364")
    }

    @Test func partsAndArgumentsAreChecked() {
        let cases = ["segment s = rfm(\"purchase\", price).x == 1": "unknown part 'x' of rfm(...)",
                     "segment s = rfm(\"purchase\", price) == 1": "rfm(...) has parts: rfm(...).r, rfm(...).f, rfm(...).m, rfm(...).score, rfm(...).segment",
                     "segment s = rfm(\"purchase\").r == 1": "rfm(...) takes the purchases and their value: rfm(\"purchase\", price).segment",
                     "segment s = clv(\"purchase\", price, 3).predicted > 1": "the expected lifetime is a whole number of days or weeks, such as 156w (3 years)"]
        for (text, message) in cases {
            let r = Harness.run(text + "\nfunnel f {\n  step view = \"view\"\n  for s\n}\n", rows: Self.rows, extraColumns: ["price"])
            #expect(r.diagnostics.contains { $0.message == message }, "\(text): \(r.diagnostics.map(\.message))")
        }
    }
}
