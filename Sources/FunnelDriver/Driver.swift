import Foundation
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// Settings that come from the command line (or the REPL).
public struct DriverOptions: Sendable {
    /// `--events PATH`: replaces every source's path, keeping its mapping.
    public var events: String?
    public var skipBadRows = false
    public var delimiter: UInt8?
    /// `--as-of`: "now" for recency, in µs.
    public var asOf: Int64?
    /// Load every column, not only those the plan uses (the REPL keeps the data for later queries).
    public var loadAllColumns = false
    /// `funnel test`: every source reads the test's table, with its own column roles.
    public var sourceOverride: SourceOverride?
    public init(events: String? = nil, skipBadRows: Bool = false, delimiter: UInt8? = nil, asOf: Int64? = nil) {
        self.events = events; self.skipBadRows = skipBadRows; self.delimiter = delimiter; self.asOf = asOf
    }
    var loaderOptions: Loader.Options { Loader.Options(skipBadRows: skipBadRows, delimiter: delimiter) }
}

/// The outcome of compiling (and possibly loading and running) a `.funnel` file.
public struct Compilation: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var units: [CompilationUnit] = []
    public var program: CheckedProgram?
    public var plan: Plan?
    public var stores: [EventStore] = []
    public var profile: ProfileTable?
    public var hasErrors: Bool { diagnostics.contains { $0.isError } }
}

/// The one place that chains parse → check → plan → load → run.
public enum Driver {
    /// Reads and parses a file and everything it imports (each once; cycles are errors).
    public static func parseUnits(path: String) -> ([CompilationUnit], [Diagnostic]) {
        var units: [CompilationUnit] = []
        var diags: [Diagnostic] = []
        var seen = Set<String>()
        func visit(_ path: String, from: (SourceFile, SourceSpan)?) {
            let key = (path as NSString).standardizingPath
            if seen.contains(key) { return }
            seen.insert(key)
            guard let data = FileManager.default.contents(atPath: path) else {
                let loc: DiagnosticLocation = from.map { .source($0.0, $0.1) } ?? .file(path: path)
                let exists = FileManager.default.fileExists(atPath: path)
                diags.append(Diagnostic(.error, "E401", exists ? "cannot read '\(path)'" : "file not found: '\(path)'", at: loc,
                                        help: from == nil ? "check the path" : "imports are resolved from the importing file's folder"))
                return
            }
            guard let text = String(data: data, encoding: .utf8) else {
                diags.append(Diagnostic(.error, "E408", "the file is not valid UTF-8 text", at: .file(path: path), help: "save it as UTF-8"))
                return
            }
            let file = SourceFile(path: path, text: text)
            let (program, parseDiags) = Parser.parse(file)
            diags += parseDiags
            let unit = CompilationUnit(file: file, program: program)
            units.append(unit)
            for d in program.declarations {
                if case .importFile(let rel, let span) = d.kind {
                    let target = rel.hasPrefix("/") ? rel : (unit.directory == "." ? rel : (unit.directory as NSString).appendingPathComponent(rel))
                    visit(target, from: (file, span))
                }
            }
        }
        visit(path, from: nil)
        return (units, diags)
    }

    /// Compiles a file; with `load`, also reads the data (so event-name warnings and expects work).
    public static func compile(path: String, options: DriverOptions = DriverOptions(), load: Bool) -> Compilation {
        let (units, parseDiags) = parseUnits(path: path)
        return compile(units: units, parseDiagnostics: parseDiags, options: options, load: load)
    }

