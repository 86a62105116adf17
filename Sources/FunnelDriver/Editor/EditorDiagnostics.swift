import Foundation
import FunnelDiagnostics
import FunnelSema
import FunnelSyntax

/// A finding of a check, with the place in the checked document where an editor shows it.
public struct EditorDiagnostic: Sendable {
    public var diagnostic: Diagnostic
    /// Byte offsets into the document: the diagnostic's own span when it is about this text;
    /// for a finding in an imported file or a data file, the `import` or data path that leads to it.
    public var span: SourceSpan
    /// False when the finding is about another file (its own place is `diagnostic.location`).
    public var inDocument: Bool
}

extension EditorDocument {
    /// Where a diagnostic shows in this document.
    func place(_ d: Diagnostic) -> EditorDiagnostic {
        let key = EditorDocument.key(file.path)
        switch d.location {
        case .source(let f, let span)? where EditorDocument.key(f.path) == key:
            return EditorDiagnostic(diagnostic: d, span: span, inDocument: true)
        case .file(let p)? where EditorDocument.key(p) == key:
            return EditorDiagnostic(diagnostic: d, span: SourceSpan(0, 0), inDocument: true)
        case nil:
            return EditorDiagnostic(diagnostic: d, span: SourceSpan(0, 0), inDocument: true)
        case .source(let f, _)?:
            return EditorDiagnostic(diagnostic: d, span: importLeading(to: f.path) ?? SourceSpan(0, 0), inDocument: false)
        case .data(let p, _, _, _)?, .file(let p)?:
            return EditorDiagnostic(diagnostic: d, span: dataPathLeading(to: p) ?? SourceSpan(0, 0), inDocument: false)
        }
    }

    /// Paths compared as the compiler sees them.
    static func key(_ path: String) -> String { (normalizePath(path) as NSString).standardizingPath }

    /// The `import` of this document through which `path` is read (directly or by a chain of imports).
    func importLeading(to path: String) -> SourceSpan? {
        let target = EditorDocument.key(path)
        let byPath = Dictionary(units.map { (EditorDocument.key($0.file.path), $0) }, uniquingKeysWith: { a, _ in a })
        func imports(_ unit: CompilationUnit) -> [(path: String, span: SourceSpan)] {
            unit.program.declarations.compactMap { d in
                if case .importFile(let p, let span) = d.kind { return (EditorDocument.key(EditorDocument.resolve(p, in: unit)), span) }
                return nil
            }
        }
        for (first, span) in imports(main) {
            var seen: Set<String> = [], queue = [first]
            while let next = queue.popLast() {
                if next == target { return span }
                guard seen.insert(next).inserted, let unit = byPath[next] else { continue }
                queue += imports(unit).map(\.path)
            }
        }
        return nil
    }

    /// The data path in this document that names `path`, or the import of the file that does.
    func dataPathLeading(to path: String) -> SourceSpan? {
        let target = EditorDocument.key(path)
        for unit in units {
            for d in unit.program.declarations {
                let s: SourceDecl
                switch d.kind {
                case .source(let x), .users(let x): s = x
                default: continue
                }
                guard EditorDocument.key(EditorDocument.resolve(s.path, in: unit)) == target else { continue }
                return unit.file === main.file ? s.pathSpan : importLeading(to: unit.file.path)
            }
        }
        return nil
    }
}
