import Foundation
import FunnelDiagnostics
import FunnelSema
import FunnelSyntax

/// The compiler as an editor (the language server) uses it: documents are checked from their
/// unsaved text with the same compile as `funnel check`, against the data files they name; the
/// data is kept between checks while it does not change. Every question is asked of a document
/// by path, with the unsaved texts of all open documents (so an open imported file counts as typed).
public final class EditorProject {
    public var options: DriverOptions
    let cache = EditorDataCache()
    /// The last compile of each document, with the texts it saw.
    var compiled: [String: (texts: [String: String], compilation: Compilation)] = [:]
    /// The figures of each document's funnels from their last run.
    var runs: [String: [String: FunnelFigures]] = [:]
    /// Per document and funnel, the texts on which a run took too long and was given up.
    var tooSlow: [String: [String: [String: String]]] = [:]

    public init(options: DriverOptions = DriverOptions()) {
        self.options = options
    }

    /// Checks a document (parse, names and types against the data, the data itself) and says
    /// where each finding shows in it.
    public func check(path: String, texts: [String: String]) -> [EditorDiagnostic] {
        let c = compile(path: path, texts: texts, reuse: false)
        let document = EditorDocument(path: path, texts: texts, options: options, cache: cache)
        return c.diagnostics.map { document.place($0) }
    }

    /// Compiles as `funnel check` does, with the data kept in the cache; the result is kept for
    /// hover, which `reuse`s it while the texts are the same (a check always looks at the data again).
    func compile(path: String, texts: [String: String], reuse: Bool) -> Compilation {
        if reuse, let last = compiled[path], last.texts == texts { return last.compilation }
        let (units, parseDiagnostics) = Driver.parseForCompile(path: path, texts: texts)
        var phases = CompilePhases(units: units, options: options, cache: nil)
        let (sources, users) = phases.resolveSources()
        let data = cache.prepare(document: path, sources: sources, users: users)
        let c = Driver.compile(units: units, parseDiagnostics: parseDiagnostics, options: options, load: true, cache: data)
        compiled[path] = (texts, c)
        return c
    }

    /// The open documents whose last check read this file (they import it), other than itself.
    public func documents(reading path: String) -> [String] {
        let key = (path as NSString).standardizingPath
        return compiled.filter { doc, last in
            doc != path && last.compilation.units.dropFirst().contains { ($0.file.path as NSString).standardizingPath == key }
        }.map(\.key).sorted()
    }

    /// A document was closed: what was kept for it goes.
    public func close(path: String) {
        compiled[path] = nil
        runs[path] = nil
        tooSlow[path] = nil
        cache.close(document: path)
    }

    /// The document's outline.
    public func symbols(path: String, texts: [String: String]) -> [EditorSymbol] {
        EditorDocument(path: path, texts: texts, options: options, cache: cache).symbols
    }

    /// Where the name (or import path) under the offset is declared.
    public func definition(path: String, texts: [String: String], offset: Int) -> EditorLocation? {
        let document = EditorDocument(path: path, texts: texts, options: options, cache: cache)
        guard let (meaning, _) = document.meaning(at: offset) else { return nil }
        switch meaning {
        case .step(_, _, let name, _, let unit), .kpi(_, _, let name, let unit): return EditorLocation(path: unit.file.path, span: name.span)
        case .segment(let name, _, let unit): return EditorLocation(path: unit.file.path, span: name.span)
        case .funnel(let f, _, let unit): return EditorLocation(path: unit.file.path, span: f.name.span)
        case .source(let s, _, let unit): return EditorLocation(path: unit.file.path, span: s.name.span)
        case .importedFile(let file), .dataFile(let file): return EditorLocation(path: file, span: SourceSpan(0, 0))
        case .column, .userColumn, .keyword: return nil
        }
    }
}

/// A place in a file: a path and a span of byte offsets (0..<0 for the start of a whole file).
public struct EditorLocation: Sendable, Equatable {
    public var path: String
    public var span: SourceSpan
}
