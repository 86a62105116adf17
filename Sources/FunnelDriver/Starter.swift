import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine

/// `funnel init EVENTS_FILE`: reads an events file, guesses its format, delimiter and the user,
/// time and event columns (by name and by content), and writes a starter `.funnel` that says
/// what it guessed and how sure it is, with a first funnel of the most frequent events in their
/// typical order.
public enum Starter {
    /// A starter that could not be written: the reason, for standard error.
    public struct Failure: Error, Sendable { public var message: String }

    /// What `funnel init` wrote, and its guesses.
    public struct Outcome: Sendable {
        /// The `.funnel` text.
        public var text: String
        /// Guesses that are unsure, one line each (also in the text as comments), for standard error.
        public var doubts: [String]
    }

    /// One column's sample: name, raw values, the type inferred from them.
    struct Column {
        var name: String
        var values: [String]
        var type: ValueType
        var present: [String] { values.filter { !$0.isEmpty && $0 != "null" } }
        var distinct: Int { Set(present).count }
    }

    /// A role's guess: the column, and why.
    struct Guess {
        var column: String
        var reason: String
        var sure: Bool
        /// For the time: the layout the starter writes after the column (`format "%d/%m/%Y"`).
        var format: String? = nil
    }

    /// Writes the starter for `path`, its data path relative to `outputDirectory` (the folder of
    /// the `.funnel` file to write; the working folder when printed).
    public static func make(dataPath path: String, outputDirectory: String = ".") -> Result<Outcome, Failure> {
        if let why = FileProbe.problem(with: path) { return .failure(Failure(message: "cannot read '\(path)': \(why)")) }
        guard let head = FileHandle(forReadingAtPath: path)?.readData(ofLength: 64 << 10) else {
            return .failure(Failure(message: "cannot read '\(path)'"))
        }
        var bytes = [UInt8](head)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let ext = (path as NSString).pathExtension.lowercased()
        let firstByte = bytes.first { ![32, 9, 10, 13].contains($0) }
        let format = ["jsonl", "ndjson", "json"].contains(ext) || firstByte == UInt8(ascii: "{") ? "jsonl" : "csv"
        var notes: [String] = []
        var doubts: [String] = []
        var delimiter = UInt8(ascii: ",")
        if format == "csv" {
            let d = guessDelimiter(bytes)
            delimiter = d.byte
            if !d.sure { doubts.append("delimiter: \(d.reason)") }
            notes.append("\(d.sure ? "sure" : "UNSURE"): \(d.reason)")
        }
        let columns: [Column]
        do {
            columns = try Loader.sampleColumns(path: path, format: format, delimiter: delimiter).map { Column(name: $0.name, values: $0.values, type: $0.type) }
        } catch let e as DiagnosticsError {
            return .failure(Failure(message: e.diagnostics.map { DiagnosticRenderer().render([$0]) }.joined()))
        } catch {
            return .failure(Failure(message: "cannot read '\(path)': \(error)"))
        }
        let rows = columns.map(\.values.count).max() ?? 0
        guard columns.count >= 3 else {
            return .failure(Failure(message: "'\(path)' has \(columns.count) column\(columns.count == 1 ? "" : "s") (\(columns.map { "'\($0.name)'" }.joined(separator: ", "))); an events file needs at least a user, a time and an event column"
                + (format == "csv" ? " (is the delimiter one of , ; tab |?)" : "")))
        }

        // Roles: the time first (the most recognisable), then the event, then the user.
        var taken = Set<String>()
        guard let time = pick(columns, taken: taken, name: timeNameScore, content: isTimeLike, prefer: { _ in 0 }, role: "time") else {
            return .failure(Failure(message: "no column of '\(path)' looks like a time (ISO 8601, \"YYYY-MM-DD HH:MM:SS\" or epoch seconds/milliseconds): columns \(columns.map(\.name).joined(separator: ", "))"))
        }
        taken.insert(time.column)
        // A layout the reader does not know by itself (31/03/2024 14:05): the starter writes its format.
        let timeFormat = columns.first { $0.name == time.column }.flatMap { $0.type == .string ? guessTimeFormat($0.present) : nil }
        if let f = timeFormat, let doubt = f.doubt { doubts.append("time = \(time.column): \(doubt)") }
        guard let event = pick(columns, taken: taken, name: eventNameScore, content: isEventLike, prefer: { -$0.distinct }, role: "event") else {
            return .failure(Failure(message: "no column of '\(path)' looks like an event name (a text column with few distinct values): columns \(columns.map(\.name).joined(separator: ", "))"))
        }
        taken.insert(event.column)
        guard let user = pick(columns, taken: taken, name: userNameScore, content: isUserLike, prefer: { $0.distinct }, role: "user") else {
            return .failure(Failure(message: "no column of '\(path)' looks like a user id (values that repeat across rows): columns \(columns.map(\.name).joined(separator: ", "))"))
        }
        taken.insert(user.column)
        for g in [("user", user), ("time", time), ("event", event)] where !g.1.sure { doubts.append("\(g.0) = \(g.1.column): \(g.1.reason)") }

        // The whole file, read with the guessed mapping: every event name, and the typical order.
        var spec = SourceSpec(name: "events", format: format, path: path, userColumn: user.column, timeColumn: time.column,
                              eventColumn: event.column, timezone: nil, delimiter: delimiter)
        spec.timeFormat = timeFormat?.format
        let store: EventStore
        do {
            // One read (the file mapped once), skipping bad rows: a few need not stop the start; they are counted and said.
            let file = try MappedFile(path: path)
            let options = Loader.Options(skipBadRows: true)
            store = try Loader.load(spec, from: file, properties: [], schema: Loader.schema(of: spec, in: file, options: options), options: options)
            if store.skipped.total > 0 {
                doubts.append("\(formatCount(store.skipped.total)) row\(store.skipped.total == 1 ? "" : "s") cannot be read (\(store.skipped.summary)); run with --skip-bad-rows or fix them")
            }
        } catch let e as DiagnosticsError {
            return .failure(Failure(message: "guessed user = \(user.column), time = \(time.column), event = \(event.column), but the file could not be read with them:\n"
                + DiagnosticRenderer().render(e.diagnostics)))
        } catch {
            return .failure(Failure(message: "cannot read '\(path)': \(error)"))
        }
        let counts = store.eventCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let top = Array(counts.prefix(4)).map(\.key)
        let order = typicalOrder(store, events: top)

        // The text.
        let relPath = relativePath(path, from: outputDirectory)
        var out = "# A starter written by `funnel init \(path)`: check the guesses below, then `funnel run` this file.\n"
        out += "# Guessed from \(formatCount(rows)) sampled rows and \(formatCount(store.count)) events of \(formatCount(store.actorCount)) user\(store.actorCount == 1 ? "" : "s").\n"
        if !doubts.isEmpty {
            out += "# UNSURE: \(doubts.count == 1 ? "one point needs" : "\(doubts.count) points need") checking:\n"
            for d in doubts { out += "#   - \(d)\n" }
        }
        out += "source events = \(format)(\(quote(relPath))) {\n"
        let width = [name(user.column), name(time.column) + (timeFormat.map { " format " + quote($0.format.text) } ?? ""), name(event.column)].map(\.count).max() ?? 0
        func role(_ r: String, _ g: Guess) -> String {
            let lhs = "  \(r.padding(toLength: 5, withPad: " ", startingAt: 0)) = \(name(g.column))\(g.format.map { " format " + $0 } ?? "")"
            return lhs.padding(toLength: 10 + width + 2, withPad: " ", startingAt: 0) + "# \(g.sure ? "sure" : "UNSURE"): \(g.reason)\n"
        }
        var timeGuess = time
        timeGuess.format = timeFormat.map { quote($0.format.text) }
        out += role("user", user) + role("time", timeGuess) + role("event", event)
        if let c = columns.first(where: { $0.name == time.column }), c.type == .time,
           let v = c.present.first, !hasOffset(v) {
            out += "  # times have no UTC offset (\(v)): they are read as UTC; add timezone \"Area/City\" if they are local times\n"
        }
        if format == "csv" {
            if delimiter != UInt8(ascii: ",") {
                let line = "  delimiter \(describe(delimiter))"
                out += line.padding(toLength: max(line.count + 2, 10 + width + 2), withPad: " ", startingAt: 0) + "# \(notes[0])\n"
            } else {
                out += "  # delimiter \",\" (the default) — \(notes[0])\n"
            }
        }
        out += "}\n"
        let others = columns.filter { !taken.contains($0.name) }
        if !others.isEmpty {
            out += "\n# Other columns, usable as properties in steps, `where`, `by` and KPIs (types from the sample):\n"
            let w = others.map { name($0.name).count }.max() ?? 0
            for c in others {
                let type = c.type == .unknown ? "unknown (empty in the sample)" : c.type.rawValue
                out += "#   \(name(c.name).padding(toLength: w, withPad: " ", startingAt: 0))  \(type)\(c.type == .string ? "  (\(formatCount(c.distinct)) distinct value\(c.distinct == 1 ? "" : "s") in the sample)" : "")\n"
            }
        }
        out += "\n# Event names in the data (\(counts.count)), with their counts:\n"
        let ew = counts.prefix(100).map { quote($0.key).count }.max() ?? 0
        for (k, n) in counts.prefix(100) { out += "#   \(quote(k).padding(toLength: ew, withPad: " ", startingAt: 0))  \(formatCount(n))\n" }
        if counts.count > 100 { out += "#   ... and \(counts.count - 100) more\n" }

        out += "\n# A first funnel: the \(order.count) most frequent event\(order.count == 1 ? "" : "s"), in their typical order (by the median time from a user's\n"
        out += "# first event to their first occurrence). Rename, reorder or replace the steps.\n"
        out += "funnel first_funnel {\n"
        out += "  window 14d    # the default: each step within 14 days of step 1\n"
        var used = Set<String>()
        var stepNames: [String] = []
        for e in order {
            var n = identifier(e)
            if used.contains(n) { var i = 2; while used.contains("\(n)_\(i)") { i += 1 }; n = "\(n)_\(i)" }
            used.insert(n)
            stepNames.append(n)
        }
        let sw = stepNames.map(\.count).max() ?? 0
        for (n, e) in zip(stepNames, order) {
            out += "  step \(n.padding(toLength: sw, withPad: " ", startingAt: 0)) = \(quote(e))\n"
        }
        if stepNames.count >= 2, let first = stepNames.first, let last = stepNames.last {
            let kpi = used.contains("conversion") ? "overall_conversion" : "conversion"
            out += "  kpi \(kpi) = \(last) / \(first)\n"
        }
        out += "}\n"
        return .success(Outcome(text: out, doubts: doubts))
    }

