import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// Typed input: declarations, clauses added to the current funnel, inline funnels and
/// defined funnels run with changes.
extension Workspace {
    /// What one input led to: a message, or a funnel run.
    public enum Outcome: Sendable {
        case answer(Answer)
        case ran(RunAnswer)
    }

    /// One complete input (a line, or the lines of a block), already known not to be a `:command`.
    public func evaluate(_ text: String) -> Outcome {
        let file = SourceFile(path: Workspace.inputPath, text: text)
        let (tokens, _) = Lexer.tokenize(file)
        let first = tokens.first?.identifier ?? ""
        if Parser.declarationKeywords.contains(first) { return .answer(define(file)) }
        if first == "kpi" || first == "expect" { return .answer(addToCurrentFunnel(file)) }
        if tokens.contains(where: { $0.isPunct("->") }) { return runInline(file) }
        if !first.isEmpty { return runReference(file) }
        let d = Diagnostic(.error, .expectedToken, "expected a funnel, a declaration or a :command",
                           at: .source(file, tokens.first?.span ?? SourceSpan(0, 1)),
                           help: "try :help, a funnel's name, or view -> cart -> purchase")
        return .answer(Answer(render([d]), failed: true))
    }

    /// Declarations typed at the prompt (with what they import); a name declared again replaces the old one.
    func define(_ file: SourceFile) -> Answer {
        let (program, parseDiags) = Parser.parse(file)
        if parseDiags.contains(where: \.isError) { return Answer(render(parseDiags, typed: file), failed: true) }
        var added = [CompilationUnit(file: file, program: program)]
        var names = Set(program.declarations.compactMap(Workspace.declaredName))
        for d in program.declarations {
            guard case .importFile(let path, _) = d.kind else { continue }
            let (more, diags) = Driver.parseUnits(path: path)
            if diags.contains(where: \.isError) { return Answer(render(diags, only: Set(more.map(\.file.path) + [Workspace.inputPath])), failed: true) }
            added += more
            names.formUnion(more.flatMap { $0.program.declarations.compactMap(Workspace.declaredName) })
        }
        // With the data, so that an event name the data never has is reported now, at the typed line.
        let c = compile(units: units(without: names) + added, load: true)
        let diagnostics = pointingAtTyped(c.diagnostics, declarations(program, typed: file))
        if c.hasErrors { return Answer(render(diagnostics, typed: file), failed: true) }
        let redefined = names.filter { n in units.contains { $0.program.declarations.contains { Workspace.declaredName($0) == n } } }
        units = units(without: names) + added
        var out = render(diagnostics, typed: file)
        for d in program.declarations {
            switch d.kind {
            case .funnel(let f):
                currentFunnel = f.name.text
                let steps = f.clauses.filter { if case .step = $0.kind { return true }; return false }.count
                out += "\(redefined.contains("funnel:" + f.name.text) ? "redefined" : "defined") funnel \(f.name.text) (\(steps) steps); type its name to run it\n"
            case .segment(let n, _): out += "defined segment \(n.text)\n"
            case .measure(let n, _): out += "defined measure \(n.text)\n"
            case .tier(let t): out += "defined tier \(t.name.text)\n"
            case .source(let s): out += "defined source \(s.name.text)\n"
            case .users: out += "defined the users table\n"
            case .importFile(let p, _): out += "imported \(p)\n"
            case .test(let t): out += "defined test \"\(t.name)\" for \(t.funnel.text); funnel test runs it from a file\n"
            }
        }
        return Answer(out)
    }

    /// Typed declarations as a change: each replaces the one of its name.
    func declarations(_ program: Program, typed file: SourceFile) -> TypedChange {
        TypedChange(file: file, parts: program.declarations.map(\.span)) { indices in
            let some = indices.map { program.declarations[$0] }
            let typed = CompilationUnit(file: file, program: Program(declarations: some))
            return self.compile(units: self.units(without: Set(some.compactMap(Workspace.declaredName))) + [typed], load: false)
                .diagnostics.filter(\.isError)
        }
    }

    /// `kpi NAME = EXPR` or `expect ...` typed alone: added to the current funnel, where it is declared.
    func addToCurrentFunnel(_ file: SourceFile) -> Answer {
        guard let name = currentFunnel, funnelDecl(name) != nil else {
            return Answer("error: no funnel to add this to yet\n  help: define or run a funnel first; the line is added to the last one\n", failed: true)
        }
        let (parsed, diags) = Parser.parseClause(file)
        guard let clause = parsed, !diags.contains(where: \.isError) else { return Answer(render(diags, typed: file), failed: true) }
        guard let edited = units(editing: name, { $0.clauses.append(clause.from(file)) }) else { return unknownFunnel(name) }
        let c = compile(units: edited, load: false)
        let diagnostics = pointingAtTyped(c.diagnostics, TypedChange(file: file, parts: [clause.span]) { _ in [] })
        if c.hasErrors { return Answer(render(diagnostics, typed: file), failed: true) }
        units = edited
        return Answer(render(diagnostics, typed: file) + "added to funnel \(name)\n")
    }

