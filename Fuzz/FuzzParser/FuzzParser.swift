// libFuzzer target: `.funnel` source text through the lexer, the recovering parser, the
// checker (against a small fixed schema: no data is read) and, when it checks, the planner.
// Built and run by `make fuzz` (README "Fuzzing"); exists only when FUNNEL_FUZZ=1.
import FunnelCore
import FunnelDiagnostics
import FunnelPlan
import FunnelSema
import FunnelSyntax

/// Columns every source has besides its three roles, and the users table's columns besides its key.
let eventColumns: [(name: String, type: ValueType)] = [
    ("device", .string), ("country", .string), ("price", .number), ("plan", .string),
    ("paid", .bool), ("signup_at", .time), ("session", .string), ("page.url", .string),
]
let userColumns: [(name: String, type: ValueType)] = [("age", .number), ("plan", .string), ("gender", .string), ("vip", .bool), ("joined", .time)]
let eventCounts = ["view": 900, "cart": 300, "purchase": 120, "signup": 50, "remove_from_cart": 30]

/// A schema with the roles (user string, time time, event string) and the fixed columns, each name once.
func schema(path: String, roles: [(String, ValueType)], extra: [(name: String, type: ValueType)], events: [String: Int]?) -> DataSchema {
    var columns: [(name: String, type: ValueType)] = []
    for (name, type) in roles + extra.map({ ($0.name, $0.type) }) where !columns.contains(where: { $0.name == name }) {
        columns.append((name, type))
    }
    return DataSchema(path: path, columns: columns, eventCounts: events)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = SourceFile(path: "/fuzz/input.funnel", text: text)
    let (program, parseDiags) = Parser.parse(file)
    var checker = Checker(units: [CompilationUnit(file: file, program: program)])
    let (sources, users, resolveDiags) = checker.resolveSources()
    let schemas = sources.map { s in
        schema(path: s.path, roles: [(s.userColumn, .string), (s.timeColumn, .time), (s.eventColumn, .string)], extra: eventColumns, events: eventCounts)
    }
    let usersSchema = users.map { u in schema(path: u.path, roles: [(u.keyColumn, .string)], extra: userColumns, events: nil) }
    let (checked, checkDiags) = checker.check(schemas: schemas, usersSchema: usersSchema)
    var diags = parseDiags + resolveDiags + checkDiags
    diags += Checker.unknownEventWarnings(checked.eventMentions, counts: schemas.map(\.eventCounts), paths: sources.map(\.path))
    _ = DiagnosticRenderer().render(diags)
    _ = DiagnosticRenderer.summary(diags)
    if !diags.contains(where: \.isError) {
        let plan = Planner.plan(checked, schemas: schemas, usersSchema: usersSchema)
        _ = Explain.render(plan)
    }
    return 0
}
