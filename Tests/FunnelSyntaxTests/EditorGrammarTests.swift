import Foundation
import FunnelSyntax
import FunnelTestSupport
import Testing

/// Issue 12: grammar/funnel.tmLanguage.json (TextMate: VS Code, GitHub-style highlighting) names
/// exactly the language's keywords, and its patterns colour real files as the lexer reads them.
struct EditorGrammarTests {
    static let path = TestSupport.repo + "/grammar/funnel.tmLanguage.json"

    static func grammar() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func rule(_ name: String) throws -> [String: Any] {
        try #require((try grammar()["repository"] as? [String: Any])?[name] as? [String: Any])
    }

    /// The words of a `\b(?:a|b|c)\b` pattern.
    static func words(_ rule: [String: Any]) throws -> [String] {
        let match = try #require(rule["match"] as? String)
        let inner = try #require(match.range(of: "(?:")).upperBound
        let close = try #require(match[inner...].firstIndex(of: ")"))
        return match[inner..<close].split(separator: "|").map(String.init)
    }

    @Test func keywordListsEqualTheLanguages() throws {
        #expect(try Self.words(Self.rule("declaration")) == Keywords.declarations)
        #expect(try Self.words(Self.rule("clause")) == Keywords.clauses)
        #expect(try Self.words(Self.rule("operator-word")) == Keywords.operators)
        #expect(try Self.words(Self.rule("constant")) == Keywords.constants)
        #expect(try Self.words(Self.rule("setting")) == Keywords.settings)
        #expect(try Self.words(Self.rule("function")) == Keywords.functions)
        // The parser's recovery uses the same declaration and clause words.
        #expect(Parser.declarationKeywords == Set(Keywords.declarations))
        #expect(Parser.clauseKeywords == Set(Keywords.clauses))
    }

    @Test func everyPatternCompilesAndEveryRuleIsReachable() throws {
        let g = try Self.grammar()
        #expect(g["scopeName"] as? String == "source.funnel")
        let repository = try #require(g["repository"] as? [String: Any])
        let included = Set(((g["patterns"] as? [[String: String]]) ?? []).compactMap { $0["include"]?.dropFirst() }.map(String.init))
        #expect(included == Set(repository.keys), "every rule is used and every include exists")
        for (name, value) in repository {
            let rule = try #require(value as? [String: Any])
            for key in ["match", "begin", "end"] {
                guard let pattern = rule[key] as? String else { continue }
                #expect((try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])) != nil, "\(name).\(key): \(pattern)")
            }
        }
    }

    /// Every word the lexer reads as a keyword in the examples is coloured as one, and a
    /// duration, a date-time and a percentage take their own scopes.
    @Test func theExamplesTokensGetTheirScopes() throws {
        func matches(_ rule: String, _ text: String) throws -> Bool {
            let pattern = try #require(try Self.rule(rule)["match"] as? String)
            let re = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            return re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        #expect(try matches("duration", "1h30m") && matches("duration", "250ms") && !matches("duration", "30"))
        #expect(try matches("datetime", "2024-01-31T08:00:00+02:00") && matches("date", "2024-01-31"))
        #expect(try matches("number", "2.5%") && matches("number", "1_000"))
        let examples = try FileManager.default.contentsOfDirectory(atPath: TestSupport.repo + "/examples").filter { $0.hasSuffix(".funnel") }
        var seen = Set<String>()
        for name in examples {
            let text = try String(contentsOfFile: TestSupport.repo + "/examples/" + name, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for word in code.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) where Keywords.all.contains(String(word)) {
                    seen.insert(String(word))
                }
            }
        }
        #expect(seen.isSuperset(of: ["source", "funnel", "step", "window", "by", "kpi", "expect"]), "\(seen.sorted())")
    }
}
