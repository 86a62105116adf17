import FunnelEngine
import FunnelCore
import FunnelPlan

/// Renders run results in the chosen format.
public enum Report {
    /// Results beside the plan they ran: the plan says how each KPI reads (a rate, seconds, a number).
    public static func render(_ results: [FunnelResult], plan: Plan?, format: OutputFormat, color: Bool) -> String {
        let planned = results.map { r in plan?.funnels.first { $0.name == r.name } }
        let kinds = planned.map { f in f?.kpis.map(\.reading) ?? [] }
        let expectKinds = planned.map { f in f?.expects.map(\.reading) ?? [] }
        switch format {
        case .json: return JSONRenderer.render(results)
        case .csv: return DelimitedRenderer.csv(results)
        case .markdown: return DelimitedRenderer.markdown(results, kpiKinds: kinds)
        case .html: return HTMLRenderer.render(results, kpiKinds: kinds, expectKinds: expectKinds)
        case .table:
            let t = TableRenderer(color: color)
            return results.indices.map { t.render(results[$0], kpiKinds: kinds[$0], expectKinds: expectKinds[$0]) }.joined(separator: "\n")
        }
    }
}
