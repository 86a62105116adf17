/// funnel's regular expressions (the `matches` operator): an RE2-style subset that runs in
/// time linear in the pattern times the text, never backtracking. The pattern is parsed
/// without recursion into a tree, compiled to a Thompson NFA program and run as a state-set
/// simulation over the text's Unicode scalars. The checker validates patterns with it and the
/// engine runs them, so both agree on what a pattern means.
///
/// Semantics: "the pattern matches somewhere in the value" (an unanchored search, like
/// RE2's partial match, DuckDB's `regexp_matches` or ClickHouse's `match`).
/// - literals; `.` (any character but `\n`); `^` `$` `\A` `\z` (start / end of the value);
///   `|`; groups `( )`, `(?: )`, `(?<name> )`, `(?P<name> )`; flags `(?i)` (case-insensitive),
///   `(?s)` (`.` matches `\n`), `(?m)` (`^` `$` at line breaks), also `(?i: )` and `(?-i)`;
/// - quantifiers `* + ?` `{n}` `{n,}` `{n,m}` (counts up to 1000) and their lazy forms
///   `*? +? ?? {n,m}?` (same yes/no answer);
/// - classes `[abc]` `[^a-z]` with ranges, escapes and `[:alpha:]`-style ASCII classes inside;
///   `\d \D \w \W \s \S` (ASCII, as in RE2); `\b \B` (ASCII word boundary);
/// - escapes `\t \n \r \f \v \a \xHH \x{H…} \uHHHH` and escaped punctuation (`\. \\ \/ \{` …).
///
/// Rejected, each with its own message: backreferences, lookaround, atomic groups,
/// possessive quantifiers, recursion, conditionals, unknown escapes or flags, unbalanced
/// parentheses or brackets, a quantifier with nothing to repeat or following another one,
/// bad ranges, counts above 1000, groups nested deeper than 256 and patterns that expand to
/// more than 50 000 instructions.
public struct LinearRegex: Sendable {
    /// The largest count in `{n}`, `{n,}`, `{n,m}`.
    public static let maxRepeat = 1000
    /// How deeply groups may nest.
    public static let maxNesting = 256
    /// The largest compiled program, repetitions expanded.
    public static let maxProgramSize = 50_000

    public let pattern: String
    let program: [Inst]
    let sets: [ScalarSet]
    /// Every match starts at the start of the value (the pattern begins with `^` or `\A`).
    let anchoredAtStart: Bool

    /// A pattern that is not in the supported subset: what is wrong, where, and what to write instead.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, e.g. "backreferences (\1) are not supported: funnel's regular expressions run in linear time (no backtracking)".
        public var reason: String
        /// A suggestion.
        public var help: String
        /// The offending part of the pattern, in Unicode scalars from its start.
        public var range: Range<Int>
        public var message: String { "invalid regular expression: " + reason }
        public var description: String { "\(message) (at character \(range.lowerBound + 1) of the pattern)" }
    }

    public init(_ pattern: String) throws {
        var parser = RegexParser(Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        compiler.emit(tree)
        compiler.program.append(Inst(.match))
        self.pattern = pattern
        self.program = compiler.program
        self.sets = compiler.sets
        self.anchoredAtStart = tree.startsWithTextStart
    }

    /// Why a pattern is refused, or nil when it is valid.
    public static func validate(_ pattern: String) -> SyntaxError? {
        do { _ = try LinearRegex(pattern); return nil } catch let e as SyntaxError { return e } catch { return nil }
    }

    /// The pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool { Matcher(self).matches(text) }

    /// Runs one pattern over many texts, reusing its state sets.
    public final class Matcher {
        let regex: LinearRegex
        var current: SparseSet
        var next: SparseSet
        var stack: [UInt32] = []

        public init(_ regex: LinearRegex) {
            self.regex = regex
            current = SparseSet(regex.program.count)
            next = SparseSet(regex.program.count)
        }

        public func matches(_ text: String) -> Bool {
            var clist = current, nlist = next, stack = self.stack
            current = SparseSet(0); next = SparseSet(0); self.stack = []
            defer { current = clist; next = nlist; self.stack = stack }
            let program = regex.program, sets = regex.sets, anchored = regex.anchoredAtStart
            clist.clear()
            var scalars = text.unicodeScalars.makeIterator()
            var prev = noScalar
            var cur = scalars.next()?.value ?? noScalar
            var atStart = true
            while true {
                if !anchored || atStart {
                    if addThread(&clist, 0, prev, cur, program, &stack) { return true }
                } else if clist.count == 0 {
                    return false
                }
                if cur == noScalar { return false }
                let following = scalars.next()?.value ?? noScalar
                nlist.clear()
                for k in 0..<clist.count {
                    let pc = Int(clist.dense[k])
                    let inst = program[pc]
                    let ok: Bool
                    switch inst.op {
                    case .char: ok = cur == inst.x
                    case .charFold: ok = cur == inst.x || cur == inst.y || (cur >= 0x80 && Fold.key(cur) == Fold.key(inst.x))
                    case .any: ok = cur != 10
                    case .anyNewline: ok = true
                    case .set: ok = sets[Int(inst.x)].contains(cur)
                    default: continue
                    }
                    if ok && addThread(&nlist, UInt32(pc + 1), cur, following, program, &stack) { return true }
                }
                swap(&clist, &nlist)
                prev = cur
                cur = following
                atStart = false
            }
        }

        /// Adds `pc` and everything reachable from it without reading a character to `set`;
        /// true when that reaches the end of the pattern (a match).
        @inline(__always)
        func addThread(_ set: inout SparseSet, _ pc0: UInt32, _ prev: UInt32, _ cur: UInt32, _ program: [Inst], _ stack: inout [UInt32]) -> Bool {
            stack.removeAll(keepingCapacity: true)
            stack.append(pc0)
            while let pc = stack.popLast() {
                if set.contains(pc) { continue }
                set.insert(pc)
                let inst = program[Int(pc)]
                switch inst.op {
                case .jump: stack.append(inst.x)
                case .split: stack.append(inst.y); stack.append(inst.x)
                case .assert:
                    if Assertion(rawValue: UInt8(inst.x))!.holds(prev, cur) { stack.append(pc + 1) }
                case .match: return true
                default: break
                }
            }
            return false
        }
    }
}

