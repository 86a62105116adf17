import FunnelCore
import FunnelDiagnostics
import FunnelSyntax

extension Checker {
    /// Checks one funnel in named parts: its source, its settings, its steps, the clauses that
    /// shape it, `compare`, then KPIs and expects. Each part reads the clauses it owns.
    mutating func checkFunnel(_ f: FunnelDecl, schemas: [DataSchema]) -> CheckedFunnel? {
        // Clauses may come from another file (a REPL edit, a test's expects); the rest is the funnel's own.
        let home = file
        defer { file = home }
        let startErrors = diagnostics.filter(\.isError).count
        guard let sourceIndex = funnelSource(f), sourceIndex < schemas.count else { return nil }
        scope = Scope(schema: schemas[sourceIndex], source: sources[sourceIndex], sourceIndex: sourceIndex)
        let settings = matchSettings(f, home: home)
        scope.order = settings.order
        let checkedSteps = funnelSteps(f, home: home)
        var result = CheckedFunnel(name: f.name.text, line: line(f.name.span), source: sourceIndex, window: settings.window,
                                   order: settings.order, tiesStrict: settings.tiesStrict, steps: checkedSteps, exclusions: [],
                                   wherePredicate: nil, population: nil, dates: nil, breakdown: [], hold: [], count: .users,
                                   kpis: [], expects: [], compare: nil)
        shapingClauses(f, home: home, into: &result)
        comparison(f, home: home, into: &result)
        profile(f, home: home, into: &result)
        kpisAndExpects(f, home: home, into: &result)
        return diagnostics.filter(\.isError).count == startErrors ? result : nil
    }

    /// Which source the funnel reads: `from`, else the first source of its own file, else the first one.
    mutating func funnelSource(_ f: FunnelDecl) -> Int? {
        if let from = f.from {
            guard let i = sources.firstIndex(where: { $0.name == from.text }) else {
                error(.unknownSource, "unknown source '\(from.text)'", from.span, help: DidYouMean.help(from.text, among: sources.map(\.name), kind: "sources"))
                return nil
            }
            return i
        }
        if sources.isEmpty {
            error(.noSource, "funnel '\(f.name.text)' has no data source", f.name.span,
                  help: "declare one before the funnel: source events = csv(\"events.csv\") { user = user_id  time = ts  event = name }")
            return nil
        }
        return sourceDecls.firstIndex(where: { $0.1.file === file }) ?? 0
    }

    /// `window`, `order` and `ties`: read first, since the order decides what steps may say.
    mutating func matchSettings(_ f: FunnelDecl, home: SourceFile) -> (window: Int64?, order: MatchOrder, tiesStrict: Bool) {
        var window: Int64? = 14 * 86_400_000_000
        var order = MatchOrder.ordered
        var tiesStrict = false
        for c in f.clauses {
            file = c.origin ?? home
            switch c.kind {
            case .window(let e):
                if let e = e { window = durationLiteral(e, what: "window") ?? window } else { window = nil }
            case .order(let n):
                if let o = MatchOrder(rawValue: n.text) { order = o } else {
                    error(.unknownMatchSetting, "unknown order '\(n.text)'", n.span, help: "use ordered, strict or any")
                }
            case .ties(let n):
                if n.text == "strict" { tiesStrict = true } else { error(.unknownMatchSetting, "unknown ties setting '\(n.text)'", n.span, help: "write: ties strict") }
            default: break
            }
        }
        file = home
        return (window, order, tiesStrict)
    }

