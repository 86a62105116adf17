import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelEngine
import FunnelPlan
import FunnelReport
import FunnelCore
import FunnelSema
import FunnelSyntax

/// What the session says back to one input.
public struct Reply: Sendable, Equatable {
    public var text: String
    public var quit = false
    public init(_ text: String, quit: Bool = false) { self.text = text; self.quit = quit }
}

/// The REPL's logic, with no terminal: lines in, text out. Definitions (loaded files and
/// typed declarations) are compilation units; data is loaded once and kept for every query.
public final class Session {
    public var options: DriverOptions
    public var format: OutputFormat = .table
    public var timing = false
    public let color: Bool
    /// Loaded files and accepted declarations, in order.
    var units: [CompilationUnit] = []
    /// Data kept in memory between queries.
    var cache = DataCache()
    /// Text of a declaration still open (a brace not yet closed).
    var pending: [String] = []
    /// The funnel most recently defined or run (`kpi` lines add to it).
    var currentFunnel: String?

    public init(options: DriverOptions = DriverOptions(), color: Bool = false) {
        var o = options
        o.loadAllColumns = true
        self.options = o
        self.color = color
    }

    public var prompt: String { pending.isEmpty ? "funnel> " : "   ...> " }
    public var isContinuing: Bool { !pending.isEmpty }

    /// Forgets a half-typed multi-line input (Ctrl-C).
    public func cancelInput() { pending = [] }

