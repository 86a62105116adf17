import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// The data side of one compile: every event file mapped once, with its schema.
struct SourceData {
    var sources: [SourceSpec]
    var users: UsersSpec?
    /// The mapped file per source; nil when the data comes from the cache (or could not be read).
    var files: [MappedFile?]
    var schemas: [DataSchema]
    var usersSchema: DataSchema?
    /// The users table, mapped once.
    var usersFile: MappedFile?
    /// False when a data file could not be opened or sampled (its error is already reported).
    var allRead: Bool
}

/// The phases of one compile, with the state they pass on explicitly.
struct CompilePhases {
    let options: DriverOptions
    let cache: DataCache?
    var checker: Checker
    /// Diagnostics of the resolve and schema phases.
    var diagnostics: [Diagnostic] = []

    init(units: [CompilationUnit], options: DriverOptions, cache: DataCache?) {
        self.options = options; self.cache = cache
        self.checker = Checker(units: units)
    }

    /// Phase 1: which files to read, with `--events`, a test's table and `--delimiter` applied.
    mutating func resolveSources() -> (sources: [SourceSpec], users: UsersSpec?) {
        var (sources, users, diags) = checker.resolveSources()
        diagnostics += diags
        if let events = options.events {
            // The file's extension decides its format when it names one (.csv, .jsonl, .ndjson).
            let ext = (events as NSString).pathExtension.lowercased()
            let format: String? = ext == "csv" ? "csv" : (ext == "jsonl" || ext == "ndjson" ? "jsonl" : nil)
            for i in sources.indices {
                sources[i].path = events
                if let f = format { sources[i].format = f }
            }
        }
        if let o = options.sourceOverride {
            for i in sources.indices {
                sources[i].path = o.path; sources[i].userColumn = o.user; sources[i].timeColumn = o.time
                sources[i].eventColumn = o.event; sources[i].delimiter = UInt8(ascii: ",")
                // A test table writes times as the language does, whatever the real export's format.
                sources[i].timeFormat = nil
                if let columns = o.columns { sources[i].declaredTypes = sources[i].declaredTypes.filter { columns.contains($0.key) } }
            }
        }
        if let d = options.delimiter {
            for i in sources.indices { sources[i].delimiter = d }
            checker.delimiterFromCommandLine = true
        }
        checker.overrideSources(with: sources)
        return (sources, users)
    }

    /// Phase 2: map each event file once and sample its first rows for the schema.
    mutating func readSchemas(_ resolved: (sources: [SourceSpec], users: UsersSpec?)) -> SourceData {
        var data = SourceData(sources: resolved.sources, users: resolved.users, files: [], schemas: [], usersSchema: nil, allRead: true)
        for (i, s) in resolved.sources.enumerated() {
            if let store = cache?.stores[s.path] {
                var schema = store.schema
                schema.eventCounts = store.eventCounts
                data.files.append(nil); data.schemas.append(schema)
                continue
            }
            do {
                let file = try MappedFile(path: s.path)
                data.schemas.append(try Loader.schema(of: s, in: file, options: options.loaderOptions))
                data.files.append(file)
            } catch {
                let at = options.events == nil ? checker.sourcePathLocation(i) : nil
                if options.planWithoutData, let note = CompilePhases.unreadableNote(error, at: at, path: s.path) {
                    diagnostics.append(note)
                    var schema = DataSchema(path: s.path, columns: [], eventCounts: nil)
                    schema.unchecked = true
                    data.files.append(nil); data.schemas.append(schema)
                    continue
                }
                diagnostics += CompilePhases.diagnostics(of: error, at: at, path: s.path)
                data.files.append(nil)
                data.schemas.append(DataSchema(path: s.path, columns: [], eventCounts: nil))
                data.allRead = false
            }
        }
        if let u = resolved.users {
            do {
                let file = try MappedFile(path: u.path)
                data.usersSchema = try ProfileTable.schema(of: u, in: file, options: options.loaderOptions)
                data.usersFile = file
            } catch {
                if options.planWithoutData, let note = CompilePhases.unreadableNote(error, at: checker.usersPathLocation, path: u.path) {
                    diagnostics.append(note)
                    var schema = DataSchema(path: u.path, columns: [], eventCounts: nil)
                    schema.unchecked = true
                    data.usersSchema = schema
                    return data
                }
                diagnostics += CompilePhases.diagnostics(of: error, at: checker.usersPathLocation, path: u.path)
                data.allRead = false
            }
        }
        return data
    }

    /// E401 (a data file that cannot be opened) as a warning, when the plan is made without the data.
    static func unreadableNote(_ error: Error, at location: DiagnosticLocation?, path: String) -> Diagnostic? {
        guard let e = error as? DiagnosticsError, e.diagnostics.count == 1, e.diagnostics[0].code == .dataFileUnreadable,
              var d = diagnostics(of: error, at: location, path: path).first else { return nil }
        d.severity = .warning
        d.message += "; the plan is shown without it, column types unchecked"
        d.help = "names and types are checked against the data once the file is there"
        return d
    }

