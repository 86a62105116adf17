import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelSQL
import FunnelTestSupport
import Testing

/// `profile by KEY` and KPIs over a measure have no SQL translation yet: each is refused by
/// name on every target (E302), never dropped from the report.
@Suite struct ProfileRefusalTests {
    static let data = "user,time,event,n\nu1,2024-03-01T10:00:00Z,view,1\nu1,2024-03-01T10:01:00Z,cart,2\n"

    @Test func profilesAndKPIsOverMeasuresAreRefused() {
        let cases: [(String, String)] = [
            ("  profile by orders { spend }", "`profile by orders`"),
            ("  kpi average = avg(cart.user.spend)", "KPI `average`"),
            ("  expect avg(cart.user.spend) > 1", "`expect avg(cart.user.spend) > 1`"),
        ]
        for (clause, construct) in cases {
            let folder = TestSupport.temporaryFolder("sql-profile")
            let text = "source events = csv(\"events.csv\")\nmeasure orders = count(\"cart\")\nmeasure spend = sum(n)\n"
                + "funnel shop {\n  step view = \"view\"\n  step cart = \"cart\"\n\(clause)\n}\n"
            try? Self.data.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
            try? text.write(toFile: folder + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: folder + "/f.funnel", options: DriverOptions(), load: false)
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            for target in SQLTarget.allCases {
                let d = Driver.sql(c, target: target).first?.diagnostic
                #expect(d?.code == .notTranslatable && d?.message.contains(construct) == true, "\(construct): \(d?.message ?? "no refusal")")
            }
        }
    }
}
