import FunnelDiagnostics
import FunnelCore

/// The users (profile) table as read: one entry per row in every column, so a short CSV row
/// or a JSON object without a property can never shift values onto another user.
struct UsersRows {
    var names: [String] = []
    /// Per column, the row's text ("" when absent) and its byte offset in the file (-1 when absent).
    var values: [[String]] = []
    var offsets: [[Int]] = []
    var rowCount = 0
    var skipped = SkipReport()

    func column(_ name: String) -> Int? { names.firstIndex(of: name) }
}

/// Reads a users table row by row and validates it as the events loader validates events:
/// ragged rows, rows without a key or with an empty one, a key seen before, bad UTF-8 and
/// NUL bytes are each an error at their line and column, or a counted skip with `--skip-bad-rows`.
struct UsersReader {
    let spec: UsersSpec
    let file: MappedFile
    let skipBadRows: Bool
    private var rows = UsersRows()
    private var columnOf: [String: Int] = [:]
    /// Key → where its row starts (the line is worked out only for a message).
    private var firstRowOfKey: [String: Int] = [:]

    init(spec: UsersSpec, file: MappedFile, skipBadRows: Bool) {
        self.spec = spec; self.file = file; self.skipBadRows = skipBadRows
    }

    static func read(_ spec: UsersSpec, from file: MappedFile, skipBadRows: Bool) throws -> UsersRows {
        var reader = UsersReader(spec: spec, file: file, skipBadRows: skipBadRows)
        return try Loader.whole(file) {
            if spec.format == "jsonl" { try reader.readJSONLines() } else { try reader.readCSV() }
            return reader.rows
        }
    }

    /// One field of the row being read.
    private typealias Field = (column: Int, text: String, offset: Int)

