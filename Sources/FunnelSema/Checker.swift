import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

/// One parsed file: the main `.funnel` file or one it imports.
public struct CompilationUnit: Sendable {
    public var file: SourceFile
    public var program: Program
    public init(file: SourceFile, program: Program) { self.file = file; self.program = program }
    /// The folder that relative data paths are resolved against.
    public var directory: String {
        let dir = (file.path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}

/// Resolves names and checks types. Runs in two steps: `resolveSources()` says which
/// data files to read; `check(schemas:)` checks everything else against their schemas.
public struct Checker {
    let units: [CompilationUnit]
    var diagnostics: [Diagnostic] = []
    /// Current file, for diagnostics.
    var file: SourceFile

    var sources: [SourceSpec] = []
    var sourceDecls: [(SourceDecl, CompilationUnit)] = []
    var users: UsersSpec?
    var usersDecl: (SourceDecl, CompilationUnit)?
    var segmentDecls: [String: (Expr, CompilationUnit, Name)] = [:]
    var segments: [String: UserExpr] = [:]
    var segmentsInProgress: Set<String> = []
    /// `tier` declarations by name, their checked form, and those being checked (cycles).
    var tierDecls: [String: (TierDecl, CompilationUnit)] = [:]
    var tiers: [String: UserExpr] = [:]
    var tiersInProgress: Set<String> = []
    /// `measure` declarations by name, their checked form and type, and those being checked (cycles).
    var measureDecls: [String: (Expr, CompilationUnit, Name)] = [:]
    var measures: [String: (UserExpr, ValueType)] = [:]
    var measuresInProgress: Set<String> = []
    /// Measures whose expression has an error (reported once, where they are declared).
    var failedMeasures: Set<String> = []
    /// The expanded height of each resolved segment, the largest among the segments the one
    /// being resolved refers to, and the segments that expand too deep (reported once).
    var segmentHeights: [String: Int] = [:]
    var referencedSegmentHeight = 0
    var tooDeepSegments: Set<String> = []

    var usersSchema: DataSchema?
    /// What names mean while one funnel (or the segments) is checked: set at its start, never carried over.
    var scope = Scope()
    /// Event names compared with, for the E210 warnings after loading.
    var eventMentions: [EventMention] = []
    var sourcesMissingRoles: Set<Int> = []
    /// `--delimiter` was given: it, not the source, decides how CSV files are split.
    public var delimiterFromCommandLine = false
    /// Diagnostics already handed out by `resolveSources()`: `check` returns only the later ones.
    var reported = 0

    /// The names in scope while a funnel (or the segments) is checked.
    struct Scope {
        /// The schema of the source the expressions read, and which source it is.
        var schema: DataSchema?
        var source: SourceSpec?
        var sourceIndex = 0
        /// The funnel's steps and the KPIs declared so far (KPIs may use earlier ones).
        var steps: [String] = []
        var kpiNames: [String] = []
        /// Every KPI of the funnel with its line and the words of its expression, to tell a
        /// forward reference or a cycle from an unknown name.
        var declaredKPIs: [String: (line: Int, words: Set<String>)] = [:]
        /// The KPI being checked.
        var currentKPI: String? = nil
        var order: MatchOrder = .ordered
    }

    public init(units: [CompilationUnit]) {
        self.units = units
        self.file = units.first?.file ?? SourceFile(path: "<empty>", text: "")
    }

    mutating func error(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, help: String? = nil) {
        diagnostics.append(Diagnostic(.error, code, message, at: .source(file, span), help: help))
    }

    mutating func warning(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, help: String? = nil) {
        diagnostics.append(Diagnostic(.warning, code, message, at: .source(file, span), help: help))
    }

    func line(_ span: SourceSpan) -> Int { file.location(of: span.start).line }

    // MARK: step 1 — sources

    /// The data files the program reads, with their column roles.
    public mutating func resolveSources() -> (sources: [SourceSpec], users: UsersSpec?, diagnostics: [Diagnostic]) {
        var seen: [String: SourceSpan] = [:]
        for unit in units {
            file = unit.file
            for decl in unit.program.declarations {
                switch decl.kind {
                case .source(let s):
                    if seen[s.name.text] != nil {
                        error(.duplicateDeclaration, "source '\(s.name.text)' is declared twice", s.name.span, help: "give each source its own name")
                        continue
                    }
                    seen[s.name.text] = s.name.span
                    if let cs = checkSource(s, unit) { sources.append(cs); sourceDecls.append((s, unit)) }
                case .users(let s):
                    if usersDecl != nil { error(.duplicateDeclaration, "the users table is declared twice", decl.span); continue }
                    usersDecl = (s, unit)
                    var key: String? = nil
                    var delimiter: UInt8 = UInt8(ascii: s.format.text == "csv" ? "," : "\t")
                    var declared: [String: ValueType] = [:]
                    for setting in s.settings {
                        if setting.isTypeDeclaration {
                            if let t = declaredType(setting) { declared[setting.key.text] = t }
                            continue
                        }
                        switch setting.key.text {
                        case "key": key = setting.valueText
                        case "delimiter": delimiter = checkDelimiter(setting) ?? delimiter
                        default:
                            error(.badSourceSetting, "unknown setting '\(setting.key.text)' in the users table", setting.key.span,
                                  help: "the users table takes: key = COLUMN, delimiter \",\"")
                        }
                    }
                    if key == nil {
                        error(.badSourceSetting, "the users table needs a key column", s.format.span, help: "write: users = csv(\"\(s.path)\") { key = user_id }")
                    }
                    users = UsersSpec(format: s.format.text, path: resolvePath(s.path, unit), keyColumn: key ?? "user_id", delimiter: delimiter)
                    if let k = key, let t = declared.removeValue(forKey: k), let setting = s.settings.first(where: { $0.isTypeDeclaration && $0.key.text == k }) {
                        error(.badSourceSetting, "the key column '\(k)' is matched as text; its type cannot be declared (\(t))", setting.key.span,
                              help: "remove this line; keys are compared with the events' user column as text")
                    }
                    users?.declaredTypes = declared
                case .segment(let name, let expr):
                    guard isNewUserName(name) else { continue }
                    segmentDecls[name.text] = (expr, unit, name)
                case .measure(let name, let expr):
                    guard isNewUserName(name) else { continue }
                    measureDecls[name.text] = (expr, unit, name)
                case .tier(let t):
                    guard isNewUserName(t.name) else { continue }
                    tierDecls[t.name.text] = (t, unit)
                default: break
                }
            }
        }
        file = units.first?.file ?? file
        reported = diagnostics.count
        return (sources, users, diagnostics)
    }

    func resolvePath(_ path: String, _ unit: CompilationUnit) -> String {
        if path.hasPrefix("/") { return path }
        let dir = unit.directory
        return normalizePath(dir == "." ? path : (dir as NSString).appendingPathComponent(path))
    }

    mutating func checkDelimiter(_ s: Setting) -> UInt8? {
        let text = s.valueText == "\\t" ? "\t" : s.valueText
        guard text.utf8.count == 1, let b = text.utf8.first else {
            error(.badSourceSetting, "a delimiter is one character", s.valueSpan, help: "write delimiter \";\" or delimiter \"\\t\"")
            return nil
        }
        return b
    }

    mutating func checkSource(_ s: SourceDecl, _ unit: CompilationUnit) -> SourceSpec? {
        var roles: [String: String] = [:]
        var timezone: String? = nil
        var delimiter: UInt8 = UInt8(ascii: ",")
        var declared: [(Setting, ValueType)] = []
        var timeFormat: TimeFormat? = nil
        for setting in s.settings {
            if let (text, span) = setting.format {
                if setting.key.text != "time" {
                    error(.badTimeFormat, "only the time column takes a format", span, help: "write: time = \(setting.valueText) format \"%d/%m/%Y %H:%M\" on the time line")
                } else {
                    switch TimeFormat.compile(text) {
                    case .success(let f): timeFormat = f
                    case .failure(let problem):
                        error(.badTimeFormat, problem.message, span, help: "strftime-style: %Y %m %d %H %M %S %f %p %b %z %s, for example \"%d/%m/%Y %H:%M\"")
                    }
                }
            }
            if setting.isTypeDeclaration {
                if let t = declaredType(setting) { declared.append((setting, t)) }
                continue
            }
            switch setting.key.text {
            case "user", "time", "event": roles[setting.key.text] = setting.valueText
            case "timezone":
                if TimeZone(identifier: setting.valueText) == nil {
                    let known = TimeZone.knownTimeZoneIdentifiers
                    error(.badSourceSetting, "unknown time zone '\(setting.valueText)'", setting.valueSpan,
                          help: DidYouMean.suggest(setting.valueText, among: known).map { "did you mean '\($0)'?" } ?? "use an IANA name such as \"Europe/Paris\" or \"UTC\"")
                } else { timezone = setting.valueText }
            case "delimiter": delimiter = checkDelimiter(setting) ?? delimiter
            default:
                let keys = ["user", "time", "event", "timezone", "delimiter"]
                error(.badSourceSetting, "unknown setting '\(setting.key.text)' in source '\(s.name.text)'", setting.key.span,
                      help: DidYouMean.help(setting.key.text, among: keys, kind: "settings"))
            }
        }
        // Unmapped roles default to columns of the same name.
        var spec = SourceSpec(name: s.name.text, format: s.format.text, path: resolvePath(s.path, unit),
                              userColumn: roles["user"] ?? "user", timeColumn: roles["time"] ?? "time",
                              eventColumn: roles["event"] ?? "event", timezone: timezone, delimiter: delimiter)
        spec.timeFormat = timeFormat
        for (setting, type) in declared {
            let column = setting.key.text
            if let role = [("user", spec.userColumn), ("time", spec.timeColumn), ("event", spec.eventColumn)].first(where: { $0.1 == column })?.0 {
                error(.badSourceSetting, "'\(column)' is the \(role) column, read as \(role == "time" ? "a time" : "text"); its type cannot be declared", setting.key.span,
                      help: "remove this line; declare types for property columns, such as price: number")
                continue
            }
            spec.declaredTypes[column] = type
        }
        return spec
    }

    /// The type a `COLUMN: TYPE` line declares.
    mutating func declaredType(_ setting: Setting) -> ValueType? {
        let names: [String: ValueType] = ["number": .number, "string": .string, "bool": .bool, "time": .time]
        if let t = names[setting.valueText] { return t }
        error(.badSourceSetting, "unknown column type '\(setting.valueText)'", setting.valueSpan,
              help: DidYouMean.suggest(setting.valueText, among: names.keys.sorted()).map { "did you mean '\($0)'?" } ?? "a column is a number, string, bool or time")
        return nil
    }

    // MARK: step 2 — everything else

    /// A declared type names a column of the file (JSON Lines keys may appear late, so they are added instead).
    /// `applies`: the declarations in force (a test table's run leaves out those of columns it does not have).
    mutating func declaredColumnsExist(_ settings: [Setting], in schema: DataSchema, applies: (String) -> Bool = { _ in true }) {
        for setting in settings where setting.isTypeDeclaration && applies(setting.key.text) && schema.type(of: setting.key.text) == nil && !schema.unchecked {
            error(.missingColumn, "column '\(setting.key.text)' is not in \(schema.path)", setting.key.span,
                  help: DidYouMean.help(setting.key.text, among: schema.columnNames, kind: "columns") ?? "declare types of the file's own columns")
        }
    }

    /// Checks segments and funnels against the schemas (same order as `sources`).
    public mutating func check(schemas: [DataSchema], usersSchema: DataSchema?) -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
        self.usersSchema = usersSchema
        // The mapped columns must exist.
        for (i, (decl, unit)) in sourceDecls.enumerated() where i < schemas.count {
            file = unit.file
            let schema = schemas[i]
            let roles = [("user", sources[i].userColumn), ("time", sources[i].timeColumn), ("event", sources[i].eventColumn)]
            let missing = roles.filter { schema.type(of: $0.1) == nil }
            // A header read with the wrong delimiter is one column: say that once, not once per role.
            if !missing.isEmpty, sources[i].format == "csv", schema.columns.count == 1,
               let other = Checker.otherDelimiter(in: schema.columns[0].name, than: sources[i].delimiter) {
                sourcesMissingRoles.insert(i)
                let setting = decl.settings.first { $0.key.text == "delimiter" && !$0.isTypeDeclaration }
                let used = Checker.delimiterName(sources[i].delimiter).literal
                let wanted = Checker.delimiterName(other)
                let help: String
                if delimiterFromCommandLine {
                    help = setting?.valueText == String(UnicodeScalar(other)) ? "remove --delimiter: the source's own delimiter is right"
                        : "add `delimiter \(wanted.literal)` to the source or remove --delimiter"
                }
                else if setting != nil { help = "write `delimiter \(wanted.literal)` in the source instead of \(used)" }
                else { help = "add `delimiter \(wanted.literal)` to the source (or pass --delimiter \(wanted.option))" }
                error(.headerDelimiter, "the header of \(schema.path) looks \(wanted.adjective)-separated, but it was read with \(used): one column '\(schema.columns[0].name)'",
                      setting?.valueSpan ?? decl.name.span, help: help)
                continue
            }
            for (role, column) in missing {
                sourcesMissingRoles.insert(i)
                let span = decl.settings.first { $0.key.text == role && !$0.isTypeDeclaration }?.valueSpan ?? decl.name.span
                let defaulted = decl.settings.contains { $0.key.text == role && !$0.isTypeDeclaration } ? "" : " (a role not mapped in the source defaults to the column of its name)"
                error(.missingColumn, "column '\(column)' (the \(role) column) is not in \(schema.path)\(defaulted)", span,
                      help: Checker.closestColumn(column, among: schema.columnNames).map { "did you mean '\($0)'? map it with \(role) = \($0)" }
                        ?? DidYouMean.help(column, among: schema.columnNames, kind: "columns") ?? "the file has no columns")
            }
        }
        for (i, (decl, unit)) in sourceDecls.enumerated() where i < schemas.count && !sourcesMissingRoles.contains(i) {
            file = unit.file
            let declared = i < sources.count ? sources[i].declaredTypes : [:]
            declaredColumnsExist(decl.settings, in: schemas[i]) { declared[$0] != nil }
        }
        if let (decl, unit) = usersDecl, let us = usersSchema {
            file = unit.file
            declaredColumnsExist(decl.settings, in: us)
        }
        if let (decl, unit) = usersDecl, let us = usersSchema, let key = users?.keyColumn, us.type(of: key) == nil {
            file = unit.file
            let span = decl.settings.first { $0.key.text == "key" }?.valueSpan ?? decl.format.span
            if us.columns.count == 1, let d = users?.delimiter, let other = Checker.otherDelimiter(in: us.columns[0].name, than: d) {
                error(.headerDelimiter, "the header of \(us.path) looks \(Checker.delimiterName(other).adjective)-separated, but it was read with \(Checker.delimiterName(d).literal): one column '\(us.columns[0].name)'",
                      span, help: "add `delimiter \(Checker.delimiterName(other).literal)` to the users table")
            } else {
            error(.missingColumn, "column '\(key)' (the users key) is not in \(us.path)", span,
                  help: DidYouMean.help(key, among: us.columnNames, kind: "columns"))
            }
        }
        // Segments are checked against the first source (they describe users, not a funnel).
        if let first = schemas.first, let src = sources.first {
            scope = Scope(schema: first, source: src, sourceIndex: 0)
            for name in segmentDecls.keys.sorted() { _ = resolveSegment(name) }
            for name in tierDecls.keys.sorted() { _ = resolveTier(name) }
            for name in measureDecls.keys.sorted() {
                // A measure named like a column would mean the column in some places and the measure in others.
                if let (_, unit, declName) = measureDecls[name], first.type(of: name) != nil || usersSchema?.type(of: name) != nil {
                    let saved = file; file = unit.file
                    error(.duplicateDeclaration, "measure '\(name)' has the name of a column of \(first.type(of: name) != nil ? "the events" : "the users table")",
                          declName.span, help: "rename the measure, for example \(name)_per_user")
                    file = saved
                    failedMeasures.insert(name)
                    continue
                }
                _ = resolveMeasure(name)
            }
        }
        var funnels: [CheckedFunnel] = []
        var funnelNames: Set<String> = []
        for unit in units {
            file = unit.file
            for decl in unit.program.declarations {
                guard case .funnel(let f) = decl.kind else { continue }
                if funnelNames.contains(f.name.text) {
                    error(.duplicateDeclaration, "funnel '\(f.name.text)' is declared twice", f.name.span); continue
                }
                funnelNames.insert(f.name.text)
                if let cf = checkFunnel(f, schemas: schemas) { funnels.append(cf) }
            }
        }
        let program = CheckedProgram(sources: sources, users: users, segments: segments, funnels: funnels, eventMentions: eventMentions,
                                     sourcesMissingRoles: sourcesMissingRoles)
        return (program, Array(diagnostics.dropFirst(reported)))
    }

    /// Segments, measures and tiers share one set of names; false (and an error) for a second use.
    mutating func isNewUserName(_ name: Name) -> Bool {
        guard segmentDecls[name.text] == nil && tierDecls[name.text] == nil && measureDecls[name.text] == nil else {
            error(.duplicateDeclaration, "'\(name.text)' is declared twice (segments, measures and tiers share names)", name.span)
            return false
        }
        return true
    }

    /// A measure's expression, checked once as a user expression of any type (cycles are errors).
    mutating func resolveMeasure(_ name: String) -> (UserExpr, ValueType)? {
        if let done = measures[name] { return done }
        guard let (expr, unit, declName) = measureDecls[name], !failedMeasures.contains(name) else { return nil }
        let saved = file
        file = unit.file
        defer { file = saved }
        if measuresInProgress.contains(name) {
            error(.segmentCycle, "measure '\(name)' refers to itself", declName.span, help: "a measure may use segments, tiers and other measures, but not itself")
            return nil
        }
        guard measuresInProgress.count < Parser.maxDepth else { return nil }
        measuresInProgress.insert(name)
        defer { measuresInProgress.remove(name) }
        guard let checked = userExpr(expr) else { failedMeasures.insert(name); return nil }
        measures[name] = checked
        return checked
    }

    /// Checks a segment once, expanding references to other segments (cycles are errors).
    /// A tier's cases, each condition checked as a user condition; the checked form is kept.
    mutating func resolveTier(_ name: String) -> UserExpr? {
        if let done = tiers[name] { return done }
        guard let (t, unit) = tierDecls[name] else { return nil }
        let saved = file
        file = unit.file
        defer { file = saved }
        if tiersInProgress.contains(name) {
            error(.segmentCycle, "tier '\(name)' refers to itself", t.name.span, help: "a tier's cases may use segments and other tiers, but not itself")
            return nil
        }
        guard tiersInProgress.count < Parser.maxDepth else { return nil }
        tiersInProgress.insert(name)
        defer { tiersInProgress.remove(name) }
        var cases: [TierCase] = []
        var valid = true
        for c in t.cases {
            guard let (e, type) = userExpr(c.condition) else { valid = false; continue }
            guard type == .bool else {
                error(.wrongResultType, "a tier's case needs a condition, found a \(type)", c.condition.span,
                      help: "for example: \"\(c.label)\" if count(\"purchase\") >= 3")
                valid = false
                continue
            }
            cases.append(TierCase(label: c.label, condition: e))
        }
        guard valid else { return nil }
        let checked = UserExpr.tier(name: name, cases: cases, otherwise: t.otherwise?.label)
        tiers[name] = checked
        return checked
    }

    mutating func resolveSegment(_ name: String) -> UserExpr? {
        if let done = segments[name] {
            referencedSegmentHeight = max(referencedSegmentHeight, segmentHeights[name] ?? 0)
            return done
        }
        guard let (expr, unit, declName) = segmentDecls[name], !tooDeepSegments.contains(name) else { return nil }
        if segmentsInProgress.contains(name) {
            let saved = file; file = unit.file
            error(.segmentCycle, "segment '\(name)' refers to itself", declName.span, help: "break the cycle between the segments")
            file = saved
            return nil
        }
        // Segments are expanded into the conditions that use them: keep the expanded tree as
        // shallow as the parser keeps one expression, so no later stage recurses too deep.
        if segmentsInProgress.count >= Parser.maxDepth {
            let saved = file; file = unit.file
            error(.tooDeeplyNested, "segment '\(name)' is nested more than \(Parser.maxDepth) levels deep once the segments it uses are expanded",
                  declName.span, help: "segments that refer to one another form one condition; make the chain shorter")
            file = saved
            tooDeepSegments.formUnion(segmentsInProgress)
            tooDeepSegments.insert(name)
            return nil
        }
        segmentsInProgress.insert(name)
        let saved = file
        file = unit.file
        let outerHeight = referencedSegmentHeight
        referencedSegmentHeight = 0
        let checked = userExpr(expr)
        let height = expr.height + referencedSegmentHeight
        referencedSegmentHeight = max(outerHeight, height)
        if height > Parser.maxDepth && !tooDeepSegments.contains(name) {
            error(.tooDeeplyNested, "segment '\(name)' is nested more than \(Parser.maxDepth) levels deep once the segments it uses are expanded",
                  declName.span, help: "segments that refer to one another form one condition; make the chain shorter")
            tooDeepSegments.formUnion(segmentsInProgress)
        }
        if tooDeepSegments.contains(name) {
            file = saved
            segmentsInProgress.remove(name)
            return nil
        }
        if let (_, t) = checked, t != .bool {
            error(.wrongResultType, "segment '\(name)' must be true or false, not a \(t)", expr.span,
                  help: "compare it: for example count(\"purchase\") >= 1")
        }
        file = saved
        segmentsInProgress.remove(name)
        if let (u, t) = checked, t == .bool { segments[name] = u; segmentHeights[name] = height; return u }
        return nil
    }
}

extension Checker {
    /// Replaces the resolved sources (same order): `--events`, and `funnel test`'s tables.
    /// A common delimiter (, ; tab |) other than `used` that appears in a one-column header.
    static func otherDelimiter(in header: String, than used: UInt8) -> UInt8? {
        let bytes = Array(header.utf8)
        return [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: "|")]
            .filter { $0 != used }
            .map { d in (d, bytes.filter { $0 == d }.count) }
            .filter { $0.1 > 0 }
            .max { $0.1 < $1.1 }?.0
    }

