import FunnelDiagnostics

/// An LSP position: a 0-based line and a column counted in UTF-16 code units (the protocol's
/// default encoding, which every client supports), whatever the document's characters are.
struct Position: Equatable {
    var line: Int
    var character: Int

    var json: JSON { ["line": .int(line), "character": .int(character)] }

    init(line: Int, character: Int) { self.line = line; self.character = character }

    /// Reads `{line, character}`; nil when either is missing or not a whole number.
    init?(_ json: JSON?) {
        guard let l = json?["line"]?.int, let c = json?["character"]?.int else { return nil }
        self.init(line: l, character: c)
    }
}

/// Converts between the byte offsets of the compiler's spans and LSP positions for one text.
struct LineIndex {
    let file: SourceFile

    /// The position of a byte offset (clamped to the text).
    func position(of offset: Int) -> Position {
        let b = file.bytes, starts = file.lineStarts
        let o = max(0, min(offset, b.count))
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        var units = 0
        for i in starts[lo]..<o { units += LineIndex.utf16Units(startingWith: b[i]) }
        return Position(line: lo, character: units)
    }

    /// The byte offset of a position. A column past the end of its line means the line's end, a
    /// line past the last means the end of the text, and a column inside a character that takes
    /// two UTF-16 units (an emoji) means the start of that character.
    func offset(of p: Position) -> Int {
        let b = file.bytes, starts = file.lineStarts
        guard p.line >= 0 else { return 0 }
        guard p.line < starts.count else { return b.count }
        let lineEnd = p.line + 1 < starts.count ? starts[p.line + 1] - 1 : b.count
        var i = starts[p.line], units = 0
        while i < lineEnd && units < p.character {
            let length = LineIndex.utf8Length(startingWith: b[i])
            let u = length == 4 ? 2 : 1
            if units + u > p.character { break }
            units += u
            i = min(i + length, lineEnd)
        }
        return i
    }

    /// A span as an LSP range.
    func range(of span: SourceSpan) -> JSON {
        ["start": position(of: span.start).json, "end": position(of: span.end).json]
    }

    /// The range of the whole text.
    var whole: JSON { range(of: SourceSpan(0, file.bytes.count)) }

    /// UTF-16 units of the character a byte starts: none for a continuation byte, two for a
    /// four-byte sequence (a surrogate pair), else one.
    static func utf16Units(startingWith byte: UInt8) -> Int {
        if byte & 0xC0 == 0x80 { return 0 }
        return byte >= 0xF0 ? 2 : 1
    }

    /// Bytes of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    static func utf8Length(startingWith byte: UInt8) -> Int {
        if byte >= 0xF0 { return 4 }
        if byte >= 0xE0 { return 3 }
        if byte >= 0xC0 { return 2 }
        return 1
    }
}
