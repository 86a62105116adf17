/// Every word the language gives a meaning to, by role: the one list that the parser's
/// recovery, the REPL's completion and the editor grammar (grammar/funnel.tmLanguage.json,
/// kept equal by a test) use. Keywords are contextual: each is an ordinary name elsewhere.
public enum Keywords {
    /// Words that start a declaration.
    public static let declarations = ["source", "users", "segment", "measure", "tier", "import", "funnel", "test"]
    /// Words that start a clause inside `funnel { … }`.
    public static let clauses = ["window", "order", "ties", "step", "exclude", "where", "for", "dates", "by", "hold",
                                 "count", "kpi", "expect", "compare", "profile"]
    /// Words inside expressions and clauses.
    public static let operators = ["and", "or", "not", "in", "contains", "starts_with", "matches", "between", "within", "to",
                                   "at", "all", "from", "remove", "baseline", "format", "decimals", "events", "if", "otherwise",
                                   "each", "top", "bands"]
    /// Fixed values: literals, orders, counting units, periods, KPI formats, column types, data formats.
    public static let constants = ["true", "false", "null", "none", "ordered", "strict", "any", "users", "conversions",
                                   "day", "week", "month", "percent", "number", "seconds", "money", "string", "bool", "time",
                                   "csv", "jsonl", "biggest_drop", "share", "today", "days", "weeks"]
    /// Settings of a source or users block.
    public static let settings = ["user", "event", "key", "timezone", "delimiter"]
    /// Aggregates over a user's history (segments), over a step's events (KPIs), and `time(a -> b)`.
    public static let functions = ["count", "sum", "avg", "min", "max", "median", "p90", "first", "last", "recency", "time", "rfm", "clv"]

    /// Every keyword once.
    public static let all: [String] = {
        var seen = Set<String>()
        return (declarations + clauses + operators + constants + settings + functions).filter { seen.insert($0).inserted }
    }()
}
