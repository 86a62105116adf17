import FunnelDriver

/// `textDocument/documentSymbol`: the outline, as a tree (funnels hold their steps and KPIs).
extension LanguageServer {
    func documentSymbols(_ params: JSON) throws -> JSON {
        guard let document = try document(params) else { return .null }
        return .array(project.symbols(path: document.path, texts: documents.texts).map { symbol($0, document) })
    }

    func symbol(_ s: EditorSymbol, _ document: OpenDocument) -> JSON {
        // Clients reject an empty name, and the selection must lie inside the whole range.
        let whole = s.span.to(s.nameSpan)
        var o: [String: JSON] = [
            "name": .string(s.name.isEmpty ? "(unnamed)" : s.name),
            "kind": .int(LanguageServer.symbolKind(s.kind)),
            "range": document.lines.range(of: whole),
            "selectionRange": document.lines.range(of: s.nameSpan),
        ]
        if !s.detail.isEmpty { o["detail"] = .string(s.detail) }
        if !s.children.isEmpty { o["children"] = .array(s.children.map { symbol($0, document) }) }
        return .object(o)
    }

    /// LSP's SymbolKind numbers.
    static func symbolKind(_ k: EditorSymbol.Kind) -> Int {
        switch k {
        case .source, .users: return 23   // Struct: a table of columns
        case .segment: return 13          // Variable
        case .importFile: return 2        // Module
        case .funnel: return 12           // Function
        case .step: return 24             // Event
        case .kpi: return 7               // Property
        case .test: return 6              // Method
        }
    }
}
