import Foundation
import FunnelCore

/// A column of intermediate values while an expression is evaluated over every event.
enum Vec {
    case bools([UInt8])                 // 0 false, 1 true, 2 missing
    case numbers([Double])              // NaN missing
    case strings([UInt32], [String])    // codes into a dictionary; missingCode missing
    case times([Int64])                 // missingTime missing
    case constant(Value)
}

extension Vec {
    /// An exact code of the value at one row: equal codes, equal values (missing: `FunnelRunner.missingKey`).
    /// The per-row form of `FunnelRunner.codes`.
    func code(at row: Int) -> UInt64 {
        switch self {
        case .strings(let c, _): return c[row] == missingCode ? FunnelRunner.missingKey : UInt64(c[row])
        case .numbers(let x): return x[row].isNaN ? FunnelRunner.missingKey : (x[row] == 0 ? 0 : x[row].bitPattern)
        case .bools(let b): return b[row] == 2 ? FunnelRunner.missingKey : UInt64(b[row])
        case .times(let t): return t[row] == missingTime ? FunnelRunner.missingKey : UInt64(bitPattern: t[row])
        case .constant(let c): return c == .null ? FunnelRunner.missingKey : 0
        }
    }

    /// For a text column, each dictionary code's first code with an equal string (strings compare
    /// by canonical equivalence, codes by bytes: "Malé" can be written two ways); nil otherwise.
    func canonicalCodes() -> [UInt32]? {
        guard case .strings(_, let dict) = self else { return nil }
        var first: [String: UInt32] = [:]
        first.reserveCapacity(dict.count)
        return dict.enumerated().map { i, s in
            if let c = first[s] { return c }
            first[s] = UInt32(i)
            return UInt32(i)
        }
    }

    /// The value at one row, as a language value (missing values are null).
    func value(at row: Int) -> Value {
        switch self {
        case .strings(let c, let d): return c[row] == missingCode ? .null : .string(d[Int(c[row])])
        case .numbers(let x): return x[row].isNaN ? .null : .number(x[row])
        case .bools(let b): return b[row] == 2 ? .null : .bool(b[row] == 1)
        case .times(let t): return t[row] == missingTime ? .null : .time(t[row])
        case .constant(let c): return c
        }
    }
}

/// Evaluates event expressions column-wise over a whole store (one pass per node).
struct VectorEvaluator {
    let store: EventStore
    let profile: ProfileTable?
    let profileRows: [Int32]?

    init(store: EventStore, profile: ProfileTable?) {
        self.store = store
        self.profile = profile
        self.profileRows = profile.map { $0.rows(for: store) }
    }

    /// While a predicate is evaluated once per dictionary value (`truthByCode`): the column it
    /// reads, standing for every value of its dictionary and then a missing one.
    private var domain: (field: EventField, values: Vec, count: Int)? = nil

    var count: Int { domain?.count ?? store.count }

    /// 0/1 per event (missing counts as false).
    func predicate(_ e: EventExpr) -> [UInt8] {
        if let (codes, table) = truthByCode(e) {
            // One table lookup per event instead of a pass per node of the expression.
            var out = [UInt8](repeating: 0, count: codes.count)
            let missing = table.count - 1
            out.withUnsafeMutableBufferPointer { o in
                codes.withUnsafeBufferPointer { c in
                    table.withUnsafeBufferPointer { t in
                        for i in 0..<c.count { let k = c[i]; o[i] = t[k == missingCode ? missing : Int(k)] }
                    }
                }
            }
            return out
        }
        return evaluatedPredicate(e)
    }

