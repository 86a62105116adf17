import FunnelTestSupport
import Testing

/// Golden tests: every `<case>.funnel` under Golden/<kind>/ has an expected output beside it
/// (`.tokens`, `.ast` or `.diag`). Adding a test means adding a file; each case is its own test.
/// `FUNNEL_RECORD=1 swift test` rewrites the expected files and says so.
/// The outputs come from FunnelTestSupport's StageOutputs (the one file that calls the compiler).
struct GoldenTests {
    static let folder = "Tests/FunnelSyntaxTests/Golden/"
    static let lexerCases = Golden.cases(folder + "lexer")
    static let parserCases = Golden.cases(folder + "parser")
    static let diagnosticCases = Golden.cases(folder + "diagnostics")

    @Test func everyKindHasCases() {
        #expect(!Self.lexerCases.isEmpty)
        #expect(!Self.parserCases.isEmpty)
        #expect(!Self.diagnosticCases.isEmpty)
    }

    @Test(arguments: lexerCases) func lexer(_ c: GoldenCase) {
        Golden.check(TestSupport.stripRepo(StageOutputs.tokens(path: c.path)), c, "tokens")
    }

    @Test(arguments: parserCases) func parser(_ c: GoldenCase) {
        Golden.check(TestSupport.stripRepo(StageOutputs.ast(path: c.path)), c, "ast")
    }

    /// Diagnostics of the whole pipeline (parse, check against the data), rendered without colour.
    @Test(arguments: diagnosticCases) func diagnostics(_ c: GoldenCase) {
        Golden.check(TestSupport.stripRepo(StageOutputs.diagnostics(path: c.path)), c, "diag")
    }
}