/// No character: before the start or after the end of the text.
let noScalar: UInt32 = .max

// MARK: - Program

enum Opcode: UInt8 { case char, charFold, any, anyNewline, set, split, jump, assert, match }

struct Inst: Sendable {
    var op: Opcode
    /// char: the scalar; charFold: its lower case (y: upper case); set: the set's index;
    /// split: the preferred branch; jump: the target; assert: the assertion.
    var x: UInt32 = 0
    /// split: the other branch.
    var y: UInt32 = 0
    init(_ op: Opcode, _ x: UInt32 = 0, _ y: UInt32 = 0) { self.op = op; self.x = x; self.y = y }
}

enum Assertion: UInt8, Sendable {
    case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary

    func holds(_ prev: UInt32, _ cur: UInt32) -> Bool {
        switch self {
        case .textStart: return prev == noScalar
        case .textEnd: return cur == noScalar
        case .lineStart: return prev == noScalar || prev == 10
        case .lineEnd: return cur == noScalar || cur == 10
        case .wordBoundary: return isWord(prev) != isWord(cur)
        case .notWordBoundary: return isWord(prev) == isWord(cur)
        }
    }

    /// `\w`: ASCII letters, digits and `_` (as in RE2).
    func isWord(_ c: UInt32) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
    }
}

/// Simple (one scalar to one scalar) case mappings, for `(?i)`.
enum Fold {
    static func lower(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 65 && c <= 90 ? c + 32 : c }
        return single(Unicode.Scalar(c)?.properties.lowercaseMapping, c)
    }

    static func upper(_ c: UInt32) -> UInt32 {
        if c < 0x80 { return c >= 97 && c <= 122 ? c - 32 : c }
        return single(Unicode.Scalar(c)?.properties.uppercaseMapping, c)
    }

    /// The same for every case variant of a character ("K", "k" and the Kelvin sign: "k").
    static func key(_ c: UInt32) -> UInt32 { c < 0x80 ? lower(c) : lower(upper(c)) }

    private static func single(_ mapping: String?, _ c: UInt32) -> UInt32 {
        guard let m = mapping?.unicodeScalars, let first = m.first, m.count == 1 else { return c }
        return first.value
    }
}

/// A bracket class or `\d`-style escape, compiled: sorted disjoint ranges, ASCII as a bitmap.
struct ScalarSet: Sendable {
    var ranges: [ClosedRange<UInt32>]
    var negated: Bool
    var fold: Bool
    var ascii: (UInt64, UInt64) = (0, 0)

