import FunnelEngine
import FunnelSema

/// Renders run results in the chosen format.
public enum Report {
    public static func render(_ results: [FunnelResult], funnels: [CheckedFunnel], format: OutputFormat, color: Bool) -> String {
        let checked = results.map { r in funnels.first { $0.name == r.name } }
        let kinds = checked.map { f in f.map { f in f.kpis.map { $0.expr.kind(in: f.kpis) } } ?? [] }
        let expectKinds = checked.map { f in f.map { f in f.expects.map { $0.actual.kind(in: f.kpis) } } ?? [] }
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
