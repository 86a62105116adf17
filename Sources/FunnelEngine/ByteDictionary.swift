/// Dictionary-encodes byte strings to dense codes 0, 1, 2 ... in order of first
/// appearance. Open addressing over a hash of 8-byte words; keys live in one arena.
public struct ByteDictionary {
    private var slots: [Int32]          // code + 1, or 0 for empty
    private var hashes: [UInt64] = []   // per code
    private var offsets: [Int] = [0]    // arena offsets per code (count + 1)
    private var arena: [UInt8] = []
    private var mask: Int

    public init(capacity: Int = 64) {
        var n = 64
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: 0, count: n)
        mask = n - 1
    }

    public var count: Int { offsets.count - 1 }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(n &+ 1)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        return h
    }

    /// The code of a key, adding it when new. `isNew` tells the caller to validate it once.
    @inline(__always)
    public mutating func code(_ p: UnsafePointer<UInt8>, _ n: Int, isNew: inout Bool) -> UInt32 {
        let h = ByteDictionary.hash(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = slots[s]
            if c == 0 { break }
            let code = Int(c - 1)
            if hashes[code] == h {
                let o = offsets[code], len = offsets[code + 1] - o
                if len == n && arena.withUnsafeBufferPointer({ buf in
                    guard let base = buf.baseAddress else { return n == 0 }
                    return memEqual(base + o, p, n)
                }) {
                    isNew = false
                    return UInt32(code)
                }
            }
            s = (s + 1) & mask
        }
        let code = count
        slots[s] = Int32(code + 1)
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        offsets.append(arena.count)
        isNew = true
        if count * 2 > mask { grow() }
        return UInt32(code)
    }

    public mutating func code(of s: String) -> UInt32 {
        var isNew = false
        let bytes = Array(s.utf8) + [0]   // never empty, so the buffer has an address
        return bytes.withUnsafeBufferPointer { buf in
            code(buf.baseAddress.unsafelyUnwrapped, buf.count - 1, isNew: &isNew)
        }
    }

    /// The code of a key if present.
    public func lookup(_ s: String) -> UInt32? {
        let bytes = Array(s.utf8)
        for code in 0..<count {
            let o = offsets[code], len = offsets[code + 1] - o
            if len == bytes.count && Array(arena[o..<(o + len)]) == bytes { return UInt32(code) }
        }
        return nil
    }

    private mutating func grow() {
        let n = (mask + 1) * 2
        slots = [Int32](repeating: 0, count: n)
        mask = n - 1
        for code in 0..<count {
            var s = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(code + 1)
        }
    }

    public func bytes(of code: Int) -> ArraySlice<UInt8> { arena[offsets[code]..<offsets[code + 1]] }
    public func string(of code: Int) -> String { String(decoding: bytes(of: code), as: UTF8.self) }
    public var strings: [String] { (0..<count).map { string(of: $0) } }
}

@inline(__always)
func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n { if a[i] != b[i] { return false }; i += 1 }
    return true
}

/// Whether bytes are valid UTF-8 (checked once per distinct dictionary key).
func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        let c = p[i]
        if c < 0x80 { i += 1; continue }
        var need = 0
        if c & 0xE0 == 0xC0, c >= 0xC2 { need = 1 } else if c & 0xF0 == 0xE0 { need = 2 } else if c & 0xF8 == 0xF0, c <= 0xF4 { need = 3 } else { return false }
        if i + need >= n { return false }
        for k in 1...need where p[i + k] & 0xC0 != 0x80 { return false }
        i += need + 1
    }
    return true
}