    init(_ ranges: [ClosedRange<UInt32>], negated: Bool, fold: Bool) {
        self.ranges = ScalarSet.normalize(ranges)
        self.negated = negated
        self.fold = fold
        var bits: (UInt64, UInt64) = (0, 0)
        func set(_ c: UInt32) { if c < 64 { bits.0 |= 1 << UInt64(c) } else { bits.1 |= 1 << UInt64(c - 64) } }
        if fold {
            for c in UInt32(0)..<128 where slowContains(c) { set(c) }
        } else {
            for r in self.ranges where r.lowerBound < 128 {
                for c in r.lowerBound...min(r.upperBound, 127) { set(c) }
            }
            if negated { bits = (~bits.0, ~bits.1) }
        }
        ascii = bits
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return ascii.0 & (1 << UInt64(c)) != 0 }
        if c < 128 { return ascii.1 & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    func slowContains(_ c: UInt32) -> Bool {
        var hit = inRanges(c)
        if !hit && fold { hit = inRanges(Fold.lower(c)) || inRanges(Fold.upper(c)) || inRanges(Fold.key(c)) }
        return hit != negated
    }

    func inRanges(_ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < ranges.count && ranges[lo].contains(c)
    }

    static func normalize(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// Every scalar not in `ranges`.
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var from: UInt32 = 0
        for r in normalize(ranges) {
            if r.lowerBound > from { out.append(from...(r.lowerBound - 1)) }
            from = r.upperBound &+ 1
        }
        if from <= 0x10FFFF { out.append(from...0x10FFFF) }
        return out
    }
}

/// Membership of program counters, cleared in constant time.
struct SparseSet {
    var dense: [UInt32]
    var sparse: [UInt32]
    var count = 0
    init(_ capacity: Int) {
        dense = [UInt32](repeating: 0, count: capacity)
        sparse = [UInt32](repeating: 0, count: capacity)
    }
    @inline(__always) mutating func clear() { count = 0 }
    @inline(__always) func contains(_ v: UInt32) -> Bool {
        let s = Int(sparse[Int(v)])
        return s < count && dense[s] == v
    }
    @inline(__always) mutating func insert(_ v: UInt32) {
        dense[count] = v
        sparse[Int(v)] = UInt32(count)
        count += 1
    }
}

// MARK: - Syntax tree

/// A parsed pattern: what it matches, its compiled size and where it starts in the pattern.
struct RegexNode {
    indirect enum Kind {
        case empty
        case literal(UInt32, fold: Bool)
        case dot(newline: Bool)
        case set(ScalarSet)
        case assertion(Assertion)
        case concat([RegexNode])
        case alternate([RegexNode])
        case group(RegexNode)
        case repetition(RegexNode, min: Int, max: Int?)
    }
    var kind: Kind
    /// Instructions once compiled.
    var size: Int
    /// Offset of its first scalar in the pattern.
    var start: Int

    /// Every path through it starts with `^` (not multi-line) or `\A`.
    var startsWithTextStart: Bool {
        switch kind {
        case .assertion(let a): return a == .textStart
        case .concat(let items): return items.first?.startsWithTextStart ?? false
        case .group(let inner): return inner.startsWithTextStart
        default: return false
        }
    }
}

// MARK: - Parser

/// Parses a pattern with an explicit stack of open groups, so any nesting is a located error, not a deep recursion.
struct RegexParser {
    typealias SyntaxError = LinearRegex.SyntaxError
    static let noBacktracking = "funnel's regular expressions run in linear time (no backtracking)"

    struct Flags { var fold = false, dotNewline = false, multiLine = false }

    /// An open group: its alternatives so far and the items of the current one.
    struct Frame {
        var open: Int
        var saved: Flags
        var alternatives: [RegexNode] = []
        var items: [RegexNode] = []
        /// A quantifier may follow: the last thing read is an item (not `(`, `|` or a flag group).
        var canRepeat = false

        func finish(end: Int) -> RegexNode {
            let alts = alternatives + [Frame.concat(items, at: alternatives.isEmpty ? open + 1 : end)]
            if alts.count == 1 { return alts[0] }
            return RegexNode(kind: .alternate(alts), size: alts.reduce(0) { $0 + $1.size } + 2 * (alts.count - 1), start: alts[0].start)
        }

        static func concat(_ items: [RegexNode], at: Int) -> RegexNode {
            if items.count == 1 { return items[0] }
            if items.isEmpty { return RegexNode(kind: .empty, size: 0, start: at) }
            return RegexNode(kind: .concat(items), size: items.reduce(0) { $0 + $1.size }, start: items[0].start)
        }
    }

    let p: [Unicode.Scalar]
    var i = 0
    var flags = Flags()

    init(_ p: [Unicode.Scalar]) { self.p = p }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < p.count ? p[i + k] : nil }

    func fail(_ reason: String, _ range: Range<Int>, help: String) -> SyntaxError {
        SyntaxError(reason: reason, help: help, range: range)
    }

    /// The pattern text of a range, for messages (shortened when long).
    func text(_ r: Range<Int>) -> String {
        let lo = max(0, r.lowerBound), hi = min(p.count, r.upperBound)
        guard lo < hi else { return "" }
        var s = ""
        if hi - lo > 40 {
            s.unicodeScalars.append(contentsOf: p[lo..<lo + 18])
            s += "…"
            s.unicodeScalars.append(contentsOf: p[(hi - 18)..<hi])
        } else {
            s.unicodeScalars.append(contentsOf: p[lo..<hi])
        }
        return s
    }

