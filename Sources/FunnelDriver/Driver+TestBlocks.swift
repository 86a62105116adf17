import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelSema
import FunnelSyntax

extension Driver {
    /// Runs every `test` block of a file (language.md §9): the funnel under test reads the
    /// block's events table instead of its data, and the block's `expect` lines replace its own.
    public static func runTests(path: String, options: DriverOptions = DriverOptions()) -> (tests: [TestOutcome], diagnostics: [Diagnostic]) {
        let (units, parseDiags) = parseUnits(path: path)
        guard let main = units.first, !parseDiags.contains(where: \.isError) else { return ([], parseDiags) }
        var outcomes: [TestOutcome] = []
        for decl in main.program.declarations {
            guard case .test(let test) = decl.kind else { continue }
            let line = main.file.location(of: test.nameSpan.start).line
            var outcome = TestOutcome(name: test.name, funnel: test.funnel.text, path: main.file.path, line: line, diagnostics: [], result: nil)
            outcome.diagnostics = runOne(test, in: main, units: units, options: options, result: &outcome.result)
            outcomes.append(outcome)
        }
        return (outcomes, parseDiags)
    }

    static func runOne(_ test: TestDecl, in main: CompilationUnit, units: [CompilationUnit], options: DriverOptions,
                       result: inout FunnelResult?) -> [Diagnostic] {
        let file = main.file
        func error(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, help: String? = nil) -> [Diagnostic] {
            [Diagnostic(.error, code, message, at: .source(file, span), help: help)]
        }
        // The funnel under test, and the segments its `for` uses.
        var target: (FunnelDecl, Int)? = nil
        for (i, u) in units.enumerated() {
            for d in u.program.declarations { if case .funnel(let f) = d.kind, f.name.text == test.funnel.text { target = (f, i) } }
        }
        guard let (funnel, funnelUnit) = target else {
            let names = units.flatMap { $0.program.declarations.compactMap { d -> String? in if case .funnel(let f) = d.kind { return f.name.text }; return nil } }
            return error(.unknownFunnel, "unknown funnel '\(test.funnel.text)'", test.funnel.span, help: DidYouMean.help(test.funnel.text, among: names, kind: "funnels"))
        }
        let columns = test.table.columns.map(\.text)
        for role in ["user", "time", "event"] where !columns.contains(role) {
            return error(.badTest, "the events table has no '\(role)' column", test.table.span,
                         help: "the header names the columns: user time event, then properties")
        }
        if test.expects.isEmpty {
            return error(.badTest, "test \"\(test.name)\" has no expect lines", test.nameSpan, help: "add for example: expect purchase == 1")
        }
        // The table as a CSV file.
        let dir = NSTemporaryDirectory() + "funnel-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var csv = columns.joined(separator: ",") + "\n"
        for row in test.table.rows { csv += row.map { csvField($0.text ?? "") }.joined(separator: ",") + "\n" }
        let csvPath = dir + "/events.csv"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
        }
        catch let failure { return error(.testTableUnwritable, "cannot write the test's events: \(failure.localizedDescription)", test.table.span) }
        // Only what the funnel needs: sources, users, its segments; the test's expects replace its own.
        let needed = segmentsUsed(by: funnel, in: units)
        let testUnits = units.enumerated().map { i, u -> CompilationUnit in
            var decls: [Decl] = []
            for d in u.program.declarations {
                switch d.kind {
                case .source, .users: decls.append(d)
                case .segment(let n, _) where needed.contains(n.text): decls.append(d)
                case .measure(let n, _) where needed.contains(n.text): decls.append(d)
                case .tier(let t) where needed.contains(t.name.text): decls.append(d)
                case .funnel(let f) where i == funnelUnit && f.name.text == funnel.name.text:
                    var changed = f
                    changed.clauses = f.clauses.filter { if case .expect = $0.kind { return false }; return true }
                    decls.append(Decl(.funnel(changed), d.span))
                default: break
                }
            }
            return CompilationUnit(file: u.file, program: Program(declarations: decls))
        }
        // The test's expect lines join the funnel where it is declared; they keep pointing into the test's file.
        let expects = test.expects.map { e -> Clause in var c = e; c.origin = file; return c }
        var withExpects = testUnits
        withExpects[funnelUnit].program.declarations = testUnits[funnelUnit].program.declarations.map { d in
            guard case .funnel(var g) = d.kind, g.name.text == funnel.name.text else { return d }
            g.clauses += expects
            return Decl(.funnel(g), d.span)
        }
        var o = options
        o.sourceOverride = SourceOverride(path: csvPath, user: "user", time: "time", event: "event", columns: Set(columns))
        let c = compile(units: withExpects, parseDiagnostics: [], options: o, load: true)
        // A cell that cannot be read is shown where it is written: in the test's table, not the temporary file.
        let located = c.diagnostics.map { cellLocation($0, table: test.table, csvPath: csvPath, file: file) }
        if c.hasErrors { return located }
        result = run(c, options: o, only: [funnel.name.text]).first
        return located
    }

    /// Moves a diagnostic about the test's temporary CSV to the table cell it came from.
    static func cellLocation(_ d: Diagnostic, table: EventTable, csvPath: String, file: SourceFile) -> Diagnostic {
        guard case .data(let path, let line, let column, _)? = d.location, path == csvPath else { return d }
        let row = line - 2                           // line 1 is the header
        guard row >= 0, row < table.rows.count else { return d }
        let cells = table.rows[row]
        // The cell whose field holds the column: fields are written joined by commas.
        var start = 1
        var index = cells.count - 1
        for (i, cell) in cells.enumerated() {
            let width = csvField(cell.text ?? "").utf8.count
            if column <= start + width { index = i; break }
            start += width + 1
        }
        guard index >= 0 else { return d }
        var moved = d
        moved.location = .source(file, cells[index].span)
        return moved
    }

    /// Segments, measures and tiers a funnel refers to (`for`, `by`, `profile`, KPIs), directly or through one another.
    static func segmentsUsed(by funnel: FunnelDecl, in units: [CompilationUnit]) -> Set<String> {
        var bodies: [String: [Expr]] = [:]
        for u in units {
            for d in u.program.declarations {
                if case .segment(let n, let e) = d.kind { bodies[n.text] = [e] }
                if case .measure(let n, let e) = d.kind { bodies[n.text] = [e] }
                if case .tier(let t) = d.kind { bodies[t.name.text] = t.cases.map(\.condition) }
            }
        }
        var used = Set<String>()
        func visit(_ e: Expr) {
            switch e.kind {
            case .name(let n):
                if let body = bodies[n], used.insert(n).inserted { body.forEach(visit) }
            case .unary(_, let a): visit(a)
            case .member(let a, let m):
                // `avg(purchase.user.ltv)`: a measure read through a step's users.
                visit(a)
                if let body = bodies[m.text], used.insert(m.text).inserted { body.forEach(visit) }
            case .binary(_, let a, let b): visit(a); visit(b)
            case .between(let a, let b, let c): visit(a); visit(b); visit(c)
            case .call(_, let args, let w): args.forEach(visit); if let w = w { visit(w) }
            case .list(let xs), .path(let xs): xs.forEach(visit)
            default: break
            }
        }
        for c in funnel.clauses {
            switch c.kind {
            case .forClause(let e), .kpi(_, let e, _), .expect(let e, _): visit(e)
            case .by(let keys, _): keys.forEach { visit($0.expr) }
            case .profile(let key, let items): visit(key.expr); items.forEach { visit($0.expr) }
            default: break
            }
        }
        return used
    }
}

/// A test's events replace every source's file and column roles.
public struct SourceOverride: Sendable {
    public var path: String
    public var user: String
    public var time: String
    public var event: String
    /// The test table's columns: declared types of other columns do not apply to it.
    public var columns: Set<String>? = nil
}
