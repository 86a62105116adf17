import FunnelDiagnostics

/// Thrown inside the parser to unwind to the nearest recovery point.
struct ParseAbort: Error {}

/// The hand-written recursive-descent parser. It reports every error in a file:
/// after a mistake it skips to the next declaration or clause keyword that starts a
/// line and carries on (jlox's `synchronize`).
public struct Parser {
    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    /// How deeply the expression being parsed nests (see `maxDepth`).
    var depth = 0
    /// Inside a block of one value per line (a profile's columns): a name at the start of a line
    /// is the next value, not a keyword that the previous line left unfinished.
    var valuesStartLines = false
    public internal(set) var diagnostics: [Diagnostic] = []

    public static let declarationKeywords = Set(Keywords.declarations)
    public static let clauseKeywords = Set(Keywords.clauses)

    public init(_ file: SourceFile) {
        self.file = file
        let (toks, diags) = Lexer.tokenize(file)
        self.tokens = toks
        self.diagnostics = diags
    }

    /// Parses a whole file.
    public static func parse(_ file: SourceFile) -> (program: Program, diagnostics: [Diagnostic]) {
        var p = Parser(file)
        let program = p.parseProgram()
        return (program, p.diagnostics)
    }

    // MARK: token helpers

    var current: Token { tokens[min(pos, tokens.count - 1)] }
    func peekToken(_ k: Int = 1) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    func at(_ kind: Token.Kind) -> Bool { current.kind == kind }
    func atWord(_ w: String) -> Bool { current.isWord(w) }
    func atPunct(_ p: String) -> Bool { current.isPunct(p) }
    var previousEnd: Int { pos > 0 ? tokens[pos - 1].span.end : 0 }

    @discardableResult
    mutating func advance() -> Token {
        let t = current
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func report(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, help: String? = nil) {
        diagnostics.append(Diagnostic(.error, code, message, at: .source(file, span), help: help))
    }

    /// Reports "expected X, found Y" at the current token and unwinds.
    mutating func fail(expected: String, help: String? = nil) throws -> Never {
        let t = current
        let span = t.kind == .endOfFile ? SourceSpan(previousEnd, previousEnd + 1) : t.span
        report(.expectedToken, "expected \(expected), found \(t.display)", span, help: help)
        throw ParseAbort()
    }

    mutating func expectPunct(_ p: String, help: String? = nil) throws -> Token {
        if atPunct(p) { return advance() }
        try fail(expected: "'\(p)'", help: help)
    }

    mutating func expectWord(_ w: String, help: String? = nil) throws -> Token {
        if atWord(w) { return advance() }
        try fail(expected: "'\(w)'", help: help)
    }

    mutating func identifier(_ what: String, help: String? = nil) throws -> Name {
        if case .identifier(let s) = current.kind { let t = advance(); return Name(s, t.span) }
        try fail(expected: what, help: help)
    }

    mutating func stringLiteral(_ what: String, help: String? = nil) throws -> (String, SourceSpan) {
        if case .string(let s) = current.kind { let t = advance(); return (s, t.span) }
        try fail(expected: what, help: help)
    }

    /// Skips to the next token that starts a line with one of `keywords`, or to `stop`.
    mutating func synchronize(to keywords: Set<String>, stopAtBrace: Bool) {
        var depth = 0
        while !at(.endOfFile) {
            if depth == 0, current.startsLine, let w = current.identifier, keywords.contains(w) { return }
            if atPunct("{") { depth += 1 }
            if atPunct("}") {
                if depth == 0 && stopAtBrace { return }
                depth = max(0, depth - 1)
            }
            advance()
        }
    }
}
