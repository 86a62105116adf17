import Foundation
import Testing

/// What the test targets share: where the repository is, temporary folders, and golden files.
/// Nothing here calls the compiler: every production call the goldens make is in StageOutputs.swift.
public enum TestSupport {
    /// The repository's root (this file is Tests/FunnelTestSupport/Golden.swift).
    public static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A fresh, empty folder under the system's temporary folder.
    public static func temporaryFolder(_ prefix: String = "funnel-tests") -> String {
        let dir = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `path` relative to the repository's root (unchanged when it is outside it).
    public static func relative(_ path: String) -> String {
        path.hasPrefix(repo + "/") ? String(path.dropFirst(repo.count + 1)) : path
    }

    /// Output with the repository's absolute prefix removed, so expected files read the same in
    /// every checkout: `/work/x/Tests/a.funnel:3:1` becomes `Tests/a.funnel:3:1`.
    public static func stripRepo(_ text: String) -> String {
        text.replacingOccurrences(of: repo + "/", with: "")
    }
}

/// One golden case: `<folder>/<name>.<ext>` (usually `.funnel`), with its expected files beside it.
/// Shown in test reports by its short name (`report/checkout`), one report per case.
public struct GoldenCase: Sendable, CustomTestStringConvertible {
    /// Absolute path of the input file.
    public let path: String
    /// `<kind folder>/<case name>`, for reports.
    public let name: String

    public var testDescription: String { name }
    public init(path: String, name: String) { self.path = path; self.name = name }
    /// The input's text.
    public var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    /// The input's path relative to the repository's root.
    public var relativePath: String { TestSupport.relative(path) }
    /// The path of a file beside the input with another extension: `sibling("plan")`.
    public func sibling(_ ext: String) -> String {
        ((path as NSString).deletingPathExtension) + "." + ext
    }

    /// Options written in the input as a comment line `# golden-options: --skip-bad-rows`.
    public var options: [String] {
        text.split(separator: "\n").flatMap { line -> [String] in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("# golden-options:") else { return [] }
            return t.dropFirst("# golden-options:".count).split(separator: " ").map(String.init)
        }
    }
}

/// Golden files: list the cases of a folder, compare an output with its expected file, or
/// record it when `FUNNEL_RECORD=1` (`FUNNEL_RECORD=1 swift test` re-records every golden).
public enum Golden {
    public static let record = ProcessInfo.processInfo.environment["FUNNEL_RECORD"] == "1"

    /// The cases in `folder` (absolute, or relative to the repository's root): every file ending
    /// in `.<ext>`, sorted by name. Evaluated when tests are discovered, for `@Test(arguments:)`.
    public static func cases(_ folder: String, ext: String = "funnel") -> [GoldenCase] {
        let dir = folder.hasPrefix("/") ? folder : TestSupport.repo + "/" + folder
        let kind = (dir as NSString).lastPathComponent
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix("." + ext) }.sorted()
        return files.map { GoldenCase(path: dir + "/" + $0, name: kind + "/" + String($0.dropLast(ext.count + 1))) }
    }

    /// Compares `actual` with the expected file `<case>.<ext>`, or records it (and says so, loudly).
    public static func check(_ actual: String, _ c: GoldenCase, _ ext: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expectedPath = c.sibling(ext)
        let old = try? String(contentsOfFile: expectedPath, encoding: .utf8)
        if record {
            do { try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8) }
            catch { Issue.record("cannot record \(expectedPath): \(error)", sourceLocation: sourceLocation); return }
            let what = old == nil ? "NEW" : (old == actual ? "unchanged" : "CHANGED")
            print("FUNNEL_RECORD: re-recorded \(TestSupport.relative(expectedPath)) (\(what))")
            return
        }
        guard let expected = old else {
            Issue.record("missing golden file \(TestSupport.relative(expectedPath)); run FUNNEL_RECORD=1 swift test to record it",
                         sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let message = "golden mismatch: \(TestSupport.relative(expectedPath)) differs (FUNNEL_RECORD=1 swift test re-records it)\n"
                + firstDifference(expected, actual)
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }

    /// The first line that differs, for a readable failure.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? e[i] : "<end of file>", al = i < a.count ? a[i] : "<end of output>"
            if el != al { return "line \(i + 1):\n  expected: \(el)\n  actual:   \(al)" }
        }
        return ""
    }
}
