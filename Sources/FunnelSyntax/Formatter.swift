import FunnelDiagnostics

/// `funnel fmt`: one canonical layout for `.funnel` files.
///
/// - Declarations are separated by one blank line; inside a block, items are indented by two
///   spaces, one per line, with at most one blank line kept between them.
/// - A block written on one line stays on one line when it fits in `maxInlineWidth` characters
///   (items separated by two spaces); otherwise it gets one item per line.
/// - `step` lines of a funnel, and the settings of a source, align their `=`.
/// - Inside an item, tokens are spaced canonically: one space around binary operators and `=`,
///   after commas, none inside brackets, before `(` of a call, around `.` or before `:`.
/// - Comments stay where they were: a comment on its own line before the item that follows it,
///   a trailing comment at the end of its item's line. An item with a comment inside it is kept
///   as written, so no comment moves.
///
/// Tokens are printed as written (strings keep their escapes), so the meaning never changes;
/// the tests check that examples compile to the same plan before and after, and that formatting
/// twice changes nothing.
public enum Formatter {
    public static let maxInlineWidth = 100

    /// The formatted text, or nil with the diagnostics when the file does not parse.
    public static func format(_ file: SourceFile) -> (text: String?, diagnostics: [Diagnostic]) {
        let (program, diagnostics) = Parser.parse(file)
        if diagnostics.contains(where: \.isError) { return (nil, diagnostics) }
        let tokens = Lexer.tokenize(file).tokens
        var printer = Printer(file: file, tokens: tokens)
        let text = printer.print(program)
        // The same tokens in the same order, and every comment kept: otherwise refuse rather than change a file.
        let again = SourceFile(path: file.path, text: text)
        let retokenized = Lexer.tokenize(again).tokens
        let sameTokens = retokenized.map(\.kind) == tokens.map(\.kind)
            && zip(retokenized, tokens).allSatisfy { again.text(of: $0.span) == file.text(of: $1.span) }
        let sameComments = Printer.findComments(again, retokenized).map(\.text) == printer.comments.map(\.text)
        guard sameTokens && sameComments else {
            return (nil, [Diagnostic(.error, .internalError, "internal error: formatting would change the file's tokens or comments; it was left as it is",
                                     at: .file(path: file.path), help: "this is a bug in funnel, please report it with the file")])
        }
        return (text, diagnostics)
    }

    struct Comment {
        var start: Int, end: Int
        /// Nothing but blanks before it on its line.
        var ownLine: Bool
        var text: String
    }

    struct Printer {
        let file: SourceFile
        let tokens: [Token]
        let comments: [Comment]
        var out = ""
        /// Comments before this offset are printed.
        var printedUpTo = 0

        init(file: SourceFile, tokens: [Token]) {
            self.file = file
            self.tokens = tokens.filter { $0.kind != .endOfFile }
            self.comments = Printer.findComments(file, tokens)
        }

        /// Comments live in the gaps between tokens, which hold nothing else.
        static func findComments(_ file: SourceFile, _ tokens: [Token]) -> [Comment] {
            let b = file.bytes
            var found: [Comment] = []
            var gapStart = 0
            for t in tokens + [Token(.endOfFile, SourceSpan(b.count, b.count), startsLine: true)] {
                var i = gapStart
                while i < min(t.span.start, b.count) {
                    if b[i] == UInt8(ascii: "#") {
                        var j = i
                        while j < b.count && b[j] != 10 { j += 1 }
                        var k = i - 1
                        while k >= 0 && (b[k] == 32 || b[k] == 9) { k -= 1 }
                        var end = j
                        while end > i && (b[end - 1] == 13 || b[end - 1] == 32 || b[end - 1] == 9) { end -= 1 }
                        found.append(Comment(start: i, end: j, ownLine: k < 0 || b[k] == 10,
                                             text: String(decoding: b[i..<end], as: UTF8.self)))
                        i = j
                    } else { i += 1 }
                }
                gapStart = t.span.end
            }
            return found
        }

        func line(_ offset: Int) -> Int { file.location(of: offset).line }

        /// Blank lines in the source between two offsets (0 or more).
        func blankLines(from a: Int, to b: Int) -> Int {
            guard a < b else { return 0 }
            var lines = 0, blank = 0, sawText = false
            for c in file.bytes[a..<b] {
                if c == 10 { if !sawText && lines > 0 { blank += 1 }; lines += 1; sawText = false }
                else if c != 32 && c != 9 && c != 13 { sawText = true }
            }
            return blank
        }

