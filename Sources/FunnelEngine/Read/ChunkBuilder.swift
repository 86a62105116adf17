import FunnelDiagnostics
import FunnelCore

/// Which fields a reader extracts: the three roles and the typed property columns.
struct Extraction {
    var propertyNames: [String]
    var propertyTypes: [ValueType]
}

/// One row's fields by role (0 user, 1 time, 2 event, 3+k property k): where their bytes
/// are in the file. Unescaped copies (CSV fields with "", JSON strings with escapes) live in
/// per-role buffers until the row has been added.
final class RowFields {
    let count: Int
    let ptrs: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    let lens: UnsafeMutablePointer<Int>
    let offs: UnsafeMutablePointer<Int>
    private var copies: [UnsafeMutablePointer<UInt8>]
    private var capacity: [Int]

    init(roles: Int) {
        count = roles
        ptrs = .allocate(capacity: roles)
        lens = .allocate(capacity: roles)
        offs = .allocate(capacity: roles)
        copies = (0..<roles).map { _ in .allocate(capacity: 256) }
        capacity = [Int](repeating: 256, count: roles)
    }

    deinit {
        ptrs.deallocate(); lens.deallocate(); offs.deallocate()
        for c in copies { c.deallocate() }
    }

    /// Every role absent, located at the row's start.
    @inline(__always) func reset(at offset: Int) {
        for r in 0..<count { ptrs[r] = nil; lens[r] = 0; offs[r] = offset }
    }

    /// Role `r` is at `p`; a transient pointer is copied, since it is only valid during the call.
    @inline(__always) func set(_ r: Int, _ p: UnsafePointer<UInt8>, _ len: Int, _ off: Int, transient: Bool) {
        if transient {
            if len + 1 > capacity[r] {
                copies[r].deallocate()
                copies[r] = .allocate(capacity: len + 1)
                capacity[r] = len + 1
            }
            copies[r].update(from: p, count: len)
            ptrs[r] = UnsafePointer(copies[r])
        } else {
            ptrs[r] = p
        }
        lens[r] = len
        offs[r] = off
    }
}

/// Accumulates the rows of one chunk of a file with chunk-local dictionaries;
/// `Loader` merges chunks afterwards. One per thread, so no locking.
final class ChunkBuilder {
    let file: MappedFile
    let skipBadRows: Bool
    var users = ByteDictionary(capacity: 1 << 14)
    var events = ByteDictionary()
    var actor: [UInt32] = []
    var time: [Int64] = []
    var event: [UInt32] = []
    /// How a property column is stored while it is read.
    enum PropertyKind { case string, number, bool, time }
    /// Per property: its kind and its index into the list of that kind.
    let slots: [(kind: PropertyKind, index: Int)]
    let names: [String]
    var stringCodes: [[UInt32]] = []
    var stringDicts: [ByteDictionary] = []
    var numbers: [[Double]] = []
    var bools: [[UInt8]] = []
    var times: [[Int64]] = []
    var timestamps: TimestampParser
    var skipped = SkipReport()
    var error: Diagnostic?

    init(file: MappedFile, extraction: Extraction, timezone: String?, timeFormat: TimeFormat? = nil, skipBadRows: Bool, expectedRows: Int) {
        self.file = file
        self.skipBadRows = skipBadRows
        self.timestamps = TimestampParser(timezone: timezone, format: timeFormat)
        self.names = extraction.propertyNames
        var slots: [(PropertyKind, Int)] = []
        for t in extraction.propertyTypes {
            switch t {
            case .number: slots.append((.number, numbers.count)); numbers.append([])
            case .bool: slots.append((.bool, bools.count)); bools.append([])
            case .time: slots.append((.time, times.count)); times.append([])
            case .string, .duration, .unknown: slots.append((.string, stringCodes.count)); stringCodes.append([]); stringDicts.append(ByteDictionary())
            }
        }
        self.slots = slots
        actor.reserveCapacity(expectedRows); time.reserveCapacity(expectedRows); event.reserveCapacity(expectedRows)
        for i in stringCodes.indices { stringCodes[i].reserveCapacity(expectedRows) }
        for i in numbers.indices { numbers[i].reserveCapacity(expectedRows) }
    }

    var rowCount: Int { time.count }

    /// Reports a bad row: skipped and counted, or the chunk's error. Returns false to stop.
    func bad(_ reason: String, _ code: DiagnosticCode, _ message: String, at offset: Int, help: String? = nil) -> Bool {
        if skipBadRows {
            skipped.add(reason, place: { let l = self.file.location(of: offset); return "\(self.file.path):\(l.line)" }())
            return true
        }
        error = file.diagnostic(code, message, at: offset, help: help)
        return false
    }