    // MARK: delimiter

    /// The candidate that splits the first lines into the same number (> 1) of fields, the most fields first.
    static func guessDelimiter(_ bytes: [UInt8]) -> (byte: UInt8, sure: Bool, reason: String) {
        let candidates: [UInt8] = [44, 59, 9, 124]   // , ; tab |
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var inQuotes = false
        for b in bytes {
            if b == 34 { inQuotes.toggle() }
            if b == 10 && !inQuotes {
                if current.last == 13 { current.removeLast() }
                if !current.isEmpty { lines.append(current) }
                current = []
                if lines.count >= 50 { break }
                continue
            }
            current.append(b)
        }
        if lines.count < 50 && !current.isEmpty && !inQuotes { lines.append(current) }
        func fields(_ line: [UInt8], _ d: UInt8) -> Int {
            var n = 1, q = false
            for b in line { if b == 34 { q.toggle() } else if b == d && !q { n += 1 } }
            return n
        }
        var fits: [(byte: UInt8, fields: Int, consistent: Bool)] = []
        for d in candidates {
            guard let header = lines.first else { break }
            let h = fields(header, d)
            guard h > 1 else { continue }
            let consistent = lines.dropFirst().allSatisfy { fields($0, d) == h }
            fits.append((d, h, consistent))
        }
        let good = fits.filter(\.consistent).sorted { $0.fields > $1.fields }
        if let best = good.first {
            let rowsText = "\(formatCount(lines.count)) line\(lines.count == 1 ? "" : "s")"
            if good.count == 1 { return (best.byte, true, "the only one that splits the first \(rowsText) evenly (\(best.fields) fields)") }
            return (best.byte, false, "splits the first \(rowsText) into \(best.fields) fields, but \(good.dropFirst().map { describe($0.byte) }.joined(separator: ", ")) also splits them evenly")
        }
        if let most = fits.sorted(by: { $0.fields > $1.fields }).first {
            return (most.byte, false, "splits the header into \(most.fields) fields, but not every line into as many")
        }
        return (44, false, "no common delimiter (, ; tab |) splits the header")
    }