        /// Segment (or measure) start → the width its run of consecutive one-line segments (or measures) pads names to.
        var segmentWidth: [Int: Int] = [:]

        mutating func alignSegments(_ program: Program) {
            var run: [(start: Int, name: String)] = []
            var lastEnd: Int? = nil
            func flush() {
                let width = run.map(\.name.count).max() ?? 0
                for r in run { segmentWidth[r.start] = width }
                run = []
            }
            var runKeyword = ""
            for d in program.declarations {
                let named: (keyword: String, name: Name)?
                switch d.kind {
                case .segment(let name, _): named = ("segment", name)
                case .measure(let name, _): named = ("measure", name)
                default: named = nil
                }
                guard let (keyword, name) = named, !hasInnerComment(d.span),
                      line(d.span.start) == line(max(d.span.start, d.span.end - 1)) else { flush(); lastEnd = nil; continue }
                if let e = lastEnd, keyword != runKeyword || blankLines(from: e, to: d.span.start) > 0
                    || !commentsBetween(e, d.span.start).filter(\.ownLine).isEmpty { flush() }
                runKeyword = keyword
                run.append((d.span.start, file.text(of: name.span)))
                lastEnd = d.span.end
            }
            flush()
        }

        mutating func print(_ program: Program) -> String {
            alignSegments(program)
            var previousEnd: Int? = nil
            var previousSpannedLines = false
            for d in program.declarations {
                // One blank line between declarations where the source had one or either takes several lines.
                let spansLines = line(d.span.start) != line(max(d.span.start, d.span.end - 1))
                let separate = previousEnd.map { p in blankLines(from: p, to: d.span.start) > 0 || previousSpannedLines || spansLines } ?? false
                emitOwnLineComments(before: d.span.start, indent: "", previousEnd: previousEnd, forceBlank: separate)
                if separate, !out.isEmpty, !out.hasSuffix("\n\n"), commentsBetween(previousEnd ?? 0, d.span.start).filter(\.ownLine).isEmpty { out += "\n" }
                let text = declaration(d)
                previousSpannedLines = text.contains("\n")
                out += text
                printedUpTo = max(printedUpTo, d.span.end)
                out += trailingComment(after: d.span.end)
                out += "\n"
                previousEnd = d.span.end
            }
            emitOwnLineComments(before: file.bytes.count + 1, indent: "", previousEnd: previousEnd, forceBlank: previousEnd != nil)
            while out.hasSuffix("\n\n") { out.removeLast() }
            return out
        }

        func commentsBetween(_ a: Int, _ b: Int) -> [Comment] { comments.filter { $0.start >= a && $0.start < b } }

        /// Own-line comments before `offset` not yet printed, each on its line; a blank line is
        /// kept where the source had one (and forced before the first after a declaration).
        mutating func emitOwnLineComments(before offset: Int, indent: String, previousEnd: Int?, forceBlank: Bool) {
            var last = previousEnd
            var first = true
            for c in comments where c.start >= printedUpTo && c.start < offset && c.ownLine {
                if let l = last, (blankLines(from: l, to: c.start) > 0 || (first && forceBlank)), !out.isEmpty, !out.hasSuffix("\n\n"), !out.hasSuffix("{\n") {
                    out += "\n"
                }
                out += indent + c.text + "\n"
                last = c.end
                first = false
                printedUpTo = c.end
            }
            if let l = last, l != previousEnd, blankLines(from: l, to: offset) > 0, offset <= file.bytes.count, !out.hasSuffix("\n\n") { out += "\n" }
            printedUpTo = max(printedUpTo, min(offset, file.bytes.count))
        }

        /// A comment on the same line right after `offset`, as "  # …".
        mutating func trailingComment(after offset: Int) -> String {
            guard let c = comments.first(where: { $0.start >= offset && !$0.ownLine && line($0.start) == line(max(0, offset - 1)) }),
                  !tokens.contains(where: { $0.span.start >= offset && $0.span.start < c.start }) else { return "" }
            printedUpTo = max(printedUpTo, c.end)
            return "  " + c.text
        }

        /// True when a comment starts inside the span: the item is then printed as written.
        func hasInnerComment(_ span: SourceSpan) -> Bool { comments.contains { $0.start > span.start && $0.start < span.end } }

        func verbatim(_ span: SourceSpan) -> String { file.text(of: span) }

        // MARK: declarations

