import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelDriver
import FunnelEngine
import FunnelTestSupport
import Testing

/// Issue 10, items 2 and 4: `measure` (a named user value, in `by`, `for`, tiers and KPIs as
/// `avg(STEP.user.NAME)`) and `profile by KEY` (the funnel's users per group), on hand-computed data.
struct ProfileTests {
    static let t = Harness.t
    static let hour = 3600
    /// u1: view, cart, purchase 20, purchase 30 (loyal); u2: view, cart, purchase 100 (buyer);
    /// u3: view, cart; u4: view (browsers); u5: cart only (not in the funnel).
    static let rows: [String] = [
        "u1,\(t(0)),view,", "u1,\(t(60)),cart,", "u1,\(t(120)),purchase,20", "u1,\(t(5 * hour)),purchase,30",
        "u2,\(t(100)),view,", "u2,\(t(200)),cart,", "u2,\(t(2 * hour)),purchase,100",
        "u3,\(t(300)),view,", "u3,\(t(400)),cart,",
        "u4,\(t(10 * hour)),view,",
        "u5,\(t(500)),cart,",
    ]
    /// u3 has no gender: a mix shows it as "(none)"; u4 has no age: a mean leaves it out.
    static let users = "user,age,gender,plan,joined\nu1,30,F,plus,2023-01-01\nu2,40,M,free,2023-02-01\nu3,20,,free,2023-03-01\nu4,,M,plus,2023-04-01\nu5,60,F,free,2023-05-01\n"
    static let declarations = """
        measure orders = count("purchase")
        measure spend  = sum(price where event == "purchase")
        tier loyalty {
          "loyal"   if orders >= 2
          "buyer"   if orders >= 1
          "browser" otherwise
        }

        """

    static func run(_ text: String) -> (results: [FunnelResult], diagnostics: [Diagnostic]) {
        let folder = TestSupport.temporaryFolder("profile-users")
        try? users.write(toFile: folder + "/users.csv", atomically: true, encoding: .utf8)
        return Harness.run("users = csv(\"\(folder)/users.csv\") { key = user }\n" + declarations + text, rows: rows, extraColumns: ["price"])
    }

    static let funnel = "funnel f {\n  step view = \"view\"\n  step cart = \"cart\"\n  step purchase = \"purchase\"\n"

    static func profile(_ clause: String) throws -> ProfileResult {
        let r = Self.run(funnel + clause + "\n}\n")
        return try #require(r.results.first?.profile, "\(r.diagnostics.map(\.message))")
    }

    static func row(_ p: ProfileResult, _ label: String) -> ProfileResult.Row? { p.rows.first { $0.value == .string(label) } }

    @Test func eachGroupHasItsUsersShareConversionMeansAndMixes() throws {
        let p = try Self.profile("  profile by loyalty { user.age  user.gender  orders  spend  since = recency(\"view\") }")
        #expect(p.columns.map(\.name) == ["age", "gender", "orders", "spend", "since"])
        #expect(p.columns.map(\.kind) == [.mean, .mix, .mean, .mean, .duration])
        // Largest first; browser (u3, u4) before loyal and buyer (one user each, then by label).
        #expect(p.rows.map(\.value) == [.string("browser"), .string("buyer"), .string("loyal")])
        let browser = try #require(Self.row(p, "browser"))
        #expect(browser.users == 2 && browser.share == 0.5 && browser.conversion == 0)
        // u4 has no age: the mean is u3's alone, over one user with a value.
        #expect(browser.cells[0] == .mean(20, count: 1))
        #expect(browser.cells[1] == .mix([ProfileResult.Share(label: "(none)", users: 1, share: 0.5), ProfileResult.Share(label: "M", users: 1, share: 0.5)]))
        #expect(browser.cells[2] == .mean(0, count: 2))
        #expect(browser.cells[3] == .mean(0, count: 2), "a sum over no purchase is 0")
        let loyal = try #require(Self.row(p, "loyal"))
        #expect(loyal.users == 1 && loyal.share == 0.25 && loyal.conversion == 1)
        #expect(loyal.cells[3] == .mean(50, count: 1))
        // Recency at the latest event (u4's view, 10 h): u1's view was at 0 → 10 h.
        #expect(loyal.cells[4] == .mean(10 * 3600, count: 1))
        #expect(p.total.users == 4 && p.total.share == 1 && p.total.conversion == 0.5)
        #expect(p.total.cells[0] == .mean(30, count: 3))
        #expect(p.total.cells[2] == .mean(0.75, count: 4))
    }

    @Test func profileGroupsAreTheBreakdownsGroups() throws {
        let r = try #require(Self.run(Self.funnel + "  by user.plan\n  profile by user.plan\n}\n").results.first)
        let p = try #require(r.profile)
        for g in r.groups {
            let row = try #require(p.rows.first { $0.value == g.key[0].value })
            #expect(row.users == g.steps[0].users)
            #expect(row.conversion == Double(g.steps[2].users) / Double(g.steps[0].users))
        }
        // Without columns: every column of the users table but its key (a time column is left out).
        #expect(p.columns.map(\.name) == ["age", "gender", "plan"])
    }

    @Test func aProfileByBandsOfAUserValue() throws {
        let p = try Self.profile("  profile by user.age bands [25, 35] { spend }")
        #expect(Set(p.rows.map(\.value)) == [.string("<25"), .string("25–35"), .string("35+"), .null])
        #expect(Self.row(p, "35+")?.cells[0] == .mean(100, count: 1))
    }

