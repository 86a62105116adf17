import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Messages over standard input and output, framed by the base protocol. A thread reads and
/// frames standard input into the queue; `send` writes one whole frame at a time. Standard
/// output carries nothing else: logs go to standard error.
final class StdioTransport: @unchecked Sendable {
    let queue = MessageQueue()
    private let writeLock = NSLock()
    /// Set when standard output cannot be written (the client is gone).
    private(set) var broken = false
    let log: @Sendable (String) -> Void

    init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
        // A client that closes its end makes writes fail with EPIPE instead of ending the process.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Starts the reader thread.
    func start() {
        let queue = self.queue, log = self.log
        let thread = Thread {
            var framer = MessageFramer()
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                framer.append(chunk[0..<n])
                while let frame = framer.next() {
                    switch frame {
                    case .message(let body): queue.push(Incoming(body: body))
                    case .malformed(let why):
                        log("malformed message header: \(why)")
                        queue.push(.invalid(id: .null, error: .parseError("malformed message header: \(why)")))
                    }
                }
            }
            queue.close()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Writes one message; false when standard output is gone.
    @discardableResult
    func send(_ message: JSON) -> Bool {
        let body = message.encoded()
        let frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
        writeLock.lock()
        defer { writeLock.unlock() }
        guard !broken else { return false }
        var written = 0
        while written < frame.count {
            let n = frame.withUnsafeBytes { write(1, $0.baseAddress.map { $0 + written }, frame.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                broken = true
                log("cannot write to standard output: \(String(cString: strerror(errno)))")
                return false
            }
            written += n
        }
        return true
    }
}
