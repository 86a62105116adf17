import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import FunnelDiagnostics
import FunnelSema

/// Reads event files into an `EventStore`: first a sample (for the schema the checker
/// uses), then the whole file in parallel chunks with chunk-local dictionaries.
public enum Loader {
    static let sampleRows = 2000

    /// Options a user can set on the command line.
    public struct Options: Sendable {
        public var skipBadRows = false
        /// Overrides the source's delimiter (`--delimiter`).
        public var delimiter: UInt8? = nil
        public var threads = max(1, min(8, System.coreCount))
        public init(skipBadRows: Bool = false, delimiter: UInt8? = nil) { self.skipBadRows = skipBadRows; self.delimiter = delimiter }
    }

    /// Columns and their types, inferred from the first rows.
    public static func schema(of source: CheckedSource, options: Options = Options()) throws -> DataSchema {
        let file = try MappedFile(path: source.path)
        let samples = try sample(file, format: source.format, delimiter: options.delimiter ?? source.delimiter)
        return DataSchema(path: source.path, columns: samples.map { ($0.name, inferType($0.values)) }, eventCounts: nil)
    }

    /// Column names with up to `sampleRows` raw values each, in file order of first appearance.
    static func sample(_ file: MappedFile, format: String, delimiter: UInt8, limit: Int = sampleRows) throws -> [(name: String, values: [String])] {
        if format == "jsonl" {
            var names: [String] = []
            var values: [String: [String]] = [:]
            var pos = 0, rows = 0
            var error: Diagnostic? = nil
            while pos < file.count && rows < limit {
                var k = pos
                while k < file.count && (file.base[k] == 32 || file.base[k] == 13 || file.base[k] == 9) { k += 1 }
                if k < file.count && file.base[k] == 10 { pos = k + 1; continue }
                if k >= file.count { break }
                pos = JSONLReader.scanLine(file, from: pos, error: &error) { key, p, n, _, _ in
                    let name = String(decoding: key, as: UTF8.self)
                    if values[name] == nil { names.append(name); values[name] = [] }
                    values[name, default: []].append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
                }
                if let e = error { throw DiagnosticsError([e]) }
                rows += 1
            }
            return names.map { ($0, values[$0] ?? []) }
        }
        let csv = try CSVReader(file: file, delimiter: delimiter)
        var values = Array(repeating: [String](), count: csv.header.count)
        var pos = csv.dataStart, rows = 0
        var error: Diagnostic? = nil
        while pos < file.count && rows < limit {
            if file.base[pos] == 10 || file.base[pos] == 13 { pos += 1; continue }
            pos = CSVReader.scanRecord(file, from: pos, delimiter: delimiter, error: &error) { col, p, n, _, _ in
                if col < values.count { values[col].append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)) }
            }
            if let e = error { throw DiagnosticsError([e]) }
            rows += 1
        }
        if rows == 0 {
            throw DiagnosticsError([Diagnostic(.error, "E406", "the CSV file has a header but no rows", at: .file(path: file.path),
                                               help: "add event rows below the header")])
        }
        return csv.header.enumerated().map { ($1, values[$0]) }
    }

    /// number if every non-empty value is a number; bool for true/false; time for dates; else string.
    static func inferType(_ values: [String]) -> ValueType {
        let present = values.filter { !$0.isEmpty && $0 != "null" }
        if present.isEmpty { return .unknown }
        var bytes: [UInt8] = []
        func all(_ test: (UnsafePointer<UInt8>, Int) -> Bool) -> Bool {
            present.allSatisfy { v in
                bytes = Array(v.utf8) + [0]
                return bytes.withUnsafeBufferPointer { test($0.baseAddress.unsafelyUnwrapped, $0.count - 1) }
            }
        }
        if all({ parseNumber($0, $1) != nil }) { return .number }
        if present.allSatisfy({ ["true", "false"].contains($0.lowercased()) }) { return .bool }
        var ts = TimestampParser(timezone: nil)
        if present.allSatisfy({ $0.count >= 10 && $0.contains("-") }) && all({ ts.parse($0, $1) != nil }) { return .time }
        return .string
    }

    /// Reads the whole file: the user, time and event columns plus `properties`.
    public static func load(_ source: CheckedSource, properties: [String], schema: DataSchema,
                            options: Options = Options()) throws -> EventStore {
        let file = try MappedFile(path: source.path)
        let types = properties.map { schema.type(of: $0) ?? .string }
        let extraction = Extraction(propertyNames: properties, propertyTypes: types)
        let delimiter = options.delimiter ?? source.delimiter
        let roleColumns = [source.userColumn, source.timeColumn, source.eventColumn] + properties

        // Where each chunk starts: split at line breaks.
        var dataStart = 0
        var csv: CSVReader? = nil
        if source.format == "csv" {
            let r = try CSVReader(file: file, delimiter: delimiter)
            csv = r
            dataStart = r.dataStart
        }
        let size = file.count - dataStart
        let chunks = max(1, min(options.threads * 4, size / (4 << 20)))
        var starts = [dataStart]
        for k in 1..<max(chunks, 1) {
            var p = dataStart + size / chunks * k
            while p < file.count && file.base[p - 1] != 10 { p += 1 }
            if p > starts[starts.count - 1] && p < file.count { starts.append(p) }
        }
        let ends = Array(starts.dropFirst()) + [file.count]
        let expected = max(1024, size / max(1, starts.count) / 64)

        func parseChunk(_ k: Int, from: Int, to: Int) -> (ChunkBuilder, Int) {
            let builder = ChunkBuilder(file: file, extraction: extraction, timezone: source.timezone,
                                       skipBadRows: options.skipBadRows, expectedRows: expected)
            let stop: Int
            if let csv = csv {
                var roles = [Int](repeating: -1, count: csv.header.count)
                for (r, name) in roleColumns.enumerated() {
                    if let i = csv.header.firstIndex(of: name), roles[i] < 0 { roles[i] = r }
                }
                stop = csv.parse(from: from, to: to, roles: roles, builder: builder)
            } else {
                stop = JSONLReader(file: file).parse(from: from, to: to, keys: roleColumns.map { Array($0.utf8) }, builder: builder)
            }
            return (builder, stop)
        }

        var results = [(ChunkBuilder, Int)?](repeating: nil, count: starts.count)
        let lock = NSLockLike()
        DispatchQueue.concurrentPerform(iterations: starts.count) { k in
            let r = parseChunk(k, from: starts[k], to: ends[k])
            lock.locked { results[k] = r }
        }
        var built = results.compactMap { $0 }
        // A CSV split can land inside a quoted field with a line break; then each chunk's
        // last record does not end where the next chunk starts. Parse sequentially instead.
        let consistent = zip(built.dropLast(), starts.dropFirst()).allSatisfy { $0.0.1 == $0.1 }
        if !consistent || built.count != starts.count {
            built = [parseChunk(0, from: dataStart, to: file.count)]
        }
        for (b, _) in built { if let e = b.error { throw DiagnosticsError([e]) } }
        let store = merge(built.map(\.0), file: file, source: source, properties: properties, types: types, schema: schema)
        if store.count == 0 {
            let why = store.skipped.total > 0 ? "every row was skipped as bad: \(store.skipped.summary)" : "the file has no event rows"
            throw DiagnosticsError([Diagnostic(.error, "E406", why, at: .file(path: file.path))])
        }
        return store
    }

    /// Merges chunk-local dictionaries into global ones and concatenates the columns.
    static func merge(_ chunks: [ChunkBuilder], file: MappedFile, source: CheckedSource, properties: [String],
                      types: [ValueType], schema: DataSchema) -> EventStore {
        func remapTables(_ dicts: [ByteDictionary], into global: inout ByteDictionary) -> [[UInt32]] {
            dicts.map { d in
                (0..<d.count).map { code in
                    let bytes = Array(d.bytes(of: code)) + [0]
                    var isNew = false
                    return bytes.withUnsafeBufferPointer { global.code($0.baseAddress.unsafelyUnwrapped, $0.count - 1, isNew: &isNew) }
                }
            }
        }
        let total = chunks.reduce(0) { $0 + $1.rowCount }
        var offsets = [0]
        for c in chunks { offsets.append(offsets[offsets.count - 1] + c.rowCount) }
        var users = ByteDictionary(capacity: chunks.reduce(0) { $0 + $1.users.count })
        let userMaps = remapTables(chunks.map(\.users), into: &users)
        var events = ByteDictionary()
        let eventMaps = remapTables(chunks.map(\.events), into: &events)

        var actor = [UInt32](repeating: 0, count: total)
        var time = [Int64](repeating: 0, count: total)
        var event = [UInt32](repeating: 0, count: total)
        actor.withUnsafeMutableBufferPointer { a in
            time.withUnsafeMutableBufferPointer { t in
                event.withUnsafeMutableBufferPointer { e in
                    let ap = a.baseAddress, tp = t.baseAddress, ep = e.baseAddress
                    DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
                        guard let ap = ap, let tp = tp, let ep = ep else { return }
                        let c = chunks[k], o = offsets[k]
                        let um = userMaps[k], em = eventMaps[k]
                        for i in 0..<c.rowCount {
                            ap[o + i] = um[Int(c.actor[i])]
                            tp[o + i] = c.time[i]
                            ep[o + i] = em[Int(c.event[i])]
                        }
                    }
                }
            }
        }
        var columns: [String: ColumnData] = [:]
        for (k, name) in properties.enumerated() {
            guard let slot = chunks.first?.slots[k] else { break }
            switch slot.kind {
            case 0:
                var dict = ByteDictionary()
                let maps = remapTables(chunks.map { $0.stringDicts[slot.index] }, into: &dict)
                var codes = [UInt32](); codes.reserveCapacity(total)
                for (ci, c) in chunks.enumerated() {
                    let m = maps[ci]
                    for x in c.stringCodes[slot.index] { codes.append(x == missingCode ? missingCode : m[Int(x)]) }
                }
                columns[name] = .strings(codes: codes, dictionary: dict.strings)
            case 1: columns[name] = .numbers(chunks.flatMap { $0.numbers[slot.index] })
            case 2: columns[name] = .bools(chunks.flatMap { $0.bools[slot.index] })
            default: columns[name] = .times(chunks.flatMap { $0.times[slot.index] })
            }
        }
        var skipped = SkipReport()
        for c in chunks { skipped.merge(c.skipped) }
        _ = types
        return EventStore(path: file.path, actor: actor, actorNames: users, time: time, event: event,
                          eventNames: events.strings, properties: columns, schema: schema, skipped: skipped)
    }
}

/// A tiny mutex for collecting results from concurrent workers.
final class NSLockLike: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func locked<T>(_ f: () -> T) -> T { pthread_mutex_lock(&m); defer { pthread_mutex_unlock(&m) }; return f() }
}

public enum System {
    public static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
