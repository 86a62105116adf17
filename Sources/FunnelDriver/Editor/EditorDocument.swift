import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelSema
import FunnelSyntax

/// One open document as the editor features see it: its text parsed (the parser recovers, so a
/// half-typed clause leaves the rest in place), the files it imports, its tokens, and the columns
/// and event names of the data it names when that data can be read. Positions are byte offsets
/// into `file`, like every span of the compiler.
struct EditorDocument {
    let file: SourceFile
    /// The document first, then what it imports.
    let units: [CompilationUnit]
    let tokens: [Token]
    /// The sources with their paths resolved, and their columns by source name (when readable).
    let sources: [SourceSpec]
    let schemas: [String: DataSchema]
    let users: UsersSpec?
    let usersSchema: DataSchema?
    /// The data kept in memory, for the values of a property.
    let cache: EditorDataCache

    var main: CompilationUnit { units[0] }

    init(path: String, texts: [String: String], options: DriverOptions, cache: EditorDataCache) {
        let (parsed, _) = Driver.parseUnits(path: path, texts: texts)
        let units = parsed.isEmpty ? [CompilationUnit(file: SourceFile(path: path, text: texts[path] ?? ""), program: Program(declarations: []))] : parsed
        self.units = units
        self.file = units[0].file
        self.cache = cache
        self.tokens = Lexer.tokenize(units[0].file).tokens
        var phases = CompilePhases(units: units, options: options, cache: nil)
        let (sources, users) = phases.resolveSources()
        self.sources = sources
        self.users = users
        var schemas: [String: DataSchema] = [:]
        for s in sources { schemas[s.name] = cache.schema(of: s, options: options) }
        self.schemas = schemas
        self.usersSchema = users.flatMap { cache.schema(of: $0, options: options) }
    }

    // MARK: declarations

    /// Every declaration of the document and its imports, with the unit that holds it.
    var allDeclarations: [(decl: Decl, unit: CompilationUnit)] {
        units.flatMap { u in u.program.declarations.map { ($0, u) } }
    }

    func funnel(named name: String) -> (funnel: FunnelDecl, unit: CompilationUnit)? {
        for (d, u) in allDeclarations { if case .funnel(let f) = d.kind, f.name.text == name { return (f, u) } }
        return nil
    }

    func segment(named name: String) -> (name: Name, decl: Decl, unit: CompilationUnit)? {
        for (d, u) in allDeclarations { if case .segment(let n, _) = d.kind, n.text == name { return (n, d, u) } }
        return nil
    }

    func source(named name: String) -> (source: SourceDecl, decl: Decl, unit: CompilationUnit)? {
        for (d, u) in allDeclarations { if case .source(let s) = d.kind, s.name.text == name { return (s, d, u) } }
        return nil
    }

    var funnelNames: [String] { allDeclarations.compactMap { if case .funnel(let f) = $0.decl.kind { return f.name.text }; return nil } }
    var segmentNames: [String] {
        allDeclarations.compactMap {
            if case .segment(let n, _) = $0.decl.kind { return n.text }
            if case .measure(let n, _) = $0.decl.kind { return n.text }
            if case .tier(let t) = $0.decl.kind { return t.name.text }
            return nil
        }
    }
    var sourceNames: [String] { allDeclarations.compactMap { if case .source(let s) = $0.decl.kind { return s.name.text }; return nil } }

    /// The declaration of the document that the offset is in. A block still being typed has no
    /// closing brace yet and its declaration ends at its last clause, so a position after it but
    /// inside an unclosed `{` still belongs to it.
    func declaration(at offset: Int) -> Decl? {
        let before = main.program.declarations.last { $0.span.start <= offset }
        guard let d = before else { return nil }
        if offset <= d.span.end { return d }
        guard let brace = innermostOpenBrace(before: offset), brace >= d.span.start else { return nil }
        return d
    }

    /// The offset of the innermost `{` that is still open at `offset`.
    func innermostOpenBrace(before offset: Int) -> Int? {
        var open: [Int] = []
        for t in tokens where t.span.end <= offset {
            if t.isPunct("{") { open.append(t.span.start) }
            if t.isPunct("}") { _ = open.popLast() }
        }
        return open.last
    }

    /// The funnel whose names are in scope at the offset: the enclosing funnel, or the funnel a test block is for.
    func scopeFunnel(at offset: Int) -> (funnel: FunnelDecl, unit: CompilationUnit)? {
        switch declaration(at: offset)?.kind {
        case .funnel(let f)?: return (f, main)
        case .test(let t)?: return funnel(named: t.funnel.text)
        default: return nil
        }
    }

    /// The source a funnel reads: `from`, else the first source of its own file, else the first one.
    func source(of funnel: FunnelDecl, in unit: CompilationUnit) -> SourceSpec? {
        if let from = funnel.from { return sources.first { $0.name == from.text } }
        let own = unit.program.declarations.compactMap { d -> String? in if case .source(let s) = d.kind { return s.name.text }; return nil }
        if let first = own.first { return sources.first { $0.name == first } }
        return sources.first
    }

    /// The data whose columns names at the offset refer to: the funnel's source, or (outside a
    /// funnel, as in segments) every source.
    func schemasInScope(at offset: Int) -> [(source: SourceSpec, schema: DataSchema)] {
        if let (f, unit) = scopeFunnel(at: offset), let s = source(of: f, in: unit) { return schemas[s.name].map { [(s, $0)] } ?? [] }
        if case .source(let decl)? = declaration(at: offset)?.kind {
            return sources.filter { $0.name == decl.name.text }.compactMap { s in schemas[s.name].map { (s, $0) } }
        }
        return sources.compactMap { s in schemas[s.name].map { (s, $0) } }
    }

    /// A path written in a unit, as the compiler resolves it (relative to that unit's folder).
    static func resolve(_ path: String, in unit: CompilationUnit) -> String {
        path.hasPrefix("/") ? normalizePath(path) : normalizePath(unit.directory == "." ? path : unit.directory + "/" + path)
    }

    // MARK: tokens

    /// The token under the offset, or the one just before it when the cursor sits at its end.
    func tokenIndex(at offset: Int) -> Int? {
        if let i = tokens.firstIndex(where: { $0.kind != .endOfFile && $0.span.start <= offset && offset < $0.span.end }) { return i }
        return tokens.lastIndex { $0.kind != .endOfFile && $0.span.end == offset }
    }
}
