import Foundation
import FunnelCore
import PropertyBased
import Testing

/// funnel's own regular expressions (`matches`): a table of patterns and values, the same
/// answers as ICU (NSRegularExpression) on random patterns of the supported subset, linear time
/// on the patterns that make backtracking engines exponential, and a message for each
/// construct it refuses.
struct LinearRegexTests {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        do { return try LinearRegex(pattern).matches(text) } catch {
            Issue.record("\(pattern) was refused: \(error)")
            return false
        }
    }

    // MARK: what patterns match

    /// (pattern, value, matches somewhere in the value)
    static let table: [(String, String, Bool)] = [
        // Unanchored search; the empty pattern matches everything.
        ("", "", true), ("", "abc", true), ("b", "abc", true), ("d", "abc", false), ("abc", "xxabcxx", true), ("abd", "abcabd", true),
        // Anchors: the start and end of the value, not of lines.
        ("^/p/[0-9]+$", "/p/123", true), ("^/p/[0-9]+$", "/p/12a", false), ("^/p/[0-9]+$", "x/p/1", false),
        ("^a", "ba", false), ("a$", "ab", false), ("a$", "ba", true), ("^$", "", true), ("^$", "\n", false), ("a$", "a\n", false),
        ("\\Aab\\z", "ab", true), ("\\Aab\\z", "abc", false), ("x^", "x", false), ("$x", "x", false), ("^^a$$", "a", true),
        // Multi-line flag.
        ("(?m)^b$", "a\nb\nc", true), ("^b$", "a\nb\nc", false), ("(?m)a$", "a\nb", true),
        // Dot: any character but a newline, unless (?s).
        ("a.c", "abc", true), ("a.c", "a\nc", false), ("(?s)a.c", "a\nc", true), ("a.c", "aéc", true), ("a.c", "a😀c", true), ("^.$", "😀", true),
        ("^..$", "é", false),
        // Alternation and groups.
        ("cat|dog", "hotdog", true), ("cat|dog", "cow", false), ("^(cat|dog)s?$", "dogs", true), ("^(?:cat|dog)$", "cats", false),
        ("a(|b)c", "ac", true), ("a(|b)c", "abc", true), ("(a|)", "", true), ("^(?<name>ab)+$", "abab", true), ("^(?P<n>x)y$", "xy", true),
        ("a()b", "ab", true), ("(((a)))", "a", true), ("|", "zzz", true),
        // Quantifiers, greedy and lazy alike.
        ("^a*$", "", true), ("^a*$", "aaa", true), ("^a+$", "", false), ("^ab?c$", "ac", true), ("^ab?c$", "abbc", false),
        ("^a{3}$", "aaa", true), ("^a{3}$", "aa", false), ("^a{2,}$", "aaaaa", true), ("^a{2,}$", "a", false),
        ("^a{2,3}$", "aaa", true), ("^a{2,3}$", "aaaa", false), ("^a{0}$", "", true), ("^a{0,1}b$", "b", true),
        ("^a*?b$", "aab", true), ("^a+?$", "aaa", true), ("^a??b$", "ab", true), ("^a{1,2}?$", "aa", true), ("^(ab){2}$", "abab", true),
        ("^(a*)*$", "aaa", true), ("^(a*)+b$", "b", true), ("^(a?){3}a{3}$", "aaa", true), ("^(a|b)*c$", "ababc", true),
        ("^x{1000}$", String(repeating: "x", count: 1000), true), ("^x{1000}$", String(repeating: "x", count: 999), false),
        ("a}", "a}", true), ("a]", "a]", true),
        // Classes.
        ("^[abc]+$", "cab", true), ("^[abc]+$", "cad", false), ("^[^a-z]+$", "ABC1", true), ("^[^a-z]+$", "AbC", false),
        ("^[a-c0-2]+$", "a1c2", true), ("[]a]", "]", true), ("[^]a]", "]a", false), ("^[a-]+$", "a-a", true), ("^[-a]+$", "-", true),
        ("^[\\]\\\\]+$", "]\\", true), ("[\\d]", "x5", true), ("[\\D]", "55", false), ("^[\\w.-]+@[\\w.-]+$", "a.b-c@d.e", true),
        ("^[\\s]$", "\t", true), ("[.]", "a", false), ("[.]", ".", true), ("^[é-ë]$", "ê", true), ("^[\\x41-\\x43]+$", "ABC", true),
        ("^[[:alpha:]]+$", "abcXYZ", true), ("^[[:digit:]]+$", "12a", false), ("^[[:^digit:]]+$", "ab", true), ("[[:punct:]]", "a!b", true),
        ("^[[:xdigit:][:space:]]+$", "fF0 9", true), ("^[^\\n]+$", "ab\ncd", false), ("[^a]", "", false), ("[^a]", "é", true),
        // Perl classes (ASCII, as in RE2).
        ("^\\d+$", "0123456789", true), ("\\d", "٣", false), ("^\\D+$", "abc", true), ("^\\w+$", "a_Z9", true), ("\\w", "é", false),
        ("^\\W+$", "-+ é", true), ("^\\s+$", " \t\n\r\u{0C}", true), ("\\s", "\u{0B}", false), ("^\\S+$", "ab", true),
        // Word boundaries.
        ("\\bcat\\b", "the cat sat", true), ("\\bcat\\b", "concatenate", false), ("\\Bcat\\B", "concatenate", true), ("\\b", "", false),
        ("\\B", "", true), ("^\\b", "a", true), ("\\b$", "a ", false), ("\\b.\\b", "é", false),
        // Escapes.
        ("a\\.b", "a.b", true), ("a\\.b", "axb", false), ("\\/p\\/", "/p/", true), ("\\t", "\t", true), ("\\n", "\n", true),
        ("\\r\\f\\v\\a", "\r\u{0C}\u{0B}\u{07}", true), ("\\x41", "A", true), ("\\x{1F600}", "😀", true), ("\\u00e9", "é", true),
        ("\\x{E9}", "é", true), ("\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$\\\\", "()[]{}*+?|^$\\", true), ("\\ ", " ", true), ("\\-\\#\\&\\~", "-#&~", true),
        // Case-insensitive matching.
        ("(?i)abc", "xAbCx", true), ("abc", "ABC", false), ("(?i)[a-c]+$", "CBA", true), ("(?i)[^a]", "A", false), ("(?i)é", "É", true),
        ("(?i)straße", "STRAßE", true), ("(?i)k", "\u{212A}", true), ("a(?i)b", "aB", true), ("a(?i)b", "AB", false),
        ("(?i:a)b", "Ab", true), ("(?i:a)b", "AB", false), ("((?i)a)b", "AB", false), ("(?i)a(?-i)b", "Ab", true), ("(?i)a(?-i)b", "AB", false),
        ("(?i)\\x41", "a", true), ("(?i)[[:lower:]]", "A", true),
        // Unicode scalars.
        ("^😀+$", "😀😀", true), ("^[😀-😂]$", "😁", true), ("é", "cafe\u{301}", false), ("^e\u{301}$", "e\u{301}", true),
    ]

    @Test func tableOfPatternsAndValues() {
        for (pattern, text, expected) in Self.table {
            #expect(Self.matches(pattern, text) == expected, "\(pattern.debugDescription) on \(text.debugDescription)")
        }
    }

    /// Deep but allowed nesting works (the compiler recurses per group level).
    @Test func nestingUpToTheLimit() {
        let n = LinearRegex.maxNesting
        let pattern = String(repeating: "(", count: n) + "a" + String(repeating: ")*", count: n)
        #expect(Self.matches("^" + pattern + "$", "aaaa"))
        let nonCapturing = String(repeating: "(?:", count: n) + "b|c" + String(repeating: ")", count: n)
        #expect(Self.matches(nonCapturing, "xc"))
    }

    /// One matcher runs one pattern over many values, as the evaluator does over a dictionary.
    @Test func aMatcherIsReusable() throws {
        let m = LinearRegex.Matcher(try LinearRegex("^(ab|cd)+$"))
        #expect(m.matches("abcd"))
        #expect(!m.matches("abc"))
        #expect(m.matches("cdab"))
        #expect(!m.matches(""))
    }

    // MARK: the same answers as ICU and as a reference

    /// What a random pattern means, evaluated by brute force over sets of end positions
    /// (no backtracking, no automaton: an oracle independent of both engines).
    indirect enum Meaning {
        case char((UInt32) -> Bool)
        case position((_ prev: UInt32?, _ next: UInt32?) -> Bool)
        case sequence([Meaning])
        case choice([Meaning])
        case repetition(Meaning, min: Int, max: Int?)

        /// Where a match of this starting at `i` can end.
        func ends(_ t: [UInt32], _ i: Int) -> Set<Int> {
            switch self {
            case .char(let p): return i < t.count && p(t[i]) ? [i + 1] : []
            case .position(let p): return p(i > 0 ? t[i - 1] : nil, i < t.count ? t[i] : nil) ? [i] : []
            case .sequence(let items):
                return items.reduce([i]) { from, item in from.reduce(into: Set<Int>()) { $0.formUnion(item.ends(t, $1)) } }
            case .choice(let alts): return alts.reduce(into: Set<Int>()) { $0.formUnion($1.ends(t, i)) }
            case .repetition(let body, let lo, let hi):
                func step(_ s: Set<Int>) -> Set<Int> { s.reduce(into: Set<Int>()) { $0.formUnion(body.ends(t, $1)) } }
                var current: Set<Int> = [i]
                for _ in 0..<lo { current = step(current) }
                var all = current, frontier = current, count = lo
                while !frontier.isEmpty, hi.map({ count < $0 }) ?? true {
                    frontier = step(frontier).subtracting(hi == nil ? all : [])
                    all.formUnion(frontier)
                    count += 1
                }
                return all
            }
        }

        func matchesSomewhere(_ text: String) -> Bool {
            let t = text.unicodeScalars.map(\.value)
            return (0...t.count).contains { !ends(t, $0).isEmpty }
        }
    }

    /// A random pattern of the supported subset, written for funnel's engine and for ICU
    /// (whose `$`, `\w` and `\b` differ: they are rewritten to RE2's meaning), with its meaning.
    struct RandomPattern {
        var numbers: [Int]
        var k = 0
        var ours = ""
        var icu = ""
        var meaning = Meaning.sequence([])
        var groups = 0
        /// False when a group that can match the empty text is repeated more than once: ICU
        /// (76) gets some of those wrong, e.g. it finds no match of ((a|)+?b||)+?a in "a".
        var icuAgrees = true

        static func isWord(_ c: UInt32?) -> Bool { c.map { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 95 } ?? false }
        static func isDigit(_ c: UInt32) -> Bool { (48...57).contains(c) }
        static func isSpace(_ c: UInt32) -> Bool { [9, 10, 12, 13, 32].contains(c) }
        static func lower(_ c: UInt32) -> UInt32 { Unicode.Scalar(c).flatMap { String($0).lowercased().unicodeScalars.first?.value } ?? c }
        static func upper(_ c: UInt32) -> UInt32 { Unicode.Scalar(c).flatMap { String($0).uppercased().unicodeScalars.first?.value } ?? c }

        static let word = "[0-9A-Za-z_]", notWord = "[^0-9A-Za-z_]"
        static let literals: [(String, String, UInt32)] = [("a", "a", 97), ("b", "b", 98), ("A", "A", 65), ("0", "0", 48), (" ", " ", 32), ("_", "_", 95),
                                                           ("é", "é", 0xE9), ("É", "É", 0xC9), ("\\.", "\\.", 46), ("-", "-", 45), ("\\n", "\\n", 10),
                                                           ("\\x41", "\\x41", 65), ("\\u00e9", "\\u00e9", 0xE9), ("\\x{62}", "\\x{62}", 98)]
        typealias Test = @Sendable (UInt32) -> Bool
        static let perl: [(String, String, Test)] = [("\\d", "\\d", { isDigit($0) }), ("\\D", "\\D", { !isDigit($0) }), ("\\w", word, { isWord($0) }),
                                                     ("\\W", notWord, { !isWord($0) }), ("\\s", "\\s", { isSpace($0) }), ("\\S", "\\S", { !isSpace($0) })]
        static let classItems: [(String, String, Test)] = [
            ("a", "a", { $0 == 97 }), ("b", "b", { $0 == 98 }), ("A", "A", { $0 == 65 }), ("0", "0", { $0 == 48 }), (" ", " ", { $0 == 32 }),
            ("\\n", "\\n", { $0 == 10 }), ("a-b", "a-b", { (97...98).contains($0) }), ("0-9", "0-9", { isDigit($0) }), ("A-Z", "A-Z", { (65...90).contains($0) }),
            ("a-z", "a-z", { (97...122).contains($0) }), ("\\d", "\\d", { isDigit($0) }), ("\\s", "\\s", { isSpace($0) }), ("\\w", word, { isWord($0) }),
            ("\\W", notWord, { !isWord($0) }), ("\\-", "\\-", { $0 == 45 }), ("_", "_", { $0 == 95 }), ("é", "é", { $0 == 0xE9 }), ("\\.", "\\.", { $0 == 46 }),
            (".", ".", { $0 == 46 }), ("[:alpha:]", "a-zA-Z", { (65...90).contains($0) || (97...122).contains($0) }), ("\\x{c9}", "\\x{c9}", { $0 == 0xC9 }),
        ]
        typealias Place = @Sendable (UInt32?, UInt32?) -> Bool
        static let assertions: [(String, String, Place)] = [
            ("^", "^", { p, _ in p == nil }), ("$", "\\z", { _, n in n == nil }),
            ("\\b", "(?:(?<=\(word))(?!\(word))|(?<!\(word))(?=\(word)))", { isWord($0) != isWord($1) }),
            ("\\B", "(?:(?<=\(word))(?=\(word))|(?<!\(word))(?!\(word)))", { isWord($0) == isWord($1) }),
        ]

        init(_ numbers: [Int]) {
            self.numbers = numbers
            var fold = false, dotAll = false
            switch next(8) {
            case 0: emit("(?i)"); fold = true
            case 1: emit("(?s)"); dotAll = true
            default: break
            }
            meaning = alternation(depth: 3, repeats: 0, fold: fold, dotAll: dotAll).meaning
            icu += "(?:)"       // ICU refuses an empty pattern
        }

        mutating func next(_ n: Int) -> Int {
            defer { k += 1 }
            return numbers.isEmpty ? 0 : numbers[k % numbers.count] % n
        }

        mutating func emit(_ a: String, _ b: String? = nil) { ours += a; icu += b ?? a }

        static func folded(_ test: @escaping Test, _ fold: Bool) -> Test {
            if !fold { return test }
            return { c in test(c) || test(lower(c)) || test(upper(c)) }
        }

        /// `repeats`: how many quantified groups this is inside. At most two quantifiers on any
        /// path, so that ICU's backtracking stays polynomial on short texts.
        mutating func alternation(depth: Int, repeats: Int, fold: Bool, dotAll: Bool) -> (meaning: Meaning, nullable: Bool) {
            let n = next(4) == 0 ? 2 + next(2) : 1
            var alts: [Meaning] = [], nullable = false
            for i in 0..<n {
                if i > 0 { emit("|") }
                var items: [Meaning] = [], allNullable = true
                for _ in 0..<next(4) {
                    let piece = piece(depth: depth, repeats: repeats, fold: fold, dotAll: dotAll)
                    items.append(piece.meaning)
                    allNullable = allNullable && piece.nullable
                }
                alts.append(.sequence(items))
                nullable = nullable || allNullable
            }
            return (.choice(alts), nullable)
        }

        mutating func piece(depth: Int, repeats: Int, fold: Bool, dotAll: Bool) -> (meaning: Meaning, nullable: Bool) {
            let lazy = next(4) == 0 ? "?" : ""
            var bounds: (Int, Int?)?
            switch next(10) {
            case 4: bounds = (0, nil)
            case 5: bounds = (1, nil)
            case 6: bounds = (0, 1)
            case 7: let n = next(4); bounds = (n, n)
            case 8: bounds = (next(3), nil)
            case 9: let lo = next(3); bounds = (lo, lo + next(3))
            default: break
            }
            if repeats >= 2 { bounds = nil }
            var meaning: Meaning, nullable = false
            switch next(depth > 0 ? 11 : 8) {
            case 0, 1, 2, 7:
                let l = Self.literals[next(Self.literals.count)]
                emit(l.0, l.1)
                meaning = .char(Self.folded({ $0 == l.2 }, fold))
            case 3:
                emit(".")
                meaning = .char { dotAll || $0 != 10 }
            case 4:
                emit("[")
                let negated = next(3) == 0
                if negated { emit("^") }
                var tests: [Test] = []
                for _ in 0...next(3) { let c = Self.classItems[next(Self.classItems.count)]; emit(c.0, c.1); tests.append(c.2) }
                emit("]")
                let all = tests
                let any = Self.folded({ c in all.contains { $0(c) } }, fold)
                meaning = .char { any($0) != negated }
            case 5:
                let p = Self.perl[next(Self.perl.count)]
                emit(p.0, p.1)
                meaning = .char(Self.folded(p.2, fold))
            case 6:
                let a = Self.assertions[next(Self.assertions.count)]
                emit(a.0, a.1)
                return (.position(a.2), true)    // nothing to repeat
            default:
                groups += 1
                var inner = fold
                switch next(4) {
                case 0: emit("(")
                case 1: emit("(?:")
                case 2: emit("(?<g\(groups)>")
                default: emit("(?i:"); inner = true
                }
                (meaning, nullable) = alternation(depth: depth - 1, repeats: repeats + (bounds == nil ? 0 : 1), fold: inner, dotAll: dotAll)
                emit(")")
            }
            guard let (lo, hi) = bounds else { return (meaning, nullable) }
            switch (lo, hi) {
            case (0, nil): emit("*" + lazy)
            case (1, nil): emit("+" + lazy)
            case (0, 1): emit("?" + lazy)
            case (let n, let m?) where n == m: emit("{\(n)}" + lazy)
            case (let n, nil): emit("{\(n),}" + lazy)
            case (let n, let m?): emit("{\(n),\(m)}" + lazy)
            }
            if nullable && (hi ?? 2) > 1 { icuAgrees = false }
            return (.repetition(meaning, min: lo, max: hi), nullable || lo == 0)
        }
    }

    static let alphabet = ["a", "b", "A", "B", "0", "1", " ", "_", "-", ".", "\n", "é", "É"]
    static let genome = Gen.int(in: 0...10_000).array(of: 1...60)
    static let texts = Gen.int(in: 0...(alphabet.count - 1)).array(of: 0...10).array(of: 6)

    @Test func sameAnswersAsICUAndTheReferenceOnRandomPatterns() async {
        await propertyCheck(count: 4000, input: Self.genome, Self.texts) { numbers, texts in
            let p = RandomPattern(numbers)
            guard let ours = try? LinearRegex(p.ours) else {
                Issue.record("funnel refused \(p.ours.debugDescription): \(LinearRegex.validate(p.ours).map(String.init(describing:)) ?? "")")
                return
            }
            guard let icu = try? NSRegularExpression(pattern: p.icu) else {
                Issue.record("ICU refused \(p.icu.debugDescription) (for \(p.ours.debugDescription))")
                return
            }
            for codes in texts {
                let text = codes.map { Self.alphabet[$0] }.joined()
                let answer = ours.matches(text)
                #expect(answer == p.meaning.matchesSomewhere(text), "\(p.ours.debugDescription) on \(text.debugDescription): the reference differs")
                if p.icuAgrees {
                    let expected = icu.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                    #expect(answer == expected, "\(p.ours.debugDescription) (ICU \(p.icu.debugDescription)) on \(text.debugDescription)")
                }
            }
        }
    }

    /// The random patterns are not vacuous: most are compared with ICU, and they match some texts and not others.
    @Test func randomPatternsCoverBothAnswers() throws {
        var seed: UInt64 = 42, comparedWithICU = 0, yes = 0, no = 0, groups = 0
        func random() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        for _ in 0..<2000 {
            let p = RandomPattern((0..<40).map { _ in random() })
            if p.icuAgrees { comparedWithICU += 1 }
            if p.groups > 0 { groups += 1 }
            let regex = try LinearRegex(p.ours)
            for _ in 0..<6 {
                let text = (0..<random() % 11).map { _ in Self.alphabet[random() % Self.alphabet.count] }.joined()
                if regex.matches(text) { yes += 1 } else { no += 1 }
            }
        }
        #expect(comparedWithICU > 1500, "\(comparedWithICU)")
        #expect(groups > 500, "\(groups)")
        #expect(yes > 2000 && no > 2000, "\(yes) matches, \(no) not")
    }

    // MARK: linear time

    /// Patterns that take a backtracking engine exponential time (ICU: ~0.5 s for 34 characters).
    @Test(.timeLimit(.minutes(1))) func catastrophicPatternsRunInLinearTime() throws {
        let a30b = String(repeating: "a", count: 30) + "b"
        let a5000 = String(repeating: "a", count: 5000)
        let x5000 = String(repeating: "x", count: 5000)
        let cases: [(String, String, Bool)] = [
            ("^(a+)+$", a30b, false), ("^(a+)+$", a5000 + "b", false), ("^(a+)+$", a5000, true),
            ("(a|aa)*b", String(repeating: "a", count: 30), false), ("(a|aa)*b", a5000, false), ("(a|aa)*b", a5000 + "b", true),
            ("(x+x+)+y", String(repeating: "x", count: 30), false), ("(x+x+)+y", x5000, false), ("(x+x+)+y", x5000 + "y", true),
            ("(a*)*b", String(repeating: "a", count: 30), false), ("(a*)*b", a5000, false), ("(a*)*b", "b" + a5000, true),
            ("^(\\w+\\s?)+$", String(repeating: "word ", count: 1000) + "!", false), ("(.*a){20}", a5000 + "b", true),
            ("^(a|a?)+$", a5000 + "b", false), ("^(([a-z])+.)+[A-Z]([a-z])+$", a5000, false),
        ]
        let clock = ContinuousClock()
        for (pattern, text, expected) in cases {
            let regex = try LinearRegex(pattern)
            let elapsed = clock.measure { #expect(regex.matches(text) == expected, "\(pattern) on \(text.count) characters") }
            #expect(elapsed < .seconds(10), "\(pattern) on \(text.count) characters took \(elapsed)")
        }
    }

    /// Validating is linear too: a pattern of 100 000 nested parentheses is an error, not a stack overflow.
    @Test(.timeLimit(.minutes(1))) func hugeAndDeepPatternsAreErrors() {
        let n = 100_000
        for pattern in [String(repeating: "(", count: n) + "a" + String(repeating: ")", count: n),
                        String(repeating: "(?:", count: n), String(repeating: "(", count: n)] {
            let e = LinearRegex.validate(pattern)
            #expect(e?.reason == "groups are nested more than \(LinearRegex.maxNesting) deep")
            #expect(e?.range == LinearRegex.maxNesting * (pattern.hasPrefix("(?:") ? 3 : 1)..<LinearRegex.maxNesting * (pattern.hasPrefix("(?:") ? 3 : 1) + 1)
        }
        let long = LinearRegex.validate(String(repeating: "[a]", count: n))
        #expect(long?.reason == "the pattern is too long: it compiles to more than 50000 steps")
        #expect(long?.range == 149_997..<150_000)
        #expect(LinearRegex.validate(String(repeating: "ab|", count: 20_000))?.reason == "the pattern is too long: it compiles to more than 50000 steps")
        #expect(LinearRegex.validate(String(repeating: "ab|", count: 10_000)) == nil)
        #expect(LinearRegex.validate("(a{1000}){1000}")?.reason.hasPrefix("'(a{1000}){1000}' is too large once repeated") == true)
        #expect(LinearRegex.validate("(((((a{10}){10}){10}){10}){10})")?.reason.hasPrefix("'((((a{10}){10}){10}){10}){10}' is too large once repeated") == true)
        #expect(LinearRegex.validate("((((a{10}){10}){10}){10})") == nil)
        #expect(LinearRegex.validate("[a-z]{1000}") == nil)
    }

    // MARK: what is refused

    /// (pattern, the reason given, the part of the pattern it points at)
    static let refused: [(String, String, String)] = [
        ("(a)\\1", "backreferences (\\1) are not supported: funnel's regular expressions run in linear time (no backtracking)", "\\1"),
        ("(a)(b)\\12", "backreferences (\\12) are not supported: funnel's regular expressions run in linear time (no backtracking)", "\\12"),
        ("(?<n>a)\\k<n>", "backreferences (\\k...) are not supported: funnel's regular expressions run in linear time (no backtracking)", "\\k"),
        ("(?P<n>a)(?P=n)", "backreferences (?P=...) are not supported: funnel's regular expressions run in linear time (no backtracking)", "(?P="),
        ("a(?=b)", "lookahead (?=...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?="),
        ("a(?!b)", "lookahead (?!...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?!"),
        ("(?<=a)b", "lookbehind (?<=...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?<="),
        ("(?<!a)b", "lookbehind (?<!...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?<!"),
        ("(?>a+)b", "atomic groups (?>...) are not supported: funnel's regular expressions run in linear time (no backtracking)", "(?>"),
        ("a*+b", "possessive quantifiers (*+) are not supported: funnel's regular expressions run in linear time (no backtracking)", "*+"),
        ("a++", "possessive quantifiers (++) are not supported: funnel's regular expressions run in linear time (no backtracking)", "++"),
        ("a{2}+", "possessive quantifiers ({2}+) are not supported: funnel's regular expressions run in linear time (no backtracking)", "{2}+"),
        ("(a(?R)?b)", "recursion (?R...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?R"),
        ("(a)(?1)", "recursion (?1...) is not supported: funnel's regular expressions run in linear time (no backtracking)", "(?1"),
        ("(?(1)a|b)", "conditionals (?(...)...) are not supported: funnel's regular expressions run in linear time (no backtracking)", "(?("),
        ("a(?#note)", "comments (?#...) are not supported", "(?#"),
        ("(?x)a b", "flag x (free spacing) is not supported", "x"),
        ("(?U)a+", "flag U (ungreedy) is not supported", "U"),
        ("(?q)a", "unknown flag 'q' in (?q", "q"),
        ("(?)a", "bad flags (?): no flag", "(?)"),
        ("(?<1>a)", "bad group name in (?<1", "(?<1"),
        ("\\q", "unknown escape \\q", "\\q"),
        ("\\_", "unknown escape \\_", "\\_"),
        ("\\é", "unknown escape \\é", "\\é"),
        ("\\pL", "Unicode classes (\\p{...}) are not supported", "\\p"),
        ("\\Qa.b\\E", "quoting with \\Q...\\E is not supported", "\\Q"),
        ("a\\Z", "\\Z is not supported", "\\Z"),
        ("\\0", "octal escapes (\\0) are not supported", "\\0"),
        ("\\x4", "bad escape \\x4: write \\xHH with two hex digits", "\\x4"),
        ("\\x{}", "bad escape \\x{}: write \\x{...} with 1 to 6 hex digits", "\\x{}"),
        ("\\x{1234567}", "bad escape \\x{1234567: write \\x{...} with 1 to 6 hex digits", "\\x{1234567"),
        ("\\x{110000}", "\\x{110000} is not a Unicode character", "\\x{110000}"),
        ("\\uD800", "\\uD800 is not a Unicode character", "\\uD800"),
        ("\\u12", "bad escape \\u12: write \\uHHHH with four hex digits", "\\u12"),
        ("ab\\", "the pattern ends with a lone '\\'", "\\"),
        ("[\\b]", "\\b is not allowed inside a class", "\\b"),
        ("(ab", "unbalanced parenthesis: the group opened at character 1 is never closed", "("),
        ("a(b(c)", "unbalanced parenthesis: the group opened at character 2 is never closed", "("),
        ("(?:ab", "unbalanced parenthesis: the group opened at character 1 is never closed", "("),
        ("(?i", "unbalanced parenthesis: the group opened at character 1 is never closed", "("),
        ("ab)", "unbalanced parenthesis: this ')' closes no group", ")"),
        ("[ab", "unbalanced bracket: the class opened at character 1 is never closed", "["),
        ("x[^]", "unbalanced bracket: the class opened at character 2 is never closed", "["),
        ("[a[b]", "a '[' inside a class must be escaped", "["),
        ("[:alpha:]", "[:alpha:] is a POSIX class outside brackets", "[:alpha:]"),
        ("[[:alfa:]]", "unknown POSIX class [:alfa:]", "[:alfa:]"),
        ("[z-a]", "bad range z-a: 'z' comes after 'a'", "z-a"),
        ("[\\d-z]", "bad range \\d-z: a range cannot start with a class like \\d", "\\d-z"),
        ("[a-\\d]", "bad range a-\\d: a range cannot end with a class", "a-\\d"),
        ("*a", "'*' has nothing to repeat", "*"),
        ("a|+", "'+' has nothing to repeat", "+"),
        ("(?)", "bad flags (?): no flag", "(?)"),
        ("(?i)?", "'?' has nothing to repeat", "?"),
        ("({2})", "'{2}' has nothing to repeat", "{2}"),
        ("^*", "'*' has nothing to repeat: '^' matches a position, not a character", "*"),
        ("\\b+", "'+' has nothing to repeat: '\\b' matches a position, not a character", "+"),
        ("a**", "'*' follows another quantifier", "*"),
        ("a{2}{3}", "'{3}' follows another quantifier", "{3}"),
        ("a*?+", "'+' follows another quantifier", "+"),
        ("a{1001}", "repetition count 1001 is above the limit of 1000", "{1001}"),
        ("a{2,1001}", "repetition count 1001 is above the limit of 1000", "{2,1001}"),
        ("a{99999999999}", "repetition count {99999999999} is above the limit of 1000", "{99999999999}"),
        ("a{3,2}", "bad repetition {3,2}: the minimum is above the maximum", "{3,2}"),
        ("a{,2}", "a repetition needs its minimum", "{,"),
        ("a{x}", "'{' does not start a repetition {n}, {n,} or {n,m}", "{"),
        ("a{2", "'{' does not start a repetition {n}, {n,} or {n,m}", "{"),
    ]

    @Test func refusedConstructsSayWhatAndWhere() {
        for (pattern, reason, at) in Self.refused {
            guard let e = LinearRegex.validate(pattern) else {
                Issue.record("\(pattern.debugDescription) was accepted")
                continue
            }
            #expect(e.reason == reason, "\(pattern.debugDescription)")
            #expect(e.message == "invalid regular expression: " + reason)
            #expect(!e.help.isEmpty)
            let scalars = Array(pattern.unicodeScalars)
            var located = ""
            located.unicodeScalars.append(contentsOf: scalars[e.range.clamped(to: 0..<scalars.count)])
            #expect(located == at, "\(pattern.debugDescription) points at \(located.debugDescription)")
        }
    }

    @Test func messagesHaveHelpThatSuggestsAnAlternative() {
        #expect(LinearRegex.validate("(a)\\1")?.help == "write the repeated text out: (ab)ab instead of (ab)\\1, or (aa|bb) instead of (a|b)\\1")
        #expect(LinearRegex.validate("a(?!b)")?.help.contains("and not url matches") == true)
        #expect(LinearRegex.validate("[z-a]")?.help == "write the smaller end first: [a-z]")
        #expect(LinearRegex.validate("a{1001}")?.description == "invalid regular expression: repetition count 1001 is above the limit of 1000 (at character 2 of the pattern)")
    }
}

