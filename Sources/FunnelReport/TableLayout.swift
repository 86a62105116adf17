/// The characters the terminal table decorates with, in UTF-8 or in plain ASCII (a terminal whose
/// locale is not UTF-8 shows UTF-8 bytes as mojibake, so every decoration has an ASCII twin).
/// Data values and the user's own source text are never translated: they are shown as they are.
struct Glyphs {
    var full: String
    var empty: String
    var arrow: String
    /// Between the two ends of a histogram bucket: 2m–5m.
    var range: String
    var marker: String
    /// The marker when the long one does not fit.
    var shortMarker: String
    var ellipsis: String
    var times: String
    /// Between a group's KPIs: `conversion 12.78% · aov 40.12`.
    var between: String

    static let unicode = Glyphs(full: "█", empty: "░", arrow: "→", range: "–", marker: "◀ biggest drop", shortMarker: "◀",
                                ellipsis: "…", times: "×", between: " · ")
    static let ascii = Glyphs(full: "#", empty: ".", arrow: "->", range: "-", marker: "<- biggest drop", shortMarker: "<-",
                              ellipsis: "...", times: "x", between: "; ")
}

/// A column of a text table, and how it gives way when the table is wider than the terminal.
struct Column {
    var title: String
    var cells: [String]
    var right = false
    /// Columns drop, lowest rank first, when nothing else can give way; nil: never dropped.
    var dropRank: Int? = nil
    /// A column of names (a step, a group's value) may be cut, with an ellipsis, as the last resort.
    var cuttable = false
}

/// How a family of tables is narrowed to fit a width: the same choice for every table of the
/// family, so a funnel's whole table and its groups' tables show the same columns.
struct Layout: Equatable {
    /// Characters of the bar; 0: no bar.
    var bar: Int
    var shortMarker = false
    /// Titles of the columns left out, in the order they were dropped.
    var dropped: [String] = []
    /// The width cuttable columns are cut to (nil: not cut).
    var cut: Int? = nil

    static let minimumBar = 10
    /// A cut name keeps at least this many characters: shorter, it says nothing.
    static let minimumCut = 6

    /// The first layout whose widest line fits, trying what loses least first: the bar shrinks
    /// (to `minimumBar`), the marker loses its words (the line under the table names the step),
    /// the bar goes, then columns drop, least important first, and names are cut last.
    /// `lines` renders the family under a layout; `ranks` are the droppable titles, first to go first.
    static func fit(_ start: Layout, width: Int?, ranks: [String], lines: (Layout) -> [String]) -> Layout {
        guard let width = width else { return start }
        func over(_ l: Layout) -> Int { (lines(l).map(\.columns).max() ?? 0) - width }
        var l = start
        if over(l) <= 0 { return l }
        if l.bar > 0 {
            l.bar = max(minimumBar, l.bar - over(l))
            if over(l) <= 0 { return l }
            l.shortMarker = true
            if over(l) <= 0 { return l }
            l.bar = 0
        }
        l.shortMarker = true
        for title in ranks where over(l) > 0 { l.dropped.append(title) }
        return over(l) <= 0 ? l : cutNames(l, over: over)
    }

    /// Cuts the name columns as little as fits (a binary search: a shorter cut is never wider),
    /// no shorter than `minimumCut`.
    private static func cutNames(_ l: Layout, over: (Layout) -> Int) -> Layout {
        var cut = l
        var (low, high) = (minimumCut, 1000)
        while low < high {
            let mid = (low + high + 1) / 2
            cut.cut = mid
            if over(cut) <= 0 { low = mid } else { high = mid - 1 }
        }
        cut.cut = low
        return cut
    }
}

/// Aligned text tables: cells padded by the columns they take on a terminal, two spaces between
/// columns, trailing spaces trimmed.
enum TextTable {
    /// The header line and one line per row of `columns` (the columns of a layout, already chosen).
    static func lines(_ columns: [Column], indent: String, cut: Int?, ellipsis: String) -> (header: String, rows: [String]) {
        let cols = columns.map { c -> Column in
            guard c.cuttable, let n = cut else { return c }
            var cut = c
            cut.cells = c.cells.map { $0.clipped(to: n, ellipsis: ellipsis) }
            cut.title = c.title.clipped(to: n, ellipsis: ellipsis)
            return cut
        }
        let widths = cols.map { c in c.cells.reduce(c.title.columns) { max($0, $1.columns) } }
        func line(_ cells: [String]) -> String {
            indent + cells.enumerated().map { i, c in cols[i].right ? c.leftPad(widths[i]) : c.padding(widths[i]) }
                .joined(separator: "  ").trimmingTrailing()
        }
        let rowCount = cols.map(\.cells.count).max() ?? 0
        let rows = (0..<rowCount).map { r in line(cols.map { r < $0.cells.count ? $0.cells[r] : "" }) }
        return (line(cols.map(\.title)), rows)
    }

