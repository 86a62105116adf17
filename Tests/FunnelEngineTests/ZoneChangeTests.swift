import FunnelCore
import FunnelEngine
import Testing

/// Local times in an hour with a clock change inside it: Lord Howe Island moves from +10:30 to
/// +11:00 at 2:00 on 2024-10-06, so 2:00–2:30 does not exist. A wall-clock time L is the instant
/// L - offset(L - offset(L)) for every row, whatever the rows' order: 2:10 (in the gap) and 2:40
/// are both 15:40 UTC the day before.
struct ZoneChangeTests {
    static let source = "source events = csv(\"events.csv\") { user = user  time = time  event = event  timezone \"Australia/Lord_Howe\" }\n"

    @Test func aTimeInTheGapAndOneAfterItAreTheSameInstantInEitherOrder() throws {
        let funnel = "funnel f { step a = \"a\"  step b = \"b\" }"
        for rows in [["u,2024-10-06 02:10:00,a", "u,2024-10-06 02:40:00,b"], ["u,2024-10-06 02:40:00,b", "u,2024-10-06 02:10:00,a"]] {
            let r = try #require(Harness.runText(Self.source + funnel, rows: rows).results.first)
            #expect(r.steps.map(\.users) == [1, 1], "\(rows)")
            #expect(r.steps[1].medianSecondsFromPrevious == 0, "\(rows)")
        }
    }

    @Test func aDayAndAPeriodAroundTheChangeAreTheLocalOnes() throws {
        // 2:40 local on 2024-10-06 is 2024-10-05 15:40 UTC: its local day is the 6th.
        let r = try #require(Harness.runText(Self.source + "funnel f { step a = \"a\"  by day }", rows: ["u,2024-10-06 02:40:00,a", "v,2024-10-05 23:50:00,a"]).results.first)
        #expect(r.groups.map { $0.key[0].value } == [.string("2024-10-05"), .string("2024-10-06")])
    }
}

