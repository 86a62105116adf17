import FunnelDiagnostics
import Foundation
import FunnelEngine

/// JUnit XML for `funnel check --junit`: one test suite per file, one test case per expect;
/// a file that does not compile is one case in error, with its diagnostics.
public enum JUnitRenderer {
    public struct FileOutcome {
        public var path: String
        public var diagnostics: [Diagnostic]
        public var results: [FunnelResult]
        public var seconds: Double
        public init(path: String, diagnostics: [Diagnostic], results: [FunnelResult], seconds: Double) {
            self.path = path; self.diagnostics = diagnostics; self.results = results; self.seconds = seconds
        }
    }

    public static func render(_ files: [FileOutcome]) -> String {
        var suites = ""
        var tests = 0, failures = 0, errors = 0
        for f in files {
            var cases = ""
            var t = 0, fl = 0, er = 0
            if f.diagnostics.contains(where: \.isError) {
                t = 1; er = 1
                let first = f.diagnostics.first { $0.isError }?.message ?? "invalid"
                let text = DiagnosticRenderer().render(f.diagnostics)
                cases += "    <testcase classname=\"\(escape(f.path))\" name=\"compile and check\">\n"
                cases += "      <error message=\"\(escape(first))\" type=\"invalid\">\(escape(text))</error>\n    </testcase>\n"
            } else {
                for r in f.results {
                    for e in r.expects {
                        t += 1
                        let outcome = Report.outcome(e)
                        cases += "    <testcase classname=\"\(escape(f.path)).\(escape(r.name))\" name=\"expect \(escape(Report.written(e))) (line \(e.line))\">\n"
                        if !e.passed {
                            fl += 1
                            cases += "      <failure message=\"\(escape(outcome))\" type=\"expect\">\(escape("\(f.path):\(e.line): expect \(Report.written(e)) failed; \(outcome)"))</failure>\n"
                        }
                        cases += "    </testcase>\n"
                    }
                }
            }
            let warnings = f.diagnostics.filter { !$0.isError }
            let out = warnings.isEmpty ? "" : "    <system-out>\(escape(DiagnosticRenderer().render(warnings)))</system-out>\n"
            suites += "  <testsuite name=\"\(escape(f.path))\" tests=\"\(t)\" failures=\"\(fl)\" errors=\"\(er)\" time=\"\(String(format: "%.3f", f.seconds))\">\n\(cases)\(out)  </testsuite>\n"
            tests += t; failures += fl; errors += er
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"funnel check\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n\(suites)</testsuites>\n"
    }

    /// `funnel test --junit`: one suite per file, one case per test block.
    /// One file given to `funnel test`: its path, its test outcomes and its own diagnostics.
    public typealias TestFile = (path: String, tests: [TestOutcome], diagnostics: [Diagnostic])

    public static func renderTests(_ files: [TestFile]) -> String {
        var suites = ""
        var tests = 0, failures = 0, errors = 0
        for (path, outcomes, diagnostics) in files {
            var cases = ""
            var t = 0, fl = 0, er = 0
            if diagnostics.contains(where: \.isError) {
                t += 1; er += 1
                cases += "    <testcase classname=\"\(escape(path))\" name=\"parse\">\n      <error message=\"\(escape(diagnostics.first { $0.isError }?.message ?? ""))\">\(escape(DiagnosticRenderer().render(diagnostics)))</error>\n    </testcase>\n"
            }
            for o in outcomes {
                t += 1
                cases += "    <testcase classname=\"\(escape(path)).\(escape(o.funnel))\" name=\"\(escape(o.name))\">\n"
                if o.diagnostics.contains(where: \.isError) {
                    er += 1
                    cases += "      <error message=\"\(escape(o.diagnostics.first { $0.isError }?.message ?? ""))\">\(escape(DiagnosticRenderer().render(o.diagnostics)))</error>\n"
                } else if !o.passed {
                    fl += 1
                    let lines = (o.result?.expects ?? []).filter { !$0.passed }.map { "line \($0.line): expect \(Report.written($0)) (\(Report.outcome($0)))" }
                    cases += "      <failure message=\"\(escape(lines.first ?? "failed"))\">\(escape(lines.joined(separator: "\n")))</failure>\n"
                }
                cases += "    </testcase>\n"
            }
            suites += "  <testsuite name=\"\(escape(path))\" tests=\"\(t)\" failures=\"\(fl)\" errors=\"\(er)\">\n\(cases)  </testsuite>\n"
            tests += t; failures += fl; errors += er
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"funnel test\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n\(suites)</testsuites>\n"
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            default:
                // XML 1.0 forbids most control characters, including the ESC of colour codes.
                if c.value < 0x20 && c != "\n" && c != "\t" && c != "\r" { continue }
                o.unicodeScalars.append(c)
            }
        }
        return o
    }
}
