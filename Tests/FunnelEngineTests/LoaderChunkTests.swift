import Foundation
import FunnelDiagnostics
import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelSema
import PropertyBased
import Testing
import FunnelTestSupport

/// The parallel loader cuts files into chunks at line breaks, parses them on several
/// threads and merges per-thread dictionaries in file order. With tiny chunks it must read
/// exactly what one chunk reads: quoted line breaks across boundaries, "" escapes, CRLF,
/// and bad rows counted the same.
struct LoaderChunkTests {
    /// A CSV of `rows` rows whose fields are chosen by the generator.
    static func csv(_ rows: [[Int]], lineBreaksInQuotes: Bool) -> String {
        let notes = lineBreaksInQuotes ? ["plain", "\"with, comma\"", "\"two\nlines\"", "\"say \"\"hi\"\"\"", "", "\"\r\nx\""]
                                       : ["plain", "\"with, comma\"", "\"say \"\"hi\"\"\"", ""]
        var out = "user,time,event,note,price\r\n"
        for r in rows {
            let user = "u\(r[0] % 40)"
            let time = r[1] % 7 == 0 ? "not-a-time" : String(1_704_067_200 + r[1] * 37)
            let event = ["view", "cart", "buy", "é-view"][r[2] % 4]
            let note = notes[r[3] % notes.count]
            let price = r[4] % 5 == 0 ? "" : String(r[4])
            out += "\(user),\(time),\(event),\(note),\(price)" + (r[4] % 2 == 0 ? "\r\n" : "\n")
        }
        return out
    }

    static let rows = zip(Gen.int(in: 0...999), Gen.int(in: 1...5000), Gen.int(in: 0...3), zip(Gen.int(in: 0...5), Gen.int(in: 0...99)))
        .map { [$0, $1, $2, $3.0, $3.1] }.array(of: 1...400)

    /// Without line breaks inside quotes every split is a record boundary: the parallel merge runs.
    @Test func tinyChunksMergeInFileOrder() async throws { await check(lineBreaksInQuotes: false) }

    /// With them, a split can fall inside a field: the loader notices and reads in one piece.
    @Test func tinyChunksAcrossQuotedLineBreaks() async throws { await check(lineBreaksInQuotes: true) }

    func check(lineBreaksInQuotes: Bool) async {
        let dir = TestSupport.temporaryFolder("chunks")
        await propertyCheck(count: 60, input: Self.rows) { rows in
            let path = dir + "/e.csv"
            try? Self.csv(rows, lineBreaksInQuotes: lineBreaksInQuotes).write(toFile: path, atomically: true, encoding: .utf8)
            let src = SourceSpec(name: "e", format: "csv", path: path, userColumn: "user", timeColumn: "time",
                                    eventColumn: "event", timezone: nil, delimiter: 44)
            var one = Loader.Options(skipBadRows: true)
            one.chunkBytes = 1 << 30
            var tiny = Loader.Options(skipBadRows: true)
            tiny.chunkBytes = 64
            tiny.threads = 3
            guard let schema = try? Loader.schema(of: src, options: one) else { return }
            let a = try? Loader.load(src, properties: ["note", "price"], schema: schema, options: one)
            let b = try? Loader.load(src, properties: ["note", "price"], schema: schema, options: tiny)
            #expect((a == nil) == (b == nil))
            guard let a = a, let b = b else { return }
            #expect(a.count == b.count)
            #expect(a.time == b.time)
            #expect(a.skipped.total == b.skipped.total)
            #expect((0..<a.count).allSatisfy { a.actorNames.string(of: Int(a.actor[$0])) == b.actorNames.string(of: Int(b.actor[$0])) })
            #expect((0..<a.count).allSatisfy { a.eventNames[Int(a.event[$0])] == b.eventNames[Int(b.event[$0])] })
            for column in ["note", "price"] {
                let va = (0..<a.count).map { a.properties[column]?.value(at: $0) }
                let vb = (0..<b.count).map { b.properties[column]?.value(at: $0) }
                #expect(va == vb, "column \(column)")
            }
        }
    }
}