    static func describe(_ d: UInt8) -> String { d == 9 ? "\"\\t\"" : "\"\(Character(UnicodeScalar(d)))\"" }

    // MARK: roles

    static func normalized(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    static func userNameScore(_ raw: String) -> Int {
        let n = normalized(raw)
        if ["user", "user_id", "userid", "uid", "distinct_id", "customer_id", "customerid", "visitor_id", "account_id",
            "person_id", "client_id", "member_id", "actor", "actor_id", "anonymous_id", "device_id", "who", "visitor"].contains(n) { return 3 }
        if ["user", "customer", "visitor", "person", "member", "account", "client"].contains(where: n.contains) { return 2 }
        if n.hasSuffix("_id") || n.hasSuffix("id") { return 1 }
        return 0
    }

    static func timeNameScore(_ raw: String) -> Int {
        let n = normalized(raw)
        if ["time", "timestamp", "ts", "event_time", "datetime", "date_time", "created_at", "occurred_at", "event_timestamp",
            "event_date", "time_stamp", "at", "when"].contains(n) { return 3 }
        if n.contains("time") || n.contains("date") || n.hasSuffix("_at") || n.hasSuffix("_ts") { return 2 }
        return 0
    }

    static func eventNameScore(_ raw: String) -> Int {
        let n = normalized(raw)
        if ["event", "event_type", "event_name", "eventtype", "eventname", "action", "event_action", "activity", "stage", "what"].contains(n) { return 3 }
        if n.hasSuffix("_id") { return 0 }
        if ["event", "action", "type", "name", "activity", "step", "stage", "status"].contains(where: n.contains) { return 2 }
        return 0
    }

    static func isTimeLike(_ c: Column) -> (ok: Bool, why: String) {
        let present = c.present
        guard !present.isEmpty else { return (false, "empty in the sample") }
        if c.type == .time { return (true, "every sampled value is a date-time (e.g. \(present[0]))") }
        if c.type == .number {
            let numbers = present.compactMap(Double.init)
            if numbers.allSatisfy({ ($0 >= 1e8 && $0 < 1e10) }) { return (true, "numbers read as epoch seconds (e.g. \(present[0]))") }
            if numbers.allSatisfy({ ($0 >= 1e11 && $0 < 1e13) }) { return (true, "numbers read as epoch milliseconds (e.g. \(present[0]))") }
            return (false, "numbers, but not in the range of epoch seconds or milliseconds")
        }
        if let f = guessTimeFormat(present) { return (true, "every sampled value reads as \"\(f.format.text)\" (e.g. \(present[0]))") }
        let odd = present.first { Loader.inferredType([$0]) != .time } ?? present[0]
        return (false, "not every sampled value is a date-time (e.g. '\(odd)')")
    }

    /// Layouts of exports that the reader needs a `format` for, day-first before month-first.
    static let timeLayouts = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
                              "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                              "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                              "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d %b %Y %H:%M:%S", "%d %b %Y %H:%M", "%d %b %Y", "%b %d, %Y %H:%M:%S",
                              "%b %d, %Y %I:%M:%S %p", "%b %d, %Y", "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S"]

