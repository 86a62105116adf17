/// A JSON-RPC 2.0 error, as sent back in a response.
struct RPCError: Error, Equatable {
    var code: Int
    var message: String

    static func parseError(_ m: String) -> RPCError { RPCError(code: -32700, message: m) }
    static func invalidRequest(_ m: String) -> RPCError { RPCError(code: -32600, message: m) }
    static func methodNotFound(_ method: String) -> RPCError { RPCError(code: -32601, message: "unknown method '\(method)'") }
    static func invalidParams(_ m: String) -> RPCError { RPCError(code: -32602, message: m) }
    static func internalError(_ m: String) -> RPCError { RPCError(code: -32603, message: m) }
    /// LSP: a request before `initialize`.
    static let serverNotInitialized = RPCError(code: -32002, message: "the server is not initialized: send 'initialize' first")
    /// LSP: the client cancelled the request before it was handled.
    static let requestCancelled = RPCError(code: -32800, message: "the request was cancelled")
}

/// One message from the client, sorted by what it asks for.
enum Incoming {
    case request(id: JSON, method: String, params: JSON)
    case notification(method: String, params: JSON)
    /// A response to a request of ours (the server sends none, so it is ignored).
    case response
    /// Not a usable message: answered with this error, under `id` when it could be read (else null).
    case invalid(id: JSON, error: RPCError)

    /// Reads one message body.
    init(body: [UInt8]) {
        guard let json = try? JSON.parse(body) else {
            self = .invalid(id: .null, error: .parseError("the message is not valid JSON"))
            return
        }
        self.init(json)
    }

    init(_ json: JSON) {
        guard case .object(let o) = json else {
            self = .invalid(id: .null, error: .invalidRequest("a message is a JSON object (batches are not used by LSP)"))
            return
        }
        var id: JSON? = nil
        switch o["id"] {
        case nil: break
        case .int?, .string?: id = o["id"]
        case .double(let d)? where d.rounded() == d: id = o["id"]
        default:
            self = .invalid(id: .null, error: .invalidRequest("'id' must be a number or a string"))
            return
        }
        guard o["jsonrpc"] == .string("2.0") else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("'jsonrpc' must be \"2.0\""))
            return
        }
        guard let m = o["method"] else {
            if id != nil && (o["result"] != nil || o["error"] != nil) { self = .response }
            else { self = .invalid(id: id ?? .null, error: .invalidRequest("a request needs a 'method'")) }
            return
        }
        guard case .string(let method) = m else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("'method' must be a string"))
            return
        }
        let params = o["params"] ?? .null
        switch params {
        case .null, .object, .array: break
        default:
            self = .invalid(id: id ?? .null, error: .invalidParams("'params' must be an object or an array"))
            return
        }
        if let id = id { self = .request(id: id, method: method, params: params) }
        else { self = .notification(method: method, params: params) }
    }
}