    /// One character, for messages.
    static func show(_ v: UInt32) -> String {
        guard let s = Unicode.Scalar(v) else { return "?" }
        return v < 32 || v == 127 ? s.escaped(asASCII: true) : String(s)
    }

    mutating func parse() throws -> RegexNode {
        var stack = [Frame(open: -1, saved: flags)]
        while i < p.count {
            let c = p[i], start = i
            switch c {
            case "(":
                let (inside, isGroup) = try groupOpening()
                if !isGroup {
                    flags = inside
                    stack[stack.count - 1].canRepeat = false
                    continue
                }
                if stack.count > LinearRegex.maxNesting {
                    throw fail("groups are nested more than \(LinearRegex.maxNesting) deep", start..<start + 1,
                               help: "flatten the pattern: fewer nested parentheses")
                }
                stack.append(Frame(open: start, saved: flags))
                flags = inside
            case ")":
                guard stack.count > 1 else {
                    throw fail("unbalanced parenthesis: this ')' closes no group", start..<start + 1,
                               help: "remove it, or write \\) for a literal ')'")
                }
                i += 1
                let frame = stack.removeLast()
                let inner = frame.finish(end: start)
                flags = frame.saved
                try append(RegexNode(kind: .group(inner), size: inner.size, start: frame.open), to: &stack)
            case "|":
                i += 1
                let top = stack.count - 1
                stack[top].alternatives.append(Frame.concat(stack[top].items, at: start))
                stack[top].items = []
                stack[top].canRepeat = false
            case "*", "+", "?":
                i += 1
                try quantify(min: c == "+" ? 1 : 0, max: c == "?" ? 1 : nil, from: start, &stack)
            case "{":
                let (lo, hi) = try braces()
                try quantify(min: lo, max: hi, from: start, &stack)
            case "[":
                let set = try bracketClass()
                try append(RegexNode(kind: .set(set), size: 1, start: start), to: &stack)
            case "\\":
                let node = try escape()
                try append(node, to: &stack)
            case ".":
                i += 1
                try append(RegexNode(kind: .dot(newline: flags.dotNewline), size: 1, start: start), to: &stack)
            case "^", "$":
                i += 1
                let a: Assertion = c == "^" ? (flags.multiLine ? .lineStart : .textStart) : (flags.multiLine ? .lineEnd : .textEnd)
                try append(RegexNode(kind: .assertion(a), size: 1, start: start), to: &stack)
            default:
                i += 1
                try append(RegexNode(kind: .literal(c.value, fold: flags.fold), size: 1, start: start), to: &stack)
            }
        }
        if stack.count > 1 {
            let open = stack[stack.count - 1].open
            throw fail("unbalanced parenthesis: the group opened at character \(open + 1) is never closed", open..<open + 1,
                       help: "add the missing ')', or write \\( for a literal '('")
        }
        let tree = stack[0].finish(end: p.count)
        if tree.size + 1 > LinearRegex.maxProgramSize { throw tooLong(0..<p.count) }
        return tree
    }

    func tooLong(_ range: Range<Int>) -> SyntaxError {
        fail("the pattern is too long: it compiles to more than \(LinearRegex.maxProgramSize) steps", range,
             help: "shorten it, or split it into several conditions joined with `or`")
    }

    /// Characters, classes and assertions read so far: each is at least one step of the program.
    var leaves = 0

    mutating func append(_ node: RegexNode, to stack: inout [Frame]) throws {
        if case .group = node.kind {} else {
            leaves += 1
            if leaves >= LinearRegex.maxProgramSize { throw tooLong(node.start..<i) }
        }
        stack[stack.count - 1].items.append(node)
        stack[stack.count - 1].canRepeat = true
    }

    /// Applies a quantifier just read (from `from` to `i`) to the last item.
    mutating func quantify(min lo: Int, max hi: Int?, from: Int, _ stack: inout [Frame]) throws {
        let op = text(from..<i)
        if peek() == "?" {
            i += 1                                   // lazy: the same yes/no answer
        } else if peek() == "+" {
            throw fail("possessive quantifiers (\(op)+) are not supported: " + Self.noBacktracking, from..<i + 1,
                       help: "write a plain quantifier: \(op)")
        }
        let top = stack.count - 1
        guard stack[top].canRepeat, let last = stack[top].items.last else {
            throw fail("'\(op)' has nothing to repeat", from..<i,
                       help: "put it after a character or a group, or write \\\(op.first.map(String.init) ?? "") for a literal '\(op.first.map(String.init) ?? "")'")
        }
        if case .repetition = last.kind {
            throw fail("'\(op)' follows another quantifier", from..<i,
                       help: "group what is repeated first, e.g. (a*)\(op) instead of a*\(op)")
        }
        if case .assertion = last.kind {
            throw fail("'\(op)' has nothing to repeat: '\(text(last.start..<from))' matches a position, not a character", from..<i,
                       help: "remove the quantifier")
        }
        let size: Int
        if let hi {
            size = lo * last.size + (hi - lo) * (last.size + 1)
        } else {
            size = lo == 0 ? last.size + 2 : lo * last.size + 1
        }
        if size + 1 > LinearRegex.maxProgramSize {
            throw fail("'\(text(last.start..<i))' is too large once repeated: \(size) steps, more than \(LinearRegex.maxProgramSize)",
                       last.start..<i, help: "use smaller counts, or * and + instead of large {n,m}")
        }
        stack[top].items[stack[top].items.count - 1] = RegexNode(kind: .repetition(last, min: lo, max: hi), size: size, start: last.start)
    }