    @Test func measuresWorkInBreakdownsSegmentsAndKPIs() throws {
        let r = try #require(Self.run(Self.funnel + """
              by orders
              kpi avg_spend = avg(purchase.user.spend)
              kpi buyer_age = avg(purchase.user.age)
              kpi viewer_age = max(view.user.age)
            }
            funnel g {
              step view = "view"
              for orders >= 1
            }
            """).results.first)
        #expect(r.groups.map { $0.key[0].value } == [.number(0), .number(1), .number(2)])
        // Over the users at purchase (u1: 50, u2: 100), once each, whatever their events.
        #expect(r.kpis[0].value == 75)
        #expect(r.kpis[1].value == 35)
        #expect(r.kpis[2].value == 40)
        #expect(r.groups.first { $0.key[0].value == .number(2) }?.kpis[0].value == 50)
        #expect(Self.run(Self.funnel + "}\nfunnel g {\n  step view = \"view\"\n  for orders >= 1\n}\n").results.last?.steps[0].users == 2)
    }

    @Test func textsEqualAsStringsAreOneGroup() throws {
        // "Malé" composed (u1) and decomposed (u2): one city, as `where city == "Malé"` says.
        let rows = ["u1,\(Self.t(0)),view,,Mal\u{E9}", "u2,\(Self.t(5)),view,,Male\u{301}"]
        let r = try #require(Harness.run("funnel f {\n  step view = \"view\"\n  by city\n}\n", rows: rows, extraColumns: ["price", "city"]).results.first)
        #expect(r.groups.count == 1)
        #expect(r.groups.first?.steps.first?.users == 2)
    }

    @Test func forEachNamesAKeyWithADot() throws {
        let r = try #require(Self.run(Self.funnel + "  by user.plan\n  expect cart >= 2 for each user.plan\n}\n").results.first)
        #expect(r.expects.first?.groups.map(\.group).sorted() == ["user.plan = free", "user.plan = plus"])
        // Free: u2 and u3 reach the cart; plus: only u1 (u4 only views).
        #expect(r.expects.first?.failedGroups.map(\.group) == ["user.plan = plus"])
    }

    @Test func badProfilesAndMeasuresAreLocatedErrors() {
        let cases: [(String, DiagnosticCode, String)] = [
            (Self.funnel + "  count conversions\n  profile by loyalty\n}", .badCount, "a profile describes users, but this funnel counts conversions"),
            (Self.funnel + "  profile by loyalty { user.joined }\n}", .wrongResultType, "this one is a time"),
            (Self.funnel + "  profile by loyalty\n  profile by user.plan\n}", .duplicateDeclaration, "a funnel has one profile"),
            (Self.funnel + "  profile by week\n}", .keyExpected, "a profile groups users, not periods"),
            (Self.funnel + "  kpi x = avg(purchase.user.gender)\n}", .typeMismatch, "avg(...) needs a number, but 'user.gender' holds strings"),
            ("measure label = first(event)\n" + Self.funnel + "  kpi x = avg(purchase.user.label)\n}", .typeMismatch, "measure 'label' holds strings"),
            ("measure a = a + 1\n" + Self.funnel + "}", .segmentCycle, "measure 'a' refers to itself"),
            ("segment orders = count(\"view\") > 1\n" + Self.funnel + "}", .duplicateDeclaration, "'orders' is declared twice"),
            (Self.funnel + "  kpi x = avg(purchase.user.spnd)\n}", .unknownUserProperty, "unknown user property or measure 'spnd'"),
            ("measure age = count(\"view\")\n" + Self.funnel + "}", .duplicateDeclaration, "measure 'age' has the name of a column of the users table"),
            ("measure price = count(\"view\")\n" + Self.funnel + "}", .duplicateDeclaration, "measure 'price' has the name of a column of the events"),
            (Self.funnel + "  profile by loyalty { user.age  age = count(\"view\") }\n}", .duplicateName, "the profile has two columns named 'age'"),
            (Self.funnel + "  by orders\n  compare\n}", .keyExpected, "'compare' compares groups of a property; 'orders' is a user value"),
            (Self.funnel + "  by loyalt\n}", .unknownProperty, "unknown property, segment, measure, tier or period 'loyalt'"),
            (Self.funnel + "  by orders bands [1]\n  expect view >= 1 for each ordrs\n}", .forEachWithoutBreakdown, "'ordrs' is not the breakdown"),
        ]
        for (text, code, message) in cases {
            let d = Self.run(text).diagnostics
            #expect(d.contains { $0.code == code && $0.message.contains(message) && $0.location != nil }, "\(text): \(d.map(\.message))")
        }
        // Helps that say what to write instead.
        func help(_ text: String) -> [String] { Self.run(text).diagnostics.compactMap(\.help) }
        #expect(help(Self.funnel + "  kpi x = avg(purchase.user.spnd)\n}").contains { $0.contains("'spend'") })
        #expect(help(Self.funnel + "  kpi x = avg(purchase.spend)\n}").contains("'spend' is a measure, a value per user: write avg(purchase.user.spend)"))
        #expect(help(Self.funnel + "  by loyalt\n}") == ["did you mean 'loyalty'?"])
        #expect(help(Self.funnel + "  by weeks\n}") == ["did you mean 'week'?"])
        #expect(help(Self.funnel + "  count conversion\n}") == ["did you mean 'conversions'?"])
        #expect(help(Self.funnel + "  by rfm(\"purchase\", price).segment\n  expect view >= 1 for each rfm\n}")
            .contains { $0.contains("write 'for each group'") })
        // A measure with an error is reported once, where it is declared, not again where it is used.
        let d = Self.run("measure bad = count(purchase)\n" + Self.funnel + "  for bad > 1\n  profile by loyalty { bad }\n}").diagnostics
        #expect(d.filter { $0.code == .unknownProperty }.count == 1, "\(d.map(\.message))")
        #expect(d.first { $0.code == .unknownProperty }?.help == "to match the event \"purchase\", write it in quotes: \"purchase\"")
    }
}