    /// The first layout that reads every sampled value; a doubt when day and month could be swapped.
    static func guessTimeFormat(_ values: [String]) -> (format: TimeFormat, doubt: String?)? {
        guard !values.isEmpty else { return nil }
        func readsAll(_ f: TimeFormat) -> Bool {
            values.allSatisfy { v in Array(v.utf8).withUnsafeBufferPointer { b in b.baseAddress.map { f.parse($0, b.count) != nil } ?? false } }
        }
        for layout in timeLayouts {
            guard case .success(let f) = TimeFormat.compile(layout), readsAll(f) else { continue }
            // 03/04/2024 is the 3rd of April or March the 4th: said, since the sample cannot tell.
            let swapped: String? = layout.contains("%d/%m") ? layout.replacingOccurrences(of: "%d/%m", with: "%m/%d") : nil
            if let other = swapped, case .success(let g) = TimeFormat.compile(other), readsAll(g) {
                return (f, "every sampled day is 12 or less, so day/month could be month/day; read as \"\(layout)\", write \"\(other)\" if months come first")
            }
            return (f, nil)
        }
        return nil
    }

    static func isEventLike(_ c: Column) -> (ok: Bool, why: String) {
        let present = c.present
        guard c.type == .string, !present.isEmpty else { return (false, c.type == .string ? "empty in the sample" : "\(c.type.rawValue) values, not text") }
        let d = c.distinct
        if present.count < c.values.count { return (false, "text with \(formatCount(d)) distinct values, but some rows have none") }
        if d >= 1 && d <= 200 && (d * 2 <= present.count || present.count < 10) {
            return (true, "text with \(formatCount(d)) distinct value\(d == 1 ? "" : "s") in \(formatCount(present.count)) sampled rows")
        }
        return (false, "text with \(formatCount(d)) distinct values in \(formatCount(present.count)) sampled rows: too many for event names")
    }

