import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelPlan
import FunnelREPL
import FunnelReport
import FunnelSyntax

/// The ONE file of the test support that calls production APIs: each function turns an input
/// file (absolute path) into the text a stage prints, without colour. When Driver, Plan, Report
/// or Session APIs change, adapt this file; the golden tests and expected files stay as they are.
/// Outputs may contain absolute paths; the tests strip the repository prefix.
public enum StageOutputs {
    /// Options a golden case can ask for (`# golden-options: --skip-bad-rows`), as on the command line.
    public struct Options: Sendable {
        public var skipBadRows = false
        /// The table's `--width`, `--ascii`, `--top` and `--compact`/`--no-compact`.
        public var width: Int? = nil
        public var ascii = false
        public var top: Int? = nil
        public var compact: Bool? = nil
        public init(skipBadRows: Bool = false) { self.skipBadRows = skipBadRows }
        var driver: DriverOptions { DriverOptions(skipBadRows: skipBadRows) }
        var render: RenderOptions {
            var o = RenderOptions(color: false)
            o.width = width; o.ascii = ascii; o.top = top; o.compact = compact
            return o
        }
    }

    /// The lexer's tokens. Calls `ASTPrinter.tokens`.
    public static func tokens(path: String) -> String {
        ASTPrinter.tokens(source(path))
    }

    /// The parser's AST, then its diagnostics after `--`. Calls `Parser.parse`, `ASTPrinter.print`, `DiagnosticRenderer`.
    public static func ast(path: String) -> String {
        let (program, diags) = Parser.parse(source(path))
        var out = ASTPrinter.print(program)
        if !diags.isEmpty { out += "--\n" + DiagnosticRenderer().render(diags) }
        return out
    }

    /// Diagnostics of the whole pipeline (parse, check against the data), as `funnel check` prints them.
    /// Calls `Driver.compile(path:load: true)`.
    public static func diagnostics(path: String) -> String {
        let c = Driver.compile(path: path, load: true)
        let rendered = DiagnosticRenderer().render(c.diagnostics)
        return rendered.isEmpty ? "(no diagnostics)\n" : rendered
    }

    /// What `funnel explain FILE` prints (diagnostics instead when the file does not compile).
    /// Calls `Driver.compile(path:options:load: false)` and `FunnelPlan.Explain.render`.
    public static func explain(path: String, options: Options = Options()) -> String {
        let c = Driver.compile(path: path, options: options.driver, load: false)
        guard let plan = c.plan, !c.hasErrors else { return failed(c) }
        return warnings(c) + FunnelPlan.Explain.render(plan)
    }

    /// What `funnel run FILE --format F --color never` prints on standard output (on a pipe: no
    /// width unless the options give one), with the warnings of standard error first. `format`:
    /// table, json, csv, markdown or html. Calls `Driver.compile(load: true)`, `Driver.run` and `Report.render`.
    public static func report(path: String, format: String, options: Options = Options()) -> String {
        guard let f = OutputFormat(rawValue: format) else { return "unknown format \(format)\n" }
        let c = Driver.compile(path: path, options: options.driver, load: true)
        if c.hasErrors { return failed(c) }
        let results = Driver.run(c, options: options.driver)
        return warnings(c) + Report.render(results, plan: c.plan, format: f, options: options.render)
    }

    /// The JUnit XML of `funnel check FILE --junit R.xml`, with the time of each suite set to 0.
    /// Calls `Driver.compile(load: true)`, `Driver.run` and `JUnitRenderer.render`.
    public static func junitCheck(path: String, options: Options = Options()) -> String {
        let c = Driver.compile(path: path, options: options.driver, load: true)
        let results = c.hasErrors ? [] : Driver.run(c, options: options.driver)
        return JUnitRenderer.render([.init(path: path, diagnostics: c.diagnostics, results: results, seconds: 0)])
    }

    /// A REPL session without a terminal: each line as typed after its prompt (`funnel> ` or
    /// `   ...> `), then the session's reply. Relative paths (`:load`) are read from the current
    /// folder. Stops after `:quit`. Calls `Session()`, `Session.prompt` and `Session.handle`.
    public static func replTranscript(lines: [String]) -> String {
        let s = Session()
        var out = ""
        for line in lines {
            out += s.prompt + line + "\n"
            let reply = s.handle(line)
            out += reply.text
            if reply.quit { break }
        }
        return out
    }

    /// What `funnel init DATA -o DIR/x.funnel` writes (its unsure guesses are in the text as comments),
    /// or `error: ...` when it writes nothing. Calls `Starter.make`.
    public static func starter(dataPath: String, outputDirectory: String) -> String {
        switch Starter.make(dataPath: dataPath, outputDirectory: outputDirectory) {
        case .success(let s): return s.text
        case .failure(let f): return "error: \(f.message)\n"
        }
    }

    /// What `funnel repl DATA` says on start (a data file instead of a .funnel file), then the
    /// replies to `lines`. Calls `Session.start(fromData:)` and `Session.handle`.
    public static func replFromData(_ dataPath: String, lines: [String]) -> String {
        let s = Session()
        var out = s.start(fromData: dataPath).text
        for line in lines { out += s.prompt + line + "\n" + s.handle(line).text }
        return out
    }

    // MARK: helpers

    static func source(_ path: String) -> SourceFile {
        SourceFile(path: path, text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// Diagnostics and their summary, as `funnel run` prints them for an invalid file.
    static func failed(_ c: Compilation) -> String {
        DiagnosticRenderer().render(c.diagnostics) + DiagnosticRenderer.summary(c.diagnostics) + "\n"
    }

    /// Warnings (standard error) shown before the output, so a golden records them too.
    static func warnings(_ c: Compilation) -> String {
        c.diagnostics.isEmpty ? "" : DiagnosticRenderer().render(c.diagnostics) + "--\n"
    }
}
