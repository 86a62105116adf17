import FunnelDiagnostics

/// Expressions, loosest first: or, and, not, comparisons, + -, * /, unary -, then `.` and calls.
extension Parser {
    /// `allowBetween` is false for `exclude P between A and B`, where `between` belongs to the clause.
    mutating func expression(allowBetween: Bool = true) throws -> Expr {
        try nested {
            try $0.bounded(try $0.orExpr(allowBetween))
        }
    }

    /// Runs `body` one nesting level deeper; past `maxDepth` reports a located error and unwinds.
    mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            report(.tooDeeplyNested, "expressions are nested more than \(Parser.maxDepth) levels deep here", current.span,
                   help: "split the condition into segments, or remove redundant parentheses, 'not' or '-'")
            throw ParseAbort()
        }
        return try body(&self)
    }

    mutating func orExpr(_ ab: Bool) throws -> Expr {
        var terms = [try andExpr(ab)]
        while atWord("or") {
            advance()
            terms.append(try andExpr(ab))
        }
        return Parser.chain(.or, terms)
    }

    mutating func andExpr(_ ab: Bool) throws -> Expr {
        var terms = [try notExpr(ab)]
        while atWord("and") {
            advance()
            terms.append(try notExpr(ab))
        }
        return Parser.chain(.and, terms)
    }

    /// Joins the terms of an `and` / `or` chain: left-nested when short (as written), a
    /// balanced tree when long, so that its depth grows with the logarithm of its length
    /// (both operators are associative, in three-valued logic too).
    static func chain(_ op: BinaryOp, _ terms: [Expr]) -> Expr {
        if terms.count <= 16 {
            var lhs = terms[0]
            for rhs in terms.dropFirst() { lhs = Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span)) }
            return lhs
        }
        var level = terms
        while level.count > 1 {
            var next: [Expr] = []
            next.reserveCapacity(level.count / 2 + 1)
            var i = 0
            while i + 1 < level.count {
                next.append(Expr(.binary(op, level[i], level[i + 1]), level[i].span.to(level[i + 1].span)))
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
        return level[0]
    }

    mutating func notExpr(_ ab: Bool) throws -> Expr {
        if atWord("not") {
            let t = advance()
            let e = try nested { try $0.notExpr(ab) }
            return Expr(.unary(.not, e), t.span.to(e.span))
        }
        return try comparison(ab)
    }

    mutating func comparison(_ ab: Bool) throws -> Expr {
        let lhs = try additive()
        let ops: [String: BinaryOp] = ["==": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge]
        if case .punct(let p) = current.kind, let op = ops[p] {
            advance()
            let rhs = try additive()
            return Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span))
        }
        if case .punct("=") = current.kind {
            report(.assignmentInCondition, "'=' is assignment; comparisons use '=='", current.span, help: "write '=='")
            advance()
            let rhs = try additive()
            return Expr(.binary(.eq, lhs, rhs), lhs.span.to(rhs.span))
        }
        if let w = current.identifier {
            let wordOps: [String: BinaryOp] = ["in": .inList, "contains": .contains, "starts_with": .startsWith, "matches": .matches]
            if let op = wordOps[w] {
                advance()
                let rhs = try additive()
                return Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span))
            }
            if w == "not", peekToken().isWord("in") {
                advance(); advance()
                let rhs = try additive()
                return Expr(.binary(.notIn, lhs, rhs), lhs.span.to(rhs.span))
            }
            if w == "between" && ab {
                advance()
                let lo = try additive()
                _ = try expectWord("and", help: "write: x between 5% and 12%")
                let hi = try additive()
                return Expr(.between(lhs, lo, hi), lhs.span.to(hi.span))
            }
        }
        return lhs
    }

    mutating func additive() throws -> Expr {
        var lhs = try multiplicative()
        while true {
            let op: BinaryOp
            if atPunct("+") { op = .add } else if atPunct("-") { op = .sub } else { break }
            advance()
            let rhs = try multiplicative()
            lhs = try bounded(Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span)))
        }
        return lhs
    }

    mutating func multiplicative() throws -> Expr {
        var lhs = try unary()
        while true {
            let op: BinaryOp
            if atPunct("*") { op = .mul } else if atPunct("/") { op = .div } else { break }
            advance()
            let rhs = try unary()
            lhs = try bounded(Expr(.binary(op, lhs, rhs), lhs.span.to(rhs.span)))
        }
        return lhs
    }

    mutating func unary() throws -> Expr {
        if atPunct("-") {
            let t = advance()
            let e = try nested { try $0.unary() }
            return Expr(.unary(.negate, e), t.span.to(e.span))
        }
        return try postfix()
    }

    /// Member access and calls: `user.age`, `purchase.price`, `sum(price where "purchase")`.
    mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if atPunct(".") {
                advance()
                let member: Name
                switch current.kind {
                case .identifier(let s): let t = advance(); member = Name(s, t.span)
                case .quotedName(let s): let t = advance(); member = Name(s, t.span)
                default: try fail(expected: "a name after '.'")
                }
                e = try bounded(Expr(.member(e, member), e.span.to(member.span)))
            } else if atPunct("("), case .name(let fn) = e.kind {
                advance()
                var args: [Expr] = []
                var wherePred: Expr? = nil
                while !atPunct(")") {
                    args.append(try pathExpr())
                    if atWord("where") { advance(); wherePred = try expression() }
                    if atPunct(",") { advance(); continue }
                    if !atPunct(")") { try fail(expected: "',' or ')' in the call to \(fn)") }
                }
                let close = advance()
                e = Expr(.call(Name(fn, e.span), args, whereClause: wherePred), e.span.to(close.span))
            } else {
                return e
            }
        }
    }

    /// An argument that may be a path `a -> b -> c`.
    mutating func pathExpr() throws -> Expr {
        let first = try expression()
        guard atPunct("->") else { return first }
        var parts = [first]
        while atPunct("->") { advance(); parts.append(try expression()) }
        return Expr(.path(parts), first.span.to(parts[parts.count - 1].span))
    }

    mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .string(let s): advance(); return Expr(.string(s), t.span)
        case .number(let n): advance(); return Expr(.number(n), t.span)
        case .percent(let p): advance(); return Expr(.percent(p), t.span)
        case .duration(let d): advance(); return Expr(.duration(d), t.span)
        case .date(let d): advance(); return Expr(.date(d), t.span)
        case .dateTime(let d): advance(); return Expr(.dateTime(d), t.span)
        case .quotedName(let s): advance(); return Expr(.quotedName(s), t.span)
        case .identifier(let s):
            switch s {
            case "true": advance(); return Expr(.bool(true), t.span)
            case "false": advance(); return Expr(.bool(false), t.span)
            case "null": advance(); return Expr(.null, t.span)
            default:
                // A clause or declaration keyword at the start of a line begins the next
                // clause: the value is missing here, not that keyword.
                let keywords = Array(Parser.clauseKeywords.union(Parser.declarationKeywords))
                if t.startsLine && !valuesStartLines && (keywords.contains(s) || (s.count > 3 && DidYouMean.suggest(s, among: keywords) != nil)) {
                    let kw = keywords.contains(s) ? s : (DidYouMean.suggest(s, among: keywords) ?? s)
                    report(.expectedToken, "expected a value, found the end of the line", SourceSpan(previousEnd, previousEnd + 1),
                           help: keywords.contains(s) ? "complete this line before the next '\(s)'" : "complete this line; the next line starts with '\(s)' (did you mean '\(kw)'?)")
                    throw ParseAbort()
                }
                if Parser.reservedInExpressions.contains(s) {
                    try fail(expected: "a value", help: "'\(s)' is an operator; it needs a value before it")
                }
                advance(); return Expr(.name(s), t.span)
            }
        case .punct("("):
            advance()
            let e = try expression()
            let close = try expectPunct(")")
            return Expr(e.kind, t.span.to(close.span))
        case .punct("["):
            advance()
            var items: [Expr] = []
            while !atPunct("]") {
                items.append(try expression())
                if atPunct(",") { advance() } else if !atPunct("]") { try fail(expected: "',' or ']' in the list") }
            }
            let close = advance()
            return Expr(.list(items), t.span.to(close.span))
        case .punct("'"):
            try fail(expected: "a value")
        default:
            try fail(expected: "a value", help: t.kind == .endOfFile ? nil : "a value is a property, a \"string\", a number, a duration like 7d, or a list [..]")
        }
    }

    /// The deepest an expression may nest: parentheses, lists, calls, `not`, `-`, and the
    /// operators of a chain of + - * / each count one level.
    public static let maxDepth = 256

    /// `e`, or a located error when its tree is deeper than `maxDepth` (long chains of
    /// + - * / or `.` grow the tree without nesting the parser).
    mutating func bounded(_ e: Expr) throws -> Expr {
        guard e.height > Parser.maxDepth else { return e }
        report(.tooDeeplyNested, "this expression is nested more than \(Parser.maxDepth) levels deep", e.span,
               help: "split it up; each operator of a chain of + - * / counts as one level")
        throw ParseAbort()
    }

    static let reservedInExpressions: Set<String> = ["and", "or", "in", "contains", "starts_with", "matches", "between", "within"]
}
