import FunnelDiagnostics

/// JSON Lines: one flat JSON object per line. Strings, numbers and booleans become
/// fields; null and absent keys are missing; nested objects and arrays are kept as text.
struct JSONLReader {
    let file: MappedFile

    /// Scans one line's object, calling `field(key, value pointer, length, offset, transient)`
    /// per key (null values are not reported). Returns where the next line starts, or nil
    /// with `error` set.
    static func scanLine(_ file: MappedFile, from start: Int, error: inout Diagnostic?,
                         field: (UnsafeBufferPointer<UInt8>, UnsafePointer<UInt8>, Int, Int, Bool) -> Void) -> Int {
        let b = file.base, n = file.count
        var pos = start
        func skipSpace() { while pos < n && (b[pos] == 32 || b[pos] == 9 || b[pos] == 13) { pos += 1 } }
        func fail(_ msg: String, _ at: Int, help: String? = nil) -> Int {
            error = file.diagnostic(.malformedRecord, msg, at: at, help: help ?? "each line must be one JSON object: {\"user\": \"u1\", \"time\": \"...\", \"event\": \"view\"}")
            return n
        }
        var badEscape: (String, Int)? = nil
        /// Parses a string at pos (on the opening quote); returns (start, end, escaped).
        /// An invalid escape sets `badEscape` and returns nil.
        func string() -> (Int, Int, Bool)? {
            pos += 1
            let s = pos
            var escaped = false
            while pos < n && b[pos] != 34 {
                if b[pos] == 10 { return nil }
                if b[pos] == 92 {
                    escaped = true
                    switch JSONLReader.escapeLength(b, pos, n) {
                    case .success(let len): pos += len; continue
                    case .failure(let e): badEscape = (e.message, pos); return nil
                    }
                }
                pos += 1
            }
            guard pos < n else { return nil }
            pos += 1
            return (s, pos - 1, escaped)
        }
        skipSpace()
        guard pos < n, b[pos] == 123 else { return fail("expected a JSON object", pos) }
        pos += 1
        skipSpace()
        if pos < n && b[pos] == 125 { pos += 1 } else {
            while true {
                skipSpace()
                guard pos < n, b[pos] == 34, let (ks, ke, kesc) = string() else {
                    if let (m, at) = badEscape { return fail(m, at, help: JSONLReader.escapeHelp) }
                    return fail("expected a key in quotes", pos)
                }
                let keyBytes: [UInt8] = kesc ? unescape(b, ks, ke) : Array(UnsafeBufferPointer(start: b + ks, count: ke - ks))
                skipSpace()
                guard pos < n, b[pos] == 58 else { return fail("expected ':' after the key", pos) }
                pos += 1
                skipSpace()
                guard pos < n else { return fail("expected a value", pos) }
                let vs = pos
                let c = b[pos]
                if c == 34 {
                    guard let (s, e, esc) = string() else {
                        if let (m, at) = badEscape { return fail(m, at, help: JSONLReader.escapeHelp) }
                        return fail("unterminated string", vs)
                    }
                    keyBytes.withUnsafeBufferPointer { key in
                        if esc {
                            withTerminatedBytes(unescape(b, s, e)) { field(key, $0, $1, vs, true) }
                        } else { field(key, b + s, e - s, vs, false) }
                    }
                } else if c == 123 || c == 91 {
                    // Nested value: keep its text.
                    var depth = 0
                    while pos < n && b[pos] != 10 {
                        if b[pos] == 34 {
                            guard string() != nil else {
                                if let (m, at) = badEscape { return fail(m, at, help: JSONLReader.escapeHelp) }
                                return fail("unterminated string", pos)
                            }
                            continue
                        }
                        if b[pos] == 123 || b[pos] == 91 { depth += 1 }
                        if b[pos] == 125 || b[pos] == 93 { depth -= 1; if depth == 0 { pos += 1; break } }
                        pos += 1
                    }
                    keyBytes.withUnsafeBufferPointer { field($0, b + vs, pos - vs, vs, false) }
                } else {
                    while pos < n && b[pos] != 44 && b[pos] != 125 && b[pos] != 10 && b[pos] != 32 && b[pos] != 13 { pos += 1 }
                    let len = pos - vs
                    let isNull = len == 4 && b[vs] == 110 && b[vs + 1] == 117 && b[vs + 2] == 108 && b[vs + 3] == 108
                    if len == 0 { return fail("expected a value", vs) }
                    if !isNull && !JSONLReader.isLiteral(b + vs, len) {
                        return fail("invalid JSON value", vs, help: "text values are written in double quotes: \"...\"")
                    }
                    if !isNull { keyBytes.withUnsafeBufferPointer { field($0, b + vs, len, vs, false) } }
                }
                skipSpace()
                guard pos < n else { return fail("unterminated object", start, help: "the line ends before '}'") }
                if b[pos] == 44 { pos += 1; continue }
                if b[pos] == 125 { pos += 1; break }
                return fail("expected ',' or '}'", pos)
            }
        }
        skipSpace()
        if pos < n && b[pos] != 10 { return fail("unexpected text after the object", pos) }
        return pos < n ? pos + 1 : n
    }

