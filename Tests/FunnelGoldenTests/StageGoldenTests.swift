import Foundation
import FunnelTestSupport
import Testing

/// Per-stage goldens of whole `.funnel` files with their data, in their own target: they need
/// the whole pipeline and the REPL, and they reach it only through FunnelTestSupport's
/// StageOutputs (the one file to adapt when production APIs change), so nothing here depends on
/// Driver internals. Each test runs once per case (`@Test(arguments:)`), so every case of every
/// kind passes or fails on its own. Adding a case = adding files; `FUNNEL_RECORD=1 swift test`
/// records the expected files beside it (and prints each one it wrote).
///
/// Golden/report/<case>.funnel, with its data beside it (`<case>.data.csv` or `.jsonl`), gives:
///   .plan    what `funnel explain` prints
///   .result  `funnel run --format json`
///   .table   `funnel run` (no colour), .md (markdown), .csv, .html
///   .junit   the XML of `funnel check --junit` (suite time 0)
/// A comment line `# golden-options: --skip-bad-rows` passes that option; so do the table's
/// `--width N`, `--ascii`, `--top N`, `--compact` and `--no-compact`.
///
/// Golden/repl/<case>.repl holds REPL input lines; `<case>.transcript` shows each after its
/// prompt, then the session's reply. Paths in the lines are relative to the repository's root
/// (the working folder of `swift test`, as in SessionTests).
///
/// Every output has the repository's absolute path removed, so expected files hold no machine paths.
struct StageGoldenTests {
    static let reportCases = Golden.cases("Tests/FunnelGoldenTests/Golden/report")
    static let replCases = Golden.cases("Tests/FunnelGoldenTests/Golden/repl", ext: "repl")

    @Test func everyKindHasCases() {
        #expect(Self.reportCases.count >= 4)
        #expect(Self.replCases.count >= 3)
    }

    static func options(_ c: GoldenCase) -> StageOutputs.Options {
        var o = StageOutputs.Options()
        var flags = c.options.makeIterator()
        while let flag = flags.next() {
            switch flag {
            case "--skip-bad-rows": o.skipBadRows = true
            case "--ascii": o.ascii = true
            case "--compact": o.compact = true
            case "--no-compact": o.compact = false
            case "--width", "--top":
                guard let n = flags.next().flatMap({ Int($0) }) else { Issue.record("\(c.name): \(flag) needs a number"); continue }
                if flag == "--width" { o.width = n } else { o.top = n }
            default: Issue.record("\(c.name): unknown golden option \(flag)")
            }
        }
        return o
    }

    static func check(_ output: String, _ c: GoldenCase, _ ext: String, sourceLocation: SourceLocation = #_sourceLocation) {
        Golden.check(TestSupport.stripRepo(output), c, ext, sourceLocation: sourceLocation)
    }

    @Test(arguments: reportCases) func plan(_ c: GoldenCase) {
        Self.check(StageOutputs.explain(path: c.path, options: Self.options(c)), c, "plan")
    }

    @Test(arguments: reportCases) func jsonResult(_ c: GoldenCase) {
        Self.check(StageOutputs.report(path: c.path, format: "json", options: Self.options(c)), c, "result")
    }

    @Test(arguments: reportCases) func table(_ c: GoldenCase) {
        Self.check(StageOutputs.report(path: c.path, format: "table", options: Self.options(c)), c, "table")
    }

    @Test(arguments: reportCases) func markdown(_ c: GoldenCase) {
        Self.check(StageOutputs.report(path: c.path, format: "markdown", options: Self.options(c)), c, "md")
    }

    @Test(arguments: reportCases) func csv(_ c: GoldenCase) {
        Self.check(StageOutputs.report(path: c.path, format: "csv", options: Self.options(c)), c, "csv")
    }

    @Test(arguments: reportCases) func html(_ c: GoldenCase) {
        Self.check(StageOutputs.report(path: c.path, format: "html", options: Self.options(c)), c, "html")
    }

    @Test(arguments: reportCases) func junit(_ c: GoldenCase) {
        Self.check(StageOutputs.junitCheck(path: c.path, options: Self.options(c)), c, "junit")
    }

    /// Golden/init/<case>.csv, .tsv or .jsonl (small, tricky files), and every example's events
    /// file: `<case>.funnel` is what `funnel init` writes beside it (for an example, in
    /// Golden/init/examples/), and that file must check clean: no error, no warning.
    static let initCases: [(data: String, golden: GoldenCase)] = {
        let dir = TestSupport.repo + "/Tests/FunnelGoldenTests/Golden/init"
        let exts = ["csv", "tsv", "jsonl"]
        let own = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            .filter { exts.contains(($0 as NSString).pathExtension) }
            .map { (dir + "/" + $0, GoldenCase(path: dir + "/" + $0, name: "init/" + $0)) }
        // users.csv is a profile table, not events.
        let examples = ((try? FileManager.default.contentsOfDirectory(atPath: TestSupport.repo + "/examples/data")) ?? []).sorted()
            .filter { exts.contains(($0 as NSString).pathExtension) && !["users.csv", "customer_profiles.csv"].contains($0) }   // users tables, not events
            .map { (TestSupport.repo + "/examples/data/" + $0, GoldenCase(path: dir + "/examples/" + $0, name: "init/examples/" + $0)) }
        return own + examples
    }()

    @Test func initHasCases() {
        #expect(Self.initCases.count >= 10)
    }

    @Test(arguments: initCases.map(\.golden)) func initStarter(_ c: GoldenCase) throws {
        let data = try #require(Self.initCases.first { $0.golden.path == c.path }).data
        let written = c.sibling("funnel")
        Self.check(StageOutputs.starter(dataPath: data, outputDirectory: (written as NSString).deletingLastPathComponent), c, "funnel")
        // The written file checks clean against its data, and runs.
        #expect(StageOutputs.diagnostics(path: written) == "(no diagnostics)\n", "\(c.name)")
        #expect(StageOutputs.report(path: written, format: "csv").hasPrefix("funnel,group,step"), "\(c.name)")
    }

    @Test(arguments: replCases) func replTranscript(_ c: GoldenCase) {
        _ = FileManager.default.changeCurrentDirectoryPath(TestSupport.repo)
        var lines = c.text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        Self.check(StageOutputs.replTranscript(lines: lines), c, "transcript")
    }
}
