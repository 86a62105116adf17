/// What a data file looks like to the checker and the engines: its role mapping and its schema.

/// An event file: where it is, how to read it, and which columns play which role.
public struct SourceSpec: Sendable {
    public var name: String
    public var format: String
    /// The path resolved against the `.funnel` file's folder.
    public var path: String
    public var userColumn: String
    public var timeColumn: String
    public var eventColumn: String
    public var timezone: String?
    public var delimiter: UInt8
    /// Column types written in the source block (`price: number`); they replace the inferred ones.
    public var declaredTypes: [String: ValueType] = [:]
    /// `time = COLUMN format "…"`: how the time column is written, when not in a layout read by default.
    public var timeFormat: TimeFormat? = nil
    public init(name: String, format: String, path: String, userColumn: String, timeColumn: String,
                eventColumn: String, timezone: String?, delimiter: UInt8) {
        self.name = name; self.format = format; self.path = path; self.userColumn = userColumn
        self.timeColumn = timeColumn; self.eventColumn = eventColumn; self.timezone = timezone; self.delimiter = delimiter
    }
}

/// The users profile table: where it is and its key column.
public struct UsersSpec: Sendable {
    public var format: String
    public var path: String
    public var keyColumn: String
    public var delimiter: UInt8
    /// Column types written in the users block (`age: number`); they replace the inferred ones.
    public var declaredTypes: [String: ValueType] = [:]
    public init(format: String, path: String, keyColumn: String, delimiter: UInt8) {
        self.format = format; self.path = path; self.keyColumn = keyColumn; self.delimiter = delimiter
    }
}

/// What the checker knows of one data file: its columns and their types, and the
/// event names that occur in it (when the data was read).
public struct DataSchema: Sendable {
    public var path: String
    /// Columns in file order, with the type inferred from the data.
    public var columns: [(name: String, type: ValueType)] { didSet { indexColumns() } }
    /// Column name → its first position in `columns`: lookups stay constant-time on headers of 10^6 columns.
    private var positionOf: [String: Int] = [:]
    /// Event names with their counts: in the sampled rows, or in the whole file once it is loaded; nil when unknown.
    public var eventCounts: [String: Int]?
    /// String columns whose sampled values are mostly distinct (ids, sessions): costly to keep in memory.
    public var identifierLike: Set<String> = []
    /// Columns typed by most of their sampled values: the others (`n/a` in a number column) are
    /// errors at their line when the column is loaded, so the REPL loads these only on demand.
    public var looselyTyped: Set<String> = []
    /// The file could not be read (`funnel explain` without the data): every column name is
    /// accepted, with an unknown type, and `explain` prints the types as unchecked.
    public var unchecked = false
    public init(path: String, columns: [(name: String, type: ValueType)], eventCounts: [String: Int]?) {
        self.path = path; self.columns = columns; self.eventCounts = eventCounts
        indexColumns()
    }
    private mutating func indexColumns() {
        positionOf = [:]
        positionOf.reserveCapacity(columns.count)
        for (i, c) in columns.enumerated() where positionOf[c.name] == nil { positionOf[c.name] = i }
    }
    public func type(of column: String) -> ValueType? {
        if let i = positionOf[column] { return columns[i].type }
        return unchecked ? .unknown : nil
    }
    public var columnNames: [String] { columns.map(\.name) }
    /// Gives a column the type found for it beyond the sampled rows.
    public mutating func setType(_ type: ValueType, of column: String) {
        if let i = positionOf[column] { columns[i].type = type }
    }
}