    /// Validates and converts the fields of one row, then appends it. Per role (0 user,
    /// 1 time, 2 event, 3+k property k): the field's bytes, length and offset in the file;
    /// a nil pointer means the field is absent. Returns false when the chunk must stop.
    @inline(__always)
    func addRow(_ fields: RowFields) -> Bool {
        func field(_ r: Int) -> (UnsafePointer<UInt8>?, Int, Int) { (fields.ptrs[r], fields.lens[r], fields.offs[r]) }
        let (up, ul, uo) = field(0)
        guard let up = up, ul > 0 else {
            return bad("missing user", .emptyRoleField, "the user field is empty", at: uo, help: "every event needs a user; use --skip-bad-rows to skip such rows")
        }
        let (tp, tl, to) = field(1)
        guard let tp = tp, tl > 0 else {
            return bad("missing time", .badTime, "the time field is empty", at: to, help: "use --skip-bad-rows to skip such rows")
        }
        guard let t = timestamps.parse(tp, tl) else {
            let text = String(decoding: UnsafeBufferPointer(start: tp, count: min(tl, 60)), as: UTF8.self)
            let help = timestamps.format.map { "the source reads times as \"\($0.text)\"; fix the format or the row, or use --skip-bad-rows" }
                ?? "use ISO 8601 (2024-01-31T08:00:00Z), 'YYYY-MM-DD HH:MM:SS[ UTC]', or epoch seconds/milliseconds; other layouts: time = COLUMN format \"%d/%m/%Y %H:%M\""
            return bad("bad timestamp", .badTime, "cannot read '\(text)' as a time", at: to, help: help)
        }
        let (ep, el, eo) = field(2)
        guard let ep = ep, el > 0 else {
            return bad("missing event", .emptyRoleField, "the event field is empty", at: eo, help: "use --skip-bad-rows to skip such rows")
        }
        // Properties are converted before anything is appended, so a bad row leaves no trace.
        var isNew = false
        let userCode = users.code(up, ul, isNew: &isNew)
        if isNew && !isValidText(up, ul) {
            return badText(up, ul, uo)
        }
        let eventCode = events.code(ep, el, isNew: &isNew)
        if isNew && !isValidText(ep, el) { return badText(ep, el, eo) }
        let base = rowCount
        for k in 0..<slots.count {
            let (pp, pl, po) = field(3 + k)
            let slot = slots[k]
            switch slot.kind {
            case .string:
                if let pp = pp, pl > 0 {
                    var fresh = false
                    let c = stringDicts[slot.index].code(pp, pl, isNew: &fresh)
                    if fresh && !isValidText(pp, pl) { truncate(base); return badText(pp, pl, po) }
                    stringCodes[slot.index].append(c)
                } else { stringCodes[slot.index].append(missingCode) }
            case .number:
                if let pp = pp, pl > 0 {
                    guard let x = parseNumber(pp, pl) else {
                        truncate(base)
                        let text = String(decoding: UnsafeBufferPointer(start: pp, count: min(pl, 40)), as: UTF8.self)
                        return bad("not a number", .badValue, "'\(text)' in column '\(names[k])' is not a number", at: po,
                                   help: "the column holds numbers in its first rows; fix the value, declare it text in the source block (\(names[k]): string), or use --skip-bad-rows")
                    }
                    numbers[slot.index].append(x)
                } else { numbers[slot.index].append(.nan) }
            case .bool:
                if let pp = pp, pl > 0 {
                    guard let b = parseBool(pp, pl) else {
                        truncate(base)
                        return bad("not a boolean", .badValue, "value in column '\(names[k])' is not true or false", at: po)
                    }
                    bools[slot.index].append(b ? 1 : 0)
                } else { bools[slot.index].append(2) }
            case .time:
                if let pp = pp, pl > 0 {
                    guard let x = timestamps.parse(pp, pl) else {
                        truncate(base)
                        return bad("bad timestamp", .badTime, "value in column '\(names[k])' is not a time", at: po)
                    }
                    times[slot.index].append(x)
                } else { times[slot.index].append(missingTime) }
            }
        }
        actor.append(userCode)
        time.append(t)
        event.append(eventCode)
        return true
    }

    /// A field that is not UTF-8 text or holds a NUL byte (which would silently match nothing).
    private func badText(_ p: UnsafePointer<UInt8>, _ n: Int, _ offset: Int) -> Bool {
        var k = 0
        while k < n && p[k] != 0 { k += 1 }
        if k < n {
            return bad("NUL byte", .malformedRecord, "the field contains a NUL byte (U+0000)", at: offset + k,
                       help: "remove the NUL bytes from the file (or use --skip-bad-rows to skip such rows)")
        }
        return bad("invalid UTF-8", .notUTF8, "the field is not valid UTF-8 text", at: offset, help: "save the file as UTF-8")
    }

    /// Drops property values appended for a row that turned out bad.
    private func truncate(_ n: Int) {
        for i in stringCodes.indices where stringCodes[i].count > n { stringCodes[i].removeLast(stringCodes[i].count - n) }
        for i in numbers.indices where numbers[i].count > n { numbers[i].removeLast(numbers[i].count - n) }
        for i in bools.indices where bools[i].count > n { bools[i].removeLast(bools[i].count - n) }
        for i in times.indices where times[i].count > n { times[i].removeLast(times[i].count - n) }
    }
}

/// Parses a decimal number from bytes: fast path for plain decimals, strtod otherwise.
@inline(__always)
func parseNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    var i = 0
    var neg = false
    if p[0] == 45 { neg = true; i = 1 } else if p[0] == 43 { i = 1 }
    var mantissa: Int64 = 0, digits = 0, fracDigits = 0
    var sawDot = false
    while i < n {
        let c = p[i]
        if c >= 48 && c <= 57 {
            if digits < 18 { mantissa = mantissa * 10 + Int64(c - 48); digits += 1; if sawDot { fracDigits += 1 } }
            else { return slowNumber(p, n) }
        } else if c == 46 && !sawDot { sawDot = true }
        else { return slowNumber(p, n) }
        i += 1
    }
    if digits == 0 { return nil }
    var x = Double(mantissa)
    if fracDigits > 0 { x /= pow10[fracDigits] }
    return neg ? -x : x
}

private let pow10: [Double] = (0...22).map { k in var x = 1.0; for _ in 0..<k { x *= 10 }; return x }

private func slowNumber(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self).trimmingSpaces
    guard let x = Double(s), x.isFinite else { return nil }
    return x
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

func parseBool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
    let s = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self).lowercased()
    switch s {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: return nil
    }
}
