/// Renders diagnostics the way compilers do:
/// ```
/// shop.funnel:4:15: error[E201]: unknown step 'prchase'
///   4 |   kpi conv = prchase / view
///     |              ^^^^^^^
///   help: did you mean 'purchase'?
/// ```
public struct DiagnosticRenderer: Sendable {
    public var color: Bool
    public init(color: Bool = false) { self.color = color }

    private func paint(_ s: String, _ style: String) -> String { FunnelDiagnostics.paint(s, style, color) }

    public func render(_ d: Diagnostic) -> String {
        var lines = QuotedLines()
        return render(d, &lines)
    }

    /// A source line as quoted under its diagnostics: split into characters only when it may be
    /// longer than the window, pictured whole only when it is not.
    struct QuotedLine {
        let length: Int
        let chars: [Character]?
        let pictured: String?
        init(_ text: String) {
            if text.utf8.count > DiagnosticRenderer.maxLineWidth {
                let chars = Array(text)
                self.chars = chars; length = chars.count
                pictured = chars.count > DiagnosticRenderer.maxLineWidth ? nil : DiagnosticRenderer.pictured(text)
            } else {
                chars = nil; length = text.count; pictured = DiagnosticRenderer.pictured(text)
            }
        }
    }

    /// The lines quoted so far in one `render` of several diagnostics (many are on one line).
    struct QuotedLines {
        var byLine: [ObjectIdentifier: [Int: QuotedLine]] = [:]
        mutating func line(_ n: Int, of file: SourceFile) -> QuotedLine {
            if let q = byLine[ObjectIdentifier(file)]?[n] { return q }
            let q = QuotedLine(file.lineText(n))
            byLine[ObjectIdentifier(file), default: [:]][n] = q
            return q
        }
    }

    func render(_ d: Diagnostic, _ lines: inout QuotedLines) -> String {
        var out = ""
        let label = paint("\(d.severity.rawValue)[\(d.code.rawValue)]", d.isError ? "1;31" : "1;33")
        // A place in a source is located once, for the head and the quoted line.
        let position = d.position
        var head = ""
        if let p = position {
            head = p.line > 0 ? "\(p.path):\(p.line):\(p.column): " : "\(p.path): "
        }
        out += "\(head)\(label): \(paint(DiagnosticRenderer.named(d.message), "1"))\n"
        switch d.location {
        case .source(let file, let span)?:
            let (line, col) = position.map { ($0.line, $0.column) } ?? file.location(of: span.start)
            let quoted = lines.line(line, of: file)
            let gutter = String(line)
            let pad = String(repeating: " ", count: gutter.count)
            // The caret covers the span on its first line, at least one character.
            let (endLine, endCol) = file.location(of: span.end)
            var width = endLine == line ? max(1, endCol - col) : max(1, quoted.length - col + 1)
            var shown = quoted.pictured ?? "", caret = col
            if let chars = quoted.chars, chars.count > DiagnosticRenderer.maxLineWidth {
                // A very long line is shown as a window of 160 characters around the caret,
                // with its control characters pictured like a short line's.
                let from = min(max(0, col - 1 - 40), max(0, chars.count - DiagnosticRenderer.maxLineWidth))
                let to = min(chars.count, from + DiagnosticRenderer.maxLineWidth)
                shown = (from > 0 ? "…" : "") + DiagnosticRenderer.pictured(String(chars[from..<to])) + (to < chars.count ? "…" : "")
                caret = col - from + (from > 0 ? 1 : 0)
                width = max(1, min(width, to - (col - 1)))
            }
            out += "  \(gutter) | \(shown)\n"
            out += "  \(pad) | \(String(repeating: " ", count: max(0, caret - 1)))\(paint(String(repeating: "^", count: width), "1;32"))\n"
        case .data(_, let line, let col, let text?)?:
            let gutter = String(line)
            let pad = String(repeating: " ", count: gutter.count)
            let shown = DiagnosticRenderer.pictured(text.count > 160 ? String(text.prefix(160)) + "…" : text)
            out += "  \(gutter) | \(shown)\n"
            if col >= 1 && col <= 161 {
                out += "  \(pad) | \(String(repeating: " ", count: col - 1))\(paint("^", "1;32"))\n"
            }
        default: break
        }
        if let help = d.help { out += "  \(paint("help", "1;36")): \(DiagnosticRenderer.named(help, keepingLineBreaks: true))\n" }
        return out
    }

    /// Control characters from the input never reach the terminal raw (they could move the
    /// cursor or change colours). In messages each is named, as `U+0007`.
    static func named(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && !(keepingLineBreaks && $0 == "\n") }) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            if isControl(u) && !(keepingLineBreaks && u == "\n") {
                let hex = String(u.value, radix: 16, uppercase: true)
                out += "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// In a quoted line each control character becomes one visible character (its Unicode
    /// "control picture", ␀ for NUL; a tab a space), so the caret below still lines up.
    static func pictured(_ line: String) -> String {
        guard line.unicodeScalars.contains(where: isControl) else { return line }
        var out = ""
        for u in line.unicodeScalars {
            switch u.value {
            case 0x09: out += " "
            case 0x00..<0x20: out.unicodeScalars.append(Unicode.Scalar(0x2400 + u.value) ?? "?")
            case 0x7F: out += "\u{2421}"
            case 0x80..<0xA0: out += "\u{FFFD}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 && u.value != 0x09 || (0x7F..<0xA0).contains(u.value) }

    /// Source lines longer than this are shown as a window around the caret.
    public static let maxLineWidth = 160

    /// At most this many diagnostics are printed per file; a line then counts the rest.
    public static let maxPerFile = 100

    /// Renders diagnostics, at most `maxPerFile` per file, each file's overflow counted in a last line.
    public func render(_ ds: [Diagnostic]) -> String {
        var out = ""
        var shown: [String: Int] = [:]
        var hidden: [(path: String, count: Int)] = []
        var lines = QuotedLines()
        for d in ds {
            let path = d.path ?? ""
            let k = shown[path, default: 0]
            if k < DiagnosticRenderer.maxPerFile {
                shown[path] = k + 1
                out += render(d, &lines)
            } else if let i = hidden.firstIndex(where: { $0.path == path }) {
                hidden[i].count += 1
            } else {
                hidden.append((path, 1))
            }
        }
        for h in hidden {
            out += "\(h.path.isEmpty ? "" : "\(h.path): ")… and \(h.count) more\n"
        }
        return out
    }

    /// "2 errors, 1 warning"
    public static func summary(_ ds: [Diagnostic]) -> String {
        let e = ds.filter(\.isError).count, w = ds.count - e
        func n(_ k: Int, _ word: String) -> String { "\(k) \(word)\(k == 1 ? "" : "s")" }
        return [e > 0 ? n(e, "error") : nil, w > 0 ? n(w, "warning") : nil].compactMap { $0 }.joined(separator: ", ")
    }
}
