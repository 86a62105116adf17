import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// What may be typed at the cursor.
public struct EditorCompletions: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public enum Kind: String, Sendable { case keyword, step, kpi, segment, funnel, source, column, event, value, file }
        public var label: String
        public var kind: Kind
        public var detail: String?
    }
    /// Byte offset where the text the items replace starts; it ends at the cursor.
    public var start: Int
    /// Most relevant first.
    public var items: [Item]
}

extension EditorProject {
    /// Completion at a byte offset of a document.
    public func completions(path: String, texts: [String: String], offset: Int) -> EditorCompletions {
        EditorDocument(path: path, texts: texts, options: options, cache: cache).completions(at: offset)
    }
}

extension EditorDocument {
    typealias Item = EditorCompletions.Item

    /// Inside a string: event names (or the values of the property it is compared with, or file
    /// paths for `csv("…")` and `import "…"`). After `user.` or `step.`: columns. Elsewhere the
    /// keywords and names that fit the block: a funnel's steps, KPIs, segments and its source's columns.
    func completions(at position: Int) -> EditorCompletions {
        let b = file.bytes
        let offset = max(0, min(position, b.count))
        var lineStart = offset
        while lineStart > 0 && b[lineStart - 1] != 10 { lineStart -= 1 }
        // Strings, backticked names and comments end with their line, so the line tells where the cursor is.
        var stringStart: Int? = nil, backtickStart: Int? = nil
        var i = lineStart
        while i < offset {
            let c = b[i]
            if stringStart != nil || backtickStart != nil {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\""), stringStart != nil { stringStart = nil }
                if c == UInt8(ascii: "`"), backtickStart != nil { backtickStart = nil }
            } else if c == UInt8(ascii: "#") {
                return EditorCompletions(start: offset, items: [])
            } else if c == UInt8(ascii: "\"") {
                stringStart = i + 1
            } else if c == UInt8(ascii: "`") {
                backtickStart = i + 1
            }
            i += 1
        }
        if let q = stringStart { return stringCompletions(from: q, to: offset, lineStart: lineStart) }
        if let q = backtickStart { return filtered(columnItems(at: offset), from: q, to: offset) }
        var s = offset
        while s > lineStart && EditorDocument.isNameByte(b[s - 1]) { s -= 1 }
        // A member: `user.plan`, `purchase.price`.
        if s > 0 && b[s - 1] == UInt8(ascii: ".") {
            var w = s - 1
            while w > 0 && EditorDocument.isNameByte(b[w - 1]) { w -= 1 }
            let base = String(decoding: b[w..<(s - 1)], as: UTF8.self)
            let items = base == "user" ? userColumnItems() : columnItems(at: offset)
            return filtered(items, from: s, to: offset)
        }
        return filtered(wordItems(at: offset, wordStart: s), from: s, to: offset)
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95
    }

    /// The items that start with what was typed (any case), each label once, in the order given.
    func filtered(_ items: [Item], from start: Int, to end: Int) -> EditorCompletions {
        let typed = String(decoding: file.bytes[start..<max(start, end)], as: UTF8.self).lowercased()
        var seen = Set<String>()
        let kept = items.filter { !$0.label.isEmpty && $0.label.lowercased().hasPrefix(typed) && seen.insert($0.label).inserted }
        return EditorCompletions(start: start, items: Array(kept.prefix(500)))
    }

    // MARK: words

    func wordItems(at offset: Int, wordStart: Int) -> [Item] {
        let previousToken = tokens.last { $0.kind != .endOfFile && $0.span.end <= wordStart }
        let previous = previousToken?.identifier
        guard let decl = declaration(at: offset) else { return keywords(Keywords.declarations) }
        let inBody = innermostOpenBrace(before: offset).map { $0 >= decl.span.start } ?? false
        switch decl.kind {
        case .source:
            return inBody ? keywords(Keywords.settings.filter { $0 != "key" }) + columnItems(at: offset) + keywords(["string", "number", "bool", "time"])
                          : keywords(["csv", "jsonl"])
        case .users:
            return inBody ? keywords(["key", "delimiter"]) + userColumnItems() + keywords(["string", "number", "bool", "time"])
                          : keywords(["csv", "jsonl"])
        case .segment, .measure, .tier:
            return segmentItems() + columnItems(at: offset) + keywords(["user"] + Keywords.functions + Keywords.operators + ["true", "false", "null"])
        case .importFile:
            return []
        case .test:
            if !inBody { return previous == "for" ? funnelItems() : keywords(["for"]) }
            return scopeItems(at: offset) + keywords(["events", "expect"] + Keywords.operators)
        case .funnel:
            if !inBody { return previous == "from" ? sourceItems() : keywords(["from"]) }
            switch previous {
            case "from": return sourceItems()
            case "order": return keywords(["ordered", "strict", "any"])
            case "ties": return keywords(["strict"])
            case "format": return keywords(["percent", "number", "seconds", "money"])
            case "window": return keywords(["none"])
            // `count` opening a clause counts users, conversions or a property; elsewhere it is the function.
            case "count" where previousToken?.startsLine == true: return keywords(["users", "conversions"]) + columnItems(at: offset)
            case "at", "between": return scopeItems(at: offset)
            default:
                return scopeItems(at: offset) + segmentItems() + columnItems(at: offset)
                    + keywords(Keywords.clauses + Keywords.operators + Keywords.functions + ["event", "time", "user", "users", "true", "false", "null"])
            }
        }
    }

    func keywords(_ words: [String]) -> [Item] {
        words.map { Item(label: $0, kind: .keyword, detail: KeywordHelp.line(for: $0)) }
    }

    /// The steps and KPIs of the funnel in scope (a test block's funnel too).
    func scopeItems(at offset: Int) -> [Item] {
        guard let (f, unit) = scopeFunnel(at: offset) else { return [] }
        return f.clauses.compactMap { c in
            switch c.kind {
            case .step(let n, let p, _): return Item(label: n.text, kind: .step, detail: "step = " + EditorDocument.oneLine(unit.file.text(of: p.span)))
            case .kpi(let n, let e, _): return Item(label: n.text, kind: .kpi, detail: "kpi = " + EditorDocument.oneLine(unit.file.text(of: e.span)))
            default: return nil
            }
        }
    }

    func segmentItems() -> [Item] { segmentNames.map { Item(label: $0, kind: .segment, detail: "segment") } }
    func funnelItems() -> [Item] { funnelNames.map { Item(label: $0, kind: .funnel, detail: "funnel") } }
    func sourceItems() -> [Item] {
        sources.map { Item(label: $0.name, kind: .source, detail: "source, \($0.path)") }
    }

    func columnItems(at offset: Int) -> [Item] {
        schemasInScope(at: offset).flatMap { source, schema in
            schema.columns.map { Item(label: $0.name, kind: .column, detail: "column of \(source.name), \($0.type.rawValue)") }
        }
    }

    func userColumnItems() -> [Item] {
        (usersSchema?.columns ?? []).map { Item(label: $0.name, kind: .column, detail: "users column, \($0.type.rawValue)") }
    }

    // MARK: strings

    func stringCompletions(from start: Int, to offset: Int, lineStart: Int) -> EditorCompletions {
        let head = String(decoding: file.bytes[lineStart..<(start - 1)], as: UTF8.self)
        let trimmed = head.replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
        if trimmed.hasSuffix("csv(") || trimmed.hasSuffix("jsonl(") || trimmed.hasSuffix("import") {
            let typed = String(decoding: file.bytes[start..<offset], as: UTF8.self)
            let extensions = trimmed.hasSuffix("import") ? ["funnel"] : (trimmed.hasSuffix("csv(") ? ["csv", "tsv", "txt"] : ["jsonl", "ndjson", "json"])
            return filtered(pathItems(typed, extensions: extensions), from: start, to: offset)
        }
        if let property = CompletionSupport.comparedProperty(head), property != "event" {
            let values = cache.data.stringValues(of: property) ?? []
            return filtered(values.sorted().map { Item(label: $0, kind: .value, detail: "a value of \(property)") }, from: start, to: offset)
        }
        return filtered(eventItems(at: offset), from: start, to: offset)
    }

    /// The event names of the data in scope, the most frequent first.
    func eventItems(at offset: Int) -> [Item] {
        var counts: [String: Int] = [:]
        for (_, schema) in schemasInScope(at: offset) {
            for (name, n) in schema.eventCounts ?? [:] { counts[name, default: 0] += n }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { Item(label: $0.key, kind: .event, detail: "event, \(formatCount($0.value)) in the data read") }
    }

    /// Files and folders beside the document (or in the folder typed so far) with these extensions.
    func pathItems(_ typed: String, extensions: [String]) -> [Item] {
        let folder = typed.contains("/") ? String(typed[...(typed.lastIndex(of: "/") ?? typed.startIndex)]) : ""
        let base = folder.hasPrefix("/") ? folder : main.directory + "/" + folder
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return entries.filter { !$0.hasPrefix(".") }.sorted().compactMap { name in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + name, isDirectory: &isDir)
            if isDir.boolValue { return Item(label: folder + name + "/", kind: .file, detail: "folder") }
            guard extensions.contains((name as NSString).pathExtension.lowercased()) else { return nil }
            return Item(label: folder + name, kind: .file, detail: "file")
        }
    }
}
