import FunnelCore
import FunnelEngine
import FunnelPlan

/// The breakdown groups a table shows: the largest first (by actors at the first step), the
/// "(other)" group of `--max-groups` last whatever its size (it is the rest, not a group), and
/// with `top` only the N first of that order. A trend's periods are then put back in time order.
struct GroupSelection {
    var shown: [GroupResult]
    /// Groups not shown because of `top`.
    var leftOut: Int

    init(_ groups: [GroupResult], top: Int?, inTimeOrder: Bool) {
        let size = groups.map { $0.steps.first?.users ?? 0 }
        let other = groups.map { g in !g.key.isEmpty && g.key.allSatisfy { $0.value == FunnelRunner.otherGroup } }
        let ranked = groups.indices.sorted { a, b in
            if other[a] != other[b] { return other[b] }
            return size[a] != size[b] ? size[a] > size[b] : a < b
        }
        let kept = top.map { Array(ranked.prefix(max(0, $0))) } ?? ranked
        shown = (inTimeOrder ? kept.sorted() : kept).map { groups[$0] }
        leftOut = groups.count - kept.count
    }
}

extension TableRenderer {
    /// A steps table per group, under its key in bold, then the group's KPIs on one line.
    func fullGroups(_ r: FunnelResult, _ groups: GroupSelection, kpiKinds: [Reading], layout: Layout) -> String {
        var out = "\n" + say("by \(r.breakdownLabels.joined(separator: ", "))")
        for g in groups.shown {
            out += say(g.key.map { "\($0.name) = \(Fmt.value($0.value))" }.joined(separator: ", "), style: "1")
            out += stepsTable(g.steps, indent: "    ", unit: Fmt.unit(r.counting), layout: layout)
            if !g.kpis.isEmpty {
                out += say("kpis: " + Fmt.kpiLine(g.kpis, kinds: kpiKinds).replacingOccurrences(of: " · ", with: glyphs.between), indent: "    ")
            }
        }
        return out + leftOut(groups.leftOut, indent: "  ")
    }

    /// One row per group: its key, its actors at the first step, the share of them at each later
    /// step (the last is the group's overall conversion) and its biggest drop.
    func compactGroups(_ r: FunnelResult, _ groups: GroupSelection, kpiKinds: [Reading], inTimeOrder: Bool) -> String {
        let total = groups.shown.count + groups.leftOut
        let unit = Fmt.unit(r.counting)
        let first = r.steps.first?.name ?? "the first step"
        let out = "\n" + say("by \(r.breakdownLabels.joined(separator: ", ")): \(Fmt.count(total)) group\(total == 1 ? "" : "s"), \(inTimeOrder ? "in time order" : "largest first"); "
                             + "the share of \(unit) at \(first) who reach each step")
        return out + fittedTable(compactColumns(r, groups.shown, kpiKinds: kpiKinds), indent: "    ") + leftOut(groups.leftOut, indent: "    ")
    }

    /// Key columns, the actors at the first step, a column per later step, the biggest drop and a
    /// column per KPI of the group. When the width is short the middle steps drop first, then the
    /// biggest drop, then the KPIs (the file asked for them); the last step, the overall conversion, never.
    func compactColumns(_ r: FunnelResult, _ groups: [GroupResult], kpiKinds: [Reading]) -> [Column] {
        let keys = groups.first?.key.map(\.name) ?? r.breakdownLabels
        var columns = keys.indices.map { k in
            Column(title: keys[k], cells: groups.map { k < $0.key.count ? Fmt.value($0.key[k].value) : "" }, cuttable: true)
        }
        columns.append(Column(title: Fmt.unit(r.counting), cells: groups.map { Fmt.count($0.steps.first?.users ?? 0) }, right: true))
        let names = r.steps.map(\.name)
        for i in names.indices.dropFirst() {
            columns.append(Column(title: names[i], cells: groups.map { i < $0.steps.count ? Fmt.percent($0.steps[i].fromStart) : "-" },
                                  right: true, dropRank: i == names.count - 1 ? nil : i))
        }
        if names.count > 2 {
            columns.append(Column(title: "biggest drop", cells: groups.map { g in
                Self.markedDrop(g.steps).map { "\($0.step) (\(Fmt.percent($0.share)))" } ?? "-"
            }, dropRank: names.count))
        }
        for (i, name) in (groups.first?.kpis.map(\.name) ?? []).enumerated() {
            columns.append(Column(title: name, cells: groups.map { g in
                i < g.kpis.count ? Fmt.kpi(g.kpis[i].value, kind: i < kpiKinds.count ? kpiKinds[i] : .number) : "-"
            }, right: true, dropRank: names.count + 1 + i))
        }
        return columns
    }

    /// A table of `columns` fitted to the width (columns drop by rank, then names are cut), and
    /// the note of what it left out.
    func fittedTable(_ columns: [Column], indent: String) -> String {
        let ranks = columns.filter { $0.dropRank != nil }.sorted { ($0.dropRank ?? 0) < ($1.dropRank ?? 0) }.map(\.title)
        func table(_ l: Layout) -> (header: String, rows: [String]) {
            TextTable.lines(columns.filter { $0.dropRank == nil || !l.dropped.contains($0.title) }, indent: indent, cut: l.cut, ellipsis: glyphs.ellipsis)
        }
        let layout = Layout.fit(Layout(bar: 0), width: width, ranks: ranks) { l in
            let t = table(l)
            return [t.header] + t.rows
        }
        let (header, rows) = table(layout)
        return paint(header, "2") + "\n" + rows.map { $0 + "\n" }.joined() + droppedNote(layout.dropped, indent: indent)
    }

    /// "… 37 more groups; --top to change", when `top` left groups out.
    func leftOut(_ n: Int, indent: String) -> String {
        guard n > 0 else { return "" }
        return say("\(glyphs.ellipsis) \(Fmt.count(n)) more group\(n == 1 ? "" : "s"); --top to change", indent: indent, style: "2")
    }

    /// Each compared group's rates against the baseline's, with the difference's interval and p-value.
    func comparisons(_ r: FunnelResult) -> String {
        guard let first = r.comparisons.first else { return r.comparisonNote.map { "\n" + say("compare: \($0)") } ?? "" }
        var out = "\n" + say("compare by \(first.key) (baseline \(Fmt.value(first.baseline)), \(Fmt.count(first.baselineUsers)) users)")
        let cells = r.comparisons.flatMap(Fmt.comparisonCells)
        // The baseline's rate repeats on every row and the interval is the widest cell: they go first.
        let ranks = ["baseline", "95% CI", "users", "p-value"]
        let columns = Fmt.comparisonHeader.enumerated().map { i, title in
            Column(title: title, cells: cells.map { i < $0.count ? $0[i] : "" }, right: [1, 3, 4, 5, 6, 7].contains(i),
                   dropRank: ranks.firstIndex(of: title), cuttable: i == 0 || i == 2)
        }
        out += fittedTable(columns, indent: "    ")
        if r.comparisons.contains(where: { $0.rows.contains(where: \.small) }) {
            out += say("* small: fewer than 30 users on a side or a cell below 5; read with care", indent: "    ")
        }
        return out
    }
}
