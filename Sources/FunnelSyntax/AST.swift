import FunnelDiagnostics

/// A name as written, with where it was written.
public struct Name: Sendable, Equatable {
    public var text: String
    public var span: SourceSpan
    public init(_ text: String, _ span: SourceSpan) { self.text = text; self.span = span }
}

/// An expression: event predicates, user expressions, KPIs and expects share one syntax;
/// the checker decides what each may contain.
public struct Expr: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case string(String)
        case number(Double)
        case percent(Double)
        case duration(Int64)
        case date(Int64)
        case dateTime(Int64)
        case bool(Bool)
        case null
        case list([Expr])
        /// A bare identifier: a property, step, segment, KPI or built-in name.
        case name(String)
        /// A backticked property name.
        case quotedName(String)
        /// `base.member`, as in `user.age` or `purchase.price`.
        case member(Expr, Name)
        /// `f(args [where pred])`
        case call(Name, [Expr], whereClause: Expr?)
        /// `a -> b -> c` (inside `time(...)`).
        case path([Expr])
        case unary(UnaryOp, Expr)
        case binary(BinaryOp, Expr, Expr)
        /// `x between lo and hi`
        case between(Expr, Expr, Expr)
    }
    public let kind: Kind
    public var span: SourceSpan
    /// The number of levels of the tree (1 for a leaf): the parser keeps it bounded, so the
    /// stages after it may recurse over expressions (and releasing one never overflows).
    public let height: Int
    public init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
        switch kind {
        case .list(let xs), .path(let xs): height = 1 + xs.reduce(0) { max($0, $1.height) }
        case .member(let x, _), .unary(_, let x): height = 1 + x.height
        case .call(_, let xs, let w): height = 1 + max(w?.height ?? 0, xs.reduce(0) { max($0, $1.height) })
        case .binary(_, let a, let b): height = 1 + max(a.height, b.height)
        case .between(let a, let b, let c): height = 1 + max(a.height, b.height, c.height)
        default: height = 1
        }
    }
}

public enum UnaryOp: String, Sendable { case not, negate = "-" }

public enum BinaryOp: String, Sendable, CaseIterable {
    case or, and
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case inList = "in", notIn = "not in", contains, startsWith = "starts_with", matches
    case add = "+", sub = "-", mul = "*", div = "/"
}

/// A whole `.funnel` file.
public struct Program: Sendable {
    public var declarations: [Decl]
    public init(declarations: [Decl]) { self.declarations = declarations }
}

public struct Decl: Sendable {
    public enum Kind: Sendable {
        case source(SourceDecl)
        case users(SourceDecl)
        case segment(name: Name, expr: Expr)
        /// `measure NAME = USER-EXPR`: a number or a text per user (`measure ltv = clv("purchase", price).predicted`).
        case measure(name: Name, expr: Expr)
        case tier(TierDecl)
        case importFile(path: String, pathSpan: SourceSpan)
        case funnel(FunnelDecl)
        case test(TestDecl)
    }
    public var kind: Kind
    public var span: SourceSpan
    public init(_ kind: Kind, _ span: SourceSpan) { self.kind = kind; self.span = span }
}

/// `source NAME = csv("path") { user = col  time = col  event = col  timezone "Area/City" }`,
/// and `users = csv("path") { key = col }` (then `name` is "users").
public struct SourceDecl: Sendable {
    public var name: Name
    public var format: Name
    public var path: String
    public var pathSpan: SourceSpan
    public var settings: [Setting]
    public init(name: Name, format: Name, path: String, pathSpan: SourceSpan, settings: [Setting]) {
        self.name = name; self.format = format; self.path = path; self.pathSpan = pathSpan; self.settings = settings
    }
}

/// One line of a source block: `user = user_id`, `timezone "Europe/Paris"`, `delimiter ";"`.
public struct Setting: Sendable {
    /// `user = COLUMN`, `timezone "UTC"`, or a column's declared type (`price: number`, the type's name).
    public enum Value: Sendable { case column(Name), string(String, SourceSpan), type(Name) }
    public var key: Name
    public var value: Value
    /// `time = event_time format "%d/%m/%Y %H:%M"`: the layout, where it was written.
    public var format: (text: String, span: SourceSpan)? = nil
    public init(key: Name, value: Value) { self.key = key; self.value = value }
    /// True for a declared column type (`price: number`).
    public var isTypeDeclaration: Bool { if case .type = value { return true } else { return false } }
    public var valueSpan: SourceSpan {
        switch value { case .column(let n), .type(let n): return n.span; case .string(_, let s): return s }
    }
    public var valueText: String {
        switch value { case .column(let n), .type(let n): return n.text; case .string(let s, _): return s }
    }
}

/// `funnel NAME [from SOURCE] { clauses }`
public struct FunnelDecl: Sendable {
    public var name: Name
    public var from: Name?
    public var clauses: [Clause]
    public init(name: Name, from: Name?, clauses: [Clause]) { self.name = name; self.from = from; self.clauses = clauses }
}

