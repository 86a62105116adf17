import Foundation
import FunnelDiagnostics
import FunnelCore

/// Parses event times from bytes into microseconds since the epoch (UTC).
/// Accepted: ISO 8601 (`2024-01-31T08:00:00Z`, `+02:00` offsets, fractions),
/// `YYYY-MM-DD HH:MM:SS[.ffffff][ UTC]`, a bare date, and epoch seconds or
/// milliseconds (by magnitude: 12 or more integer digits are milliseconds).
/// Times without an offset are read in the source's time zone (UTC by default).
public struct TimestampParser {
    let zone: ZoneConverter?
    // One-entry cache of the last date prefix: most files are sorted by time.
    private var lastDateWord: UInt64 = 0
    private var lastDateTail: UInt16 = 0
    private var lastDays: Int64 = 0

    /// The source's `format`, when its times are not in a layout read by default.
    let format: TimeFormat?

    public init(timezone: String?, format: TimeFormat? = nil) {
        if let tz = timezone, tz != "UTC", let zone = TimeZone(identifier: tz) {
            self.zone = ZoneConverter(zone)
        } else {
            self.zone = nil
        }
        self.format = format
    }

    @inline(__always) static func digit(_ c: UInt8) -> Int64? { c >= 48 && c <= 57 ? Int64(c - 48) : nil }

    /// Microseconds, or nil when the text is not a time we understand.
    public mutating func parse(_ p: UnsafePointer<UInt8>, _ n0: Int) -> Int64? {
        var n = n0
        var s = 0
        while s < n && p[s] == 32 { s += 1 }
        while n > s && p[n - 1] == 32 { n -= 1 }
        let len = n - s
        guard len > 0 else { return nil }
        let q = p + s
        if let f = format {
            guard let (local, offset) = f.parse(q, len) else { return nil }
            if let offset { return local - offset }
            return zone?.utc(fromLocal: local) ?? local
        }
        if len >= 10 && q[4] == 45 && q[7] == 45 { return parseDateTime(q, len) }
        return parseEpoch(q, len)
    }

    mutating func parseEpoch(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0
        var neg = false
        if p[0] == 45 { neg = true; i = 1 }
        var intPart: Int64 = 0, intDigits = 0
        while i < n, let d = TimestampParser.digit(p[i]) {
            if intDigits > 17 { return nil }
            intPart = intPart * 10 + d; intDigits += 1; i += 1
        }
        guard intDigits > 0 else { return nil }
        var frac: Double = 0
        if i < n && p[i] == 46 {
            i += 1
            var scale = 0.1
            while i < n, let d = TimestampParser.digit(p[i]) { frac += Double(d) * scale; scale /= 10; i += 1 }
        }
        guard i == n else { return nil }
        let value: Int64
        if intDigits >= 15 { value = intPart + Int64(frac) }                                   // microseconds
        else if intDigits >= 12 { value = intPart * 1_000 + Int64((frac * 1_000).rounded()) }  // milliseconds
        else { value = intPart * 1_000_000 + Int64((frac * 1_000_000).rounded()) }            // seconds
        return neg ? -value : value
    }