    /// The predicate's truth (0/1) for each code of the one text column it reads, and last for a
    /// missing value, with that column's codes per event; nil when it reads anything else
    /// (numbers, times, a second column). The same evaluation as per event, once per distinct
    /// value: `event == "view"`, `country in [...]`, `url starts_with "/shop" and url != "/shop/x"`.
    func truthByCode(_ e: EventExpr) -> (codes: [UInt32], table: [UInt8])? {
        guard domain == nil, let f = VectorEvaluator.soleTextField(e), case .strings(let codes, let dict) = field(f),
              dict.count < codes.count else { return nil }
        var probe = self
        let values = Array(0..<UInt32(dict.count)) + [missingCode]
        probe.domain = (f, .strings(values, dict), values.count)
        return (codes, probe.evaluatedPredicate(e))
    }

    /// The one field an expression reads, when it only compares, lists, tests and combines it
    /// (no arithmetic, no second field); nil otherwise.
    static func soleTextField(_ e: EventExpr) -> EventField? {
        var found: EventField? = nil
        func visit(_ e: EventExpr) -> Bool {
            switch e {
            case .literal: return true
            case .field(let f, let t):
                guard t == .string, found == nil || found == f else { return false }
                found = f
                return true
            case .compare(_, let a, let b), .and(let a, let b), .or(let a, let b): return visit(a) && visit(b)
            case .inList(let a, _, _), .stringOp(_, let a, _), .isNull(let a, _), .not(let a): return visit(a)
            case .arith, .negate: return false
            }
        }
        return visit(e) ? found : nil
    }

    private func evaluatedPredicate(_ e: EventExpr) -> [UInt8] {
        switch eval(e) {
        case .bools(let b): return b.map { $0 == 1 ? 1 : 0 }
        case .constant(.bool(let v)): return [UInt8](repeating: v ? 1 : 0, count: count)
        default: return [UInt8](repeating: 0, count: count)
        }
    }

    func column(_ data: ColumnData) -> Vec {
        switch data {
        case .strings(let c, let d): return .strings(c, d)
        case .numbers(let x): return .numbers(x)
        case .bools(let b): return .bools(b)
        case .times(let t): return .times(t)
        }
    }

    func field(_ f: EventField) -> Vec {
        if let d = domain { return d.field == f ? d.values : .constant(.null) }
        switch f {
        case .event: return .strings(store.event, store.eventNames)
        case .time: return .times(store.time)
        case .actor: return .strings(store.actor, store.actorNames.strings)
        case .property(let p):
            guard let data = store.properties[p] else { return .constant(.null) }
            return column(data)
        case .profile(let p):
            guard let data = profile?.columns[p], let rows = profileRows else { return .constant(.null) }
            let actor = store.actor
            switch data {
            case .strings(let c, let d): return .strings(actor.map { let r = rows[Int($0)]; return r < 0 ? missingCode : c[Int(r)] }, d)
            case .numbers(let x): return .numbers(actor.map { let r = rows[Int($0)]; return r < 0 ? .nan : x[Int(r)] })
            case .bools(let b): return .bools(actor.map { let r = rows[Int($0)]; return r < 0 ? 2 : b[Int(r)] })
            case .times(let t): return .times(actor.map { let r = rows[Int($0)]; return r < 0 ? missingTime : t[Int(r)] })
            }
        }
    }

    func eval(_ e: EventExpr) -> Vec {
        switch e {
        case .literal(let v): return .constant(v)
        case .field(let f, _): return field(f)
        case .compare(let op, let a, let b): return compare(op, eval(a), eval(b))
        case .inList(let a, let values, let negated):
            let r = membership(eval(a), Set(values))
            return negated ? notMissingAware(r) : r
        case .stringOp(let op, let a, let s): return stringOp(op, eval(a), s)
        case .isNull(let a, let negated):
            let missing = isMissing(eval(a))
            return .bools(negated ? missing.map { 1 - $0 } : missing)
        case .and(let a, let b): return logic(eval(a), eval(b)) { $0 == 1 && $1 == 1 }
        case .or(let a, let b): return logic(eval(a), eval(b)) { $0 == 1 || $1 == 1 }
        case .not(let a):
            switch eval(a) {
            case .bools(let x): return .bools(x.map { $0 == 1 ? 0 : 1 })
            case .constant(.bool(let v)): return .constant(.bool(!v))
            default: return .constant(.bool(true))
            }
        case .arith(let op, let a, let b): return arith(op, eval(a), eval(b))
        case .negate(let a):
            switch eval(a) {
            case .numbers(let x): return .numbers(x.map { -$0 })
            case .constant(.number(let n)): return .constant(.number(-n))
            case .constant(.duration(let d)): return .constant(.duration(-d))
            default: return .constant(.null)
            }
        }
    }

