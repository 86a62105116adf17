/// Event times as the native reader parses them (FunnelEngine/Read/Timestamps.swift), in
/// portable SQL: ISO 8601 and `YYYY-MM-DD HH:MM:SS[.ffffff][ UTC]` with `Z`, `UTC`, `GMT` or a
/// `±HH[:MM]` offset, a bare date, and epoch seconds, milliseconds (12–14 digits) or
/// microseconds (15–17 digits). The text is split by regular expressions in one relation and
/// turned into microseconds since 1970 (UTC) in the next, with the same range checks; text that
/// is not such a time gives NULL (the query then fails, as the native engine stops at the row).
struct TimeParsing {
    let dialect: Dialect

    static let dateTimePattern =
        "^ *([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)? *(Z|UTC|GMT|[+-][0-9]{2}:?(?:[0-9]{2})?)? *$"
    static let epochPattern = "^ *(-?)([0-9]{1,17})(?:[.]([0-9]*))? *$"

    static let dateTimeGroups = ["y", "mo", "d", "h", "mi", "s", "f", "z"]
    static let epochGroups = ["sign", "int", "frac"]

    /// Columns split from the text `x`, named with `prefix`: each pattern is evaluated once per
    /// row where the engine returns every group at once (DuckDB: a struct, ClickHouse: an array),
    /// and once per group in Spark. The patterns are anchored, so a non-empty first mandatory
    /// group means the whole text matched.
    func parts(of x: String, prefix p: String) -> [(name: String, sql: String)] {
        let d = dialect
        switch d.target {
        case .duckdb:
            func all(_ pattern: String, _ names: [String]) -> String {
                "regexp_extract(\(x), \(d.string(pattern)), [\(names.map { d.string($0) }.joined(separator: ", "))])"
            }
            return [(p + "dtg", all(TimeParsing.dateTimePattern, TimeParsing.dateTimeGroups)),
                    (p + "epg", all(TimeParsing.epochPattern, TimeParsing.epochGroups))]
        case .clickhouse:
            return [(p + "dtg", "extractGroups(coalesce(\(x), ''), \(d.string(TimeParsing.dateTimePattern)))"),
                    (p + "epg", "extractGroups(coalesce(\(x), ''), \(d.string(TimeParsing.epochPattern)))")]
        case .spark:
            var out: [(String, String)] = []
            for (i, name) in TimeParsing.dateTimeGroups.enumerated() { out.append((p + name, d.regexGroup(x, TimeParsing.dateTimePattern, i + 1))) }
            for (i, name) in TimeParsing.epochGroups.enumerated() { out.append((p + name, d.regexGroup(x, TimeParsing.epochPattern, i + 1))) }
            return out
        }
    }

    /// One group of the split columns, as text ('' when the pattern did not match).
    func group(_ name: String, prefix p: String, col: (String) -> String) -> String {
        let d = dialect
        let dt = TimeParsing.dateTimeGroups.firstIndex(of: name)
        let ep = TimeParsing.epochGroups.firstIndex(of: name)
        switch d.target {
        case .duckdb: return "coalesce(\(d.field(col(p + (dt != nil ? "dtg" : "epg")), name)), '')"
        case .clickhouse: return "arrayElement(\(col(p + (dt != nil ? "dtg" : "epg"))), \((dt ?? ep ?? 0) + 1))"
        case .spark: return "coalesce(\(col(p + name)), '')"
        }
    }

