import Foundation
import FunnelDiagnostics

/// A document the client has open: its text as last sent (full sync), and where it is on disk,
/// since data paths and imports are resolved from the document's folder.
struct OpenDocument {
    let uri: String
    let path: String
    var version: Int?
    var lines: LineIndex

    var text: String { lines.file.text }

    init(uri: String, path: String, version: Int?, text: String) {
        self.uri = uri; self.path = path; self.version = version
        self.lines = LineIndex(file: SourceFile(path: path, text: text))
    }

    mutating func replace(text: String, version: Int?) {
        lines = LineIndex(file: SourceFile(path: path, text: text))
        if let v = version { self.version = v }
    }
}

/// The open documents by URI.
struct OpenDocuments {
    private(set) var byURI: [String: OpenDocument] = [:]

    subscript(uri: String) -> OpenDocument? {
        get { byURI[uri] }
        set { byURI[uri] = newValue }
    }

    /// Every open document's unsaved text by path: the compiler reads these instead of the disk.
    var texts: [String: String] {
        Dictionary(byURI.values.map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a })
    }

    func document(atPath path: String) -> OpenDocument? {
        let key = (path as NSString).standardizingPath
        return byURI.values.first { ($0.path as NSString).standardizingPath == key }
    }

    /// The URI to name a file by: an open document's own URI, else a `file://` URI.
    func uri(forPath path: String) -> String {
        document(atPath: path)?.uri ?? URL(fileURLWithPath: path).absoluteString
    }

    /// The file a URI names. A URI of another scheme (an unsaved "untitled:" buffer) is placed
    /// in the server's working folder, so relative data paths resolve from there.
    static func path(forURI uri: String) -> String? {
        guard let url = URL(string: uri), let scheme = url.scheme else { return nil }
        if scheme == "file" {
            let p = url.path
            return p.isEmpty ? nil : p
        }
        let name = uri.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        return FileManager.default.currentDirectoryPath + "/" + String(name)
    }
}
