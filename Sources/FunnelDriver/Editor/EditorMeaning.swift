import FunnelCore
import FunnelDiagnostics
import FunnelSema
import FunnelSyntax

/// What a word of a document stands for: the one answer that go-to-definition and hover share.
enum EditorMeaning {
    case step(FunnelDecl, Clause, name: Name, number: Int, unit: CompilationUnit)
    case kpi(FunnelDecl, Clause, name: Name, unit: CompilationUnit)
    case segment(Name, Decl, unit: CompilationUnit)
    case funnel(FunnelDecl, Decl, unit: CompilationUnit)
    case source(SourceDecl, Decl, unit: CompilationUnit)
    /// The path of an `import`, resolved.
    case importedFile(String)
    /// The path of a source or the users table, resolved.
    case dataFile(String)
    /// A column of an event source (nil type: the data could not be read).
    case column(String, ValueType?, source: SourceSpec)
    /// `user.NAME`: a column of the users table.
    case userColumn(String, ValueType?, users: UsersSpec?)
    case keyword(String)
}

extension EditorDocument {
    /// The meaning of the word under the offset, and the span of that word.
    func meaning(at offset: Int) -> (meaning: EditorMeaning, span: SourceSpan)? {
        guard let i = tokenIndex(at: offset) else { return nil }
        let t = tokens[i]
        switch t.kind {
        case .string:
            return pathMeaning(of: t).map { ($0, t.span) }
        case .quotedName(let name):
            return columnMeaning(name, at: offset).map { ($0, t.span) }
        case .identifier(let word):
            return wordMeaning(word, index: i, at: offset).map { ($0, t.span) }
        default:
            return nil
        }
    }

    /// An `import` path or a data path, as written in a declaration of the document.
    func pathMeaning(of t: Token) -> EditorMeaning? {
        for d in main.program.declarations {
            switch d.kind {
            case .importFile(let path, let span) where span == t.span:
                return .importedFile(EditorDocument.resolve(path, in: main))
            case .source(let s) where s.pathSpan == t.span, .users(let s) where s.pathSpan == t.span:
                return .dataFile(EditorDocument.resolve(s.path, in: main))
            default: continue
            }
        }
        return nil
    }

    func wordMeaning(_ word: String, index i: Int, at offset: Int) -> EditorMeaning? {
        let previous = i > 0 ? tokens[i - 1] : nil
        // `user.age` and `purchase.price`: a member is always a column.
        if previous?.isPunct(".") == true {
            if i >= 2, tokens[i - 2].isWord("user") { return .userColumn(word, usersSchema?.type(of: word), users: users) }
            return columnMeaning(word, at: offset)
        }
        let decl = declaration(at: offset)
        // A keyword where a clause or declaration starts is that keyword, whatever columns are called.
        let startsItem = tokens[i].startsLine || previous?.isPunct("{") == true || previous?.isPunct("}") == true
        if startsItem, Keywords.clauses.contains(word) || Keywords.declarations.contains(word) || Keywords.settings.contains(word) {
            return .keyword(word)
        }
        if let (f, unit) = scopeFunnel(at: offset) {
            var number = 0
            for c in f.clauses {
                switch c.kind {
                case .step(let n, _, _):
                    number += 1
                    if n.text == word { return .step(f, c, name: n, number: number, unit: unit) }
                case .kpi(let n, _, _) where n.text == word:
                    return .kpi(f, c, name: n, unit: unit)
                default: continue
                }
            }
        }
        if let (name, d, unit) = segment(named: word) { return .segment(name, d, unit: unit) }
        if let (f, unit) = funnel(named: word), let d = unit.program.declarations.first(where: { if case .funnel(let g) = $0.kind { return g.name.span == f.name.span }; return false }) {
            return .funnel(f, d, unit: unit)
        }
        if let (s, d, unit) = source(named: word) { return .source(s, d, unit: unit) }
        // In the users block, the other names are the table's columns (`key = user_id`, `age: number`).
        if case .users? = decl?.kind {
            if let type = usersSchema?.type(of: word) { return .userColumn(word, type, users: users) }
            return Keywords.all.contains(word) ? .keyword(word) : nil
        }
        if let column = columnMeaning(word, at: offset) { return column }
        return Keywords.all.contains(word) ? .keyword(word) : nil
    }

    /// A column of the data in scope (the funnel's source, or any source outside a funnel).
    func columnMeaning(_ name: String, at offset: Int) -> EditorMeaning? {
        for (source, schema) in schemasInScope(at: offset) where schema.type(of: name) != nil {
            return .column(name, schema.type(of: name), source: source)
        }
        return nil
    }
}
