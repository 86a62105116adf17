import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelEngine
import FunnelPlan
import FunnelReport
import FunnelCore
import FunnelSema
import FunnelSyntax

/// The `:commands`.
extension Session {
    static let metaCommands: [(name: String, args: String, help: String)] = [
        (":help", "", "this list"),
        (":load", "FILE", "load a .funnel file's definitions and data"),
        (":events", "PATH", "read events from PATH for every source (keeps the column mapping)"),
        (":schema", "", "columns, types, rows, users and event names of the data"),
        (":funnels", "", "the defined funnels with their steps"),
        (":explain", "NAME", "the plan of a funnel"),
        (":format", "table|json|csv|markdown|html", "how results are printed"),
        (":timing", "on|off", "print how long each query takes"),
        (":save", "FILE", "write the session's definitions as a .funnel file"),
        (":quit", "", "leave (Ctrl-D works too)"),
    ]

    static var helpText: String {
        var out = "Type a declaration (source, segment, funnel NAME { ... }), a funnel's name to run it,\n"
        out += "an inline funnel such as  view -> cart -> purchase within 1d by device where country == \"US\",\n"
        out += "a defined funnel with changes such as  checkout by brand,  or  kpi NAME = EXPR  to add to the last funnel.\n"
        out += "Tab completes; ↑/↓ recall history; Ctrl-C cancels; Ctrl-D quits.\n\n"
        for c in metaCommands { out += "  \((c.name + " " + c.args).padding(toLength: 34, withPad: " ", startingAt: 0))\(c.help)\n" }
        return out
    }

    func meta(_ text: String) -> Reply {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let cmd = parts[0], arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch cmd {
        case ":help", ":h", ":?": return Reply(Session.helpText)
        case ":quit", ":q", ":exit": return Reply("", quit: true)
        case ":load", ":l":
            guard !arg.isEmpty else { return usage(":load FILE") }
            return load(path: arg)
        case ":events":
            guard !arg.isEmpty else { return usage(":events PATH") }
            guard FileManager.default.fileExists(atPath: arg) else { return Reply("error: file not found: '\(arg)'\n") }
            options.events = arg
            cache = DataCache()
            let c = compile(adding: [], load: true)
            if c.hasErrors { options.events = nil; return Reply(render(c.diagnostics)) }
            return Reply("events now read from \(arg): \(formatCount(c.stores.reduce(0) { $0 + $1.count })) events in memory\n")
        case ":schema": return schema()
        case ":funnels": return funnels()
        case ":explain":
            let name = arg.isEmpty ? (currentFunnel ?? "") : arg
            let c = compile(adding: [], load: false)
            guard let plan = c.plan, let f = plan.funnels.first(where: { $0.name == name }) else {
                return unknownFunnel(name)
            }
            var one = plan
            one.funnels = [f]
            return Reply(Explain.render(one))
        case ":format":
            guard let f = OutputFormat(rawValue: arg) else { return usage(":format table|json|csv|markdown|html") }
            format = f
            return Reply("format: \(f.rawValue)\n")
        case ":timing":
            guard arg == "on" || arg == "off" else { return usage(":timing on|off") }
            timing = arg == "on"
            return Reply("timing: \(arg)\n")
        case ":save":
            guard !arg.isEmpty else { return usage(":save FILE") }
            return save(to: arg)
        default:
            let names = Session.metaCommands.map(\.name)
            let help = DidYouMean.suggest(cmd, among: names).map { "did you mean \($0)?" } ?? "type :help for the commands"
            return Reply("error: unknown command \(cmd)\n  help: \(help)\n")
        }
    }

    func usage(_ s: String) -> Reply { Reply("usage: \(s)\n") }

    func unknownFunnel(_ name: String) -> Reply {
        let help = DidYouMean.help(name, among: funnelNames, kind: "funnels") ?? "no funnels are defined yet"
        return Reply("error: unknown funnel '\(name)'\n  help: \(help)\n")
    }

    func funnels() -> Reply {
        var out = ""
        for u in units {
            for d in u.program.declarations {
                guard case .funnel(let f) = d.kind else { continue }
                let steps = f.clauses.compactMap { c -> String? in if case .step(let n, _, _) = c.kind { return n.text }; return nil }
                out += "\(f.name.text): \(steps.joined(separator: " -> "))   (\(u.file.path))\n"
            }
        }
        return Reply(out.isEmpty ? "no funnels yet: :load a file or type funnel NAME { ... }\n" : out)
    }

    func schema() -> Reply {
        let c = compile(adding: [], load: true)
        if c.hasErrors { return Reply(render(c.diagnostics)) }
        guard let plan = c.plan, !plan.sources.isEmpty else { return Reply("no sources yet: :load a file or type source NAME = csv(\"...\") { ... }\n") }
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
        return Reply(out)
    }

    /// Writes every definition as one `.funnel` file that `funnel check` accepts: data paths
    /// are rewritten relative to the new file's folder, imports are inlined.
    func save(to path: String) -> Reply {
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
        catch { return Reply("error: cannot write \(path): \(error.localizedDescription)\n") }
        return Reply("saved \(units.reduce(0) { $0 + $1.program.declarations.count }) definitions to \(path)\n")
    }

    func rewritePath(_ text: String, decl: Decl, source s: SourceDecl, unit: CompilationUnit, dir: String) -> String {
        let resolved = s.path.hasPrefix("/") ? s.path : normalizePath(unit.directory == "." ? s.path : unit.directory + "/" + s.path)
        let target = Session.relative(resolved, from: dir)
        let start = s.pathSpan.start - decl.span.start, end = s.pathSpan.end - decl.span.start
        var bytes = Array(text.utf8)
        guard start >= 0, end <= bytes.count, start <= end else { return text }
        bytes.replaceSubrange(start..<end, with: Array("\"\(target)\"".utf8))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `path` as seen from folder `dir` (both relative to the working folder, or absolute).
    static func relative(_ path: String, from dir: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> [String] {
            let full = p.hasPrefix("/") ? p : cwd + "/" + p
            return normalizePath(full).split(separator: "/").map(String.init)
        }
        let a = absolute(path), b = absolute(dir.isEmpty ? "." : dir)
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        let up = Array(repeating: "..", count: b.count - i)
        let rest = (up + a[i...]).joined(separator: "/")
        return rest.isEmpty ? "." : rest
    }
}
