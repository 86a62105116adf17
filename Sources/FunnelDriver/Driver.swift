import Foundation
import FunnelCore
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
    /// `funnel explain`: a data file that cannot be opened is not an error; the plan is made
    /// without it (column types "unchecked") and a warning says so.
    public var planWithoutData = false
    /// `--max-groups`: breakdown groups shown before the rest go to "(other)" (0: all).
    public var maxGroups = FunnelRunner.defaultMaxGroups
    /// `--max-memory`: resident bytes at which loading stops with E414 (default: 80% of the machine's memory).
    public var maxMemory: Int? = nil
    /// Monotonic nanoseconds after which loading and running stop as on Ctrl-C (the REPL's `:timeout`).
    public var deadline: Int64? = nil
    /// Told while a data file loads (`funnel run` shows a progress line on a terminal).
    public var progress: (@Sendable (_ path: String, _ bytes: Int, _ total: Int, _ rows: Int) -> Void)? = nil
    public init(events: String? = nil, skipBadRows: Bool = false, delimiter: UInt8? = nil, asOf: Int64? = nil) {
        self.events = events; self.skipBadRows = skipBadRows; self.delimiter = delimiter; self.asOf = asOf
    }
    var loaderOptions: Loader.Options {
        var o = Loader.Options(skipBadRows: skipBadRows, delimiter: delimiter)
        if let m = maxMemory { o.maxResidentBytes = m }
        let deadline = self.deadline
        o.cancelled = { Cancellation.shouldStop(deadline: deadline) }
        o.progress = progress
        return o
    }
}

/// Data kept between compilations (the REPL): event stores by path, and the users table.
public final class DataCache: @unchecked Sendable {
    public internal(set) var stores: [String: EventStore] = [:]
    public internal(set) var profile: ProfileTable?
    public init() {}

    /// The same data in a cache of its own: each store is copied (a query that reads a missing
    /// column adds it to the copy only); the users table, which no query changes, is shared.
    public func copy() -> DataCache {
        let c = DataCache()
        c.stores = stores.mapValues { $0.copy() }
        c.profile = profile
        return c
    }
}

/// The outcome of compiling (and possibly loading) a `.funnel` file.
public struct Compilation: Sendable {
    public var diagnostics: [Diagnostic] = []
    public var units: [CompilationUnit] = []
    /// The plan that runs; nil when the definition has errors.
    public var plan: Plan?
    /// One store per plan source (when loaded).
    public var stores: [EventStore] = []
    public var profile: ProfileTable?
    public var hasErrors: Bool { diagnostics.contains { $0.isError } }
}

