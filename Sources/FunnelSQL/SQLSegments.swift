import FunnelCore
import FunnelPlan

/// `for` in SQL: user expressions (UserEvaluator's semantics) over one row per user — the
/// aggregates of the user's whole history (before `where`) and the users table's columns.
/// A comparison with a missing value is false; `not` is two-valued; `sum` of nothing is 0.
struct SegmentWriter {
    let d: Dialect
    /// Event expressions over the typed rows (for the aggregates' values and filters).
    let events: ExpressionWriter
    /// Aggregates found, in order: each becomes a column `agg<i>` of the per-user relation.
    var aggregates: [(kind: AggregateKind, value: EventExpr?, filter: EventExpr?)] = []
    var profileColumns: Set<String> = []

    init(d: Dialect, events: ExpressionWriter) { self.d = d; self.events = events }

    /// The type a user expression has (nil: unknown / missing).
    func type(_ e: UserExpr) -> ValueType? {
        switch e {
        case .literal(let v): return v.type
        case .profile(_, let t): return t
        case .customer(let m): return m.part.isText ? .string : .number
        case .aggregate(let k, _, _):
            switch k {
            case .recency: return .duration
            default: return .number
            }
        case .arith(_, let a, let b):
            let (x, y) = (type(a), type(b))
            if x == .duration && y == .duration { return .duration }
            return .number
        case .negate(let a): return type(a)
        default: return .bool
        }
    }

    /// A condition (two-valued) over the per-user relation (columns `agg<i>`, `u_<name>`).
    mutating func condition(_ e: UserExpr) throws -> String {
        switch e {
        case .literal(.bool(let b)): return b ? "TRUE" : "FALSE"
        case .compare(let op, let a, let b):
            guard let ta = type(a), let tb = type(b), ta == tb || ta == .unknown || tb == .unknown else { return "FALSE" }
            return "coalesce((\(try value(a)) \(events.sqlOp(op)) \(try value(b))), FALSE)"
        case .inList(let a, let list, let negated):
            let kept = list.filter { $0 != .null && $0.type == type(a) }
            let x = try value(a)
            if kept.isEmpty { return negated ? "(\(x) IS NOT NULL)" : "FALSE" }
            return "coalesce((\(x) \(negated ? "NOT IN" : "IN") (\(kept.map(events.literal).joined(separator: ", ")))), FALSE)"
        case .isNull(let a, let negated): return "(\(try value(a)) IS \(negated ? "NOT " : "")NULL)"
        case .and(let a, let b): return "(\(try condition(a)) AND \(try condition(b)))"
        case .or(let a, let b): return "(\(try condition(a)) OR \(try condition(b)))"
        case .not(let a): return "(NOT \(try condition(a)))"
        case .tier: throw Untranslatable(construct: "a tier in `for`", why: "tiers are not translated yet")
        case .customer(let m): throw SegmentWriter.untranslatable(m)
        default: return "FALSE"
        }
    }

    static func untranslatable(_ m: CustomerMeasure) -> Untranslatable {
        Untranslatable(construct: "`\(m.part.isRFM ? "rfm" : "clv")(…).\(m.part.rawValue)`", why: "RFM and CLV are not translated yet")
    }

    /// A value over the per-user relation; NULL when missing.
    mutating func value(_ e: UserExpr) throws -> String {
        switch e {
        case .customer(let m): throw SegmentWriter.untranslatable(m)
        case .literal(let v): return events.literal(v)
        case .profile(let name, let t):
            guard t == .number || t == .string || t == .unknown else {
                throw Untranslatable(construct: "`user.\(name)`", why: "\(t) profile columns are not translated yet")
            }
            profileColumns.insert(name)
            return d.ident("u_" + name)
        case .aggregate(let kind, let v, let f):
            switch kind {
            case .count, .sum, .avg, .recency: break
            case .min, .max:
                if let v = v, events.type(v) != .number {
                    throw Untranslatable(construct: "`\(kind.rawValue)` of text or times in a segment", why: "only numbers are translated")
                }
            default: throw Untranslatable(construct: "`\(kind.rawValue)(…)` in a segment", why: "not translated yet")
            }
            if let i = aggregates.firstIndex(where: { $0.kind == kind && $0.value == v && $0.filter == f }) { return "agg\(i)" }
            aggregates.append((kind, v, f))
            return "agg\(aggregates.count - 1)"
        case .arith(let op, let a, let b):
            let x = try value(a), y = try value(b)
            switch (type(a), type(b)) {
            case (.number?, .number?):
                switch op {
                case .add: return "(\(x) + \(y))"
                case .sub: return "(\(x) - \(y))"
                case .mul: return "(\(x) * \(y))"
                case .div: return "(CASE WHEN \(y) = 0 THEN NULL ELSE \(x) / \(y) END)"
                }
            case (.duration?, .duration?) where op == .add || op == .sub: return "(\(x) \(op == .add ? "+" : "-") \(y))"
            default: return "NULL"
            }
        case .negate(let a):
            guard type(a) == .number || type(a) == .duration else { return "NULL" }
            return "(-\(try value(a)))"
        default:
            throw Untranslatable(construct: "`\(e)` as a value", why: "not translated")
        }
    }

    /// The per-user aggregate columns over the typed rows, `asOf` being "now" for recency.
    func aggregateColumns(asOf: String) throws -> [String] {
        try aggregates.enumerated().map { i, a in
            var cond = "TRUE"
            if let f = a.filter { cond = try events.condition(f) }
            var v = "NULL"
            if let value = a.value {
                v = try events.value(value)
                cond = "(\(cond)) AND (\(v)) IS NOT NULL"
            }
            let sql: String
            switch a.kind {
            case .count: sql = "coalesce(sum(CASE WHEN \(cond) THEN 1 ELSE 0 END), 0)"
            case .sum: sql = "coalesce(sum(CASE WHEN \(cond) THEN \(d.toDouble(v)) END), 0)"
            case .avg: sql = "avg(CASE WHEN \(cond) THEN \(d.toDouble(v)) END)"
            case .min: sql = "min(CASE WHEN \(cond) THEN \(d.toDouble(v)) END)"
            case .max: sql = "max(CASE WHEN \(cond) THEN \(d.toDouble(v)) END)"
            case .recency: sql = "\(asOf) - max(CASE WHEN \(cond) THEN \(d.ident("time")) END)"
            default: sql = "NULL"
            }
            // Counts compare with numbers as doubles, as the native engine's values are.
            return "\(a.kind == .count ? d.toDouble(sql) : sql) AS agg\(i)"
        }
    }
}
