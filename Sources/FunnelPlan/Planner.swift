import FunnelCore
import FunnelSema

/// Lowers a checked program to the plan: which columns each file must load (typed from its
/// schema), and per funnel the match configuration, resolved exclusion ranges, attribution,
/// start days and how each figure reads.
public enum Planner {
    public static func plan(_ program: CheckedProgram, schemas: [DataSchema], usersSchema: DataSchema?) -> Plan {
        var wanted = Array(repeating: Set<String>(), count: program.sources.count)
        var profile = Set<String>()
        func note(_ fields: [EventField], source: Int) {
            for f in fields {
                switch f {
                case .property(let p): if source < wanted.count { wanted[source].insert(p) }
                case .profile(let p): profile.insert(p)
                case .event, .time, .actor: break
                }
            }
        }
        for f in program.funnels { note(fieldsRead(by: f), source: f.source) }
        // Segments are evaluated over the first source.
        for s in program.segments.values { note(s.fields, source: 0) }
        func typed(_ names: Set<String>, _ schema: DataSchema?) -> [PlannedColumn] {
            names.sorted().map { PlannedColumn(name: $0, type: schema?.type(of: $0) ?? .unknown) }
        }
        let sources = program.sources.enumerated().map { i, spec in
            SourcePlan(spec: spec, columns: typed(wanted[i], i < schemas.count ? schemas[i] : nil))
        }
        let users = program.users.map { UsersPlan(spec: $0, columns: typed(profile, usersSchema)) }
        let funnels = program.funnels.map { lower($0, timezone: $0.source < sources.count ? sources[$0.source].spec.timezone : nil) }
        return Plan(sources: sources, users: users, funnels: funnels)
    }

    /// Every field a funnel reads, in any clause.
    static func fieldsRead(by f: CheckedFunnel) -> [EventField] {
        var fields: [EventField] = []
        for s in f.steps { fields += s.predicate.fields }
        for x in f.exclusions { fields += x.predicate.fields }
        if let w = f.wherePredicate { fields += w.fields }
        if let p = f.population { fields += p.fields }
        fields += f.breakdown.map(\.field) + f.hold + (f.compare.map { [$0.field] } ?? [])
        for b in f.breakdown { if let s = b.segment { fields += s.fields } }
        if case .property(let p) = f.count { fields.append(.property(p)) }
        for k in f.kpis { fields += k.expr.fields }
        for e in f.expects { fields += e.expr.fields }
        if let p = f.profile {
            fields.append(p.key.field)
            if let s = p.key.segment { fields += s.fields }
            for c in p.columns { fields += c.expr.fields }
        }
        return fields
    }

    static func lower(_ f: CheckedFunnel, timezone: String?) -> PlannedFunnel {
        let n = f.steps.count
        let match = MatchConfig(steps: n, window: f.window, within: f.steps.map(\.within), order: f.order, tiesStrict: f.tiesStrict)
        let rows = f.order == .any ? (1...max(1, n)).map { "completed \($0) step\($0 == 1 ? "" : "s")" } : f.steps.map(\.name)
        let exclusions = f.exclusions.map { x in
            PlannedExclusion(predicate: x.predicate, from: x.between?.0 ?? 0, to: x.between?.1 ?? max(0, n - 1),
                             effect: x.remove ? .remove : .stop)
        }
        let names = f.breakdown.map(keyName)
        let breakdown = f.breakdown.enumerated().map { i, b -> PlannedBreakdown in
            // The plain name, unless an earlier key of this breakdown already uses it.
            lowerKey(b, name: names[..<i].contains(names[i]) ? b.label : names[i], steps: f.steps.map(\.name))
        }
        // A step's position reads as its name.
        func named(_ r: Reading) -> Reading { var r = r; if r.kind == .step { r.labels = rows }; return r }
        let kpis = f.kpis.enumerated().map { i, k in
            PlannedKPI(name: k.name, expr: k.expr, reading: named(declared(k) ?? reading(k.expr, kpis: Array(f.kpis.prefix(i)))))
        }
        let expects = f.expects.map { e in
            PlannedExpect(source: e.source, line: e.line, condition: e.expr, actual: e.actual, reading: named(reading(e.actual, kpis: f.kpis)), forEach: e.forEach)
        }
        var planned = PlannedFunnel(name: f.name, line: f.line, source: f.source, timezone: timezone, match: match,
                             steps: f.steps.map { PlannedStep(name: $0.name, predicate: $0.predicate) }, rowLabels: rows,
                             exclusions: exclusions, eventFilter: f.wherePredicate, actorFilter: f.population,
                             startDays: f.dates.map { StartDays(first: $0.0, last: $0.1) }, counting: f.count,
                             breakdown: breakdown, hold: f.hold, kpis: kpis, expects: expects,
                             compare: f.compare.map { PlannedCompare(label: $0.label, field: $0.field, baseline: $0.baseline) })
        planned.topGroups = f.topGroups
        planned.profile = f.profile.map { p in
            PlannedProfile(key: lowerKey(p.key, name: keyName(p.key), steps: f.steps.map(\.name)),
                           columns: p.columns.map { PlannedProfileColumn(name: $0.name, expr: $0.expr, type: $0.type) })
        }
        return planned
    }