    static func isUserLike(_ c: Column) -> (ok: Bool, why: String) {
        let present = c.present
        guard c.type == .string || c.type == .number, !present.isEmpty else { return (false, "\(c.type.rawValue) values, not ids") }
        if present.count < c.values.count { return (false, "some sampled rows have no value") }
        let d = c.distinct
        if d >= 2 && d < present.count { return (true, "id-like: \(formatCount(d)) distinct values repeating across \(formatCount(present.count)) sampled rows") }
        if d == present.count { return (false, "every sampled value is distinct (one row per user?)") }
        return (false, "a single value in the sample")
    }

    /// The best column for a role: content that fits counts most, then the name.
    static func pick(_ columns: [Column], taken: Set<String>, name: (String) -> Int, content: (Column) -> (ok: Bool, why: String),
                     prefer: (Column) -> Int, role: String) -> Guess? {
        let scored = columns.filter { !taken.contains($0.name) }.map { c -> (Column, Int, Int, String) in
            let fit = content(c)
            return (c, fit.ok ? 1 : 0, name(c.name), fit.why)
        }
        let ranked = scored.filter { $0.1 == 1 || $0.2 >= 2 }.sorted { a, b in
            if a.1 != b.1 { return a.1 > b.1 }
            if a.2 != b.2 { return a.2 > b.2 }
            return prefer(a.0) > prefer(b.0)
        }
        guard let best = ranked.first else { return nil }
        let rivals = ranked.dropFirst().filter { $0.1 == best.1 && $0.2 == best.2 }.map { "'\($0.0.name)'" }
        var reason = best.3
        var sure = best.1 == 1 && best.2 >= 2
        if best.1 == 1 && best.2 < 2 { reason += "; the name does not say \(role)" }
        if best.1 == 0 { reason = "named like a \(role) column, but \(reason)" }
        if !rivals.isEmpty {
            sure = false
            reason += "; \(rivals.joined(separator: ", ")) \(rivals.count == 1 ? "fits" : "fit") as well"
        }
        return Guess(column: best.0.name, reason: reason, sure: sure)
    }

    // MARK: order

    /// The events sorted by the median time from a user's first event to that event's first occurrence.
    static func typicalOrder(_ store: EventStore, events: [String]) -> [String] {
        let codes = events.map { e in store.eventNames.firstIndex(of: e).map(UInt32.init) }
        let users = store.actorCount
        var start = [Int64](repeating: .max, count: users)
        var first = [[Int64]](repeating: [Int64](repeating: .max, count: users), count: events.count)
        var slot: [UInt32: Int] = [:]
        for (i, c) in codes.enumerated() { if let c = c { slot[c] = i } }
        for r in 0..<store.count {
            let a = Int(store.actor[r]), t = store.time[r]
            if t < start[a] { start[a] = t }
            if let k = slot[store.event[r]], t < first[k][a] { first[k][a] = t }
        }
        let medians: [Double] = first.map { times in
            var offsets: [Int64] = []
            for a in 0..<users where times[a] != .max { offsets.append(times[a] - start[a]) }
            offsets.sort()
            guard !offsets.isEmpty else { return .infinity }
            let m = offsets.count / 2
            return offsets.count % 2 == 1 ? Double(offsets[m]) : (Double(offsets[m - 1]) + Double(offsets[m])) / 2
        }
        return events.indices.sorted { medians[$0] != medians[$1] ? medians[$0] < medians[$1] : $0 < $1 }.map { events[$0] }
    }

    // MARK: text

    static func hasOffset(_ v: String) -> Bool {
        let t = v.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("Z") || t.hasSuffix("UTC") { return true }
        guard t.count > 10 else { return false }
        let tail = t.dropFirst(10)
        return tail.contains("+") || tail.contains("-")
    }

    /// A column name as the language writes it: bare when it is an identifier, else in backticks.
    static func name(_ column: String) -> String {
        let ok = column.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && column.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let escaped = column.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`")
        return ok ? column : "`\(escaped)`"
    }

    /// A step name from an event name.
    static func identifier(_ event: String) -> String {
        var s = String(event.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? Character($0.lowercased()) : "_" })
        while s.contains("__") { s = s.replacingOccurrences(of: "__", with: "_") }
        s = s.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        if s.first?.isNumber ?? true { s = "step_" + s }
        if ["users", "user", "time", "event"].contains(s) { s += "_step" }
        return s
    }

    /// A string literal of the language.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