    /// The steps, with `within`; at least one and at most 32 (step masks are 32 bits).
    mutating func funnelSteps(_ f: FunnelDecl, home: SourceFile) -> [CheckedStep] {
        var checkedSteps: [CheckedStep] = []
        for c in f.clauses {
            file = c.origin ?? home
            guard case .step(let name, let pred, let within) = c.kind else { continue }
            if scope.steps.contains(name.text) {
                error(.duplicateName, "step '\(name.text)' is declared twice in funnel '\(f.name.text)'", name.span, help: "give each step its own name")
                continue
            }
            scope.steps.append(name.text)
            let p = predicate(pred)
            var w: Int64? = nil
            if let within = within {
                if scope.order == .any {
                    error(.withinNotAllowed, "'within' needs an order between steps; this funnel is 'order any'", within.span,
                          help: "remove 'within', or use 'order ordered'")
                } else if checkedSteps.isEmpty {
                    error(.withinNotAllowed, "the first step cannot have 'within'", within.span, help: "'within' limits the time since the previous step")
                } else { w = durationLiteral(within, what: "within") }
            }
            checkedSteps.append(CheckedStep(name: name.text, predicate: p ?? .literal(.bool(false)), within: w, line: line(c.span)))
        }
        file = home
        if checkedSteps.count > 32 {
            error(.stepCount, "funnel '\(f.name.text)' has \(checkedSteps.count) steps; at most 32 are supported", f.name.span,
                  help: "split it into several funnels")
        }
        // One step is a funnel too: it counts reach (ClickHouse's windowFunnel with one condition, PostHog).
        if checkedSteps.isEmpty {
            error(.stepCount, "funnel '\(f.name.text)' has no steps", f.name.span,
                  help: "add steps: step view = \"view\"  step purchase = \"purchase\"")
        }
        return checkedSteps
    }

    /// `exclude`, `where`, `for`, `dates`, `by`, `hold` and `count`.
    mutating func shapingClauses(_ f: FunnelDecl, home: SourceFile, into result: inout CheckedFunnel) {
        let order = scope.order
        for c in f.clauses {
            file = c.origin ?? home
            switch c.kind {
            case .exclude(let pred, let between, let remove):
                var range: (Int, Int)? = nil
                if let (a, b) = between {
                    if order == .any {
                        error(.badStepOrder, "exclusions in 'order any' funnels cover the whole attempt; 'between' does not apply", a.span,
                              help: "remove 'between \(a.text) and \(b.text)'")
                    } else if let ia = stepIndex(a), let ib = stepIndex(b) {
                        if ia >= ib { error(.badStepOrder, "'between \(a.text) and \(b.text)': '\(a.text)' must come before '\(b.text)'", a.span) }
                        else { range = (ia, ib) }
                    }
                }
                if let p = predicate(pred) { result.exclusions.append(CheckedExclusion(predicate: p, between: range, remove: remove)) }
                if result.exclusions.count > 32 {
                    unsupported(c, "more than 32 exclusions in one funnel", help: "combine them: exclude event in [\"a\", \"b\"]")
                }
            case .whereClause(let e):
                if let p = predicate(e) {
                    result.wherePredicate = result.wherePredicate.map { .and($0, p) } ?? p
                }
            case .forClause(let e):
                if let (u, t) = userExpr(e) {
                    if t != .bool { error(.wrongResultType, "'for' needs a condition on users, not a \(t)", e.span, help: "for example: for user.age >= 18") }
                    else { result.population = result.population.map { .and($0, u) } ?? u }
                }
            case .dates(let a, let b):
                if let da = dayBound(a), let db = dayBound(b) {
                    if case .day(let x) = da, case .day(let y) = db, x > y {
                        error(.invalidRange, "the dates run backwards", a.span.to(b.span), help: "write the earlier date first")
                    }
                    result.dates = (da, db)
                }
            case .datesLast(let amount, let unit):
                if let days = lastDays(amount, unit) { result.dates = (.daysBeforeAsOf(days - 1), .daysBeforeAsOf(0)) }
            case .by(let keys, let top):
                for key in keys { if let b = breakdownKey(key) { result.breakdown.append(b) } }
                if let top {
                    if case .number(let n) = top.kind, n >= 1, n == n.rounded(), n <= 1_000_000 { result.topGroups = Int(n) }
                    else { error(.valueExpected, "'top' needs a whole number of groups, such as 10", top.span, help: "write: by \(keys.first.map { file.text(of: $0.expr.span) } ?? "brand") top 10") }
                }
                let splitting = result.breakdown.filter(\.splits)
                if splitting.count > 1 {
                    error(.unsupported, "the engine does not combine two splitting keys ('by \(splitting[0].label)\(splitting[0].all ? " all" : "")' and '\(splitting[1].label)\(splitting[1].all ? " all" : "")') yet", c.span,
                          help: "use one trend or one 'all' key; other keys combine with it: by week, device")
                }
            case .hold(let e):
                if let (field, _) = fieldOf(e) { result.hold.append(field) }
            case .count(let e):
                if case .name(let n) = e.kind, n == "users" { result.count = .users }
                else if case .name(let n) = e.kind, n == "conversions" { result.count = .conversions }
                else if case .name(let n) = e.kind, resolveField(n) == nil, let s = DidYouMean.suggest(n, among: ["users", "conversions"]) {
                    error(.badCount, "'count' takes users, conversions or a property of the events, not '\(n)'", e.span, help: "did you mean '\(s)'?")
                }
                else if let (field, _) = fieldOf(e) {
                    if case .property(let p) = field { result.count = .property(p) }
                    else { error(.badCount, "'count' takes users, conversions or a property of the events", e.span) }
                }
            default: break
            }
        }
        file = home
        if result.count == .conversions, let split = result.breakdown.first(where: \.all) {
            error(.unsupported, "the engine does not combine 'count conversions' with 'by \(split.label) all' yet",
                  f.name.span, help: "count users, or break down by first touch, 'at STEP' or a trend")
        }
    }

