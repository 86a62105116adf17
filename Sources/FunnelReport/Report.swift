import FunnelEngine
import FunnelSema

/// Renders run results in the chosen format.
public enum Report {
    public static func render(_ results: [FunnelResult], funnels: [CheckedFunnel], format: OutputFormat, color: Bool) -> String {
        let kinds = results.map { r in funnels.first { $0.name == r.name }?.kpis.map(\.expr.kind) ?? [] }
        switch format {
        case .json: return JSONRenderer.render(results)
        case .csv: return DelimitedRenderer.csv(results)
        case .markdown: return DelimitedRenderer.markdown(results, kpiKinds: kinds)
        case .table:
            let t = TableRenderer(color: color)
            return zip(results, kinds).map { t.render($0, kpiKinds: $1) }.joined(separator: "\n")
        }
    }
}
