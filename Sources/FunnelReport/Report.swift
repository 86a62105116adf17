import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// What a renderer may know beyond the results: where they are shown and where they came from.
public struct RenderOptions: Sendable {
    /// ANSI colour in the terminal table.
    public var color = false
    /// The terminal's width in columns; nil when the output is not a terminal (no limit).
    public var width: Int?
    /// Plain ASCII bars and marks, for a terminal whose locale is not UTF-8.
    public var ascii = false
    /// Show only the N largest breakdown groups.
    public var top: Int?
    /// Breakdown groups one row each (true), as a table each (false), or by their number (nil:
    /// one row each beyond `TableRenderer.compactAbove` groups).
    public var compact: Bool?
    /// The .funnel file the results come from, for report headers.
    public var sourceFile: String?
    /// How long the run took, for report headers.
    public var elapsedSeconds: Double?

    public init(color: Bool = false) { self.color = color }
}

/// Renders run results in the chosen format.
public enum Report {
    public static func render(_ results: [FunnelResult], plan: Plan?, format: OutputFormat, color: Bool) -> String {
        render(results, plan: plan, format: format, options: RenderOptions(color: color))
    }

    /// Results beside the plan they ran: the plan says how each KPI reads (a rate, seconds, a number).
    public static func render(_ results: [FunnelResult], plan: Plan?, format: OutputFormat, options: RenderOptions) -> String {
        let planned = results.map { r in plan?.funnels.first { $0.name == r.name } }
        let kinds = planned.map { f in f?.kpis.map(\.reading) ?? [] }
        let expectKinds = planned.map { f in f?.expects.map(\.reading) ?? [] }
        switch format {
        case .json: return JSONRenderer.render(results)
        case .csv: return DelimitedRenderer.csv(results)
        case .markdown: return DelimitedRenderer.markdown(results, kpiKinds: kinds, expectKinds: expectKinds)
        case .html: return HTMLRenderer.render(results, plans: planned, options: options)
        case .table:
            let t = TableRenderer(options: options)
            // A trend's groups are periods: they stay in time order.
            let trend = planned.map { f in f?.breakdown.contains { if case .period = $0.attribution { return true } else { return false } } ?? false }
            return results.indices.map { t.render(results[$0], kpiKinds: kinds[$0], expectKinds: expectKinds[$0], inTimeOrder: trend[$0]) }
                .joined(separator: "\n")
        }
    }
}

extension Report {
    /// Diagnostics as the command line prints them (file:line:col, the line, a caret, help).
    public static func diagnostics(_ ds: [Diagnostic], color: Bool) -> String {
        DiagnosticRenderer(color: color).render(ds)
    }

    /// Text in an ANSI style when colour is on.
    public static func paint(_ text: String, _ style: String, _ on: Bool) -> String { FunnelDiagnostics.paint(text, style, on) }

    /// "2 errors, 1 warning".
    public static func summary(_ ds: [Diagnostic]) -> String { DiagnosticRenderer.summary(ds) }

    /// The expect as written: `conversion >= 5%`, `conversion >= 5% for each device`.
    public static func written(_ e: ExpectResult) -> String { e.source + (e.forEach.map { " for each \($0)" } ?? "") }

    /// What an expect found, for one-line summaries: "actual 12.8%"; with `for each`, where it
    /// fails ("actual 3.1% in device = tablet; 1 of 3 groups fail") or "holds in all 3 groups".
    public static func outcome(_ e: ExpectResult, none: String = "none") -> String {
        let actual = "actual " + (Report.actual(e.actual, e.reading) ?? none)
        guard e.forEach != nil else { return actual }
        let failed = e.failedGroups
        guard let first = failed.first else { return "holds in all \(formatCount(e.groups.count)) group\(e.groups.count == 1 ? "" : "s")" }
        let others = failed.count > 1 ? " and \(formatCount(failed.count - 1)) more" : ""
        return "\(actual) in \(visibleText(first.group))\(others); \(formatCount(failed.count)) of \(formatCount(e.groups.count)) groups fail"
    }

    /// An expect's actual value in a one-line summary, read like its KPI: a rate as a percentage,
    /// seconds as a duration, else a number (up to four decimals, whole numbers bare).
    public static func actual(_ v: Double?, _ reading: Reading = .number) -> String? {
        guard let v = v else { return nil }
        return reading == .number ? formatNumber((v * 10000).rounded() / 10000) : Fmt.kpi(v, kind: reading)
    }
}
