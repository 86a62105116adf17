import FunnelDiagnostics
import FunnelDriver

/// Diagnostics as `funnel check` reports them (same codes, messages, spans and help), published
/// for the document that was checked.
extension LanguageServer {
    func publishDiagnostics(of document: OpenDocument) {
        let found = project.check(path: document.path, texts: documents.texts)
        var params: JSON = ["uri": .string(document.uri), "diagnostics": .array(found.map { lspDiagnostic($0, in: document) })]
        if case .object(var o) = params, let v = document.version {
            o["version"] = .int(v)
            params = .object(o)
        }
        notify("textDocument/publishDiagnostics", params)
    }

    func lspDiagnostic(_ found: EditorDiagnostic, in document: OpenDocument) -> JSON {
        let d = found.diagnostic
        var message = d.message
        var related: [JSON] = []
        if !found.inDocument, let place = d.position {
            // About an imported or a data file: shown at the line that names it, saying where.
            message = place.line > 0 ? "\(place.path):\(place.line):\(place.column): \(message)" : "\(place.path): \(message)"
            related.append(["location": location(of: d), "message": .string(d.message)])
        }
        // The help goes with the message: every client shows messages, not all show related information.
        if let help = d.help { message += "\nhelp: \(help)" }
        var json: [String: JSON] = [
            "range": document.lines.range(of: found.span),
            "severity": .int(d.severity == .error ? 1 : 2),
            "code": .string(d.code.rawValue),
            "source": "funnel",
            "message": .string(message),
        ]
        if !related.isEmpty { json["relatedInformation"] = .array(related) }
        return .object(json)
    }

    /// Where a diagnostic about another file points, as an LSP location.
    func location(of d: Diagnostic) -> JSON {
        switch d.location {
        case .source(let file, let span)?:
            let lines = documents.document(atPath: file.path)?.lines ?? LineIndex(file: file)
            return ["uri": .string(documents.uri(forPath: file.path)), "range": lines.range(of: span)]
        case .data(let path, let line, let column, _)?:
            // Data positions are 1-based lines and characters of the data file.
            let p = Position(line: max(0, line - 1), character: max(0, column - 1)).json
            return ["uri": .string(documents.uri(forPath: path)), "range": ["start": p, "end": p]]
        case .file(let path)?:
            let p = Position(line: 0, character: 0).json
            return ["uri": .string(documents.uri(forPath: path)), "range": ["start": p, "end": p]]
        case nil:
            return .null
        }
    }
}
