import FunnelDiagnostics
import FunnelCore
import FunnelEngine

/// The profile (`profile by KEY`) in every format: one row per group with its users, their share,
/// the funnel's conversion and each column (a mean, or the mix of values), then all users together.
enum ProfileText {
    /// The most common values a human cell shows of a mix; the rest are counted.
    static let mixShown = 3

    /// A cell for people: `44.2`, `3d 4h`, `F 52% · M 46% · +1 more`.
    static func cell(_ c: ProfileResult.Cell, _ kind: ProfileResult.Column.Kind, between: String = " · ") -> String {
        switch c {
        case .mean(let x, _):
            guard let x = x else { return "-" }
            return kind == .duration ? Fmt.duration(x) : Fmt.grouped(x, abs(x) >= 100 ? 0 : 1)
        case .mix(let shares):
            var parts = shares.prefix(mixShown).map { "\(visibleText($0.label)) \(Fmt.fixed($0.share * 100, 0))%" }
            if shares.count > mixShown { parts.append("+\(shares.count - mixShown) more") }
            return parts.joined(separator: between)
        }
    }

    /// Column titles: the key, users, share, conversion, then the columns (`avg age`, `gender mix`).
    static func titles(_ p: ProfileResult) -> [String] {
        [p.key, "users", "share", "conversion"] + p.columns.map { c in c.kind == .mix ? "\(c.name) mix" : "avg \(c.name)" }
    }

    /// A row's cells, in the order of `titles`.
    static func cells(_ row: ProfileResult.Row, _ p: ProfileResult, between: String = " · ") -> [String] {
        [Fmt.value(row.value), Fmt.count(row.users), Fmt.percent(row.share), Fmt.percent(row.conversion)]
            + zip(row.cells, p.columns).map { cell($0, $1.kind, between: between) }
    }

    /// The line above the table: what a row describes.
    static func heading(_ p: ProfileResult, firstStep: String) -> String {
        "profile by \(p.key): the funnel's users (at \(firstStep)) per group; conversion is the share who reach the last step"
    }
}

extension TableRenderer {
    /// The profile as a fitted table: the columns the file asked for drop last-first when narrow.
    func profile(_ r: FunnelResult) -> String {
        guard let p = r.profile else { return "" }
        let rows = p.rows + [p.total]
        let titles = ProfileText.titles(p)
        let cells = rows.map { ProfileText.cells($0, p, between: glyphs.between) }
        let columns = titles.enumerated().map { i, t in
            Column(title: t, cells: cells.map { $0[i] }, right: i > 0 && i < 4 || (i >= 4 && p.columns[i - 4].kind != .mix),
                   dropRank: i >= 4 ? titles.count - i : (i == 2 ? titles.count : nil), cuttable: i == 0)
        }
        var out = "\n" + say(ProfileText.heading(p, firstStep: r.steps.first?.name ?? "step 1")) + fittedTable(columns, indent: "    ")
        if let note = p.note { out += say("note: \(note)", indent: "    ", style: "33") }
        return out
    }
}

extension DelimitedRenderer {
    /// The profile as a Markdown table.
    static func markdownProfile(_ r: FunnelResult) -> String {
        guard let p = r.profile else { return "" }
        let titles = ProfileText.titles(p)
        var out = "\n**\(markdownEscaped(ProfileText.heading(p, firstStep: r.steps.first?.name ?? "step 1")))**\n\n"
        out += "| " + titles.map(markdownEscaped).joined(separator: " | ") + " |\n"
        out += "|---|" + titles.dropFirst().enumerated().map { i, _ in i < 3 || p.columns[i - 3].kind != .mix ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in p.rows + [p.total] { out += "| " + ProfileText.cells(row, p).map(markdownEscaped).joined(separator: " | ") + " |\n" }
        if let note = p.note { out += "\n> note: \(note)\n" }
        return out
    }

    static func markdownEscaped(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

    /// The profile in long form for CSV: per group, one row per figure (`share`, `conversion`,
    /// `avg age`, `gender=F`), the figure's name in `profile_column` and its number in `profile_value`.
    static func csvProfileRows(_ f: FunnelResult) -> [[String]] {
        guard let p = f.profile else { return [] }
        func num(_ x: Double?) -> String { x.map { JSONWriter.number($0) } ?? "" }
        var rows: [[String]] = []
        for row in p.rows + [p.total] {
            let group = "\(p.key)=\(Fmt.value(row.value))"
            func line(_ column: String, _ value: String) -> [String] {
                [f.name, group, "", String(row.users), "", "", "", "", "", "", column, value]
            }
            rows.append(line("share", num(row.share)))
            rows.append(line("conversion", num(row.conversion)))
            for (c, cell) in zip(p.columns, row.cells) {
                switch cell {
                case .mean(let x, _): rows.append(line("avg \(c.name)", num(x)))
                case .mix(let shares): for s in shares { rows.append(line("\(c.name)=\(s.label)", num(s.share))) }
                }
            }
        }
        return rows
    }
}

extension JSONWriter {
    /// `"profile": {"key", "key_name", "columns": [{name, kind}], "groups": [...], "total": {...}}`;
    /// a mean column's value is a number (seconds for durations), a mix column's an object of shares.
    func profile(_ p: ProfileResult) {
        object {
            field("key", p.key)
            field("key_name", p.keyName)
            key("columns")
            array(p.columns) { c in self.object { self.field("name", c.name); self.field("kind", c.kind.rawValue) } }
            key("groups")
            array(p.rows) { self.profileRow($0, p) }
            key("total"); profileRow(p.total, p)
            if let note = p.note { field("note", note) }
        }
    }

    func profileRow(_ row: ProfileResult.Row, _ p: ProfileResult) {
        object {
            key("value"); value(row.value)
            field("users", row.users)
            field("share", row.share)
            field("conversion", row.conversion)
            key("values")
            object {
                for (c, cell) in zip(p.columns, row.cells) {
                    switch cell {
                    case .mean(let x, _): field(c.name, x)
                    case .mix(let shares): key(c.name); object { for s in shares { field(s.label, s.share) } }
                    }
                }
            }
        }
    }
}
