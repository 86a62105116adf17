/// What the requests about a place in a document share.
extension LanguageServer {
    /// The open document a request names; nil for a document that is not open (the request
    /// then answers null, as for a place with nothing to say).
    func document(_ params: JSON) throws -> OpenDocument? {
        guard let uri = params["textDocument"]?["uri"]?.string else { throw RPCError.invalidParams("the request needs textDocument.uri") }
        guard let d = documents[uri] else {
            log("a request about '\(uri)', which is not open")
            return nil
        }
        return d
    }

    /// The open document and the byte offset of `position` in it.
    func place(_ params: JSON) throws -> (document: OpenDocument, offset: Int)? {
        let d = try document(params)
        guard let position = Position(params["position"]) else { throw RPCError.invalidParams("the request needs position.line and position.character") }
        return d.map { ($0, $0.lines.offset(of: position)) }
    }
}