    /// `compare by KEY [baseline VALUE]`: once per funnel; without a key, the first breakdown key.
    mutating func comparison(_ f: FunnelDecl, home: SourceFile, into result: inout CheckedFunnel) {
        for c in f.clauses {
            file = c.origin ?? home
            guard case .compare(let key, let baseline) = c.kind else { continue }
            if result.compare != nil { error(.duplicateDeclaration, "a funnel compares once", c.keyword.span, help: "keep one 'compare' clause"); continue }
            var field: EventField? = nil, label = ""
            if let key = key {
                if let (f, _) = fieldOf(key) { field = f; label = f.description }
            } else if let first = result.breakdown.first, !first.splits {
                // A segment, tier, measure or band key has no property to compare on (its field is the user).
                guard first.segment == nil && first.bands == nil else {
                    error(.keyExpected, "'compare' compares groups of a property; '\(first.label)' is a \(first.segment != nil ? "user value" : "band")",
                          c.keyword.span, help: "write: compare by a property, such as compare by variant")
                    continue
                }
                field = first.field; label = first.label
            } else {
                error(.keyExpected, "'compare' needs a key", c.keyword.span, help: "write: compare by variant, or add 'by variant' to the funnel")
            }
            var base: Value? = nil
            if let b = baseline {
                if let (v, _) = Checker.constant(b) { base = v } else {
                    error(.valueExpected, "the baseline is a value of the key, such as \"control\"", b.span)
                }
            }
            if let field = field { result.compare = CheckedCompare(label: label, field: field, baseline: base) }
        }
        file = home
    }

    /// `kpi` and `expect`, in order: KPIs may use steps, `users` and earlier KPIs.
    mutating func kpisAndExpects(_ f: FunnelDecl, home: SourceFile, into result: inout CheckedFunnel) {
        scope.kpiNames = []
        scope.declaredKPIs = [:]
        for c in f.clauses {
            guard case .kpi(let name, let e, _) = c.kind, scope.declaredKPIs[name.text] == nil else { continue }
            file = c.origin ?? home
            let words = file.text(of: e.span).split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
            scope.declaredKPIs[name.text] = (line(c.span), Set(words))
        }
        defer { scope.currentKPI = nil }
        for c in f.clauses {
            file = c.origin ?? home
            scope.currentKPI = nil
            switch c.kind {
            case .kpi(let name, let e, let display):
                scope.currentKPI = name.text
                if scope.steps.contains(name.text) || scope.kpiNames.contains(name.text) || name.text == "users" {
                    error(.duplicateName, "'\(name.text)' is already a step or KPI name in funnel '\(f.name.text)'", name.span)
                    continue
                }
                let checked = kpiExpr(e, result: result)
                if let (_, t) = checked, t != .number { error(.wrongResultType, "KPI '\(name.text)' must be a number, not a \(t)", e.span, help: "use 'expect' for conditions") }
                // A KPI that failed to check keeps its name, so later uses do not cascade.
                var kpi = CheckedKPI(name: name.text, expr: checked?.0 ?? .number(.nan), line: line(c.span))
                (kpi.format, kpi.decimals) = kpiDisplay(display)
                result.kpis.append(kpi)
                scope.kpiNames.append(name.text)
            case .expect(let e, let each):
                if let each, !forEachNamesTheBreakdown(each, result) { continue }
                if let (k, t) = kpiExpr(e, result: result) {
                    if t != .bool {
                        error(.wrongResultType, "'expect' needs a condition, not a \(t)", e.span, help: "for example: expect conversion >= 2%")
                        continue
                    }
                    var actual = k
                    switch k {
                    case .compare(_, let a, _), .between(let a, _, _): actual = a
                    default: break
                    }
                    warnIfRateComparedWithNumber(k, result: result, span: e.span)
                    result.expects.append(CheckedExpect(source: file.text(of: e.span), line: line(c.span), expr: k, actual: actual, forEach: each?.text))
                }
            default: break
            }
        }
        file = home
    }

