import Foundation
import FunnelSQL
import FunnelTestSupport
import Testing

/// Spark SQL against the native engine on a real Spark (PySpark in local mode, the file read in
/// 32 KiB splits, so six or more partitions, and 5 shuffle partitions, as a cluster would split it):
/// random funnels over one file of 2,400 random streams, all in one Spark application
/// (its start-up and each query's planning cost seconds). Slow, so it runs with
/// FUNNEL_SPARK_TESTS=1 (`make test-spark`, which CI runs after `make test`).
@Suite(.serialized) struct SparkDifferentialTests {
    static let enabled = ProcessInfo.processInfo.environment["FUNNEL_SPARK_TESTS"] == "1"

    @Test(.enabled(if: enabled)) func randomStreamsGiveTheNativeFiguresOnSpark() throws {
        let submit = SQLEngines.venv + "/spark-submit"
        guard FileManager.default.isExecutableFile(atPath: submit) else {
            Issue.record("Spark is not installed in .build/sql-venv: run `make sql-engines SQL_PKGS=pyspark`")
            return
        }
        let folder = TestSupport.temporaryFolder("sql-spark")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try SQLDifferentialTests.events(seed: 42, users: 2_400, steps: 4).write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        try SQLDifferentialTests.usersTable(users: 2_400).write(toFile: folder + "/users.csv", atomically: true, encoding: .utf8)
        let funnels = (1...6).map { SQLDifferentialTests.funnel(seed: UInt64(100 + $0), name: "f\($0)", maxSteps: 3) }.joined()
        let path = folder + "/cases.funnel"
        try (SQLDifferentialTests.source + funnels).write(toFile: path, atomically: true, encoding: .utf8)
        var settings = EngineSettings()
        settings.sparkSubmit = submit
        settings.master = "local[2]"
        settings.sparkConf = ["spark.sql.files.maxPartitionBytes=32768", "spark.sql.shuffle.partitions=5"]
        let size = (try FileManager.default.attributesOfItem(atPath: folder + "/events.csv")[.size] as? Int) ?? 0
        #expect(size > 5 * 32_768, "the events file is read in several partitions (\(size) bytes)")
        let (native, spark, problems) = SQLEngines.compare(path, .spark, settings)
        #expect(problems.isEmpty, "\(problems)")
        #expect(native.contains("\"name\":\"f6\""))
        if native != spark {
            Issue.record("Spark differs from native.\n\(funnels)\nnative: \(native)\nspark: \(spark)")
        }
    }

    /// Time layouts, wall-clock times through clock changes in three zones and `dates` in a zone,
    /// one source per zone over the same rows, all funnels in one Spark application.
    @Test(.enabled(if: enabled)) func timesAndZonesGiveTheNativeInstantsOnSpark() throws {
        let submit = SQLEngines.venv + "/spark-submit"
        guard FileManager.default.isExecutableFile(atPath: submit) else {
            Issue.record("Spark is not installed in .build/sql-venv: run `make sql-engines SQL_PKGS=pyspark`")
            return
        }
        let folder = TestSupport.temporaryFolder("sql-spark")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var layouts = ["2024-03-01T10:00:00Z", "2024-03-01 10:00:00 UTC", "2024-03-01T10:00:00.123456Z", "2024-03-01T10:00:00,5Z",
                       "2024-03-01", "2024-04-08T01:50:00+05:30", "2024-04-08 01:50:00-0130", "2024-06-30T23:59:60Z", "1709287200.5", "1709287200123"]
        for day in ["2024-03-31", "2024-10-27", "2024-03-10", "2024-11-03", "2024-04-07"] {
            layouts += ["01:00:00", "01:30:00", "02:00:00", "02:30:00", "02:59:59", "03:00:00"].map { "\(day) \($0)" } + ["\(day)T02:30:00"]
        }
        var csv = "user,time,event\n"
        for (i, t) in layouts.enumerated() { csv += "u\(i),1704067200,a\nu\(i),\"\(t)\",b\n" }
        try csv.write(toFile: folder + "/events.csv", atomically: true, encoding: .utf8)
        var text = ""
        for (i, zone) in ["UTC", "Europe/Berlin", "America/New_York", "Australia/Adelaide"].enumerated() {
            text += "source s\(i) = csv(\"events.csv\") {\n  user = user\n  time = time\n  event = event\n  timezone \"\(zone)\"\n}\n"
            text += "funnel f\(i) from s\(i) {\n  window none\n  step a = \"a\"\n  step b = \"b\"\n  by user\n}\n"
        }
        text += "funnel local_days from s2 {\n  window none\n  step a = \"a\"\n  step b = \"b\"\n  dates 2024-01-01 to 2024-01-01\n  by user\n}\n"
        text += "funnel last_days from s1 {\n  window none\n  step a = \"b\"\n  step b = \"b\"\n  dates last 200d\n}\n"
        try text.write(toFile: folder + "/zones.funnel", atomically: true, encoding: .utf8)
        var settings = EngineSettings()
        settings.sparkSubmit = submit
        settings.master = "local[2]"
        let (native, spark, problems) = SQLEngines.compare(folder + "/zones.funnel", .spark, settings)
        #expect(problems.isEmpty, "\(problems)")
        #expect(native.contains("\"name\":\"last_days\""))
        if native != spark { Issue.record("Spark differs from native.\nnative: \(native)\nspark: \(spark)") }
    }
}
