import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// Expressions over a funnel's results: `kpi` and `expect`.
extension Checker {
    static let stepAggregates: Set<String> = ["sum", "avg", "min", "max", "median", "p90"]

    /// `biggest_drop.share | users | step`, in funnels whose rows are ordered steps.
    mutating func biggestDrop(_ member: Name, result: CheckedFunnel) -> (KPIExpr, ValueType)? {
        guard let part = BiggestDropPart(rawValue: member.text) else {
            error(.unknownStepOrKPI, "unknown part '\(member.text)' of biggest_drop", member.span,
                  help: DidYouMean.help(member.text, among: BiggestDropPart.allCases.map(\.rawValue), kind: "parts (share, users, step)"))
            return nil
        }
        guard scope.order != .any else {
            error(.withinNotAllowed, "biggest_drop needs ordered steps; this funnel is 'order any'", member.span); return nil
        }
        return (.biggestDrop(part, steps: scope.steps.count), .number)
    }

    mutating func kpiExpr(_ e: Expr, result: CheckedFunnel) -> (KPIExpr, ValueType)? {
        switch e.kind {
        case .number(let n): return (.number(n), .number)
        case .percent(let p): return (.number(p), .number)
        // Times in KPIs are seconds, so `<= 1h` compares with 3600.
        case .duration(let d): return (.number(Double(d) / 1_000_000), .number)
        case .name(let n):
            if let i = scope.steps.firstIndex(of: n) { return (.stepUsers(i), .number) }
            if let i = scope.kpiNames.firstIndex(of: n) { return (.kpi(i), .number) }
            if n == "users" { return (.population, .number) }
            if n == "biggest_drop" {
                error(.unknownStepOrKPI, "'biggest_drop' has parts: biggest_drop.share, biggest_drop.users or biggest_drop.step", e.span,
                      help: "for example: expect biggest_drop.share <= 60%")
                return nil
            }
            if let current = scope.currentKPI, let later = scope.declaredKPIs[n] {
                if n == current {
                    error(.unknownStepOrKPI, "KPI '\(n)' refers to itself", e.span, help: "a KPI is computed from steps, users and KPIs declared before it")
                } else if later.words.contains(current) {
                    error(.unknownStepOrKPI, "KPIs '\(current)' and '\(n)' refer to each other (a cycle)", e.span,
                          help: "a KPI may use only KPIs declared before it; compute one of them from steps and users")
                } else {
                    error(.unknownStepOrKPI, "KPI '\(n)' is declared later (line \(later.line))", e.span,
                          help: "a KPI may use only KPIs declared before it: move '\(n)' above this line")
                }
                return nil
            }
            if scope.currentKPI == nil, let later = scope.declaredKPIs[n], !scope.kpiNames.contains(n) {
                error(.unknownStepOrKPI, "KPI '\(n)' is declared later (line \(later.line))", e.span,
                      help: "an expect may use only KPIs declared before it: move the expect below '\(n)'")
                return nil
            }
            error(.unknownStepOrKPI, "unknown step or KPI '\(n)'", e.span, help: DidYouMean.help(n, among: scope.steps + scope.kpiNames + ["users"], kind: "steps and KPIs"))
            return nil
        case .member(let base, let member):
            if case .name(let b) = base.kind, b == "biggest_drop", !scope.steps.contains(b) { return biggestDrop(member, result: result) }
            if case .name(let b) = base.kind, scope.steps.contains(b) {
                error(.stepValueOutsideAggregate, "'\(b).\(member.text)' holds one value per user; a KPI needs an aggregate", e.span,
                      help: "for example avg(\(b).\(member.text)) or sum(\(b).\(member.text))")
            } else {
                error(.unknownStepOrKPI, "unknown name '\(file.text(of: e.span))' in a KPI", e.span, help: "KPIs use step names, other KPIs, users and aggregates")
            }
            return nil
        case .call(let fn, let args, _):
            guard Checker.stepAggregates.contains(fn.text), let kind = AggregateKind(rawValue: fn.text) else {
                error(.unknownFunction, "unknown KPI function '\(fn.text)'", fn.span,
                      help: DidYouMean.help(fn.text, among: Array(Checker.stepAggregates), kind: "functions"))
                return nil
            }
            guard args.count == 1 else { error(.badArguments, "\(fn.text)(...) takes one argument", e.span); return nil }
            let arg = args[0]
            if case .call(let inner, let innerArgs, _) = arg.kind, inner.text == "time" {
                guard innerArgs.count == 1, case .path(let parts) = innerArgs[0].kind, parts.count == 2,
                      case .name(let a) = parts[0].kind, case .name(let b) = parts[1].kind else {
                    error(.badArguments, "time(...) takes two steps", arg.span, help: "write time(view -> purchase)"); return nil
                }
                guard let ia = stepIndex(Name(a, parts[0].span)), let ib = stepIndex(Name(b, parts[1].span)) else { return nil }
                guard ia < ib else { error(.badStepOrder, "time(\(a) -> \(b)): '\(a)' must come before '\(b)'", arg.span); return nil }
                if scope.order == .any {
                    error(.withinNotAllowed, "time between steps needs an order; this funnel is 'order any'", arg.span); return nil
                }
                return (.timeBetween(kind, from: ia, to: ib), .number)
            }
            if case .member(let inner, let field) = arg.kind, case .member(let stepExpr, let userWord) = inner.kind, userWord.text == "user",
               case .name(let stepName) = stepExpr.kind {
                return userAggregate(kind, fn.text, step: Name(stepName, stepExpr.span), field: field)
            }
            guard case .member(let base, let member) = arg.kind, case .name(let stepName) = base.kind else {
                error(.badArguments, "\(fn.text)(...) takes a step value such as purchase.price, or time(a -> b)", arg.span); return nil
            }
            guard let i = stepIndex(Name(stepName, base.span)) else { return nil }
            guard let (f, t) = resolveField(member.text) else {
                let help = measureDecls[member.text] != nil ? "'\(member.text)' is a measure, a value per user: write \(fn.text)(\(stepName).user.\(member.text))"
                    : DidYouMean.help(member.text, among: eventNamesInScope, kind: "properties")
                error(.unknownProperty, "unknown property '\(member.text)'", member.span, help: help)
                return nil
            }
            guard t == .number || t == .unknown else {
                error(.typeMismatch, "\(fn.text)(...) needs a number, but '\(member.text)' holds \(t)s", member.span,
                  help: "to compare groups of '\(member.text)', break down by it: by \(member.text)"); return nil
            }
            return (.stepAggregate(kind, step: i, value: .field(f, t)), .number)
        case .unary(.negate, let a):
            guard let (x, t) = kpiExpr(a, result: result), let nt = negationType(t, a.span) else { return nil }
            return (.negate(x), nt)
        case .unary(.not, let a):
            guard let (x, t) = kpiExpr(a, result: result), conditionOperand("not", t, a.span) else { return nil }
            return (.not(x), .bool)
        case .between(let x, let lo, let hi):
            guard let (cx, tx) = kpiExpr(x, result: result), let (clo, _) = kpiExpr(lo, result: result),
                  let (chi, _) = kpiExpr(hi, result: result) else { return nil }
            guard tx == .number else { error(.typeMismatch, "'between' needs a number", x.span); return nil }
            return (.between(cx, clo, chi), .bool)
        case .binary(let op, let a, let b):
            guard let (x, tx) = kpiExpr(a, result: result), let (y, ty) = kpiExpr(b, result: result) else { return nil }
            switch op {
            case .add, .sub, .mul, .div:
                guard let aop: ArithOp = operatorOf(op, e.span), let t = arithmeticType(aop, tx, ty, e.span) else { return nil }
                return (.arith(aop, x, y), t)
            case .eq, .ne, .lt, .le, .gt, .ge:
                // KPI values are never missing literals: null has no meaning here.
                guard let cop: CompareOp = operatorOf(op, e.span), comparisonShape(cop, tx, ty, e.span) == .compare else { return nil }
                // `biggest_drop.step == cart`: the step's name stands for its position, not its users.
                if case .biggestDrop(.step, _) = x, case .stepUsers(let k) = y { return (.compare(cop, x, .number(Double(k + 1))), .bool) }
                if case .biggestDrop(.step, _) = y, case .stepUsers(let k) = x { return (.compare(cop, .number(Double(k + 1)), y), .bool) }
                return (.compare(cop, x, y), .bool)
            case .and, .or:
                guard conditionOperand(op.rawValue, tx, a.span), conditionOperand(op.rawValue, ty, b.span) else { return nil }
                return (op == .and ? .and(x, y) : .or(x, y), .bool)
            default:
                error(.misplacedExpression, "'\(op.rawValue)' is not available in KPIs", e.span); return nil
            }
        default:
            error(.misplacedExpression, "unexpected expression in a KPI", e.span, help: "KPIs use step names, other KPIs, users, numbers and aggregates")
            return nil
        }
    }

