import Foundation
import FunnelCore
import FunnelPlan

/// A construct of a funnel that has no exact translation for a target: where, what and why.
public struct SQLRefusal: Error, Sendable {
    public var funnel: String
    public var line: Int
    public var construct: String
    public var why: String
    public var target: SQLTarget
}

/// One funnel as one self-contained query, and what its result columns mean.
public struct SQLQuery: Sendable {
    public var funnel: String
    public var target: SQLTarget
    /// The query. For Spark it is preceded by `setup`, statements that name the files it reads.
    public var sql: String
    public var setup: [String] = []
    /// What `funnel sql` prints: the setup statements, then the query.
    public var text: String { (setup + [sql]).joined(separator: ";\n") }
    /// Result columns: `total` (1 for the row over every actor, 0 for a breakdown group), `g0…`
    /// (the group's key values, as text), `population`, `reached1…` (actors at each step),
    /// `delta2…` (µs from the previous step, per actor), `ttc` (first to last step),
    /// `kv0…` (the values KPI aggregates read, in `kpiValues` order), `ks0…` (µs between two
    /// steps, in `kpiTimes` order).
    public var kpiValues: [(step: Int, value: EventExpr)]
    public var kpiTimes: [(from: Int, to: Int)]
    public var breakdownCount: Int
}

/// Translates a funnel of the plan into SQL for one target.
public enum SQLTranslator {
    /// `asOf`: "now" for `recency` (default: the latest event of the source).
    public static func translate(_ plan: Plan, _ funnel: PlannedFunnel, for target: SQLTarget, asOf: Int64? = nil) throws(SQLRefusal) -> SQLQuery {
        do {
            return try QueryWriter(plan: plan, funnel: funnel, d: Dialect(target: target), asOf: asOf).write()
        } catch let u as Untranslatable {
            throw SQLRefusal(funnel: funnel.name, line: funnel.line, construct: u.construct, why: u.why, target: target)
        } catch {
            throw SQLRefusal(funnel: funnel.name, line: funnel.line, construct: "this funnel", why: "\(error)", target: target)
        }
    }
}

