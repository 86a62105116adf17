import FunnelDiagnostics
import FunnelDriver

/// `textDocument/completion`: keywords, names of the document, columns and event names.
extension LanguageServer {
    func completion(_ params: JSON) throws -> JSON {
        guard let (document, offset) = try place(params) else { return .null }
        let found = project.completions(path: document.path, texts: documents.texts, offset: offset)
        // Each item replaces what was typed of the word (or of the string) up to the cursor.
        let range = document.lines.range(of: SourceSpan(found.start, offset))
        let items: [JSON] = found.items.enumerated().map { i, item in
            var o: [String: JSON] = [
                "label": .string(item.label),
                "kind": .int(LanguageServer.completionKind(item.kind)),
                "sortText": .string(LanguageServer.sortKey(i)),
                "textEdit": ["range": range, "newText": .string(item.label)],
            ]
            if let detail = item.detail { o["detail"] = .string(detail) }
            return .object(o)
        }
        return ["isIncomplete": false, "items": .array(items)]
    }

    /// Keeps the server's order (most relevant first) when the client sorts by text.
    static func sortKey(_ i: Int) -> String {
        let digits = String(i)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    /// LSP's CompletionItemKind numbers.
    static func completionKind(_ k: EditorCompletions.Item.Kind) -> Int {
        switch k {
        case .keyword: return 14
        case .step: return 23      // Event
        case .kpi: return 12       // Value
        case .segment: return 6    // Variable
        case .funnel: return 3     // Function
        case .source: return 9     // Module
        case .column: return 5     // Field
        case .event: return 20     // EnumMember: a value of the event column
        case .value: return 12     // Value
        case .file: return 17      // File
        }
    }
}
