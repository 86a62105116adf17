import Foundation
import FunnelCore
import FunnelDriver
@testable import FunnelEngine
import FunnelTestSupport
import Testing

/// Issue 10, item 9: `dates last 30d`, `dates last 4 weeks`, `dates A to today`: days counted back
/// from the as-of day (`--as-of`, else the day of the latest event), in the source's time zone.
struct RelativeDatesTests {
    /// One user per event, each a one-step attempt: the users counted are the events whose day is in range.
    static func users(_ dates: String, times: [String], timezone: String? = nil, asOf: String? = nil) -> Int? {
        let dir = TestSupport.temporaryFolder("relative-dates")
        let csv = "user,time,event\n" + times.enumerated().map { "u\($0.offset),\($0.element),view" }.joined(separator: "\n") + "\n"
        try? csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        let zone = timezone.map { "  timezone \"\($0)\"\n" } ?? ""
        let text = "source e = csv(\"e.csv\") {\n  user = user\n  time = time\n  event = event\n\(zone)}\nfunnel f {\n  step view = \"view\"\n  \(dates)\n}\n"
        try? text.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        var options = DriverOptions()
        options.asOf = asOf.flatMap(parseTimeText)
        let c = Driver.compile(path: dir + "/f.funnel", options: options, load: true)
        if c.hasErrors { return nil }
        return Driver.run(c, options: options).first?.steps.first?.users
    }

    static let edges = ["2024-01-01T23:59:59Z", "2024-01-02T00:00:00Z", "2024-01-03T12:00:00Z", "2024-01-03T23:59:59Z", "2024-01-04T00:00:00Z"]

    @Test func lastNDaysEndsWithTheAsOfDayAndIncludesBothEdges() {
        // As of 2024-01-03 10:00: the last 2 days are Jan 2 and Jan 3, midnight to midnight.
        #expect(Self.users("dates last 2d", times: Self.edges, asOf: "2024-01-03T10:00:00Z") == 3)
        #expect(Self.users("dates last 2 days", times: Self.edges, asOf: "2024-01-03T10:00:00Z") == 3)
        #expect(Self.users("dates last 1d", times: Self.edges, asOf: "2024-01-03T00:00:00Z") == 2)
        #expect(Self.users("dates last 1 week", times: Self.edges, asOf: "2024-01-03T10:00:00Z") == 4)
        #expect(Self.users("dates 2024-01-02 to today", times: Self.edges, asOf: "2024-01-03T10:00:00Z") == 3)
        #expect(Self.users("dates today to today", times: Self.edges, asOf: "2024-01-04T00:00:00Z") == 1)
    }

    @Test func withoutAsOfTheLatestEventsDayIsToday() {
        // The latest event is on Jan 4: the last 2 days are Jan 3 and Jan 4.
        #expect(Self.users("dates last 2d", times: Self.edges) == 3)
        #expect(Self.users("dates last 3d", times: Self.edges) == 4)
    }

    @Test func daysAreTheSourcesLocalDays() {
        // New York is UTC-5 in January. As of 03:00Z on Jan 3 it is still Jan 2 there: the last day
        // runs from 05:00Z on Jan 2 to 04:59:59Z on Jan 3.
        let times = ["2024-01-02T04:59:59Z", "2024-01-02T05:00:00Z", "2024-01-03T04:59:59Z", "2024-01-03T05:00:00Z"]
        #expect(Self.users("dates last 1d", times: times, timezone: "America/New_York", asOf: "2024-01-03T03:00:00Z") == 2)
        #expect(Self.users("dates last 1d", times: times, timezone: "America/New_York", asOf: "2024-01-03T05:00:00Z") == 1)
    }

    @Test func lastNeedsWholeDaysOrWeeks() {
        for bad in ["dates last 30", "dates last 36h", "dates last 1.5 weeks", "dates last 0d"] {
            #expect(Self.users(bad, times: Self.edges) == nil, "\(bad)")
        }
        let dir = TestSupport.temporaryFolder("relative-dates")
        try? "user,time,event\nu,2024-01-01T00:00:00Z,view\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        try? "source e = csv(\"e.csv\") { user = user  time = time  event = event }\nfunnel f {\n  step view = \"view\"\n  dates last 30\n}\n"
            .write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let c = Driver.compile(path: dir + "/f.funnel", load: true)
        #expect(c.diagnostics.contains { $0.message == "'dates last' needs a whole number of days or weeks" && $0.help == "write: dates last 30d, dates last 30 days or dates last 4 weeks" })
    }
}