    mutating func parseDateTime(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        // Date part, cached.
        let raw = UnsafeRawPointer(p)
        let word = raw.loadUnaligned(as: UInt64.self)
        let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        var days: Int64
        if word == lastDateWord && tail == lastDateTail && lastDateWord != 0 {
            days = lastDays
        } else {
            guard let y1 = TimestampParser.digit(p[0]), let y2 = TimestampParser.digit(p[1]), let y3 = TimestampParser.digit(p[2]),
                  let y4 = TimestampParser.digit(p[3]), let m1 = TimestampParser.digit(p[5]), let m2 = TimestampParser.digit(p[6]),
                  let d1 = TimestampParser.digit(p[8]), let d2 = TimestampParser.digit(p[9]) else { return nil }
            let y = Int(y1 * 1000 + y2 * 100 + y3 * 10 + y4), m = Int(m1 * 10 + m2), d = Int(d1 * 10 + d2)
            guard (1...12).contains(m), d >= 1, d <= daysInMonth(y, m) else { return nil }
            days = Int64(daysFromCivil(y, m, d))
            lastDateWord = word; lastDateTail = tail; lastDays = days
        }
        var micros = days * 86_400_000_000
        var i = 10
        var explicitOffset: Int64? = nil
        if i < n && (p[i] == 84 || p[i] == 32) && i + 1 < n && TimestampParser.digit(p[i + 1]) != nil {
            i += 1
            guard i + 5 <= n, let h1 = TimestampParser.digit(p[i]), let h2 = TimestampParser.digit(p[i + 1]), p[i + 2] == 58,
                  let mi1 = TimestampParser.digit(p[i + 3]), let mi2 = TimestampParser.digit(p[i + 4]) else { return nil }
            let hh = h1 * 10 + h2, mm = mi1 * 10 + mi2
            guard hh < 24, mm < 60 else { return nil }
            i += 5
            var ss: Int64 = 0
            if i < n && p[i] == 58 {
                guard i + 3 <= n, let s1 = TimestampParser.digit(p[i + 1]), let s2 = TimestampParser.digit(p[i + 2]) else { return nil }
                ss = s1 * 10 + s2
                guard ss < 61 else { return nil }
                i += 3
                if i < n && (p[i] == 46 || p[i] == 44) {
                    i += 1
                    var scale: Int64 = 100_000
                    var any = false
                    while i < n, let d = TimestampParser.digit(p[i]) { micros += d * scale; scale /= 10; i += 1; any = true }
                    if !any { return nil }
                }
            }
            micros += (hh * 3600 + mm * 60 + ss) * 1_000_000
        }
        // Offset or zone suffix.
        while i < n && p[i] == 32 { i += 1 }
        if i < n {
            let c = p[i]
            if c == 90 && i + 1 == n { explicitOffset = 0; i += 1 }                                 // Z
            else if n - i == 3 && p[i] == 85 && p[i + 1] == 84 && p[i + 2] == 67 { explicitOffset = 0; i = n }  // UTC
            else if n - i == 3 && p[i] == 71 && p[i + 1] == 77 && p[i + 2] == 84 { explicitOffset = 0; i = n }  // GMT
            else if c == 43 || c == 45 {
                let sign: Int64 = c == 43 ? 1 : -1
                i += 1
                guard i + 2 <= n, let a = TimestampParser.digit(p[i]), let b = TimestampParser.digit(p[i + 1]) else { return nil }
                i += 2
                var minutes: Int64 = 0
                if i < n && p[i] == 58 { i += 1 }
                if i + 2 <= n, let c1 = TimestampParser.digit(p[i]), let c2 = TimestampParser.digit(p[i + 1]) { minutes = c1 * 10 + c2; i += 2 }
                // Real offsets run from -12:00 to +14:00; ISO 8601 allows up to 23:59.
                guard a * 10 + b < 24, minutes < 60 else { return nil }
                explicitOffset = sign * ((a * 10 + b) * 3600 + minutes * 60) * 1_000_000
            } else { return nil }
        }
        guard i == n else { return nil }
        if let off = explicitOffset { return micros - off }
        if let z = zone { return z.utc(fromLocal: micros) }
        return micros
    }
}



/// Converts local wall-clock times of one zone to UTC, caching the offset per local hour.
final class ZoneConverter: @unchecked Sendable {
    let zone: TimeZone
    private var cache: [Int64: Int64] = [:]
    init(_ zone: TimeZone) { self.zone = zone }

    func offset(atUTC micros: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(micros) / 1e6))) * 1_000_000
    }

    func utc(fromLocal local: Int64) -> Int64 {
        let hour = local >= 0 ? local / 3_600_000_000 : (local - 3_599_999_999) / 3_600_000_000
        if let off = cache[hour] { return local - off }
        let off = localOffset(local)
        // An hour is cached only when its first and last microsecond agree: in an hour with a
        // clock change inside it (Lord Howe moves by 30 minutes at 2:00) each time is computed,
        // so no instant depends on which row of that hour came first.
        let start = hour * 3_600_000_000
        if localOffset(start) == off && localOffset(start + 3_599_999_999) == off { cache[hour] = off }
        return local - off
    }

    /// The offset of a wall-clock time L: offset(L - offset(L)). A time in an autumn overlap is
    /// its first occurrence (New York's 01:30 on 2024-11-03 is 05:30 UTC, EDT); a time in a spring
    /// gap gets the offset after the change, so it lands an hour earlier (02:30 on 2024-03-10 is
    /// 06:30 UTC, 01:30 EST). The SQL backends compute the same.
    private func localOffset(_ local: Int64) -> Int64 {
        let off = offset(atUTC: local)
        return offset(atUTC: local - off)
    }
}

/// Parses a time written by a person (`--as-of`), in UTC unless it has an offset.
public func parseTimeText(_ s: String) -> Int64? {
    var parser = TimestampParser(timezone: nil)
    return withTerminatedBytes(Array(s.utf8)) { parser.parse($0, $1) }
}

/// Runs `body` on the bytes with a 0 after them: the byte parsers may read one byte past the
/// end, and an empty array still gets an address this way.
@inline(__always) func withTerminatedBytes<T>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> T) -> T {
    (bytes + [0]).withUnsafeBufferPointer { body($0.baseAddress.unsafelyUnwrapped, $0.count - 1) }
}