    /// `not in` is false for missing values, like every comparison with a missing value.
    private func notMissingAware(_ v: Vec) -> Vec {
        if case .bools(let b) = v { return .bools(b.map { $0 == 1 ? 0 : ($0 == 2 ? 0 : 1) }) }
        if case .constant(.bool(let x)) = v { return .constant(.bool(!x)) }
        return v
    }

    private func isMissing(_ v: Vec) -> [UInt8] {
        switch v {
        case .bools(let b): return b.map { $0 == 2 ? 1 : 0 }
        case .numbers(let x): return x.map { $0.isNaN ? 1 : 0 }
        case .strings(let c, _): return c.map { $0 == missingCode ? 1 : 0 }
        case .times(let t): return t.map { $0 == missingTime ? 1 : 0 }
        case .constant(let c): return [UInt8](repeating: c == .null ? 1 : 0, count: count)
        }
    }

    private func logic(_ a: Vec, _ b: Vec, _ f: (UInt8, UInt8) -> Bool) -> Vec {
        func bits(_ v: Vec) -> [UInt8] {
            switch v {
            case .bools(let x): return x
            case .constant(.bool(let c)): return [UInt8](repeating: c ? 1 : 0, count: count)
            default: return [UInt8](repeating: 0, count: count)
            }
        }
        let x = bits(a), y = bits(b)
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count where f(x[i], y[i]) { out[i] = 1 }
        return .bools(out)
    }

