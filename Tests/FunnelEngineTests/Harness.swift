import Foundation
import FunnelDiagnostics
import FunnelDriver
import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelTestSupport

/// Writes a funnel and its CSV to a fresh folder and runs it through the whole pipeline.
enum Harness {
    static func folder() -> String {
        TestSupport.temporaryFolder("funnel-tests")
    }

    /// `rows` are "user,time,event[,extra...]" lines; the header is user,time,event plus `extra`.
    static func run(_ funnel: String, rows: [String], extraColumns: [String] = [], options: DriverOptions = DriverOptions())
        -> (results: [FunnelResult], diagnostics: [Diagnostic]) {
        let dir = folder()
        let header = (["user", "time", "event"] + extraColumns).joined(separator: ",")
        try? (header + "\n" + rows.joined(separator: "\n") + "\n").write(toFile: dir + "/events.csv", atomically: true, encoding: .utf8)
        let text = "source events = csv(\"events.csv\") { user = user  time = time  event = event }\n" + funnel
        try? text.write(toFile: dir + "/test.funnel", atomically: true, encoding: .utf8)
        let c = Driver.compile(path: dir + "/test.funnel", options: options, load: true)
        if c.hasErrors { return ([], c.diagnostics) }
        return (Driver.run(c, options: options), c.diagnostics)
    }

    /// Like `run`, with the whole `.funnel` text given (its own source line reads events.csv).
    static func runText(_ text: String, rows: [String], options: DriverOptions = DriverOptions()) -> (results: [FunnelResult], diagnostics: [Diagnostic]) {
        let dir = folder()
        try? ("user,time,event\n" + rows.joined(separator: "\n") + "\n").write(toFile: dir + "/events.csv", atomically: true, encoding: .utf8)
        try? text.write(toFile: dir + "/test.funnel", atomically: true, encoding: .utf8)
        let c = Driver.compile(path: dir + "/test.funnel", options: options, load: true)
        if c.hasErrors { return ([], c.diagnostics) }
        return (Driver.run(c, options: options), c.diagnostics)
    }

    /// Users per step of the first funnel (empty when it did not compile).
    static func counts(_ funnel: String, _ rows: [String], extra: [String] = []) -> [Int] {
        run(funnel, rows: rows, extraColumns: extra).results.first?.steps.map(\.users) ?? []
    }

    /// Seconds since 2024-01-01T00:00:00Z as an ISO time.
    static func t(_ seconds: Int) -> String {
        let base = 1_704_067_200 + seconds
        return String(base)
    }
}
