/// Event times as the native reader parses them (FunnelEngine/Read/Timestamps.swift), in
/// portable SQL: ISO 8601 and `YYYY-MM-DD HH:MM:SS[.ffffff][ UTC]` with `Z`, `UTC`, `GMT` or a
/// `±HH[:MM]` offset, a bare date, and epoch seconds, milliseconds (12–14 digits) or
/// microseconds (15–17 digits), with the same range checks; text that is not such a time gives
/// NULL (the query then fails, as the native engine stops at the row).
struct TimeParsing {
    let dialect: Dialect

    static let dateTimePattern =
        "^ *([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?)? *(Z|UTC|GMT|[+-][0-9]{2}:?(?:[0-9]{2})?)? *$"
    static let epochPattern = "^ *(-?)([0-9]{1,17})(?:[.]([0-9]*))? *$"

    static let dateTimeGroups = ["y", "mo", "d", "h", "mi", "s", "f", "z"]
    static let epochGroups = ["sign", "int", "frac"]

    /// The common layouts `YYYY-MM-DD HH:MM:SS`, with `T`, and with `Z` or ` UTC`: read by
    /// position after one cheap full match; every other text goes through the patterns' groups.
    static let fixedPattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(Z| UTC)?"

    /// Layer 1: whether the text has a fixed layout (`__t_fixed`), and its microseconds by the
    /// engine's own parser where that reads it exactly as the native reader does (`__t_fast`;
    /// hour 24, which DuckDB takes as the next day, and leap seconds go the long way).
    func layout(of x: String) -> [(name: String, sql: String)] {
        let d = dialect
        let fixed = d.fullMatch(x, TimeParsing.fixedPattern)
        let fast: String
        switch d.target {
        case .duckdb:
            fast = "CASE WHEN \(fixed) AND \(d.substr(x, 12, 2)) < '24' THEN epoch_us(TRY_CAST(\(d.substr(x, 1, 19)) AS TIMESTAMP)) END"
        case .clickhouse:
            // parseDateTime checks every range (and gives NULL outside 1970–2106: those go the long way).
            fast = "if(\(fixed), toInt64(toUnixTimestamp(parseDateTimeOrNull(concat(\(d.substr(x, 1, 10)), ' ', \(d.substr(x, 12, 8))), '%Y-%m-%d %H:%i:%s', 'UTC'))) * 1000000, NULL)"
        case .spark:
            fast = d.nullBigint
        }
        return [("__t_fixed", "coalesce(\(fixed), FALSE)"), ("__t_fast", fast)]
    }

    /// Layer 2: the time text `x` cut into text pieces (columns `__t_y`, `__t_mo`, …) where the
    /// fast cast did not read it: by position for the fixed layouts, else from the patterns'
    /// groups (only those rows pay for the regular expressions).
    func pieces(of x: String, _ col: (String) -> String) -> [(name: String, sql: String)] {
        let d = dialect
        let fast = "\(col("__t_fast")) IS NOT NULL", fixed = col("__t_fixed")
        let positions: [String: (Int, Int)] = ["y": (1, 4), "mo": (6, 2), "d": (9, 2), "h": (12, 2), "mi": (15, 2), "s": (18, 2)]
        var out: [(String, String)] = []
        for name in TimeParsing.dateTimeGroups {
            let byPosition = positions[name].map { d.substr(x, $0.0, $0.1) } ?? "''"
            out.append(("__t_" + name, "CASE WHEN \(fast) THEN '' WHEN \(fixed) THEN \(byPosition) ELSE \(group(name, of: x)) END"))
        }
        for name in TimeParsing.epochGroups {
            out.append(("__t_" + name, "CASE WHEN \(fast) OR \(fixed) THEN '' ELSE \(group(name, of: x)) END"))
        }
        return out
    }

    /// Layer 3: the pieces as numbers (each cast once).
    func numbers(_ col: (String) -> String) -> [(name: String, sql: String)] {
        let d = dialect
        var out: [(String, String)] = []
        for name in ["y", "mo", "d", "h", "mi", "s"] {
            out.append(("__n_" + name, "CASE WHEN \(col("__t_fast")) IS NULL THEN \(d.digitsToBigint("nullif(\(col("__t_" + name)), '')")) END"))
        }
        out.append(("__n_f", "coalesce(\(d.digitsToBigint("nullif(\(d.rpadZeros(d.substr(col("__t_f"), 1, 6), 6)), '000000')")), 0)"))
        let z = col("__t_z")
        out.append(("__n_oh", d.digitsToBigint("nullif(\(d.substr(z, 2, 2)), '')")))
        out.append(("__n_om", "coalesce(\(d.digitsToBigint("nullif(\(d.regexGroup(z, "^[+-][0-9]{2}:?([0-9]{2})$", 1)), '')")), 0)"))
        out.append(("__n_int", d.digitsToBigint("nullif(\(col("__t_int")), '')")))
        out.append(("__n_digits", d.length(col("__t_int"))))
        out.append(("__n_frac", d.toDouble("'0.' || coalesce(nullif(\(col("__t_frac")), ''), '0')")))
        return out
    }

