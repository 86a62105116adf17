import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// Expressions over one event: step predicates, `where`, `exclude`, aggregate arguments.
extension Checker {
    /// A literal's value and type (percentages are fractions; null has no type of its own).
    static func constant(_ e: Expr) -> (Value, ValueType)? {
        switch e.kind {
        case .string(let s): return (.string(s), .string)
        case .number(let n): return (.number(n), .number)
        case .percent(let p): return (.number(p), .number)
        case .duration(let d): return (.duration(d), .duration)
        case .date(let d), .dateTime(let d): return (.time(d), .time)
        case .bool(let b): return (.bool(b), .bool)
        case .null: return (.null, .unknown)
        default: return nil
        }
    }

    /// A condition on an event. A bare string means `event == "string"`.
    mutating func predicate(_ e: Expr) -> EventExpr? {
        guard let (p, t) = eventExpr(e, predicateContext: true) else { return nil }
        if t != .bool {
            error(.wrongResultType, "expected a condition on the event, found a \(t)", e.span,
                  help: "a bare string matches the event name (\"purchase\"); otherwise compare: price > 0")
            return nil
        }
        return p
    }

    /// The names an event expression may use, for "did you mean".
    /// Each name once: the role names, then the file's other columns (a column mapped to a role
    /// is reached by the role's name, and a column called like a role is that name already).
    var eventNamesInScope: [String] {
        var names = ["event", "time", "user"]
        let mapped = scope.source.map { [$0.userColumn, $0.timeColumn, $0.eventColumn] } ?? []
        var seen = Set(names + mapped)
        for column in scope.schema?.columnNames ?? [] where seen.insert(column).inserted { names.append(column) }
        return names
    }

    func resolveField(_ name: String) -> (EventField, ValueType)? {
        guard let src = scope.source else { return nil }
        switch name {
        case "event", src.eventColumn: return (.event, .string)
        case "time", src.timeColumn: return (.time, .time)
        case "user", src.userColumn: return (.actor, .string)
        default:
            if let t = scope.schema?.type(of: name) { return (.property(name), t) }
            return nil
        }
    }

    /// Notes an event name a predicate compares with: once the data is read, names that never
    /// occur in it are warned about (E210, `unknownEventWarnings`), without checking again.
    mutating func checkEventName(_ name: String, _ span: SourceSpan) {
        eventMentions.append(EventMention(name: name, location: .source(file, span), source: scope.sourceIndex))
    }

    mutating func eventExpr(_ e: Expr, predicateContext: Bool) -> (EventExpr, ValueType)? {
        switch e.kind {
        case .string(let s):
            if predicateContext {
                checkEventName(s, e.span)
                return (.compare(.eq, .field(.event, .string), .literal(.string(s))), .bool)
            }
            return (.literal(.string(s)), .string)
        case .number, .percent, .duration, .date, .dateTime, .bool, .null:
            guard let (v, t) = Checker.constant(e) else { return nil }
            return (.literal(v), t)
        case .list:
            error(.misplacedExpression, "a list goes on the right of 'in'", e.span, help: "write: country in [\"US\", \"CA\"]")
            return nil
        case .name(let n), .quotedName(let n):
            if let (f, t) = resolveField(n) { return (.field(f, t), t) }
            var help = DidYouMean.help(n, among: eventNamesInScope, kind: "properties")
            if scope.steps.contains(n) { help = "'\(n)' is a step; a step's condition is written with properties and event names" }
            if let counts = scope.schema?.eventCounts, counts[n] != nil { help = "to match the event \"\(n)\", write it in quotes: \"\(n)\"" }
            error(.unknownProperty, "unknown property '\(n)'", e.span, help: help)
            return nil
        case .member(let base, let member):
            if case .name("user") = base.kind {
                guard let us = usersSchema else {
                    error(.needsUsersTable, "'user.\(member.text)' needs a users table", e.span,
                          help: "declare one: users = csv(\"users.csv\") { key = user_id }")
                    return nil
                }
                guard let t = us.type(of: member.text) else {
                    error(.unknownUserProperty, "unknown user property '\(member.text)'", member.span,
                          help: DidYouMean.help(member.text, among: us.columnNames, kind: "user properties"))
                    return nil
                }
                return (.field(.profile(member.text), t), t)
            }
            if case .name(let b) = base.kind, scope.steps.contains(b) {
                error(.stepValueOutsideAggregate, "'\(b).\(member.text)' is a step value; it can only be used in a KPI aggregate", e.span,
                      help: "for example: kpi aov = avg(\(b).\(member.text))")
                return nil
            }
            // `page.url` written without backticks: suggest them when such a column exists.
            let dotted = file.text(of: e.span)
            if scope.schema?.type(of: dotted) != nil {
                error(.unknownProperty, "unknown property '\(dotted)'", e.span, help: "names with dots are written in backticks: `\(dotted)`")
            } else {
                error(.unknownProperty, "unknown name '\(dotted)'", e.span, help: "user properties are written user.NAME")
            }
            return nil
        case .call(let fn, _, _):
            error(.aggregateInEventCondition, "'\(fn.text)(...)' is an aggregate; it cannot be used in a condition on one event", e.span,
                  help: "aggregates belong in segments, 'for' and KPIs")
            return nil
        case .path:
            error(.misplacedExpression, "'->' is only used inside time(...)", e.span)
            return nil
        case .unary(.not, let a):
            guard let (x, t) = eventExpr(a, predicateContext: predicateContext) else { return nil }
            guard conditionOperand("not", t, a.span) else { return nil }
            return (.not(x), .bool)
        case .unary(.negate, let a):
            guard let (x, t) = eventExpr(a, predicateContext: false), let nt = negationType(t, a.span) else { return nil }
            return (.negate(x), nt)
        case .between(let x, let lo, let hi):
            guard let (cx, tx) = eventExpr(x, predicateContext: false),
                  let (clo, tlo) = eventExpr(lo, predicateContext: false),
                  let (chi, thi) = eventExpr(hi, predicateContext: false) else { return nil }
            guard compatible(tx, tlo, e.span), compatible(tx, thi, e.span) else { return nil }
            return (.and(.compare(.ge, cx, clo), .compare(.le, cx, chi)), .bool)
        case .binary(let op, let a, let b):
            return eventBinary(op, a, b, e, predicateContext: predicateContext)
        }
    }