    /// How messages name a delimiter.
    static func delimiterName(_ d: UInt8) -> (literal: String, option: String, adjective: String) {
        switch d {
        case 9: return ("\"\\t\"", "'\\t'", "tab")
        case UInt8(ascii: ","): return ("\",\"", "','", "comma")
        case UInt8(ascii: ";"): return ("\";\"", "';'", "semicolon")
        case UInt8(ascii: "|"): return ("\"|\"", "'|'", "pipe")
        default: let c = String(UnicodeScalar(d)); return ("\"\(c)\"", "'\(c)'", "'\(c)'")
        }
    }

    /// The column a role most likely means: the nearest name, else one with the role's name as a
    /// word of it (`user` → `user_id`, `time` → `event_time`).
    static func closestColumn(_ name: String, among columns: [String]) -> String? {
        if let s = DidYouMean.suggest(name, among: columns) { return s }
        let lower = name.lowercased()
        let words = columns.filter { c in
            c.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains { $0 == lower }
        }
        return words.min { $0.count < $1.count }
    }

    public mutating func overrideSources(with replaced: [SourceSpec]) {
        guard replaced.count == sources.count else { return }
        sources = replaced
    }
}

/// Removes `.` and `dir/..` from a path, so messages name `examples/data/x.csv`.
public func normalizePath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: false) {
        if part == "." { continue }
        if part == "..", let last = parts.last, last != "..", !last.isEmpty { parts.removeLast(); continue }
        parts.append(part)
    }
    let joined = parts.joined(separator: "/")
    return joined.isEmpty ? "." : joined
}

