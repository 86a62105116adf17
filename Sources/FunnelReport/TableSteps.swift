import FunnelEngine

/// The steps tables (a funnel's and each group's) and the time-to-convert histogram.
extension TableRenderer {
    /// The columns that drop when a steps table is too wide, first to go first: the tail and the
    /// mean of the times before their median; "from prev" before "dropped", whose share says the
    /// same (100% minus it) beside the count.
    static let stepDropOrder = ["p90 time", "mean time", "from prev", "median time", "dropped"]

    /// One layout for the funnel's table and its groups' (`groups`, each indented deeper), so
    /// every table of the funnel shows the same columns.
    func stepsLayout(_ r: FunnelResult, groups: [GroupResult]) -> Layout {
        let tables = [(r.steps, "  ")] + groups.map { ($0.steps, "    ") }
        return Layout.fit(Layout(bar: barWidth), width: width, ranks: Self.stepDropOrder) { l in
            tables.flatMap { steps, indent -> [String] in
                let (header, rows) = TextTable.lines(stepColumns(steps, unit: Fmt.unit(r.counting), layout: l), indent: indent, cut: l.cut, ellipsis: glyphs.ellipsis)
                return [header] + rows
            }
        }
    }

    func stepsTable(_ steps: [StepStats], indent: String, unit: String, layout: Layout) -> String {
        let (header, rows) = TextTable.lines(stepColumns(steps, unit: unit, layout: layout), indent: indent, cut: layout.cut, ellipsis: glyphs.ellipsis)
        let marker = layout.shortMarker ? glyphs.shortMarker : glyphs.marker
        return paint(header, "2") + "\n" + rows.map { row in
            guard color, row.hasSuffix(marker) else { return row + "\n" }
            return row.dropLast(marker.count) + paint(marker, "1;33") + "\n"
        }.joined()
    }

    /// step, users, from start, from prev, dropped, mean, median and p90 time from the previous
    /// step, the bar, and the marker of the biggest drop; less what the layout leaves out.
    func stepColumns(_ steps: [StepStats], unit: String, layout: Layout) -> [Column] {
        func rank(_ title: String) -> Int? { Self.stepDropOrder.firstIndex(of: title) }
        var columns = [
            Column(title: "step", cells: steps.map(\.name), cuttable: true),
            Column(title: unit, cells: steps.map { Fmt.count($0.users) }, right: true),
            Column(title: "from start", cells: steps.map { Fmt.percent($0.fromStart) }, right: true),
            Column(title: "from prev", cells: steps.map { Fmt.percent($0.fromPrevious) }, right: true, dropRank: rank("from prev")),
            Column(title: "dropped", cells: steps.indices.map { i in i == 0 ? "-" : "\(Fmt.count(steps[i].dropped)) (\(Fmt.percent(steps[i].droppedShare)))" },
                   right: true, dropRank: rank("dropped")),
            Column(title: "mean time", cells: steps.map { Fmt.duration($0.meanSecondsFromPrevious) }, right: true, dropRank: rank("mean time")),
            Column(title: "median time", cells: steps.map { Fmt.duration($0.medianSecondsFromPrevious) }, right: true, dropRank: rank("median time")),
            Column(title: "p90 time", cells: steps.map { Fmt.duration($0.p90SecondsFromPrevious) }, right: true, dropRank: rank("p90 time")),
        ].filter { $0.dropRank == nil || !layout.dropped.contains($0.title) }
        let top = steps.first?.users ?? 0
        if layout.bar > 0 { columns.append(Column(title: "", cells: steps.map { bar($0.users, of: top, width: layout.bar) })) }
        let marked = Self.markedDrop(steps)?.step
        let marker = layout.shortMarker ? glyphs.shortMarker : glyphs.marker
        columns.append(Column(title: "", cells: steps.map { $0.name == marked ? marker : "" }))
        return columns
    }

    /// The drop worth marking: the biggest, in a funnel of three steps or more (with two steps the
    /// one drop is the biggest by default), when anyone was lost there at all.
    static func markedDrop(_ steps: [StepStats]) -> BiggestDrop? {
        guard steps.count > 2, let d = BiggestDrop.of(steps), d.dropped > 0 else { return nil }
        return d
    }

    /// `users` of `top` as a bar of `width` characters: filled, then empty.
    func bar(_ users: Int, of top: Int, width: Int) -> String {
        let filled = top > 0 ? min(width, Int((Double(users) / Double(top) * Double(width)).rounded())) : 0
        return String(repeating: glyphs.full, count: filled) + String(repeating: glyphs.empty, count: width - filled)
    }

    /// "time to convert (view → purchase, 133 users): mean …, median …, p90 …" and a bar per bucket.
    func timeToConvert(_ t: TimeToConvert, from first: String, to last: String, unit: String) -> String {
        var out = "\n" + say("time to convert (\(first) \(glyphs.arrow) \(last), \(Fmt.count(t.users)) \(unit == "users" ? "users" : unit)): "
            + "mean \(Fmt.duration(t.meanSeconds)), median \(Fmt.duration(t.medianSeconds)), p90 \(Fmt.duration(t.p90Seconds))")
        guard let h = t.histogram else { return out }
        let labels = h.counts.indices.map { "\(Fmt.shortDuration(h.edges[$0]))\(glyphs.range)\(Fmt.shortDuration(h.edges[$0 + 1]))" }
        let labelWidth = labels.map(\.columns).max() ?? 0
        let top = max(1, h.counts.max() ?? 1)
        let countWidth = Fmt.count(top).count
        // The bars shrink to what the width leaves beside the labels and counts.
        let room = width.map { $0 - (4 + labelWidth + 2 + countWidth + 2) } ?? barWidth
        let longest = max(1, min(barWidth, room))
        for (i, n) in h.counts.enumerated() {
            let filled = n == 0 ? 0 : max(1, Int((Double(n) / Double(top) * Double(longest)).rounded()))
            out += "    \(labels[i].padding(labelWidth))  \(Fmt.count(n).leftPad(countWidth))  \(String(repeating: glyphs.full, count: filled))".trimmingTrailing() + "\n"
        }
        return out
    }
}
