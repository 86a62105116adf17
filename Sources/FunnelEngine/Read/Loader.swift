import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import FunnelDiagnostics
import FunnelCore

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
        /// Bytes per parallel chunk (tests use tiny chunks to cross many boundaries).
        public var chunkBytes = 16 << 20
        /// Asked between chunks: true stops the load with E409 (Ctrl-C in the REPL).
        public var cancelled: @Sendable () -> Bool = { Cancellation.requested }
        /// Loading stops with E414 when the process's resident memory passes this (`--max-memory`):
        /// a clear error before the machine starts to swap. Default: 80% of physical memory.
        public var maxResidentBytes = System.physicalBytes / 10 * 8
        /// Told after each chunk: the file, bytes read so far, its size, rows read so far (a progress line).
        public var progress: (@Sendable (_ path: String, _ bytes: Int, _ total: Int, _ rows: Int) -> Void)? = nil
        public init(skipBadRows: Bool = false, delimiter: UInt8? = nil) { self.skipBadRows = skipBadRows; self.delimiter = delimiter }
    }

    /// Columns and their types, inferred from the first rows, and the event names in those rows.
    public static func schema(of source: SourceSpec, options: Options = Options()) throws -> DataSchema {
        try schema(of: source, in: MappedFile(path: source.path), options: options)
    }

    /// The same, for a file already mapped (the driver maps each file once per run).
    public static func schema(of source: SourceSpec, in file: MappedFile, options: Options = Options()) throws -> DataSchema {
        let samples = try whole(file) { try sample(file, format: source.format, delimiter: options.delimiter ?? source.delimiter, skipBad: options.skipBadRows) }
        let sampledEvents = samples.first { $0.name == source.eventColumn }?.values.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        let typed = typedColumns(samples, declared: source.declaredTypes, addMissingDeclared: source.format == "jsonl")
        var schema = DataSchema(path: source.path, columns: typed.columns, eventCounts: sampledEvents)
        schema.looselyTyped = typed.loose
        for (name, values) in samples where schema.type(of: name) == .string {
            let present = values.filter { !$0.isEmpty }
            let distinct = Set(present).count
            if distinct > 200 && distinct * 4 > present.count { schema.identifierLike.insert(name) }
        }
        return schema
    }

    /// Column names with raw sampled values and their inferred types, for `funnel init`'s guesses.
    public static func sampleColumns(path: String, format: String, delimiter: UInt8, limit: Int = 2000) throws -> [(name: String, values: [String], type: ValueType)] {
        try sample(MappedFile(path: path), format: format, delimiter: delimiter, limit: limit).map { ($0.name, $0.values, inferType($0.values)) }
    }

    /// The type `schema` gives a column with these sampled values.
    public static func inferredType(_ values: [String]) -> ValueType { inferType(values) }

    /// Column names with up to `sampleRows` raw values each, in file order of first appearance.
    static func sample(_ file: MappedFile, format: String, delimiter: UInt8, limit: Int = sampleRows, skipBad: Bool = false) throws -> [(name: String, values: [String])] {
        if format == "jsonl" {
            var names: [String] = []
            var values: [String: [String]] = [:]
            var pos = file.byteOrderMarkLength, rows = 0
            var error: Diagnostic? = nil
            while pos < file.count && rows < limit {
                var k = pos
                while k < file.count && (file.base[k] == 32 || file.base[k] == 13 || file.base[k] == 9) { k += 1 }
                if k < file.count && file.base[k] == 10 { pos = k + 1; continue }
                if k >= file.count { break }
                var fields: [(String, String)] = []
                let lineStart = pos
                pos = JSONLReader.scanLine(file, from: pos, error: &error) { key, p, n, _, _ in
                    fields.append((String(decoding: key, as: UTF8.self), String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)))
                }
                if let e = error {
                    // A bad line is the loader's to count when bad rows are skipped.
                    guard skipBad else { throw DiagnosticsError([e]) }
                    error = nil
                    var next = lineStart
                    while next < file.count && file.base[next] != 10 { next += 1 }
                    pos = next + 1
                    continue
                }
                for (name, value) in fields {
                    if values[name] == nil { names.append(name); values[name] = [] }
                    values[name, default: []].append(value)
                }
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
            throw DiagnosticsError([Diagnostic(.error, .noRows, "the CSV file has a header but no rows", at: .file(path: file.path),
                                               help: "add event rows below the header")])
        }
        return csv.header.enumerated().map { ($1, values[$0]) }
    }

    /// Types `columns`, empty in every sampled row, from their first present values anywhere in
    /// the file (up to `sampleRows` each): otherwise a condition on such a column would compare
    /// text with a number and silently match nothing. Costs one scan of the file, only when a
    /// funnel uses such a column.
    public static func typeColumnsEmptyInSample(_ columns: [String], of source: SourceSpec, in file: MappedFile,
                                                options: Options = Options()) throws -> [String: ValueType] {
        let wanted = Set(columns)
        var values: [String: [String]] = [:]
        var full = 0
        func take(_ name: String, _ p: UnsafePointer<UInt8>, _ n: Int) {
            guard n > 0, wanted.contains(name) else { return }
            let count = values[name]?.count ?? 0
            guard count < sampleRows else { return }
            values[name, default: []].append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
            if count + 1 == sampleRows { full += 1 }
        }
        var error: Diagnostic? = nil
        try whole(file) {
            if source.format == "jsonl" {
                var pos = file.byteOrderMarkLength
                while pos < file.count && full < wanted.count {
                    pos = JSONLReader.scanLine(file, from: pos, error: &error) { key, p, n, _, _ in take(String(decoding: key, as: UTF8.self), p, n) }
                    if error != nil {   // bad lines are the loader's to report or count
                        error = nil
                        while pos < file.count && file.base[pos] != 10 { pos += 1 }
                        pos += 1
                    }
                }
                return
            }
            let csv = try CSVReader(file: file, delimiter: options.delimiter ?? source.delimiter)
            let names = csv.header
            var pos = csv.dataStart
            while pos < file.count && full < wanted.count {
                if file.base[pos] == 10 || file.base[pos] == 13 { pos += 1; continue }
                pos = CSVReader.scanRecord(file, from: pos, delimiter: options.delimiter ?? source.delimiter, error: &error) { col, p, n, _, _ in
                    if col < names.count { take(names[col], p, n) }
                }
                if error != nil { break }   // the loader reports it, located
            }
        }
        return values.mapValues { inferType($0) }
    }

    /// number when the present values read as numbers; bool for true/false; time for dates; else string.
    /// From 20 present values on, up to one in twenty may disagree (`n/a`, `50%` in a price column):
    /// the column keeps its type and those values are errors at their line when it is loaded,
    /// instead of a text column that makes `price > 10` an error blamed on the `.funnel` file.
    static func inferType(_ values: [String]) -> ValueType { inference(values).type }

    /// The type, and whether some present values do not fit it.
    static func inference(_ values: [String]) -> (type: ValueType, loose: Bool) {
        let present = values.filter { !$0.isEmpty && $0 != "null" }
        if present.isEmpty { return (.unknown, false) }
        let tolerated = present.count >= 20 ? present.count / 20 : 0
        func misfits(_ fits: (String) -> Bool) -> Int? {
            var misses = 0
            for v in present where !fits(v) {
                misses += 1
                if misses > tolerated { return nil }
            }
            return misses
        }
        // Whole numbers beyond 2^53 (19-digit ids) would lose digits as numbers: they stay exact text.
        if present.contains(where: isIntegerBeyondDoubles) { return (.string, false) }
        if let number = valueCheck(.number), let m = misfits(number) { return (.number, m > 0) }
        if present.allSatisfy({ ["true", "false"].contains($0.lowercased()) }) { return (.bool, false) }
        // A time looks like a date (so plain numbers stay numbers).
        if let time = valueCheck(.time), let m = misfits({ v in v.count >= 10 && v.contains("-") && time(v) }) {
            return (.time, m > 0)
        }
        return (.string, false)
    }

    /// An integer written with digits whose size is 2^53 (9,007,199,254,740,992) or more: a number
    /// would round it, so two different ids could compare equal.
    static func isIntegerBeyondDoubles(_ s: String) -> Bool {
        var digits = Substring(s)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        digits = digits.drop { $0 == "0" }
        guard digits.count >= 16, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return digits.count > 16 || digits >= "9007199254740992"
    }

    /// Whether a text reads as a value of `type`; nil for types every text fits.
    static func valueCheck(_ type: ValueType) -> ((String) -> Bool)? {
        switch type {
        case .number: return { s in withTerminatedBytes(Array(s.utf8)) { parseNumber($0, $1) } != nil }
        case .bool: return { s in withTerminatedBytes(Array(s.utf8)) { parseBool($0, $1) } != nil }
        case .time:
            var ts = TimestampParser(timezone: nil)
            return { s in withTerminatedBytes(Array(s.utf8)) { ts.parse($0, $1) } != nil }
        default: return nil
        }
    }

    /// Columns with their types: declared in the source block, else inferred from `samples`.
    /// Declared columns that the rows never showed are added (a JSON Lines key may first appear late).
    static func typedColumns(_ samples: [(name: String, values: [String])], declared: [String: ValueType],
                             addMissingDeclared: Bool) -> (columns: [(name: String, type: ValueType)], loose: Set<String>) {
        var columns: [(name: String, type: ValueType)] = []
        var loose = Set<String>()
        for (name, values) in samples {
            if let t = declared[name] { columns.append((name, t)); continue }
            let (t, isLoose) = inference(values)
            columns.append((name, t))
            if isLoose { loose.insert(name) }
        }
        if addMissingDeclared {
            let seen = Set(samples.map(\.name))
            for (name, t) in declared.sorted(by: { $0.key < $1.key }) where !seen.contains(name) { columns.append((name, t)) }
        }
        return (columns, loose)
    }

    /// Reads the whole file: the user, time and event columns plus `properties`.
    /// Workers (one per core) take chunks of about 16 MiB in turn, each into its own
    /// builder; the chunks' rows are put back in file order when the builders are merged.
    public static func load(_ source: SourceSpec, properties: [String], schema: DataSchema,
                            options: Options = Options()) throws -> EventStore {
        try load(source, from: MappedFile(path: source.path), properties: properties, schema: schema, options: options)
    }

    /// The same, from a file already mapped.
    public static func load(_ source: SourceSpec, from file: MappedFile, properties: [String], schema: DataSchema,
                            options: Options = Options()) throws -> EventStore {
        let types = properties.map { schema.type(of: $0) ?? .string }
        let extraction = Extraction(propertyNames: properties, propertyTypes: types)
        let delimiter = options.delimiter ?? source.delimiter
        let roleColumns = [source.userColumn, source.timeColumn, source.eventColumn] + properties

        var dataStart = file.byteOrderMarkLength   // skipped in JSON Lines as in CSV
        var csv: CSVReader? = nil
        var roles: [Int] = []
        if source.format == "csv" {
            let r = try CSVReader(file: file, delimiter: delimiter)
            csv = r
            dataStart = r.dataStart
            roles = [Int](repeating: -1, count: r.header.count)
            for (role, name) in roleColumns.enumerated() {
                if let i = r.header.firstIndex(of: name), roles[i] < 0 { roles[i] = role }
            }
        }
        // Chunks split at line breaks.
        let size = file.count - dataStart
        let chunkBytes = max(64, options.chunkBytes)
        var starts = [dataStart]
        var p = dataStart + chunkBytes
        while p < file.count {
            while p < file.count && file.base[p - 1] != 10 { p += 1 }
            if p < file.count { starts.append(p) }
            p += chunkBytes
        }
        let ends = Array(starts.dropFirst()) + [file.count]
        let workers = max(1, min(options.threads, starts.count))
        let expected = max(1024, size / 100 / workers)

        func newBuilder() -> ChunkBuilder {
            ChunkBuilder(file: file, extraction: extraction, timezone: source.timezone, timeFormat: source.timeFormat,
                         skipBadRows: options.skipBadRows, expectedRows: expected)
        }
        func parse(_ builder: ChunkBuilder, from: Int, to: Int) -> Int {
            if let csv = csv { return csv.parse(from: from, to: to, roles: roles, builder: builder) }
            return JSONLReader(file: file).parse(from: from, to: to, keys: roleColumns.map { Array($0.utf8) }, builder: builder)
        }

        // Segment k: which builder holds chunk k's rows, where they are, and where the chunk stopped.
        var segments = [(worker: Int, lo: Int, hi: Int, stop: Int)](repeating: (0, 0, 0, 0), count: starts.count)
        let builders = (0..<workers).map { _ in newBuilder() }
        let lock = NSLockLike()
        var next = 0
        let overLimit = Flag()
        var overLimitAt = 0
        var bytesDone = 0, rowsDone = 0
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let builder = builders[w]
            while builder.error == nil && !options.cancelled() && !overLimit.value {
                let k: Int = lock.locked { defer { next += 1 }; return next }
                if k >= starts.count { break }
                if System.residentBytes > options.maxResidentBytes {
                    lock.locked { overLimit.value = true; overLimitAt = starts[k] }
                    break
                }
                let lo = builder.rowCount
                let stop = parse(builder, from: starts[k], to: ends[k])
                let hi = builder.rowCount
                let (bytes, rows): (Int, Int) = lock.locked {
                    segments[k] = (w, lo, hi, stop)
                    bytesDone += ends[k] - starts[k]; rowsDone += hi - lo
                    return (bytesDone, rowsDone)
                }
                options.progress?(file.path, bytes, size, rows)
                file.release(from: starts[k], to: ends[k])
            }
        }
        if options.cancelled() { throw DiagnosticsError([Diagnostic(.error, .cancelled, "loading was cancelled", at: .file(path: file.path))]) }
        try file.checkUnchanged()
        if overLimit.value { throw memoryLimit(options.maxResidentBytes, path: file.path, readShare: Double(overLimitAt - dataStart) / Double(max(1, size))) }
        var merged: [ChunkBuilder] = builders
        var order = segments
        // A split inside a quoted field with a line break leaves a chunk ending elsewhere than
        // where the next one starts: then read the file again in one piece.
        let consistent = zip(segments.dropLast(), starts.dropFirst()).allSatisfy { $0.0.stop == $0.1 }
        if !consistent && builders.allSatisfy({ $0.error == nil }) {
            let one = newBuilder()
            let stop = parse(one, from: dataStart, to: file.count)
            merged = [one]
            order = [(0, 0, one.rowCount, stop)]
            try file.checkUnchanged()
        }
        for b in merged { if let e = b.error { throw DiagnosticsError([e]) } }
        try checkRowLimit(merged.reduce(0) { $0 + $1.rowCount }, path: file.path)
        let store = merge(merged, segments: order, file: file, properties: properties, schema: schema)
        if System.residentBytes > options.maxResidentBytes { throw memoryLimit(options.maxResidentBytes, path: file.path, readShare: 1) }
        if store.count == 0 {
            let why = store.skipped.total > 0 ? "every row was skipped as bad: \(store.skipped.summary)" : "the file has no event rows"
            throw DiagnosticsError([Diagnostic(.error, .noRows, why, at: .file(path: file.path))])
        }
        return store
    }

    /// Runs a read of `file`; if the file was truncated or rewritten meanwhile, E412 replaces
    /// whatever the read found (an error caused by the zeros of a truncated page included).
    static func whole<T>(_ file: MappedFile, _ read: () throws -> T) throws -> T {
        let result: T
        do { result = try read() } catch {
            try file.checkUnchanged()
            throw error
        }
        try file.checkUnchanged()
        return result
    }

    /// E414: the memory limit was reached, with how far the read got.
    static func memoryLimit(_ limit: Int, path: String, readShare: Double) -> DiagnosticsError {
        let used = System.residentBytes
        return DiagnosticsError([Diagnostic(.error, .memoryLimit,
            "reading stopped at \(Int(readShare * 100))% of the file: funnel uses \(formatBytes(used)), over the limit of \(formatBytes(limit))",
            at: .file(path: path),
            help: "raise the limit with --max-memory (for example --max-memory \(formatBytes(max(limit * 2, used * 2)).replacingOccurrences(of: " ", with: ""))), read fewer columns, or split the file (for example by month)")])
    }

    /// Rows are addressed with 32-bit indexes in the matcher's outcomes: more is a clear error, not a trap.
    static func checkRowLimit(_ rows: Int, path: String) throws {
        guard rows > Int(Int32.max) else { return }
        throw DiagnosticsError([Diagnostic(.error, .tooManyEvents, "the file has \(rows) events; at most \(Int32.max) per file are supported",
                                           at: .file(path: path), help: "split the export into several files (for example by month) and run each")])
    }

    /// Merges the builders' dictionaries into global ones and lays the rows out in file order.
    static func merge(_ builders: [ChunkBuilder], segments: [(worker: Int, lo: Int, hi: Int, stop: Int)], file: MappedFile,
                      properties: [String], schema: DataSchema) -> EventStore {
        func remap(_ dicts: [ByteDictionary], into global: inout ByteDictionary) -> [[UInt32]] {
            dicts.map { d in
                var map: [UInt32] = []
                map.reserveCapacity(d.count)
                d.forEachKey { p, n in
                    var isNew = false
                    map.append(global.code(p, n, isNew: &isNew))
                }
                return map
            }
        }
        var offsets = [0]
        for s in segments { offsets.append(offsets[offsets.count - 1] + (s.hi - s.lo)) }
        let total = offsets[offsets.count - 1]
        var users = ByteDictionary(capacity: builders.map(\.users.count).max() ?? 64)
        let userMaps = remap(builders.map(\.users), into: &users)
        var events = ByteDictionary()
        let eventMaps = remap(builders.map(\.events), into: &events)

        /// Copies every segment's rows of one column, in file order, in parallel.
        func gather<T>(_ zero: T, _ column: (ChunkBuilder) -> [T], _ convert: @escaping (Int, T) -> T) -> [T] {
            var out = [T](repeating: zero, count: total)
            let columns = builders.map(column)
            out.withUnsafeMutableBufferPointer { buf in
                guard let base = buf.baseAddress else { return }
                DispatchQueue.concurrentPerform(iterations: segments.count) { k in
                    let s = segments[k], o = offsets[k]
                    columns[s.worker].withUnsafeBufferPointer { src in
                        for i in s.lo..<s.hi { base[o + i - s.lo] = convert(s.worker, src[i]) }
                    }
                }
            }
            return out
        }
        // Each builder column is released as soon as it has been copied out, to keep the peak low.
        let actor = gather(UInt32(0), { $0.actor }) { w, x in userMaps[w][Int(x)] }
        for b in builders { b.actor = [] }
        let time = gather(Int64(0), { $0.time }) { _, x in x }
        for b in builders { b.time = [] }
        let event = gather(UInt32(0), { $0.event }) { w, x in eventMaps[w][Int(x)] }
        for b in builders { b.event = [] }
        var columns: [String: ColumnData] = [:]
        for (k, name) in properties.enumerated() {
            guard let slot = builders.first?.slots[k] else { break }
            switch slot.kind {
            case .string:
                var dict = ByteDictionary()
                let maps = remap(builders.map { $0.stringDicts[slot.index] }, into: &dict)
                let codes = gather(UInt32(0), { $0.stringCodes[slot.index] }) { w, x in x == missingCode ? missingCode : maps[w][Int(x)] }
                for b in builders { b.stringCodes[slot.index] = [] }
                columns[name] = .strings(codes: codes, dictionary: dict.strings)
            case .number: columns[name] = .numbers(gather(0.0, { $0.numbers[slot.index] }) { _, x in x })
            case .bool: columns[name] = .bools(gather(UInt8(0), { $0.bools[slot.index] }) { _, x in x })
            case .time: columns[name] = .times(gather(Int64(0), { $0.times[slot.index] }) { _, x in x })
            }
        }
        var skipped = SkipReport()
        for b in builders { skipped.merge(b.skipped) }
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
    public static var physicalBytes: Int { Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE))) }
    /// The process's resident memory, from /proc/self/statm (0 where it cannot be read).
    public static var residentBytes: Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// A flag shared by workers.
final class Flag: @unchecked Sendable { var value = false }

/// 1.5 GiB, 640 MiB: sizes for people.
public func formatBytes(_ n: Int) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var x = Double(n), u = 0
    while x >= 1024 && u < units.count - 1 { x /= 1024; u += 1 }
    if u == 0 { return "\(n) bytes" }
    if x >= 10 { return "\(Int(x.rounded())) \(units[u])" }
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(tenths % 10) \(units[u])"
}
