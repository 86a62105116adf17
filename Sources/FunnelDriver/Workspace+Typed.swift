import FunnelDiagnostics
import FunnelSyntax

/// Diagnostics of a change typed at the prompt point at what was typed. A typed clause can
/// make a loaded file's line wrong (`checkout order any` against its `within 1d`), and the
/// inline funnel's name is made up; an error found there is shown at the typed part that
/// caused it, with the other place named in its help.
extension Workspace {
    /// A change typed at the prompt.
    struct TypedChange {
        /// The typed input.
        let file: SourceFile
        /// Its parts (clauses or declarations), which may cause an error alone or together.
        let parts: [SourceSpan]
        /// The errors of the workspace with only the parts of these indices applied.
        let errorsWith: ([Int]) -> [Diagnostic]
        /// A span of the typed file that the user did not write (the inline funnel's name).
        var madeUp: SourceSpan? = nil
    }

    /// The diagnostics, with each error the change caused outside what was typed moved onto the
    /// typed part that caused it. Errors that were there before the change stay where they are.
    func pointingAtTyped(_ ds: [Diagnostic], _ change: TypedChange) -> [Diagnostic] {
        let elsewhere = ds.indices.filter { isElsewhere(ds[$0], change) }
        guard !elsewhere.isEmpty else { return ds }
        let before = Set(compile(units: units, load: false).diagnostics.filter(\.isError).map(Workspace.identity))
        var out = ds
        let trials = Trials(change)
        for i in elsewhere where !before.contains(Workspace.identity(ds[i])) {
            out[i] = moved(ds[i], to: blame(ds[i], change, trials), change)
        }
        return out
    }

    /// The errors of each set of parts tried, compiled once however many errors ask.
    final class Trials {
        let change: TypedChange
        var errors: [[Int]: Set<String>] = [:]
        init(_ change: TypedChange) { self.change = change }
        func identities(with indices: [Int]) -> Set<String> {
            if let known = errors[indices] { return known }
            let found = Set(change.errorsWith(indices).map(Workspace.identity))
            errors[indices] = found
            return found
        }
    }

    /// An error in a file the workspace held before the change, or on the made-up span.
    func isElsewhere(_ d: Diagnostic, _ change: TypedChange) -> Bool {
        guard d.isError, case .source(let file, let span)? = d.location else { return false }
        if file === change.file { return span == change.madeUp }
        return units.contains { $0.file === file }
    }

    /// The same error found again: its code, message and place.
    static func identity(_ d: Diagnostic) -> String {
        guard case .source(let file, let span)? = d.location else { return "\(d.code)|\(d.message)|\(d.path ?? "")" }
        return "\(d.code)|\(d.message)|\(ObjectIdentifier(file).hashValue)|\(span)"
    }

    /// The typed parts without which the error goes away (`count conversions` and `by week`,
    /// not the `where` typed between them); else the first part that causes it alone (two parts
    /// each cause it); else all of them; else the whole input.
    func blame(_ d: Diagnostic, _ change: TypedChange, _ trials: Trials) -> SourceSpan {
        let parts = change.parts
        if parts.count == 1, let only = parts.first { return only }
        let wanted = Workspace.identity(d)
        func happens(with indices: [Int]) -> Bool { trials.identities(with: indices).contains(wanted) }
        let needed = parts.indices.filter { i in !happens(with: parts.indices.filter { $0 != i }) }
        if let first = needed.first, let last = needed.last { return parts[first].to(parts[last]) }
        if let alone = parts.indices.first(where: { happens(with: [$0]) }) { return parts[alone] }
        if let first = parts.first, let last = parts.last { return first.to(last) }
        return Workspace.trimmed(change.file)
    }

    /// The error at `span` of the typed input; its help quotes the line the typed part clashes
    /// with. An error about the funnel as a whole is found at its name: there is nothing to quote.
    func moved(_ d: Diagnostic, to span: SourceSpan, _ change: TypedChange) -> Diagnostic {
        var m = d
        m.location = .source(change.file, span)
        if case .source(let file, let at)? = d.location, file !== change.file, !isFunnelName(at, in: file) {
            let (line, column) = file.location(of: at.start)
            let clash = "it clashes with `\(Workspace.quoted(file.lineText(line)))` at \(file.path):\(line):\(column)"
            m.help = d.help.map { clash + "; " + $0 } ?? clash
        }
        return m
    }

    /// Whether a span is the name of a funnel declared in `file`.
    func isFunnelName(_ span: SourceSpan, in file: SourceFile) -> Bool {
        units.contains { u in
            u.file === file && u.program.declarations.contains { d in
                if case .funnel(let f) = d.kind { return f.name.span == span }
                return false
            }
        }
    }

    /// A line of a file as quoted in a help: without its comment and extra spaces, at most 80 characters.
    static func quoted(_ line: String) -> String {
        var code = "", inString = false, escaped = false
        for c in line {
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" { inString = true } else if c == "#" { break }
            code.append(c)
        }
        let words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return words.count > 80 ? String(words.prefix(79)) + "…" : words
    }

    /// The typed text without the blanks around it.
    static func trimmed(_ file: SourceFile) -> SourceSpan {
        let blank: Set<UInt8> = [32, 9, 10, 13]
        let start = file.bytes.firstIndex { !blank.contains($0) } ?? 0
        let end = (file.bytes.lastIndex { !blank.contains($0) } ?? -1) + 1
        return SourceSpan(start, max(start, end))
    }
}
