import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// The table for people: one row per step with a bar, then groups, KPIs and expects.
public struct TableRenderer {
    public var color: Bool
    public var barWidth = 30
    public init(color: Bool = false) { self.color = color }

    func paint(_ s: String, _ style: String) -> String { FunnelDiagnostics.paint(s, style, color) }

    public func render(_ r: FunnelResult, kpiKinds: [Reading], expectKinds: [Reading] = []) -> String {
        var out = ""
        let window = r.windowSeconds.map { Fmt.duration($0).replacingOccurrences(of: " 0h", with: "").replacingOccurrences(of: " 0m", with: "") } ?? "none"
        out += paint("funnel \(r.name)", "1") + "  (window \(window), \(r.order.rawValue); \(Fmt.count(r.population)) \(r.counting == "users" ? "users" : "distinct \(r.counting)") in population)\n"
        out += stepsTable(r.steps, indent: "  ", unit: r.counting)
        if let d = r.biggestDrop, r.steps.count > 2 {
            out += "  biggest drop: \(d.step), \(Fmt.count(d.dropped)) \(r.counting == "users" ? "users" : r.counting) lost (\(Fmt.percent(d.share)) of the step before)\n"
        }
        if let t = r.timeToConvert, t.users > 0, let first = r.steps.first?.name, let last = r.steps.last?.name {
            out += timeToConvert(t, from: first, to: last, unit: r.counting)
        }
        if !r.groups.isEmpty {
            out += "\n  by \(r.breakdownLabels.joined(separator: ", "))\n"
            for g in r.groups {
                let key = g.key.map { "\($0.name) = \(Fmt.value($0.value))" }.joined(separator: ", ")
                out += "  " + paint(key, "1") + "\n"
                out += stepsTable(g.steps, indent: "    ", unit: r.counting)
                if !g.kpis.isEmpty { out += "    kpis: " + Fmt.kpiLine(g.kpis, kinds: kpiKinds) + "\n" }
            }
        }
        if let first = r.comparisons.first {
            out += "\n  compare by \(first.key) (baseline \(Fmt.value(first.baseline)), \(Fmt.count(first.baselineUsers)) users)\n"
            out += grid(Fmt.comparisonHeader, r.comparisons.flatMap(Fmt.comparisonCells), indent: "    ", right: [1, 3, 4, 5, 6, 7])
            if r.comparisons.contains(where: { $0.rows.contains(where: \.small) }) {
                out += "    * small: fewer than 30 users on a side or a cell below 5; read with care\n"
            }
        } else if let note = r.comparisonNote {
            out += "\n  compare: \(note)\n"
        }
        if !r.kpis.isEmpty {
            out += "\n  kpis\n"
            let w = r.kpis.map(\.name.count).max() ?? 0
            for (i, k) in r.kpis.enumerated() {
                out += "    \(k.name.padding(w))  \(Fmt.kpi(k.value, kind: i < kpiKinds.count ? kpiKinds[i] : .number))\n"
            }
        }
        if !r.expects.isEmpty {
            out += "\n  expects\n"
            for (i, e) in r.expects.enumerated() {
                let mark = e.passed ? paint("PASS", "1;32") : paint("FAIL", "1;31")
                let kind = i < expectKinds.count ? expectKinds[i] : .number
                let outcome = e.forEach == nil ? "actual \(Fmt.kpi(e.actual, kind: kind))" : Report.outcome(e)
                out += "    \(mark)  \(Report.written(e))  (\(outcome); line \(e.line))\n"
            }
        }
        for note in r.notes { out += "\n  " + paint("note: \(note)", "33") + "\n" }
        if r.skipped.total > 0 {
            out += "\n  " + paint("skipped \(Fmt.count(r.skipped.total)) bad rows: \(r.skipped.summary)", "33") + "\n"
        }
        return out
    }

    /// "time to convert (view → purchase, 133 users): mean …, median …, p90 …" and a bar per bucket.
    func timeToConvert(_ t: TimeToConvert, from first: String, to last: String, unit: String) -> String {
        var out = "\n  time to convert (\(first) → \(last), \(Fmt.count(t.users)) \(unit == "users" ? "users" : unit)): "
        out += "mean \(Fmt.duration(t.meanSeconds)), median \(Fmt.duration(t.medianSeconds)), p90 \(Fmt.duration(t.p90Seconds))\n"
        guard let h = t.histogram else { return out }
        let labels = h.counts.indices.map { "\(Fmt.shortDuration(h.edges[$0]))–\(Fmt.shortDuration(h.edges[$0 + 1]))" }
        let width = labels.map(\.count).max() ?? 0
        let top = max(1, h.counts.max() ?? 1)
        for (i, n) in h.counts.enumerated() {
            let filled = n == 0 ? 0 : max(1, Int((Double(n) / Double(top) * Double(barWidth)).rounded()))
            out += "    \(labels[i].padding(width))  \(Fmt.count(n).leftPad(Fmt.count(top).count))  \(String(repeating: "█", count: filled))".trimmingTrailing() + "\n"
        }
        return out
    }

    /// A plain aligned grid.
    func grid(_ header: [String], _ rows: [[String]], indent: String, right: Set<Int>) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            indent + cells.enumerated().map { i, c in right.contains(i) ? c.leftPad(widths[i]) : c.padding(widths[i]) }
                .joined(separator: "  ").trimmingTrailing() + "\n"
        }
        return paint(line(header), "2") + rows.map(line).joined()
    }

    func stepsTable(_ steps: [StepStats], indent: String, unit: String = "users") -> String {
        let header = ["step", unit, "from start", "from prev", "dropped", "mean time", "median time", "p90 time", ""]
        let top = steps.first?.users ?? 0
        var rows: [[String]] = []
        for s in steps {
            let filled = top > 0 ? Int((Double(s.users) / Double(top) * Double(barWidth)).rounded()) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled)
            rows.append([s.name, Fmt.count(s.users), Fmt.percent(s.fromStart), Fmt.percent(s.fromPrevious),
                         s.name == steps.first?.name ? "-" : "\(Fmt.count(s.dropped)) (\(Fmt.percent(s.droppedShare)))",
                         Fmt.duration(s.meanSecondsFromPrevious), Fmt.duration(s.medianSecondsFromPrevious), Fmt.duration(s.p90SecondsFromPrevious), bar])
        }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        let rightAligned: Set<Int> = [1, 2, 3, 4, 5, 6, 7]
        func line(_ cells: [String]) -> String {
            indent + cells.enumerated().map { i, c in rightAligned.contains(i) ? c.leftPad(widths[i]) : c.padding(widths[i]) }
                .joined(separator: "  ").trimmingTrailing() + "\n"
        }
        return paint(line(header), "2") + rows.map(line).joined()
    }
}
