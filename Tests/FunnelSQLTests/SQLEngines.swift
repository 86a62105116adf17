import Foundation
import FunnelDriver
import FunnelEngine
import FunnelReport
import FunnelSQL
import FunnelTestSupport

/// The real engines the SQL tests run on, from the virtualenv `make sql-engines` fills
/// (.build/sql-venv): DuckDB's command line, and ClickHouse in process (chdb) through
/// scripts/chdb_local.py. A missing engine is said once per test, never passed over silently.
enum SQLEngines {
    static let venv = TestSupport.repo + "/.build/sql-venv/bin"

    static var duckdb: EngineSettings? {
        let path = venv + "/duckdb"
        guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
        var s = EngineSettings()
        s.duckdb = path
        return s
    }

    static var clickhouse: EngineSettings? {
        let python = venv + "/python"
        guard FileManager.default.isExecutableFile(atPath: python),
              FileManager.default.fileExists(atPath: venv.replacingOccurrences(of: "/bin", with: "") + "/lib") else { return nil }
        var s = EngineSettings()
        s.clickhouseLocal = "\(python) \(TestSupport.repo)/scripts/chdb_local.py"
        return s
    }

    /// The engines present, with a line on standard error for each one missing.
    static func available() -> [(SQLTarget, EngineSettings)] {
        var out: [(SQLTarget, EngineSettings)] = []
        if let d = duckdb { out.append((.duckdb, d)) } else { note("DuckDB") }
        if let c = clickhouse { out.append((.clickhouse, c)) } else { note("ClickHouse (chdb)") }
        return out
    }

    static func note(_ what: String) {
        FileHandle.standardError.write(Data("SQL tests: \(what) is not installed in .build/sql-venv, skipped (run `make sql-engines`)\n".utf8))
    }

    /// The report as JSON without its notes (the engine's name is one), for comparing engines.
    static func figures(_ results: [FunnelResult], _ c: Compilation) -> String {
        var plain = results
        for i in plain.indices { plain[i].notes = [] }
        return Report.render(plain, plan: c.plan, format: .json, color: false)
    }

    /// Native and engine figures of every funnel in `path`, or the engine's diagnostics.
    static func compare(_ path: String, _ target: SQLTarget, _ settings: EngineSettings) -> (native: String, engine: String, problems: [String]) {
        let c = Driver.compile(path: path, options: DriverOptions(), load: true)
        if c.hasErrors { return ("", "", c.diagnostics.map(\.message)) }
        let native = Driver.run(c)
        let (ran, problems) = Driver.runOnEngine(c, target: target, settings: settings, options: DriverOptions())
        return (figures(native, c), figures(ran, c), problems.map(\.message))
    }
}