/// The one place that chains the phases: parse → resolve sources → read schemas → check →
/// plan → load → run. Each phase runs once per compile and each data file is mapped once.
public enum Driver {
    /// Reads and parses a file and everything it imports (each once; cycles are read once).
    /// `texts` holds files' unsaved texts by path (an editor's open documents): they are parsed
    /// instead of what is on disk.
    public static func parseUnits(path: String, texts: [String: String] = [:]) -> ([CompilationUnit], [Diagnostic]) {
        var units: [CompilationUnit] = []
        var diags: [Diagnostic] = []
        var seen = Set<String>()
        let unsaved = Dictionary(texts.map { (($0.key as NSString).standardizingPath, $0.value) }, uniquingKeysWith: { a, _ in a })
        func visit(_ path: String, from: (SourceFile, SourceSpan)?) {
            let key = (path as NSString).standardizingPath
            if seen.contains(key) { return }
            seen.insert(key)
            if let text = unsaved[key] {
                parsed(SourceFile(path: path, text: text))
                return
            }
            let problem = FileProbe.problem(with: path)
            guard problem == nil, let data = FileManager.default.contents(atPath: path) else {
                let loc: DiagnosticLocation = from.map { .source($0.0, $0.1) } ?? .file(path: path)
                let why = problem ?? "it could not be read"
                diags.append(Diagnostic(.error, .funnelFileUnreadable, why == "file not found" ? "file not found: '\(path)'" : "cannot read '\(path)': \(why)", at: loc,
                                        help: from == nil ? "check the path" : "imports are resolved from the importing file's folder"))
                return
            }
            guard let text = String(data: data, encoding: .utf8) else {
                diags.append(Diagnostic(.error, .funnelFileNotUTF8, "the file is not valid UTF-8 text", at: .file(path: path), help: "save it as UTF-8"))
                return
            }
            parsed(SourceFile(path: path, text: text))
        }
        func parsed(_ file: SourceFile) {
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

    /// Compiles a file; with `load`, also reads the data (so event-name warnings and runs work).
    public static func compile(path: String, options: DriverOptions = DriverOptions(), load: Bool) -> Compilation {
        Phases.start()
        let (units, parseDiags) = parseForCompile(path: path)
        return compile(units: units, parseDiagnostics: parseDiags, options: options, load: load)
    }

    /// A file with its imports, parsed as `compile(path:)` parses it: a file without funnels is warned about.
    static func parseForCompile(path: String, texts: [String: String] = [:]) -> ([CompilationUnit], [Diagnostic]) {
        var (units, parseDiags) = parseUnits(path: path, texts: texts)
        let declaresFunnels = units.contains { $0.program.declarations.contains { if case .funnel = $0.kind { return true } else { return false } } }
        if let main = units.first, !declaresFunnels, !parseDiags.contains(where: \.isError) {
            parseDiags.append(Diagnostic(.warning, .noFunnels, "no funnels: the file declares none", at: .file(path: main.file.path),
                                         help: "declare one: funnel checkout { step view = \"view\"  step buy = \"purchase\" }"))
        }
        return (units, parseDiags)
    }

    public static func compile(units: [CompilationUnit], parseDiagnostics: [Diagnostic], options: DriverOptions,
                               load: Bool, cache: DataCache? = nil) -> Compilation {
        var c = Compilation()
        c.units = units
        c.diagnostics = parseDiagnostics
        guard !units.isEmpty else { return finish(c) }
        var phase = CompilePhases(units: units, options: options, cache: cache)
        let sources = phase.resolveSources()
        var data = phase.readSchemas(sources)
        c.diagnostics += phase.diagnostics
        // A data file that cannot be read is reported once; checking names against it would only add noise.
        guard data.allRead else { return finish(c) }
        let unchecked = phase
        var (program, checkDiags) = phase.check(data)
        if load && !checkDiags.contains(where: \.isError) {
            do {
                // A column empty in the sampled rows: typed from the whole file, then checked again with its type.
                let draft = Planner.plan(program, schemas: data.schemas, usersSchema: data.usersSchema)
                if try phase.typeColumnsEmptyInSample(draft, &data) {
                    phase = unchecked
                    (program, checkDiags) = phase.check(data)
                }
            } catch {
                c.diagnostics += CompilePhases.diagnostics(of: error, at: nil, path: "")
                return finish(c)
            }
        }
        c.diagnostics += checkDiags
        if checkDiags.contains(where: \.isError) || c.hasErrors {
            // Still say which event names never occur: such typos often cause the errors.
            if load && options.sourceOverride == nil { c.diagnostics += phase.eventWarningsWithoutRunning(program, data) }
            return finish(c)
        }
        let plan = Planner.plan(program, schemas: data.schemas, usersSchema: data.usersSchema)
        c.plan = plan
        Phases.mark("parsed, sampled and checked")
        guard load else { return finish(c) }
        do {
            (c.stores, c.profile) = try phase.load(plan, data)
        } catch let e as DiagnosticsError {
            c.diagnostics += e.diagnostics
            c.plan = nil
            return finish(c)
        } catch {
            c.diagnostics.append(Driver.internalError("loading the data failed: \(error)"))
            c.plan = nil
            return finish(c)
        }
        // A test's small table need not hold every event name the funnel mentions.
        if options.sourceOverride == nil {
            c.diagnostics += Checker.unknownEventWarnings(program.eventMentions, counts: c.stores.map { $0.eventCounts },
                                                          paths: plan.sources.map(\.spec.path))
        }
        return finish(c)
    }

    /// An impossible state reached: said plainly, never hidden.
    static func internalError(_ what: String) -> Diagnostic {
        Diagnostic(.error, .internalError, "internal error: \(what)", help: "this is a bug in funnel, please report it")
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
        // The same finding reached twice (a source shared by two imports, a phase run again) is said once.
        var seen = Set<String>()
        let plain = DiagnosticRenderer()
        c.diagnostics = c.diagnostics.filter { seen.insert(plain.render($0)).inserted }
        return c
    }

    /// Runs every funnel of a compiled program (or only those named), each on its own source's store.
    public static func run(_ c: Compilation, options: DriverOptions = DriverOptions(), only: [String]? = nil) -> [FunnelResult] {
        guard let plan = c.plan, c.stores.count == plan.sources.count else { return [] }
        Phases.mark("loaded")
        defer { Phases.mark("ran") }
        return plan.funnels.filter { only == nil || only?.contains($0.name) == true }.map { f in
            var runner = FunnelRunner(funnel: f, store: c.stores[f.source], profile: c.profile, asOf: options.asOf, maxGroups: options.maxGroups)
            runner.deadline = options.deadline
            return runner.run()
        }
    }
}

/// `FUNNEL_PHASES=1` prints how long each phase took (to standard error).
public enum Phases {
    /// Guarded by `lock`: compiles may run on several threads at once (a data race otherwise).
    nonisolated(unsafe) static var last = DispatchTime.now().uptimeNanoseconds
    static let lock = NSLock()
    static let on = ProcessInfo.processInfo.environment["FUNNEL_PHASES"] == "1"
    /// The clock starts here (the first phase is measured from it, not from the first mark).
    public static func start() {
        guard on else { return }
        lock.withLock { last = DispatchTime.now().uptimeNanoseconds }
    }

    public static func mark(_ what: String) {
        guard on else { return }
        lock.withLock {
            let prev = last
            let now = DispatchTime.now().uptimeNanoseconds
            FileHandle.standardError.write("[phase] \(what): \(Double(now &- prev) / 1e6) ms\n".data(using: .utf8) ?? Data())
            last = now
        }
    }
}