/// `matches` in a funnel: the engine evaluates the pattern once per distinct value.
struct MatchesOperatorTests {
    @Test func stepsFilterByPattern() {
        let rows = ["u1,\(Harness.t(1)),view,/p/12", "u1,\(Harness.t(2)),buy,/p/12", "u2,\(Harness.t(1)),view,/p/x", "u2,\(Harness.t(2)),buy,/p/x", "u3,\(Harness.t(1)),view,/P/7", "u3,\(Harness.t(2)),buy,/q"]
        #expect(Harness.counts("funnel f { step v = \"view\" and url matches \"^/p/[0-9]+$\"  step b = \"buy\" }", rows, extra: ["url"]) == [1, 1])
        #expect(Harness.counts("funnel f { step v = \"view\" and url matches \"(?i)^/p/\\\\d\"  step b = \"buy\" }", rows, extra: ["url"]) == [2, 2])
        #expect(Harness.counts("funnel f { step v = \"view\" and not url matches \"[0-9]\"  step b = \"buy\" and url matches \"\" }", rows, extra: ["url"]) == [1, 1])
    }

    /// 100 distinct values that take ICU about half a second each.
    @Test(.timeLimit(.minutes(1))) func aCatastrophicPatternOverManyValuesIsFast() {
        let rows = (0..<100).flatMap { i in
            ["u\(i),\(Harness.t(1)),view,\(String(repeating: "a", count: 30 + i))\(i % 2 == 0 ? "b" : "")", "u\(i),\(Harness.t(2)),buy,x"]
        }
        let clock = ContinuousClock()
        var counts: [Int] = []
        let elapsed = clock.measure {
            counts = Harness.counts("funnel f { step v = \"view\" and url matches \"^(a+)+$\"  step b = \"buy\" }", rows, extra: ["url"])
        }
        #expect(counts == [50, 50])
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}