    /// One line of input. Lines accumulate while a brace is open.
    public func handle(_ line: String) -> Reply {
        // A Ctrl-C belongs to the input it interrupted, never to the next one.
        Cancellation.reset()
        pending.append(line)
        let text = pending.joined(separator: "\n")
        if Session.openBraces(text) > 0 && !text.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return Reply("") }
        pending = []
        return execute(text)
    }

    /// Braces opened and not yet closed, outside strings and comments.
    static func openBraces(_ text: String) -> Int {
        var depth = 0, inString = false, inComment = false, escape = false
        for c in text {
            if inComment { if c == "\n" { inComment = false }; continue }
            if inString {
                if escape { escape = false } else if c == "\\" { escape = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true
            case "#": inComment = true
            case "{": depth += 1
            case "}": depth -= 1
            default: break
            }
        }
        return depth
    }

    func execute(_ raw: String) -> Reply {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.hasPrefix("#") { return Reply("") }
        if text.hasPrefix(":") { return meta(text) }
        let file = SourceFile(path: "<repl>", text: text)
        let (tokens, _) = Lexer.tokenize(file)
        let first = tokens.first?.identifier ?? ""
        if ["source", "users", "segment", "import", "funnel", "test"].contains(first) { return define(file) }
        if first == "kpi" || first == "expect" { return addToCurrentFunnel(file) }
        if tokens.contains(where: { $0.isPunct("->") }) { return runInline(file) }
        if !first.isEmpty { return runReference(file) }
        return Reply(render([Diagnostic(.error, .expectedToken, "expected a funnel, a declaration or a :command",
                                        at: .source(file, tokens.first?.span ?? SourceSpan(0, 1)),
                                        help: "try :help, a funnel's name, or view -> cart -> purchase")]))
    }

    // MARK: compiling

    func compile(adding extra: [CompilationUnit], replacing names: Set<String> = [], load: Bool) -> Compilation {
        compile(units: units(without: names) + extra, load: load)
    }

    /// Compiles a set of units against the data kept in memory.
    func compile(units all: [CompilationUnit], load: Bool) -> Compilation {
        Driver.compile(units: all, parseDiagnostics: [], options: options, load: load, cache: cache)
    }

    /// The session's units without the declarations named (they are being replaced).
    func units(without names: Set<String>) -> [CompilationUnit] {
        units.map { u in
            CompilationUnit(file: u.file, program: Program(declarations: u.program.declarations.filter { !names.contains(Session.declaredName($0) ?? "") }))
        }
    }

    /// The name a declaration introduces (funnels, segments and sources).
    static func declaredName(_ d: Decl) -> String? {
        switch d.kind {
        case .funnel(let f): return "funnel:" + f.name.text
        case .segment(let n, _): return "segment:" + n.text
        case .source(let s): return "source:" + s.name.text
        case .users: return "users"
        case .test(let t): return "test:" + t.name
        case .importFile: return nil
        }
    }

    /// Diagnostics of this input (and errors anywhere), rendered.
    func render(_ ds: [Diagnostic], only files: Set<String> = ["<repl>"]) -> String {
        let shown = ds.filter { d in
            if d.isError { return true }
            guard let p = d.position else { return true }
            return files.contains(p.path)
        }
        return DiagnosticRenderer(color: color).render(shown)
    }

    var funnelNames: [String] {
        units.flatMap { $0.program.declarations.compactMap { d -> String? in if case .funnel(let f) = d.kind { return f.name.text }; return nil } }
    }

    /// Where a funnel is declared: its unit and declaration index, and the declaration.
    func funnelDecl(_ name: String) -> (unit: Int, decl: Int, funnel: FunnelDecl)? {
        for (i, u) in units.enumerated().reversed() {
            for (j, d) in u.program.declarations.enumerated() {
                if case .funnel(let f) = d.kind, f.name.text == name { return (i, j, f) }
            }
        }
        return nil
    }

    /// The session's units with one funnel changed in place: it stays in its own file, so it
    /// reads its own source. Typed clauses keep pointing into the typed text (their origin).
    func units(editing name: String, _ edit: (inout FunnelDecl) -> Void) -> [CompilationUnit]? {
        guard let (i, j, f) = funnelDecl(name) else { return nil }
        var changed = f
        edit(&changed)
        var all = units
        all[i].program.declarations[j] = Decl(.funnel(changed), all[i].program.declarations[j].span)
        return all
    }

    // MARK: inputs

    func define(_ file: SourceFile) -> Reply {
        let (program, parseDiags) = Parser.parse(file)
        if parseDiags.contains(where: \.isError) { return Reply(render(parseDiags)) }
        let unit = CompilationUnit(file: file, program: program)
        var units = [unit]
        var names = Set(program.declarations.compactMap(Session.declaredName))
        // `import` brings in the file's declarations too.
        for d in program.declarations {
            if case .importFile(let path, _) = d.kind {
                let (more, diags) = Driver.parseUnits(path: path)
                if diags.contains(where: \.isError) { return Reply(render(diags, only: Set(more.map(\.file.path) + ["<repl>"]))) }
                units += more
                names.formUnion(more.flatMap { $0.program.declarations.compactMap(Session.declaredName) })
            }
        }
        let c = compile(adding: units, replacing: names, load: false)
        if c.hasErrors { return Reply(render(c.diagnostics)) }
        let redefined = names.filter { n in self.units.contains { $0.program.declarations.contains { Session.declaredName($0) == n } } }
        self.units = self.units.map { u in
            CompilationUnit(file: u.file, program: Program(declarations: u.program.declarations.filter { !names.contains(Session.declaredName($0) ?? "") }))
        } + units
        var out = render(c.diagnostics)
        for d in program.declarations {
            switch d.kind {
            case .funnel(let f):
                currentFunnel = f.name.text
                let steps = f.clauses.filter { if case .step = $0.kind { return true }; return false }.count
                out += "\(redefined.contains("funnel:" + f.name.text) ? "redefined" : "defined") funnel \(f.name.text) (\(steps) steps); type its name to run it\n"
            case .segment(let n, _): out += "defined segment \(n.text)\n"
            case .source(let s): out += "defined source \(s.name.text)\n"
            case .users: out += "defined the users table\n"
            case .importFile(let p, _): out += "imported \(p)\n"
            case .test(let t): out += "defined test \"\(t.name)\" for \(t.funnel.text); funnel test runs it from a file\n"
            }
        }
        return Reply(out)
    }

    /// `kpi NAME = EXPR` or `expect ...` typed alone: added to the current funnel, where it is declared.
    func addToCurrentFunnel(_ file: SourceFile) -> Reply {
        guard let name = currentFunnel, funnelDecl(name) != nil else {
            return Reply("error: no funnel to add this to yet\n  help: define or run a funnel first; the line is added to the last one\n")
        }
        let (parsed, diags) = Parser.parseClause(file)
        guard let clause = parsed, !diags.contains(where: \.isError) else { return Reply(render(diags)) }
        guard let edited = units(editing: name, { $0.clauses.append(clause.from(file)) }) else { return unknownFunnel(name) }
        let c = compile(units: edited, load: false)
        if c.hasErrors { return Reply(render(c.diagnostics)) }
        units = edited
        return Reply(render(c.diagnostics) + "added to funnel \(name)\n")
    }

    func runInline(_ file: SourceFile) -> Reply {
        let (decl, diags) = Parser.parseInlineFunnel(file, name: "inline")
        guard let f = decl, !diags.contains(where: \.isError) else { return Reply(render(diags)) }
        let unit = CompilationUnit(file: file, program: Program(declarations: [Decl(.funnel(f), SourceSpan(0, file.bytes.count))]))
        return run(unit, funnel: "inline", replacing: ["funnel:inline"])
    }

    /// `checkout` or `checkout by brand where country == "US"`: a defined funnel, maybe changed.
    func runReference(_ file: SourceFile) -> Reply {
        let (name, clauses, diags) = Parser.parseFunnelReference(file)
        if diags.contains(where: \.isError) { return Reply(render(diags)) }
        guard let n = name, funnelDecl(n.text) != nil else {
            let names = funnelNames
            let word = name?.text ?? file.text
            var help = "an inline funnel needs two steps: view -> purchase"
            if let s = DidYouMean.suggest(word, among: names) { help = "did you mean '\(s)'?" }
            else if !names.isEmpty { help += "; defined funnels: " + names.joined(separator: ", ") }
            return Reply(render([Diagnostic(.error, .unknownFunnel, "unknown funnel '\(word)'", at: .source(file, name?.span ?? SourceSpan(0, file.bytes.count)), help: help)]))
        }
        currentFunnel = n.text
        if clauses.isEmpty { return run(nil, funnel: n.text, replacing: []) }
        // Change the funnel where it is declared: the typed clauses replace its breakdown, window
        // or order, and add filters. The definition itself stays as it was.
        let replaced = Set(clauses.map { $0.keyword.text }).intersection(["by", "window", "order"])
        guard let edited = units(editing: n.text, { f in
            f.clauses = f.clauses.filter { !replaced.contains($0.keyword.text) } + clauses.map { $0.from(file) }
        }) else { return unknownFunnel(n.text) }
        return run(units: edited, funnel: n.text)
    }

    func run(_ extra: CompilationUnit?, funnel: String, replacing: Set<String>) -> Reply {
        run(units: units(without: replacing) + (extra.map { [$0] } ?? []), funnel: funnel)
    }

    func run(units all: [CompilationUnit], funnel: String) -> Reply {
        let start = DispatchTime.now().uptimeNanoseconds
        let c = compile(units: all, load: true)
        if c.hasErrors { return Reply(render(c.diagnostics)) }
        let results = Driver.run(c, options: options, only: [funnel])
        if Cancellation.requested {
            Cancellation.reset()
            return Reply("cancelled\n")
        }
        var out = render(c.diagnostics)
        out += Report.render(results, plan: c.plan, format: format, color: color)
        if timing {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            out += String(format: "time: %.1f ms\n", ms)
        }
        return Reply(out + (format == .table ? "\n" : ""))
    }

    /// Loads a `.funnel` file's definitions (and its data) into the session.
    public func load(path: String) -> Reply {
        Cancellation.reset()
        let (more, parseDiags) = Driver.parseUnits(path: path)
        if more.isEmpty || parseDiags.contains(where: \.isError) { return Reply(render(parseDiags, only: Set(more.map(\.file.path)))) }
        let names = Set(more.flatMap { $0.program.declarations.compactMap(Session.declaredName) })
        let c = compile(adding: more, replacing: names, load: true)
        if c.hasErrors { return Reply(render(c.diagnostics, only: Set(more.map(\.file.path)))) }
        units = units.map { u in
            CompilationUnit(file: u.file, program: Program(declarations: u.program.declarations.filter { !names.contains(Session.declaredName($0) ?? "") }))
        } + more
        let funnels = more.flatMap { $0.program.declarations.compactMap { d -> String? in if case .funnel(let f) = d.kind { return f.name.text }; return nil } }
        if let last = funnels.last { currentFunnel = last }
        let events = c.stores.reduce(0) { $0 + $1.count }
        var out = render(c.diagnostics, only: Set(more.map(\.file.path)))
        out += "loaded \(path): \(funnels.count) funnel\(funnels.count == 1 ? "" : "s") (\(funnels.joined(separator: ", "))), \(formatCount(events)) events in memory\n"
        return Reply(out)
    }
}

extension Clause {
    /// The clause as written in `file` (a line typed in the REPL).
    func from(_ file: SourceFile) -> Clause {
        var c = self
        c.origin = file
        return c
    }
}