struct QueryWriter {
    let plan: Plan
    let funnel: PlannedFunnel
    let d: Dialect
    var asOf: Int64? = nil
    var source: SourcePlan { plan.sources[funnel.source] }
    /// The data file's absolute path: the engine may run in another folder.
    var path: String { absolute(source.spec.path) }
    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p }
    var n: Int { funnel.steps.count }

    /// Refuses what the folds do not compute exactly yet, naming it.
    func checkSupported() throws {
        func no(_ what: String, _ why: String) throws { throw Untranslatable(construct: what, why: why) }
        if funnel.match.order == .any { try no("`order any`", "matching steps in any order is not translated yet") }
        if !funnel.exclusions.isEmpty { try no("`exclude`", "exclusions are not translated yet") }
        if !funnel.hold.isEmpty { try no("`hold`", "holding a property is not translated yet") }
        if funnel.counting == .conversions { try no("`count conversions`", "counting every conversion is not translated yet") }
        if funnel.actorFilter != nil, funnel.counting != .users { try no("`for` with `count \(funnel.countingLabel)`", "segments are translated when users are counted") }
        if funnel.compare != nil { try no("`compare`", "comparisons are not translated yet") }
        if let p = funnel.profile { try no("`profile by \(p.key.label)`", "profiles are not translated yet") }
        if let k = funnel.kpis.first(where: { $0.expr.readsUserValues }) {
            try no("KPI `\(k.name)`", "KPIs over users' values (`avg(STEP.user.NAME)`) are not translated yet")
        }
        if let e = funnel.expects.first(where: { $0.condition.readsUserValues }) {
            try no("`expect \(e.source)`", "expects over users' values (`avg(STEP.user.NAME)`) are not translated yet")
        }
        for b in funnel.breakdown {
            if b.attribution.splits { try no("`by \(b.label)`", "breakdowns that split runs (`all`, trends) are not translated yet") }
            if b.segment != nil { try no("`by \(b.label)`", "breakdowns by segment or tier are not translated yet") }
            if case .profile = b.field { try no("`by \(b.label)`", "profile properties (the users table) are not translated yet") }
        }
        try checkZone()
        if let f = source.spec.timeFormat { try no("`format \"\(f.text)\"` on the time column", "time formats are not translated yet; the engines' own parsers differ") }
        try checkFormats()
        if n > 16 { try no("\(n) steps", "funnels of more than 16 steps are not translated") }
        for c in source.columns where c.type == .bool { try no("column `\(c.name)`", "true/false columns are not translated yet") }
        if d.target == .duckdb {
            // DuckDB's identifiers ignore case even when quoted.
            var seen: [String: String] = [:]
            for name in [source.spec.userColumn, source.spec.timeColumn, source.spec.eventColumn] + source.columnNames {
                if let other = seen[name.lowercased()], other != name { try no("columns `\(other)` and `\(name)`", "DuckDB does not tell apart names that differ only in case") }
                seen[name.lowercased()] = name
            }
        }
    }

    // MARK: columns

    /// The typed column of a field in the `events` relation.
    func column(_ f: EventField) throws -> String {
        switch f {
        case .event: return d.ident("event")
        case .actor: return d.ident("user")
        case .time: return d.ident("time")
        case .property(let p): return d.ident("p_" + p)
        case .profile(let p): throw Untranslatable(construct: "`user.\(p)`", why: "profile properties (the users table) are not translated yet")
        }
    }

    var expressions: ExpressionWriter { ExpressionWriter(dialect: d, column: column) }

    /// The file, every column as text, with the file row.
    func read() -> String {
        let spec = source.spec
        if spec.format == "jsonl" { return jsonLines.relation(path, jsonColumns, what: spec.path, withRow: true) }
        let delimiter = String(UnicodeScalar(spec.delimiter))
        switch d.target {
        case .duckdb:
            return "SELECT *, row_number() OVER () AS \"__row\" FROM read_csv(\(d.string(path)), header = true, delim = \(d.string(delimiter)), quote = '\"', escape = '\"', all_varchar = true)"
        case .clickhouse:
            return "SELECT *, _row_number AS __row FROM file(\(d.string(path)), 'CSVWithNames')"
        case .spark:
            // Row ids grow with the file's splits and rows: the file order.
            return "SELECT *, monotonically_increasing_id() AS `__row` FROM \(sparkView)"
        }
    }

    /// The users table, every column as text (Spark: through its own temporary view).
    func readUsers(_ users: UsersPlan) throws -> String {
        let p = absolute(users.spec.path)
        if users.spec.format == "jsonl" {
            try refuseJSONLinesOnSpark("a `jsonl(…)` users table")
            return jsonLines.relation(p, jsonColumns(users), what: users.spec.path, withRow: false)
        }
        let delimiter = String(UnicodeScalar(users.spec.delimiter))
        switch d.target {
        case .duckdb:
            return "SELECT * FROM read_csv(\(d.string(p)), header = true, delim = \(d.string(delimiter)), quote = '\"', escape = '\"', all_varchar = true)"
        case .clickhouse:
            return "SELECT * FROM file(\(d.string(p)), 'CSVWithNames')"
        case .spark:
            return "SELECT * FROM \(d.ident("funnel_users"))"
        }
    }

    /// Spark reads a CSV file with a header through a temporary view (set up before the query).
    var sparkView: String { d.ident("funnel_source_\(funnel.source)") }
    var sparkSetup: [String] {
        guard d.target == .spark else { return [] }
        func view(_ name: String, _ path: String, _ delimiter: UInt8, _ what: String) -> String {
            "-- \(what), every column as text (a malformed row fails the query, as the native engine stops at it)\n"
                + "CREATE OR REPLACE TEMPORARY VIEW \(name) USING csv OPTIONS (path \(d.string(path)), header 'true', sep \(d.string(String(UnicodeScalar(delimiter)))), "
                + "quote '\"', escape '\"', multiLine 'true', mode 'FAILFAST', inferSchema 'false')"
        }
        var out = [view(sparkView, path, source.spec.delimiter, "the events file")]
        if funnel.actorFilter != nil, let users = plan.users {
            out.append(view(d.ident("funnel_users"), absolute(users.spec.path), users.spec.delimiter, "the users table"))
        }
        return out
    }

    var readSettings: String {
        guard d.target == .clickhouse else { return "" }
        let delimiter = String(UnicodeScalar(source.spec.delimiter))
        return "\nSETTINGS enable_materialized_cte = 1, input_format_csv_use_best_effort_in_schema_inference = 0, format_csv_delimiter = \(d.string(delimiter)), input_format_csv_empty_as_default = 1, "
            + JSONLinesReading.clickhouseSettings.joined(separator: ", ")
    }

    func text(_ name: String) -> String { "nullif(\(d.ident(name)), '')" }

    // MARK: the query

    func write() throws -> SQLQuery {
        try checkSupported()
        let spec = source.spec
        let ex = expressions
        let time = TimeParsing(dialect: d)
        let fold = FoldWriter(d: d, match: funnel.match)
        var ctes: [(name: String, comment: String, sql: String)] = []

        ctes.append(("src", "the events file (\(spec.path)), every column as text, with its row", read()))
        let layout = time.layout(of: text(spec.timeColumn)).map { "\($0.sql) AS \(d.ident($0.name))" }
        ctes.append(("time_layout", "whether the time has a common layout (and DuckDB's own reading of it)", "SELECT *, " + layout.joined(separator: ", ") + " FROM src"))
        let cut = time.pieces(of: text(spec.timeColumn)) { d.ident($0) }.map { "\($0.sql) AS \(d.ident($0.name))" }
        ctes.append(("time_pieces", "the other times cut into pieces: by position for the common layouts, else by pattern", "SELECT *, " + cut.joined(separator: ", ") + " FROM time_layout"))
        let numbers = time.numbers { d.ident($0) }.map { "\($0.sql) AS \(d.ident($0.name))" }
        ctes.append(("time_numbers", "the pieces as numbers", "SELECT *, " + numbers.joined(separator: ", ") + " FROM time_pieces"))

        // Typed columns; a missing user or event, or a time that is no time, fails the query, as the native engine stops there.
        let actorText: String
        if case .property(let p) = funnel.counting { actorText = text(p) } else { actorText = text(spec.userColumn) }
        var typed = timeColumns(time) + ["\(text(spec.userColumn)) AS \(d.ident("user"))",
                     "\(actorText) AS \(d.ident("actor"))", "\(text(spec.eventColumn)) AS \(d.ident("event"))"]
        var checked = [d.failIf("\(d.ident("time")) IS NULL", "\(spec.path): a time that is not a time (the native engine reports the row)", else: d.ident("time")) + " AS \(d.ident("time"))",
                       d.failIf("\(d.ident("user")) IS NULL", "\(spec.path): a row without a user (the native engine reports the row)", else: d.ident("user")) + " AS \(d.ident("user"))",
                       d.ident("actor"),
                       d.failIf("\(d.ident("event")) IS NULL", "\(spec.path): a row without an event (the native engine reports the row)", else: d.ident("event")) + " AS \(d.ident("event"))"]
        for c in source.columns {
            let raw = text(c.name)
            let value: String
            switch c.type {
            case .number: value = d.parseDouble(raw)
            case .time, .duration:
                throw Untranslatable(construct: "column `\(c.name)`", why: "time-typed property columns are not translated yet")
            default: value = raw
            }
            typed.append("\(value) AS \(d.ident("p_" + c.name))")
            checked.append(d.ident("p_" + c.name))
        }
        typed.append("__row")
        checked.append("__row")
        ctes.append(("typed", "user, time in µs since 1970 (UTC), event and the properties the funnel reads, typed", "SELECT " + typed.joined(separator: ", ") + " FROM time_numbers"))
        if let z = zone {
            ctes.append(("zoned", "times without an offset are wall-clock times of \(z.zone): their instants by the native reader's rule",
                         "SELECT *, \(z.instant(wall: d.ident("__wall"), isLocal: d.ident("__local"), file: spec.path)) AS \(d.ident("time")) FROM typed"))
        }
        ctes.append(("checked", "a row without a user or an event, or with a time that is no time, fails the query", "SELECT " + checked.joined(separator: ", ") + " FROM \(zone == nil ? "typed" : "zoned")"))

        // Events of this funnel: `where`, the step mask, and which step-1 events may start an attempt.
        var mask: [String] = []
        for (k, s) in funnel.steps.enumerated() { mask.append("CASE WHEN \(try ex.condition(s.predicate)) THEN \(d.int(Int64(1) << Int64(k))) ELSE 0 END") }
        let m = mask.joined(separator: " + ")
        var startable = "TRUE"
        if let days = funnel.startDays { startable = startDaysCondition(days) }
        var conditions = ["\(d.ident("actor")) IS NOT NULL"]
        if let filter = funnel.actorFilter { conditions.append(try segment(filter, &ctes)) }
        if let w = funnel.eventFilter { conditions.append(try ex.condition(w)) }
        let passes = conditions.joined(separator: " AND ")
        ctes.append(("marked", "every row with its step mask m (bit k: step k+1), s (m without step 1 where no attempt may start) and whether it is one of the funnel's events (`where`)",
                     "SELECT *, \(d.toBigint(m)) AS m, \(d.toBigint("CASE WHEN \(startable) THEN \(m) ELSE \(d.band(m, d.int(~1))) END")) AS s, CASE WHEN \(passes) THEN 1 ELSE 0 END AS passes FROM checked"))
        ctes.append(("events", "the funnel's events: other events do not exist for it", "SELECT * FROM marked WHERE passes = 1"))
        ctes.append(("population", "actors with an event of the funnel, and the rows read",
                     "SELECT count(DISTINCT CASE WHEN passes = 1 THEN \(d.ident("actor")) END) AS n, count(*) AS \(d.ident("rows")) FROM marked"))

        // Per actor, the order the folds read.
        let lowest = "CASE WHEN m = 0 THEN 0 ELSE \(d.band("m", "-m")) END"
        let order = funnel.match.tiesStrict ? "\(d.ident("time")), __row" : "\(d.ident("time")), \(lowest), __row"
        let keep = funnel.match.order == .strict ? "" : " AND m <> 0"   // strict: every event breaks or keeps chains
        let none = d.int(FoldWriter.none)
        let actor = d.ident("actor"), tcol = d.ident("time")
        // Actors with no event beyond step 1 reach at most step 1, at their first event that may
        // start an attempt (the latest row at that time): no fold, and no sort, needed.
        ctes.append(("deep", "actors with an event of a step after the first: only they need the folds",
                     "SELECT DISTINCT \(actor) FROM events WHERE m > 1"))
        let startTime = "CASE WHEN \(fold.bit("s", 0)) THEN \(tcol) END"
        ctes.append(("shallow", "the other actors: step 1 at their first event that may start an attempt (the latest row at that time); first touch: the first row",
                     "SELECT \(actor), \(d.pairFirst("st")) AS t0, -\(d.pairSecond("st")) AS i0, \(d.pairSecond("ft")) AS ft FROM (SELECT \(actor), \(d.minPair(startTime, "-__row")) AS st, \(d.minPair(startTime, "__row")) AS ft FROM events WHERE \(actor) NOT IN (SELECT \(actor) FROM deep) GROUP BY \(actor)) firsts WHERE st IS NOT NULL"))
        // A step-1-only event alone at its time, followed by another such event at a later time
        // (with `ties strict` or strict order, alone at its time too: a later step tied with it
        // could not extend it, and it must break strict attempts before that step's group),
        // can be left out of the folds: that later start is never worse (window, `within`,
        // strict order), and tie groups stay whole. Most events of heavy users are such views.
        ctes.append(("indexed", "per deep actor, events by time (tied events for earlier steps first), then file row; `redundant`: a start that a later one dominates",
                     "SELECT *, CASE WHEN m = 1 AND s = 1 AND nm = 1 AND ns = 1 AND nt > \(tcol) AND pt < \(tcol)\(funnel.match.tiesStrict || funnel.match.order == .strict ? " AND nnt > nt" : "") THEN 1 ELSE 0 END AS redundant FROM (SELECT *, row_number() OVER w AS i, "
                     + "lead(m, 1, 0) OVER w AS nm, lead(s, 1, 0) OVER w AS ns, lead(\(tcol), 1, \(none)) OVER w AS nt, lead(\(tcol), 2, \(d.int(FoldWriter.never))) OVER w AS nnt, lag(\(tcol), 1, \(none)) OVER w AS pt "
                     + "FROM events WHERE \(actor) IN (SELECT \(actor) FROM deep)\(keep) WINDOW w AS (PARTITION BY \(actor) ORDER BY \(order))) ordered"))
        let element = d.record([("i", "i"), ("t", tcol), ("m", "m"), ("s", "s"), ("r", "__row")], type: fold.elementType)
        ctes.append(("actors", "per deep actor: the events as one ordered list, the first event that may start an attempt (first touch), and the level fold",
                     "SELECT \(actor), evs, ft, fs, \(d.fold("evs", initial: fold.levelInitial, body: fold.levelBody)) AS st FROM (SELECT \(actor), \(d.orderedList(element, orderBy: "i", where: "redundant = 0")) AS evs, \(d.pairSecond(d.minPair("CASE WHEN \(fold.bit("s", 0)) THEN i END", "__row"))) AS ft, \(d.minPair(startTime, "-__row")) AS fs FROM indexed GROUP BY \(actor)) per_actor"))
        let finished = fold.finish("st").map { "\($0.sql) AS \($0.name)" }.joined(separator: ", ")
        ctes.append(("levels", "the last tie group applied: level lv, the best attempt's start bs and end bl", "SELECT \(actor), evs, ft, fs, \(finished) FROM actors"))
        let initial = fold.pathInitial(start: "bs", end: "bl", level: "lv")
        let ambiguous = "\(spec.path): tied events where one event could fill two steps of funnel \(funnel.name) (free ties): not computed exactly in SQL; use `ties strict` or the native engine"
        ctes.append(("paths", "the best assignment: backwards from its end, the earliest events that fit",
                     "SELECT \(actor), \(d.failIf("er = 1", ambiguous, else: "lv")) AS lv, ft, fs, \(d.fold(d.reverse("evs"), initial: initial, body: fold.pathBody)) AS p FROM levels WHERE lv >= 1"))
        var assigned = [actor, "lv", "ft"]
        var shallow = [actor, "1", "ft"]
        // Level 1's best assignment ends earliest: the first event that may start an attempt (the
        // latest row at its time), which may be one the folds left out as dominated.
        assigned += ["CASE WHEN lv = 1 THEN \(d.pairFirst("fs")) ELSE \(d.field("p", "r0")) END AS t0",
                     "CASE WHEN lv = 1 THEN -\(d.pairSecond("fs")) ELSE \(d.field("p", "ri0")) END AS i0"]
        for k in 0..<n {
            if k > 0 {
                assigned.append("CASE WHEN lv > \(k) THEN \(d.field("p", "r\(k)")) END AS t\(k)")
                assigned.append("CASE WHEN lv > \(k) THEN \(d.field("p", "ri\(k)")) END AS i\(k)")
            }
            shallow += k == 0 ? ["t0", "i0"] : [d.nullBigint, d.nullBigint]
        }
        ctes.append(("assigned", "per actor: the time and position of the event matched to each step",
                     "SELECT " + assigned.joined(separator: ", ") + " FROM paths UNION ALL SELECT " + shallow.joined(separator: ", ") + " FROM shallow"))

        // Values read at a step (KPIs, `by X at STEP`) or at the first touch: joined back by position.
        var kpiValues: [(step: Int, value: EventExpr)] = []
        var kpiTimes: [(from: Int, to: Int)] = []
        for e in funnel.kpis.map(\.expr) + funnel.expects.flatMap({ [$0.condition, $0.actual] }) { collect(e, &kpiValues, &kpiTimes) }
        var joins: Set<Int> = []   // step k, or -1 for the first touch
        var keys: [String] = []
        for b in funnel.breakdown {
            let value: String
            if case .lastTouch = b.attribution {
                // The furthest step reached: the event at step lv.
                for k in 0..<n { joins.insert(k) }
                value = "(CASE a.lv " + (try (1...max(n, 1)).map { "WHEN \($0) THEN \(try valueText(b.field, at: $0 - 1))" }.joined(separator: " ")) + " END)"
            } else {
                let at: Int
                if case .atStep(let k) = b.attribution { at = k } else { at = -1 }
                joins.insert(at)
                value = try valueText(b.field, at: at)
            }
            keys.append(b.bands.map { bandText(value, $0) } ?? value)
        }
        for v in kpiValues { joins.insert(v.step) }
        // The native engine lists each actor's times and values in the order of its actors (the
        // order they first appear in the file), and a mean's last bits depend on that order.
        ctes.append(("first_rows", "per actor, the first row of the file that names it: the native engine's order of actors",
                     "SELECT \(actor), min(__row) AS fr FROM checked GROUP BY \(actor)"))
        var from = "assigned a JOIN first_rows f ON f.\(actor) = a.\(actor)"
        for j in joins.sorted() {
            let alias = j < 0 ? "ef" : "e\(j)"
            let position = j < 0 ? "a.ft" : "a.i\(j)"
            from += " LEFT JOIN events \(alias) ON \(alias).\(d.ident("actor")) = a.\(d.ident("actor")) AND \(alias).__row = \(position)"
        }
        var valued = ["a.lv AS lv", "f.fr AS fr"] + (0..<n).map { "a.t\($0) AS t\($0)" }
        for (i, key) in keys.enumerated() { valued.append("\(key) AS g\(i)") }
        for (i, v) in kpiValues.enumerated() {
            let w = ExpressionWriter(dialect: d) { f in
                if case .property(let p) = f { return "e\(v.step).\(d.ident("p_" + p))" }
                if f == .event { return "e\(v.step).\(d.ident("event"))" }
                if f == .time { return "e\(v.step).\(d.ident("time"))" }
                throw Untranslatable(construct: "`\(f)` in a KPI", why: "not translated yet")
            }
            valued.append("\(d.toDouble(try w.value(v.value))) AS kv\(i)")
        }
        ctes.append(("valued", "the breakdown keys (first touch or at a step) and the values KPIs read", "SELECT " + valued.joined(separator: ", ") + " FROM " + from))

        // Figures per group and over every actor.
        var figures = ["(SELECT n FROM population) AS population", "(SELECT \(d.ident("rows")) FROM population) AS events_read"]
        for k in 0..<n { figures.append("\(d.countIf("lv > \(k)")) AS reached\(k + 1)") }
        for k in 1..<max(n, 1) { figures.append("\(d.listIf("t\(k) - t\(k - 1)", "lv > \(k)", orderBy: "fr")) AS delta\(k + 1)") }
        if n > 1 { figures.append("\(d.listIf("t\(n - 1) - t0", "lv >= \(n)", orderBy: "fr")) AS ttc") }
        for i in kpiValues.indices { figures.append("\(d.listIf("kv\(i)", "lv > \(kpiValues[i].step)", orderBy: "fr")) AS kv\(i)") }
        for (i, t) in kpiTimes.enumerated() { figures.append("\(d.listIf("t\(t.to) - t\(t.from)", "lv > \(t.to)", orderBy: "fr")) AS ks\(i)") }
        let select: String
        if keys.isEmpty {
            select = "SELECT 1 AS total, " + figures.joined(separator: ", ") + " FROM valued"
        } else {
            let g = keys.indices.map { "g\($0)" }
            select = "SELECT grouping(g0) AS total, " + g.joined(separator: ", ") + ", " + figures.joined(separator: ", ")
                + " FROM \(groupedRows) GROUP BY GROUPING SETS ((), (" + g.joined(separator: ", ") + "))"
        }

        var sql = "-- funnel \(oneLine(funnel.name)) (line \(funnel.line)): \(funnel.steps.map { oneLine($0.name) }.joined(separator: " -> "))\n"
        sql += "-- generated by `funnel sql --target \(d.target.rawValue)`: \(funnel.match.order.rawValue) order, ties \(funnel.match.tiesStrict ? "strict" : "free")"
        if let w = funnel.match.window { sql += ", window \(w) µs (inclusive)" }
        sql += "\nWITH\n"
        // Relations read more than once are computed once where the engine allows it (Spark
        // plans each reference on its own).
        let shared: Set<String> = ["marked", "deep"]
        let materialized = d.target == .spark ? "" : " MATERIALIZED"
        sql += ctes.map { "-- \(oneLine($0.comment))\n\(d.ident($0.name)) AS\(shared.contains($0.name) ? materialized : "") (\n  \($0.sql)\n)" }.joined(separator: ",\n")
        sql += "\n-- users per step, times between steps and KPI values: per breakdown group, and over every actor (total = 1)\n"
        sql += select + readSettings + "\n"
        var query = SQLQuery(funnel: funnel.name, target: d.target, sql: sql, kpiValues: kpiValues, kpiTimes: kpiTimes, breakdownCount: keys.count)
        query.setup = sparkSetup
        return query
    }

    /// What the grouping sets read. Over no rows Spark gives not even the row of `()` (DuckDB
    /// and ClickHouse do), so Spark reads one row of NULLs beside them: it counts at no step, and
    /// the group it forms has no actor at step 1, which SQLResults leaves out.
    var groupedRows: String {
        d.target == .spark ? "(SELECT 1 AS one) one_row LEFT JOIN valued ON TRUE" : "valued"
    }

    /// `for`: the users it selects, as a condition on the events' user (and the relations it reads).
    func segment(_ filter: UserExpr, _ ctes: inout [(name: String, comment: String, sql: String)]) throws -> String {
        var seg = SegmentWriter(d: d, events: expressions)
        let condition = try seg.condition(filter)
        let user = d.ident("user")
        let asOf = self.asOf.map { d.int($0) } ?? "(SELECT max(\(d.ident("time"))) FROM checked)"
        var columns = [user] + (try seg.aggregateColumns(asOf: asOf))
        if seg.aggregates.isEmpty { columns.append("1 AS one") }
        ctes.append(("user_facts", "per user, over the whole history (before `where`): the aggregates the segment reads",
                     "SELECT " + columns.joined(separator: ", ") + " FROM checked GROUP BY \(user)"))
        var facts = "user_facts"
        if !seg.profileColumns.isEmpty {
            guard let users = plan.users else { throw Untranslatable(construct: "`user.…` without a users table", why: "no users table") }
            let key = d.ident(users.spec.keyColumn)
            var typed = ["nullif(\(key), '') AS \(d.ident("u_key"))"]
            for name in seg.profileColumns.sorted() {
                let type = users.columns.first { $0.name == name }?.type ?? .string
                let raw = "nullif(\(d.ident(name)), '')"
                typed.append("\(type == .number ? d.parseDouble(raw) : raw) AS \(d.ident("u_" + name))")
            }
            ctes.append(("users_table", "the users table: its key and the columns the segment reads, typed", "SELECT " + typed.joined(separator: ", ") + " FROM (\(try readUsers(users))) users_file"))
            // A key on two rows would give a user two profiles: the native engine stops there (E413).
            let duplicate = "the users table has a key on two rows (the native engine reports it, E413)"
            ctes.append(("users_checked", "a key on two rows fails the query",
                         "SELECT \(d.ident("u_key")), " + seg.profileColumns.sorted().map { d.ident("u_" + $0) }.joined(separator: ", ")
                         + ", \(d.failIf("count(*) OVER (PARTITION BY \(d.ident("u_key"))) > 1", duplicate, else: "1")) AS one_row FROM users_table WHERE \(d.ident("u_key")) IS NOT NULL"))
            ctes.append(("user_profiles", "each user's aggregates and profile (missing when the table has no row for the user)",
                         "SELECT f.*, " + seg.profileColumns.sorted().map { "u.\(d.ident("u_" + $0))" }.joined(separator: ", ")
                         + " FROM user_facts f LEFT JOIN users_checked u ON u.\(d.ident("u_key")) = f.\(user)"))
            facts = "user_profiles"
        }
        ctes.append(("selected", "the users `for` counts", "SELECT \(user) FROM \(facts) WHERE \(condition)"))
        return "\(user) IN (SELECT \(user) FROM selected)"
    }

    /// `dates`: the step-1 events that may start an attempt. Relative days count back from the
    /// as-of day: `asOf`'s, else the day of the latest event (in UTC; a zone: `zonedStartDays`).
    func startDaysCondition(_ days: StartDays) -> String {
        let day = DayBound.dayMicros
        if let z = zone { return zonedStartDays(days, z) }
        guard days.isRelative else {
            let (lo, hi) = days.bounds(asOfDay: 0)
            return "\(d.ident("time")) BETWEEN \(d.int(lo)) AND \(d.int(hi))"
        }
        let asOfDay = asOf.map { d.int(DayBound.dayStart($0)) }
            ?? "(SELECT \(d.intDiv("max(\(d.ident("time")))", d.int(day))) * \(d.int(day)) FROM checked)"
        func bound(_ b: DayBound, plus: Int64) -> String {
            switch b {
            case .day(let m): return d.int(m + plus)
            case .daysBeforeAsOf(let n): return "(\(asOfDay) - \(d.int(Int64(n) * day - plus)))"
            }
        }
        return "\(d.ident("time")) BETWEEN \(bound(days.first, plus: 0)) AND \(bound(days.last, plus: day - 1))"
    }

    /// `bands [a, b, …]`: a number's band by name, as the native engine names it; missing stays missing.
    func bandText(_ value: String, _ edges: [Double]) -> String {
        let labels = PlannedBreakdown.bandLabels(edges)
        let ranges = edges.enumerated().map { "WHEN \(value) < \(d.double($1)) THEN \(d.string(labels[$0]))" }.joined(separator: " ")
        return "(CASE WHEN \(value) IS NULL THEN NULL \(ranges) ELSE \(d.string(labels[edges.count])) END)"
    }

    /// A breakdown key's value as text, read from the event at a step (or the first touch, at = -1).
    func valueText(_ f: EventField, at: Int) throws -> String {
        let alias = at < 0 ? "ef" : "e\(at)"
        let col: String
        var isNumber = false
        switch f {
        case .event: col = "\(alias).\(d.ident("event"))"
        case .actor: col = "\(alias).\(d.ident("user"))"
        case .property(let p):
            col = "\(alias).\(d.ident("p_" + p))"
            isNumber = source.columns.first { $0.name == p }?.type == .number
        default: throw Untranslatable(construct: "`by \(f)`", why: "not translated yet")
        }
        return isNumber ? d.toDouble(col) : col
    }

    func collect(_ e: KPIExpr, _ values: inout [(step: Int, value: EventExpr)], _ times: inout [(from: Int, to: Int)]) {
        switch e {
        case .stepAggregate(_, let s, let v): if !values.contains(where: { $0.step == s && $0.value == v }) { values.append((s, v)) }
        case .timeBetween(_, let f, let t): if !times.contains(where: { $0 == (f, t) }) { times.append((f, t)) }
        case .arith(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): collect(a, &values, &times); collect(b, &values, &times)
        case .between(let a, let b, let c): collect(a, &values, &times); collect(b, &values, &times); collect(c, &values, &times)
        case .negate(let a), .not(let a): collect(a, &values, &times)
        default: break
        }
    }

    /// Text for a one-line comment: no line breaks can end it early.
    func oneLine(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" ? "?" : Character($0) })
    }
}
