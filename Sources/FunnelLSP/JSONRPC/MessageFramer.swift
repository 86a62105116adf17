/// The LSP base protocol: each message is a header block (`Content-Length: N`, optionally
/// `Content-Type`, lines ended by CRLF, then an empty line) followed by N bytes of JSON.
/// Bytes arrive in pieces of any size; the framer keeps what it has not used yet. A header block
/// without a usable length cannot say where its body ends, so after one the framer skips ahead
/// to the next `Content-Length` header and reading goes on from there.
struct MessageFramer {
    enum Frame: Equatable {
        /// One message body.
        case message([UInt8])
        /// A header block that could not be used, and why.
        case malformed(String)
    }

    /// Bodies above this size are refused (a wrong header must not make the server wait forever).
    static let maxBodyBytes = 64 << 20
    /// A header block is a few dozen bytes; this much without its end is not one.
    static let maxHeaderBytes = 8 << 10

    private var buffer: [UInt8] = []
    /// Skipping bytes until the next `Content-Length` header.
    private var resyncing = false

    mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// The next complete frame, or nil when more bytes are needed.
    mutating func next() -> Frame? {
        if resyncing {
            guard let start = MessageFramer.find(MessageFramer.lengthHeader, in: buffer, caseInsensitive: true) else {
                // Keep a tail that may be the start of the header, split between two reads.
                buffer.removeFirst(max(0, buffer.count - MessageFramer.lengthHeader.count))
                return nil
            }
            buffer.removeFirst(start)
            resyncing = false
        }
        // Blank lines between messages are tolerated.
        let leading = buffer.prefix { $0 == 13 || $0 == 10 }.count
        if leading > 0 { buffer.removeFirst(leading) }
        guard let (headerEnd, bodyStart) = MessageFramer.headerEnd(in: buffer) else {
            if buffer.count > MessageFramer.maxHeaderBytes {
                return skip(past: 1, because: "no header block ending in an empty line within \(MessageFramer.maxHeaderBytes) bytes")
            }
            return nil
        }
        let header = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var length: Int? = nil
        var lengthText: String? = nil
        for line in header.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingBlanks.lowercased() == "content-length" {
                lengthText = String(line[line.index(after: colon)...].trimmingBlanks)
                length = lengthText.flatMap { Int($0) }
            }
        }
        guard let text = lengthText else {
            // Stray bytes glued to the front of a real header: drop them and read the header.
            if let at = MessageFramer.find(MessageFramer.lengthHeader, in: Array(buffer[..<headerEnd]), caseInsensitive: true), at > 0 {
                buffer.removeFirst(at)
                return .malformed("bytes that are not a header came before Content-Length")
            }
            return skip(past: bodyStart, because: "the header has no Content-Length")
        }
        guard let n = length, n >= 0 else { return skip(past: bodyStart, because: "Content-Length '\(text)' is not a byte count") }
        guard n <= MessageFramer.maxBodyBytes else {
            return skip(past: bodyStart, because: "Content-Length \(n) is above the limit of \(MessageFramer.maxBodyBytes) bytes")
        }
        guard buffer.count - bodyStart >= n else { return nil }
        let body = Array(buffer[bodyStart..<(bodyStart + n)])
        buffer.removeFirst(bodyStart + n)
        return .message(body)
    }

    /// Drops `count` bytes, then skips to the next `Content-Length` header.
    private mutating func skip(past count: Int, because why: String) -> Frame {
        buffer.removeFirst(min(count, buffer.count))
        resyncing = true
        return .malformed(why)
    }

    static let lengthHeader = Array("content-length".utf8)

    /// Where the header block ends and where the body starts: after CRLF CRLF (or, leniently, LF LF).
    static func headerEnd(in b: [UInt8]) -> (Int, Int)? {
        var i = 0
        while i + 1 < b.count {
            if b[i] == 10 && b[i + 1] == 10 { return (i, i + 2) }
            if i + 3 < b.count && b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return (i, i + 4) }
            i += 1
        }
        return nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], caseInsensitive: Bool) -> Int? {
        guard hay.count >= needle.count else { return nil }
        func lower(_ c: UInt8) -> UInt8 { caseInsensitive && c >= 65 && c <= 90 ? c + 32 : c }
        for i in 0...(hay.count - needle.count) where lower(hay[i]) == needle[0] {
            if (1..<needle.count).allSatisfy({ lower(hay[i + $0]) == needle[$0] }) { return i }
        }
        return nil
    }
}

extension Substring {
    var trimmingBlanks: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
