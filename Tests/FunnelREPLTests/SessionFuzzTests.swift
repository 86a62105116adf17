import Foundation
import FunnelDriver
import FunnelREPL
import PropertyBased
import Testing
import FunnelTestSupport

/// A session never crashes on a typo: random lines of language fragments always get an
/// answer, and the session still runs a funnel afterwards.
struct SessionFuzzTests {
    static let fragments = ["view", "->", "cart", "purchase", "by", "device", "where", "country", "==", "\"US\"", "within", "1d",
                            "checkout", "{", "}", "funnel", "step", "=", "kpi", "expect", ":schema", ":format", "json", ":explain",
                            "(", ")", "and", "not", "in", "[", "]", ",", "7", "%", "`x`", "#", "segment", "source", "csv(\"nope.csv\")",
                            "count", "hold", "compare", "baseline", "all", "week", "user.age", "price", ">", "-", "\\", "\"", "null", ":save"]

    static let lines = Gen.int(in: 0...(fragments.count - 1)).array(of: 0...9).array(of: 1...6)

    @Test func randomLinesNeverEndTheSession() async {
        let repo = TestSupport.repo
        #expect(FileManager.default.changeCurrentDirectoryPath(repo))
        let session = Session()
        _ = session.load(path: "examples/ecommerce.funnel")
        await propertyCheck(count: 200, input: Self.lines) { lines in
            for picks in lines {
                let line = picks.map { Self.fragments[$0] }.joined(separator: " ")
                // :save would write files; everything else is fair game.
                if line.contains(":save") { continue }
                let reply = session.handle(line)
                #expect(!reply.quit)
            }
            session.cancelInput()
        }
        session.format = .csv
        #expect(session.handle("view -> purchase").text.contains("inline,,purchase,"))
    }
}
