import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// Expressions over a user's whole history: `segment` and `for`.
extension Checker {
    static let userAggregates: Set<String> = ["count", "sum", "avg", "min", "max", "first", "last", "recency"]

    mutating func userExpr(_ e: Expr) -> (UserExpr, ValueType)? {
        switch e.kind {
        case .string, .number, .percent, .duration, .date, .dateTime, .bool, .null:
            guard let (v, t) = Checker.constant(e) else { return nil }
            return (.literal(v), t)
        case .name(let n):
            if tierDecls[n] != nil {
                guard let t = resolveTier(n) else { return nil }
                return (t, .string)
            }
            if segmentDecls[n] != nil {
                guard let s = resolveSegment(n) else { return nil }
                return (s, .bool)
            }
            if measureDecls[n] != nil { return resolveMeasure(n) }
            if resolveField(n) != nil {
                error(.eventFieldInUserCondition, "'\(n)' is a property of single events; a user condition needs an aggregate", e.span,
                      help: "for example first(\(n)) == ..., or count(\(n) == ...) >= 1")
                return nil
            }
            error(.unknownSegment, "unknown segment, measure or tier '\(n)'", e.span,
                  help: DidYouMean.help(n, among: Array(segmentDecls.keys) + Array(measureDecls.keys) + Array(tierDecls.keys), kind: "segments, measures and tiers"))
            return nil
        case .member(let base, let member):
            if case .call(let fn, let args, _) = base.kind, ["rfm", "clv"].contains(fn.text) { return customerMeasure(fn, args, member) }
            guard case .name("user") = base.kind else {
                error(.eventFieldInUserCondition, "a user condition uses user.NAME or aggregates", e.span); return nil
            }
            guard let (f, t) = eventExpr(e, predicateContext: false), case .field(.profile(let p), _) = f else { return nil }
            return (.profile(p, t), t)
        case .call(let fn, let args, let filterExpr):
            if ["rfm", "clv"].contains(fn.text) {
                let parts = CustomerMeasure.Part.allCases.filter { $0.isRFM == (fn.text == "rfm") }.map(\.rawValue)
                error(.badArguments, "\(fn.text)(...) has parts: \(parts.map { "\(fn.text)(...).\($0)" }.joined(separator: ", "))", e.span,
                      help: "for example \(fn.text)(\"purchase\", price).\(parts.last ?? "")")
                return nil
            }
            return userAggregate(fn, args, filterExpr, e)
        case .unary(.not, let a):
            guard let (x, t) = userExpr(a) else { return nil }
            guard conditionOperand("not", t, a.span) else { return nil }
            return (.not(x), .bool)
        case .unary(.negate, let a):
            guard let (x, t) = userExpr(a), let nt = negationType(t, a.span) else { return nil }
            return (.negate(x), nt)
        case .between(let x, let lo, let hi):
            guard let (cx, tx) = userExpr(x), let (clo, tlo) = userExpr(lo), let (chi, thi) = userExpr(hi) else { return nil }
            guard compatible(tx, tlo, e.span), compatible(tx, thi, e.span) else { return nil }
            return (.and(.compare(.ge, cx, clo), .compare(.le, cx, chi)), .bool)
        case .binary(let op, let a, let b):
            switch op {
            case .and, .or:
                let l = userExpr(a), r = userExpr(b)
                guard let (x, tx) = l, let (y, ty) = r else { return nil }
                guard conditionOperand(op.rawValue, tx, a.span), conditionOperand(op.rawValue, ty, b.span) else { return nil }
                return (op == .and ? .and(x, y) : .or(x, y), .bool)
            case .inList, .notIn:
                guard let (x, tx) = userExpr(a) else { return nil }
                guard case .list(let items) = b.kind else { error(.badList, "'in' needs a list on its right", b.span); return nil }
                var values: [Value] = []
                for item in items {
                    guard let (v, tv) = userExpr(item), case .literal(let lit) = v else { error(.badList, "list items must be constants", item.span); return nil }
                    guard compatible(tx, tv, item.span) else { return nil }
                    values.append(lit)
                }
                return (.inList(x, values, negated: op == .notIn), .bool)
            case .eq, .ne, .lt, .le, .gt, .ge:
                guard let (x, tx) = userExpr(a), let (y, ty) = userExpr(b) else { return nil }
                guard let cop: CompareOp = operatorOf(op, e.span),
                      let shape = comparisonShape(cop, x.isNullLiteral ? nil : tx, y.isNullLiteral ? nil : ty, e.span) else { return nil }
                if case .nullTest(let negated, let left) = shape { return (.isNull(left ? x : y, negated: negated), .bool) }
                return (.compare(cop, x, y), .bool)
            case .add, .sub, .mul, .div:
                guard let (x, tx) = userExpr(a), let (y, ty) = userExpr(b) else { return nil }
                guard let aop: ArithOp = operatorOf(op, e.span), let t = arithmeticType(aop, tx, ty, e.span) else { return nil }
                return (.arith(aop, x, y), t)
            default:
                error(.misplacedExpression, "'\(op.rawValue)' is not available in user conditions", e.span); return nil
            }
        default:
            error(.misplacedExpression, "unexpected expression in a user condition", e.span); return nil
        }
    }

