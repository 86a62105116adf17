import Foundation
import FunnelDiagnostics
import FunnelSyntax
import FunnelTestSupport
import Testing

/// Issue 12: `funnel fmt` — one canonical layout, idempotent, comments kept, meaning unchanged.
struct FormatterTests {
    static let repo = TestSupport.repo

    /// Every .funnel file of examples/, grammar/snippets/ and the parser goldens that parses.
    static var files: [String] {
        var out: [String] = []
        for dir in ["examples", "grammar/snippets", "Tests/FunnelSyntaxTests/Golden/parser", "Tests/FunnelGoldenTests/Golden/report"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: repo + "/" + dir)) ?? []
            out += names.filter { $0.hasSuffix(".funnel") }.sorted().map { dir + "/" + $0 }
        }
        return out
    }

    static func read(_ path: String) throws -> SourceFile {
        SourceFile(path: path, text: try String(contentsOfFile: repo + "/" + path, encoding: .utf8))
    }

    @Test func examplesAndGrammarSnippetsAreFormatted() throws {
        for path in Self.files where path.hasPrefix("examples/") || path.hasPrefix("grammar/") {
            let file = try Self.read(path)
            let (text, diagnostics) = Formatter.format(file)
            #expect(diagnostics.filter(\.isError).isEmpty, "\(path)")
            #expect(text == file.text, "\(path) is not formatted: run funnel fmt \(path)")
        }
    }

    @Test func formattingTwiceIsFormattingOnceAndKeepsTheMeaning() throws {
        var formatted = 0
        for path in Self.files {
            let file = try Self.read(path)
            guard let once = Formatter.format(file).text else { continue }
            formatted += 1
            let twice = Formatter.format(SourceFile(path: path, text: once)).text
            #expect(twice == once, "\(path)")
            // The same program: the printed syntax trees (no positions) are equal.
            let before = ASTPrinter.print(Parser.parse(file).program)
            let after = ASTPrinter.print(Parser.parse(SourceFile(path: path, text: once)).program)
            #expect(before == after, "\(path)")
        }
        #expect(formatted >= 20)
    }

    @Test func theCanonicalLayout() {
        let messy = """
            # header comment
            source   events=csv("e.csv"){user=uid time=ts event=name price:number}
            segment a=count( "view" )>=2
            segment longer_name = user.age>30   # trailing
            funnel f{
            window 7d   # from the view
              step v="view"
                step purchase = "purchase" and price>-1 within 1d
            # own-line comment
              kpi c=purchase/v
              kpi rate = v / users
            expect c>=5%
            }
            """
        let expected = """
            # header comment
            source events = csv("e.csv") { user = uid  time = ts  event = name  price: number }
            segment a           = count("view") >= 2
            segment longer_name = user.age > 30  # trailing

            funnel f {
              window 7d                                            # from the view
              step v        = "view"
              step purchase = "purchase" and price > -1 within 1d
              # own-line comment
              kpi c    = purchase / v
              kpi rate = v / users
              expect c >= 5%
            }

            """
        let (text, _) = Formatter.format(SourceFile(path: "m.funnel", text: messy))
        #expect(text == expected, "\(text ?? "nil")")
    }

    @Test func aFileThatDoesNotParseIsLeftAlone() {
        let (text, diagnostics) = Formatter.format(SourceFile(path: "bad.funnel", text: "funnel f { step a = \n"))
        #expect(text == nil)
        #expect(diagnostics.contains { $0.isError })
    }

    @Test func longBlocksGetOneItemPerLine() {
        let long = "source events = csv(\"a/very/long/path/to/the/events/export/of/last/month.csv\") { user = user_id  time = event_time  event = event_type }\nfunnel f { step v = \"view\" }\n"
        let text = Formatter.format(SourceFile(path: "l.funnel", text: long)).text
        #expect(text?.hasPrefix("source events = csv(\"a/very/long/path/to/the/events/export/of/last/month.csv\") {\n  user  = user_id\n  time  = event_time\n  event = event_type\n}\n\nfunnel f { step v = \"view\" }\n") == true, "\(text ?? "nil")")
    }
}
