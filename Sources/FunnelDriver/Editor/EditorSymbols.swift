import FunnelDiagnostics
import FunnelSyntax

/// One entry of a document's outline: a declaration, or a step or KPI inside a funnel.
public struct EditorSymbol: Sendable, Equatable {
    public enum Kind: String, Sendable { case source, users, segment, importFile, funnel, step, kpi, test }
    public var name: String
    /// A short description shown beside the name: the data file, a step's predicate, a KPI's formula.
    public var detail: String
    public var kind: Kind
    /// The whole declaration or clause, and the name within it (byte offsets into the document).
    public var span: SourceSpan
    public var nameSpan: SourceSpan
    public var children: [EditorSymbol] = []
}

extension EditorDocument {
    /// The document's declarations in order: sources, the users table, segments, imports,
    /// funnels with their steps and KPIs, tests.
    var symbols: [EditorSymbol] {
        main.program.declarations.map { d in
            switch d.kind {
            case .source(let s):
                return EditorSymbol(name: s.name.text, detail: "\(s.format.text)(\"\(s.path)\")", kind: .source, span: d.span, nameSpan: s.name.span)
            case .users(let s):
                return EditorSymbol(name: "users", detail: "\(s.format.text)(\"\(s.path)\")", kind: .users, span: d.span, nameSpan: s.name.span)
            case .segment(let n, let e), .measure(let n, let e):
                return EditorSymbol(name: n.text, detail: EditorDocument.oneLine(file.text(of: e.span)), kind: .segment, span: d.span, nameSpan: n.span)
            case .tier(let t):
                return EditorSymbol(name: t.name.text, detail: "tier: " + (t.cases.map { "\"\($0.label)\"" } + (t.otherwise.map { ["\"\($0.label)\""] } ?? [])).joined(separator: ", "),
                                    kind: .segment, span: d.span, nameSpan: t.name.span)
            case .importFile(let path, let span):
                return EditorSymbol(name: path, detail: "import", kind: .importFile, span: d.span, nameSpan: span)
            case .funnel(let f):
                let children = f.clauses.compactMap { c -> EditorSymbol? in
                    switch c.kind {
                    case .step(let n, let p, _):
                        return EditorSymbol(name: n.text, detail: EditorDocument.oneLine(file.text(of: p.span)), kind: .step, span: c.span, nameSpan: n.span)
                    case .kpi(let n, let e, _):
                        return EditorSymbol(name: n.text, detail: EditorDocument.oneLine(file.text(of: e.span)), kind: .kpi, span: c.span, nameSpan: n.span)
                    default: return nil
                    }
                }
                let steps = children.filter { $0.kind == .step }.map(\.name).joined(separator: " → ")
                return EditorSymbol(name: f.name.text, detail: steps, kind: .funnel, span: d.span, nameSpan: f.name.span, children: children)
            case .test(let t):
                return EditorSymbol(name: t.name, detail: "test for \(t.funnel.text)", kind: .test, span: d.span, nameSpan: t.nameSpan)
            }
        }
    }

    /// Text shown on one line of an outline: blanks folded, long text cut.
    static func oneLine(_ text: String, limit: Int = 80) -> String {
        let folded = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return folded.count > limit ? String(folded.prefix(limit - 1)) + "…" : folded
    }
}