    /// Layer 4: microseconds since 1970 (UTC); NULL for a text that is no time.
    func micros(_ col: (String) -> String) -> String {
        "CASE WHEN \(col("__t_fast")) IS NOT NULL THEN \(col("__t_fast")) WHEN \(col("__n_y")) IS NOT NULL THEN \(dateTime(col)) WHEN \(col("__n_int")) IS NOT NULL THEN \(epoch(col)) END"
    }

    /// Whether the text is a date or date-time without `Z`, `UTC`, `GMT` or an offset: a
    /// wall-clock time of the source's zone (epoch numbers are instants).
    func isLocal(of x: String, _ col: (String) -> String) -> String {
        "(CASE WHEN \(col("__t_fast")) IS NOT NULL OR \(col("__t_fixed")) THEN \(dialect.length(x)) = 19 ELSE \(col("__n_y")) IS NOT NULL AND \(col("__t_z")) = '' END)"
    }

    /// One group of the date-time or epoch pattern, as text ('' when the pattern does not match):
    /// DuckDB and ClickHouse return every group of one evaluation (engines share the identical
    /// expressions), Spark one group per call.
    func group(_ name: String, of x: String) -> String {
        let d = dialect
        let dt = TimeParsing.dateTimeGroups.firstIndex(of: name)
        let pattern = dt != nil ? TimeParsing.dateTimePattern : TimeParsing.epochPattern
        let names = dt != nil ? TimeParsing.dateTimeGroups : TimeParsing.epochGroups
        let index = (dt ?? TimeParsing.epochGroups.firstIndex(of: name) ?? 0) + 1
        switch d.target {
        case .duckdb:
            let all = "regexp_extract(\(x), \(d.string(pattern)), [\(names.map { d.string($0) }.joined(separator: ", "))])"
            return "coalesce(\(d.field(all, name)), '')"
        case .clickhouse:
            return "arrayElement(extractGroups(coalesce(\(x), ''), \(d.string(pattern))), \(index))"
        case .spark:
            return "coalesce(\(d.regexGroup(x, pattern, index)), '')"
        }
    }

    /// A date and time from the number columns, with the native reader's range checks.
    func dateTime(_ col: (String) -> String) -> String {
        let d = dialect
        let y = col("__n_y"), mo = col("__n_mo"), day = col("__n_d")
        let h = "coalesce(\(col("__n_h")), 0)", mi = "coalesce(\(col("__n_mi")), 0)", s = "coalesce(\(col("__n_s")), 0)"
        // Days from the civil date (H. Hinnant's algorithm; years from 1 on keep every division non-negative).
        let yy = "(\(y) - CASE WHEN \(mo) <= 2 THEN 1 ELSE 0 END)"
        let era = d.intDiv(yy, "400")
        let yoe = "(\(yy) - \(era) * 400)"
        let doy = "(\(d.intDiv("153 * (\(mo) + CASE WHEN \(mo) > 2 THEN -3 ELSE 9 END) + 2", "5")) + \(day) - 1)"
        let doe = "(\(yoe) * 365 + \(d.intDiv(yoe, "4")) - \(d.intDiv(yoe, "100")) + \(doy))"
        let days = "(\(era) * 146097 + \(doe) - 719468)"
        let leap = "((\(y) % 4 = 0 AND \(y) % 100 <> 0) OR \(y) % 400 = 0)"
        let monthDays = "CASE WHEN \(mo) = 2 THEN CASE WHEN \(leap) THEN 29 ELSE 28 END WHEN \(mo) IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
        let z = col("__t_z"), oh = col("__n_oh"), om = col("__n_om")
        let noOffset = "\(z) IN ('', 'Z', 'UTC', 'GMT')"
        let offset = "CASE WHEN \(noOffset) THEN 0 ELSE (CASE WHEN \(d.substr(z, 1, 1)) = '-' THEN -1 ELSE 1 END) * (\(oh) * 3600 + \(om) * 60) * 1000000 END"
        let valid = "\(mo) BETWEEN 1 AND 12 AND \(day) BETWEEN 1 AND \(monthDays) AND \(h) < 24 AND \(mi) < 60 AND \(s) < 61 AND \(y) >= 1"
            + " AND (\(noOffset) OR (\(oh) < 24 AND \(om) < 60))"
        return "CASE WHEN \(valid) THEN \(days) * 86400000000 + (\(h) * 3600 + \(mi) * 60 + \(s)) * 1000000 + \(col("__n_f")) - (\(offset)) END"
    }

    /// Epoch seconds, milliseconds (12–14 integer digits) or microseconds (15–17).
    func epoch(_ col: (String) -> String) -> String {
        let d = dialect
        let digits = col("__n_digits"), intPart = col("__n_int"), fraction = col("__n_frac")
        let roundHalfUp = { (v: String) in d.toBigint("floor(\(v) + 0.5)") }
        return "(CASE WHEN \(col("__t_sign")) = '-' THEN -1 ELSE 1 END) * CASE WHEN \(digits) >= 15 THEN \(intPart)"
            + " WHEN \(digits) >= 12 THEN \(intPart) * 1000 + \(roundHalfUp("\(fraction) * 1000"))"
            + " ELSE \(intPart) * 1000000 + \(roundHalfUp("\(fraction) * 1000000")) END"
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
