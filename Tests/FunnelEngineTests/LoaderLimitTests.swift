import Foundation
import FunnelCore
import FunnelDiagnostics
@testable import FunnelDriver
@testable import FunnelEngine
import FunnelTestSupport
import Testing

/// The loader's two ways of stopping early: a cancelled load and a file beyond the row limit.
struct LoaderLimitTests {
    @Test func aCancelledLoadStopsWithACode() throws {
        let dir = TestSupport.temporaryFolder()
        try "user,time,event\nu1,2024-01-01T00:00:00Z,view\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        let spec = SourceSpec(name: "e", format: "csv", path: dir + "/e.csv", userColumn: "user", timeColumn: "time",
                              eventColumn: "event", timezone: nil, delimiter: UInt8(ascii: ","))
        var options = Loader.Options()
        let schema = try Loader.schema(of: spec, options: options)
        #expect(try Loader.load(spec, properties: [], schema: schema, options: options).count == 1)
        options.cancelled = { true }
        do {
            _ = try Loader.load(spec, properties: [], schema: schema, options: options)
            Issue.record("a cancelled load returned data")
        } catch let e as DiagnosticsError {
            #expect(e.diagnostics.map(\.code) == [.cancelled])
        }
    }

    @Test func moreRowsThanTheEngineAddressesIsAnError() throws {
        try Loader.checkRowLimit(Int(Int32.max), path: "big.csv")
        do {
            try Loader.checkRowLimit(Int(Int32.max) + 1, path: "big.csv")
            Issue.record("no error past the row limit")
        } catch let e as DiagnosticsError {
            #expect(e.diagnostics.map(\.code) == [.tooManyEvents])
            #expect(e.diagnostics.first?.help?.contains("split the export") == true)
        }
    }
}

/// A reader failing with anything but a located diagnostic is a bug of ours, and says so.
struct InternalErrorTests {
    struct Unexpected: Error {}

    @Test func anUnexpectedReaderErrorIsAnInternalError() {
        let ds = CompilePhases.diagnostics(of: Unexpected(), at: nil, path: "e.csv")
        #expect(ds.map(\.code) == [.internalError])
        #expect(ds.first?.help == "this is a bug in funnel, please report it")
        #expect(ds.first?.message.contains("reading e.csv failed") == true)
    }
}
