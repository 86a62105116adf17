import Foundation
import FunnelDiagnostics
import FunnelDriver

/// `textDocument/hover` and `textDocument/definition`.
extension LanguageServer {
    func hover(_ params: JSON) throws -> JSON {
        guard let (document, offset) = try place(params),
              let h = project.hover(path: document.path, texts: documents.texts, offset: offset) else { return .null }
        var parts: [String] = []
        if let code = h.code { parts.append(markdownHover ? "```funnel\n\(code)\n```" : code) }
        parts += markdownHover ? h.lines : h.lines.map { $0.replacingOccurrences(of: "**", with: "") }
        return [
            "contents": ["kind": .string(markdownHover ? "markdown" : "plaintext"), "value": .string(parts.joined(separator: "\n\n"))],
            "range": document.lines.range(of: h.span),
        ]
    }

    func definition(_ params: JSON) throws -> JSON {
        guard let (document, offset) = try place(params),
              let target = project.definition(path: document.path, texts: documents.texts, offset: offset) else { return .null }
        // The target may be another file (an import, a segment declared there, a data file): its
        // positions come from its open text, else from the file on disk.
        let lines: LineIndex
        if let open = documents.document(atPath: target.path) { lines = open.lines }
        else if target.span == SourceSpan(0, 0) { lines = LineIndex(file: SourceFile(path: target.path, text: "")) }
        else { lines = LineIndex(file: SourceFile(path: target.path, text: LanguageServer.read(target.path))) }
        return ["uri": .string(documents.uri(forPath: target.path)), "range": lines.range(of: target.span)]
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
