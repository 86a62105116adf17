import FunnelCore
import FunnelDiagnostics
@testable import FunnelEngine
import Testing

/// Issue 10, items 6 and 7: KPIs per breakdown group, `expect … for each KEY` naming the groups
/// where it fails, and the biggest drop readable from KPIs and expects.
struct GroupKPITests {
    static let t = Harness.t

    /// mobile: u1 buys (price 10), u2 carts, u3 views; desktop: u4 and u5 buy (price 30, 50); tablet: u6 views.
    static let rows = [
        "u1,\(t(0)),view,mobile,", "u1,\(t(10)),cart,mobile,", "u1,\(t(20)),buy,mobile,10",
        "u2,\(t(0)),view,mobile,", "u2,\(t(10)),cart,mobile,",
        "u3,\(t(0)),view,mobile,",
        "u4,\(t(0)),view,desktop,", "u4,\(t(10)),cart,desktop,", "u4,\(t(20)),buy,desktop,30",
        "u5,\(t(0)),view,desktop,", "u5,\(t(10)),cart,desktop,", "u5,\(t(50)),buy,desktop,50",
        "u6,\(t(0)),view,tablet,",
    ]
    static let extra = ["device", "price"]

    static func funnel(_ body: String) -> String {
        "funnel f {\n  step view = \"view\"\n  step cart = \"cart\"\n  step buy = \"buy\"\n  by device\n\(body)\n}\n"
    }

    static func group(_ r: FunnelResult, _ device: String) -> GroupResult? {
        r.groups.first { $0.key.first?.value == .string(device) }
    }

    @Test func everyGroupHasTheFunnelsKPIsOverItsOwnActors() throws {
        let body = "  kpi conversion = buy / view\n  kpi aov = avg(buy.price)\n  kpi reach = view / users\n  kpi slowest = max(time(view -> buy))"
        let r = try #require(Harness.run(Self.funnel(body), rows: Self.rows, extraColumns: Self.extra).results.first)
        #expect(r.kpis.map(\.value) == [0.5, 30, 1, 50])
        let mobile = try #require(Self.group(r, "mobile")), desktop = try #require(Self.group(r, "desktop")), tablet = try #require(Self.group(r, "tablet"))
        #expect(mobile.kpis.map(\.name) == ["conversion", "aov", "reach", "slowest"])
        #expect(mobile.kpis.map(\.value) == [1.0 / 3, 10, 1, 20])
        #expect(desktop.kpis.map(\.value) == [1, 40, 1, 50])
        // No buyer on a tablet: the average and the time are undefined, not zero.
        #expect(tablet.kpis.map(\.value) == [0, nil, 1, nil])
    }

    @Test func anExpectForEachGroupFailsNamingTheGroups() throws {
        let body = "  kpi conversion = buy / view\n  expect conversion >= 30% for each device\n  expect conversion >= 30%"
        let r = try #require(Harness.run(Self.funnel(body), rows: Self.rows, extraColumns: Self.extra).results.first)
        let each = r.expects[0], whole = r.expects[1]
        // Over the whole funnel 50% holds; in the groups, tablet (0%) fails and mobile (33%) holds.
        #expect(whole.passed && whole.forEach == nil && whole.groups.isEmpty)
        #expect(!each.passed && each.forEach == "device")
        #expect(each.groups.map(\.group) == r.groups.map(\.label))
        #expect(each.failedGroups.map(\.group) == ["device = tablet"])
        #expect(each.actual == 0, "the actual value is the failing group's")
        // The same expect holds when every group passes.
        let lenient = try #require(Harness.run(Self.funnel("  kpi conversion = buy / view\n  expect conversion >= 0% for each group"),
                                               rows: Self.rows, extraColumns: Self.extra).results.first)
        #expect(lenient.expects[0].passed && lenient.expects[0].groups.count == 3)
    }

    @Test func forEachMustNameTheBreakdown() {
        let noBreakdown = Harness.run("funnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  kpi c = buy / view\n  expect c >= 1% for each device\n}\n",
                                      rows: Self.rows, extraColumns: Self.extra)
        #expect(noBreakdown.diagnostics.contains { $0.code == .forEachWithoutBreakdown && $0.message.contains("has no 'by'") })
        let wrongKey = Harness.run(Self.funnel("  kpi c = buy / view\n  expect c >= 1% for each country"), rows: Self.rows, extraColumns: Self.extra)
        let d = wrongKey.diagnostics.first { $0.code == .forEachWithoutBreakdown }
        #expect(d?.message == "'country' is not the breakdown of funnel 'f' (by device)")
        #expect(d?.help == "write 'for each device'")
        guard case .source(let file, let span)? = d?.location else { Issue.record("no location"); return }
        let at = file.location(of: span.start)
        #expect(at.line == 8 && at.column == 27 && file.text(of: span) == "country", "at the key, in the funnel's file")
    }

    @Test func theBiggestDropIsReadableFromKPIsAndExpects() throws {
        // Steps 6 → 4 → 3 users: view→cart loses 2/6 (33.3%), cart→buy loses 1/4 (25%): the biggest is at cart.
        let body = """
          kpi worst_share = biggest_drop.share
          kpi worst_users = biggest_drop.users
          kpi worst_step  = biggest_drop.step
          expect biggest_drop.step == cart
          expect biggest_drop.step != buy
          expect biggest_drop.share <= 30%
        """
        let r = try #require(Harness.run(Self.funnel(body), rows: Self.rows, extraColumns: Self.extra).results.first)
        let drop = try #require(r.biggestDrop)
        #expect(drop.step == "cart" && drop.dropped == 2)
        #expect(r.kpis.map(\.value) == [drop.share, 2, 2])
        #expect(r.expects.map(\.passed) == [true, true, false])
        // Per group too: mobile 3 → 2 → 1 loses half at buy; desktop loses nothing, so its first step wins the tie.
        let mobile = try #require(Self.group(r, "mobile")), desktop = try #require(Self.group(r, "desktop"))
        #expect(mobile.kpis.map(\.value) == [0.5, 1, 3])
        #expect(desktop.kpis.map(\.value) == [0, 0, 2])
        #expect(desktop.biggestDrop?.step == "cart")
    }

    @Test func biggestDropHasParts() {
        let bad = Harness.run(Self.funnel("  kpi w = biggest_drop.size"), rows: Self.rows, extraColumns: Self.extra)
        #expect(bad.diagnostics.contains { $0.code == .unknownStepOrKPI && $0.message == "unknown part 'size' of biggest_drop" })
        let bare = Harness.run(Self.funnel("  expect biggest_drop > 1"), rows: Self.rows, extraColumns: Self.extra)
        #expect(bare.diagnostics.contains { $0.message.contains("biggest_drop.share, biggest_drop.users or biggest_drop.step") })
    }
}
