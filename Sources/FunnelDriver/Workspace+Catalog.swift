import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// What the workspace holds, described for people (`:funnels`, `:schema`, `:explain`) and
/// written back as a `.funnel` file (`:save`).
extension Workspace {
    /// `:funnels`: each funnel with its steps and the file that declares it.
    public func funnelList() -> String {
        var out = ""
        for u in units {
            for d in u.program.declarations {
                guard case .funnel(let f) = d.kind else { continue }
                let steps = f.clauses.compactMap { c -> String? in if case .step(let n, _, _) = c.kind { return n.text }; return nil }
                out += "\(f.name.text): \(steps.joined(separator: " -> "))   (\(u.file.path))\n"
            }
        }
        return out.isEmpty ? "no funnels yet: :load a file or type funnel NAME { ... }\n" : out
    }

    /// `:schema`: per source its rows, users, time range, columns with types and event names.
    public func schemaSummary() -> Answer {
        let c = compile(units: units, load: true)
        if c.hasErrors { return Answer(render(c.diagnostics), failed: true) }
        guard let plan = c.plan, !plan.sources.isEmpty else { return Answer("no sources yet: :load a file or type source NAME = csv(\"...\") { ... }\n") }
        var out = ""
        for (i, sp) in plan.sources.enumerated() where i < c.stores.count {
            let store = c.stores[i], src = sp.spec
            let lo = store.time.min() ?? 0, hi = store.time.max() ?? 0
            out += "source \(src.name): \(src.path)\n"
            out += "  \(formatCount(store.count)) rows, \(formatCount(store.actorCount)) users, \(formatTime(lo)) to \(formatTime(hi))\n"
            out += "  columns:\n"
            let width = store.schema.columns.map(\.name.count).max() ?? 0
            for (name, type) in store.schema.columns {
                var note = ""
                if name == src.userColumn { note = "user" } else if name == src.timeColumn { note = "time" } else if name == src.eventColumn { note = "event" }
                else if case .strings(_, let dict)? = store.properties[name] {
                    note = dict.count <= 12 ? "\(dict.count) values: " + dict.joined(separator: ", ") : "\(formatCount(dict.count)) values"
                }
                out += "    \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(type.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(note)\n"
            }
            out += "  events:\n"
            let events = store.eventCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let ew = events.map(\.key.count).max() ?? 0
            for (name, n) in events.prefix(30) { out += "    \(name.padding(toLength: ew, withPad: " ", startingAt: 0))  \(formatCount(n))\n" }
            if events.count > 30 { out += "    … \(events.count - 30) more\n" }
        }
        return Answer(out)
    }

    /// Writes every definition as one `.funnel` file that `funnel check` accepts: data paths
    /// are rewritten relative to the new file's folder, imports are inlined.
    public func save(to path: String) -> Answer {
        let dir = (path as NSString).deletingLastPathComponent
        var out = "# Saved from a funnel REPL session.\n"
        for u in units {
            for d in u.program.declarations {
                if case .importFile = d.kind { continue }
                var text = u.file.text(of: d.span)
                if case .source(let s) = d.kind { text = rewritePath(text, decl: d, source: s, unit: u, dir: dir) }
                if case .users(let s) = d.kind { text = rewritePath(text, decl: d, source: s, unit: u, dir: dir) }
                out += "\n" + text + "\n"
            }
        }
        do { try out.write(toFile: path, atomically: true, encoding: .utf8) }
        catch { return Answer("error: cannot write \(path): \(error.localizedDescription)\n", failed: true) }
        return Answer("saved \(units.reduce(0) { $0 + $1.program.declarations.count }) definitions to \(path)\n")
    }

    func rewritePath(_ text: String, decl: Decl, source s: SourceDecl, unit: CompilationUnit, dir: String) -> String {
        let resolved = s.path.hasPrefix("/") ? s.path : normalizePath(unit.directory == "." ? s.path : unit.directory + "/" + s.path)
        let target = relativePath(resolved, from: dir)
        let start = s.pathSpan.start - decl.span.start, end = s.pathSpan.end - decl.span.start
        var bytes = Array(text.utf8)
        guard start >= 0, end <= bytes.count, start <= end else { return text }
        bytes.replaceSubrange(start..<end, with: Array("\"\(target)\"".utf8))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `:explain NAME`: the plan of one funnel, as it would run now.
    public func explain(_ name: String) -> Answer {
        let c = compile(units: units, load: false)
        if c.hasErrors { return Answer(render(c.diagnostics), failed: true) }
        return Driver.explain(c, only: name).map { Answer($0) } ?? unknownFunnel(name)
    }

    // MARK: names, for completion

    /// The words that start a declaration or a funnel clause, as the parser knows them.
    public static var structureKeywords: Set<String> { Parser.declarationKeywords.union(Parser.clauseKeywords) }
    /// Every keyword of the language (for completion).
    public static var languageKeywords: [String] { Keywords.all }

    public var funnelNames: [String] { declNames { d in if case .funnel(let f) = d.kind { return [f.name.text] }; return [] } }
    /// Segments, measures and tiers: the names user expressions and breakdowns read.
    public var segmentNames: [String] {
        declNames { d in
            switch d.kind {
            case .segment(let n, _), .measure(let n, _): return [n.text]
            case .tier(let t): return [t.name.text]
            default: return []
            }
        }
    }
    public var stepNames: [String] { clauseNames { c in if case .step(let n, _, _) = c.kind { return n.text }; return nil } }
    public var kpiNames: [String] { clauseNames { c in if case .kpi(let n, _, _) = c.kind { return n.text }; return nil } }

    func declNames(_ pick: (Decl) -> [String]) -> [String] { units.flatMap { $0.program.declarations.flatMap(pick) } }
    func clauseNames(_ pick: (Clause) -> String?) -> [String] {
        declNames { d in
            guard case .funnel(let f) = d.kind else { return [] }
            return f.clauses.compactMap(pick)
        }
    }

    var loadedStores: [EventStore] { Array(cache.stores.values) }
    /// Event names in the data in memory.
    public var eventNames: [String] { Array(Set(loadedStores.flatMap(\.eventNames))) }
    /// Columns of the data in memory.
    public var propertyNames: [String] { Array(Set(loadedStores.flatMap(\.schema.columnNames))) }
    /// Whether a property's values are in memory (identifier-like columns are read when a query needs them).
    public func isLoaded(_ property: String) -> Bool { loadedStores.contains { $0.properties[property] != nil } }

    /// Values of a string property with few distinct values (at most 200): `event`, a property or `user.X`.
    public func propertyValues(_ name: String) -> [String]? {
        if name == "event" { return eventNames }
        return cache.stringValues(of: name)
    }
}