    /// Microseconds from the split columns (referenced through `col`); NULL for a text that is no time.
    func micros(prefix p: String, col column: (String) -> String) -> String {
        let d = dialect
        func col(_ name: String) -> String {
            let g = String(name.dropFirst(p.count))
            if g == "dt" { return "(\(group("y", prefix: p, col: column)) <> '')" }
            if g == "ep" { return "(\(group("int", prefix: p, col: column)) <> '')" }
            return group(g, prefix: p, col: column)
        }
        func num(_ name: String) -> String { d.digitsToBigint("nullif(\(col(p + name)), '')") }
        let y = num("y"), mo = num("mo"), day = num("d")
        let h = "coalesce(\(num("h")), 0)", mi = "coalesce(\(num("mi")), 0)", s = "coalesce(\(num("s")), 0)"
        let frac = "coalesce(\(d.digitsToBigint("nullif(\(d.rpadZeros(d.substr(col(p + "f"), 1, 6), 6)), '000000')")), 0)"
        // Days from the civil date (H. Hinnant's algorithm; years from 1 on keep every division non-negative).
        let yy = "(\(y) - CASE WHEN \(mo) <= 2 THEN 1 ELSE 0 END)"
        let era = d.intDiv(yy, "400")
        let yoe = "(\(yy) - \(era) * 400)"
        let doy = "(\(d.intDiv("153 * (\(mo) + CASE WHEN \(mo) > 2 THEN -3 ELSE 9 END) + 2", "5")) + \(day) - 1)"
        let doe = "(\(yoe) * 365 + \(d.intDiv(yoe, "4")) - \(d.intDiv(yoe, "100")) + \(doy))"
        let days = "(\(era) * 146097 + \(doe) - 719468)"
        let leap = "((\(y) % 4 = 0 AND \(y) % 100 <> 0) OR \(y) % 400 = 0)"
        let monthDays = "CASE WHEN \(mo) = 2 THEN CASE WHEN \(leap) THEN 29 ELSE 28 END WHEN \(mo) IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
        let z = col(p + "z")
        let offHours = d.digitsToBigint("nullif(\(d.substr(z, 2, 2)), '')")
        let offMinutes = "coalesce(\(d.digitsToBigint("nullif(\(d.regexGroup(z, "^[+-][0-9]{2}:?([0-9]{2})$", 1)), '')")), 0)"
        let offset = "CASE WHEN \(z) IN ('', 'Z', 'UTC', 'GMT') THEN 0 ELSE (CASE WHEN \(d.substr(z, 1, 1)) = '-' THEN -1 ELSE 1 END) * (\(offHours) * 3600 + \(offMinutes) * 60) * 1000000 END"
        let valid = "\(mo) BETWEEN 1 AND 12 AND \(day) BETWEEN 1 AND \(monthDays) AND \(h) < 24 AND \(mi) < 60 AND \(s) < 61 AND \(y) >= 1"
            + " AND (\(z) IN ('', 'Z', 'UTC', 'GMT') OR (\(offHours) < 24 AND \(offMinutes) < 60))"
        let dateTime = "CASE WHEN \(valid) THEN \(days) * 86400000000 + (\(h) * 3600 + \(mi) * 60 + \(s)) * 1000000 + \(frac) - (\(offset)) END"
        // Epoch numbers by their count of integer digits.
        let digits = d.length(col(p + "int"))
        let intPart = d.digitsToBigint(col(p + "int"))
        let fraction = d.toDouble("'0.' || coalesce(nullif(\(col(p + "frac")), ''), '0')")
        let roundHalfUp = { (x: String) in d.toBigint("floor(\(x) + 0.5)") }
        let epoch = "(CASE WHEN \(col(p + "sign")) = '-' THEN -1 ELSE 1 END) * CASE WHEN \(digits) >= 15 THEN \(intPart)"
            + " WHEN \(digits) >= 12 THEN \(intPart) * 1000 + \(roundHalfUp("\(fraction) * 1000"))"
            + " ELSE \(intPart) * 1000000 + \(roundHalfUp("\(fraction) * 1000000")) END"
        return "CASE WHEN \(col(p + "dt")) THEN \(dateTime) WHEN \(col(p + "ep")) THEN \(epoch) END"
    }
}

extension String {
    /// The pattern without its `^…$` (the dialect adds its own full-match anchors).
    var dropAnchors: String {
        var s = Substring(self)
        if s.hasPrefix("^") { s = s.dropFirst() }
        if s.hasSuffix("$") { s = s.dropLast() }
        return String(s)
    }
}