    /// `for each KEY`: KEY is the funnel's one breakdown key, or `group` for a breakdown of any keys.
    mutating func forEachNamesTheBreakdown(_ key: Name, _ result: CheckedFunnel) -> Bool {
        let labels = result.breakdown.map(\.label)
        if labels.isEmpty {
            error(.forEachWithoutBreakdown, "'for each \(key.text)' needs a breakdown: funnel '\(result.name)' has no 'by'", key.span,
                  help: "add 'by \(key.text == "group" ? "device" : key.text)' to the funnel, or drop 'for each' to check the whole funnel")
            return false
        }
        // The key by its label (`device at purchase`) or its plain name (`device`, `week`, a segment's name).
        let names = result.breakdown.map { $0.period?.rawValue ?? ($0.segment != nil ? $0.label : $0.field.description) }
        if key.text == "group" || (labels.count == 1 && (labels[0] == key.text || names[0] == key.text)) { return true }
        // A key that is not a plain name (`rfm("purchase", price).segment`) is written `for each group`.
        let plain = names.first.map { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } } ?? false
        let help = labels.count == 1 ? (plain ? "write 'for each \(names[0])'" : "write 'for each group' (the key '\(names[0])' is not a name)")
                                     : "the groups are combinations of \(labels.joined(separator: ", ")): write 'for each group'"
        error(.forEachWithoutBreakdown, "'\(key.text)' is not the breakdown of funnel '\(result.name)' (by \(labels.joined(separator: ", ")))", key.span, help: help)
        return false
    }

    /// `expect conversion >= 40` compares a rate (0 to 1) with 40: always false, and 40% was meant.
    mutating func warnIfRateComparedWithNumber(_ k: KPIExpr, result: CheckedFunnel, span: SourceSpan) {
        func isRate(_ e: KPIExpr) -> Bool {
            switch e {
            case .arith(.div, let a, let b): return a.isUserCount && b.isUserCount
            case .kpi(let i) where i < result.kpis.count:
                return (result.kpis[i].format == nil || result.kpis[i].format == "percent") && isRate(result.kpis[i].expr)
            default: return false
            }
        }
        var bounds: [(KPIExpr, Double)] = []
        switch k {
        case .compare(_, let a, .number(let n)): bounds = [(a, n)]
        case .between(let a, .number(let lo), .number(let hi)): bounds = [(a, lo), (a, hi)]
        default: return
        }
        for (a, n) in bounds where isRate(a) && n > 1 {
            // A whole number is shown without ".0"; one too large for an Int (it used to trap
            // converting) or infinite is shown as Swift writes a Double (1e+20).
            let shown = n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            warning(.rateComparedWithNumber, "'\(file.text(of: span))' compares a rate (0 to 1) with \(shown)", span,
                    help: "rates are fractions: write \(shown)% for \(shown) percent")
            return
        }
    }

    /// `format percent|number|seconds|money` and `decimals N` (0 to 10).
    mutating func kpiDisplay(_ d: KPIDisplay) -> (String?, Int?) {
        var format: String? = nil, decimals: Int? = nil
        if let f = d.format {
            let formats = ["percent", "number", "seconds", "money"]
            if formats.contains(f.text) { format = f.text } else {
                error(.valueExpected, "unknown KPI format '\(f.text)'", f.span,
                      help: DidYouMean.suggest(f.text, among: formats).map { "did you mean '\($0)'?" } ?? "formats: percent, number, seconds, money")
            }
        }
        if let e = d.decimals {
            if case .number(let n) = e.kind, n == n.rounded(), n >= 0, n <= 10 { decimals = Int(n) } else {
                error(.valueExpected, "'decimals' takes a whole number from 0 to 10", e.span, help: "for example: decimals 2")
            }
        }
        return (format, decimals)
    }

    /// A clause the language has but the engine does not run yet: an error, never a silent no-op.
    mutating func unsupported(_ c: Clause, _ what: String, help: String?) {
        error(.unsupported, "the engine does not run \(what) yet", c.keyword.span.to(c.span), help: help)
    }

    mutating func stepIndex(_ n: Name) -> Int? {
        if let i = scope.steps.firstIndex(of: n.text) { return i }
        error(.unknownStepOrKPI, "unknown step '\(n.text)'", n.span, help: DidYouMean.help(n.text, among: scope.steps, kind: "steps"))
        return nil
    }

    mutating func durationLiteral(_ e: Expr, what: String) -> Int64? {
        if case .duration(let d) = e.kind {
            if d < 0 { error(.invalidRange, "\(what) cannot be negative", e.span); return nil }
            return d
        }
        if case .number(let n) = e.kind {
            error(.durationExpected, "\(what) needs a unit", e.span, help: "write \(formatNumber(n))d, \(formatNumber(n))h or \(formatNumber(n))m")
            return nil
        }
        error(.durationExpected, "\(what) must be a duration such as 7d, 1h30m or 45s", e.span)
        return nil
    }

    /// A bound of `dates`: a date, or `today` (the as-of day).
    mutating func dayBound(_ e: Expr) -> DayBound? {
        if case .name("today") = e.kind { return .daysBeforeAsOf(0) }
        return dateLiteral(e).map { .day($0) }
    }

    /// `last 30d`, `last 30 days`, `last 4 weeks`: a whole number of days, at least one.
    mutating func lastDays(_ amount: Expr, _ unit: Name?) -> Int? {
        let help = "write: dates last 30d, dates last 30 days or dates last 4 weeks"
        var days: Double? = nil
        switch amount.kind {
        case .duration(let micros) where unit == nil:
            if micros % DayBound.dayMicros == 0 { days = Double(micros / DayBound.dayMicros) }
        case .number(let n) where unit != nil:
            days = unit.map { $0.text.hasPrefix("week") ? n * 7 : n }
        default: break
        }
        guard let d = days, d >= 1, d == d.rounded(), d <= 100_000 else {
            error(.valueExpected, "'dates last' needs a whole number of days or weeks", amount.span.to(unit?.span ?? amount.span), help: help)
            return nil
        }
        return Int(d)
    }

    mutating func dateLiteral(_ e: Expr) -> Int64? {
        switch e.kind {
        case .date(let d), .dateTime(let d): return d
        default:
            error(.valueExpected, "expected a date such as 2024-01-31", e.span)
            return nil
        }
    }

    mutating func breakdownKey(_ key: BreakdownKey) -> CheckedBreakdown? {
        var atStep: Int? = nil
        if let a = key.at { guard let i = stepIndex(a) else { return nil }; atStep = i }
        if case .name(let n) = key.expr.kind, let period = TrendPeriod(rawValue: n), scope.schema?.type(of: n) == nil {
            if key.at != nil || key.all || key.last || key.bands != nil {
                error(.keyExpected, "a trend ('by \(n)') takes neither 'at', 'all', 'last' nor 'bands'", key.expr.span, help: "write: by \(n)")
                return nil
            }
            return CheckedBreakdown(label: n, field: .time, at: nil, all: false, period: period)
        }
        if case .name(let n) = key.expr.kind, segmentDecls[n] != nil || tierDecls[n] != nil, scope.schema?.type(of: n) == nil {
            let kind = tierDecls[n] != nil ? "tier" : "segment"
            if key.at != nil || key.all || key.last || key.bands != nil {
                error(.keyExpected, "a \(kind) breakdown ('by \(n)') takes neither 'at', 'all', 'last' nor 'bands': \(kind == "tier" ? "a user has one tier" : "a user is in the segment or not")",
                      key.expr.span, help: "write: by \(n)")
                return nil
            }
            guard let segment = kind == "tier" ? resolveTier(n) : resolveSegment(n) else { return nil }
            var b = CheckedBreakdown(label: n, field: .actor, at: nil, all: false, period: nil)
            b.segment = segment
            return b
        }
        // `by rfm("purchase", price).segment`, `by MEASURE`: a user's value, like a tier's label.
        if isUserValueKey(key.expr) {
            if key.at != nil || key.all || key.last {
                error(.keyExpected, "a user value ('by \(file.text(of: key.expr.span))') takes neither 'at', 'all' nor 'last': a user has one value", key.expr.span)
                return nil
            }
            guard let (expr, type) = userExpr(key.expr) else { return nil }
            var b = CheckedBreakdown(label: file.text(of: key.expr.span), field: .actor, at: nil, all: false, period: nil)
            b.segment = expr
            b.userValueType = type
            if let bands = key.bands { guard let edges = bandEdges(bands, field: .actor, type: type) else { return nil }; b.bands = edges }
            return b
        }
        // A typo of a segment, measure or tier (`by loyalt`) says so rather than listing properties.
        if case .name(let n) = key.expr.kind, resolveField(n) == nil,
           let s = DidYouMean.suggest(n, among: Array(segmentDecls.keys) + Array(measureDecls.keys) + Array(tierDecls.keys) + ["day", "week", "month"]) {
            error(.unknownProperty, "unknown property, segment, measure, tier or period '\(n)'", key.expr.span, help: "did you mean '\(s)'?")
            return nil
        }
        guard let (field, type) = fieldOf(key.expr) else { return nil }
        // `by device at purchase` reads "device at purchase", so it never clashes with `by device`.
        let label = atStep.map { "\(field.description) at \(scope.steps[$0])" } ?? (key.last ? "\(field.description) (last touch)" : field.description)
        var b = CheckedBreakdown(label: label, field: field, at: atStep, all: key.all, period: nil)
        b.last = key.last
        if let bands = key.bands {
            if key.all {
                error(.keyExpected, "'bands' and 'all' do not combine: a band breakdown gives each actor one group", bands.span, help: "drop 'all'")
                return nil
            }
            guard let edges = bandEdges(bands, field: field, type: type) else { return nil }
            b.bands = edges
        }
        return b
    }

    /// `rfm(…).PART`, `clv(…).PART`, or a measure's name that no column of the source shadows.
    func isUserValueKey(_ e: Expr) -> Bool {
        if case .member(let base, _) = e.kind, case .call(let fn, _, _) = base.kind, ["rfm", "clv"].contains(fn.text) { return true }
        if case .name(let n) = e.kind, measureDecls[n] != nil, scope.schema?.type(of: n) == nil { return true }
        return false
    }

    /// `bands [18, 25, 35]`: at least one edge, numbers in ascending order, on a number-typed key.
    mutating func bandEdges(_ e: Expr, field: EventField, type: ValueType) -> [Double]? {
        guard type == .number || type == .unknown else {
            error(.keyExpected, "'bands' groups numbers, but '\(field.description)' holds \(type)s", e.span, help: "drop 'bands', or break down by a number column")
            return nil
        }
        var edges: [Double] = []
        if case .list(let items) = e.kind {
            for item in items {
                if case .number(let n) = item.kind { edges.append(n) }
                else if case .unary(.negate, let inner) = item.kind, case .number(let n) = inner.kind { edges.append(-n) }
                else { edges = []; break }
            }
        }
        guard !edges.isEmpty, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }) else {
            error(.valueExpected, "'bands' needs numbers in ascending order, such as [18, 25, 35, 50, 65]", e.span,
                  help: "each band starts at its edge: [18, 25) is 18 up to but not including 25")
            return nil
        }
        return edges
    }

    /// A plain field reference: a property, `user.X`, `event`.
    mutating func fieldOf(_ e: Expr) -> (EventField, ValueType)? {
        guard let (ee, t) = eventExpr(e, predicateContext: false) else { return nil }
        if case .field(let f, _) = ee { return (f, t) }
        error(.keyExpected, "expected a property name", e.span, help: "for example: by device, or by user.country")
        return nil
    }
}
