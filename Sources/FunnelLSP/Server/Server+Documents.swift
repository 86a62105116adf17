import FunnelDriver

/// Text synchronisation: the client sends each document's whole text on open and change; the
/// server checks it and publishes its diagnostics.
extension LanguageServer {
    func didOpen(_ params: JSON) throws {
        let item = params["textDocument"]
        guard let uri = item?["uri"]?.string, let text = item?["text"]?.string else {
            throw RPCError.invalidParams("didOpen needs textDocument.uri and textDocument.text")
        }
        guard let path = OpenDocuments.path(forURI: uri) else { throw RPCError.invalidParams("'\(uri)' is not a URI") }
        documents[uri] = OpenDocument(uri: uri, path: path, version: item?["version"]?.int, text: text)
        checkUnlessEditedAgain(uri)
    }

    func didChange(_ params: JSON) throws {
        guard let uri = params["textDocument"]?["uri"]?.string, let changes = params["contentChanges"]?.array else {
            throw RPCError.invalidParams("didChange needs textDocument.uri and contentChanges")
        }
        guard var document = documents[uri] else { throw RPCError.invalidParams("'\(uri)' is not open") }
        for change in changes {
            guard let text = change["text"]?.string else { throw RPCError.invalidParams("a content change has no text") }
            if let range = change["range"], let start = Position(range["start"]), let end = Position(range["end"]) {
                // A ranged change (incremental sync), accepted although full sync is what the server asks for.
                let bytes = document.lines.file.bytes
                let a = document.lines.offset(of: start), b = max(a, document.lines.offset(of: end))
                let edited = Array(bytes[..<a]) + Array(text.utf8) + Array(bytes[b...])
                document.replace(text: String(decoding: edited, as: UTF8.self), version: nil)
            } else {
                document.replace(text: text, version: nil)
            }
        }
        if let v = params["textDocument"]?["version"]?.int { document.version = v }
        documents[uri] = document
        checkUnlessEditedAgain(uri)
    }

    /// Saving changes no text, but the data beside it may have changed: check again.
    func didSave(_ params: JSON) throws {
        guard let uri = params["textDocument"]?["uri"]?.string else { throw RPCError.invalidParams("didSave needs textDocument.uri") }
        if documents[uri] != nil { checkUnlessEditedAgain(uri) }
    }

    func didClose(_ params: JSON) throws {
        guard let uri = params["textDocument"]?["uri"]?.string else { throw RPCError.invalidParams("didClose needs textDocument.uri") }
        guard let document = documents[uri] else { return }
        documents[uri] = nil
        project.close(path: document.path)
        // The diagnostics of a closed file are cleared (LSP leaves them to the server).
        notify("textDocument/publishDiagnostics", ["uri": .string(uri), "diagnostics": []])
        for other in project.documents(reading: document.path) { check(path: other) }
    }

    /// Checks a document and publishes its diagnostics, unless another edit of it is already
    /// waiting: while the user types quickly, only the latest text is checked.
    func checkUnlessEditedAgain(_ uri: String) {
        let superseded = transport.queue.contains { m in
            guard case .notification(let method, let p) = m, method == "textDocument/didChange" || method == "textDocument/didClose" else { return false }
            return p["textDocument"]?["uri"]?.string == uri
        }
        if superseded { return }
        guard let document = documents[uri] else { return }
        publishDiagnostics(of: document)
        // Open files that import this one see its new text too.
        for other in project.documents(reading: document.path) { check(path: other) }
    }

    func check(path: String) {
        if let d = documents.document(atPath: path) { publishDiagnostics(of: d) }
    }
}