    /// Text as lines of at most `width` columns: words move to the next line (indented two more
    /// than the first), and a word longer than a whole line is split. Without a width, or when
    /// it fits, one line; never none.
    static func wrap(_ text: String, indent: String, width: Int?) -> [String] {
        let first = indent + text
        guard let width = width, first.columns > width else { return [first] }
        let hanging = indent + "  "
        var lines: [String] = []
        var line = indent
        var fresh = true
        for (spaces, word) in words(text) {
            if !fresh && (line + spaces + word).columns <= width { line += spaces + word; continue }
            if !fresh { lines.append(line); line = hanging }
            var rest = Substring(word)
            while line.columns + rest.columns > width, line.columns < width {
                let room = width - line.columns
                let (head, tail) = rest.split(atColumns: room)
                lines.append(line + head)
                line = hanging
                rest = tail
            }
            line += rest
            fresh = false
        }
        lines.append(line)
        return lines
    }

    /// Words of a text with the spaces before each (kept, so "a  b" keeps its two spaces).
    private static func words(_ text: String) -> [(spaces: String, word: String)] {
        var out: [(String, String)] = []
        var spaces = "", word = ""
        for c in text {
            if c == " " {
                if !word.isEmpty { out.append((spaces, word)); spaces = ""; word = "" }
                spaces.append(c)
            } else { word.append(c) }
        }
        if !word.isEmpty || !spaces.isEmpty { out.append((spaces, word)) }
        return out
    }
}

extension StringProtocol {
    /// Columns the text takes on a terminal: East Asian wide characters and emoji take two, ANSI
    /// colour sequences none. Padding and the width limit count these, not characters.
    var columns: Int {
        var n = 0
        var inEscape = false
        for c in self {
            if inEscape { if c.isLetter { inEscape = false }; continue }
            if c == "\u{1B}" { inEscape = true; continue }
            n += c.isWide ? 2 : 1
        }
        return n
    }
}

extension Substring {
    /// The longest head taking at most `n` columns (at least one character), and the rest.
    func split(atColumns n: Int) -> (Substring, Substring) {
        var used = 0
        var end = startIndex
        while end < endIndex {
            let w = self[end].isWide ? 2 : 1
            if used + w > n && end > startIndex { break }
            used += w
            end = index(after: end)
        }
        return (self[..<end], self[end...])
    }
}

extension Character {
    /// Shown two columns wide: East Asian Wide and Fullwidth characters, and emoji.
    var isWide: Bool {
        guard let u = unicodeScalars.first else { return false }
        if u.properties.isEmojiPresentation { return true }
        switch u.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default: return false
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { columns >= n ? self : self + String(repeating: " ", count: n - columns) }
    func leftPad(_ n: Int) -> String { columns >= n ? self : String(repeating: " ", count: n - columns) + self }
    func trimmingTrailing() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
    /// The line cut to `n` columns, ending in the ellipsis, colour sequences kept (and reset at
    /// the cut): the last resort when nothing else makes a table fit.
    func clippedLine(to n: Int, ellipsis: String) -> String {
        guard columns > n else { return self }
        var out = "", used = 0, inEscape = false, painted = false
        for c in self {
            if c == "\u{1B}" { inEscape = true }
            if inEscape {
                out.append(c)
                painted = true
                if c.isLetter { inEscape = false }
                continue
            }
            let w = c.isWide ? 2 : 1
            if used + w > n - ellipsis.columns { break }
            out.append(c)
            used += w
        }
        return out + ellipsis + (painted ? "\u{1B}[0m" : "")
    }

    /// At most `n` columns: cut, ending in the ellipsis, when longer.
    func clipped(to n: Int, ellipsis: String) -> String {
        guard columns > n else { return self }
        return String(Substring(self).split(atColumns: max(1, n - ellipsis.columns)).0) + ellipsis
    }
}
