import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// The table for people: one row per step with a bar, then groups, KPIs and expects. Given a
/// width (a terminal's), no line is longer: bars shrink, then columns drop (see `Layout.fit`),
/// prose wraps. In ASCII mode every decoration is ASCII (see `Glyphs`).
public struct TableRenderer {
    public var color: Bool
    /// Columns of the terminal; nil: no limit (a pipe, a file).
    public var width: Int?
    public var ascii = false
    /// Only the N largest breakdown groups (nil: all).
    public var top: Int?
    /// One row per group (true), a table per group (false), or by their number (nil).
    public var compact: Bool?
    public var barWidth = 30
    /// More groups than this are shown one row each unless `compact` says otherwise: past a
    /// screenful of per-group tables, groups are compared down a column, not across pages.
    public static let compactAbove = 8

    public init(color: Bool = false) { self.color = color }

    public init(options: RenderOptions) {
        color = options.color
        width = options.width
        ascii = options.ascii
        top = options.top
        compact = options.compact
    }

    var glyphs: Glyphs { ascii ? .ascii : .unicode }

    func paint(_ s: String, _ style: String) -> String { FunnelDiagnostics.paint(s, style, color) }

    /// Prose (a heading, a note) as lines wrapped to the width, each painted after its indent.
    func say(_ text: String, indent: String = "  ", style: String? = nil) -> String {
        TextTable.wrap(text, indent: indent, width: width).map { line in
            guard let style = style else { return line + "\n" }
            let body = line.drop { $0 == " " }
            return String(line.prefix(line.count - body.count)) + paint(String(body), style) + "\n"
        }.joined()
    }

    /// `inTimeOrder`: the groups are periods of a trend, shown in time order rather than by size.
    public func render(_ r: FunnelResult, kpiKinds: [Reading], expectKinds: [Reading] = [], inTimeOrder: Bool = false) -> String {
        let groups = GroupSelection(r.groups, top: top, inTimeOrder: inTimeOrder)
        let oneRowEach = !groups.shown.isEmpty && (compact ?? (groups.shown.count > Self.compactAbove))
        let layout = stepsLayout(r, groups: oneRowEach ? [] : groups.shown)
        var out = header(r)
        out += stepsTable(r.steps, indent: "  ", unit: Fmt.unit(r.counting), layout: layout)
        out += droppedNote(layout.dropped, indent: "  ")
        if let d = r.biggestDrop, r.steps.count > 2 {
            out += say("biggest drop: \(d.step), \(Fmt.count(d.dropped)) \(Fmt.unit(r.counting)) lost (\(Fmt.percent(d.share)) of the step before)")
        }
        if let t = r.timeToConvert, t.users > 0, let first = r.steps.first?.name, let last = r.steps.last?.name {
            out += timeToConvert(t, from: first, to: last, unit: Fmt.unit(r.counting))
        }
        if !r.groups.isEmpty {
            out += oneRowEach ? compactGroups(r, groups, kpiKinds: kpiKinds, inTimeOrder: inTimeOrder) : fullGroups(r, groups, kpiKinds: kpiKinds, layout: layout)
        }
        out += comparisons(r)
        out += profile(r)
        out += kpis(r.kpis, kinds: kpiKinds) + expects(r.expects, kinds: expectKinds)
        for note in r.notes { out += "\n" + say("note: \(note)", style: "33") }
        if r.skipped.total > 0 {
            let summary = r.skipped.summary.replacingOccurrences(of: " × ", with: " \(glyphs.times) ")
            out += "\n" + say("skipped \(Fmt.count(r.skipped.total)) bad rows: \(summary)", style: "33")
        }
        return clipped(out)
    }

    /// Lines still wider than the width once every table has given way (several long keys on a
    /// very narrow terminal) are cut: a table's columns never wrap onto the next line.
    func clipped(_ text: String) -> String {
        guard let w = width else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).clippedLine(to: w, ellipsis: glyphs.ellipsis) }
            .joined(separator: "\n")
    }

    /// "funnel checkout  (window 7d, ordered; 1,041 users in population)", the name in bold.
    func header(_ r: FunnelResult) -> String {
        let window = r.windowSeconds.map { Fmt.duration($0).replacingOccurrences(of: " 0h", with: "").replacingOccurrences(of: " 0m", with: "") } ?? "none"
        let title = "funnel \(r.name)"
        let text = title + "  (window \(window), \(r.order.rawValue); \(Fmt.count(r.population)) \(Fmt.populationUnit(r.counting)) in population)"
        var lines = TextTable.wrap(text, indent: "", width: width)
        if lines[0].hasPrefix(title) { lines[0] = paint(title, "1") + lines[0].dropFirst(title.count) }
        return lines.map { $0 + "\n" }.joined()
    }

    /// "hidden to fit 80 columns: p90 time, mean time", when the layout left columns out.
    func droppedNote(_ dropped: [String], indent: String) -> String {
        guard !dropped.isEmpty, let w = width else { return "" }
        // No-break spaces inside each title while wrapping, so "from prev" never splits over two lines.
        let titles = dropped.map { $0.replacingOccurrences(of: " ", with: "\u{A0}") }.joined(separator: ", ")
        return say("hidden to fit \(w) columns: \(titles)", indent: indent, style: "2").replacingOccurrences(of: "\u{A0}", with: " ")
    }

    func kpis(_ kpis: [KPIResult], kinds: [Reading]) -> String {
        guard !kpis.isEmpty else { return "" }
        let w = kpis.map(\.name.columns).max() ?? 0
        return "\n  kpis\n" + kpis.enumerated().map { i, k in
            say("\(k.name.padding(w))  \(Fmt.kpi(k.value, kind: i < kinds.count ? kinds[i] : .number))", indent: "    ")
        }.joined()
    }

    /// "PASS  conversion >= 5%  (actual 12.78%; line 28)", the mark in green or red; an expect
    /// `for each` group says where it fails.
    func expects(_ expects: [ExpectResult], kinds: [Reading]) -> String {
        guard !expects.isEmpty else { return "" }
        return "\n  expects\n" + expects.enumerated().map { i, e in
            let mark = e.passed ? "PASS" : "FAIL"
            let kind = i < kinds.count ? kinds[i] : .number
            let outcome = e.forEach == nil ? "actual \(Fmt.kpi(e.actual, kind: kind))" : Report.outcome(e)
            var lines = TextTable.wrap("\(mark)  \(Report.written(e))  (\(outcome); line \(e.line))", indent: "    ", width: width)
            if lines[0].hasPrefix("    " + mark) { lines[0] = "    " + paint(mark, e.passed ? "1;32" : "1;31") + lines[0].dropFirst(4 + mark.count) }
            return lines.map { $0 + "\n" }.joined()
        }.joined()
    }
}