    /// `avg(purchase.user.X)`: X of each actor who reached the step, once per actor; X is a column
    /// of the users table or a measure (`measure ltv = clv("purchase", price).predicted`).
    mutating func userAggregate(_ kind: AggregateKind, _ fn: String, step: Name, field: Name) -> (KPIExpr, ValueType)? {
        guard let i = stepIndex(step) else { return nil }
        // A measure never has a users-table column's name (E202 where it is declared).
        if measureDecls[field.text] != nil {
            guard let (expr, type) = resolveMeasure(field.text) else { return nil }
            guard type == .number else {
                error(.typeMismatch, "\(fn)(...) needs a number, but measure '\(field.text)' holds \(type)s", field.span); return nil
            }
            return (.stepUserAggregate(kind, step: i, value: expr), .number)
        }
        if let schema = usersSchema, schema.type(of: field.text) == nil {
            error(.unknownUserProperty, "unknown user property or measure '\(field.text)'", field.span,
                  help: DidYouMean.help(field.text, among: schema.columnNames + measureDecls.keys.sorted(), kind: "user properties and measures"))
            return nil
        }
        let path = Expr(.member(Expr(.name("user"), field.span), field), field.span)
        guard let (value, type) = eventExpr(path, predicateContext: false), case .field(.profile(let column), _) = value else { return nil }
        guard type == .number || type == .unknown else {
            error(.typeMismatch, "\(fn)(...) needs a number, but 'user.\(field.text)' holds \(type)s", field.span,
                  help: "to compare groups of user.\(field.text), break down or profile by it: by user.\(field.text)"); return nil
        }
        // Read per user, like a measure: once each, whatever is counted.
        return (.stepUserAggregate(kind, step: i, value: .profile(column, type)), .number)
    }
}