    /// `view -> cart -> purchase within 1d by device`: run at once as the funnel `inline`.
    func runInline(_ file: SourceFile) -> Outcome {
        let (decl, diags) = Parser.parseInlineFunnel(file, name: "inline")
        guard let f = decl, !diags.contains(where: \.isError) else { return .answer(Answer(render(diags, typed: file), failed: true)) }
        let others = units(without: ["funnel:inline"])
        func unit(_ clauses: [Clause]) -> CompilationUnit {
            var g = f
            g.clauses = clauses
            return CompilationUnit(file: file, program: Program(declarations: [Decl(.funnel(g), SourceSpan(0, file.bytes.count))]))
        }
        // The steps make the funnel; each clause after them may clash with them (or with another).
        let steps = f.clauses.filter { if case .step = $0.kind { return true }; return false }
        let shaping = f.clauses.filter { if case .step = $0.kind { return false }; return true }
        let change = TypedChange(file: file, parts: shaping.map(\.span), errorsWith: { indices in
            self.compile(units: others + [unit(steps + indices.map { shaping[$0] })], load: false).diagnostics.filter(\.isError)
        }, madeUp: f.name.span)
        return .ran(run(units: others + [unit(f.clauses)], funnel: "inline", change: change))
    }

    /// `checkout`, or `checkout by brand where country == "US"`: a defined funnel, maybe changed for this run.
    func runReference(_ file: SourceFile) -> Outcome {
        let (name, clauses, diags) = Parser.parseFunnelReference(file)
        if diags.contains(where: \.isError) { return .answer(Answer(render(diags, typed: file), failed: true)) }
        guard let n = name, funnelDecl(n.text) != nil else {
            let names = funnelNames
            let word = name?.text ?? file.text
            var help = "an inline funnel needs two steps: view -> purchase"
            if let s = DidYouMean.suggest(word, among: names) { help = "did you mean '\(s)'?" }
            else if !names.isEmpty { help += "; defined funnels: " + names.joined(separator: ", ") }
            let d = Diagnostic(.error, .unknownFunnel, "unknown funnel '\(word)'", at: .source(file, name?.span ?? SourceSpan(0, file.bytes.count)), help: help)
            return .answer(Answer(render([d]), failed: true))
        }
        currentFunnel = n.text
        // The typed clauses replace the funnel's breakdown, window, order or profile, and add filters.
        // The definition itself stays as it was. A new breakdown takes the definition's `for each`
        // expects with it: they named the old breakdown's groups.
        func edited(_ typed: [Clause]) -> [CompilationUnit]? {
            let replaced = Set(typed.map { $0.keyword.text }).intersection(["by", "window", "order", "profile"])
            func namesOldGroups(_ c: Clause) -> Bool {
                if replaced.contains("by"), case .expect(_, let each) = c.kind, each != nil { return true }
                return false
            }
            return units(editing: n.text) { f in
                f.clauses = f.clauses.filter { !replaced.contains($0.keyword.text) && !namesOldGroups($0) } + typed.map { $0.from(file) }
            }
        }
        guard let all = edited(clauses) else { return .answer(unknownFunnel(n.text)) }
        let change = TypedChange(file: file, parts: clauses.map(\.span)) { indices in
            edited(indices.map { clauses[$0] }).map { self.compile(units: $0, load: false).diagnostics.filter(\.isError) } ?? []
        }
        return .ran(run(units: all, funnel: n.text, change: change))
    }

    func unknownFunnel(_ name: String) -> Answer {
        let help = DidYouMean.help(name, among: funnelNames, kind: "funnels") ?? "no funnels are defined yet"
        return Answer("error: unknown funnel '\(name)'\n  help: \(help)\n", failed: true)
    }

    /// Loads a `.funnel` file's definitions (and its data).
    public func load(path: String) -> Answer {
        let (more, parseDiags) = Driver.parseUnits(path: path)
        let files = Set(more.map(\.file.path))
        if more.isEmpty || parseDiags.contains(where: \.isError) { return Answer(render(parseDiags, only: files), failed: true) }
        let names = Set(more.flatMap { $0.program.declarations.compactMap(Workspace.declaredName) })
        let c = compile(units: units(without: names) + more, load: true)
        if c.hasErrors { return Answer(render(c.diagnostics, only: files), failed: true) }
        units = units(without: names) + more
        let funnels = more.flatMap { $0.program.declarations.compactMap { d -> String? in if case .funnel(let f) = d.kind { return f.name.text }; return nil } }
        if let last = funnels.last { currentFunnel = last }
        // The events of this file's sources (a source of another file may be kept in memory too).
        let own = Set(more.flatMap { u in u.program.declarations.compactMap { d -> String? in if case .source(let s) = d.kind { return s.name.text }; return nil } })
        let events = (c.plan?.sources ?? []).enumerated().filter { own.contains($0.element.spec.name) && $0.offset < c.stores.count }
            .reduce(0) { $0 + c.stores[$1.offset].count }
        return Answer(render(c.diagnostics, only: files)
            + "loaded \(path): \(funnels.count) funnel\(funnels.count == 1 ? "" : "s") (\(funnels.joined(separator: ", "))), \(formatCount(events)) events in memory\n")
    }

    /// `:events PATH`: every source reads this file from now on (keeping its column mapping).
    public func readEvents(from path: String) -> Answer {
        if let why = FileProbe.problem(with: path) { return Answer("error: cannot read '\(path)': \(why)\n", failed: true) }
        let previous = (options.events, cache)
        options.events = path
        cache = DataCache()
        let c = compile(units: units, load: true)
        if c.hasErrors {
            (options.events, cache) = previous
            return Answer(render(c.diagnostics), failed: true)
        }
        return Answer("events now read from \(path): \(formatCount(c.stores.reduce(0) { $0 + $1.count })) events in memory\n")
    }
}
