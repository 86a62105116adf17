import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// The one typing rule for operators, shared by event, user and KPI expressions, so the
/// three can never drift apart again.
extension Checker {
    /// How a comparison reads once typed.
    enum ComparisonShape: Equatable {
        /// `x == null` / `x != null` (the null may be on either side): a test for a missing value.
        case nullTest(negated: Bool, valueOnLeft: Bool)
        case compare
    }

    /// `a OP b`: null compares only with `==` and `!=`; true/false only with `==` and `!=`;
    /// otherwise both sides have the same type (a column with no values yet fits any).
    mutating func comparisonShape(_ op: CompareOp, _ tx: ValueType?, _ ty: ValueType?, _ span: SourceSpan, lhs: String? = nil) -> ComparisonShape? {
        if tx == nil || ty == nil {
            guard op == .eq || op == .ne else { error(.badNullComparison, "only == and != compare with null", span); return nil }
            return .nullTest(negated: op == .ne, valueOnLeft: ty == nil)
        }
        guard let a = tx, let b = ty, compatible(a, b, span, lhs: lhs) else { return nil }
        if a == .bool && op != .eq && op != .ne { error(.badNullComparison, "true/false only compare with == and !=", span); return nil }
        return .compare
    }

    /// `a OP b` for + - * /: numbers with numbers; a time plus or minus a duration is a time;
    /// a time minus a time is a duration; durations add and subtract.
    mutating func arithmeticType(_ op: ArithOp, _ tx: ValueType, _ ty: ValueType, _ span: SourceSpan) -> ValueType? {
        switch (tx, ty, op) {
        case (.number, .number, _): return .number
        case (.unknown, _, _): return ty
        case (_, .unknown, _): return tx
        case (.time, .duration, .add), (.time, .duration, .sub): return .time
        case (.time, .time, .sub): return .duration
        case (.duration, .duration, .add), (.duration, .duration, .sub): return .duration
        default:
            error(.typeMismatch, "cannot apply '\(op.rawValue)' to a \(tx) and a \(ty)", span); return nil
        }
    }

    /// An operator of the syntax with no counterpart in the checked model: a bug, said plainly.
    mutating func operatorOf<Op: RawRepresentable>(_ op: BinaryOp, _ span: SourceSpan) -> Op? where Op.RawValue == String {
        if let o = Op(rawValue: op.rawValue) { return o }
        error(.internalError, "internal error: the operator '\(op.rawValue)' has no checked form", span,
              help: "this is a bug in funnel, please report it")
        return nil
    }

    /// `-x`: numbers and durations.
    mutating func negationType(_ t: ValueType, _ span: SourceSpan) -> ValueType? {
        guard t == .number || t == .duration || t == .unknown else { error(.typeMismatch, "'-' needs a number, found a \(t)", span); return nil }
        return t
    }

    /// `and`, `or`, `not`: conditions only.
    mutating func conditionOperand(_ op: String, _ t: ValueType, _ span: SourceSpan) -> Bool {
        guard t == .bool else {
            let what = op == "not" ? "a condition" : "a condition on each side"
            error(.wrongResultType, "'\(op)' needs \(what), found a \(t)", span)
            return false
        }
        return true
    }

    /// Whether two types may be compared; reports when not.
    mutating func compatible(_ a: ValueType, _ b: ValueType, _ span: SourceSpan, lhs: String? = nil) -> Bool {
        if a == b || a == .unknown || b == .unknown { return true }
        let subject = lhs.map { "\(a) property '\($0)'" } ?? "a \(a)"
        var help: String? = nil
        if a == .string && b == .number { help = "put the number in quotes to compare text" }
        if a == .number && b == .string { help = "this property holds numbers; compare it with a number" }
        if a == .time && b == .string { help = "write a date without quotes: time >= 2024-01-01" }
        error(.typeMismatch, "cannot compare \(subject) with a \(b)", span, help: help)
        return false
    }
}

extension EventExpr {
    var isNullLiteral: Bool { if case .literal(.null) = self { return true } else { return false } }
}

extension UserExpr {
    var isNullLiteral: Bool { if case .literal(.null) = self { return true } else { return false } }
}
