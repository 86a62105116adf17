import Foundation
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan

/// What a run of one funnel found, kept so that hover can show it while the text changes.
struct FunnelFigures {
    /// The texts of the open documents it ran on.
    var texts: [String: String]
    var steps: [StepStats]
    /// Each KPI's value as the reports read it (a rate as a percentage), or "-" when undefined.
    var kpis: [String: String]
}

extension EditorProject {
    /// Whether the last try to run this funnel on these texts was given up.
    func runWasTooSlow(funnel name: String, path: String, texts: [String: String]) -> Bool { tooSlow[path]?[name] == texts }

    /// A run that takes longer is given up: hover must answer while the user waits.
    static let runSeconds = 3.0

    /// A funnel's figures: from a run of the current texts (made now when needed), else from its
    /// last run before the latest edits (`current` false). Nil when it never ran.
    func figures(funnel name: String, path: String, texts: [String: String]) -> (figures: FunnelFigures, current: Bool)? {
        if let kept = runs[path]?[name], kept.texts == texts { return (kept, true) }
        // A run given up on these very texts is not tried again on every hover.
        if tooSlow[path]?[name] == texts { return runs[path]?[name].map { ($0, false) } }
        let c = compile(path: path, texts: texts, reuse: true)
        if !c.hasErrors, let plan = c.plan, let planned = plan.funnels.first(where: { $0.name == name }) {
            var o = options
            let deadline = Driver.deadline(in: EditorProject.runSeconds)
            o.deadline = deadline
            let results = Driver.run(c, options: o, only: [name])
            if let r = results.first, !Driver.passed(deadline) {
                var kpis: [String: String] = [:]
                for (k, p) in zip(r.kpis, planned.kpis) { kpis[k.name] = EditorProject.read(k.value, p.reading) }
                let figures = FunnelFigures(texts: texts, steps: r.steps, kpis: kpis)
                runs[path, default: [:]][name] = figures
                return (figures, true)
            }
            tooSlow[path, default: [:]][name] = texts
        }
        return runs[path]?[name].map { ($0, false) }
    }

    /// A KPI's value as it reads: a rate as a percentage, a time as a duration.
    static func read(_ value: Double?, _ reading: Reading) -> String {
        guard let v = value, v.isFinite else { return "-" }
        switch reading.kind {
        case .rate: return String(format: "%.\(reading.decimals ?? 1)f%%", v * 100)
        case .seconds: return abs(v) < 9e12 ? formatDuration(Int64((v * 1e6).rounded())) : formatNumber(v) + " s"
        case .money: return String(format: "%.\(reading.decimals ?? 2)f", v)
        case .number: return reading.decimals.map { String(format: "%.\($0)f", v) } ?? formatNumber(v)
        case .step:
            let i = Int(v.rounded()) - 1
            return reading.labels.indices.contains(i) ? reading.labels[i] : "step \(Int(v.rounded()))"
        }
    }
}
