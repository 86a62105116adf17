extension LanguageServer {
    /// The answer to `initialize`: what this server offers.
    func initialize(_ params: JSON) -> JSON {
        // A client that lists the hover formats it shows and leaves out Markdown gets plain text.
        if let formats = params["capabilities"]?["textDocument"]?["hover"]?["contentFormat"]?.array {
            markdownHover = formats.contains(.string("markdown"))
        }
        return [
            "capabilities": [
                // Columns are UTF-16 code units, the encoding every client supports.
                "positionEncoding": "utf-16",
                // Full sync (1): each change sends the whole text, which is then checked again.
                "textDocumentSync": ["openClose": true, "change": 1, "save": ["includeText": false]],
                "completionProvider": ["triggerCharacters": ["\"", ".", "/"], "resolveProvider": false],
                "hoverProvider": true,
                "definitionProvider": true,
                "documentFormattingProvider": true,
                "documentSymbolProvider": true,
            ],
            "serverInfo": ["name": "funnel", "version": .string(version)],
        ]
    }
}