    /// `rfm(PURCHASE, VALUE).r|f|m|score|segment`, `clv(PURCHASE, VALUE[, LIFETIME]).historic|predicted|orders|aov|frequency`.
    mutating func customerMeasure(_ fn: Name, _ args: [Expr], _ member: Name) -> (UserExpr, ValueType)? {
        let isRFM = fn.text == "rfm"
        let usage = isRFM ? "rfm(\"purchase\", price).segment" : "clv(\"purchase\", price, 156w).predicted"
        guard args.count == 2 || (!isRFM && args.count == 3) else {
            error(.badArguments, "\(fn.text)(...) takes the purchases and their value\(isRFM ? "" : ", and optionally the expected lifetime"): \(usage)", fn.span)
            return nil
        }
        guard let part = CustomerMeasure.Part(rawValue: member.text), part.isRFM == isRFM else {
            let parts = CustomerMeasure.Part.allCases.filter { $0.isRFM == isRFM }.map(\.rawValue)
            error(.unknownProperty, "unknown part '\(member.text)' of \(fn.text)(...)", member.span, help: DidYouMean.help(member.text, among: parts, kind: "parts"))
            return nil
        }
        guard let purchase = predicate(args[0]), let (value, t) = eventExpr(args[1], predicateContext: false) else { return nil }
        guard t == .number || t == .unknown else { error(.typeMismatch, "\(fn.text)(...) needs a number as the value, found a \(t)", args[1].span); return nil }
        var lifetime = 1095
        if args.count == 3 {
            guard case .duration(let micros) = args[2].kind, micros >= 86_400_000_000, micros % 86_400_000_000 == 0 else {
                error(.durationExpected, "the expected lifetime is a whole number of days or weeks, such as 156w (3 years)", args[2].span); return nil
            }
            lifetime = Int(micros / 86_400_000_000)
        }
        return (.customer(CustomerMeasure(purchase: purchase, value: value, lifetimeDays: lifetime, part: part)), part.isText ? .string : .number)
    }

    mutating func userAggregate(_ fn: Name, _ args: [Expr], _ filterExpr: Expr?, _ e: Expr) -> (UserExpr, ValueType)? {
        guard let kind = AggregateKind(rawValue: fn.text), Checker.userAggregates.contains(fn.text) else {
            error(.unknownFunction, "unknown function '\(fn.text)'", fn.span,
                  help: DidYouMean.help(fn.text, among: Array(Checker.userAggregates), kind: "functions"))
            return nil
        }
        let filter = filterExpr.flatMap { predicate($0) }
        if filterExpr != nil && filter == nil { return nil }
        switch kind {
        case .count, .recency:
            guard args.count == 1 else {
                error(.badArguments, "\(fn.text)(...) takes one condition", e.span, help: "for example \(fn.text)(\"purchase\")"); return nil
            }
            guard let p = predicate(args[0]) else { return nil }
            let combined = filter.map { EventExpr.and(p, $0) } ?? p
            return (.aggregate(kind, value: nil, filter: combined), kind == .count ? .number : .duration)
        default:
            guard args.count == 1 else {
                error(.badArguments, "\(fn.text)(...) takes one value", e.span, help: "for example \(fn.text)(price where \"purchase\")"); return nil
            }
            guard let (v, t) = eventExpr(args[0], predicateContext: false) else { return nil }
            if [.sum, .avg].contains(kind), t != .number, t != .unknown {
                error(.typeMismatch, "\(fn.text)(...) needs a number, found a \(t)", args[0].span); return nil
            }
            return (.aggregate(kind, value: v, filter: filter), t)
        }
    }
}
