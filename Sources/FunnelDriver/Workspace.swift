import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// A set of definitions (loaded files and typed declarations) with their data kept in memory:
/// the REPL's model. Every change is made on parsed declarations, never on re-printed text,
/// and a funnel always stays in the file that declared it, so it reads that file's source.
public final class Workspace {
    public var options: DriverOptions
    /// Colour in rendered diagnostics.
    public let color: Bool
    /// Loaded files and accepted declarations, in order.
    var units: [CompilationUnit] = []
    /// Data kept in memory between queries.
    var cache = DataCache()
    /// The funnel most recently defined, loaded or run: `kpi` and `expect` lines add to it.
    public internal(set) var currentFunnel: String?

    public init(options: DriverOptions = DriverOptions(), color: Bool = false) {
        var o = options
        o.loadAllColumns = true
        self.options = o
        self.color = color
    }

    /// A workspace with the same definitions, settings, current funnel and data in memory, that
    /// changes apart from this one: what one copy defines, loads or reads stays out of the other.
    public func copy() -> Workspace {
        let w = Workspace(options: options, color: color)
        w.units = units
        w.cache = cache.copy()
        w.currentFunnel = currentFunnel
        return w
    }

    /// What the workspace says back: text to show (rendered diagnostics included), and whether it failed.
    public struct Answer: Sendable {
        public var text: String
        public var failed: Bool
        init(_ text: String, failed: Bool = false) { self.text = text; self.failed = failed }
    }

    /// The outcome of running a funnel: what to print before the results, the results and the plan they ran.
    public struct RunAnswer: Sendable {
        public var notes: String
        public var failed: Bool
        public var results: [FunnelResult]
        public var plan: Plan?
    }

    // MARK: compiling

    func compile(units all: [CompilationUnit], load: Bool) -> Compilation {
        Driver.compile(units: all, parseDiagnostics: [], options: options, load: load, cache: cache)
    }

    /// The units without the declarations named (they are being replaced).
    func units(without names: Set<String>) -> [CompilationUnit] {
        units.map { u in
            CompilationUnit(file: u.file, program: Program(declarations: u.program.declarations.filter { !names.contains(Workspace.declaredName($0) ?? "") }))
        }
    }

    /// The name a declaration introduces (funnels, segments, sources, tests and the users table).
    static func declaredName(_ d: Decl) -> String? {
        switch d.kind {
        case .funnel(let f): return "funnel:" + f.name.text
        case .segment(let n, _): return "segment:" + n.text
        case .measure(let n, _): return "measure:" + n.text
        case .tier(let t): return "tier:" + t.name.text
        case .source(let s): return "source:" + s.name.text
        case .users: return "users"
        case .test(let t): return "test:" + t.name
        case .importFile: return nil
        }
    }

    /// Diagnostics of the files named (and errors anywhere), rendered.
    func render(_ ds: [Diagnostic], only files: Set<String> = [Workspace.inputPath]) -> String {
        let shown = ds.filter { d in
            if d.isError { return true }
            guard let path = d.path else { return true }
            return files.contains(path)
        }
        return DiagnosticRenderer(color: color).render(shown)
    }

    /// Diagnostics of one typed input, rendered: every error, and the warnings about what was
    /// just typed or about the declaration of the funnel it runs (`decl`). Warnings about
    /// earlier inputs were shown when those were typed; repeating them under each later
    /// input would quote lines that have nothing to do with it.
    func render(_ ds: [Diagnostic], typed file: SourceFile, decl: (file: SourceFile, span: SourceSpan)? = nil) -> String {
        let shown = ds.filter { d in
            if d.isError || d.location == nil { return true }
            // A warning about a data file was shown when the file was read.
            guard case .source(let f, let span)? = d.location else { return false }
            if f === file { return true }
            guard let decl = decl, f === decl.file else { return false }
            return span.start >= decl.span.start && span.end <= decl.span.end
        }
        return DiagnosticRenderer(color: color).render(shown)
    }

    /// The name typed input is shown under in diagnostics.
    static let inputPath = "<repl>"

    /// Where a funnel is declared: its unit and declaration index, and the declaration.
    func funnelDecl(_ name: String) -> (unit: Int, decl: Int, funnel: FunnelDecl)? {
        for (i, u) in units.enumerated().reversed() {
            for (j, d) in u.program.declarations.enumerated() {
                if case .funnel(let f) = d.kind, f.name.text == name { return (i, j, f) }
            }
        }
        return nil
    }

    /// The units with one funnel changed in place. Typed clauses keep pointing into the typed text (their origin).
    func units(editing name: String, _ edit: (inout FunnelDecl) -> Void) -> [CompilationUnit]? {
        guard let (i, j, f) = funnelDecl(name) else { return nil }
        var changed = f
        edit(&changed)
        var all = units
        all[i].program.declarations[j] = Decl(.funnel(changed), all[i].program.declarations[j].span)
        return all
    }

    /// Runs one funnel of a set of units, on the data in memory. `change` is what was typed.
    func run(units all: [CompilationUnit], funnel: String, change: TypedChange) -> RunAnswer {
        let c = compile(units: all, load: true)
        let notes = render(pointingAtTyped(c.diagnostics, change), typed: change.file, decl: typedDeclaration(of: funnel))
        if c.hasErrors { return RunAnswer(notes: notes, failed: true, results: [], plan: nil) }
        let results = Driver.run(c, options: options, only: [funnel])
        return RunAnswer(notes: notes, failed: false, results: results, plan: c.plan)
    }

    /// Where a funnel typed at the prompt is declared (nil for a funnel of a loaded file).
    func typedDeclaration(of name: String) -> (file: SourceFile, span: SourceSpan)? {
        guard let (i, j, _) = funnelDecl(name), units[i].file.path == Workspace.inputPath else { return nil }
        return (units[i].file, units[i].program.declarations[j].span)
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