    /// A key's name in JSON: the period (`week`), a segment's, tier's or user value's label
    /// (`loyalty`, `rfm("purchase", price).segment`), else the property (`device`, `user.plan`).
    static func keyName(_ b: CheckedBreakdown) -> String {
        b.period?.rawValue ?? (b.segment != nil ? b.label : b.field.description)
    }

    /// One breakdown key (of `by`, or of `profile by`) as the engines read it.
    static func lowerKey(_ b: CheckedBreakdown, name: String, steps: [String]) -> PlannedBreakdown {
        let a = attribution(b)
        var planned = PlannedBreakdown(label: b.label, name: name, attributionText: describe(a, steps: steps), field: b.field, attribution: a)
        planned.bands = b.bands
        if let s = b.segment {
            planned.segment = s
            planned.userValueType = b.userValueType
            if b.userValueType != nil { planned.attributionText = "user value" }
            else if case .tier = s { planned.attributionText = "tier" }
            else { planned.attributionText = "segment membership" }
        }
        return planned
    }

    static func describe(_ a: Attribution, steps: [String]) -> String {
        switch a {
        case .firstTouch: return "first touch"
        case .atStep(let k): return "at \(k < steps.count ? steps[k] : "step \(k + 1)")"
        case .lastTouch: return "last touch"
        case .everyValue: return "every value"
        case .period(let p): return "\(p.rawValue) of step 1"
        }
    }

    static func attribution(_ b: CheckedBreakdown) -> Attribution {
        if let p = b.period { return .period(p) }
        if b.all { return .everyValue }
        if let k = b.at { return .atStep(k) }
        if b.last { return .lastTouch }
        return .firstTouch
    }

    /// A ratio of user counts is a rate; a time aggregate is seconds; a KPI reads like its definition.
    /// A KPI's own `format` / `decimals`, when it has them.
    static func declared(_ k: CheckedKPI) -> Reading? {
        guard k.format != nil || k.decimals != nil else { return nil }
        let kinds: [String: Reading.Kind] = ["percent": .rate, "number": .number, "seconds": .seconds, "money": .money]
        let kind = k.format.flatMap { kinds[$0] } ?? reading(k.expr, kpis: []).kind
        return Reading(kind, decimals: k.decimals)
    }

    static func reading(_ e: KPIExpr, kpis: [CheckedKPI]) -> Reading {
        switch e {
        case .arith(.div, let a, let b) where a.isUserCount && b.isUserCount: return .rate
        case .timeBetween: return .seconds
        case .biggestDrop(.share, _): return .rate
        case .biggestDrop(.step, _): return Reading(.step)
        case .kpi(let i) where i < kpis.count: return declared(kpis[i]) ?? reading(kpis[i].expr, kpis: Array(kpis.prefix(i)))
        case .compare(_, let a, _), .between(let a, _, _): return reading(a, kpis: kpis)
        default: return .number
        }
    }
}


