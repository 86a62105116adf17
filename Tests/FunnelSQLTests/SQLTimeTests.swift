import Foundation
import FunnelDriver
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

    /// Wall-clock times in the spring gap and the autumn overlap, east and west of Greenwich and
    /// with a half-hour offset, next to the same days' times with `Z`, an offset or as epochs.
    @Test func clockChangesFollowTheNativeRule() {
        let around = ["01:59:59", "02:00:00", "02:30:00", "02:59:59", "03:00:00", "01:00:00", "01:30:00", "03:30:00"]
        let cases = [("Europe/Berlin", ["2024-03-31", "2024-10-27"]), ("America/New_York", ["2024-03-10", "2024-11-03"]),
                     ("Australia/Adelaide", ["2024-04-07", "2024-10-06"]), ("Asia/Kolkata", ["2024-03-01"])]
        for (zone, days) in cases {
            var layouts: [String] = []
            for day in days {
                layouts += around.map { "\(day) \($0)" } + around.map { "\(day)T\($0)" }
                layouts += ["\(day)", "\(day)T02:30:00Z", "\(day)T02:30:00+01:00", "\(day) 02:30:00.250"]
            }
            Self.expectSameInstants(layouts + ["1711846800"], timezone: zone)
        }
    }

    /// `dates` in a zone: local days, absolute and counted back from the latest event's local day.
    @Test func datesAreLocalDays() {
        let layouts = ["2024-03-30 23:30:00", "2024-03-31 00:30:00", "2024-03-31 23:59:59", "2024-04-01 00:00:00", "2024-03-31T01:30:00Z", "2024-03-31T22:30:00Z"]
        for zone in ["Europe/Berlin", "America/New_York"] {
            Self.expectSameInstants(layouts, timezone: zone, extra: "  dates 2023-12-31 to 2024-01-01\n")
        }
        // The steps swapped, so that `dates` selects among the layout times.
        var csv = "user,time,event\n"
        for (i, t) in layouts.enumerated() { csv += "u\(i),\(t),a\nu\(i),2024-04-02T00:00:00Z,b\n" }
        for (zone, dates) in [("Europe/Berlin", "2024-03-31 to 2024-03-31"), ("America/New_York", "last 3d"), ("Asia/Kolkata", "last 2d")] {
            let text = "source events = csv(\"events.csv\") {\n  user = user\n  time = time\n  event = event\n  timezone \"\(zone)\"\n}\n\n"
                + "funnel f {\n  window none\n  step a = \"a\"\n  step b = \"b\"\n  dates \(dates)\n  by user\n}\n"
            let folder = TestSupport.temporaryFolder("sql-time")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try? csv.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
            try? text.write(toFile: folder + "/f.funnel", atomically: true, encoding: .utf8)
            for (target, settings) in SQLEngines.available() {
                let (native, engine, problems) = SQLEngines.compare(folder + "/f.funnel", target, settings)
                #expect(problems.isEmpty && !native.isEmpty && native == engine, "\(zone) \(dates) on \(target): \(problems)\nnative: \(native)\nengine: \(engine)")
            }
        }
    }

    /// Where the engines' time-zone data cannot be trusted to be the native engine's, or the
    /// native reader's instants depend on the order of the rows: a located refusal or a failing
    /// query, never other instants.
    @Test func zonesThatCannotBeMatchedAreRefused() {
        let csv = "user,time,event\nu1,1969-12-31 23:00:00,a\nu1,2024-03-01 10:00:00,b\n"
        func compiled(_ zone: String) -> (Compilation, String) {
            let folder = TestSupport.temporaryFolder("sql-time")
            try? csv.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
            let text = "source events = csv(\"events.csv\") {\n  user = user\n  time = time\n  event = event\n  timezone \"\(zone)\"\n}\n\nfunnel f {\n  step a = \"a\"\n  step b = \"b\"\n}\n"
            try? text.write(toFile: folder + "/f.funnel", atomically: true, encoding: .utf8)
            return (Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false), folder)
        }
        let (lordHowe, f1) = compiled("Australia/Lord_Howe")
        defer { try? FileManager.default.removeItem(atPath: f1) }
        for target in SQLTarget.allCases {
            let d = Driver.sql(lordHowe, target: target).first?.diagnostic
            #expect(d?.code == .notTranslatable && d?.message.contains("`timezone \"Australia/Lord_Howe\"`") == true && d?.position?.line == 8, "\(target): \(d?.message ?? "none")")
        }
        let (berlin, f2) = compiled("Europe/Berlin")
        defer { try? FileManager.default.removeItem(atPath: f2) }
        for (target, settings) in SQLEngines.available() {
            let problems = Driver.runOnEngine(berlin, target: target, settings: settings, options: DriverOptions()).diagnostics
            #expect(problems.first?.code == .engineFailed && problems.first?.message.contains("before 1970-01-02") == true, "\(target): \(problems)")
        }
    }
}