        mutating func declaration(_ d: Decl) -> String {
            switch d.kind {
            case .source(let s), .users(let s): return source(s, d)
            case .funnel(let f): return funnel(f, d)
            case .segment(let name, _):
                if hasInnerComment(d.span) { return verbatim(d.span) }
                guard let width = segmentWidth[d.span.start], let eq = tokenIndex(of: "=", in: d.span) else { return spaced(d.span) }
                return "segment " + file.text(of: name.span).padding(width) + " = " + spaced(SourceSpan(tokens[eq].span.end, d.span.end))
            case .importFile: return hasInnerComment(d.span) ? verbatim(d.span) : spaced(d.span)
            case .measure(let name, _):
                if hasInnerComment(d.span) { return verbatim(d.span) }
                guard let width = segmentWidth[d.span.start], let eq = tokenIndex(of: "=", in: d.span) else { return spaced(d.span) }
                return "measure " + file.text(of: name.span).padding(width) + " = " + spaced(SourceSpan(tokens[eq].span.end, d.span.end))
            case .test, .tier: return verbatim(d.span)
            }
        }

        mutating func source(_ s: SourceDecl, _ d: Decl) -> String {
            guard let open = tokenIndex(of: "{", in: d.span) else { return spaced(d.span) }
            let head = spaced(SourceSpan(d.span.start, tokens[open].span.end)) + trailingComment(after: tokens[open].span.end)
            let plain = s.settings.filter { !$0.isTypeDeclaration }
            let width = plain.map(\.key.text.count).max() ?? 0
            // `time = t format "…"`: the format is part of the value.
            func valueText(_ st: Setting) -> String { file.text(of: st.valueSpan) + (st.format.map { " format " + file.text(of: $0.span) } ?? "") }
            let items: [(text: String, span: SourceSpan)] = s.settings.map { st in
                let span = st.key.span.to(st.format?.span ?? st.valueSpan)
                let key = file.text(of: st.key.span)
                let value = valueText(st)
                let text: String
                switch st.value {
                case .type: text = "\(key): \(value)"
                case .column: text = key.padding(width) + " = " + value
                case .string: text = key.padding(width) + " " + value
                }
                return (text, span)
            }
            return block(head: head, items: items, span: d.span, inlineItems: s.settings.map { st in
                let key = file.text(of: st.key.span), value = valueText(st)
                switch st.value { case .type: return "\(key): \(value)"; case .column: return "\(key) = \(value)"; case .string: return "\(key) \(value)" }
            })
        }

        mutating func funnel(_ f: FunnelDecl, _ d: Decl) -> String {
            guard let open = tokenIndex(of: "{", in: d.span) else { return spaced(d.span) }
            let head = spaced(SourceSpan(d.span.start, tokens[open].span.end)) + trailingComment(after: tokens[open].span.end)
            // Consecutive `step` lines, and consecutive `kpi` lines, align their `=`.
            var texts = f.clauses.map { keepsLayout($0) ? verbatim($0.span) : spaced($0.span) }
            var run: [Int] = []
            func align() {
                let width = run.compactMap { named(f.clauses[$0])?.name }.map(\.count).max() ?? 0
                for i in run {
                    guard let (keyword, name) = named(f.clauses[i]), !hasInnerComment(f.clauses[i].span),
                          let eq = tokenIndex(of: "=", in: f.clauses[i].span) else { continue }
                    let rest = spaced(SourceSpan(tokens[eq].span.end, f.clauses[i].span.end))
                    texts[i] = keyword + " " + name.padding(width) + " = " + rest
                }
                run = []
            }
            for (i, c) in f.clauses.enumerated() {
                let adjacent = run.last.map { j in
                    named(f.clauses[j])?.keyword == named(c)?.keyword && blankLines(from: f.clauses[j].span.end, to: c.span.start) == 0
                        && commentsBetween(f.clauses[j].span.end, c.span.start).filter(\.ownLine).isEmpty
                } ?? true
                if named(c) != nil && adjacent { run.append(i) } else { align(); if named(c) != nil { run.append(i) } }
            }
            align()
            let inline = f.clauses.map { keepsLayout($0) ? verbatim($0.span) : spaced($0.span) }
            return block(head: head, items: Array(zip(texts, f.clauses.map(\.span))), span: d.span, inlineItems: inline)
        }

        /// A clause printed as written: one with a comment inside, or a profile's columns over several lines.
        func keepsLayout(_ c: Clause) -> Bool {
            if hasInnerComment(c.span) { return true }
            if case .profile = c.kind { return file.text(of: c.span).contains("\n") }
            return false
        }

