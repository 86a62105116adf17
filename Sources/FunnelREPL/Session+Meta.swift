import Foundation
import FunnelDriver
import FunnelReport

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
        (":timeout", "DURATION|off", "stop a query that runs longer (such as 30s or 2m), as Ctrl-C does"),
        (":output", "[FILE]", "send results to FILE from now on (no FILE: back to the screen)"),
        (":once", "FILE", "send the next result to FILE"),
        (":pager", "on|off", "show results taller than the terminal through $PAGER (default less -FRX)"),
        (":save", "FILE", "write the session's definitions as a .funnel file"),
        (":quit", "", "leave (Ctrl-D works too)"),
    ]

    static var helpText: String {
        var out = "Type a declaration (source, segment, funnel NAME { ... }), a funnel's name to run it,\n"
        out += "an inline funnel such as  view -> cart -> purchase within 1d by device where country == \"US\",\n"
        out += "a defined funnel with changes such as  checkout by brand,  or  kpi NAME = EXPR  to add to the last funnel.\n"
        out += "Tab completes; ↑/↓ recall history (a block is one entry); Ctrl-C cancels the line, the block\n"
        out += "or the running query; Ctrl-D quits. On a terminal, long results go through $PAGER (:pager off).\n\n"
        let width = (metaCommands.map { ($0.name + " " + $0.args).count }.max() ?? 0) + 2
        for c in metaCommands { out += "  \((c.name + " " + c.args).padding(toLength: width, withPad: " ", startingAt: 0))\(c.help)\n" }
        return out
    }

    /// "500ms", "30s", "2m", "1h" (or a bare number of seconds) in seconds.
    static func parseSeconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let x = Double(text.dropLast(suffix.count)), x.isFinite { return x * scale }
        }
        return Double(text).flatMap { $0.isFinite ? $0 : nil }
    }

    static func seconds(_ s: Double) -> String {
        s < 1 ? "\(Int((s * 1000).rounded()))ms" : (s == s.rounded() ? "\(Int(s))s" : "\(s)s")
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
            return Reply(workspace.readEvents(from: arg))
        case ":schema": return Reply(workspace.schemaSummary())
        case ":funnels": return Reply(workspace.funnelList())
        case ":explain":
            let name = arg.isEmpty ? (workspace.currentFunnel ?? "") : arg
            return Reply(workspace.explain(name))
        case ":format":
            guard let f = OutputFormat(rawValue: arg) else { return usage(":format table|json|csv|markdown|html") }
            format = f
            return Reply("format: \(f.rawValue)\n")
        case ":timing":
            guard arg == "on" || arg == "off" else { return usage(":timing on|off") }
            timing = arg == "on"
            return Reply("timing: \(arg)\n")
        case ":output":
            if arg.isEmpty { outputPath = nil; return Reply("output: the screen\n") }
            if let why = Session.start(arg) { return Reply("error: cannot write to \(arg): \(why)\n", failed: true) }
            outputPath = arg
            return Reply("output: \(arg)\n")
        case ":once":
            guard !arg.isEmpty else { return usage(":once FILE") }
            if let why = Session.start(arg) { return Reply("error: cannot write to \(arg): \(why)\n", failed: true) }
            oncePath = arg
            return Reply("the next result goes to \(arg)\n")
        case ":pager":
            guard arg == "on" || arg == "off" else { return usage(":pager on|off") }
            pager = arg == "on"
            return Reply("pager: \(arg)\n")
        case ":timeout":
            if arg == "off" { timeout = nil; return Reply("timeout: off\n") }
            guard let t = Session.parseSeconds(arg), t > 0 else { return usage(":timeout DURATION|off (such as 500ms, 30s or 2m)") }
            timeout = t
            return Reply("timeout: \(Session.seconds(t))\n")
        case ":save":
            guard !arg.isEmpty else { return usage(":save FILE") }
            return Reply(workspace.save(to: arg))
        default:
            let names = Session.metaCommands.map(\.name)
            let help = Driver.suggestion(for: cmd, among: names, kind: "commands") ?? "type :help for the commands"
            return Reply("error: unknown command \(cmd)\n  help: \(help)\n", failed: true)
        }
    }

    func usage(_ s: String) -> Reply { Reply("usage: \(s)\n", failed: true) }
}

extension Reply {
    /// A workspace's answer as a reply.
    init(_ a: Workspace.Answer) { self.init(a.text, failed: a.failed) }
}
