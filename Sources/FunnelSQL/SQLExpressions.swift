import FunnelCore

/// Why a part of a funnel has no exact translation for a target (the caller locates it).
struct Untranslatable: Error {
    let construct: String
    let why: String
}

/// Event expressions as SQL, with the native engine's logic (language.md §4, VectorEvaluator):
/// a comparison with a missing value is false, never unknown, so every leaf condition is
/// wrapped in `coalesce(…, FALSE)` and `not` stays two-valued; `not in` is false for a missing value.
struct ExpressionWriter {
    let dialect: Dialect
    /// The SQL of a field (a typed column of the events relation).
    let column: (EventField) throws -> String

    func condition(_ e: EventExpr) throws -> String {
        switch e {
        case .literal(.bool(let b)): return b ? "TRUE" : "FALSE"
        case .literal: return "FALSE"
        case .field(_, let t):
            guard t == .bool else { return "FALSE" }
            return "coalesce(\(try value(e)), FALSE)"
        case .compare(let op, let a, let b):
            guard let ta = type(a), let tb = type(b), comparable(ta, tb) else {
                // A missing constant or two types that never compare: never true (as natively).
                return "FALSE"
            }
            return "coalesce((\(try value(a)) \(sqlOp(op)) \(try value(b))), FALSE)"
        case .inList(let a, let values, let negated):
            let t = type(a)
            let kept = values.filter { $0 != .null && (t == nil || comparable($0.type ?? .unknown, t ?? .unknown)) }
            let x = try value(a)
            if kept.isEmpty { return negated ? "(\(x) IS NOT NULL)" : "FALSE" }
            let list = kept.map(literal).joined(separator: ", ")
            return "coalesce((\(x) \(negated ? "NOT IN" : "IN") (\(list))), FALSE)"
        case .stringOp(let op, let a, let s):
            let x = try value(a)
            switch op {
            case .contains: return "coalesce(\(dialect.contains(x, dialect.string(s))), FALSE)"
            case .startsWith: return "coalesce(\(dialect.startsWith(x, dialect.string(s))), FALSE)"
            case .matches:
                throw Untranslatable(construct: "`matches`", why: "regular expression dialects differ between engines; the native engine's syntax is not translated yet")
            }
        case .isNull(let a, let negated):
            return "(\(try value(a)) IS \(negated ? "NOT " : "")NULL)"
        case .and(let a, let b): return "(\(try condition(a)) AND \(try condition(b)))"
        case .or(let a, let b): return "(\(try condition(a)) OR \(try condition(b)))"
        case .not(let a): return "(NOT \(try condition(a)))"
        case .arith, .negate:
            return "FALSE"
        }
    }

    /// A value (a number, text or time in µs); NULL when missing.
    func value(_ e: EventExpr) throws -> String {
        switch e {
        case .literal(let v): return literal(v)
        case .field(let f, _): return try column(f)
        case .arith(let op, let a, let b):
            guard let ta = type(a), let tb = type(b) else { return "NULL" }
            let x = try value(a), y = try value(b)
            switch (ta, tb) {
            case (.number, .number):
                switch op {
                case .add: return "(\(x) + \(y))"
                case .sub: return "(\(x) - \(y))"
                case .mul: return "(\(x) * \(y))"
                case .div: return "(CASE WHEN \(y) = 0 THEN NULL ELSE \(x) / \(y) END)"
                }
            case (.time, .duration) where op == .add || op == .sub, (.duration, .duration) where op == .add || op == .sub,
                 (.time, .time) where op == .sub:
                return "(\(x) \(op == .add ? "+" : "-") \(y))"
            default:
                throw Untranslatable(construct: "`\(e)`", why: "arithmetic on these types is not translated")
            }
        case .negate(let a):
            return "(-\(try value(a)))"
        default:
            // A condition used as a value.
            throw Untranslatable(construct: "`\(e)`", why: "a condition used as a value is not translated")
        }
    }

    func literal(_ v: Value) -> String {
        switch v {
        case .string(let s): return dialect.string(s)
        case .number(let x): return dialect.double(x)
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .time(let t), .duration(let t): return dialect.int(t)
        case .null: return "NULL"
        }
    }

    func type(_ e: EventExpr) -> ValueType? {
        switch e {
        case .literal(let v): return v.type
        case .field(_, let t): return t
        case .arith(let op, let a, let b):
            guard let ta = type(a), let tb = type(b) else { return nil }
            if ta == .time && tb == .duration { return .time }
            if ta == .time && tb == .time && op == .sub { return .duration }
            if ta == .duration && tb == .duration { return .duration }
            return .number
        case .negate(let a): return type(a)
        default: return .bool
        }
    }

    func comparable(_ a: ValueType, _ b: ValueType) -> Bool {
        a == b || a == .unknown || b == .unknown
    }

    func sqlOp(_ op: CompareOp) -> String {
        switch op {
        case .eq: return "="
        case .ne: return "<>"
        case .lt: return "<"
        case .le: return "<="
        case .gt: return ">"
        case .ge: return ">="
        }
    }
}
