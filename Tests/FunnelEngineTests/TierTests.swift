import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import Testing

/// Issue 10, item 1: tiers — user-level labels from ordered cases, the first that holds wins;
/// usable in `by`, `for` and segments.
struct TierTests {
    static let t = Harness.t
    /// u0..u29: buyers (2 purchases) when u % 3 == 0, cart-only when u % 3 == 1, viewers otherwise.
    static let rows: [String] = (0..<30).flatMap { u -> [String] in
        var events = ["view"]
        if u % 3 == 0 { events += ["cart", "purchase", "purchase"] }
        if u % 3 == 1 { events += ["cart"] }
        return events.enumerated().map { "u\(u),\(t(u * 100 + $0 * 10)),\($1)" }
    }
    static let tier = """
        tier stage {
          "buyer"   if count("purchase") >= 2
          "carted"  if count("cart") >= 1
          "looker"  otherwise
        }

        """

    static func run(_ text: String) -> (results: [FunnelResult], diagnostics: [Diagnostic]) { Harness.run(text, rows: rows) }

    static func steps(_ clause: String) -> [Int] {
        run(tier + "funnel f { step v = \"view\"  step c = \"cart\"  \(clause) }").results.first?.steps.map(\.users) ?? []
    }

    @Test func byTierGroupsEqualTheFiltersAndTheFirstCaseWins() throws {
        let r = try #require(Self.run(Self.tier + "funnel f { step v = \"view\"  step c = \"cart\"  by stage }").results.first)
        func group(_ label: String) -> [Int]? { r.groups.first { $0.key[0].value == .string(label) }?.steps.map(\.users) }
        // Buyers also have a cart: the first case, "buyer", wins.
        #expect(group("buyer") == [10, 10])
        #expect(group("carted") == [10, 10])
        #expect(group("looker") == [10, 0])
        #expect(group("buyer") == Self.steps("for stage == \"buyer\""))
        #expect(group("looker") == Self.steps("for stage not in [\"buyer\", \"carted\"]"))
        #expect(r.groups.allSatisfy { $0.key[0].name == "stage" })
    }

    @Test func withoutOtherwiseUnmatchedUsersAreNone() throws {
        let text = "tier stage { \"buyer\" if count(\"purchase\") >= 2 }\nfunnel f { step v = \"view\"  by stage }"
        let r = try #require(Self.run(text).results.first)
        #expect(r.groups.first { $0.key[0].value == .null }?.steps.first?.users == 20)
        #expect(r.groups.first { $0.key[0].value == .string("buyer") }?.steps.first?.users == 10)
    }

    @Test func aSegmentMayUseATier() {
        let text = Self.tier + "segment keen = stage != \"looker\"\nfunnel f { step v = \"view\"  step c = \"cart\"  for keen }"
        #expect(Self.run(text).results.first?.steps.map(\.users) == [20, 20])
    }

    @Test func badTiersAreLocatedErrors() {
        let cases: [(String, DiagnosticCode, String)] = [
            ("tier a { \"x\" if a == \"x\"  \"y\" otherwise }", .segmentCycle, "tier 'a' refers to itself"),
            ("tier a { \"x\" if count(\"view\")  \"y\" otherwise }", .wrongResultType, "a tier's case needs a condition, found a number"),
            ("tier a { \"y\" otherwise  \"x\" if count(\"view\") > 1 }", .expectedToken, "a case after 'otherwise' can never be chosen"),
            ("tier a { x if count(\"view\") > 1 }", .expectedToken, "expected a case's label in quotes"),
            ("segment a = count(\"view\") > 1\ntier a { \"x\" otherwise }", .duplicateDeclaration, "'a' is declared twice"),
        ]
        for (text, code, message) in cases {
            let d = Self.run(text + "\nfunnel f { step v = \"view\" }").diagnostics
            #expect(d.contains { $0.code == code && $0.message.contains(message) && $0.location != nil }, "\(text): \(d.map(\.message))")
        }
        let d = Self.run(Self.tier + "funnel f { step v = \"view\"  step c = \"cart\"  by stage at c }").diagnostics
        #expect(d.contains { $0.message.contains("a tier breakdown ('by stage') takes neither 'at', 'all', 'last' nor 'bands'") })
    }
}