extension Checker {
    /// Where source `i`'s path is written, for errors about its file.
    public func sourcePathLocation(_ i: Int) -> DiagnosticLocation? {
        guard i < sourceDecls.count else { return nil }
        let (decl, unit) = sourceDecls[i]
        return .source(unit.file, decl.pathSpan)
    }

    /// Where the users table's path is written.
    public var usersPathLocation: DiagnosticLocation? {
        usersDecl.map { .source($0.1.file, $0.0.pathSpan) }
    }
}

extension Checker {
    /// E210: the event names compared with that never occur in their source's data.
    /// `counts[i]` holds source i's event names with their counts (nil when it was not read).
    public static func unknownEventWarnings(_ mentions: [EventMention], counts: [[String: Int]?], paths: [String]) -> [Diagnostic] {
        mentions.compactMap { m in
            guard m.source < counts.count, m.source < paths.count, let known = counts[m.source], known[m.name] == nil else { return nil }
            let help = DidYouMean.suggest(m.name, among: Array(known.keys)).map { "did you mean \"\($0)\"?" }
                ?? "events in the data: " + known.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(12)
                    .map { "\"\($0.key)\"" }.joined(separator: ", ") + (known.count > 12 ? ", … (\(known.count - 12) more)" : "")
            return Diagnostic(.warning, .unknownEvent, "event \"\(m.name)\" never occurs in \(paths[m.source])", at: m.location, help: help)
        }
    }
}
