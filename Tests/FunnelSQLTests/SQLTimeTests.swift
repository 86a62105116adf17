import Foundation
import FunnelSQL
import FunnelTestSupport
import Testing

/// Times on the SQL engines read as the native reader reads them (FunnelEngine/Read/Timestamps.swift):
/// each user's step 1 is at a fixed instant and step 2 at a time in another layout, so the
/// per-user time between them shows the instant every engine read.
@Suite(.serialized) struct SQLTimeTests {
    /// Native and engine figures of `by user` over one row per layout, on every engine installed.
    static func expectSameInstants(_ layouts: [String], timezone: String? = nil, extra: String = "") {
        var csv = "user,time,event\n"
        for (i, t) in layouts.enumerated() {
            csv += "u\(i),1704067200,a\nu\(i),\"\(t)\",b\n"
        }
        let zone = timezone.map { "  timezone \"\($0)\"\n" } ?? ""
        let text = "source events = csv(\"events.csv\") {\n  user = user\n  time = time\n  event = event\n\(zone)}\n\n"
            + "funnel f {\n  window none\n  step a = \"a\"\n  step b = \"b\"\n  by user\n\(extra)}\n"
        let folder = TestSupport.temporaryFolder("sql-time")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try? csv.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        try? text.write(toFile: folder + "/f.funnel", atomically: true, encoding: .utf8)
        for (target, settings) in SQLEngines.available() {
            let (native, engine, problems) = SQLEngines.compare(folder + "/f.funnel", target, settings)
            #expect(problems.isEmpty, "\(target): \(problems)")
            #expect(!native.isEmpty && native == engine, "\(timezone ?? "UTC") on \(target)\nnative: \(native)\nengine: \(engine)")
        }
    }

    /// Every layout the native reader takes, beyond the common ones the engines' own parsers
    /// read: fractions, offsets, bare dates, `GMT`, a leap second, epoch milli- and microseconds.
    @Test func everyLayoutGivesTheNativeInstant() {
        Self.expectSameInstants([
            "2024-03-01T10:00:00Z", "2024-03-01 10:00:00", "2024-03-01 10:00:00 UTC", "2024-03-01T10:00:00.123456Z",
            "2024-03-01T10:00:00,5Z", "2024-03-01T10:00:00.1234567Z", "2024-03-01T10:00Z", "2024-03-01",
            "2024-04-08T01:50:00+05:30", "2024-04-08 01:50:00-0130", "2024-04-08T01:50:00+01", "2024-03-01 10:00:00 GMT",
            "2024-03-01T10:00:00 Z", "2024-02-29T23:00:00Z", "2024-06-30T23:59:60Z", "2024-12-31T23:00:00-02:00",
            "1709287200", "1709287200.5", "1709287200123", "1709287200123456", "2024-01-01T00:00:00.000001+00:00",
        ])
    }
}
