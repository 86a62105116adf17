/// The SQL engines a plan can be translated for.
public enum SQLTarget: String, CaseIterable, Sendable {
    case duckdb, clickhouse, spark

    /// The engine's name as people write it.
    public var displayName: String {
        switch self {
        case .duckdb: return "DuckDB"
        case .clickhouse: return "ClickHouse"
        case .spark: return "Spark SQL"
        }
    }
}

/// How one engine spells what the query needs: quoting (sql-backends.md "Quoting"), integer
/// bit operations, folds over arrays, lists aggregated in order, and raising an error.
/// Every identifier and literal of a query goes through `ident` and `string`; numbers are
/// rendered from typed plan values, never from source text.
struct Dialect {
    let target: SQLTarget

    // MARK: quoting

    func ident(_ name: String) -> String {
        switch target {
        case .duckdb: return "\"" + name.replacing("\"", with: "\"\"") + "\""
        case .clickhouse: return "`" + name.replacing("\\", with: "\\\\").replacing("`", with: "\\`") + "`"
        case .spark: return "`" + name.replacing("`", with: "``") + "`"
        }
    }

    func string(_ s: String) -> String {
        switch target {
        case .duckdb: return "'" + s.replacing("'", with: "''") + "'"
        case .clickhouse:
            var out = "'"
            for u in s.unicodeScalars {
                switch u {
                case "\\": out += "\\\\"
                case "'": out += "\\'"
                case "\0": out += "\\0"
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "'"
        case .spark:
            // Backslash escapes; `$` as \u0024 so that variable substitution (`${...}`) never sees it.
            var out = "'"
            for u in s.unicodeScalars {
                switch u {
                case "\\": out += "\\\\"
                case "'": out += "\\'"
                case "$": out += "\\u0024"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\0": out += "\\u0000"
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "'"
        }
    }

    func int(_ v: Int64) -> String {
        // The smallest Int64 has no positive literal.
        v == Int64.min ? "(\(v + 1) - 1)" : (v < 0 ? "(\(v))" : "\(v)")
    }

    /// A double written so every engine reads it back exactly (a cast from the shortest round-trip text).
    func double(_ x: Double) -> String {
        if x.isNaN || x.isInfinite { return "NULL" }
        let text = "\(x)"
        switch target {
        case .duckdb: return "CAST(\(string(text)) AS DOUBLE)"
        case .clickhouse: return "toFloat64(\(string(text)))"
        case .spark: return "CAST(\(string(text)) AS DOUBLE)"
        }
    }

    // MARK: integers

    var bigint: String { target == .clickhouse ? "Int64" : "BIGINT" }
    var nullBigint: String { target == .clickhouse ? "CAST(NULL AS Nullable(Int64))" : "CAST(NULL AS BIGINT)" }
    func band(_ a: String, _ b: String) -> String { target == .clickhouse ? "bitAnd(\(a), \(b))" : "(\(a) & \(b))" }
    func bor(_ a: String, _ b: String) -> String { target == .clickhouse ? "bitOr(\(a), \(b))" : "(\(a) | \(b))" }
    func shr(_ a: String, _ k: Int) -> String {
        switch target {
        case .duckdb: return "(\(a) >> \(k))"
        case .clickhouse: return "bitShiftRight(\(a), \(k))"
        case .spark: return "shiftright(\(a), \(k))"
        }
    }
    /// Integer division; the operands are parenthesized, since `//` and `div` bind tighter than
    /// `+` (`153 * m + 2 // 5` would divide only the 2).
    func intDiv(_ a: String, _ b: String) -> String {
        switch target {
        case .duckdb: return "((\(a)) // (\(b)))"
        case .clickhouse: return "intDiv(\(a), \(b))"
        case .spark: return "((\(a)) div (\(b)))"
        }
    }
    func toBigint(_ a: String) -> String { target == .clickhouse ? "toInt64(\(a))" : "CAST(\(a) AS BIGINT)" }
    /// Digits (already checked by a pattern) to an integer; NULL for other text, because some
    /// engines evaluate both branches of a CASE.
    func digitsToBigint(_ a: String) -> String {
        switch target {
        case .duckdb: return "TRY_CAST(\(a) AS BIGINT)"
        case .clickhouse: return "toInt64OrNull(\(a))"
        case .spark: return "try_cast(\(a) AS BIGINT)"
        }
    }
    func toDouble(_ a: String) -> String { target == .clickhouse ? "toFloat64(\(a))" : "CAST(\(a) AS DOUBLE)" }
    /// Text to a number, failing the query on text that is not one (the native engine's E407).
    func parseDouble(_ a: String) -> String { toDouble(a) }

    // MARK: text

    func substr(_ s: String, _ from: Int, _ len: Int) -> String { "substring(\(s), \(from), \(len))" }
    func length(_ s: String) -> String { target == .clickhouse ? "lengthUTF8(\(s))" : "length(\(s))" }
    func regexGroup(_ s: String, _ pattern: String, _ group: Int) -> String {
        switch target {
        case .duckdb: return "regexp_extract(\(s), \(string(pattern)), \(group))"
        case .clickhouse: return "regexpExtract(\(s), \(string(pattern)), \(group))"
        case .spark: return "regexp_extract(\(s), \(string(pattern)), \(group))"
        }
    }
    func fullMatch(_ s: String, _ pattern: String) -> String {
        switch target {
        case .duckdb: return "regexp_full_match(\(s), \(string(pattern)))"
        case .clickhouse: return "match(\(s), \(string("^(?:" + pattern + ")$")))"
        case .spark: return "(\(s) RLIKE \(string("^(?:" + pattern + ")$")))"
        }
    }
    func contains(_ s: String, _ part: String) -> String {
        switch target {
        case .duckdb: return "contains(\(s), \(part))"
        case .clickhouse: return "(position(\(s), \(part)) > 0)"
        case .spark: return "contains(\(s), \(part))"
        }
    }
    func startsWith(_ s: String, _ prefix: String) -> String {
        switch target {
        case .duckdb: return "starts_with(\(s), \(prefix))"
        case .clickhouse: return "startsWith(\(s), \(prefix))"
        case .spark: return "startswith(\(s), \(prefix))"
        }
    }
    func rpadZeros(_ s: String, _ n: Int) -> String {
        target == .clickhouse ? "rightPad(\(s), \(n), '0')" : "rpad(\(s), \(n), '0')"
    }

    // MARK: errors

    /// `value`, or the query fails with `message` where `failure` holds.
    func failIf(_ failure: String, _ message: String, else value: String) -> String {
        switch target {
        case .duckdb: return "CASE WHEN \(failure) THEN error(\(string(message))) ELSE \(value) END"
        case .clickhouse: return "if(throwIf(\(failure), \(string(message))) = 0, \(value), \(value))"
        case .spark: return "CASE WHEN \(failure) THEN raise_error(\(string(message))) ELSE \(value) END"
        }
    }

    // MARK: lists and folds

    /// One struct (tuple) value of the named, typed fields; the type is the same for every use.
    func record(_ fields: [(name: String, value: String)], type: [(name: String, type: String)]) -> String {
        switch target {
        case .duckdb:
            let body = fields.map { "\(string($0.name)): \($0.value)" }.joined(separator: ", ")
            return "CAST({\(body)} AS \(recordType(type)))"
        case .clickhouse:
            return "CAST(tuple(\(fields.map(\.value).joined(separator: ", "))), \(string(recordType(type))))"
        case .spark:
            return "named_struct(" + fields.map { "\(string($0.name)), CAST(\($0.value) AS \(typeOf($0.name, type)))" }.joined(separator: ", ") + ")"
        }
    }

    private func typeOf(_ name: String, _ type: [(name: String, type: String)]) -> String {
        type.first { $0.name == name }?.type ?? bigint
    }

    func recordType(_ type: [(name: String, type: String)]) -> String {
        switch target {
        case .duckdb: return "STRUCT(" + type.map { "\(ident($0.name)) \($0.type)" }.joined(separator: ", ") + ")"
        case .clickhouse: return "Tuple(" + type.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ")"
        case .spark: return "STRUCT<" + type.map { "\(ident($0.name)): \($0.type)" }.joined(separator: ", ") + ">"
        }
    }

    func field(_ record: String, _ name: String) -> String {
        target == .clickhouse ? "tupleElement(\(record), \(string(name)))" : "\(record).\(ident(name))"
    }

    /// A left fold of `list` from `initial` with `body` over the names `acc` and `x`.
    func fold(_ list: String, initial: String, body: String) -> String {
        switch target {
        case .duckdb: return "list_reduce(\(list), lambda acc, x: \(body), \(initial))"
        case .clickhouse: return "arrayFold((acc, x) -> \(body), \(list), \(initial))"
        case .spark: return "aggregate(\(list), \(initial), (acc, x) -> \(body))"
        }
    }

    /// The records of a group as a list ordered by their (first) field `orderField`.
    func orderedList(_ record: String, orderBy key: String, where condition: String) -> String {
        switch target {
        case .duckdb: return "list(\(record) ORDER BY \(key)) FILTER (WHERE \(condition))"
        case .clickhouse: return "arraySort(r -> tupleElement(r, 1), groupArrayIf(\(record), \(condition)))"
        case .spark: return "array_sort(collect_list(CASE WHEN \(condition) THEN \(record) END))"
        }
    }

    func reverse(_ list: String) -> String {
        switch target {
        case .duckdb: return "list_reverse(\(list))"
        case .clickhouse: return "arrayReverse(\(list))"
        case .spark: return "reverse(\(list))"
        }
    }

    /// The values of `value` where `condition` holds, as a list ordered by `order` (unique per
    /// row; missing values left out).
    func listIf(_ value: String, _ condition: String, orderBy order: String) -> String {
        let kept = "\(condition) AND (\(value)) IS NOT NULL"
        switch target {
        case .duckdb: return "coalesce(list(\(value) ORDER BY \(order)) FILTER (WHERE \(kept)), [])"
        case .clickhouse: return "arrayMap(p -> tupleElement(p, 2), arraySort(groupArrayIf(tuple(\(order), assumeNotNull(\(value))), \(kept))))"
        case .spark: return "transform(array_sort(collect_list(CASE WHEN \(kept) THEN named_struct('o', \(order), 'v', \(value)) END)), p -> p.v)"
        }
    }

    /// The smallest (a, b) pair, compared as a pair (NULL pairs ignored: `a` NULL makes none).
    func minPair(_ a: String, _ b: String) -> String {
        switch target {
        case .duckdb: return "min(CASE WHEN (\(a)) IS NOT NULL THEN {'a': \(a), 'b': \(b)} END)"
        case .clickhouse: return "min(if((\(a)) IS NULL, NULL, tuple(assumeNotNull(\(a)), \(b))))"
        case .spark: return "min(CASE WHEN (\(a)) IS NOT NULL THEN struct(\(a) AS a, \(b) AS b) END)"
        }
    }
    func pairFirst(_ p: String) -> String { target == .clickhouse ? "tupleElement(\(p), 1)" : "\(p).a" }
    func pairSecond(_ p: String) -> String { target == .clickhouse ? "tupleElement(\(p), 2)" : "\(p).b" }

    /// 0, not NULL, over no rows.
    func countIf(_ condition: String) -> String { "coalesce(sum(CASE WHEN \(condition) THEN 1 ELSE 0 END), 0)" }
    func greatest(_ xs: [String]) -> String { xs.count == 1 ? xs[0] : "greatest(\(xs.joined(separator: ", ")))" }
}