        /// `step NAME = …` and `kpi NAME = …`: the keyword and the name.
        func named(_ c: Clause) -> (keyword: String, name: String)? {
            switch c.kind {
            case .step(let name, _, _): return ("step", file.text(of: name.span))
            case .kpi(let name, _, _): return ("kpi", file.text(of: name.span))
            default: return nil
            }
        }

        /// `head {` items `}`: on one line when written so and short enough, else one item per line.
        mutating func block(head: String, items: [(text: String, span: SourceSpan)], span: SourceSpan, inlineItems: [String]) -> String {
            if items.isEmpty { return head + " }" }
            let oneLine = line(span.start) == line(max(span.start, span.end - 1)) && !hasInnerComment(span)
            let inline = head + " " + inlineItems.joined(separator: "  ") + " }"
            if oneLine && inline.count <= Formatter.maxInlineWidth && !inline.contains("\n") { return inline }
            var text = head + "\n"
            var previousEnd = items[0].span.start
            let saved = out
            // Trailing comments of consecutive items start in one column (runs end at blank lines and own-line comments).
            var trailing = items.map { trailingComment(after: $0.span.end) }
            var runStart = 0
            for k in 0...items.count {
                let breaks = k == items.count || (k > 0 && (blankLines(from: items[k - 1].span.end, to: items[k].span.start) > 0
                    || !commentsBetween(items[k - 1].span.end, items[k].span.start).filter(\.ownLine).isEmpty))
                guard breaks else { continue }
                let run = runStart..<k
                let width = run.filter { !items[$0].text.contains("\n") }.map { items[$0].text.count }.max() ?? 0
                for i in run where !trailing[i].isEmpty && !items[i].text.contains("\n") {
                    trailing[i] = String(repeating: " ", count: width - items[i].text.count) + trailing[i]
                }
                runStart = k
            }
            for (k, item) in items.enumerated() {
                out = ""
                emitOwnLineComments(before: item.span.start, indent: "  ", previousEnd: k == 0 ? nil : previousEnd, forceBlank: false)
                if k > 0 && blankLines(from: previousEnd, to: item.span.start) > 0 && commentsBetween(previousEnd, item.span.start).filter(\.ownLine).isEmpty { text += "\n" }
                text += out
                printedUpTo = max(printedUpTo, item.span.end)
                text += "  " + item.text + trailing[k] + "\n"
                previousEnd = item.span.end
            }
            out = ""
            emitOwnLineComments(before: span.end - 1, indent: "  ", previousEnd: previousEnd, forceBlank: false)
            text += out + "}"
            out = saved
            return text
        }

        // MARK: tokens

        func tokenIndex(of punct: String, in span: SourceSpan) -> Int? {
            tokens.firstIndex { $0.span.start >= span.start && $0.span.end <= span.end && $0.kind == .punct(punct) }
        }

        /// The tokens inside `span`, as written, with canonical spaces between them.
        func spaced(_ span: SourceSpan) -> String {
            let inside = tokens.filter { $0.span.start >= span.start && $0.span.end <= span.end }
            var text = ""
            var previous: Token? = nil
            var previousIsUnary = false
            for t in inside {
                if let p = previous, space(between: p, t, previousIsUnaryMinus: previousIsUnary) { text += " " }
                previousIsUnary = t.kind == .punct("-") && isUnaryPosition(after: previous)
                text += file.text(of: t.span)
                previous = t
            }
            return text
        }

        static let wordOperators: Set<String> = Set(Keywords.operators + Keywords.clauses + Keywords.declarations)

        func isUnaryPosition(after p: Token?) -> Bool {
            guard let p = p else { return true }
            switch p.kind {
            case .punct(let s): return s != ")" && s != "]"
            case .identifier(let w): return Printer.wordOperators.contains(w)
            default: return false
            }
        }

        func space(between p: Token, _ t: Token, previousIsUnaryMinus: Bool) -> Bool {
            if previousIsUnaryMinus { return false }
            if case .punct(let s) = t.kind, [",", ")", "]", ".", ":"].contains(s) { return false }
            if case .punct(let s) = p.kind, ["(", "[", "."].contains(s) { return false }
            if t.kind == .punct("("), case .identifier(let w) = p.kind, !Printer.wordOperators.contains(w) || Keywords.functions.contains(w) { return false }
            return true
        }
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
