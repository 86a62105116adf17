import FunnelSema

/// The text `funnel explain` prints: what will be read and how each funnel matches.
public enum Explain {
    public static func render(_ plan: Plan) -> String {
        var out = ""
        for (i, s) in plan.sources.enumerated() {
            let src = s.source
            out += "source #\(i) \(src.name): \(src.format) \(src.path)\n"
            out += "  user = \(src.userColumn), time = \(src.timeColumn), event = \(src.eventColumn), timezone = \(src.timezone ?? "UTC")\n"
            out += "  load properties: \(s.properties.isEmpty ? "(none)" : s.properties.joined(separator: ", "))\n"
        }
        if let u = plan.users {
            out += "users: \(u.users.format) \(u.users.path) key = \(u.users.keyColumn); load: \(u.columns.isEmpty ? "(none)" : u.columns.joined(separator: ", "))\n"
        }
        for f in plan.funnels {
            out += "\nfunnel \(f.name) (source #\(f.source))\n"
            out += "  window: \(f.window.map(formatDuration) ?? "none") from step 1, inclusive\n"
            out += "  order: \(f.order.rawValue)\(f.tiesStrict ? ", ties strict" : ", ties may chain")\n"
            out += "  count: \(countText(f.count))\n"
            if let w = f.wherePredicate { out += "  where: \(w)\n" }
            if let p = f.population { out += "  for: \(p)\n" }
            if let (a, b) = f.dates { out += "  dates: \(formatTime(a)) to \(formatTime(b))\n" }
            for (k, s) in f.steps.enumerated() {
                out += "  step \(k + 1) \(s.name): \(s.predicate)\(s.within.map { " within \(formatDuration($0)) of step \(k)" } ?? "")\n"
            }
            for x in f.exclusions {
                let range = x.between.map { "between \(f.steps[$0.0].name) and \(f.steps[$0.1].name)" } ?? "over the whole attempt"
                out += "  exclude: \(x.predicate) \(range), effect \(x.remove ? "remove" : "stop")\n"
            }
            for b in f.breakdown {
                let how = b.period.map { "attempts by the \($0.rawValue) of their step-1 event" }
                    ?? (b.all ? "every value (all): the funnel runs once per value" : (b.at.map { "at step \(f.steps[$0].name)" } ?? "first touch (first step-1 event)"))
                out += "  by \(b.label): \(how)\n"
            }
            if !f.hold.isEmpty { out += "  hold: \(f.hold.map(\.description).joined(separator: ", ")) (every step of an assignment carries the same value)\n" }
            if let c = f.compare {
                out += "  compare by \(c.label) (first touch) against \(c.baseline.map { "baseline \($0)" } ?? "the largest group"): Newcombe 95% intervals, z-test (Fisher's exact below 5 per cell)\n"
            }
            for k in f.kpis { out += "  kpi \(k.name) = \(k.expr)\n" }
            for e in f.expects { out += "  expect (line \(e.line)): \(e.source)\n" }
        }
        return out
    }

    static func countText(_ c: CountMode) -> String {
        switch c {
        case .users: return "users"
        case .conversions: return "conversions"
        case .property(let p): return "distinct \(p)"
        }
    }
}
