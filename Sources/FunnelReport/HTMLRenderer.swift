import Foundation
import FunnelEngine
import FunnelCore
import FunnelPlan

/// A self-contained HTML page: per funnel a bar chart of the steps (and of each breakdown
/// group), the figures in a table, KPIs and expects. No scripts, no external files.
public enum HTMLRenderer {
    public static func render(_ results: [FunnelResult], kpiKinds: [[Reading]], expectKinds: [[Reading]]) -> String {
        var body = ""
        for (fi, r) in results.enumerated() {
            let window = r.windowSeconds.map { Fmt.duration($0).replacingOccurrences(of: " 0h", with: "").replacingOccurrences(of: " 0m", with: "") } ?? "none"
            body += "<section>\n<h2>Funnel <code>\(esc(r.name))</code></h2>\n"
            body += "<p class=\"meta\">window \(esc(window)) · \(r.order.rawValue) · \(Fmt.count(r.population)) \(r.counting == "users" ? "users" : "distinct " + esc(r.counting)) in population</p>\n"
            body += chart(r.steps) + table(r.steps, unit: r.counting)
            if let d = r.biggestDrop, r.steps.count > 2 {
                body += "<p class=\"warn\">biggest drop: <strong>\(esc(d.step))</strong>, \(Fmt.count(d.dropped)) \(esc(r.counting)) lost (\(Fmt.percent(d.share)) of the step before)</p>\n"
            }
            if let t = r.timeToConvert, t.users > 0, let first = r.steps.first?.name, let last = r.steps.last?.name {
                body += timeToConvert(t, from: first, to: last, unit: r.counting)
            }
            for g in r.groups {
                let key = g.key.map { "\(esc($0.name)) = \(esc(Fmt.value($0.value)))" }.joined(separator: ", ")
                body += "<h3>\(key)</h3>\n" + chart(g.steps) + table(g.steps, unit: r.counting)
            }
            if let first = r.comparisons.first {
                body += "<h3>compare by \(esc(first.key)) (baseline \(esc(Fmt.value(first.baseline))))</h3>\n<table>\n<tr>"
                body += Fmt.comparisonHeader.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
                for row in r.comparisons.flatMap(Fmt.comparisonCells) { body += "<tr>" + row.map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n" }
                body += "</table>\n"
            }
            if !r.kpis.isEmpty {
                let kinds = fi < kpiKinds.count ? kpiKinds[fi] : []
                body += "<h3>KPIs</h3>\n<table class=\"kpis\">\n"
                for (i, k) in r.kpis.enumerated() {
                    body += "<tr><th>\(esc(k.name))</th><td>\(esc(Fmt.kpi(k.value, kind: i < kinds.count ? kinds[i] : .number)))</td></tr>\n"
                }
                body += "</table>\n"
            }
            if !r.expects.isEmpty {
                let kinds = fi < expectKinds.count ? expectKinds[fi] : []
                body += "<h3>Expects</h3>\n<table class=\"expects\">\n"
                for (i, e) in r.expects.enumerated() {
                    let actual = Fmt.kpi(e.actual, kind: i < kinds.count ? kinds[i] : .number)
                    body += "<tr class=\"\(e.passed ? "pass" : "fail")\"><td>\(e.passed ? "pass" : "FAIL")</td><td><code>\(esc(e.source))</code></td><td>actual \(esc(actual))</td><td>line \(e.line)</td></tr>\n"
                }
                body += "</table>\n"
            }
            for note in r.notes { body += "<p class=\"warn\">note: \(esc(note))</p>\n" }
            if r.skipped.total > 0 { body += "<p class=\"warn\">skipped \(r.skipped.total) bad rows: \(esc(r.skipped.summary))</p>\n" }
            body += "</section>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>funnel report</title>
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1d2430;padding:0 1rem}
        h2{margin-top:2.5rem;border-bottom:1px solid #d8dde6;padding-bottom:.3rem}
        .meta{color:#5b6473;margin-top:-.5rem}
        .chart{margin:1rem 0}
        .row{display:grid;grid-template-columns:10rem 1fr 9rem;align-items:center;gap:.6rem;margin:.25rem 0}
        .bar{background:#e8ecf3;border-radius:3px;height:1.4rem;position:relative}
        .fill{background:#3d6fd8;height:100%;border-radius:3px}
        .label{font-variant-numeric:tabular-nums;color:#1d2430}
        .drop{color:#a3473d;font-size:12px}
        table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}
        th,td{padding:.25rem .7rem;border-bottom:1px solid #e6e9ef;text-align:right}
        th:first-child,td:first-child{text-align:left}
        tr.fail td{color:#a3473d;font-weight:600} tr.pass td:first-child{color:#2f7d46}
        .warn{color:#8a5a00}
        </style></head><body>
        <h1>Funnel report</h1>
        \(body)</body></html>

        """
    }

    static func chart(_ steps: [StepStats]) -> String {
        let top = max(1, steps.first?.users ?? 1)
        var out = "<div class=\"chart\">\n"
        for (i, s) in steps.enumerated() {
            let width = Fmt.fixed(Double(s.users) / Double(top) * 100, 2)
            let drop = i == 0 ? "" : " <span class=\"drop\">−\(Fmt.percent(s.droppedShare))</span>"
            out += "<div class=\"row\"><span>\(esc(s.name))</span><div class=\"bar\"><div class=\"fill\" style=\"width:\(width)%\"></div></div>"
            out += "<span class=\"label\">\(Fmt.count(s.users)) · \(Fmt.percent(s.fromStart))\(drop)</span></div>\n"
        }
        return out + "</div>\n"
    }

    /// The time-to-convert figures and a bar per histogram bucket.
    static func timeToConvert(_ t: TimeToConvert, from first: String, to last: String, unit: String) -> String {
        var out = "<h3>Time to convert (\(esc(first)) → \(esc(last)), \(Fmt.count(t.users)) \(esc(unit)))</h3>\n"
        out += "<p class=\"meta\">mean \(Fmt.duration(t.meanSeconds)) · median \(Fmt.duration(t.medianSeconds)) · p90 \(Fmt.duration(t.p90Seconds))</p>\n"
        guard let h = t.histogram else { return out }
        let top = max(1, h.counts.max() ?? 1)
        out += "<div class=\"chart histogram\">\n"
        for (i, n) in h.counts.enumerated() {
            let width = Fmt.fixed(Double(n) / Double(top) * 100, 2)
            out += "<div class=\"row\"><span>\(Fmt.shortDuration(h.edges[i]))–\(Fmt.shortDuration(h.edges[i + 1]))</span><div class=\"bar\"><div class=\"fill\" style=\"width:\(width)%\"></div></div>"
            out += "<span class=\"label\">\(Fmt.count(n))</span></div>\n"
        }
        return out + "</div>\n"
    }

    static func table(_ steps: [StepStats], unit: String = "users") -> String {
        var out = "<table><tr><th>step</th><th>\(esc(unit))</th><th>from start</th><th>from previous</th><th>dropped</th><th>mean time</th><th>median time</th><th>p90 time</th></tr>\n"
        for (i, s) in steps.enumerated() {
            out += "<tr><td>\(esc(s.name))</td><td>\(Fmt.count(s.users))</td><td>\(Fmt.percent(s.fromStart))</td><td>\(Fmt.percent(s.fromPrevious))</td>"
            out += "<td>\(i == 0 ? "-" : "\(Fmt.count(s.dropped)) (\(Fmt.percent(s.droppedShare)))")</td><td>\(Fmt.duration(s.meanSecondsFromPrevious))</td>"
            out += "<td>\(Fmt.duration(s.medianSecondsFromPrevious))</td><td>\(Fmt.duration(s.p90SecondsFromPrevious))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
