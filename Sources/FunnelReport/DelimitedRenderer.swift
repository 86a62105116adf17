import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// CSV (one row per funnel, group and step) and Markdown tables.
public enum DelimitedRenderer {
    static let columns = ["funnel", "group", "step", "users", "from_start", "from_previous", "dropped",
                          "median_seconds_from_previous", "p90_seconds_from_previous", "mean_seconds_from_previous"]

    static func groupLabel(_ g: GroupResult) -> String {
        g.key.map { "\($0.name)=\($0.value == .null ? "(none)" : Fmt.value($0.value))" }.joined(separator: ";")
    }

    static func cells(_ f: FunnelResult, _ group: String, _ s: StepStats) -> [String] {
        func num(_ x: Double?) -> String { x.map { JSONWriter.number($0) } ?? "" }
        return [f.name, group, s.name, String(s.users), num(s.fromStart), num(s.fromPrevious), String(s.dropped),
                num(s.medianSecondsFromPrevious), num(s.p90SecondsFromPrevious), num(s.meanSecondsFromPrevious)]
    }

    /// With a profile in the run, two more columns carry its figures in long form (`csvProfileRows`).
    public static func csv(_ results: [FunnelResult]) -> String {
        let profiled = results.contains { $0.profile != nil }
        let extra = profiled ? ["", ""] : []
        var out = (columns + (profiled ? ["profile_column", "profile_value"] : [])).joined(separator: ",") + "\n"
        for f in results {
            for s in f.steps { out += (cells(f, "", s) + extra).map { csvField($0) }.joined(separator: ",") + "\n" }
            for g in f.groups { for s in g.steps { out += (cells(f, groupLabel(g), s) + extra).map { csvField($0) }.joined(separator: ",") + "\n" } }
            for row in csvProfileRows(f) { out += row.map { csvField($0) }.joined(separator: ",") + "\n" }
        }
        return out
    }

    public static func markdown(_ results: [FunnelResult], kpiKinds: [[Reading]], expectKinds: [[Reading]] = []) -> String {
        var out = ""
        for (fi, f) in results.enumerated() {
            out += "### Funnel `\(f.name)`\n\n"
            out += table(f.steps, unit: Fmt.unit(f.counting))
            if let d = f.biggestDrop, f.steps.count > 2 {
                out += "\nBiggest drop: **\(d.step)**, \(Fmt.count(d.dropped)) \(Fmt.unit(f.counting)) lost (\(Fmt.percent(d.share)) of the step before)\n"
            }
            if let t = f.timeToConvert, t.users > 0, let first = f.steps.first?.name, let last = f.steps.last?.name {
                out += "\nTime to convert (\(first) → \(last), \(Fmt.count(t.users)) \(Fmt.unit(f.counting))): mean \(Fmt.duration(t.meanSeconds)), "
                out += "median \(Fmt.duration(t.medianSeconds)), p90 \(Fmt.duration(t.p90Seconds))\n"
                if let h = t.histogram {
                    out += "\n| time | \(Fmt.unit(f.counting)) |\n|---|---:|\n"
                    for (i, n) in h.counts.enumerated() { out += "| \(Fmt.shortDuration(h.edges[i]))–\(Fmt.shortDuration(h.edges[i + 1])) | \(Fmt.count(n)) |\n" }
                }
            }
            for g in f.groups {
                out += "\n**\(g.key.map { "\($0.name) = \(Fmt.value($0.value))" }.joined(separator: ", "))**\n\n"
                out += table(g.steps, unit: Fmt.unit(f.counting))
                if !g.kpis.isEmpty { out += "\nKPIs: " + Fmt.kpiLine(g.kpis, kinds: fi < kpiKinds.count ? kpiKinds[fi] : []) + "\n" }
            }
            if let first = f.comparisons.first {
                out += "\n**compare by \(first.key)** (baseline \(Fmt.value(first.baseline)))\n\n"
                out += "| " + Fmt.comparisonHeader.joined(separator: " | ") + " |\n|---|---:|---|---:|---:|---:|---:|---:|\n"
                for row in f.comparisons.flatMap(Fmt.comparisonCells) { out += "| " + row.joined(separator: " | ") + " |\n" }
            }
            out += markdownProfile(f)
            if !f.kpis.isEmpty {
                out += "\n| KPI | value |\n|---|---:|\n"
                for (i, k) in f.kpis.enumerated() {
                    let kinds = fi < kpiKinds.count ? kpiKinds[fi] : []
                    out += "| \(k.name) | \(Fmt.kpi(k.value, kind: i < kinds.count ? kinds[i] : .number)) |\n"
                }
            }
            if !f.expects.isEmpty {
                out += "\n| expect | result | actual |\n|---|---|---:|\n"
                let kinds = fi < expectKinds.count ? expectKinds[fi] : []
                for (i, e) in f.expects.enumerated() {
                    let actual = e.forEach == nil ? Fmt.kpi(e.actual, kind: i < kinds.count ? kinds[i] : .number) : Report.outcome(e)
                    out += "| `\(Report.written(e))` | \(e.passed ? "pass" : "**FAIL**") | \(actual) |\n"
                }
            }
            for note in f.notes { out += "\n> note: \(note)\n" }
            if f.skipped.total > 0 { out += "\n> skipped \(Fmt.count(f.skipped.total)) bad rows: \(f.skipped.summary)\n" }
            out += "\n"
        }
        return out
    }

    static func table(_ steps: [StepStats], unit: String = "users") -> String {
        var out = "| step | \(unit) | from start | from previous | dropped | mean time | median time | p90 time |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for s in steps {
            out += "| \(s.name) | \(Fmt.count(s.users)) | \(Fmt.percent(s.fromStart)) | \(Fmt.percent(s.fromPrevious)) | \(Fmt.count(s.dropped)) | "
            out += "\(Fmt.duration(s.meanSecondsFromPrevious)) | \(Fmt.duration(s.medianSecondsFromPrevious)) | \(Fmt.duration(s.p90SecondsFromPrevious)) |\n"
        }
        return out
    }
}
