import FunnelPlan

/// The two folds over one actor's events that make the native matcher's result in SQL
/// (language.md §4; sql-backends.md "What a single running state can and cannot do").
///
/// Events reach the folds sorted by (time, lowest step bit, file row) — tied events that fill
/// earlier steps first — as records (i: position, t: µs, m: step mask, s: mask with step 1's bit
/// only where an attempt may start, r: file row, which the assignment reports).
///
/// 1. The level fold keeps, per step, the latest start of an attempt that reached it and the
///    time of that attempt's event at the step (for `within`). Events of one time are one tie
///    group, applied when the next time arrives (and once more after the fold): with `ties
///    strict` each tied event extends only states from before the group; with free ties the
///    group's events chain, each filling one step. Gives the level, and the best attempt's start
///    (latest) and end (earliest) time.
/// 2. The path fold reads the events backwards between that start and end and keeps, per step,
///    the earliest event from which the remaining steps can still be completed, with its
///    greedy completion: the assignment that takes the earliest events that fit, as the native
///    engine's reconstruction does, including `within`, strict order and ties.
///
/// Free ties where one tied event could fill two steps are a matching problem these folds do
/// not solve: the query fails then (never a silently different count).
struct FoldWriter {
    let d: Dialect
    let match: MatchConfig
    var n: Int { match.steps }
    var strictOrder: Bool { match.order == .strict }

    /// "No state": far below any time, so that `t - none` stays in range.
    static let none: Int64 = -(1 << 62)
    /// "No breaker yet": far above any time.
    static let never: Int64 = 1 << 62
    var none: String { d.int(FoldWriter.none) }
    var never: String { d.int(FoldWriter.never) }

    static let elementFields = ["i", "t", "m", "s", "r"]
    var elementType: [(name: String, type: String)] { FoldWriter.elementFields.map { ($0, d.bigint) } }

    func bit(_ mask: String, _ j: Int) -> String { "\(d.band(d.shr(mask, j), "1")) = 1" }
    func noBit(_ mask: String, _ j: Int) -> String { "\(d.band(d.shr(mask, j), "1")) = 0" }
    func A(_ f: String) -> String { d.field("acc", f) }
    func X(_ f: String) -> String { d.field("x", f) }

    // MARK: 1. level

    var levelFields: [String] {
        (0..<n).map { "c\($0)" } + (0..<n).map { "l\($0)" } + ["gt", "gor", "gand", "gn", "gm", "lv", "bs", "bl", "er"]
    }
    var levelType: [(name: String, type: String)] { levelFields.map { ($0, d.bigint) } }

    var levelInitial: String {
        let all = Int64((1 << n) - 1)
        let values: [String: String] = ["gt": none, "gor": "0", "gand": d.int(all), "gn": "0", "gm": "0", "lv": "0", "bs": "0", "bl": "0", "er": "0"]
        return d.record(levelFields.map { ($0, values[$0] ?? none) }, type: levelType)
    }

    /// Whether a state at step f (0-based) can be extended at the group's time `g`.
    func extendable(_ f: Int, _ s: (String) -> String, _ g: String) -> String {
        var parts = ["\(s("c\(f)")) > \(none)"]
        if let w = match.window { parts.append("\(g) - \(s("c\(f)")) <= \(d.int(w))") }
        if f + 1 < n, let w = match.within[f + 1] { parts.append("\(g) - \(s("l\(f)")) <= \(d.int(w))") }
        return parts.joined(separator: " AND ")
    }

    /// The start of the attempt that the closing group takes to step j, or `none`.
    func pending(_ j: Int, _ s: (String) -> String) -> String {
        let g = s("gt"), or = s("gor")
        // Each event extends only states from before its group (one event, or ties strict).
        let single = j == 0 ? "CASE WHEN \(bit(or, 0)) THEN \(g) ELSE \(none) END"
            : "CASE WHEN \(bit(or, j)) AND \(extendable(j - 1, s, g)) THEN \(s("c\(j - 1)")) ELSE \(none) END"
        if match.tiesStrict { return single }
        // Free ties: from a start in the group (f = -1) or a state at step f, the group's events fill steps f+1…j.
        var options: [String] = []
        for f in -1..<j {
            let needed = (f + 1...j).reduce(Int64(0)) { $0 | (Int64(1) << Int64($1)) }
            let filled = "\(d.band(or, d.int(needed))) = \(d.int(needed))"
            options.append(f == -1 ? "CASE WHEN \(filled) THEN \(g) ELSE \(none) END"
                : "CASE WHEN \(filled) AND \(extendable(f, s, g)) THEN \(s("c\(f)")) ELSE \(none) END")
        }
        return "CASE WHEN \(s("gn")) = 1 THEN \(single) ELSE \(d.greatest(options)) END"
    }

