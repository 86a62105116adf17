import FunnelDiagnostics
import FunnelCore

/// The users profile table, joined to a store's actors by key.
public final class ProfileTable: @unchecked Sendable {
    public let path: String
    public let keyColumn: String
    /// Column name -> values, one per profile row.
    public let columns: [String: ColumnData]
    public let schema: DataSchema
    let rowOfKey: [String: Int]

    init(path: String, keyColumn: String, columns: [String: ColumnData], schema: DataSchema, rowOfKey: [String: Int]) {
        self.path = path; self.keyColumn = keyColumn; self.columns = columns; self.schema = schema; self.rowOfKey = rowOfKey
    }

    /// Profile row of every actor of a store (-1 when the user has no profile).
    public func rows(for store: EventStore) -> [Int32] {
        (0..<store.actorCount).map { Int32(rowOfKey[store.actorNames.string(of: $0)] ?? -1) }
    }

    /// Loads the whole table; it is small next to the events.
    public static func load(_ users: UsersSpec, columns wanted: [String], options: Loader.Options = Loader.Options()) throws -> ProfileTable {
        try load(users, from: MappedFile(path: users.path), columns: wanted)
    }

    /// The same, from a file already mapped (the driver maps each file once per run).
    public static func load(_ users: UsersSpec, from file: MappedFile, columns wanted: [String]) throws -> ProfileTable {
        let raw = try Loader.sample(file, format: users.format, delimiter: users.delimiter, limit: Int.max)
        guard let keyValues = raw.first(where: { $0.name == users.keyColumn })?.values else {
            throw DiagnosticsError([Diagnostic(.error, .missingColumn, "the users key column '\(users.keyColumn)' is not in \(users.path)", at: .file(path: users.path),
                                               help: DidYouMean.help(users.keyColumn, among: raw.map(\.name), kind: "columns"))])
        }
        var rowOfKey: [String: Int] = [:]
        for (i, k) in keyValues.enumerated() where rowOfKey[k] == nil { rowOfKey[k] = i }
        var cols: [String: ColumnData] = [:]
        var schemaCols: [(String, ValueType)] = []
        for (name, values) in raw {
            let t = Loader.inferType(Array(values.prefix(Loader.sampleRows)))
            schemaCols.append((name, t))
            guard wanted.contains(name) else { continue }
            cols[name] = ColumnData.from(strings: values, type: t)
        }
        return ProfileTable(path: users.path, keyColumn: users.keyColumn, columns: cols,
                            schema: DataSchema(path: users.path, columns: schemaCols, eventCounts: nil), rowOfKey: rowOfKey)
    }

    public static func schema(of users: UsersSpec, in file: MappedFile) throws -> DataSchema {
        let raw = try Loader.sample(file, format: users.format, delimiter: users.delimiter, limit: Loader.sampleRows)
        return DataSchema(path: users.path, columns: raw.map { ($0.name, Loader.inferType($0.values)) }, eventCounts: nil)
    }
}

extension ColumnData {
    /// Converts text values to a typed column; values that do not convert become missing.
    static func from(strings: [String], type: ValueType) -> ColumnData {
        func withBytes<T>(_ s: String, _ f: (UnsafePointer<UInt8>, Int) -> T?) -> T? { withTerminatedBytes(Array(s.utf8), f) }
        switch type {
        case .number: return .numbers(strings.map { $0.isEmpty ? .nan : (withBytes($0, parseNumber) ?? .nan) })
        case .bool: return .bools(strings.map { $0.isEmpty ? 2 : ((withBytes($0, parseBool) ?? false) ? 1 : 0) })
        case .time:
            var ts = TimestampParser(timezone: nil)
            return .times(strings.map { s in s.isEmpty ? missingTime : (withBytes(s) { ts.parse($0, $1) } ?? missingTime) })
        default:
            var dict: [String: UInt32] = [:]
            var names: [String] = []
            let codes = strings.map { s -> UInt32 in
                if s.isEmpty { return missingCode }
                if let c = dict[s] { return c }
                let c = UInt32(names.count); dict[s] = c; names.append(s); return c
            }
            return .strings(codes: codes, dictionary: names)
        }
    }
}
