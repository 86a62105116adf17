import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// A self-contained HTML page, read at a glance: per funnel an SVG funnel chart with the biggest
/// drop highlighted, breakdown groups side by side on one scale, trends as a line chart, the
/// time-to-convert histogram, KPIs against their targets and A/B intervals, then the figures in
/// tables. No scripts, no network; light and dark schemes from `prefers-color-scheme`.
public enum HTMLRenderer {
    /// At most this many groups are drawn in one chart; the tables list them all.
    static let drawnGroups = 8

    public static func render(_ results: [FunnelResult], plans: [PlannedFunnel?], options: RenderOptions = RenderOptions()) -> String {
        var body = header(results, options: options)
        for (fi, r) in results.enumerated() {
            body += FunnelSection(result: r, plan: fi < plans.count ? plans[fi] : nil, id: "f\(fi)").html
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(esc(title(options)))</title>
        <style>
        \(HTMLStyle.css)</style></head><body>
        \(body)</body></html>

        """
    }

    static func title(_ options: RenderOptions) -> String {
        options.sourceFile.map { "funnel report: " + ($0.split(separator: "/").last.map(String.init) ?? $0) } ?? "funnel report"
    }

    /// The page's header: the source file, the data's time range, events read and the run time.
    static func header(_ results: [FunnelResult], options: RenderOptions) -> String {
        var facts: [String] = []
        if let file = options.sourceFile { facts.append("source <code>\(esc(file))</code>") }
        let ranges = results.compactMap(\.dataRange)
        if let first = ranges.map(\.lowerBound).min(), let last = ranges.map(\.upperBound).max() {
            facts.append("data \(esc(formatTime(first))) → \(esc(formatTime(last)))")
        }
        if let events = results.map(\.eventsRead).max() { facts.append("\(Fmt.count(events)) events read") }
        if let s = options.elapsedSeconds { facts.append("ran in \(Fmt.fixed(s, s < 10 ? 2 : 1)) s") }
        var out = "<header>\n<h1>Funnel report</h1>\n"
        if !facts.isEmpty { out += "<p class=\"meta\">" + facts.joined(separator: " · ") + "</p>\n" }
        if results.count > 1 {
            out += "<nav aria-label=\"funnels\">" + results.enumerated().map { i, r in "<a href=\"#f\(i)\">\(esc(r.name))</a>" }.joined(separator: " · ") + "</nav>\n"
        }
        return out + "</header>\n"
    }

    /// Text and attribute values: markup characters escaped, control characters (not allowed in
    /// XML, so not in the SVG either) shown as U+FFFD.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || ch.value == 0x7F || (0xFFFE...0xFFFF).contains(ch.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