    /// `{n}`, `{n,}` or `{n,m}` at `i`.
    mutating func braces() throws -> (Int, Int?) {
        let start = i
        var j = i + 1
        func number() -> Int? {
            var v = 0, digits = 0
            while j < p.count, p[j].value >= 48, p[j].value <= 57 {
                v = min(v * 10 + Int(p[j].value) - 48, 1_000_000); digits += 1; j += 1
            }
            return digits > 0 ? v : nil
        }
        let lo = number()
        var hi: Int? = lo
        var valid = lo != nil
        if valid, j < p.count, p[j] == "," {
            j += 1
            hi = number()
        }
        valid = valid && j < p.count && p[j] == "}"
        guard valid, let lo else {
            if j < p.count, p[j] == ",", lo == nil {
                throw fail("a repetition needs its minimum", start..<j + 1, help: "write {0,n} for at most n times")
            }
            throw fail("'{' does not start a repetition {n}, {n,} or {n,m}", start..<start + 1,
                       help: "write \\{ for a literal '{'")
        }
        i = j + 1
        for n in [lo, hi ?? lo] where n > LinearRegex.maxRepeat {
            throw fail("repetition count \(n >= 1_000_000 ? "\(text(start..<i))" : String(n)) is above the limit of \(LinearRegex.maxRepeat)", start..<i,
                       help: "use a count up to \(LinearRegex.maxRepeat), or * or + for any number")
        }
        if let hi, hi < lo {
            throw fail("bad repetition \(text(start..<i)): the minimum is above the maximum", start..<i, help: "write {\(hi),\(lo)}")
        }
        return (lo, hi)
    }

