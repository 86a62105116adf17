import FunnelCore
import FunnelDiagnostics

/// The text `funnel explain` prints: the plan that runs, field by field.
public enum Explain {
    public static func render(_ plan: Plan) -> String {
        var out = ""
        for (i, s) in plan.sources.enumerated() {
            let spec = s.spec
            out += "source #\(i) \(spec.name): \(spec.format) \(spec.path)\n"
            out += "  user = \(spec.userColumn), time = \(spec.timeColumn), event = \(spec.eventColumn), timezone = \(spec.timezone ?? "UTC")\n"
            out += "  load properties: \(columns(s.columns))\n"
        }
        if let u = plan.users {
            out += "users: \(u.spec.format) \(u.spec.path) key = \(u.spec.keyColumn); load: \(columns(u.columns))\n"
        }
        for f in plan.funnels { out += "\n" + render(f) }
        return out
    }

    static func columns(_ cs: [PlannedColumn]) -> String {
        cs.isEmpty ? "(none)" : cs.map { "\($0.name) (\($0.type == .unknown ? "unchecked" : "\($0.type)"))" }.joined(separator: ", ")
    }

    static func render(_ f: PlannedFunnel) -> String {
        let m = f.match
        var out = "funnel \(f.name) (source #\(f.source), line \(f.line))\n"
        out += "  window: \(m.window.map(formatDuration) ?? "none") from step 1, inclusive\n"
        out += "  order: \(m.order.rawValue)\(m.tiesStrict ? ", ties strict" : ", ties may chain")\n"
        out += "  count: \(countText(f.counting))\n"
        if let w = f.eventFilter { out += "  where: \(w)\n" }
        if let p = f.actorFilter { out += "  for: \(p)\n" }
        if let d = f.startDays {
            func shown(_ b: DayBound) -> String { if case .day(let day) = b { return formatDate(day) }; return b.description }
            out += "  dates: \(shown(d.first)) to \(shown(d.last)) (days in \(f.timezone ?? "UTC")\(d.isRelative ? "; the as-of day is --as-of's, else the latest event's" : ""))\n"
        }
        for (k, s) in f.steps.enumerated() {
            let within = m.within[k].map { " within \(formatDuration($0)) of step \(k)" } ?? ""
            out += "  step \(k + 1) \(s.name) (mask bit \(k)): \(s.predicate)\(within)\n"
        }
        if m.order == .any { out += "  rows: \(f.rowLabels.joined(separator: ", "))\n" }
        for x in f.exclusions {
            out += "  exclude: \(x.predicate) between \(f.steps[x.from].name) and \(f.steps[x.to].name), effect \(x.effect.rawValue)\n"
        }
        for b in f.breakdown { out += "  by \(b.label): \(keyText(b, f))\n" }
        if !f.hold.isEmpty {
            out += "  hold: \(f.hold.map(\.description).joined(separator: ", ")) (every step of an assignment carries the same value)\n"
        }
        if let c = f.compare {
            out += "  compare by \(c.label) (first touch) against \(c.baseline.map { "baseline \($0)" } ?? "the largest group"): Newcombe 95% intervals, z-test (Fisher's exact below 5 per cell)\n"
        }
        if let p = f.profile {
            out += "  profile by \(p.key.label): \(keyText(p.key, f)); per group the users at step 1, their share, conversion to the last step\n"
            for c in p.columns { out += "    \(c.name): \(c.averaged ? "mean" : "mix") of \(c.expr)\n" }
        }
        for k in f.kpis { out += "  kpi \(k.name) = \(k.expr) (reads as \(k.reading))\n" }
        for e in f.expects { out += "  expect (line \(e.line)): \(e.source) [\(e.condition)]\(e.forEach.map { ", in each group (for each \($0))" } ?? "")\n" }
        return out
    }

    /// How a breakdown key gets its value: a segment's membership, a tier's label, a user's value, or an event's.
    static func keyText(_ b: PlannedBreakdown, _ f: PlannedFunnel) -> String {
        guard let s = b.segment else { return attributionText(b.attribution, f) }
        if b.userValueType != nil { return "each user's \(s)" + (b.bands.map { " in bands \(PlannedBreakdown.bandLabels($0).joined(separator: ", "))" } ?? "") }
        if case .tier = s { return "\(s)" }
        return "segment membership, \"in\" or \"not in\": \(s)"
    }

    static func attributionText(_ a: Attribution, _ f: PlannedFunnel) -> String {
        switch a {
        case .firstTouch: return f.match.order == .any ? "first touch (first event of any step)" : "first touch (first step-1 event)"
        case .atStep(let k): return "at step \(f.steps[k].name) of the best assignment"
        case .lastTouch: return "last touch (the furthest step reached in the best assignment)"
        case .everyValue: return "every value (all): the funnel runs once per value"
        case .period(let p): return "attempts by the \(p.rawValue) of their step-1 event"
        }
    }

    static func countText(_ c: CountMode) -> String {
        switch c {
        case .users: return "users"
        case .conversions: return "conversions"
        case .property(let p): return "distinct \(p)"
        }
    }
}