    /// A reader's error, shown at the path in the `.funnel` file that names the file when it is about the whole file.
    static func diagnostics(of error: Error, at location: DiagnosticLocation?, path: String) -> [Diagnostic] {
        guard let e = error as? DiagnosticsError else { return [Driver.internalError("reading \(path) failed: \(error)")] }
        return e.diagnostics.map { d in
            guard case .file(let p)? = d.location, let loc = location else { return d }
            var moved = d
            moved.location = loc
            moved.message = d.message + " (\(p))"
            return moved
        }
    }

    /// Phase 3: names and types against the schemas, once.
    mutating func check(_ data: SourceData) -> (CheckedProgram, [Diagnostic]) {
        checker.check(schemas: data.schemas, usersSchema: data.usersSchema)
    }

    /// When checking failed: count the events of the files whose roles resolve, and warn about
    /// names that never occur. A data error found on the way is reported too.
    func eventWarningsWithoutRunning(_ program: CheckedProgram, _ data: SourceData) -> [Diagnostic] {
        var counts: [[String: Int]?] = []
        var problems: [Diagnostic] = []
        for (i, s) in data.sources.enumerated() {
            guard !program.sourcesMissingRoles.contains(i), let file = data.files[i] else {
                counts.append(cache?.stores[s.path]?.eventCounts)
                continue
            }
            do { counts.append(try Loader.load(s, from: file, properties: [], schema: data.schemas[i], options: options.loaderOptions).eventCounts) }
            catch {
                counts.append(nil)
                problems += CompilePhases.diagnostics(of: error, at: nil, path: s.path)
            }
        }
        return problems + Checker.unknownEventWarnings(program.eventMentions, counts: counts, paths: data.sources.map(\.path))
    }

    /// Phase 4b: columns the plan reads that were empty in every sampled row are typed from the
    /// rest of the file; true when one got a type (the program is then checked again with it).
    func typeColumnsEmptyInSample(_ plan: Plan, _ data: inout SourceData) throws -> Bool {
        var typed = false
        for (i, sp) in plan.sources.enumerated() where i < data.files.count {
            let empty = sp.columns.filter { $0.type == .unknown && sp.spec.declaredTypes[$0.name] == nil }.map(\.name)
            guard !empty.isEmpty, let file = data.files[i] else { continue }
            for (name, type) in try Loader.typeColumnsEmptyInSample(empty, of: sp.spec, in: file, options: options.loaderOptions) where type != .unknown {
                data.schemas[i].setType(type, of: name)
                typed = true
            }
        }
        return typed
    }

    /// Phase 5: read the columns the plan needs (every column in the REPL, but identifier-like strings).
    func load(_ plan: Plan, _ data: SourceData) throws -> ([EventStore], ProfileTable?) {
        var stores: [EventStore] = []
        for (i, sp) in plan.sources.enumerated() {
            if let cached = cache?.stores[sp.spec.path] {
                // Kept data: read again only the columns this plan needs and it lacks.
                let missing = sp.columnNames.filter { cached.properties[$0] == nil }
                if !missing.isEmpty {
                    let more = try Loader.load(sp.spec, properties: missing, schema: data.schemas[i], options: options.loaderOptions)
                    cached.adopt(missing, from: more)
                }
                stores.append(cached)
                continue
            }
            guard let file = data.files[i] else { throw DiagnosticsError([Driver.internalError("\(sp.spec.path) was not mapped")]) }
            let roles = [sp.spec.userColumn, sp.spec.timeColumn, sp.spec.eventColumn]
            let schema = data.schemas[i]
            let props = options.loadAllColumns
                ? Array(Set(schema.columnNames.filter { !roles.contains($0) && !schema.identifierLike.contains($0) && !schema.looselyTyped.contains($0) }
                            + sp.columnNames)).sorted()
                : sp.columnNames
            let store = try Loader.load(sp.spec, from: file, properties: props, schema: schema, options: options.loaderOptions)
            cache?.stores[sp.spec.path] = store
            stores.append(store)
        }
        var profile: ProfileTable? = nil
        if let u = plan.users {
            if let p = cache?.profile, p.path == u.spec.path, u.columnNames.allSatisfy({ p.columns[$0] != nil }) { profile = p }
            else {
                let loose = data.usersSchema?.looselyTyped ?? []
                let columns = options.loadAllColumns
                    ? Array(Set((data.usersSchema?.columnNames ?? []).filter { !loose.contains($0) } + u.columnNames)).sorted()
                    : u.columnNames
                profile = try data.usersFile.map { try ProfileTable.load(u.spec, from: $0, columns: columns, options: options.loaderOptions) }
                    ?? ProfileTable.load(u.spec, columns: columns, options: options.loaderOptions)
                cache?.profile = profile
            }
        }
        return (stores, profile)
    }
}