    /// `(` at `i`: reads the opening of a group. Returns the flags inside it, and false when
    /// it was a flag group `(?i)` that applies to the rest of the enclosing group.
    mutating func groupOpening() throws -> (Flags, Bool) {
        let open = i
        i += 1
        guard peek() == "?" else { return (flags, true) }
        let unclosed = fail("unbalanced parenthesis: the group opened at character \(open + 1) is never closed", open..<open + 1,
                            help: "add the missing ')'")
        guard let c = peek(1) else { throw unclosed }
        let pattern = p
        let syntax = { (n: Int) -> String in
            var s = ""
            s.unicodeScalars.append(contentsOf: pattern[open..<Swift.min(pattern.count, open + n)])
            return s
        }
        switch c {
        case ":":
            i += 2
            return (flags, true)
        case "=", "!":
            throw fail("lookahead \(syntax(3))...) is not supported: " + Self.noBacktracking, open..<open + 3,
                       help: "use a second condition, e.g. url matches \"^/p/\" and not url matches \"/edit$\"")
        case "<" where peek(2) == "=" || peek(2) == "!":
            throw fail("lookbehind \(syntax(4))...) is not supported: " + Self.noBacktracking, open..<open + 4,
                       help: "use a second condition, e.g. url matches \"/p/\" and not url matches \"/admin/p/\"")
        case _ where c == "<" || (c == "P" && peek(2) == "<"):
            i += c == "<" ? 2 : 3
            let nameStart = i
            while let s = peek(), s.isASCII, s.properties.isAlphabetic || s == "_" || (i > nameStart && s.value >= 48 && s.value <= 57) { i += 1 }
            guard i > nameStart, peek() == ">" else {
                throw fail("bad group name in \(text(open..<Swift.min(p.count, i + 1)))", open..<Swift.min(p.count, i + 1),
                           help: "write (?<name>...) with a name of letters, digits and '_'")
            }
            i += 1
            return (flags, true)
        case "P" where peek(2) == "=" || peek(2) == ">":
            let what = peek(2) == "=" ? "backreferences \(syntax(4))...) are" : "recursion \(syntax(4))...) is"
            throw fail(what + " not supported: " + Self.noBacktracking, open..<open + 4,
                       help: "write the repeated text out")
        case ">":
            throw fail("atomic groups (?>...) are not supported: " + Self.noBacktracking, open..<open + 3,
                       help: "write a plain group: (...) or (?:...)")
        case "#":
            throw fail("comments (?#...) are not supported", open..<open + 3, help: "remove the comment")
        case _ where "R&+0123456789".unicodeScalars.contains(c) || (c == "-" && (peek(2).map { $0.value >= 48 && $0.value <= 57 } ?? false)):
            throw fail("recursion \(syntax(3))...) is not supported: " + Self.noBacktracking, open..<open + 3,
                       help: "write the nested part out to the depth you need")
        case "(":
            throw fail("conditionals (?(...)...) are not supported: " + Self.noBacktracking, open..<open + 3,
                       help: "use alternatives: (a|b)")
        default:
            // Flags: (?i) (?s) (?m), combined, negated after '-', alone or as (?flags:...).
            var f = flags, negate = false, sawFlag = false
            i += 1
            while let s = peek() {
                switch s {
                case "i": f.fold = !negate
                case "s": f.dotNewline = !negate
                case "m": f.multiLine = !negate
                case "-":
                    if negate { throw fail("bad flags \(text(open..<i + 1)): '-' twice", open..<i + 1, help: "write (?i) or (?-i)") }
                    negate = true; i += 1; continue
                case ")", ":":
                    guard sawFlag else {
                        throw fail("bad flags \(text(open..<i + 1)): no flag", open..<i + 1, help: "write (?i) for case-insensitive matching")
                    }
                    i += 1
                    return (f, s == ":")
                case "x":
                    throw fail("flag x (free spacing) is not supported", i..<i + 1, help: "remove the spaces and the flag")
                case "U":
                    throw fail("flag U (ungreedy) is not supported", i..<i + 1, help: "remove it: greedy or lazy, the yes/no answer is the same")
                default:
                    if s.properties.isAlphabetic {
                        throw fail("unknown flag '\(s)' in \(text(open..<i + 1))", i..<i + 1, help: "the flags are i (case-insensitive), s (. matches \\n) and m (multi-line ^ $)")
                    }
                    throw fail("unknown group syntax '\(text(open..<i + 1))'", open..<i + 1,
                               help: "groups are (...), (?:...), (?<name>...) and flags (?i)")
                }
                sawFlag = true
                i += 1
            }
            throw unclosed
        }
    }

    enum Escaped { case scalar(UInt32), set([ClosedRange<UInt32>]), assertion(Assertion) }