    struct EscapeError: Error { let message: String }
    static let escapeHelp = "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (a surrogate only as a \\uD8xx\\uDCxx pair)"

    /// The length of the escape sequence at `k` (on the backslash), a surrogate pair as one;
    /// an error for an unknown escape, bad hex digits or a lone surrogate.
    static func escapeLength(_ b: UnsafePointer<UInt8>, _ k: Int, _ n: Int) -> Result<Int, EscapeError> {
        guard k + 1 < n else { return .failure(EscapeError(message: "unterminated string")) }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = b[j]
                switch c {
                case 48...57: v = v * 16 + UInt32(c - 48)
                case 65...70: v = v * 16 + UInt32(c - 55)
                case 97...102: v = v * 16 + UInt32(c - 87)
                default: return nil
                }
            }
            return v
        }
        switch b[k + 1] {
        case 34, 92, 47, 98, 102, 110, 114, 116: return .success(2)
        case 117:
            guard let v = hex4(k + 2) else { return .failure(EscapeError(message: "invalid \\u escape: four hex digits expected")) }
            if v >= 0xDC00 && v < 0xE000 { return .failure(EscapeError(message: "invalid \\u escape: a lone low surrogate")) }
            if v >= 0xD800 && v < 0xDC00 {
                guard k + 7 < n, b[k + 6] == 92, b[k + 7] == 117, let lo = hex4(k + 8), lo >= 0xDC00 && lo < 0xE000 else {
                    return .failure(EscapeError(message: "invalid \\u escape: a high surrogate without its low surrogate"))
                }
                return .success(12)
            }
            return .success(6)
        default:
            let c = b[k + 1]
            let shown = c >= 32 && c < 127 ? String(UnicodeScalar(c)) : "U+00" + (c < 16 ? "0" : "") + String(c, radix: 16, uppercase: true)
            return .failure(EscapeError(message: "invalid escape '\\\(shown)' in a string"))
        }
    }

    /// true, false or a JSON number.
    static func isLiteral(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        if text == "true" || text == "false" { return true }
        var i = 0
        if p[0] == 45 { i = 1 }
        guard i < n, p[i] >= 48 && p[i] <= 57 else { return false }
        while i < n {
            let c = p[i]
            if !((c >= 48 && c <= 57) || c == 46 || c == 101 || c == 69 || c == 43 || c == 45) { return false }
            i += 1
        }
        return true
    }

    /// Parses the lines that start in [from, to) into `builder`; returns where the last ends.
    func parse(from: Int, to: Int, keys: [[UInt8]], builder: ChunkBuilder) -> Int {
        let nroles = keys.count
        let fields = RowFields(roles: nroles)
        let b = file.base
        var pos = from
        var error: Diagnostic? = nil
        while pos < to && builder.error == nil {
            let lineStart = pos
            var blank = pos
            while blank < file.count && (b[blank] == 32 || b[blank] == 9 || b[blank] == 13) { blank += 1 }
            if blank >= file.count { return file.count }
            if b[blank] == 10 { pos = blank + 1; continue }
            fields.reset(at: lineStart)
            pos = JSONLReader.scanLine(file, from: pos, error: &error) { key, p, len, off, transient in
                for r in 0..<nroles where keys[r].count == key.count && keys[r].elementsEqual(key) {
                    fields.set(r, p, len, off, transient: transient)
                }
            }
            if let e = error {
                // A malformed line is a bad row: skipped and counted, or the error.
                error = nil
                if !builder.bad("invalid JSON line", e.code, e.message, at: lineStart) { builder.error = e; return file.count }
                var next = lineStart
                while next < file.count && b[next] != 10 { next += 1 }
                pos = min(file.count, next + 1)
                continue
            }
            if !builder.addRow(fields) { return file.count }
        }
        return pos
    }
}

/// Decodes JSON string escapes (\" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs).
func unescape(_ b: UnsafePointer<UInt8>, _ s: Int, _ e: Int) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(e - s)
    var i = s
    func hex4(_ k: Int) -> UInt32? {
        guard k + 4 <= e else { return nil }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            let c = b[j]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: return nil
            }
            v = v * 16 + d
        }
        return v
    }
    while i < e {
        let c = b[i]
        guard c == 92, i + 1 < e else { out.append(c); i += 1; continue }
        let x = b[i + 1]
        i += 2
        switch x {
        case 110: out.append(10)
        case 116: out.append(9)
        case 114: out.append(13)
        case 98: out.append(8)
        case 102: out.append(12)
        case 117:
            guard var v = hex4(i) else { out.append(63); continue }
            i += 4
            if v >= 0xD800 && v < 0xDC00, i + 6 <= e, b[i] == 92, b[i + 1] == 117, let lo = hex4(i + 2), lo >= 0xDC00 && lo < 0xE000 {
                v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                i += 6
            }
            let scalar = Unicode.Scalar(v) ?? "?"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default: out.append(x)
        }
    }
    return out
}
