import FunnelDiagnostics

/// The inline form used in the REPL:
/// `view -> cart -> purchase within 7d by device where country == "US"`.
/// Bare names and strings are event names; `(…)` holds any event condition.
extension Parser {
    /// Words that may follow the steps of an inline funnel (or a funnel's name in the REPL).
    public static let inlineClauseWords: Set<String> = ["within", "window", "by", "where", "for", "order", "ties", "dates", "count", "hold", "compare", "profile"]

    /// Parses an inline funnel named `name`; its spans point into `file`.
    public static func parseInlineFunnel(_ file: SourceFile, name: String) -> (funnel: FunnelDecl?, diagnostics: [Diagnostic]) {
        var p = Parser(file)
        do {
            var clauses: [Clause] = []
            var usedNames: [String: Int] = [:]
            repeat {
                if p.atPunct("->") { p.advance() }
                let t = p.current
                let pred: Expr
                var stepName: String
                switch t.kind {
                case .identifier(let s) where !Parser.inlineClauseWords.contains(s):
                    p.advance(); pred = Expr(.string(s), t.span); stepName = s
                case .string(let s):
                    p.advance(); pred = Expr(.string(s), t.span); stepName = Parser.identifierLike(s)
                case .punct("("):
                    pred = try p.primary(); stepName = "step"
                default:
                    try p.fail(expected: "a step: an event name, a \"string\" or a (condition)", help: "write: view -> cart -> purchase")
                }
                // Steps need distinct names: view -> view becomes view, view_2.
                let n = (usedNames[stepName] ?? 0) + 1
                usedNames[stepName] = n
                if n > 1 || stepName == "step" { stepName += "_\(n)" }
                let kw = Name("step", t.span)
                clauses.append(Clause(.step(name: Name(stepName, t.span), predicate: pred, within: nil), pred.span, keyword: kw))
            } while p.atPunct("->")
            clauses += try p.inlineClauses()
            if !p.at(.endOfFile) {
                try p.fail(expected: "'->', within, by, where, order or the end of the line")
            }
            return (FunnelDecl(name: Name(name, SourceSpan(0, 0)), from: nil, clauses: clauses), p.diagnostics)
        } catch {
            return (nil, p.diagnostics)
        }
    }

    /// Clauses after an inline funnel or a funnel's name: `within 7d` (the window), `window`,
    /// `by`, `where`, `for`, `order`, `ties`, `dates`, `count`, `hold`, `compare`, `profile`.
    public mutating func inlineClauses() throws -> [Clause] {
        var out: [Clause] = []
        while let w = current.identifier, Parser.inlineClauseWords.contains(w) {
            if w == "within" {
                let kwTok = advance()
                let d = try expression()
                out.append(Clause(.window(d), kwTok.span.to(d.span), keyword: Name("window", kwTok.span)))
            } else {
                out.append(try clause())
            }
        }
        return out
    }

    /// Parses `NAME [clauses]`: a defined funnel run with other clauses (REPL).
    public static func parseFunnelReference(_ file: SourceFile) -> (name: Name?, clauses: [Clause], diagnostics: [Diagnostic]) {
        var p = Parser(file)
        guard case .identifier(let s) = p.current.kind else { return (nil, [], []) }
        let t = p.advance()
        do {
            let clauses = try p.inlineClauses()
            if !p.at(.endOfFile) { try p.fail(expected: "a clause (by, where, for, within, order, ties, dates, count, hold, compare, profile) or the end of the line") }
            return (Name(s, t.span), clauses, p.diagnostics)
        } catch {
            return (Name(s, t.span), [], p.diagnostics)
        }
    }

    /// Parses one funnel clause on its own (`kpi aov = avg(purchase.price)` typed in the REPL).
    public static func parseClause(_ file: SourceFile) -> (clause: Clause?, diagnostics: [Diagnostic]) {
        var p = Parser(file)
        do {
            let c = try p.clause()
            if !p.at(.endOfFile) { try p.fail(expected: "the end of the line") }
            return (c, p.diagnostics)
        } catch {
            return (nil, p.diagnostics)
        }
    }

    static func identifierLike(_ s: String) -> String {
        let mapped = s.map { $0.isLetter || $0.isNumber || $0 == "_" ? String($0) : "_" }.joined()
        let trimmed = mapped.isEmpty ? "step" : mapped
        return trimmed.first?.isNumber == true ? "s_" + trimmed : trimmed
    }
}