    static let digit: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]

    /// `\` at `i`, outside a class: a node.
    mutating func escape() throws -> RegexNode {
        let start = i
        switch try escaped(inClass: false) {
        case .scalar(let s): return RegexNode(kind: .literal(s, fold: flags.fold), size: 1, start: start)
        case .set(let r): return RegexNode(kind: .set(ScalarSet(r, negated: false, fold: flags.fold)), size: 1, start: start)
        case .assertion(let a): return RegexNode(kind: .assertion(a), size: 1, start: start)
        }
    }

    /// `\` at `i`: reads the escape.
    mutating func escaped(inClass: Bool) throws -> Escaped {
        let start = i
        guard let c = peek(1) else {
            throw fail("the pattern ends with a lone '\\'", start..<start + 1, help: "write \\\\ for a literal backslash")
        }
        i += 2
        let here = start..<i
        switch c {
        case "d": return .set(Self.digit)
        case "D": return .set(ScalarSet.complement(Self.digit))
        case "w": return .set(Self.word)
        case "W": return .set(ScalarSet.complement(Self.word))
        case "s": return .set(Self.space)
        case "S": return .set(ScalarSet.complement(Self.space))
        case "t": return .scalar(9)
        case "n": return .scalar(10)
        case "v": return .scalar(11)
        case "f": return .scalar(12)
        case "r": return .scalar(13)
        case "a": return .scalar(7)
        case "b", "B", "A", "z":
            if inClass {
                throw fail("\\\(c) is not allowed inside a class", here, help: "write it outside the brackets")
            }
            return .assertion(c == "b" ? .wordBoundary : c == "B" ? .notWordBoundary : c == "A" ? .textStart : .textEnd)
        case "x":
            if peek() == "{" {
                var j = i + 1, v: UInt32 = 0
                while j < p.count, j - i <= 6, let h = p[j].hexDigitValue { v = v * 16 + h; j += 1 }
                guard j < p.count, p[j] == "}", j > i + 1 else {
                    throw fail("bad escape \(text(start..<Swift.min(p.count, j + 1))): write \\x{...} with 1 to 6 hex digits", start..<Swift.min(p.count, j + 1),
                               help: "for example \\x{E9} or \\x{1F600}")
                }
                i = j + 1
                return try scalarValue(v, start)
            }
            guard let a = peek()?.hexDigitValue, let b = peek(1)?.hexDigitValue else {
                throw fail("bad escape \(text(start..<Swift.min(p.count, i + 2))): write \\xHH with two hex digits", start..<Swift.min(p.count, i + 2),
                           help: "for example \\x41, or \\x{1F600} for more digits")
            }
            i += 2
            return .scalar(a * 16 + b)
        case "u":
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let h = peek(k)?.hexDigitValue else {
                    throw fail("bad escape \(text(start..<Swift.min(p.count, i + 4))): write \\uHHHH with four hex digits", start..<Swift.min(p.count, i + 4),
                               help: "for example \\u00E9, or \\x{1F600} for characters beyond FFFF")
                }
                v = v * 16 + h
            }
            i += 4
            return try scalarValue(v, start)
        case "1"..."9":
            while let d = peek(), d.value >= 48 && d.value <= 57 { i += 1 }
            throw fail("backreferences (\(text(start..<i))) are not supported: " + Self.noBacktracking, start..<i,
                       help: "write the repeated text out: (ab)ab instead of (ab)\\1, or (aa|bb) instead of (a|b)\\1")
        case "k", "g":
            throw fail("backreferences (\\\(c)...) are not supported: " + Self.noBacktracking, here,
                       help: "write the repeated text out")
        case "0":
            throw fail("octal escapes (\\0) are not supported", here, help: "write \\x00, or \\xHH for another character")
        case "p", "P":
            throw fail("Unicode classes (\\\(c){...}) are not supported", here,
                       help: "list the characters in brackets, e.g. [a-zA-Zà-ÿ]")
        case "Q", "E":
            throw fail("quoting with \\Q...\\E is not supported", here, help: "escape each special character with \\")
        case "Z":
            throw fail("\\Z is not supported", here, help: "write $ for the end of the value")
        case "G", "K", "R", "X", "h", "H", "N", "C":
            throw fail("\\\(c) is not supported: " + Self.noBacktracking, here, help: "remove it")
        default:
            // Escaped punctuation, space and the like: the character itself.
            if c.isASCII, c.value >= 32, c.value < 127, !c.properties.isAlphabetic, !(c.value >= 48 && c.value <= 57), c != "_" {
                return .scalar(c.value)
            }
            throw fail("unknown escape \\\(c)", here,
                       help: "write \(c) without '\\'; escapes are \\d \\w \\s \\b \\t \\n \\r \\f \\v \\xHH \\x{...} \\uHHHH and \\ before punctuation")
        }
    }

    func scalarValue(_ v: UInt32, _ start: Int) throws -> Escaped {
        guard Unicode.Scalar(v) != nil else {
            throw fail("\(text(start..<i)) is not a Unicode character", start..<i, help: "use a value up to 10FFFF, outside D800-DFFF")
        }
        return .scalar(v)
    }

    /// `[` at `i`: a bracket class.
    mutating func bracketClass() throws -> ScalarSet {
        let open = i
        i += 1
        var negated = false
        if peek() == "^" { negated = true; i += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        let unclosed = fail("unbalanced bracket: the class opened at character \(open + 1) is never closed", open..<open + 1,
                            help: "add the missing ']', or write \\[ for a literal '['")
        while true {
            guard let c = peek() else { throw unclosed }
            if c == "]" && !first { i += 1; break }
            if first, c == ":", let close = posixEnd(from: i + 1), p[close] == "]" {
                throw fail("\(text(open..<close + 1)) is a POSIX class outside brackets", open..<close + 1,
                           help: "write [\(text(open..<close + 1))]")
            }
            first = false
            if c == "[" {
                if peek(1) == ":" {
                    ranges += try posixClass()
                    continue
                }
                throw fail("a '[' inside a class must be escaped", i..<i + 1, help: "write \\[")
            }
            let itemStart = i
            let lo: UInt32
            switch try classAtom() {
            case .set(let r):
                if peek() == "-", let after = peek(1), after != "]" {
                    throw fail("bad range \(text(itemStart..<i + 2)): a range cannot start with a class like \(text(itemStart..<i))", itemStart..<i + 2,
                               help: "write \\- for a literal '-'")
                }
                ranges += r
                continue
            case .scalar(let s): lo = s
            case .assertion: continue
            }
            guard peek() == "-", let after = peek(1), after != "]" else {
                ranges.append(lo...lo)
                continue
            }
            i += 1
            if after == "[" { throw fail("a '[' inside a class must be escaped", i..<i + 1, help: "write \\[") }
            switch try classAtom() {
            case .scalar(let hi):
                guard hi >= lo else {
                    throw fail("bad range \(text(itemStart..<i)): '\(Self.show(lo))' comes after '\(Self.show(hi))'", itemStart..<i,
                               help: "write the smaller end first: [\(Self.show(hi))-\(Self.show(lo))]")
                }
                ranges.append(lo...hi)
            default:
                throw fail("bad range \(text(itemStart..<i)): a range cannot end with a class", itemStart..<i,
                           help: "write \\- for a literal '-'")
            }
        }
        return ScalarSet(ranges, negated: negated, fold: flags.fold)
    }

    mutating func classAtom() throws -> Escaped {
        guard let c = peek() else { throw fail("unbalanced bracket", i..<i, help: "add the missing ']'") }
        if c == "\\" { return try escaped(inClass: true) }
        i += 1
        return .scalar(c.value)
    }

    /// The index of the ':' closing a POSIX name that starts at `from`, if any.
    func posixEnd(from: Int) -> Int? {
        var j = from
        if j < p.count, p[j] == "^" { j += 1 }
        while j < p.count, p[j].isASCII, p[j].properties.isAlphabetic { j += 1 }
        return j + 1 < p.count && p[j] == ":" && j > from ? j + 1 : nil
    }

    static let posix: [String: [ClosedRange<UInt32>]] = [
        "alnum": [48...57, 65...90, 97...122], "alpha": [65...90, 97...122], "ascii": [0...127], "blank": [9...9, 32...32],
        "cntrl": [0...31, 127...127], "digit": [48...57], "graph": [33...126], "lower": [97...122], "print": [32...126],
        "punct": [33...47, 58...64, 91...96, 123...126], "space": [9...13, 32...32], "upper": [65...90],
        "word": [48...57, 65...90, 95...95, 97...122], "xdigit": [48...57, 65...70, 97...102],
    ]

    /// `[:name:]` or `[:^name:]` at `i`, inside a class.
    mutating func posixClass() throws -> [ClosedRange<UInt32>] {
        let start = i
        guard let close = posixEnd(from: i + 2), p[close] == "]" else {
            throw fail("a '[' inside a class must be escaped", i..<i + 1, help: "write \\[, or a POSIX class such as [:alpha:]")
        }
        let negated = p[i + 2] == "^"
        let name = text((i + (negated ? 3 : 2))..<(close - 1))
        i = close + 1
        guard let r = Self.posix[name] else {
            throw fail("unknown POSIX class \(text(start..<i))", start..<i,
                       help: "the classes are " + Self.posix.keys.sorted().map { "[:\($0):]" }.joined(separator: " "))
        }
        return negated ? ScalarSet.complement(r) : r
    }
}

