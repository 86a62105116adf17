import FunnelCore
import FunnelDriver
@testable import FunnelEngine
import Testing

/// Issue 10, item 8: `by KEY top N` keeps the N largest groups and sums the rest into "(other)".
struct TopGroupsTests {
    static let t = Harness.t

    /// a: 4 users (2 buy), b: 3 users (1 buys), c: 2 users (2 buy), d: 1 user (no buy).
    static let rows: [String] = {
        var rows: [String] = []
        let groups: [(String, Int, Int)] = [("a", 4, 2), ("b", 3, 1), ("c", 2, 2), ("d", 1, 0)]
        for (key, users, buyers) in groups {
            for u in 0..<users {
                rows.append("\(key)\(u),\(t(0)),view,\(key)")
                if u < buyers { rows.append("\(key)\(u),\(t(60)),buy,\(key)") }
            }
        }
        return rows
    }()

    @Test func theLargestGroupsStayAndTheRestAreSummedInOther() throws {
        let r = try #require(Harness.run("funnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  by brand top 2\n  kpi conversion = buy / view\n}\n",
                                         rows: Self.rows, extraColumns: ["brand"]).results.first)
        #expect(r.groups.map { shown($0.key[0].value) } == ["a", "b", "(other)"])
        let other = try #require(r.groups.last)
        #expect(other.steps.map(\.users) == [3, 2], "c and d together")
        #expect(other.kpis.first?.value == 2.0 / 3)
        #expect(r.notes.contains("showing the 2 largest of 4 groups; the other 2 are summed in \"(other)\" (the funnel's `top 2`)"))
        // The groups still add up to the whole funnel.
        #expect(r.groups.map { $0.steps[0].users }.reduce(0, +) == r.steps[0].users)
        // `top` wins over the run's cap, either way.
        var options = DriverOptions()
        options.maxGroups = 1
        let capped = Harness.run("funnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n  by brand top 3\n}\n", rows: Self.rows, extraColumns: ["brand"], options: options)
        #expect(capped.results.first?.groups.count == 4)
    }

    @Test func topNeedsAWholeNumber() {
        for bad in ["0", "2.5", "\"ten\""] {
            let r = Harness.run("funnel f {\n  step view = \"view\"\n  by brand top \(bad)\n}\n", rows: Self.rows, extraColumns: ["brand"])
            #expect(r.diagnostics.contains { $0.code == .valueExpected && $0.message == "'top' needs a whole number of groups, such as 10" }, "\(bad)")
        }
    }
}

/// A group key's value as a table shows it.
private func shown(_ value: Value) -> String {
    if case .string(let s) = value { return s }
    return value.description
}
