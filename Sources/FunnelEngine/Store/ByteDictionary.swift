/// Dictionary-encodes byte strings to dense codes 0, 1, 2 ... in order of first
/// appearance. Open addressing; keys of up to 16 bytes are stored in the slot itself,
/// so a lookup of a typical id touches one cache line. Longer keys live in an arena.
public struct ByteDictionary {
    /// Per slot: the key's first 16 bytes (zero-padded), its hash, its length and code + 1 (0 = empty).
    private struct Slot {
        var k0: UInt64 = 0
        var k1: UInt64 = 0
        var hash: UInt64 = 0
        var length: UInt32 = 0
        var codePlusOne: UInt32 = 0
    }
    private var slots: [Slot]
    private var mask: Int
    private var offsets: [Int] = [0]    // arena offsets per code (count + 1)
    private var arena: [UInt8] = []

    public init(capacity: Int = 64) {
        var n = 64
        while n < capacity * 2 { n <<= 1 }
        slots = [Slot](repeating: Slot(), count: n)
        mask = n - 1
    }

    public var count: Int { offsets.count - 1 }

    /// The first 16 bytes of a key as two words (zero-padded), without reading past it.
    @inline(__always)
    static func words(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UInt64, UInt64) {
        let raw = UnsafeRawPointer(p)
        if n >= 16 { return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        var w0: UInt64 = 0, w1: UInt64 = 0
        if n >= 8 {
            w0 = raw.loadUnaligned(as: UInt64.self)
            var shift: UInt64 = 0
            for i in 8..<n { w1 |= UInt64(p[i]) << shift; shift += 8 }
        } else {
            var shift: UInt64 = 0
            for i in 0..<n { w0 |= UInt64(p[i]) << shift; shift += 8 }
        }
        return (w0, w1)
    }

    @inline(__always)
    static func hash(_ w0: UInt64, _ w1: UInt64, _ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(n)
        if n > 16 {
            let raw = UnsafeRawPointer(p)
            var i = 16
            while i + 8 <= n { h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD; i += 8 }
            while i < n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01B3; i += 1 }
        }
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// The code of a key, adding it when new. `isNew` tells the caller to validate it once.
    @inline(__always)
    public mutating func code(_ p: UnsafePointer<UInt8>, _ n: Int, isNew: inout Bool) -> UInt32 {
        let (w0, w1) = ByteDictionary.words(p, n)
        let h = ByteDictionary.hash(w0, w1, p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        let found: UInt32? = slots.withUnsafeBufferPointer { sl in
            while true {
                let slot = sl[s]
                if slot.codePlusOne == 0 { return nil }
                if slot.hash == h && slot.length == UInt32(n) && slot.k0 == w0 && slot.k1 == w1 {
                    if n <= 16 || arenaEquals(Int(slot.codePlusOne - 1), p, n) { return slot.codePlusOne - 1 }
                }
                s = (s + 1) & mask
            }
        }
        if let c = found { isNew = false; return c }
        let code = count
        slots[s] = Slot(k0: w0, k1: w1, hash: h, length: UInt32(n), codePlusOne: UInt32(code + 1))
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        offsets.append(arena.count)
        isNew = true
        if count * 2 > mask { grow() }
        return UInt32(code)
    }

    private func arenaEquals(_ code: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let o = offsets[code]
        return arena.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return n == 0 }
            return memEqual(base + o, p, n)
        }
    }


    private mutating func grow() {
        let n = (mask + 1) * 2
        var fresh = [Slot](repeating: Slot(), count: n)
        let m = n - 1
        for slot in slots where slot.codePlusOne != 0 {
            var s = Int(truncatingIfNeeded: slot.hash) & m
            while fresh[s].codePlusOne != 0 { s = (s + 1) & m }
            fresh[s] = slot
        }
        slots = fresh
        mask = m
    }

    public func bytes(of code: Int) -> ArraySlice<UInt8> { arena[offsets[code]..<offsets[code + 1]] }
    public func string(of code: Int) -> String { String(decoding: bytes(of: code), as: UTF8.self) }
    public var strings: [String] { (0..<count).map { string(of: $0) } }

    /// Calls `body` with each key's bytes in code order (for merging dictionaries).
    public func forEachKey(_ body: (UnsafePointer<UInt8>, Int) -> Void) {
        arena.withUnsafeBufferPointer { buf in
            var zero: UInt8 = 0
            withUnsafePointer(to: &zero) { empty in
                for code in 0..<count {
                    let o = offsets[code], n = offsets[code + 1] - o
                    body(buf.baseAddress.map { $0 + o } ?? empty, n)
                }
            }
        }
    }
}

@inline(__always)
func memEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n { if a[i] != b[i] { return false }; i += 1 }
    return true
}

/// Whether bytes are valid UTF-8 without NUL bytes (checked once per distinct dictionary key).
@inline(__always)
func isValidText(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n { if p[i] == 0 { return false }; i += 1 }
    return isValidUTF8(p, n)
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