    /// The state after the group in `s` is applied: field name → expression.
    func close(_ s: (String) -> String) -> [String: String] {
        var out: [String: String] = [:]
        let p = (0..<n).map { pending($0, s) }
        let g = s("gt")
        for j in 0..<n {
            // Strict order: a group with an event that does not match step j breaks the attempts at step j.
            let broken = strictOrder ? "\(s("c\(j)")) > \(none) AND \(noBit(s("gand"), j))" : "FALSE"
            let c = "CASE WHEN \(broken) THEN \(none) ELSE \(s("c\(j)")) END"
            let l = "CASE WHEN \(broken) THEN \(none) ELSE \(s("l\(j)")) END"
            let better = "\(p[j]) > \(none) AND \(p[j]) >= \(c)"
            out["c\(j)"] = "CASE WHEN \(better) THEN \(p[j]) ELSE \(c) END"
            out["l\(j)"] = "CASE WHEN \(better) THEN \(g) ELSE \(l) END"
        }
        let newLevel = "CASE " + (0..<n).reversed().map { "WHEN \(p[$0]) > \(none) THEN \($0 + 1)" }.joined(separator: " ") + " ELSE 0 END"
        let newStart = "CASE " + (0..<n).reversed().map { "WHEN \(p[$0]) > \(none) THEN \(p[$0])" }.joined(separator: " ") + " ELSE 0 END"
        let up = "(\(newLevel)) > \(s("lv"))"
        out["lv"] = "CASE WHEN \(up) THEN \(newLevel) ELSE \(s("lv")) END"
        out["bs"] = "CASE WHEN \(up) THEN \(newStart) ELSE \(s("bs")) END"
        out["bl"] = "CASE WHEN \(up) THEN \(g) ELSE \(s("bl")) END"
        out["er"] = match.tiesStrict ? s("er") : "CASE WHEN \(s("gn")) >= 2 AND \(s("gm")) = 1 THEN 1 ELSE \(s("er")) END"
        return out
    }

    /// More than one step bit in a start-aware mask.
    func multi(_ m: String) -> String { "CASE WHEN \(d.band(m, "\(m) - 1")) <> 0 THEN 1 ELSE 0 END" }

    var levelBody: String {
        let closed = close(A)
        let fresh = "\(X("t")) <> \(A("gt"))"
        var fields: [(String, String)] = []
        for f in levelFields {
            let value: String
            switch f {
            case "gt": value = X("t")
            case "gor": value = "CASE WHEN \(fresh) THEN \(X("s")) ELSE \(d.bor(A("gor"), X("s"))) END"
            case "gand": value = "CASE WHEN \(fresh) THEN \(X("m")) ELSE \(d.band(A("gand"), X("m"))) END"
            case "gn": value = "CASE WHEN \(fresh) THEN 1 ELSE \(A("gn")) + 1 END"
            case "gm": value = "CASE WHEN \(fresh) THEN \(multi(X("s"))) ELSE \(d.greatest([A("gm"), multi(X("s"))])) END"
            default: value = "CASE WHEN \(fresh) THEN \(closed[f] ?? A(f)) ELSE \(A(f)) END"
            }
            fields.append((f, value))
        }
        return d.record(fields, type: levelType)
    }

    /// The level fold's result with its last group applied, as columns named after the fields.
    func finish(_ state: String) -> [(name: String, sql: String)] {
        let closed = close { d.field(state, $0) }
        return ["lv", "bs", "bl", "er"].map { ($0, closed[$0] ?? "0") }
    }

    // MARK: 2. path

    var pathFields: [String] {
        var f = ["S", "T", "L", "ct", "rf"]
        for j in 1..<max(n, 1) { for k in j..<n { f += ["q\(j)_\(k)", "qi\(j)_\(k)"] } }
        // Snapshots (prefix z): the same fields as of before the current time group.
        if match.tiesStrict { for j in 1..<max(n, 1) { for k in j..<n { f += ["zq\(j)_\(k)", "zqi\(j)_\(k)"] } } }
        if strictOrder { for j in 0..<n { f += ["b\(j)", "zb\(j)"] } }
        for k in 0..<n { f += ["r\(k)", "ri\(k)"] }
        return f
    }
    var pathType: [(name: String, type: String)] { pathFields.map { ($0, d.bigint) } }