/// A breakdown key: `device`, `user.country`, `device at purchase`, `device all`, `week`.
public struct BreakdownKey: Sendable {
    public var expr: Expr
    public var at: Name?
    public var all: Bool
    /// `bands [18, 25, 35]`: a number's value grouped into ranges between these edges.
    public var bands: Expr?
    /// `by X last`: from the event of the furthest step reached (last touch).
    public var last = false
    public init(expr: Expr, at: Name?, all: Bool, bands: Expr? = nil) { self.expr = expr; self.at = at; self.all = all; self.bands = bands }
}

/// A column of a profile: `user.age`, `orders`, `spend = sum(price where "purchase")`.
public struct ProfileItem: Sendable {
    public var name: Name?
    public var expr: Expr
    public init(name: Name?, expr: Expr) { self.name = name; self.expr = expr }
}

/// How a KPI is shown: `format money`, `decimals 1` (both optional).
public struct KPIDisplay: Sendable {
    public var format: Name?
    /// The number after `decimals`, as written.
    public var decimals: Expr?
    public init(format: Name? = nil, decimals: Expr? = nil) { self.format = format; self.decimals = decimals }
}

public struct Clause: Sendable {
    public enum Kind: Sendable {
        /// `window 7d`; nil means `window none`.
        case window(Expr?)
        case order(Name)
        case ties(Name)
        case step(name: Name, predicate: Expr, within: Expr?)
        case exclude(predicate: Expr, between: (Name, Name)?, remove: Bool)
        case whereClause(Expr)
        case forClause(Expr)
        case dates(Expr, Expr)
        /// `dates last 30d`, `dates last 4 weeks`: the days up to the as-of day.
        case datesLast(Expr, unit: Name?)
        /// `by KEY, … [top N]`: with `top`, the N largest groups and the rest in "(other)".
        case by([BreakdownKey], top: Expr?)
        case hold(Expr)
        case count(Expr)
        /// `kpi NAME = EXPR [format percent|number|seconds|money] [decimals N]`
        case kpi(name: Name, expr: Expr, display: KPIDisplay)
        /// `expect CONDITION [for each KEY]`: with `for each`, in every breakdown group.
        case expect(Expr, forEach: Name?)
        /// `compare [by KEY] [baseline VALUE]`
        case compare(key: Expr?, baseline: Expr?)
        /// `profile by KEY [{ [NAME =] USER-EXPR … }]`: the funnel's users described per group of KEY.
        case profile(key: BreakdownKey, items: [ProfileItem])
    }
    public var kind: Kind
    public var span: SourceSpan
    /// The clause's keyword (`step`, `kpi`, ...).
    public var keyword: Name
    /// The file the clause was written in when it is not its funnel's file: a clause typed in
    /// the REPL to change a defined funnel, or a test's `expect` line. Its spans point there.
    public var origin: SourceFile?
    public init(_ kind: Kind, _ span: SourceSpan, keyword: Name, origin: SourceFile? = nil) {
        self.kind = kind; self.span = span; self.keyword = keyword; self.origin = origin
    }
}

/// `test "name" for FUNNEL { events { table } expect ... }` (language.md §9).
public struct TestDecl: Sendable {
    public var name: String
    public var nameSpan: SourceSpan
    public var funnel: Name
    public var table: EventTable
    /// The test's `expect` clauses (they replace the funnel's own when the test runs).
    public var expects: [Clause]
    public init(name: String, nameSpan: SourceSpan, funnel: Name, table: EventTable, expects: [Clause]) {
        self.name = name; self.nameSpan = nameSpan; self.funnel = funnel; self.table = table; self.expects = expects
    }
}

/// A whitespace-separated table of events: a header line, then one event per line; `-` is missing.
public struct EventTable: Sendable {
    public struct Cell: Sendable {
        /// The text as written (without quotes for strings); nil for `-`.
        public var text: String?
        public var span: SourceSpan
        public init(text: String?, span: SourceSpan) { self.text = text; self.span = span }
    }
    public var columns: [Name]
    public var rows: [[Cell]]
    public var span: SourceSpan
    public init(columns: [Name], rows: [[Cell]], span: SourceSpan) { self.columns = columns; self.rows = rows; self.span = span }
}

/// `tier NAME { "label" if USER-EXPR ... "label" otherwise }`: a user-level label, the first case that holds.
public struct TierDecl: Sendable {
    public struct Case: Sendable {
        public var label: String
        public var labelSpan: SourceSpan
        public var condition: Expr
        public init(label: String, labelSpan: SourceSpan, condition: Expr) { self.label = label; self.labelSpan = labelSpan; self.condition = condition }
    }
    public var name: Name
    public var cases: [Case]
    public var otherwise: (label: String, span: SourceSpan)?
    public init(name: Name, cases: [Case], otherwise: (label: String, span: SourceSpan)?) {
        self.name = name; self.cases = cases; self.otherwise = otherwise
    }
}
