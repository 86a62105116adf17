import Foundation
import FunnelDriver
import FunnelSQL
import FunnelTestSupport
import Testing

/// `--engine clickhouse --url`: the HTTP interface, against a loopback endpoint that runs the
/// queries on ClickHouse in process (scripts/clickhouse_http.py, chdb), with credentials.
@Suite(.serialized) struct ClickHouseHTTPTests {
    /// Starts the endpoint on a free port and waits until it answers; its port, and the process to stop.
    static func start(user: String, password: String) throws -> (Int, Process)? {
        let python = SQLEngines.venv + "/python"
        guard SQLEngines.clickhouse != nil else { SQLEngines.note("ClickHouse (chdb)"); return nil }
        let port = 20_000 + Int.random(in: 0..<20_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [TestSupport.repo + "/scripts/clickhouse_http.py", "--port", String(port), "--user", user, "--password", password]
        // Its own standard streams: `swift test` waits for every holder of its pipes to finish.
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        var settings = EngineSettings()
        settings.url = "http://127.0.0.1:\(port)"
        for _ in 0..<120 {
            // Unauthenticated: a 403 answer means the endpoint is up.
            do { _ = try Engine(.clickhouse, settings: settings).rows("SELECT 1"); return (port, p) }
            catch { if !error.unavailable { return (port, p) } }
            usleep(250_000)
        }
        kill(p.processIdentifier, SIGKILL)
        Issue.record("the ClickHouse HTTP endpoint did not start on port \(port)")
        return nil
    }

    @Test func theHTTPInterfaceGivesTheNativeFiguresWithCredentialsFromTheEnvironment() throws {
        guard let (port, server) = try Self.start(user: "analyst", password: "s3cret 'x\"") else { return }
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        let folder = TestSupport.temporaryFolder("sql-http")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = SQLDifferentialTests.makeCase(seed: 7, users: 200, folder: folder)
        var settings = EngineSettings()
        settings.url = "http://127.0.0.1:\(port)"
        // Credentials come from the environment only.
        setenv("CLICKHOUSE_USER", "analyst", 1)
        setenv("CLICKHOUSE_PASSWORD", "s3cret 'x\"", 1)
        let (native, engine, problems) = SQLEngines.compare(path, .clickhouse, settings)
        #expect(problems.isEmpty, "\(problems)")
        #expect(native == engine)
        // A wrong password is the server's refusal, said as such.
        setenv("CLICKHOUSE_PASSWORD", "wrong", 1)
        let (_, _, refused) = SQLEngines.compare(path, .clickhouse, settings)
        unsetenv("CLICKHOUSE_USER"); unsetenv("CLICKHOUSE_PASSWORD")
        #expect(refused.first?.contains("HTTP 403") == true && refused.first?.contains("Authentication failed") == true)
    }
}
