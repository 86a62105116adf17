import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSyntax

/// What the command line needs beyond compiling and running, so it imports only the driver
/// and the report: the plan as `explain` prints it, suggestions, times and cancellation.
extension Driver {
    /// The plan as `funnel explain` prints it; nil when the file did not compile.
    public static func explain(_ c: Compilation, only funnel: String? = nil) -> String? {
        guard var plan = c.plan, !c.hasErrors else { return nil }
        if let name = funnel {
            plan.funnels = plan.funnels.filter { $0.name == name }
            if plan.funnels.isEmpty { return nil }
        }
        return Explain.render(plan)
    }

    /// "did you mean 'x'?", or the list of what there is.
    public static func suggestion(for word: String, among names: [String], kind: String) -> String? {
        DidYouMean.help(word, among: names, kind: kind)
    }

    /// A date or date-time given on the command line (`--as-of`), in µs since 1970 (UTC).
    public static func parseTime(_ text: String) -> Int64? { parseTimeText(text) }

    /// Asks the running query or load to stop (Ctrl-C); `resetCancellation` before the next one.
    public static func requestCancellation() { Cancellation.request() }
    public static func resetCancellation() { Cancellation.reset() }
    public static var cancellationRequested: Bool { Cancellation.requested }
    /// A deadline `seconds` from now, for `DriverOptions.deadline`.
    public static func deadline(in seconds: Double) -> Int64 { Cancellation.now() + Int64(seconds * 1e9) }
    /// True once `deadline` has passed.
    public static func passed(_ deadline: Int64) -> Bool { Cancellation.now() > deadline }
}

extension Compilation {
    /// The names of the funnels that compiled.
    public var funnelNames: [String] { plan?.funnels.map(\.name) ?? [] }
}

extension Driver {
    /// `funnel fmt`: the canonical layout of a `.funnel` text, or nil with the diagnostics when it does not parse.
    public static func format(text: String, path: String) -> (text: String?, diagnostics: [Diagnostic]) {
        Formatter.format(SourceFile(path: path, text: text))
    }
}
