import FunnelCore
import FunnelPlan
@testable import FunnelEngine
import Testing

/// Issue 10, item 3: `by X bands [edges]`: a number's value grouped into ranges, each starting at its edge.
struct BandTests {
    static let t = Harness.t

    @Test func bandsStartAtTheirEdgeAndNameTheirRange() {
        let edges = [-5.0, 0, 18, 25.5]
        #expect(PlannedBreakdown.bandLabels(edges) == ["<-5", "-5–0", "0–18", "18–25.5", "25.5+"])
        #expect([-7, -5, -0.1, 0, 17.99, 18, 25.49, 25.5, 1e9].map { PlannedBreakdown.band($0, edges) } == [0, 1, 1, 2, 2, 3, 3, 4, 4])
    }

    @Test func usersFallInTheBandOfTheirFirstTouch() throws {
        // Ages by user (the users table) and an event property `score` at the view.
        let rows = ["u1,\(Self.t(0)),view,17", "u1,\(Self.t(9)),buy,",
                    "u2,\(Self.t(0)),view,18", "u3,\(Self.t(0)),view,24.9", "u3,\(Self.t(5)),buy,",
                    "u4,\(Self.t(0)),view,25", "u5,\(Self.t(0)),view,", "u5,\(Self.t(3)),buy,"]
        let r = try #require(Harness.run("funnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  by score bands [18, 25]\n}\n",
                                         rows: rows, extraColumns: ["score"]).results.first)
        var users: [String: [Int]] = [:]
        for g in r.groups {
            let key: String
            if case .string(let s) = g.key[0].value { key = s } else { key = "(none)" }
            users[key] = g.steps.map(\.users)
        }
        #expect(users == ["<18": [1, 1], "18–25": [2, 1], "25+": [1, 0], "(none)": [1, 1]])
    }

    @Test func bandsNeedAscendingNumbersOnANumberKey() {
        let rows = ["u1,\(Self.t(0)),view,mobile,3"]
        for (key, message) in [("n bands [5, 5]", "'bands' needs numbers in ascending order, such as [18, 25, 35, 50, 65]"),
                               ("n bands [\"a\"]", "'bands' needs numbers in ascending order, such as [18, 25, 35, 50, 65]"),
                               ("device bands [1, 2]", "'bands' groups numbers, but 'device' holds strings"),
                               ("n bands [1, 2] all", "'bands' and 'all' do not combine: a band breakdown gives each actor one group")] {
            let r = Harness.run("funnel f {\n  step view = \"view\"\n  by \(key)\n}\n", rows: rows, extraColumns: ["device", "n"])
            #expect(r.diagnostics.contains { $0.message == message }, "\(key): \(r.diagnostics.map(\.message))")
        }
    }
}