extension Unicode.Scalar {
    var hexDigitValue: UInt32? {
        switch value {
        case 48...57: return value - 48
        case 65...70: return value - 55
        case 97...102: return value - 87
        default: return nil
        }
    }
}

// MARK: - Compiler

/// Emits the Thompson program: one instruction per character test, splits and jumps for `|` and quantifiers.
struct RegexCompiler {
    var program: [Inst] = []
    var sets: [ScalarSet] = []

    var here: UInt32 { UInt32(program.count) }

    mutating func emit(_ node: RegexNode) {
        switch node.kind {
        case .empty: break
        case .literal(let c, let fold):
            let lo = Fold.lower(c), up = Fold.upper(c)
            if fold && (lo != c || up != c || Fold.key(c) != c) {
                program.append(Inst(.charFold, lo, up))
            } else {
                program.append(Inst(.char, c))
            }
        case .dot(let newline): program.append(Inst(newline ? .anyNewline : .any))
        case .set(let s):
            sets.append(s)
            program.append(Inst(.set, UInt32(sets.count - 1)))
        case .assertion(let a): program.append(Inst(.assert, UInt32(a.rawValue)))
        case .concat(let items): for item in items { emit(item) }
        case .group(let inner): emit(inner)
        case .alternate(let alts):
            var jumps: [Int] = []
            for (k, alt) in alts.enumerated() {
                if k == alts.count - 1 { emit(alt); break }
                let split = program.count
                program.append(Inst(.split, here + 1))
                emit(alt)
                jumps.append(program.count)
                program.append(Inst(.jump))
                program[split].y = here
            }
            for j in jumps { program[j].x = here }
        case .repetition(let body, let lo, let hi):
            if let hi {
                for _ in 0..<lo { emit(body) }
                var splits: [Int] = []
                for _ in lo..<hi {
                    splits.append(program.count)
                    program.append(Inst(.split, here + 1))
                    emit(body)
                }
                for s in splits { program[s].y = here }
            } else if lo == 0 {
                let loop = program.count
                program.append(Inst(.split, here + 1))
                emit(body)
                program.append(Inst(.jump, UInt32(loop)))
                program[loop].y = here
            } else {
                for _ in 0..<(lo - 1) { emit(body) }
                let top = here
                emit(body)
                program.append(Inst(.split, top, here + 1))
            }
        }
    }
}
