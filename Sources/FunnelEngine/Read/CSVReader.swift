import FunnelDiagnostics
import FunnelCore

/// RFC 4180 CSV over a memory-mapped file: quoted fields with "" escapes and line
/// breaks, LF or CRLF endings, a UTF-8 byte-order mark, any one-byte delimiter.
struct CSVReader {
    let file: MappedFile
    let delimiter: UInt8
    /// Column names of the header, and where the first data row starts.
    let header: [String]
    let dataStart: Int

    init(file: MappedFile, delimiter: UInt8) throws {
        self.file = file
        self.delimiter = delimiter
        let start = file.byteOrderMarkLength
        var names: [String] = []
        var error: Diagnostic? = nil
        let end = CSVReader.scanRecord(file, from: start, delimiter: delimiter, error: &error) { _, p, n, _, _ in
            names.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        }
        if let e = error { throw DiagnosticsError([e]) }
        self.header = names
        self.dataStart = end
        if names.count == 1 && names[0].isEmpty {
            throw DiagnosticsError([Diagnostic(.error, .noRows, "the CSV file has no header", at: .data(path: file.path, line: 1, column: 1, lineText: ""),
                                               help: "the first line names the columns: user_id,event_time,event_type")])
        }
        var seen = Set<String>()
        for n in names where !seen.insert(n).inserted {
            throw DiagnosticsError([file.diagnostic(.fieldLayout, "column '\(n)' appears twice in the header", at: start,
                                                    help: "give every column its own name")])
        }
        // A one-column header split by another delimiter is the checker's to report (E218), at the source.
    }

    /// Scans one record starting at `pos`, calling `field(column, pointer, length, offset, transient)`
    /// for each field, and returns where the next record starts. A transient pointer (an
    /// unescaped copy of a field with "" inside) is valid only during the call.
    @inline(__always)
    static func scanRecord(_ file: MappedFile, from pos0: Int, delimiter: UInt8,
                           error: inout Diagnostic?, field: (Int, UnsafePointer<UInt8>, Int, Int, Bool) -> Void) -> Int {
        let b = file.base, n = file.count
        var pos = pos0
        var col = 0
        while true {
            if pos < n && b[pos] == 34 {
                // Quoted field.
                let open = pos
                pos += 1
                let fs = pos
                var escaped = false
                var closed = false
                while pos < n {
                    if b[pos] == 34 {
                        if pos + 1 < n && b[pos + 1] == 34 { escaped = true; pos += 2; continue }
                        closed = true
                        break
                    }
                    pos += 1
                }
                if !closed {
                    error = file.diagnostic(.malformedRecord, "unterminated quoted field", at: open,
                                            help: "close the field with '\"'; a quote inside a field is written twice (\"\")")
                    return n
                }
                let fe = pos
                pos += 1
                if pos < n && b[pos] != delimiter && b[pos] != 10 && b[pos] != 13 {
                    error = file.diagnostic(.malformedRecord, "unexpected character after a closing quote", at: pos,
                                            help: "a quote inside a quoted field is written twice (\"\")")
                    return n
                }
                if escaped {
                    var copy: [UInt8] = []
                    copy.reserveCapacity(fe - fs + 1)
                    var i = fs
                    while i < fe { copy.append(b[i]); i += (b[i] == 34 ? 2 : 1) }
                    copy.append(0)
                    copy.withUnsafeBufferPointer { field(col, $0.baseAddress.unsafelyUnwrapped, $0.count - 1, fs, true) }
                } else {
                    field(col, b + fs, fe - fs, fs, false)
                }
            } else {
                let fs = pos
                while pos < n {
                    let c = b[pos]
                    if c == delimiter || c == 10 || c == 13 { break }
                    pos += 1
                }
                field(col, b + fs, pos - fs, fs, false)
            }
            col += 1
            if pos >= n { return n }
            let c = b[pos]
            if c == delimiter { pos += 1; continue }
            if c == 13 { pos += 1; if pos < n && b[pos] == 10 { pos += 1 }; return pos }
            pos += 1   // '\n'
            return pos
        }
    }

    /// Index of the next delimiter, CR, LF or quote at or after `pos` (or `n`), eight bytes
    /// at a time: the lowest flagged byte of the SWAR masks is always a true match.
    @inline(__always)
    static func nextSpecial(_ b: UnsafePointer<UInt8>, _ pos: Int, _ n: Int, _ delimiter: UInt8) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let dl = ones &* UInt64(delimiter), lf = ones &* 10, cr = ones &* 13, qt = ones &* 34
        var i = pos
        let raw = UnsafeRawPointer(b)
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            var m: UInt64 = 0
            var x = v ^ dl; m |= (x &- ones) & ~x
            x = v ^ lf; m |= (x &- ones) & ~x
            x = v ^ cr; m |= (x &- ones) & ~x
            x = v ^ qt; m |= (x &- ones) & ~x
            m &= highs
            if m != 0 { return i + m.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            let c = b[i]
            if c == delimiter || c == 10 || c == 13 || c == 34 { return i }
            i += 1
        }
        return n
    }

    /// Parses the records that start in [from, to) into `builder`; returns where the
    /// last of them ends (a record boundary at or after `to`). Rows without quotes take a
    /// fast path; a row with a quote is re-read by the general record scanner.
    func parse(from: Int, to: Int, roles: [Int], builder: ChunkBuilder) -> Int {
        let ncols = header.count
        let nroles = 3 + builder.slots.count
        let roleOf = UnsafeMutablePointer<Int>.allocate(capacity: ncols)
        for i in 0..<ncols { roleOf[i] = roles[i] }
        let fields = RowFields(roles: nroles)
        defer { roleOf.deallocate() }
        var error: Diagnostic? = nil
        var pos = from
        let b = file.base, n = file.count
        let delim = delimiter
        while pos < to && builder.error == nil {
            let rowStart = pos
            let first = b[pos]
            // A blank line is not a row.
            if first == 10 { pos += 1; continue }
            if first == 13 { pos += 1; if pos < n && b[pos] == 10 { pos += 1 }; continue }
            fields.reset(at: rowStart)
            var columns = 0
            var quoted = false
            while true {
                let fs = pos
                pos = CSVReader.nextSpecial(b, pos, n, delim)
                if pos < n && b[pos] == 34 { quoted = true; break }
                if columns < ncols {
                    let r = roleOf[columns]
                    if r >= 0 { fields.set(r, b + fs, pos - fs, fs, transient: false) }
                }
                columns += 1
                if pos >= n { break }
                let c = b[pos]
                pos += 1
                if c == delim { continue }
                if c == 13 && pos < n && b[pos] == 10 { pos += 1 }
                break
            }
            if quoted {
                // General path for this row: quotes, "" escapes, line breaks inside fields.
                fields.reset(at: rowStart)
                columns = 0
                pos = CSVReader.scanRecord(file, from: rowStart, delimiter: delim, error: &error) { col, p, len, off, transient in
                    columns = col + 1
                    guard col < ncols else { return }
                    let r = roleOf[col]
                    if r >= 0 { fields.set(r, p, len, off, transient: transient) }
                }
                if let e = error { builder.error = e; return n }
            }
            if columns != ncols {
                let reason = columns < ncols ? "row with too few fields" : "row with too many fields"
                if !builder.bad(reason, .fieldLayout, "expected \(ncols) fields, found \(columns)", at: rowStart,
                                help: "every row needs one field per header column; use --skip-bad-rows to skip ragged rows") {
                    return n
                }
                continue
            }
            if !builder.addRow(fields) { return n }
        }
        return pos
    }
}
