import Foundation
import Testing

/// A scripted LSP client for the real `funnel lsp`: it starts the built binary (as `CLI.run`
/// finds it), writes framed JSON-RPC messages to its standard input and reads framed messages
/// from its standard output. Every wait has a timeout, so a server that hangs fails the test
/// instead of stalling the suite.
final class LSPClient: @unchecked Sendable {
    typealias Object = [String: Any]

    let process = Process()
    private let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    /// Bytes read from the server's standard output and not yet framed; guarded by `arrived`.
    private var unread: [UInt8] = []
    private var ended = false
    private let arrived = NSCondition()
    /// Messages read while waiting for another one (notifications, mostly), oldest first.
    private(set) var pending: [Object] = []
    private var nextID = 1
    /// What the server logged, for failure messages.
    private let logged = LogBuffer()
    final class LogBuffer: @unchecked Sendable { var data = Data(); let lock = NSLock() }

    static let timeout = 30.0

    init(arguments: [String] = ["lsp"]) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: CLI.repo)
        process.standardInput = stdin; process.standardOutput = stdout; process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading, err = stderr.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = out.availableData
                arrived.lock()
                if chunk.isEmpty { ended = true } else { unread += chunk }
                arrived.broadcast()
                arrived.unlock()
                if chunk.isEmpty { return }
            }
        }
        let logged = self.logged
        Thread.detachNewThread {
            while true {
                let chunk = err.availableData
                if chunk.isEmpty { return }
                logged.lock.lock(); logged.data += chunk; logged.lock.unlock()
            }
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var log: String {
        logged.lock.lock(); defer { logged.lock.unlock() }
        return String(decoding: logged.data, as: UTF8.self)
    }

    // MARK: writing

    /// Writes bytes as they are (to send broken frames).
    func sendRaw(_ bytes: [UInt8]) {
        try? stdin.fileHandleForWriting.write(contentsOf: Data(bytes))
    }

    func send(_ message: Object) {
        guard let body = try? JSONSerialization.data(withJSONObject: message) else {
            Issue.record("cannot encode \(message)")
            return
        }
        sendRaw(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + Array(body))
    }

    func notify(_ method: String, _ params: Object = [:]) {
        send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Sends a request and waits for its response (other messages are kept in `pending`).
    func request(_ method: String, _ params: Object = [:]) -> Object? {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        return response(to: id)
    }

    /// The `result` of a request, or nil (recorded as an issue) when it failed or never came.
    func result(_ method: String, _ params: Object = [:], sourceLocation: SourceLocation = #_sourceLocation) -> Any? {
        guard let r = request(method, params) else {
            Issue.record("no response to \(method); server log:\n\(log)", sourceLocation: sourceLocation)
            return nil
        }
        if let e = r["error"] { Issue.record("\(method) failed: \(e)", sourceLocation: sourceLocation) }
        return r["result"]
    }

    // MARK: reading

    /// The response with this id.
    func response(to id: Any) -> Object? {
        message { m in m["method"] == nil && LSPClient.same(m["id"], id) }
    }

    /// The next notification of this method (one already read first).
    func notification(_ method: String) -> Object? {
        message { $0["method"] as? String == method && $0["id"] == nil }
    }

    /// The next message that matches, waiting up to `timeout` seconds.
    func message(timeout: Double = LSPClient.timeout, where match: (Object) -> Bool) -> Object? {
        if let i = pending.firstIndex(where: match) { return pending.remove(at: i) }
        let deadline = Date().addingTimeInterval(timeout)
        while let m = nextMessage(until: deadline) {
            if match(m) { return m }
            pending.append(m)
        }
        return nil
    }

    /// Reads one framed message; nil at the deadline or when the output ended.
    private func nextMessage(until deadline: Date) -> Object? {
        arrived.lock()
        defer { arrived.unlock() }
        while true {
            if let (body, used) = LSPClient.frame(unread) {
                unread.removeFirst(used)
                guard let m = (try? JSONSerialization.jsonObject(with: Data(body))) as? Object else {
                    Issue.record("the server wrote a body that is not a JSON object: \(String(decoding: body, as: UTF8.self))")
                    return nil
                }
                return m
            }
            if ended || !arrived.wait(until: deadline) { return nil }
        }
    }

    /// A complete frame at the start of `bytes`: its body and the bytes it takes.
    static func frame(_ bytes: [UInt8]) -> ([UInt8], Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else { return nil }
        let header = String(decoding: bytes[..<end], as: UTF8.self)
        guard let line = header.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
              let n = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return nil }
        guard bytes.count >= end + 4 + n else { return nil }
        return (Array(bytes[(end + 4)..<(end + 4 + n)]), end + 4 + n)
    }

    static func same(_ a: Any?, _ b: Any) -> Bool {
        if let x = a as? Int, let y = b as? Int { return x == y }
        if let x = a as? String, let y = b as? String { return x == y }
        return a is NSNull && b is NSNull
    }

    // MARK: lifecycle

    /// `initialize` then `initialized`; returns the initialize result.
    @discardableResult
    func initialize() -> Object? {
        let r = result("initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [:] as Object]) as? Object
        notify("initialized")
        return r
    }

    /// Waits for the process to end; its exit status, or nil (and the process is killed) at the timeout.
    func waitForExit(timeout: Double = LSPClient.timeout) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }

    func closeInput() { try? stdin.fileHandleForWriting.close() }
}
