// What the CSV and JSON Lines fuzz targets share: the input's bytes are written to a file in a
// private temporary folder (the readers map files; there is no in-memory entry point) and read
// through the real paths: the loader's sample and schema, the parallel chunked load, a compile
// and run of a small funnel over the file, the users-table reader, and `funnel init`'s guesses.
// Which options a run uses (threads, chunk size, skipping bad rows, delimiter, time zone) comes
// from a checksum of the input, so every input replays the same way.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelDriver
import FunnelEngine
import FuzzMain

public enum ReaderFuzz {
    /// A folder of this process's own (a tmpfs when there is one: each input is a file write).
    static let folder: String = privateFolder(prefix: "funnel-fuzz")
        ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())

    /// Writes the bytes to `name` in the folder (replacing it); false when that failed.
    static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var done = 0
        while done < size, let d = data {
            let n = Glibc.write(fd, d + done, size - done)
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// A small funnel over the fuzzed file: steps by event name only, so any header with the
    /// three role columns checks; a user filter and a breakdown by event read more columns.
    static func funnelText(format: String, dataName: String, delimiter: String?, timezone: String?) -> String {
        var settings = "user = user  time = time  event = event"
        if let d = delimiter { settings += "  delimiter \"\(d)\"" }
        if let tz = timezone { settings += "  timezone \"\(tz)\"" }
        return """
        source events = \(format)("\(dataName)") { \(settings) }
        segment active = count("view") >= 1
        funnel f {
          window 1d
          step view = "view"
          step cart = "cart" within 1h
          step purchase = "purchase"
          for active
          by event
          kpi conversion = purchase / view
          kpi t = median(time(view -> purchase))
        }
        funnel any_order { order any  step a = "view"  step b = "cart" }
        funnel strict_order { order strict  ties strict  step a = "view"  step b = "cart"  exclude "remove" between a and b }

        """
    }

    /// Runs one input as a `format` ("csv" or "jsonl") events file.
    public static func run(_ data: UnsafePointer<UInt8>?, _ size: Int, format: String) {
        var sum: UInt32 = 2166136261
        if let d = data { for i in 0..<size { sum = (sum ^ UInt32(d[i])) &* 16777619 } }
        let ext = format == "csv" ? "csv" : "jsonl"
        let dataPath = folder + "/events." + ext
        guard write(data, size, to: dataPath) else { return }

        let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]
        let delimiter = format == "csv" ? delimiters[Int(sum >> 4 & 3)] : UInt8(ascii: ",")
        let zones: [String?] = [nil, "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]
        let timezone = zones[Int(sum >> 6 & 3)]
        var options = Loader.Options(skipBadRows: sum & 1 == 1, delimiter: nil)
        options.threads = 1 + Int(sum >> 1 & 1)
        options.chunkBytes = [64, 100, 257, 16 << 20][Int(sum >> 2 & 3)]
        let source = SourceSpec(name: "events", format: format, path: dataPath, userColumn: "user", timeColumn: "time",
                                eventColumn: "event", timezone: timezone, delimiter: delimiter)

        // 1. The loader directly: sample, schema, then every column in parallel chunks.
        do {
            let file = try MappedFile(path: dataPath)
            let schema = try Loader.schema(of: source, in: file, options: options)
            let properties = schema.columnNames.filter { !["user", "time", "event"].contains($0) }
            let store = try Loader.load(source, from: file, properties: properties, schema: schema, options: options)
            _ = store.skipped.summary
            _ = store.eventCounts
        } catch let e as DiagnosticsError {
            _ = DiagnosticRenderer().render(e.diagnostics)
        } catch {}

        // 2. The driver: compile (sample, check, plan, load) and run small funnels over the file.
        if sum >> 8 & 1 == 1 {
            let funnelPath = folder + "/fuzz.funnel"
            let d: String? = delimiter == 9 ? "\\t" : (delimiter == UInt8(ascii: ",") ? nil : String(UnicodeScalar(delimiter)))
            let text = funnelText(format: format, dataName: "events." + ext, delimiter: d, timezone: timezone)
            if (try? String(contentsOfFile: funnelPath, encoding: .utf8)) != text {
                try? text.write(toFile: funnelPath, atomically: false, encoding: .utf8)
            }
            let driverOptions = DriverOptions(skipBadRows: sum & 1 == 1)
            let c = Driver.compile(path: funnelPath, options: driverOptions, load: true)
            _ = DiagnosticRenderer().render(c.diagnostics)
            if !c.hasErrors { _ = Driver.run(c, options: driverOptions) }
        }

        // 3. The same bytes as a users table (CSV or JSON Lines), keyed by `user`.
        if sum >> 9 & 1 == 1 {
            let users = UsersSpec(format: format, path: dataPath, keyColumn: "user", delimiter: delimiter)
            do {
                let file = try MappedFile(path: dataPath)
                let schema = try ProfileTable.schema(of: users, in: file)
                _ = try ProfileTable.load(users, from: file, columns: schema.columnNames)
            } catch let e as DiagnosticsError {
                _ = DiagnosticRenderer().render(e.diagnostics)
            } catch {}
        }

        // 4. `funnel init`: guesses the format, delimiter and roles from the file.
        if sum >> 10 & 1 == 1 {
            switch Starter.make(dataPath: dataPath, outputDirectory: folder) {
            case .success(let s): _ = s.text
            case .failure(let f): _ = f.message
            }
        }
    }
}
