import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where and how a SQL engine runs the queries (`funnel run --engine …`).
public struct EngineSettings: Sendable {
    /// DuckDB: the command line (default `duckdb` on PATH, or `FUNNEL_DUCKDB`).
    public var duckdb: String?
    /// ClickHouse: the HTTP interface (default http://localhost:8123, or `FUNNEL_CLICKHOUSE_URL`).
    public var url: String?
    /// ClickHouse without a server: a command that reads a query on standard input and prints
    /// JSONEachRow rows, such as `clickhouse local` (or `FUNNEL_CLICKHOUSE_LOCAL`).
    public var clickhouseLocal: String?
    /// Spark: `spark-submit` (default on PATH, or `FUNNEL_SPARK_SUBMIT`) and its `--master`
    /// (default local[*], or `FUNNEL_SPARK_MASTER`).
    public var sparkSubmit: String?
    public var master: String?
    /// Spark: `KEY=VALUE` settings handed to spark-submit's `--conf` (executor memory, partitions…).
    public var sparkConf: [String] = []
    public init() {}
}

/// An engine that could not run a query: not found, not reachable, or the query failed.
public struct EngineError: Error, Sendable {
    public var unavailable: Bool
    public var message: String
}

/// Runs queries on a SQL engine and returns their rows as JSON objects.
public struct Engine {
    public let target: SQLTarget
    public let settings: EngineSettings
    public init(_ target: SQLTarget, settings: EngineSettings) { self.target = target; self.settings = settings }

