import Foundation
import FunnelDriver
import FunnelReport

/// Tab completion: what the word before the cursor may become.
public struct Completion: Equatable, Sendable {
    /// Character offset where the completed word starts.
    public var start: Int
    /// Full replacements for the word, sorted.
    public var candidates: [String]

    /// The longest prefix all candidates share (what Tab inserts when there are several).
    public var commonPrefix: String {
        guard var p = candidates.first else { return "" }
        for c in candidates.dropFirst() {
            while !c.hasPrefix(p) { p.removeLast() }
        }
        return p
    }
}

extension Session {
    /// The language's keywords, from the one list the parser and the editor grammar share.
    static let keywords = Workspace.languageKeywords

    /// Completions for `line` with the cursor at character offset `cursor`.
    public func complete(_ line: String, cursor: Int) -> Completion {
        let chars = Array(line)
        let upto = Array(chars.prefix(max(0, min(cursor, chars.count))))
        let before = String(upto)
        // Meta-commands and their arguments.
        if before.hasPrefix(":") {
            if !before.contains(" ") { return match(before, from: 0, among: Session.metaCommands.map(\.name)) }
            let cmd = String(before.prefix { $0 != " " })
            let argStart = before.firstIndex(of: " ").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? before.count
            let arg = String(upto[argStart...]).trimmingCharacters(in: .whitespaces)
            switch cmd {
            case ":format": return match(arg, from: argStart, among: OutputFormat.allCases.map(\.rawValue))
            case ":timing", ":pager": return match(arg, from: argStart, among: ["on", "off"])
            case ":timeout": return match(arg, from: argStart, among: ["off", "30s", "2m"])
            case ":explain": return match(arg, from: argStart, among: funnelNames)
            case ":load", ":save", ":events": return paths(arg, from: argStart, cmd: cmd)
            default: return Completion(start: cursor, candidates: [])
            }
        }
        // Inside a string: event names, or the values of the property being compared.
        let quotes = upto.filter { $0 == "\"" }.count
        if quotes % 2 == 1, let open = upto.lastIndex(of: "\"") {
            let word = String(upto[(open + 1)...])
            let head = String(upto[..<open])
            var values = eventNames
            if let prop = Session.comparedProperty(head), let vs = propertyValues(prop) { values = vs }
            let c = match(word, from: open + 1, among: values)
            return Completion(start: c.start, candidates: c.candidates.map { $0 + "\"" })
        }
        // A word: keywords and every name the session knows.
        var s = upto.count
        while s > 0 && (upto[s - 1].isLetter || upto[s - 1].isNumber || upto[s - 1] == "_") { s -= 1 }
        let word = String(upto[s...])
        // After `by` (or a comma in a by list): the columns, segments and periods a breakdown takes, first.
        let head = String(upto[..<s])
        let previousWord = head.split(separator: " ").last.map(String.init)
        if previousWord == "by" || (previousWord?.hasSuffix(",") == true && head.contains(" by ")) {
            let keys = match(word, from: s, among: propertyNames + segmentNames + ["day", "week", "month"])
            if !keys.candidates.isEmpty { return keys }
        }
        // Bare names in an inline funnel are event names (`match` drops the repeated names).
        let names = Session.keywords + funnelNames + stepNames + segmentNames + kpiNames + propertyNames
            + eventNames.filter { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        return match(word, from: s, among: names)
    }

    func match(_ word: String, from start: Int, among names: [String]) -> Completion {
        Completion(start: start, candidates: Array(Set(names.filter { $0.hasPrefix(word) && $0 != "" })).sorted())
    }

    func paths(_ arg: String, from start: Int, cmd: String) -> Completion {
        let dir = arg.contains("/") ? String(arg[..<(arg.lastIndex(of: "/") ?? arg.startIndex)]) + "/" : ""
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        let names = entries.filter { !$0.hasPrefix(".") }.map { e -> String in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + e, isDirectory: &isDir)
            return dir + e + (isDir.boolValue ? "/" : "")
        }.filter { cmd != ":load" || $0.hasSuffix("/") || $0.hasSuffix(".funnel") }
        return match(arg, from: start, among: names)
    }

    /// `device == "` → device (also `!=` and `in [..., "`).
    static func comparedProperty(_ head: String) -> String? { CompletionSupport.comparedProperty(head) }

    var funnelNames: [String] { workspace.funnelNames }
    var stepNames: [String] { workspace.stepNames }
    var segmentNames: [String] { workspace.segmentNames }
    var kpiNames: [String] { workspace.kpiNames }
    var eventNames: [String] { workspace.eventNames }
    var propertyNames: [String] { workspace.propertyNames }
    func propertyValues(_ name: String) -> [String]? { workspace.propertyValues(name) }
}