    private mutating func readCSV() throws {
        let csv = try CSVReader(file: file, delimiter: spec.delimiter)
        for name in csv.header { addColumn(name) }
        guard let keyColumn = columnOf[spec.keyColumn] else { throw UsersReader.missingKeyColumn(spec, columns: rows.names) }
        let ncols = csv.header.count
        var pos = csv.dataStart
        var error: Diagnostic? = nil
        while pos < file.count {
            if file.base[pos] == 10 || file.base[pos] == 13 { pos += 1; continue }
            let rowStart = pos
            var fields: [Field] = []
            var columns = 0
            var badText: Int? = nil
            pos = CSVReader.scanRecord(file, from: pos, delimiter: spec.delimiter, error: &error) { col, p, n, offset, _ in
                columns = col + 1
                if badText == nil && !isValidText(p, n) { badText = offset }
                if col < ncols { fields.append((col, String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self), offset)) }
            }
            if let e = error { throw DiagnosticsError([e]) }
            if columns != ncols {
                try bad(columns < ncols ? "users row with too few fields" : "users row with too many fields", .fieldLayout,
                        "expected \(ncols) fields, found \(columns)", at: rowStart,
                        help: "every row of the users table needs one field per header column; use --skip-bad-rows to skip ragged rows")
                continue
            }
            if let at = badText { try badTextField(at: at); continue }
            try add(fields, key: keyColumn, rowStart: rowStart)
        }
    }

    private mutating func readJSONLines() throws {
        var pos = file.byteOrderMarkLength
        var error: Diagnostic? = nil
        while pos < file.count {
            var k = pos
            while k < file.count && (file.base[k] == 32 || file.base[k] == 13 || file.base[k] == 9) { k += 1 }
            if k >= file.count { break }
            if file.base[k] == 10 { pos = k + 1; continue }
            let rowStart = pos
            var fields: [(name: String, text: String, offset: Int)] = []
            var badText: Int? = nil
            pos = JSONLReader.scanLine(file, from: pos, error: &error) { key, p, n, offset, _ in
                if badText == nil && !isValidText(p, n) { badText = offset }
                fields.append((String(decoding: key, as: UTF8.self), String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self), offset))
            }
            if let e = error {
                guard skipBadRows else { throw DiagnosticsError([e]) }
                error = nil
                skip("malformed users line", at: rowStart)
                var next = rowStart
                while next < file.count && file.base[next] != 10 { next += 1 }
                pos = next + 1
                continue
            }
            if let at = badText { try badTextField(at: at); continue }
            let placed: [Field] = fields.map { f in (columnOf[f.name] ?? addColumn(f.name), f.text, f.offset) }
            guard let keyColumn = columnOf[spec.keyColumn], placed.contains(where: { $0.column == keyColumn }) else {
                try bad("users row without a key", .emptyRoleField, "the row has no '\(spec.keyColumn)' (the users table's key)", at: rowStart,
                        help: "every user needs a key; use --skip-bad-rows to skip such rows")
                continue
            }
            try add(placed, key: keyColumn, rowStart: rowStart)
        }
        if columnOf[spec.keyColumn] == nil && rows.rowCount == 0 && rows.skipped.total == 0 { throw UsersReader.missingKeyColumn(spec, columns: rows.names) }
    }

    /// Appends a validated row: every column gets exactly one entry.
    private mutating func add(_ fields: [Field], key keyColumn: Int, rowStart: Int) throws {
        guard let keyField = fields.last(where: { $0.column == keyColumn }), !keyField.text.isEmpty else {
            try bad("users row with an empty key", .emptyRoleField, "the key '\(spec.keyColumn)' is empty", at: rowStart,
                    help: "every user needs a key; use --skip-bad-rows to skip such rows")
            return
        }
        if let first = firstRowOfKey[keyField.text] {
            try bad("duplicate users key", .duplicateKey,
                    "user '\(keyField.text)' appears twice in the users table (first on line \(file.location(of: first).line))",
                    at: keyField.offset, help: "keep one row per user; with --skip-bad-rows the first row is kept")
            return
        }
        firstRowOfKey[keyField.text] = rowStart
        for c in rows.names.indices { rows.values[c].append(""); rows.offsets[c].append(-1) }
        for f in fields {
            rows.values[f.column][rows.rowCount] = f.text
            rows.offsets[f.column][rows.rowCount] = f.offset
        }
        rows.rowCount += 1
    }

    @discardableResult
    private mutating func addColumn(_ name: String) -> Int {
        let c = rows.names.count
        columnOf[name] = c
        rows.names.append(name)
        rows.values.append([String](repeating: "", count: rows.rowCount))
        rows.offsets.append([Int](repeating: -1, count: rows.rowCount))
        return c
    }

    private mutating func badTextField(at offset: Int) throws {
        var k = offset
        while k < file.count && file.base[k] != 0 && file.base[k] != 10 { k += 1 }
        if k < file.count && file.base[k] == 0 {
            try bad("users field with a NUL byte", .malformedRecord, "the field contains a NUL byte (U+0000)", at: k,
                    help: "remove the NUL bytes from the file (or use --skip-bad-rows to skip such rows)")
        } else {
            try bad("users field not UTF-8", .notUTF8, "the field is not valid UTF-8 text", at: offset, help: "save the file as UTF-8")
        }
    }

    private mutating func bad(_ reason: String, _ code: DiagnosticCode, _ message: String, at offset: Int, help: String) throws {
        guard skipBadRows else { throw DiagnosticsError([file.diagnostic(code, message, at: offset, help: help)]) }
        skip(reason, at: offset)
    }

    /// Counts a skipped row; its line is worked out only for the first of each reason.
    private mutating func skip(_ reason: String, at offset: Int) {
        let place = rows.skipped.counts[reason] == nil ? "\(file.path):\(file.location(of: offset).line)" : ""
        rows.skipped.add(reason, place: place)
    }

    /// E205: the key column is not in the table.
    static func missingKeyColumn(_ spec: UsersSpec, columns: [String]) -> DiagnosticsError {
        DiagnosticsError([Diagnostic(.error, .missingColumn, "the users key column '\(spec.keyColumn)' is not in \(spec.path)", at: .file(path: spec.path),
                                     help: DidYouMean.help(spec.keyColumn, among: columns, kind: "columns"))])
    }
}
