import Foundation
import FunnelCore
import FunnelPlan

/// A source's `timezone` other than UTC, as the native reader applies it
/// (FunnelEngine/Read/Timestamps.swift, ZoneConverter): a time written without an offset is a
/// wall-clock time L of the zone, and its instant is L − offset(L − offset(L)), offset(t) being
/// the zone's offset at the instant t. That one rule also settles the clock changes: in a gap
/// (spring) and an overlap (autumn) it picks what the native reader picks, east and west of
/// Greenwich alike. The SQL evaluates the same rule with the engine's time-zone data.
struct ZoneRule {
    let d: Dialect
    let zone: String

    /// Local times the SQL converts: from 1970-01-02 to 2099-12-31. Before 1970 the time-zone
    /// databases of the engines and of the native engine disagree (local mean times), and
    /// ClickHouse's DateTime64 ends in 2299; such a time fails the query instead.
    static let firstLocal: Int64 = 86_400_000_000
    static let endLocal: Int64 = 4_102_444_800_000_000

    /// The zone's offset in µs at the UTC instant `micros` (whole seconds: offsets change on them).
    func offset(atUTC micros: String) -> String {
        let seconds = d.intDiv(micros, "1000000")
        switch d.target {
        case .duckdb: return "(epoch_us(timezone(\(d.string(zone)), to_timestamp(\(seconds)))) - \(seconds) * 1000000)"
        case .clickhouse: return "(toInt64(timeZoneOffset(toDateTime64(\(seconds), 0, \(d.string(zone))))) * 1000000)"
        // from_utc_timestamp renders the instant as the zone's wall-clock time (by Java's zone data).
        case .spark: return "(unix_micros(from_utc_timestamp(timestamp_micros(\(seconds) * 1000000), \(d.string(zone)))) - \(seconds) * 1000000)"
        }
    }

    /// The instant of the wall-clock time `local` (µs as if local time were UTC).
    func utc(fromLocal local: String) -> String {
        "(\(local) - \(offset(atUTC: "(\(local) - \(offset(atUTC: local)))")))"
    }

    /// `wall` converted where `isLocal` holds; a local time outside the years converted fails
    /// the query, naming the file.
    func instant(wall: String, isLocal: String, file: String) -> String {
        let outside = "\(isLocal) AND (\(wall) < \(d.int(ZoneRule.firstLocal)) OR \(wall) >= \(d.int(ZoneRule.endLocal)))"
        let message = "\(file): a time without an offset before 1970-01-02 or after 2099 in time zone \(zone): the engines' time-zone data differ there from the native engine's; give the time an offset, or use the native engine"
        return d.failIf(outside, message, else: "CASE WHEN \(isLocal) THEN \(utc(fromLocal: wall)) ELSE \(wall) END")
    }

    /// The first clock change from 1970 to 2100 whose wall-clock times are not whole hours
    /// (Australia/Lord_Howe moves by 30 minutes), if any. The native reader once cached one offset
    /// per local hour, so around such a change its instants depended on the order of the rows; it
    /// now computes those hours time by time, but the translation has not been tested there yet.
    static func changeOffTheHour(_ zone: String) -> Date? {
        guard let tz = TimeZone(identifier: zone) else { return nil }
        var t = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 4_102_444_800)
        while let next = tz.nextDaylightSavingTimeTransition(after: t), next < end {
            let instant = Int(next.timeIntervalSince1970.rounded())
            let before = tz.secondsFromGMT(for: next.addingTimeInterval(-1)), after = tz.secondsFromGMT(for: next)
            if (instant + before) % 3600 != 0 || (instant + after) % 3600 != 0 { return next }
            t = next
        }
        return nil
    }
}

extension QueryWriter {
    /// The source's zone when it is not UTC.
    var zone: ZoneRule? {
        guard let tz = funnel.timezone, tz != "UTC" else { return nil }
        return ZoneRule(d: d, zone: tz)
    }

    /// Zones are translated, except one whose clock changes off the hour.
    func checkZone() throws {
        guard let z = zone else { return }
        let construct = "`timezone \"\(z.zone)\"`"
        if let change = ZoneRule.changeOffTheHour(z.zone) {
            let day = ISO8601DateFormatter().string(from: change).prefix(10)
            throw Untranslatable(construct: construct, why: "the zone's clock changes off the hour (on \(day)); such zones are not translated yet")
        }
    }
}

extension QueryWriter {
    /// The time in µs since 1970 (UTC); with a zone, the time as written (`__wall`) and whether
    /// it is a wall-clock time (`__local`), converted in the next relation.
    func timeColumns(_ time: TimeParsing) -> [String] {
        let micros = time.micros { d.ident($0) }
        guard zone != nil else { return ["\(micros) AS \(d.ident("time"))"] }
        let local = time.isLocal(of: text(source.spec.timeColumn)) { d.ident($0) }
        return ["\(micros) AS \(d.ident("__wall"))", "\(local) AS \(d.ident("__local"))"]
    }
}

extension QueryWriter {
    /// `dates` in a zone: the days run from local midnight to local midnight, each converted
    /// by the reader's rule (as the native runner does); the as-of day is the local day of
    /// `--as-of`, else of the latest event.
    func zonedStartDays(_ days: StartDays, _ z: ZoneRule) -> String {
        let day = DayBound.dayMicros
        let now = asOf.map { d.int($0) } ?? "(SELECT max(\(d.ident("time"))) FROM checked)"
        let asOfDay = "(\(d.intDiv("(\(now) + \(z.offset(atUTC: now)))", d.int(day))) * \(d.int(day)))"
        func midnight(_ b: DayBound, plusDays: Int64) -> String {
            switch b {
            case .day(let m): return d.int(m + plusDays * day)
            case .daysBeforeAsOf(let n): return "(\(asOfDay) - \(d.int((Int64(n) - plusDays) * day)))"
            }
        }
        let lo = z.utc(fromLocal: midnight(days.first, plusDays: 0))
        let hi = "(\(z.utc(fromLocal: midnight(days.last, plusDays: 1))) - 1)"
        return "\(d.ident("time")) BETWEEN \(lo) AND \(hi)"
    }
}
