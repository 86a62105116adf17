import Foundation
import FunnelDriver
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `funnel lsp`: a language server for `.funnel` files over standard input and output
/// (JSON-RPC 2.0, LSP 3.17). Messages are handled one at a time, in order, on one thread; the
/// compiler answers from the unsaved text of the open documents, with the data kept in memory.
public final class LanguageServer {
    let transport: StdioTransport
    let version: String
    let verbose: Bool
    var documents = OpenDocuments()
    let project = EditorProject()
    var initialized = false
    var shutdownRequested = false
    /// Whether the client shows Markdown in hovers (else plain text is sent).
    var markdownHover = true

    init(version: String, verbose: Bool) {
        self.version = version
        self.verbose = verbose
        self.transport = StdioTransport(log: { line in fputs("funnel lsp: \(line)\n", stderr) })
    }

    /// Serves until `exit` (or the end of the input). Returns the exit status: 0 when `shutdown`
    /// came first, 1 otherwise (LSP's rule).
    public static func run(version: String, verbose: Bool = false) -> Int32 {
        let server = LanguageServer(version: version, verbose: verbose)
        server.log("serving on standard input and output")
        server.transport.start()
        return server.serve()
    }

    func log(_ line: String) { transport.log(line) }

    func serve() -> Int32 {
        while let message = transport.queue.pop() {
            if transport.broken { break }
            switch message {
            case .invalid(let id, let error):
                log("refused a message: \(error.message)")
                reply(id, error: error)
            case .response:
                continue
            case .notification(let method, let params):
                if method == "exit" { return shutdownRequested ? 0 : 1 }
                // Before `initialize`, notifications are dropped (LSP's rule); `exit` still ends the server.
                guard initialized else { continue }
                handle(notification: method, params)
            case .request(let id, let method, let params):
                handle(request: method, id: id, params)
            }
        }
        log("the input ended")
        return shutdownRequested ? 0 : 1
    }

    func handle(request method: String, id: JSON, _ params: JSON) {
        if verbose { log("request \(method)") }
        if transport.queue.removeFirst(where: { Self.cancels($0, id) }) != nil { return reply(id, error: .requestCancelled) }
        if shutdownRequested { return reply(id, error: .invalidRequest("the server is shutting down: only 'exit' is accepted")) }
        if method == "initialize" {
            if initialized { return reply(id, error: .invalidRequest("'initialize' was already received")) }
            initialized = true
            return reply(id, result: initialize(params))
        }
        guard initialized else { return reply(id, error: .serverNotInitialized) }
        do {
            switch method {
            case "shutdown":
                shutdownRequested = true
                reply(id, result: .null)
            case "textDocument/completion": reply(id, result: try completion(params))
            case "textDocument/hover": reply(id, result: try hover(params))
            case "textDocument/definition": reply(id, result: try definition(params))
            case "textDocument/formatting": reply(id, result: try formatting(params))
            case "textDocument/documentSymbol": reply(id, result: try documentSymbols(params))
            default: reply(id, error: .methodNotFound(method))
            }
        } catch let e as RPCError {
            reply(id, error: e)
        } catch {
            reply(id, error: .internalError("\(error)"))
        }
    }

    func handle(notification method: String, _ params: JSON) {
        if verbose { log("notification \(method)") }
        do {
            switch method {
            case "textDocument/didOpen": try didOpen(params)
            case "textDocument/didChange": try didChange(params)
            case "textDocument/didSave": try didSave(params)
            case "textDocument/didClose": try didClose(params)
            default: break   // `initialized`, `$/…` and others need nothing; notifications get no reply
            }
        } catch {
            log("\(method): \((error as? RPCError)?.message ?? "\(error)")")
        }
    }

    /// A `$/cancelRequest` for this id, still waiting its turn.
    static func cancels(_ m: Incoming, _ id: JSON) -> Bool {
        if case .notification("$/cancelRequest", let p) = m { return p["id"] == id }
        return false
    }

    func reply(_ id: JSON, result: JSON) {
        transport.send(["jsonrpc": "2.0", "id": id, "result": result])
    }

    func reply(_ id: JSON, error: RPCError) {
        transport.send(["jsonrpc": "2.0", "id": id, "error": ["code": .int(error.code), "message": .string(error.message)]])
    }

    func notify(_ method: String, _ params: JSON) {
        transport.send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }
}