    public static func compile(units: [CompilationUnit], parseDiagnostics: [Diagnostic], options: DriverOptions,
                               load: Bool, cachedStores: [String: EventStore] = [:], cachedProfile: ProfileTable? = nil) -> Compilation {
        var c = Compilation()
        c.units = units
        c.diagnostics = parseDiagnostics
        guard !units.isEmpty else { return finish(c) }
        var checker = Checker(units: units)
        var (sources, users, resolveDiags) = checker.resolveSources()
        c.diagnostics += resolveDiags
        if let events = options.events {
            // The file's extension decides its format when it names one (.csv, .jsonl, .ndjson).
            let ext = (events as NSString).pathExtension.lowercased()
            let format: String? = ext == "csv" ? "csv" : (ext == "jsonl" || ext == "ndjson" ? "jsonl" : nil)
            for i in sources.indices {
                sources[i].path = events
                if let f = format { sources[i].format = f }
            }
            checker.overrideSources(with: sources)
        }
        if let o = options.sourceOverride {
            for i in sources.indices {
                sources[i].path = o.path; sources[i].userColumn = o.user; sources[i].timeColumn = o.time
                sources[i].eventColumn = o.event; sources[i].delimiter = UInt8(ascii: ",")
            }
            checker.overrideSources(with: sources)
        }
        if let d = options.delimiter { for i in sources.indices { sources[i].delimiter = d } }
        // The schema of every source (a sample of its rows), to check names and types against.
        var schemas: [DataSchema] = []
        for (i, s) in sources.enumerated() {
            if let store = cachedStores[s.path] { schemas.append(store.schema); continue }
            do { schemas.append(try Loader.schema(of: s, options: options.loaderOptions)) }
            catch let e as DiagnosticsError {
                c.diagnostics += e.diagnostics.map { relocate($0, to: options.events == nil ? checker.sourcePathLocation(i) : nil) }
                schemas.append(DataSchema(path: s.path, columns: [], eventCounts: nil))
            }
            catch { c.diagnostics.append(Diagnostic(.error, "E401", "\(error)", at: .file(path: s.path))) }
        }
        var usersSchema: DataSchema? = nil
        if let u = users {
            do { usersSchema = try ProfileTable.schema(of: u) }
            catch let e as DiagnosticsError { c.diagnostics += e.diagnostics.map { relocate($0, to: checker.usersPathLocation) } }
            catch {}
        }
        // A missing data file is reported once; checking names against it would only add noise.
        if c.diagnostics.contains(where: { $0.isError && $0.code.hasPrefix("E4") }) { return finish(c) }
        var firstChecker = checker
        let (program, checkDiags) = firstChecker.check(schemas: schemas, usersSchema: usersSchema)
        if checkDiags.contains(where: \.isError) || c.hasErrors || !load {
            c.diagnostics += checkDiags
            if !c.hasErrors { c.program = program; c.plan = Planner.plan(program) }
            else if load && !checkDiags.contains(where: { $0.code == "E205" }) {
                // Still say which event names never occur: such typos often cause the errors.
                let counts = sources.enumerated().compactMap { i, s in
                    (try? Loader.load(s, properties: [], schema: schemas[i], options: options.loaderOptions)).map { (i, $0.eventCounts) }
                }
                if counts.count == sources.count {
                    let full = schemas.enumerated().map { i, sc in DataSchema(path: sc.path, columns: sc.columns, eventCounts: counts[i].1) }
                    var again = checker
                    c.diagnostics += again.check(schemas: full, usersSchema: usersSchema).diagnostics.filter { !$0.isError && $0.code == "E210" }
                }
            }
            return finish(c)
        }
        let plan = Planner.plan(program)
        Phases.mark("parsed and checked")
        // Read the data: the mapped columns and the properties the plan uses.
        do {
            for (i, sp) in plan.sources.enumerated() {
                if let cached = cachedStores[sp.source.path] {
                    // Kept data: read again only the columns this plan needs and it lacks.
                    let missing = sp.properties.filter { cached.properties[$0] == nil }
                    if !missing.isEmpty {
                        let more = try Loader.load(sp.source, properties: missing, schema: schemas[i], options: options.loaderOptions)
                        cached.adopt(missing, from: more)
                    }
                    c.stores.append(cached); continue
                }
                let roles = [sp.source.userColumn, sp.source.timeColumn, sp.source.eventColumn]
                // The REPL keeps every column but identifier-like strings (read when a query needs them).
                let props = options.loadAllColumns
                    ? Array(Set(schemas[i].columnNames.filter { !roles.contains($0) && !schemas[i].identifierLike.contains($0) } + sp.properties)).sorted()
                    : sp.properties
                c.stores.append(try Loader.load(sp.source, properties: props, schema: schemas[i], options: options.loaderOptions))
            }
            if let u = plan.users {
                if let p = cachedProfile, p.path == u.users.path, u.columns.allSatisfy({ p.columns[$0] != nil }) { c.profile = p }
                else { c.profile = try ProfileTable.load(u.users, columns: options.loadAllColumns ? (usersSchema?.columnNames ?? u.columns) : u.columns) }
            }
        } catch let e as DiagnosticsError {
            c.diagnostics += e.diagnostics
            return finish(c)
        } catch {
            c.diagnostics.append(Diagnostic(.error, "E401", "\(error)"))
            return finish(c)
        }
        // Check again with the event names that occur in the data, for the warnings.
        let full = zip(schemas, c.stores).map { s, store in DataSchema(path: s.path, columns: s.columns, eventCounts: store.eventCounts) }
        var second = checker
        let (program2, diags2) = second.check(schemas: full, usersSchema: usersSchema)
        c.diagnostics += diags2
        c.program = program2
        c.plan = Planner.plan(program2)
        return finish(c)
    }

