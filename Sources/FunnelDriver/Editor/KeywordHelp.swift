import FunnelSyntax

/// One line of help per keyword, for hover and completion. Keywords are contextual, so a word
/// with several roles says each. The list of keywords itself is FunnelSyntax's `Keywords`; a
/// keyword added there without a line here still gets one from its role.
enum KeywordHelp {
    static let lines: [String: String] = [
        // declarations
        "source": "source NAME = csv(\"path\") { user = COL  time = COL  event = COL }: an event file, relative to this file",
        "users": "users = csv(\"path\") { key = COL }: the profile table read as user.NAME; in a KPI or `count users`: the funnel's population",
        "segment": "segment NAME = USER-EXPR: a set of users, usable in `for` and in other segments",
        "import": "import \"other.funnel\": shares that file's sources and segments",
        "funnel": "funnel NAME [from SOURCE] { clauses }: a conversion funnel",
        "test": "test \"name\" for FUNNEL { events { table }  expect ... }: runs the funnel on a small table (`funnel test`)",
        // clauses
        "window": "window 7d | none: the conversion window from the step-1 event, inclusive (default 14d)",
        "order": "order ordered | strict | any: how steps must follow each other (default ordered)",
        "ties": "ties strict: each step strictly later than the previous (default: equal timestamps may chain)",
        "step": "step NAME = EVENT-PRED [within D]: one step of the funnel; a bare string means event == \"…\"",
        "exclude": "exclude EVENT-PRED [between STEP and STEP] [remove]: an event that must not happen between two steps",
        "where": "where EVENT-PRED: only these events exist for the funnel; in an aggregate: which events it reads",
        "for": "for USER-EXPR: only these users are counted; in a test header: the funnel under test",
        "dates": "dates 2024-01-01 to 2024-01-31: which step-1 events may start an attempt (both days included)",
        "by": "by KEY, ...: breakdown (first touch; `at STEP`, `all`, or day / week / month buckets)",
        "hold": "hold PROPERTY: every step of an assignment carries the same value",
        "count": "count users | conversions | PROPERTY: what the funnel counts; count(PRED): a user's matching events",
        "kpi": "kpi NAME = EXPR [format …] [decimals N]: a figure computed from the results",
        "expect": "expect BOOL-EXPR: a check; `funnel check` exits 1 when it is false",
        "compare": "compare by KEY [baseline VALUE]: each group of KEY against the baseline (A/B reading)",
        // operators and clause words
        "and": "both conditions", "or": "either condition", "not": "the condition is false; `not in`: outside the list",
        "in": "x in [\"a\", \"b\"]: equal to one of the constants of the list",
        "contains": "text contains \"part\": the text includes the part",
        "starts_with": "text starts_with \"prefix\"",
        "matches": "text matches \"regex\": the pattern matches somewhere (RE2 subset, linear time)",
        "between": "x between lo and hi (inclusive); `exclude … between STEP and STEP`",
        "within": "step … within D: at most D after the previous step, inclusive",
        "to": "dates FROM to TO",
        "at": "by KEY at STEP: the value at that step's matched event",
        "all": "by KEY all: runs the funnel once per value (a user may be in several groups)",
        "from": "funnel NAME from SOURCE: the source the funnel reads",
        "remove": "exclude … remove: an excluded event takes the user out of every step",
        "baseline": "compare by KEY baseline VALUE: the group the others are compared with",
        "format": "kpi … format percent | number | seconds | money: how the KPI is shown",
        "decimals": "kpi … decimals N: digits after the point",
        "events": "events { table }: a test's events, one per line under a header",
        // constants
        "true": "the boolean true", "false": "the boolean false", "null": "a missing value (compare with == and !=)",
        "none": "window none: no conversion window",
        "ordered": "order ordered: steps in order, other events may come between",
        "strict": "order strict: no other event between steps; ties strict: strictly later timestamps",
        "any": "order any: steps in any order",
        "conversions": "count conversions: completed attempts instead of users",
        "day": "by day: attempts bucketed by the day of their step-1 event",
        "week": "by week: attempts bucketed by the week (Monday) of their step-1 event",
        "month": "by month: attempts bucketed by the month of their step-1 event",
        "percent": "format percent: the KPI as a percentage", "number": "a column type (`price: number`); format number: a plain number",
        "seconds": "format seconds: the KPI as a duration", "money": "format money: thousands grouped, 2 decimals",
        "string": "a column type: text", "bool": "a column type: true / false",
        "time": "the event's time; `time = COL` in a source maps the time column; time(a -> b): seconds between two steps",
        "csv": "csv(\"path\"): a CSV file (`,` by default; `delimiter` sets another)", "jsonl": "jsonl(\"path\"): a JSON Lines file",
        // settings
        "user": "the user column (`user = COL` in a source); user.NAME reads the users table",
        "event": "the event name column (`event = COL` in a source); a bare string means event == \"…\"",
        "key": "key = COL: the users table's column that matches the events' user",
        "timezone": "timezone \"Area/City\": the zone of times without an offset (default UTC)",
        "delimiter": "delimiter \";\": the CSV field separator",
        // functions
        "sum": "sum(EXPR where PRED) over a user's events; sum(step.prop) over a step's events in a KPI",
        "avg": "avg(EXPR where PRED) over a user's events; avg(step.prop) in a KPI",
        "min": "min(EXPR where PRED); min(step.prop) in a KPI", "max": "max(EXPR where PRED); max(step.prop) in a KPI",
        "median": "median(step.prop) or median(time(a -> b)) in a KPI",
        "p90": "p90(step.prop) or p90(time(a -> b)) in a KPI: the 90th percentile",
        "first": "first(EXPR [where PRED]): the value at a user's first matching event",
        "last": "last(EXPR [where PRED]): the value at a user's last matching event",
        "recency": "recency(PRED): time since the user's last matching event (at the end of the data or --as-of)",
    ]

    /// The line for a keyword; nil for a word that is not one.
    static func line(for word: String) -> String? {
        if let l = lines[word] { return l }
        if Keywords.declarations.contains(word) { return "starts a declaration" }
        if Keywords.clauses.contains(word) { return "a funnel clause" }
        if Keywords.functions.contains(word) { return "an aggregate function" }
        if Keywords.settings.contains(word) { return "a setting of a source block" }
        if Keywords.operators.contains(word) || Keywords.constants.contains(word) { return "a keyword of the language" }
        return nil
    }
}
