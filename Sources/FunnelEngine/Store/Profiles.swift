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

    /// Skipped rows of the users table (`--skip-bad-rows`).
    public internal(set) var skipped = SkipReport()

    /// Loads the whole table; it is small next to the events.
    public static func load(_ users: UsersSpec, columns wanted: [String], options: Loader.Options = Loader.Options()) throws -> ProfileTable {
        try load(users, from: MappedFile(path: users.path), columns: wanted, options: options)
    }

    /// The same, from a file already mapped (the driver maps each file once per run). Every value
    /// of a typed column is checked: one that does not read as its type is an error at its line
    /// and column (or its row is skipped and counted).
    public static func load(_ users: UsersSpec, from file: MappedFile, columns wanted: [String],
                            options: Loader.Options = Loader.Options()) throws -> ProfileTable {
        let rows = try UsersReader.read(users, from: file, skipBadRows: options.skipBadRows)
        guard let keyColumn = rows.column(users.keyColumn) else { throw UsersReader.missingKeyColumn(users, columns: rows.names) }
        let schema = schema(of: users, rows: rows)
        var skipped = rows.skipped
        var keep = [Bool](repeating: true, count: rows.rowCount)
        let wantedSet = Set(wanted)
        for (c, name) in rows.names.enumerated() where wantedSet.contains(name) {
            guard let type = schema.type(of: name), let check = Loader.valueCheck(type) else { continue }
            for (i, text) in rows.values[c].enumerated() where keep[i] && !text.isEmpty && !check(text) {
                let offset = rows.offsets[c][i]
                guard options.skipBadRows else {
                    throw DiagnosticsError([file.diagnostic(.badValue, "'\(text.prefix(40))' in column '\(name)' of the users table is not a \(type)", at: offset,
                                                            help: "fix the value, declare the column's type in the users block (\(name): string), or use --skip-bad-rows")])
                }
                skipped.add("users value not a \(type)", place: "\(file.path):\(file.location(of: offset).line)")
                keep[i] = false
            }
        }
        func kept(_ values: [String]) -> [String] { zip(values, keep).compactMap { $1 ? $0 : nil } }
        var rowOfKey: [String: Int] = [:]
        for (i, k) in kept(rows.values[keyColumn]).enumerated() { rowOfKey[k] = i }
        var cols: [String: ColumnData] = [:]
        for (c, name) in rows.names.enumerated() where wantedSet.contains(name) {
            cols[name] = ColumnData.from(strings: kept(rows.values[c]), type: schema.type(of: name) ?? .string)
        }
        let table = ProfileTable(path: users.path, keyColumn: users.keyColumn, columns: cols, schema: schema, rowOfKey: rowOfKey)
        table.skipped = skipped
        return table
    }

    /// The columns and their types, from every row (a users table is read whole).
    public static func schema(of users: UsersSpec, in file: MappedFile, options: Loader.Options = Loader.Options()) throws -> DataSchema {
        schema(of: users, rows: try UsersReader.read(users, from: file, skipBadRows: options.skipBadRows))
    }

    static func schema(of users: UsersSpec, rows: UsersRows) -> DataSchema {
        let typed = Loader.typedColumns(Array(zip(rows.names, rows.values)).map { ($0, $1) }, declared: users.declaredTypes,
                                        addMissingDeclared: users.format == "jsonl")
        var schema = DataSchema(path: users.path, columns: typed.columns, eventCounts: nil)
        schema.looselyTyped = typed.loose
        return schema
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