    /// A data file's whole-file error, shown at the path in the `.funnel` file that names it.
    static func relocate(_ d: Diagnostic, to location: DiagnosticLocation?) -> Diagnostic {
        guard case .file(let path)? = d.location, let loc = location else { return d }
        var moved = d
        moved.location = loc
        moved.message = d.message + " (\(path))"
        return moved
    }

    /// Diagnostics in reading order: by file (as loaded), then by position.
    static func finish(_ c: Compilation) -> Compilation {
        var c = c
        let order = Dictionary(c.units.enumerated().map { ($1.file.path, $0) }, uniquingKeysWith: { a, _ in a })
        c.diagnostics = c.diagnostics.enumerated().sorted { a, b in
            let pa = a.element.position, pb = b.element.position
            let fa = pa.flatMap { order[$0.path] } ?? Int.max, fb = pb.flatMap { order[$0.path] } ?? Int.max
            if fa != fb { return fa < fb }
            if let pa = pa, let pb = pb, fa != Int.max, (pa.line, pa.column) != (pb.line, pb.column) { return (pa.line, pa.column) < (pb.line, pb.column) }
            return a.offset < b.offset
        }.map(\.element)
        return c
    }

    /// Runs every funnel of a compiled program (or only those named).
    public static func run(_ c: Compilation, options: DriverOptions = DriverOptions(), only: [String]? = nil) -> [FunnelResult] {
        guard let plan = c.plan else { return [] }
        Phases.mark("compiled and loaded")
        defer { Phases.mark("ran") }
        return plan.funnels.filter { only == nil || only?.contains($0.name) == true }.compactMap { f in
            guard f.source < c.stores.count else { return nil }
            return FunnelRunner(funnel: f, store: c.stores[f.source], profile: c.profile, asOf: options.asOf,
                                timezone: plan.sources[f.source].source.timezone).run()
        }
    }
}

/// `FUNNEL_PHASES=1` prints how long each phase took (to standard error).
public enum Phases {
    nonisolated(unsafe) static var last = DispatchTime.now().uptimeNanoseconds
    static let on = ProcessInfo.processInfo.environment["FUNNEL_PHASES"] == "1"
    public static func mark(_ what: String) {
        guard on else { return }
        let prev = last
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write("[phase] \(what): \(Double(now &- prev) / 1e6) ms\n".data(using: .utf8) ?? Data())
        last = now
    }
}