    static func test<T: Comparable>(_ op: CompareOp, _ a: T, _ b: T) -> Bool {
        switch op {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }

    static func flip(_ op: CompareOp) -> CompareOp {
        switch op {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return op
        }
    }

    /// Per-row comparison; any missing side makes the result false.
    func compare(_ op: CompareOp, _ a: Vec, _ b: Vec) -> Vec {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): return .constant(.bool(VectorEvaluator.compareValues(op, x, y)))
        case (.constant, _): return compare(VectorEvaluator.flip(op), b, a)
        case (.strings(let codes, let dict), .constant(.string(let s))):
            let table = dict.map { VectorEvaluator.test(op, $0, s) }
            return .bools(codes.map { $0 == missingCode ? 0 : (table[Int($0)] ? 1 : 0) })
        case (.numbers(let x), .constant(.number(let n))):
            return .bools(x.map { $0.isNaN ? 0 : (VectorEvaluator.test(op, $0, n) ? 1 : 0) })
        case (.times(let t), .constant(.time(let c))):
            return .bools(t.map { $0 == missingTime ? 0 : (VectorEvaluator.test(op, $0, c) ? 1 : 0) })
        case (.bools(let x), .constant(.bool(let c))):
            let v: UInt8 = c ? 1 : 0
            return .bools(x.map { $0 == 2 ? 0 : (VectorEvaluator.test(op, $0, v) ? 1 : 0) })
        case (.numbers(let x), .numbers(let y)):
            return .bools(zip(x, y).map { ($0.isNaN || $1.isNaN) ? 0 : (VectorEvaluator.test(op, $0, $1) ? 1 : 0) })
        case (.times(let x), .times(let y)):
            return .bools(zip(x, y).map { ($0 == missingTime || $1 == missingTime) ? 0 : (VectorEvaluator.test(op, $0, $1) ? 1 : 0) })
        case (.strings(let cx, let dx), .strings(let cy, let dy)):
            return .bools(zip(cx, cy).map { ($0 == missingCode || $1 == missingCode) ? 0 : (VectorEvaluator.test(op, dx[Int($0)], dy[Int($1)]) ? 1 : 0) })
        case (.bools(let x), .bools(let y)):
            return .bools(zip(x, y).map { ($0 == 2 || $1 == 2) ? 0 : (VectorEvaluator.test(op, $0, $1) ? 1 : 0) })
        default:
            // A column compared with a missing constant, or mismatched types: never true.
            return .constant(.bool(false))
        }
    }

    static func compareValues(_ op: CompareOp, _ x: Value, _ y: Value) -> Bool {
        switch (x, y) {
        case (.string(let a), .string(let b)): return test(op, a, b)
        case (.number(let a), .number(let b)): return test(op, a, b)
        case (.time(let a), .time(let b)), (.duration(let a), .duration(let b)): return test(op, a, b)
        case (.bool(let a), .bool(let b)): return test(op, a ? 1 : 0, b ? 1 : 0)
        default: return false
        }
    }

    func membership(_ a: Vec, _ set: Set<Value>) -> Vec {
        switch a {
        case .strings(let codes, let dict):
            let table = dict.map { set.contains(.string($0)) }
            return .bools(codes.map { $0 == missingCode ? 2 : (table[Int($0)] ? 1 : 0) })
        case .numbers(let x): return .bools(x.map { $0.isNaN ? 2 : (set.contains(.number($0)) ? 1 : 0) })
        case .times(let t): return .bools(t.map { $0 == missingTime ? 2 : (set.contains(.time($0)) ? 1 : 0) })
        case .bools(let b): return .bools(b.map { $0 == 2 ? 2 : (set.contains(.bool($0 == 1)) ? 1 : 0) })
        case .constant(let c): return .constant(.bool(c != .null && set.contains(c)))
        }
    }

    func stringOp(_ op: StringOp, _ a: Vec, _ s: String) -> Vec {
        // Linear time in the pattern times the value: no pattern can make a value slow (the checker refused the invalid ones).
        let regex = op == .matches ? (try? LinearRegex(s)).map(LinearRegex.Matcher.init) : nil
        func test(_ x: String) -> Bool {
            switch op {
            case .contains: return x.contains(s)
            case .startsWith: return x.hasPrefix(s)
            case .matches: return regex?.matches(x) ?? false
            }
        }
        switch a {
        case .strings(let codes, let dict):
            let table = dict.map(test)
            return .bools(codes.map { $0 == missingCode ? 0 : (table[Int($0)] ? 1 : 0) })
        case .constant(.string(let x)): return .constant(.bool(test(x)))
        default: return .constant(.bool(false))
        }
    }

    func arith(_ op: ArithOp, _ a: Vec, _ b: Vec) -> Vec {
        func num(_ v: Vec) -> [Double]? {
            switch v {
            case .numbers(let x): return x
            case .constant(.number(let n)): return [Double](repeating: n, count: count)
            case .times(let t): return t.map { $0 == missingTime ? .nan : Double($0) }
            case .constant(.time(let t)), .constant(.duration(let t)): return [Double](repeating: Double(t), count: count)
            default: return nil
            }
        }
        if case .constant(let x) = a, case .constant(let y) = b, case .number(let p) = x, case .number(let q) = y {
            return .constant(.number(VectorEvaluator.apply(op, p, q)))
        }
        guard let x = num(a), let y = num(b) else { return .constant(.null) }
        let r = zip(x, y).map { VectorEvaluator.apply(op, $0, $1) }
        // time ± duration stays a time; everything else is a number.
        if case .times = a { return .times(r.map { $0.isNaN ? missingTime : Int64($0) }) }
        return .numbers(r)
    }

    static func apply(_ op: ArithOp, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return b == 0 ? .nan : a / b
        }
    }
}