    func pathInitial(start: String, end: String, level: String) -> String {
        let values: [String: String] = ["S": start, "T": end, "L": level, "ct": none, "rf": "0"]
        return d.record(pathFields.map { f in (f, values[f] ?? (f.hasPrefix("b") || f.hasPrefix("zb") ? never : none)) }, type: pathType)
    }

    var pathBody: String {
        let fresh = "\(X("t")) <> \(A("ct"))"
        let S = A("S"), T = A("T"), L = A("L"), t = X("t")
        /// A path field as of before this event's time group (ties strict: later times only).
        func earlier(_ f: String) -> String { "CASE WHEN \(fresh) THEN \(A(f)) ELSE \(A("z" + f)) END" }
        func next(_ f: String) -> String { match.tiesStrict ? earlier(f) : A(f) }
        func nextIdx(_ f: String) -> String { match.tiesStrict ? earlier(f) : A(f) }
        func breaker(_ j: Int) -> String { earlier("b\(j)") }
        /// Whether an event at this time at step j can continue with the path kept for step j+1.
        func continues(_ j: Int) -> String {
            guard j + 1 < n else { return "FALSE" }
            let nt = next("q\(j + 1)_\(j + 1)")
            var parts = ["\(nt) > \(none)"]
            if let w = match.within[j + 1] { parts.append("\(nt) - \(t) <= \(d.int(w))") }
            if strictOrder { parts.append("\(breaker(j)) >= \(nt)") }
            return parts.joined(separator: " AND ")
        }
        var values: [String: String] = ["S": S, "T": T, "L": L, "ct": t]
        var takes: [Int: String] = [:]
        for j in 1..<max(n, 1) {
            let completable = "CASE WHEN \(L) - 1 = \(j) THEN \(t) = \(T) WHEN \(L) - 1 < \(j) THEN FALSE ELSE \(continues(j)) END"
            let take = "(\(bit(X("m"), j)) AND \(t) >= \(S) AND \(t) <= \(T) AND \(completable))"
            takes[j] = take
            values["q\(j)_\(j)"] = "CASE WHEN \(take) THEN \(t) ELSE \(A("q\(j)_\(j)")) END"
            values["qi\(j)_\(j)"] = "CASE WHEN \(take) THEN \(X("r")) ELSE \(A("qi\(j)_\(j)")) END"
            for k in (j + 1)..<max(n, j + 1) {
                let last = "\(L) - 1 = \(j)"
                values["q\(j)_\(k)"] = "CASE WHEN \(take) THEN (CASE WHEN \(last) THEN \(none) ELSE \(next("q\(j + 1)_\(k)")) END) ELSE \(A("q\(j)_\(k)")) END"
                values["qi\(j)_\(k)"] = "CASE WHEN \(take) THEN (CASE WHEN \(last) THEN \(none) ELSE \(nextIdx("qi\(j + 1)_\(k)")) END) ELSE \(A("qi\(j)_\(k)")) END"
            }
        }
        if match.tiesStrict {
            for j in 1..<max(n, 1) { for k in j..<n {
                values["zq\(j)_\(k)"] = earlier("q\(j)_\(k)")
                values["zqi\(j)_\(k)"] = earlier("qi\(j)_\(k)")
            } }
        }
        if strictOrder {
            for j in 0..<n {
                values["zb\(j)"] = breaker(j)
                values["b\(j)"] = "CASE WHEN \(noBit(X("m"), j)) THEN \(t) ELSE \(A("b\(j)")) END"
            }
        }
        // The start: the latest row at the best attempt's start time from which the path completes.
        let startContinues = "CASE WHEN \(L) = 1 THEN \(t) = \(T) ELSE \(continues(0)) END"
        let take0 = "(\(bit(X("s"), 0)) AND \(t) = \(S) AND \(A("rf")) = 0 AND \(startContinues))"
        values["rf"] = "CASE WHEN \(take0) THEN 1 ELSE \(A("rf")) END"
        values["r0"] = "CASE WHEN \(take0) THEN \(t) ELSE \(A("r0")) END"
        values["ri0"] = "CASE WHEN \(take0) THEN \(X("r")) ELSE \(A("ri0")) END"
        for k in 1..<max(n, 1) {
            values["r\(k)"] = "CASE WHEN \(take0) THEN \(next("q1_\(k)")) ELSE \(A("r\(k)")) END"
            values["ri\(k)"] = "CASE WHEN \(take0) THEN \(nextIdx("qi1_\(k)")) ELSE \(A("ri\(k)")) END"
        }
        return d.record(pathFields.map { ($0, values[$0] ?? A($0)) }, type: pathType)
    }
}
