import FunnelSema

/// The execution plan: plain data (no closures). The native engine runs it and
/// `funnel explain` prints it; SQL back ends can translate it later.
public struct Plan: Sendable {
    public var sources: [SourcePlan]
    public var users: UsersPlan?
    public var funnels: [CheckedFunnel]
    public var segments: [String: UserExpr]

    public init(sources: [SourcePlan], users: UsersPlan?, funnels: [CheckedFunnel], segments: [String: UserExpr]) {
        self.sources = sources; self.users = users; self.funnels = funnels; self.segments = segments
    }
}

/// One event file to read, and which of its property columns the funnels use.
public struct SourcePlan: Sendable {
    public var source: CheckedSource
    /// Property columns to materialise (beyond user, time and event).
    public var properties: [String]
    public init(source: CheckedSource, properties: [String]) { self.source = source; self.properties = properties }
}

public struct UsersPlan: Sendable {
    public var users: CheckedUsers
    /// Profile columns the funnels use (`user.X`).
    public var columns: [String]
}

/// Lowers a checked program to a plan: decides which columns each source must load.
public enum Planner {
    public static func plan(_ program: CheckedProgram) -> Plan {
        var props = Array(repeating: Set<String>(), count: program.sources.count)
        var profile = Set<String>()
        func visit(_ f: EventField, _ source: Int) {
            switch f {
            case .property(let p): if source < props.count { props[source].insert(p) }
            case .profile(let p): profile.insert(p)
            default: break
            }
        }
        for f in program.funnels {
            var fields: [EventField] = []
            for s in f.steps { fields += s.predicate.fields }
            for x in f.exclusions { fields += x.predicate.fields }
            if let w = f.wherePredicate { fields += w.fields }
            if let p = f.population { fields += p.fields }
            fields += f.breakdown.map(\.field) + f.hold + (f.compare.map { [$0.field] } ?? [])
            if case .property(let p) = f.count { fields.append(.property(p)) }
            for k in f.kpis { fields += k.expr.fields }
            for e in f.expects { fields += e.expr.fields }
            for field in fields { visit(field, f.source) }
        }
        // Segments read the first source.
        for s in program.segments.values { for field in s.fields { visit(field, 0) } }
        let sources = program.sources.enumerated().map { SourcePlan(source: $1, properties: props[$0].sorted()) }
        let users = program.users.map { UsersPlan(users: $0, columns: profile.sorted()) }
        return Plan(sources: sources, users: users, funnels: program.funnels, segments: program.segments)
    }
}

extension EventExpr {
    /// Every field the expression reads.
    public var fields: [EventField] {
        switch self {
        case .literal: return []
        case .field(let f, _): return [f]
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .arith(_, let a, let b): return a.fields + b.fields
        case .inList(let a, _, _), .stringOp(_, let a, _), .isNull(let a, _), .not(let a), .negate(let a): return a.fields
        }
    }
}

extension UserExpr {
    public var fields: [EventField] {
        switch self {
        case .literal: return []
        case .profile(let p, _): return [.profile(p)]
        case .aggregate(_, let v, let f): return (v?.fields ?? []) + (f?.fields ?? [])
        case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b), .arith(_, let a, let b): return a.fields + b.fields
        case .inList(let a, _, _), .isNull(let a, _), .not(let a), .negate(let a): return a.fields
        }
    }
}

extension KPIExpr {
    public var fields: [EventField] {
        switch self {
        case .stepAggregate(_, _, let v): return v.fields
        case .arith(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): return a.fields + b.fields
        case .between(let a, let b, let c): return a.fields + b.fields + c.fields
        case .negate(let a), .not(let a): return a.fields
        default: return []
        }
    }
}
