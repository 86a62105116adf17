import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax
import PropertyBased
import Testing
import FunnelTestSupport

/// Bad input never crashes: mutated `.funnel` text and random event bytes end in a result
/// or in diagnostics.
struct RobustnessTests {
    static let repo = TestSupport.repo
    static let example = (try? String(contentsOfFile: repo + "/examples/ecommerce.funnel", encoding: .utf8)) ?? ""
    static let fragments = ["{", "}", "(", ")", "\"", "->", "==", "within", "step", "funnel", "by", "kpi", "expect", "1h", "7",
                            "%", "`", "#", "\n", "and", "not", "[", "]", ",", ".", "user.", "2024-13-45", "\\u{", "between",
                            "99999999999999999999999d", "9223372036854775807", "0s", "-", "1e9", "null", "9999-12-31T23:59:59Z"]

    /// Applies edits (delete, insert a fragment, duplicate) at positions chosen by the generator.
    static func mutate(_ text: String, _ edits: [[Int]]) -> String {
        var chars = Array(text)
        for e in edits where !chars.isEmpty {
            let at = e[1] % chars.count
            switch e[0] % 3 {
            case 0: chars.removeSubrange(at..<min(chars.count, at + 1 + e[2] % 8))
            case 1: chars.insert(contentsOf: Array(fragments[e[2] % fragments.count]), at: at)
            default: chars.insert(contentsOf: Array(chars[at..<min(chars.count, at + e[2] % 12)]), at: at)
            }
        }
        return String(chars)
    }

    static let edits = zip(Gen.int(in: 0...2), Gen.int(in: 0...5000), Gen.int(in: 0...40)).map { [$0, $1, $2] }.array(of: 1...6)

    @Test func mutatedFunnelFilesGiveDiagnosticsNotCrashes() async throws {
        let dir = NSTemporaryDirectory() + "fuzz-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        for f in ["ecommerce.csv", "users.csv"] {
            try FileManager.default.copyItem(atPath: Self.repo + "/examples/data/" + f, toPath: dir + "/data/" + f)
        }
        await propertyCheck(count: 300, input: Self.edits) { edits in
            let text = Self.mutate(Self.example, edits)
            let file = SourceFile(path: "fuzz.funnel", text: text)
            let (program, _) = Parser.parse(file)
            var checker = Checker(units: [CompilationUnit(file: file, program: program)])
            _ = checker.resolveSources()
            // The whole pipeline, with the real data.
            let path = dir + "/f.funnel"
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            let c = Driver.compile(path: path, load: true)
            if !c.hasErrors { _ = Driver.run(c) }
            // Every error has a place.
            for d in c.diagnostics where d.isError { #expect(d.location != nil, "\(d.message)") }
        }
    }

    static let bytes = Gen.int(in: 0...255).array(of: 0...300)

    @Test func randomEventBytesGiveDiagnosticsNotCrashes() async throws {
        let dir = TestSupport.temporaryFolder("fuzz-bytes")
        // Bytes biased towards CSV and JSON structure.
        let alphabet: [UInt8] = Array("user,time,event\n\"{}:\r,2024-01-01T00:00:00Z 1704067200 view\\".utf8) + [0xFF, 0xC3, 0x00]
        await propertyCheck(count: 300, input: Self.bytes, Gen.int(in: 0...1)) { raw, json in
            let body = raw.map { alphabet[$0 % alphabet.count] }
            let header = json == 1 ? [] : Array("user,time,event\n".utf8)
            let name = json == 1 ? "e.jsonl" : "e.csv"
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(header + body)))
            for skip in [false, true] {
                let src = SourceSpec(name: "e", format: json == 1 ? "jsonl" : "csv", path: dir + "/" + name, userColumn: "user",
                                        timeColumn: "time", eventColumn: "event", timezone: nil, delimiter: 44)
                do {
                    let schema = try Loader.schema(of: src, options: Loader.Options(skipBadRows: skip))
                    let store = try Loader.load(src, properties: [], schema: schema, options: Loader.Options(skipBadRows: skip))
                    #expect(store.count == store.time.count)
                } catch let e as DiagnosticsError {
                    #expect(!e.diagnostics.isEmpty)
                } catch {
                    Issue.record("unexpected error type: \(error)")
                }
            }
        }
    }
}
