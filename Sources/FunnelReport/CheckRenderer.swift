import FunnelDiagnostics
import FunnelEngine

/// `funnel check --format github|json`: diagnostics and expects for CI.
public enum CheckRenderer {
    public typealias FileOutcome = JUnitRenderer.FileOutcome

    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message` per
    /// diagnostic (warnings as `::warning`) and per failed expect, so they show in the pull request.
    public static func github(_ files: [FileOutcome]) -> String {
        var out = ""
        for f in files {
            for d in f.diagnostics {
                var properties: [String] = []
                if let p = d.position {
                    properties.append("file=\(property(p.path))")
                    if p.line > 0 { properties += ["line=\(p.line)", "col=\(p.column)"] }
                } else {
                    properties.append("file=\(property(f.path))")
                }
                properties.append("title=\(property("funnel \(d.code.rawValue)"))")
                let text = visibleText(d.message) + (d.help.map { "\nhelp: \(visibleText($0))" } ?? "")
                out += "::\(d.isError ? "error" : "warning") \(properties.joined(separator: ","))::\(message(text))\n"
            }
            for r in f.results {
                for e in r.expects where !e.passed {
                    out += "::error file=\(property(f.path)),line=\(e.line),title=\(property("funnel expect failed"))::"
                        + message("\(r.name): expect \(Report.written(e)) failed (\(Report.outcome(e)))") + "\n"
                }
            }
        }
        let failed = failedExpects(files)
        let invalid = files.filter { $0.diagnostics.contains(where: \.isError) }.count
        out += "funnel check: \(files.count) file\(files.count == 1 ? "" : "s"), \(invalid) invalid, \(failed) failed expect\(failed == 1 ? "" : "s")\n"
        return out
    }

    static func failedExpects(_ files: [FileOutcome]) -> Int {
        files.reduce(0) { $0 + $1.results.reduce(0) { $0 + $1.expects.filter { !$0.passed }.count } }
    }

    /// Escapes for the message part of a workflow command.
    static func message(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Escapes for a property value (`file=`, `title=`).
    static func property(_ s: String) -> String {
        message(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// One JSON document: per file, whether it is valid, its diagnostics (located) and its expects.
    public static func json(_ files: [FileOutcome]) -> String {
        let w = JSONWriter()
        w.object {
            w.key("files")
            w.array(files) { f in
                w.object {
                    w.field("path", f.path)
                    w.field("valid", !f.diagnostics.contains(where: \.isError))
                    w.key("diagnostics")
                    w.array(f.diagnostics) { d in
                        w.object {
                            w.field("severity", d.severity.rawValue)
                            w.field("code", d.code.rawValue)
                            w.field("message", d.message)
                            if let p = d.position {
                                w.field("file", p.path)
                                if p.line > 0 { w.field("line", p.line); w.field("column", p.column) }
                            }
                            if let h = d.help { w.field("help", h) }
                        }
                    }
                    w.key("funnels")
                    w.array(f.results) { r in
                        w.object {
                            w.field("name", r.name)
                            w.key("expects")
                            w.array(r.expects) { e in w.expect(e) }
                        }
                    }
                }
            }
            let failed = failedExpects(files)
            w.key("summary")
            w.object {
                w.field("files", files.count)
                w.field("invalid", files.filter { $0.diagnostics.contains(where: \.isError) }.count)
                w.field("failed_expects", failed)
            }
        }
        return w.out + "\n"
    }
}