    public func rows(_ sql: String) throws(EngineError) -> [[String: Any]] {
        switch target {
        case .duckdb: return try duckdb(sql)
        case .clickhouse: return try clickhouse(sql)
        case .spark: return try spark(sql)
        }
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// An executable by name on PATH, or the path itself.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs a program with `input` on its standard input; its standard output, or its error.
    static func run(_ path: String, _ arguments: [String], input: String, what: String, pathFirst: String? = nil) throws(EngineError) -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        if let dir = pathFirst {
            // A virtualenv's spark-submit finds its Spark through the python beside it.
            var env = environment
            env["PATH"] = dir + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            p.environment = env
        }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin; p.standardOutput = stdout; p.standardError = stderr
        do { try p.run() } catch { throw EngineError(unavailable: true, message: "\(what) could not be started (\(path)): \(error)") }
        // Read both pipes while writing, so that a large answer cannot block the engine.
        nonisolated(unsafe) var out = Data()
        nonisolated(unsafe) var err = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { out = stdout.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { err = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        group.wait()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            // Both streams: spark-submit passes its Python driver's traceback on standard output.
            let text = (String(decoding: err, as: UTF8.self) + "\n" + String(decoding: out, as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
            // The end of the log says why (engines print warnings first).
            let shown = text.count > 3000 ? "…" + text.suffix(3000) : text
            throw EngineError(unavailable: false, message: "\(what) failed (exit \(p.terminationStatus)): \(shown)")
        }
        return out
    }

    static func json(_ data: Data, what: String) throws(EngineError) -> Any {
        do { return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }
        catch { throw EngineError(unavailable: false, message: "\(what) answered with text that is not JSON: \(String(decoding: data.prefix(300), as: UTF8.self))") }
    }

    // MARK: DuckDB

    func duckdb(_ sql: String) throws(EngineError) -> [[String: Any]] {
        let name = settings.duckdb ?? Engine.environment["FUNNEL_DUCKDB"] ?? "duckdb"
        guard let path = Engine.which(name) else {
            throw EngineError(unavailable: true, message: "the DuckDB command line '\(name)' was not found: install it (pip install duckdb-cli, or https://duckdb.org) or name it with --duckdb PATH")
        }
        let out = try Engine.run(path, ["-json", "-bail", ":memory:"], input: sql, what: "DuckDB")
        if out.allSatisfy({ $0 == 10 || $0 == 32 }) { return [] }
        guard let rows = try Engine.json(out, what: "DuckDB") as? [[String: Any]] else {
            throw EngineError(unavailable: false, message: "DuckDB's answer is not a list of rows")
        }
        return rows
    }

    // MARK: ClickHouse

    func clickhouse(_ sql: String) throws(EngineError) -> [[String: Any]] {
        if let local = settings.clickhouseLocal ?? (settings.url == nil ? Engine.environment["FUNNEL_CLICKHOUSE_LOCAL"] : nil) {
            let words = local.split(separator: " ").map(String.init)
            guard let first = words.first, let path = Engine.which(first) else {
                throw EngineError(unavailable: true, message: "the ClickHouse command '\(local)' was not found")
            }
            var arguments = Array(words.dropFirst())
            if (first as NSString).lastPathComponent == "clickhouse" { arguments += ["--output-format", "JSONEachRow", "--output_format_json_quote_64bit_integers", "0"] }
            return try Engine.jsonLines(Engine.run(path, arguments, input: sql, what: "ClickHouse"), what: "ClickHouse")
        }
        let base = settings.url ?? Engine.environment["FUNNEL_CLICKHOUSE_URL"] ?? "http://localhost:8123"
        guard var parts = URLComponents(string: base), parts.scheme == "http" || parts.scheme == "https", parts.host != nil else {
            throw EngineError(unavailable: true, message: "'\(base)' is not an http(s) URL of ClickHouse's HTTP interface, such as http://localhost:8123")
        }
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: "default_format", value: "JSONEachRow"),
                                                       URLQueryItem(name: "output_format_json_quote_64bit_integers", value: "0")]
        guard let url = parts.url else { throw EngineError(unavailable: true, message: "'\(base)' is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(sql.utf8)
        request.timeoutInterval = 24 * 3600
        // Credentials from the environment only, never from the command line.
        if let user = Engine.environment["CLICKHOUSE_USER"] { request.setValue(user, forHTTPHeaderField: "X-ClickHouse-User") }
        if let key = Engine.environment["CLICKHOUSE_PASSWORD"] { request.setValue(key, forHTTPHeaderField: "X-ClickHouse-Key") }
        nonisolated(unsafe) var answer: (Data?, URLResponse?, Error?) = (nil, nil, nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in answer = (data, response, error); done.signal() }.resume()
        done.wait()
        if let error = answer.2 { throw EngineError(unavailable: true, message: "ClickHouse at \(base) could not be reached: \(error.localizedDescription)") }
        let data = answer.0 ?? Data()
        let status = (answer.1 as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw EngineError(unavailable: false, message: "ClickHouse answered HTTP \(status): \(String(decoding: data.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return try Engine.jsonLines(data, what: "ClickHouse")
    }

    static func jsonLines(_ data: Data, what: String) throws(EngineError) -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for line in data.split(separator: 10) where !line.isEmpty {
            guard let row = try Engine.json(Data(line), what: what) as? [String: Any] else {
                throw EngineError(unavailable: false, message: "\(what)'s answer has a line that is not a row")
            }
            rows.append(row)
        }
        return rows
    }

    // MARK: Spark

    /// Every query in one Spark application (start-up costs seconds): a small PySpark driver
    /// runs the setup statements and the query of each, and prints each row as JSON tagged with
    /// its query's number (errors likewise), so one failing query does not hide the others.
    public func sparkBatch(_ queries: [SQLQuery]) throws(EngineError) -> [Result<[[String: Any]], EngineError>] {
        let name = settings.sparkSubmit ?? Engine.environment["FUNNEL_SPARK_SUBMIT"] ?? "spark-submit"
        guard let path = Engine.which(name) else {
            throw EngineError(unavailable: true, message: "Spark's spark-submit '\(name)' was not found: install Spark or PySpark (pip install pyspark; Java 17), or name it with --spark-submit PATH")
        }
        // A folder of its own: Python puts the driver's folder first on its module path, so a
        // stray `random.py` or `bisect.py` beside it would be imported instead of the library's.
        let folder = NSTemporaryDirectory() + "funnel-spark-\(UUID().uuidString)"
        let driver = folder + "/driver.py"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            try Engine.sparkDriver.write(toFile: driver, atomically: true, encoding: .utf8)
        } catch { throw EngineError(unavailable: true, message: "the Spark driver could not be written to \(driver): \(error)") }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The queries go in a file: spark-submit does not hand its standard input to the driver.
        let batch = queries.map { ["setup": $0.setup, "query": $0.sql] as [String: Any] }
        let queryFile = folder + "/queries.json"
        guard let input = try? JSONSerialization.data(withJSONObject: batch), (try? input.write(to: URL(fileURLWithPath: queryFile))) != nil else {
            throw EngineError(unavailable: false, message: "the queries could not be written for Spark to \(queryFile)")
        }
        let master = settings.master ?? Engine.environment["FUNNEL_SPARK_MASTER"] ?? "local[*]"
        let confs = settings.sparkConf.flatMap { ["--conf", $0] }
        let out = try Engine.run(path, ["--master", master, "--conf", "spark.ui.enabled=false"] + confs + [driver, queryFile],
                                 input: "", what: "Spark",
                                 pathFirst: (path as NSString).deletingLastPathComponent)
        var rows = [[[String: Any]]](repeating: [], count: queries.count)
        var errors: [Int: String] = [:]
        for line in out.split(separator: 10) where line.starts(with: Array("{\"q\"".utf8)) {
            guard let item = try Engine.json(Data(line), what: "Spark") as? [String: Any], let k = SQLResults.int(item["q"]), k >= 0, k < queries.count else { continue }
            if let e = item["error"] as? String { errors[k] = e } else if let row = item["row"] as? [String: Any] { rows[k].append(row) }
        }
        return (0..<queries.count).map { k in
            if let e = errors[k] { return .failure(EngineError(unavailable: false, message: "Spark failed: \(e)")) }
            return .success(rows[k])
        }
    }

    func spark(_ sql: String) throws(EngineError) -> [[String: Any]] {
        let q = SQLQuery(funnel: "", target: .spark, sql: sql, kpiValues: [], kpiTimes: [], breakdownCount: 0)
        return try sparkBatch([q])[0].get()
    }

    /// The driver `spark-submit` runs: queries in the file it is given (JSON), rows on standard output.
    static let sparkDriver = """
    import json, sys
    from pyspark.sql import SparkSession
    # `${...}` in a text must stay text: no variable substitution. Missing values stay in the JSON.
    spark = (SparkSession.builder.appName("funnel")
             .config("spark.sql.variable.substitute", "false")
             .config("spark.sql.jsonGenerator.ignoreNullFields", "false")
             # The folds are long expressions: Java code generation for them fails after long
             # compiles, and the interpreted plan is faster here.
             .config("spark.sql.codegen.wholeStage", "false")
             .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    with open(sys.argv[1], encoding="utf-8") as f:
        batch = json.load(f)
    for k, item in enumerate(batch):
        try:
            for statement in item["setup"]:
                spark.sql(statement)
            for row in spark.sql(item["query"]).toJSON().collect():
                print(json.dumps({"q": k, "row": json.loads(row)}))
        except Exception as e:
            print(json.dumps({"q": k, "error": str(e)[:4000]}))
    sys.stdout.flush()
    spark.stop()
    """
}
