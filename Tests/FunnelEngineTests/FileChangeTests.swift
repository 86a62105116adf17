import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelTestSupport
import Testing

/// Issue 8, root cause 3: a data file truncated while it is mapped used to kill the process with
/// SIGBUS; now the read finishes on zeros and the loader reports E412 instead of numbers.
struct FileChangeTests {
    static func eventsFile(rows: Int) -> String {
        let dir = TestSupport.temporaryFolder("funnel-change")
        var text = "user,time,event\n"
        for i in 0..<rows { text += "u\(i % 997),2024-01-01T00:00:\(String(format: "%02d", i % 60))Z,view\n" }
        let path = dir + "/events.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    static let spec = { (path: String) in
        SourceSpec(name: "events", format: "csv", path: path, userColumn: "user", timeColumn: "time", eventColumn: "event", timezone: nil, delimiter: 44)
    }

    static func codes(_ f: () throws -> Void) -> [DiagnosticCode] {
        do { try f(); return [] } catch let e as DiagnosticsError { return e.diagnostics.map(\.code) } catch { return [.internalError] }
    }

    @Test func aFileTruncatedAfterMappingIsReportedNotACrash() throws {
        let path = Self.eventsFile(rows: 200_000)
        let file = try MappedFile(path: path)
        let schema = try Loader.schema(of: Self.spec(path), in: file)
        #expect(truncate(path, 10_000) == 0)
        var options = Loader.Options()
        options.chunkBytes = 1 << 16
        #expect(Self.codes { _ = try Loader.load(Self.spec(path), from: file, properties: [], schema: schema, options: options) } == [.dataFileChanged])
        // A second file read afterwards is unaffected.
        let other = Self.eventsFile(rows: 100)
        #expect(try Loader.load(Self.spec(other), properties: [], schema: schema).count == 100)
    }

    @Test func aFileRewrittenInPlaceAfterMappingIsReported() throws {
        let path = Self.eventsFile(rows: 100)
        let file = try MappedFile(path: path)
        let schema = try Loader.schema(of: Self.spec(path), in: file)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("u1,2024-01-02T00:00:00Z,view\n".utf8))
        try handle.close()
        #expect(Self.codes { _ = try Loader.load(Self.spec(path), from: file, properties: [], schema: schema) } == [.dataFileChanged])
    }

    @Test func aFileReplacedByRenameKeepsTheVersionThatWasMapped() throws {
        let path = Self.eventsFile(rows: 100)
        let file = try MappedFile(path: path)
        let schema = try Loader.schema(of: Self.spec(path), in: file)
        let replacement = Self.eventsFile(rows: 5)
        #expect(rename(replacement, path) == 0)
        #expect(try Loader.load(Self.spec(path), from: file, properties: [], schema: schema).count == 100)
    }
}
