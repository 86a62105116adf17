import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelSema
import FunnelSyntax

/// What hovering a word shows: the declaration as written (as code) and lines of explanation.
public struct EditorHover: Sendable, Equatable {
    /// The word hovered (byte offsets into the document).
    public var span: SourceSpan
    /// Funnel text to show as code; nil when there is none.
    public var code: String?
    /// Explanations, one per paragraph (they may hold `code` in backticks).
    public var lines: [String]
}

extension EditorProject {
    /// Hover on a step (its predicate, and the users it reached in the funnel's last run), a KPI
    /// (its formula and value), a segment, funnel or source (its declaration), a column (its
    /// type), a path, or a keyword (one line of help).
    public func hover(path: String, texts: [String: String], offset: Int) -> EditorHover? {
        let document = EditorDocument(path: path, texts: texts, options: options, cache: cache)
        guard let (meaning, span) = document.meaning(at: offset) else { return nil }
        func answer(_ code: String?, _ lines: [String]) -> EditorHover { EditorHover(span: span, code: code, lines: lines) }
        switch meaning {
        case .step(let f, let clause, _, let number, let unit):
            var lines = ["step \(number) of funnel `\(f.name.text)`" + EditorProject.elsewhere(unit, document)]
            if let (figures, current) = figures(funnel: f.name.text, path: path, texts: texts),
               let i = figures.steps.firstIndex(where: { $0.name == clause.stepName }) {
                let s = figures.steps[i]
                var reach = "reached by **\(formatCount(s.users))** users in the last run"
                if i > 0, let a = s.fromStart, let b = s.fromPrevious {
                    reach += " (\(EditorProject.percent(a)) of step 1, \(EditorProject.percent(b)) of the previous step)"
                }
                lines.append(reach + (current ? "" : ", before the latest edits"))
            }
            return answer(unit.file.text(of: clause.span), lines + slowRunNote(f, path, texts))
        case .kpi(let f, let clause, let name, let unit):
            var lines = ["KPI of funnel `\(f.name.text)`" + EditorProject.elsewhere(unit, document)]
            if let (figures, current) = figures(funnel: f.name.text, path: path, texts: texts), let value = figures.kpis[name.text] {
                lines.append("**\(value)** in the last run" + (current ? "" : ", before the latest edits"))
            }
            return answer(unit.file.text(of: clause.span), lines + slowRunNote(f, path, texts))
        case .segment(_, let d, let unit):
            return answer(unit.file.text(of: d.span), ["segment: a set of users" + EditorProject.elsewhere(unit, document)])
        case .funnel(let f, _, let unit):
            let steps = f.clauses.compactMap(\.stepName)
            var lines = ["funnel: " + (steps.isEmpty ? "no steps yet" : steps.joined(separator: " → ")) + EditorProject.elsewhere(unit, document)]
            if let s = document.source(of: f, in: unit) { lines.append("reads source `\(s.name)` (\(s.path))") }
            if let (figures, current) = figures(funnel: f.name.text, path: path, texts: texts), let first = figures.steps.first, let last = figures.steps.last {
                lines.append("**\(formatCount(first.users))** users at `\(first.name)`, **\(formatCount(last.users))** at `\(last.name)` in the last run"
                             + (current ? "" : ", before the latest edits"))
            }
            return answer("funnel \(f.name.text)", lines + slowRunNote(f, path, texts))
        case .source(let s, _, let unit):
            let resolved = EditorDocument.resolve(s.path, in: unit)
            return answer("source \(s.name.text) = \(s.format.text)(\"\(s.path)\")",
                          ["an event file: \(resolved)" + EditorProject.elsewhere(unit, document)] + describe(schema: document.schemas[s.name.text]))
        case .importedFile(let file):
            return answer(nil, ["imports `\(file)`: its sources and segments are shared with this file"])
        case .dataFile(let file):
            let spec = document.sources.first { EditorDocument.key($0.path) == EditorDocument.key(file) }
            let schema = spec.flatMap { document.schemas[$0.name] } ?? (document.users.map { EditorDocument.key($0.path) == EditorDocument.key(file) } == true ? document.usersSchema : nil)
            return answer(nil, ["data file `\(file)`"] + describe(schema: schema))
        case .column(let name, let type, let source):
            var role = ""
            if name == source.userColumn { role = ", the user column" }
            if name == source.timeColumn { role = ", the time column" }
            if name == source.eventColumn { role = ", the event column" }
            return answer("\(name): \(type.map(\.rawValue) ?? "unknown")", ["a column of source `\(source.name)` (\(source.path))\(role)"])
        case .userColumn(let name, let type, let users):
            let place = users.map { "the users table (\($0.path))" } ?? "the users table, which this file does not declare"
            return answer("user.\(name): \(type.map(\.rawValue) ?? "unknown")", ["a column of \(place)"])
        case .keyword(let word):
            return KeywordHelp.line(for: word).map { answer(word, [$0]) }
        }
    }

    /// Says so when the figures could not be had because the run was given up.
    func slowRunNote(_ f: FunnelDecl, _ path: String, _ texts: [String: String]) -> [String] {
        guard runWasTooSlow(funnel: f.name.text, path: path, texts: texts) else { return [] }
        return ["the run for these figures took over \(formatNumber(EditorProject.runSeconds)) s and was stopped"]
    }

    /// Columns and event names of a data file, in short.
    func describe(schema: DataSchema?) -> [String] {
        guard let schema = schema else { return ["the data cannot be read yet, so its columns are unknown"] }
        let columns = schema.columns.prefix(12).map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
        var lines = ["\(schema.columns.count) columns: " + columns + (schema.columns.count > 12 ? ", …" : "")]
        if let events = schema.eventCounts, !events.isEmpty {
            let top = events.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(8).map(\.key)
            lines.append("events: " + top.joined(separator: ", ") + (events.count > 8 ? ", …" : ""))
        }
        return lines
    }

    /// " (declared in other.funnel)" when a name comes from an imported file.
    static func elsewhere(_ unit: CompilationUnit, _ document: EditorDocument) -> String {
        unit.file === document.file ? "" : " (declared in \(unit.file.path))"
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}

extension Clause {
    /// The step's name, for a step clause.
    var stepName: String? { if case .step(let n, _, _) = kind { return n.text }; return nil }
}
