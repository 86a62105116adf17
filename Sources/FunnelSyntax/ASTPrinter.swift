import FunnelDiagnostics

/// Prints the AST as indented S-expressions (golden tests, debugging).
public enum ASTPrinter {
    public static func print(_ p: Program) -> String {
        p.declarations.map { decl($0) }.joined(separator: "\n") + "\n"
    }

    static func decl(_ d: Decl) -> String {
        switch d.kind {
        case .source(let s): return "(source \(s.name.text) \(source(s)))"
        case .users(let s): return "(users \(source(s)))"
        case .segment(let n, let e): return "(segment \(n.text) \(expr(e)))"
        case .measure(let n, let e): return "(measure \(n.text) \(expr(e)))"
        case .tier(let t):
            let cases = t.cases.map { "(\"\($0.label)\" \(expr($0.condition)))" } + (t.otherwise.map { ["(\"\($0.label)\" otherwise)"] } ?? [])
            return "(tier \(t.name.text) \(cases.joined(separator: " ")))"
        case .importFile(let path, _): return "(import \"\(path)\")"
        case .test(let t):
            let header = t.table.columns.map(\.text).joined(separator: " ")
            let rows = t.table.rows.map { "\n    (" + $0.map { $0.text ?? "-" }.joined(separator: " ") + ")" }.joined()
            return "(test \"\(t.name)\" for \(t.funnel.text)\n  (events (\(header))\(rows))" + t.expects.map { "\n  " + clause($0) }.joined() + ")"
        case .funnel(let f):
            let head = "(funnel \(f.name.text)" + (f.from.map { " from \($0.text)" } ?? "")
            return head + f.clauses.map { "\n  " + clause($0) }.joined() + ")"
        }
    }

    static func source(_ s: SourceDecl) -> String {
        "\(s.format.text) \"\(s.path)\"" + s.settings.map { " (\($0.key.text)\($0.isTypeDeclaration ? ":" : "") \($0.valueText))" }.joined()
    }

    static func clause(_ c: Clause) -> String {
        switch c.kind {
        case .window(let e): return "(window \(e.map(expr) ?? "none"))"
        case .order(let n): return "(order \(n.text))"
        case .ties(let n): return "(ties \(n.text))"
        case .step(let n, let p, let w): return "(step \(n.text) \(expr(p))\(w.map { " (within \(expr($0)))" } ?? ""))"
        case .exclude(let p, let b, let r):
            return "(exclude \(expr(p))\(b.map { " (between \($0.0.text) \($0.1.text))" } ?? "")\(r ? " remove" : ""))"
        case .whereClause(let e): return "(where \(expr(e)))"
        case .forClause(let e): return "(for \(expr(e)))"
        case .dates(let a, let b): return "(dates \(expr(a)) \(expr(b)))"
        case .datesLast(let n, let unit): return "(dates last \(expr(n))\(unit.map { " \($0.text)" } ?? ""))"
        case .by(let keys, let top):
            return "(by" + keys.map { k in " \(expr(k.expr))\(k.bands.map { " bands \(expr($0))" } ?? "")\(k.at.map { "@\($0.text)" } ?? "")\(k.all ? " all" : "")\(k.last ? " last" : "")" }.joined() + (top.map { " top \(expr($0))" } ?? "") + ")"
        case .hold(let e): return "(hold \(expr(e)))"
        case .count(let e): return "(count \(expr(e)))"
        case .kpi(let n, let e, let d):
            let shown = (d.format.map { " format \($0.text)" } ?? "") + (d.decimals.map { " decimals \(expr($0))" } ?? "")
            return "(kpi \(n.text) \(expr(e))\(shown))"
        case .expect(let e, let each): return "(expect \(expr(e))\(each.map { " for-each \($0.text)" } ?? ""))"
        case .compare(let k, let b): return "(compare" + (k.map { " by \(expr($0))" } ?? "") + (b.map { " baseline \(expr($0))" } ?? "") + ")"
        case .profile(let key, let items):
            let columns = items.map { i in i.name.map { "(\($0.text) \(expr(i.expr)))" } ?? expr(i.expr) }
            return "(profile by \(expr(key.expr))" + (key.bands.map { " (bands \(expr($0)))" } ?? "") + columns.map { " " + $0 }.joined() + ")"
        }
    }

    public static func expr(_ e: Expr) -> String {
        switch e.kind {
        case .string(let s): return "\"\(s)\""
        case .number(let n): return formatNumber(n)
        case .percent(let p): return "\(formatNumber(p * 100))%"
        case .duration(let d): return "\(d)us"
        case .date(let d): return "date:\(d / 86_400_000_000)"
        case .dateTime(let d): return "datetime:\(d)"
        case .bool(let b): return String(b)
        case .null: return "null"
        case .list(let xs): return "[" + xs.map(expr).joined(separator: " ") + "]"
        case .name(let n): return n
        case .quotedName(let n): return "`\(n)`"
        case .member(let b, let m): return "(. \(expr(b)) \(m.text))"
        case .call(let f, let args, let w):
            return "(call \(f.text)" + args.map { " " + expr($0) }.joined() + (w.map { " (where \(expr($0)))" } ?? "") + ")"
        case .path(let parts): return "(-> " + parts.map(expr).joined(separator: " ") + ")"
        case .unary(let op, let a): return "(\(op.rawValue) \(expr(a)))"
        case .binary(let op, let a, let b): return "(\(op.rawValue) \(expr(a)) \(expr(b)))"
        case .between(let a, let lo, let hi): return "(between \(expr(a)) \(expr(lo)) \(expr(hi)))"
        }
    }

    /// One token per line: `line:col kind`.
    public static func tokens(_ file: SourceFile) -> String {
        let (toks, diags) = Lexer.tokenize(file)
        var out = toks.map { t -> String in
            let (l, c) = file.location(of: t.span.start)
            return "\(l):\(c) \(token(t.kind))"
        }.joined(separator: "\n") + "\n"
        if !diags.isEmpty { out += "--\n" + DiagnosticRenderer().render(diags) }
        return out
    }

    static func token(_ k: Token.Kind) -> String {
        switch k {
        case .identifier(let s): return "ident \(s)"
        case .quotedName(let s): return "qname `\(s)`"
        case .string(let s): return "string \"\(s)\""
        case .number(let n): return "number \(formatNumber(n))"
        case .percent(let p): return "percent \(p)"
        case .duration(let d): return "duration \(d)us"
        case .date(let d): return "date \(d)us"
        case .dateTime(let d): return "datetime \(d)us"
        case .punct(let p): return "punct \(p)"
        case .endOfFile: return "eof"
        }
    }
}
