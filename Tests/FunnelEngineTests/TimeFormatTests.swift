import Foundation
import FunnelCore
@testable import FunnelDriver
@testable import FunnelEngine
import FunnelTestSupport
import Testing

/// Issue 10, item 10: `time = COLUMN format "…"` reads any export's timestamps; a 19-digit id stays
/// exact text.
struct TimeFormatTests {
    /// µs since the epoch (UTC) of `text` read with `format`, in `zone`.
    static func read(_ format: String, _ text: String, zone: String? = nil) -> Int64? {
        guard case .success(let f) = TimeFormat.compile(format) else { return nil }
        var parser = TimestampParser(timezone: zone, format: f)
        return withTerminatedBytes(Array(text.utf8)) { parser.parse($0, $1) }
    }

    static func utc(_ iso: String) -> Int64? { parseTimeText(iso) }

    @Test func directivesReadTheirFields() {
        #expect(Self.read("%d/%m/%Y %H:%M", "31/01/2024 08:05") == Self.utc("2024-01-31T08:05:00Z"))
        #expect(Self.read("%d/%m/%Y %H:%M", "1/2/2024 9:05") == Self.utc("2024-02-01T09:05:00Z"), "one-digit fields")
        #expect(Self.read("%m/%d/%y %I:%M %p", "12/31/99 12:30 AM") == Self.utc("1999-12-31T00:30:00Z"))
        #expect(Self.read("%m/%d/%y %I:%M %p", "01/01/68 12:00 pm") == Self.utc("2068-01-01T12:00:00Z"))
        #expect(Self.read("%d %b %Y %T", "05 Sept 2024 23:59:59") == Self.utc("2024-09-05T23:59:59Z"))
        #expect(Self.read("%B %e, %Y", "March  7, 2024") == Self.utc("2024-03-07T00:00:00Z"))
        #expect(Self.read("%F %T.%f", "2024-03-07 10:00:00.25") == Self.utc("2024-03-07T10:00:00.25Z"))
        #expect(Self.read("%F %T.%f", "2024-03-07 10:00:00.123456789") == Self.utc("2024-03-07T10:00:00.123456Z"), "nanoseconds cut to µs")
        #expect(Self.read("%Y%m%d%H%M%S", "20240307100000") == Self.utc("2024-03-07T10:00:00Z"))
        #expect(Self.read("%Y-%j", "2024-366") == Self.utc("2024-12-31T00:00:00Z"))
        #expect(Self.read("%s", "1709805600") == Self.utc("2024-03-07T10:00:00Z"))
        #expect(Self.read("%%%Y-%m-%d", "%2024-03-07") == Self.utc("2024-03-07T00:00:00Z"))
    }

    @Test func offsetsWinOverTheSourcesZone() {
        #expect(Self.read("%d.%m.%Y %H:%M %z", "07.03.2024 10:00 +0200", zone: "America/New_York") == Self.utc("2024-03-07T08:00:00Z"))
        #expect(Self.read("%d.%m.%Y %H:%M %z", "07.03.2024 10:00 Z", zone: "America/New_York") == Self.utc("2024-03-07T10:00:00Z"))
        #expect(Self.read("%d.%m.%Y %H:%M", "07.03.2024 10:00", zone: "America/New_York") == Self.utc("2024-03-07T15:00:00Z"))
    }

    @Test func textThatDoesNotFollowTheLayoutIsNoTime() {
        for (format, text) in [("%d/%m/%Y", "31/02/2024"), ("%d/%m/%Y", "2024-01-31"), ("%d/%m/%Y", "31/01/2024x"), ("%H:%M %d/%m/%Y", "24:00 01/01/2024"),
                               ("%Y-%j", "2023-366"), ("%d %b %Y", "05 Foo 2024"), ("%d/%m/%Y", "31/1/24"), ("%F %T.%f", "2024-03-07 10:00:00.")] {
            #expect(Self.read(format, text) == nil, "\(format) \(text)")
        }
    }

    @Test func aFormatMustReadADate() {
        let problems = ["%d/%m/%Q": "unknown directive '%Q' in the time format", "%d/%m %H:%M": "the time format has no year (%Y or %y)",
                        "%Y %H": "the time format needs a month and a day (%m and %d) or a day of the year (%j)",
                        "%Y-%m-%d %I:%M": "%I (a 12-hour clock) and %p (AM/PM) go together", "%Y-%m-%d %": "the format ends with a lone '%'"]
        for (format, message) in problems {
            guard case .failure(let e) = TimeFormat.compile(format) else { Issue.record("\(format) compiled"); continue }
            #expect(e.message == message)
        }
    }

    @Test func theSourceBlockDeclaresItAndBadRowsNameIt() throws {
        let dir = TestSupport.temporaryFolder("time-format")
        try "user,time,event\nu1,31/01/2024 08:05,view\nu1,31/01/2024 9:15,buy\nu2,2024-02-01 23:59,view\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        try "source e = csv(\"e.csv\") {\n  user = user\n  time = time format \"%d/%m/%Y %H:%M\"\n  event = event\n}\nfunnel f {\n  step view = \"view\"\n  step buy = \"buy\"\n}\n"
            .write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let c = Driver.compile(path: dir + "/f.funnel", load: true)
        let d = try #require(c.diagnostics.first { $0.code == .badTime })
        #expect(d.message == "cannot read '2024-02-01 23:59' as a time")
        #expect(d.help == "the source reads times as \"%d/%m/%Y %H:%M\"; fix the format or the row, or use --skip-bad-rows")
        var options = DriverOptions()
        options.skipBadRows = true
        let skipped = Driver.compile(path: dir + "/f.funnel", options: options, load: true)
        #expect(Driver.run(skipped, options: options).first?.steps.map(\.users) == [1, 1])
        // A bad format is an error at the format, and only the time line takes one.
        try "source e = csv(\"e.csv\") {\n  user = user format \"%Y\"\n  time = time format \"%d/%m\"\n  event = event\n}\nfunnel f { step view = \"view\" }\n"
            .write(toFile: dir + "/g.funnel", atomically: true, encoding: .utf8)
        let bad = Driver.compile(path: dir + "/g.funnel", load: false).diagnostics.filter { $0.code == .badTimeFormat }.map(\.message)
        #expect(bad == ["only the time column takes a format", "the time format has no year (%Y or %y)"])
    }

    @Test func initGuessesAnExportsLayout() {
        #expect(Starter.guessTimeFormat(["31/01/2024 08:05", "01/02/2024 10:00"])?.format.text == "%d/%m/%Y %H:%M")
        #expect(Starter.guessTimeFormat(["01/31/2024 08:05 PM"])?.format.text == "%m/%d/%Y %I:%M %p")
        #expect(Starter.guessTimeFormat(["01/31/2024", "12/01/2024"])?.doubt == nil, "the 31st says months come first")
        let ambiguous = Starter.guessTimeFormat(["03/04/2024", "12/11/2024"])
        #expect(ambiguous?.format.text == "%d/%m/%Y" && ambiguous?.doubt?.contains("could be month/day") == true)
        #expect(Starter.guessTimeFormat(["yesterday", "31/01/2024"]) == nil)
    }

    @Test func nineteenDigitIdsStayExactText() {
        #expect(Loader.inferredType(["2053013555631882655", "17"]) == .string)
        #expect(Loader.inferredType(["9007199254740991", "17"]) == .number, "below 2^53 numbers are exact")
        #expect(Loader.inferredType(["-9007199254740992"]) == .string)
        #expect(Loader.inferredType(["12.5", "1e300"]) == .number)
    }
}
