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
}
