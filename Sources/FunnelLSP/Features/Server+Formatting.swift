import FunnelDriver

/// `textDocument/formatting`: `funnel fmt`'s layout, as one edit of the whole document. A
/// document that does not parse is left as it is (no edit); its errors are already shown.
extension LanguageServer {
    func formatting(_ params: JSON) throws -> JSON {
        guard let document = try document(params) else { return .null }
        let (formatted, _) = Driver.format(text: document.text, path: document.path)
        guard let text = formatted, text != document.text else { return [] }
        return [["range": document.lines.whole, "newText": .string(text)]]
    }
}