    mutating func eventBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ e: Expr, predicateContext: Bool) -> (EventExpr, ValueType)? {
        switch op {
        case .and, .or:
            let l = eventExpr(a, predicateContext: true), r = eventExpr(b, predicateContext: true)
            guard let (x, tx) = l, let (y, ty) = r else { return nil }
            guard conditionOperand(op.rawValue, tx, a.span), conditionOperand(op.rawValue, ty, b.span) else { return nil }
            return (op == .and ? .and(x, y) : .or(x, y), .bool)
        case .inList, .notIn:
            guard let (x, tx) = eventExpr(a, predicateContext: false) else { return nil }
            guard case .list(let items) = b.kind else {
                error(.badList, "'in' needs a list on its right", b.span, help: "write: country in [\"US\", \"CA\"]")
                return nil
            }
            var values: [Value] = []
            for item in items {
                guard let (v, tv) = eventExpr(item, predicateContext: false), case .literal(let lit) = v else {
                    error(.badList, "list items must be constants", item.span); return nil
                }
                if !compatible(tx, tv, item.span, lhs: fieldName(x)) { return nil }
                if case .field(.event, _) = x, case .string(let s) = lit { checkEventName(s, item.span) }
                values.append(lit)
            }
            return (.inList(x, values, negated: op == .notIn), .bool)
        case .contains, .startsWith, .matches:
            guard let (x, tx) = eventExpr(a, predicateContext: false) else { return nil }
            guard case .string(let s) = b.kind else {
                error(.typeMismatch, "'\(op.rawValue)' needs a string on its right", b.span); return nil
            }
            if tx != .string && tx != .unknown { error(.typeMismatch, "'\(op.rawValue)' works on text, found a \(tx)", a.span); return nil }
            if op == .matches, let bad = LinearRegex.validate(s) {
                error(.badRegex, bad.message, patternSpan(b.span, s, bad.range), help: bad.help); return nil
            }
            let sop: StringOp = op == .contains ? .contains : (op == .startsWith ? .startsWith : .matches)
            return (.stringOp(sop, x, s), .bool)
        case .eq, .ne, .lt, .le, .gt, .ge:
            guard let (x, tx) = eventExpr(a, predicateContext: false), let (y, ty) = eventExpr(b, predicateContext: false) else { return nil }
            guard let cop: CompareOp = operatorOf(op, e.span),
                  let shape = comparisonShape(cop, x.isNullLiteral ? nil : tx, y.isNullLiteral ? nil : ty, e.span, lhs: fieldName(x)) else { return nil }
            if case .nullTest(let negated, let left) = shape { return (.isNull(left ? x : y, negated: negated), .bool) }
            if case .field(.event, _) = x, case .literal(.string(let s)) = y { checkEventName(s, b.span) }
            return (.compare(cop, x, y), .bool)
        case .add, .sub, .mul, .div:
            guard let (x, tx) = eventExpr(a, predicateContext: false), let (y, ty) = eventExpr(b, predicateContext: false) else { return nil }
            guard let aop: ArithOp = operatorOf(op, e.span), let t = arithmeticType(aop, tx, ty, e.span) else { return nil }
            return (.arith(aop, x, y), t)
        }
    }

    /// The source of the characters `range` of a string literal's value (the whole literal when
    /// its text cannot be followed, e.g. it did not come from this file).
    func patternSpan(_ literal: SourceSpan, _ value: String, _ range: Range<Int>) -> SourceSpan {
        let b = file.bytes, count = value.unicodeScalars.count
        guard literal.start < literal.end, literal.end <= b.count, b[literal.start] == UInt8(ascii: "\"") else { return literal }
        // Where each character of the value starts in the literal, following the lexer's escapes.
        var starts: [Int] = []
        var k = literal.start + 1
        while starts.count < count && k < literal.end {
            starts.append(k)
            if b[k] == UInt8(ascii: "\\") {
                if k + 2 < literal.end, b[k + 1] == UInt8(ascii: "u"), b[k + 2] == UInt8(ascii: "{") {
                    k += 3
                    while k < literal.end, b[k] != UInt8(ascii: "}") { k += 1 }
                    k += 1
                } else {
                    k += 2
                }
            } else {
                k += b[k] < 0x80 ? 1 : b[k] >= 0xF0 ? 4 : b[k] >= 0xE0 ? 3 : 2
            }
        }
        guard starts.count == count, k <= literal.end else { return literal }
        starts.append(k)
        let lo = starts[min(range.lowerBound, count)], hi = starts[min(max(range.upperBound, range.lowerBound), count)]
        return SourceSpan(lo, max(hi, min(lo + 1, literal.end)))
    }

    func fieldName(_ e: EventExpr) -> String? {
        if case .field(let f, _) = e { return f.description }
        return nil
    }
}
