import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelSyntax
import Testing

/// Golden tests: every `<case>.funnel` under Golden/<kind>/ has an expected output beside it
/// (`.tokens`, `.ast` or `.diag`). Adding a test means adding a file.
/// `FUNNEL_RECORD=1 swift test` rewrites the expected files and says so.
struct GoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let record = ProcessInfo.processInfo.environment["FUNNEL_RECORD"] == "1"

    static func cases(_ kind: String) -> [String] {
        let dir = root + "/" + kind
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".funnel") }.sorted().map { dir + "/" + $0 }
    }

    func compare(_ path: String, _ ext: String, _ actual: String) {
        let expectedPath = String(path.dropLast(".funnel".count)) + "." + ext
        if Self.record {
            try? actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
            print("FUNNEL_RECORD: re-recorded \(expectedPath)")
            return
        }
        guard let expected = try? String(contentsOfFile: expectedPath, encoding: .utf8) else {
            Issue.record("missing golden file \(expectedPath); run FUNNEL_RECORD=1 swift test to record it")
            return
        }
        #expect(actual == expected, "golden mismatch for \(path)")
    }

    static func source(_ path: String) -> SourceFile {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return SourceFile(path: String(path.dropFirst(repo.count + 1)), text: text)
    }

    @Test func lexerGoldens() {
        let cases = Self.cases("lexer")
        #expect(!cases.isEmpty)
        for path in cases { compare(path, "tokens", ASTPrinter.tokens(Self.source(path))) }
    }

    @Test func parserGoldens() {
        let cases = Self.cases("parser")
        #expect(!cases.isEmpty)
        for path in cases {
            let (program, diags) = Parser.parse(Self.source(path))
            var out = ASTPrinter.print(program)
            if !diags.isEmpty { out += "--\n" + DiagnosticRenderer().render(diags) }
            compare(path, "ast", out)
        }
    }

    /// Diagnostics of the whole pipeline (parse, check against the data), rendered without colour.
    @Test func diagnosticGoldens() {
        let cases = Self.cases("diagnostics")
        #expect(!cases.isEmpty)
        for path in cases {
            let c = Driver.compile(path: path, load: true)
            let rendered = DiagnosticRenderer().render(c.diagnostics).replacingOccurrences(of: Self.repo + "/", with: "")
            compare(path, "diag", rendered.isEmpty ? "(no diagnostics)\n" : rendered)
        }
    }
}
