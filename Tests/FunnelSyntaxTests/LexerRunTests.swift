import FunnelDiagnostics
import FunnelSyntax
import Testing

/// A long run of characters that start no token (a binary file, a pasted blob, a REPL line). The
/// lexer used to go on after each by calling itself, so about 200,000 in a row overflowed the
/// stack (a crash); and each was a diagnostic that every later phase located on its line, which
/// took minutes for a few hundred thousand. The first 99 are reported, the rest in one more.
struct LexerRunTests {
    @Test func aLongRunOfUnexpectedCharactersIsLexed() {
        let n = 300_000
        let file = SourceFile(path: "junk.funnel", text: "\n" + String(repeating: "@", count: n) + " view\n")
        let (tokens, diagnostics) = Lexer.tokenize(file)
        #expect(tokens.map(\.kind) == [.identifier("view"), .endOfFile])
        #expect(diagnostics.count == 100)
        #expect(diagnostics.allSatisfy { $0.code == .unexpectedCharacter })
        #expect(diagnostics.prefix(99).allSatisfy { $0.message == "unexpected character '@'" })
        #expect(diagnostics.prefix(99).map { $0.position?.column ?? 0 } == Array(1...99))
        #expect(diagnostics.last?.message == "\(n - 99) more unexpected characters from here on")
        #expect(diagnostics.last?.position?.line == 2 && diagnostics.last?.position?.column == 100)
    }

    @Test func aFewUnexpectedCharactersAreEachReported() {
        let (tokens, diagnostics) = Lexer.tokenize(SourceFile(path: "f.funnel", text: "a && b ' c"))
        #expect(tokens.map(\.kind) == [.identifier("a"), .identifier("b"), .identifier("c"), .endOfFile])
        #expect(diagnostics.map(\.message) == ["unexpected character '&'", "unexpected character '&'", "unexpected character '''"])
    }
}
