import Foundation
import FunnelDiagnostics
import FunnelTestSupport
import Testing

/// Rules of the house that no compiler checks: the diagnostics catalogue is the only place
/// codes are written, every code is used and tested, the README's table is the catalogue, and
/// each module imports only what its stage may.
struct HouseRulesTests {
    static let repo = TestSupport.repo

    /// Every `.swift` file under a folder, with its text.
    static func swiftFiles(under folder: String) -> [(path: String, text: String)] {
        let root = repo + "/" + folder
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().compactMap { name in
            (try? String(contentsOfFile: root + "/" + name, encoding: .utf8)).map { (folder + "/" + name, $0) }
        }
    }

    /// Every text file under Tests/ (test code and golden files).
    static func testTexts() -> [String] {
        let root = repo + "/Tests"
        let names = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return names.filter { !$0.hasSuffix("HouseRulesTests.swift") }.compactMap { try? String(contentsOfFile: root + "/" + $0, encoding: .utf8) }
    }

    static let cataloguePath = "Sources/FunnelDiagnostics/Catalogue.swift"

    /// The catalogue's entries as written: code, member name and the one-line `///` above it.
    static func catalogueEntries() -> [(code: String, name: String, summary: String)] {
        guard let text = try? String(contentsOfFile: repo + "/" + cataloguePath, encoding: .utf8) else { return [] }
        var out: [(String, String, String)] = []
        var doc = ""
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("/// ") { doc = String(line.dropFirst(4)); continue }
            if line.hasPrefix("case "), let eq = line.firstIndex(of: "=") {
                let name = line.dropFirst(5).prefix { $0 != " " }
                let code = line[eq...].filter { $0.isLetter || $0.isNumber }
                out.append((String(code), String(name), doc))
            }
            doc = ""
        }
        return out
    }

    @Test func everyCodeHasOneMemberWithADocComment() {
        let entries = Self.catalogueEntries()
        #expect(entries.count == DiagnosticCode.allCases.count)
        for e in entries {
            #expect(!e.summary.isEmpty, "\(e.code) has no /// line")
            #expect(DiagnosticCode(rawValue: e.code) != nil)
        }
        #expect(Set(entries.map(\.code)).count == entries.count, "a code is used twice")
    }

    @Test func noCodeLiteralOutsideTheCatalogue() throws {
        let pattern = try NSRegularExpression(pattern: "\"E[0-9]{3}\"")
        for (path, text) in Self.swiftFiles(under: "Sources") where path != Self.cataloguePath {
            let hits = pattern.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text))
            #expect(hits == 0, "\(path) writes a diagnostic code as a literal; use a DiagnosticCode member")
        }
    }

    @Test func everyCodeIsUsedAndTested() {
        let sources = Self.swiftFiles(under: "Sources").filter { $0.path != Self.cataloguePath }.map(\.text).joined(separator: "\n")
        let tests = Self.testTexts().joined(separator: "\n")
        for e in Self.catalogueEntries() {
            #expect(sources.contains("." + e.name), "\(e.code) (\(e.name)) is never reported")
            #expect(tests.contains(e.code) || tests.contains("." + e.name), "\(e.code) (\(e.name)) is in no golden file or test")
        }
    }

    /// The README's table of codes is the catalogue. `FUNNEL_RECORD=1` rewrites it.
    @Test func readmeTableIsTheCatalogue() throws {
        let readmePath = Self.repo + "/README.md"
        let readme = try String(contentsOfFile: readmePath, encoding: .utf8)
        let start = "<!-- diagnostic codes: generated from Sources/FunnelDiagnostics/Catalogue.swift -->\n"
        let end = "<!-- end of diagnostic codes -->"
        var table = "| code | stage | meaning |\n|---|---|---|\n"
        for e in Self.catalogueEntries() {
            let stage = DiagnosticCode(rawValue: e.code)?.stage ?? "?"
            table += "| \(e.code) | \(stage) | \(e.summary.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        guard let a = readme.range(of: start), let b = readme.range(of: end, range: a.upperBound..<readme.endIndex) else {
            Issue.record("README.md has no generated table of diagnostic codes between the markers")
            return
        }
        let current = String(readme[a.upperBound..<b.lowerBound])
        if Golden.record && current != table {
            try readme.replacingCharacters(in: a.upperBound..<b.lowerBound, with: table).write(toFile: readmePath, atomically: true, encoding: .utf8)
            print("FUNNEL_RECORD: rewrote the table of diagnostic codes in README.md")
            return
        }
        #expect(current == table, "README's table of diagnostic codes differs from the catalogue; run FUNNEL_RECORD=1 swift test")
    }

    /// One module per stage, and each imports only what its stage may (README "Layout").
    @Test(arguments: [
        ("Sources/FunnelDiagnostics", ["Foundation", "Glibc", "Darwin"]),
        ("Sources/FunnelCore", ["FunnelDiagnostics", "Foundation"]),
        ("Sources/FunnelSyntax", ["FunnelDiagnostics", "Foundation"]),
        ("Sources/FunnelSema", ["FunnelCore", "FunnelDiagnostics", "FunnelSyntax", "Foundation"]),
        ("Sources/FunnelPlan", ["FunnelCore", "FunnelDiagnostics", "FunnelSema"]),
        ("Sources/FunnelEngine", ["FunnelCore", "FunnelPlan", "FunnelDiagnostics", "Foundation", "Dispatch", "Synchronization", "Glibc", "Darwin"]),
        ("Sources/FunnelReport", ["FunnelCore", "FunnelPlan", "FunnelEngine", "FunnelDiagnostics", "Foundation"]),
        ("Sources/FunnelSQL", ["FunnelCore", "FunnelPlan", "FunnelEngine", "FunnelDiagnostics", "Foundation", "FoundationNetworking"]),
        ("Sources/FunnelDriver", ["FunnelCore", "FunnelDiagnostics", "FunnelSyntax", "FunnelSema", "FunnelPlan", "FunnelEngine", "FunnelSQL", "Foundation"]),
        ("Sources/FunnelREPL", ["FunnelDriver", "FunnelReport", "CLibEdit", "Foundation", "Glibc", "Darwin"]),
        ("Sources/FunnelLSP", ["FunnelDriver", "FunnelDiagnostics", "Foundation", "Glibc", "Darwin"]),
        ("Sources/funnel", ["FunnelDriver", "FunnelReport", "FunnelREPL", "FunnelLSP", "FunnelSQL", "ArgumentParser", "CMalloc", "Foundation", "Glibc", "Darwin"]),
    ])
    func modulesImportOnlyTheirStage(folder: String, allowed: [String]) {
        for (path, text) in Self.swiftFiles(under: folder) {
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                let module = String(line.split(separator: " ").last ?? "")
                #expect(allowed.contains(module), "\(path) imports \(module)")
            }
        }
    }
}
