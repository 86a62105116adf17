import FunnelCore
import FunnelPlan

/// JSON Lines files (events and users tables) as relations of text columns, each value the text
/// the native reader (FunnelEngine/Read/JSONLReader.swift) gives it: a string's unescaped
/// characters, a number's or true/false's literal as written, a nested object or array as
/// written; null, an absent key and "" are missing (NULL after `nullif`). Every later stage
/// then reads these columns exactly as it reads a CSV file's.
struct JSONLinesReading {
    let d: Dialect

    /// One column to read, and whether its text is only ever read as a number (then any spelling
    /// of the same number gives the same value).
    struct Column {
        var name: String
        var numeric: Bool
    }

    /// The file's rows, one text column per name, with the file row `__row` when `withRow`.
    /// `what` names the file in the messages of a failing query.
    func relation(_ path: String, _ columns: [Column], what: String, withRow: Bool) -> String {
        switch d.target {
        case .duckdb:
            // DuckDB's reader rewrites numbers (1.50 becomes 1.5) and nested values (spaces
            // dropped), so values are read as JSON and converted by their JSON type below.
            let spec = columns.map { "\(d.string($0.name)): 'JSON'" }.joined(separator: ", ")
            let texts = columns.map { "\(withoutNUL(duckdbText($0, what: what), $0, what: what)) AS \(d.ident($0.name))" }
            let row = withRow ? ", row_number() OVER () AS \"__row\"" : ""
            return "SELECT \(texts.joined(separator: ", "))\(row) FROM read_json(\(d.string(path)), format = 'newline_delimited', records = true, columns = {\(spec)})"
        case .clickhouse:
            // Read as strings, ClickHouse keeps every literal's text as written (see `settings`).
            let structure = columns.map { "\(d.ident($0.name)) Nullable(String)" }.joined(separator: ", ")
            let texts = columns.map { "\(withoutNUL(d.ident($0.name), $0, what: what)) AS \(d.ident($0.name))" }
            let row = withRow ? ", _row_number AS __row" : ""
            return "SELECT \(texts.joined(separator: ", "))\(row) FROM file(\(d.string(path)), 'JSONEachRow', \(d.string(structure)))"
        case .spark:
            // Spark is refused before (QueryWriter.checkSupported); its reader rewrites numbers.
            return "SELECT 1"
        }
    }

    /// A text with a NUL character (written \u0000) fails the query: the native reader stops
    /// at such a field, which would otherwise silently match nothing.
    func withoutNUL(_ text: String, _ c: Column, what: String) -> String {
        if c.numeric { return text }
        let nul = d.target == .duckdb ? "chr(0)" : d.string("\0")
        return d.failIf("coalesce(\(d.contains(text, nul)), FALSE)", "\(what): a NUL character (\\u0000) in the column '\(c.name)' (the native engine reports the row)", else: text)
    }

    /// A DuckDB JSON value as the native reader's text. Strings, true/false and whole numbers
    /// other than 0 have one spelling; for a fraction, an exponent, 0 (perhaps written -0) or a
    /// nested value DuckDB no longer knows how it was written, so a text column holding one
    /// fails the query instead of reading another text. A column read only as a number takes
    /// DuckDB's own spelling, which names the same number.
    func duckdbText(_ c: Column, what: String) -> String {
        let j = d.ident(c.name)
        let text = "(\(j) ->> '$')"
        if c.numeric { return text }
        let message = "\(what): a JSON number with a fraction or an exponent, 0, or a nested value in the text column '\(c.name)': DuckDB does not keep how it was written (the native engine reads it as written); write it as a JSON string, or use the native engine"
        return "CASE WHEN \(j) IS NULL THEN NULL WHEN json_type(\(j)) IN ('VARCHAR', 'BOOLEAN') THEN \(text) "
            + "WHEN json_type(\(j)) IN ('BIGINT', 'UBIGINT') AND \(text) <> '0' THEN \(text) "
            + "ELSE \(d.failIf("TRUE", message, else: "CAST(NULL AS VARCHAR)")) END"
    }

    /// ClickHouse settings for JSON Lines: keys matched by their exact name (the native reader's
    /// rule; ClickHouse otherwise falls back to another case), literals and nested values kept as
    /// text, other keys ignored.
    static let clickhouseSettings = [
        "input_format_column_name_matching_mode = 'match_case'", "input_format_skip_unknown_fields = 1",
        // A key twice in a row fails the query (the native reader takes the last; ClickHouse
        // would otherwise take the first).
        "input_format_json_ignore_unnecessary_fields = 0",
        "input_format_json_read_numbers_as_strings = 1", "input_format_json_read_bools_as_strings = 1",
        "input_format_json_read_objects_as_strings = 1", "input_format_json_read_arrays_as_strings = 1",
    ]
}

extension QueryWriter {
    /// The events file's columns the query reads: the three roles and the properties.
    var jsonColumns: [JSONLinesReading.Column] {
        let spec = source.spec
        var out: [JSONLinesReading.Column] = []
        for name in [spec.userColumn, spec.timeColumn, spec.eventColumn] where !out.contains(where: { $0.name == name }) {
            out.append(.init(name: name, numeric: false))
        }
        for c in source.columns where !out.contains(where: { $0.name == c.name }) {
            out.append(.init(name: c.name, numeric: c.type == .number))
        }
        return out
    }

    /// The users table's columns the query reads: its key and the profile columns.
    func jsonColumns(_ users: UsersPlan) -> [JSONLinesReading.Column] {
        var out = [JSONLinesReading.Column(name: users.spec.keyColumn, numeric: false)]
        for c in users.columns where c.name != users.spec.keyColumn {
            out.append(.init(name: c.name, numeric: c.type == .number))
        }
        return out
    }

    var jsonLines: JSONLinesReading { JSONLinesReading(d: d) }
}

extension QueryWriter {
    /// CSV and JSON Lines sources are read; JSON Lines not on Spark yet (its file reader with
    /// string columns keeps literals as written, but those queries are not proven equal yet).
    func checkFormats() throws {
        let format = source.spec.format
        guard format == "csv" || format == "jsonl" else {
            throw Untranslatable(construct: "`\(format)(…)` source", why: "only CSV and JSON Lines sources are read by the SQL backends yet")
        }
        if format == "jsonl" { try refuseJSONLinesOnSpark("`jsonl(…)` source") }
    }

    func refuseJSONLinesOnSpark(_ construct: String) throws {
        guard d.target == .spark else { return }
        throw Untranslatable(construct: construct, why: "JSON Lines are not translated for Spark yet")
    }
}
