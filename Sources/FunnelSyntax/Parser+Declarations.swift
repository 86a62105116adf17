import FunnelDiagnostics

extension Parser {
    mutating func parseProgram() -> Program {
        var decls: [Decl] = []
        while !at(.endOfFile) {
            do {
                decls.append(try declaration())
            } catch {
                synchronize(to: Parser.declarationKeywords, stopAtBrace: false)
                if atPunct("}") { advance() }
            }
        }
        return Program(declarations: decls)
    }

    mutating func declaration() throws -> Decl {
        let start = current.span.start
        guard let word = current.identifier, Parser.declarationKeywords.contains(word) else {
            var help = "a file holds source, users, segment, measure, tier, import, funnel and test declarations"
            if let w = current.identifier, Parser.clauseKeywords.contains(w) {
                help = "'\(w)' belongs inside a funnel block: funnel NAME { \(w) ... }"
            } else if let w = current.identifier, let s = DidYouMean.suggest(w, among: Array(Parser.declarationKeywords)) {
                help = "did you mean '\(s)'?"
            }
            try fail(expected: "a declaration", help: help)
        }
        switch word {
        case "source":
            advance()
            let name = try identifier("a source name", help: "write: source events = csv(\"events.csv\") { ... }")
            _ = try expectPunct("=")
            let d = try sourceBody(name: name)
            return Decl(.source(d), SourceSpan(start, previousEnd))
        case "users":
            let kw = advance()
            _ = try expectPunct("=", help: "write: users = csv(\"users.csv\") { key = user_id }")
            let d = try sourceBody(name: Name("users", kw.span))
            return Decl(.users(d), SourceSpan(start, previousEnd))
        case "segment":
            advance()
            let name = try identifier("a segment name")
            _ = try expectPunct("=")
            let e = try expression()
            return Decl(.segment(name: name, expr: e), SourceSpan(start, previousEnd))
        case "measure":
            advance()
            let name = try identifier("a measure name", help: "write: measure ltv = clv(\"purchase\", price).predicted")
            try expectEquals(help: "write: measure \(name.text) = count(\"purchase\")")
            return Decl(.measure(name: name, expr: try expression()), SourceSpan(start, previousEnd))
        case "tier":
            advance()
            let name = try identifier("a tier name", help: "write: tier loyalty { \"loyal\" if count(\"purchase\") >= 3  \"other\" otherwise }")
            return Decl(.tier(try tierBody(name)), SourceSpan(start, previousEnd))
        case "test":
            advance()
            return Decl(.test(try testBody()), SourceSpan(start, previousEnd))
        case "import":
            advance()
            let (path, span) = try stringLiteral("a file path in quotes", help: "write: import \"shared.funnel\"")
            return Decl(.importFile(path: path, pathSpan: span), SourceSpan(start, previousEnd))
        default:
            advance()
            let name = try identifier("a funnel name", help: "write: funnel checkout { ... }")
            var from: Name? = nil
            if atWord("from") { advance(); from = try identifier("a source name") }
            let clauses = try funnelBody()
            return Decl(.funnel(FunnelDecl(name: name, from: from, clauses: clauses)), SourceSpan(start, previousEnd))
        }
    }

    /// `"name" for FUNNEL { events { ... } expect ... }`
    mutating func testBody() throws -> TestDecl {
        let (name, nameSpan) = try stringLiteral("the test's name in quotes", help: "write: test \"a buyer converts once\" for checkout { ... }")
        _ = try expectWord("for", help: "name the funnel under test: test \"...\" for checkout { ... }")
        let funnel = try identifier("a funnel name")
        _ = try expectPunct("{")
        var table: EventTable? = nil
        var expects: [Clause] = []
        while !atPunct("}") && !at(.endOfFile) {
            if atWord("events") {
                let kw = advance()
                _ = try expectPunct("{", help: "the events go in a block: events { user time event ... }")
                table = try eventTable(start: kw.span.start)
            } else if atWord("expect") {
                let kw = advance()
                let (e, each) = try expectation()
                expects.append(Clause(.expect(e, forEach: each), kw.span.to(each?.span ?? e.span), keyword: Name("expect", kw.span)))
            } else {
                try fail(expected: "'events { ... }' or 'expect'", help: "a test holds an events table and expect lines")
            }
        }
        _ = try expectPunct("}", help: "close the test with '}'")
        guard let t = table else {
            report(.badTestBlock, "test \"\(name)\" has no events", nameSpan, help: "add: events { user time event ... one event per line ... }")
            throw ParseAbort()
        }
        return TestDecl(name: name, nameSpan: nameSpan, funnel: funnel, table: t, expects: expects)
    }

    /// The table after `events {`: a header line of column names, then one row per line, up to `}`.
    mutating func eventTable(start: Int) throws -> EventTable {
        var columns: [Name] = []
        while case .identifier(let s) = current.kind, columns.isEmpty || !current.startsLine {
            let t = advance()
            columns.append(Name(s, t.span))
        }
        if columns.isEmpty { try fail(expected: "a header line of column names such as: user time event") }
        var rows: [[EventTable.Cell]] = []
        while !atPunct("}") && !at(.endOfFile) {
            let rowStart = current.span
            var row: [EventTable.Cell] = []
            repeat {
                let t = advance()
                switch t.kind {
                case .punct("-") where !(current.span.start == t.span.end && !current.startsLine && Parser.isNumber(current.kind)):
                    row.append(.init(text: nil, span: t.span))
                case .punct("-"):
                    let n = advance()
                    row.append(.init(text: file.text(of: t.span.to(n.span)), span: t.span.to(n.span)))
                case .string(let s): row.append(.init(text: s, span: t.span))
                case .identifier, .number, .percent, .date, .dateTime, .duration, .quotedName:
                    row.append(.init(text: file.text(of: t.span), span: t.span))
                default:
                    report(.badEventTable, "unexpected \(t.display) in the events table", t.span, help: "cells are words, numbers, times, \"strings\" or - for missing")
                }
            } while !current.startsLine && !atPunct("}") && !at(.endOfFile)
            if row.count != columns.count {
                report(.badEventTable, "this row has \(row.count) cells; the header has \(columns.count)", rowStart.to(row.last?.span ?? rowStart),
                       help: "write - for a missing value")
            }
            rows.append(row)
        }
        let end = current.span.end
        _ = try expectPunct("}", help: "close the events table with '}'")
        return EventTable(columns: columns, rows: rows, span: SourceSpan(start, end))
    }

    static func isNumber(_ k: Token.Kind) -> Bool {
        if case .number = k { return true }
        if case .percent = k { return true }
        return false
    }

    /// `csv("path") { key = value ... }`
    mutating func sourceBody(name: Name) throws -> SourceDecl {
        let format = try identifier("csv or jsonl", help: "write csv(\"file.csv\") or jsonl(\"file.jsonl\")")
        if format.text != "csv" && format.text != "jsonl" {
            report(.unknownFormat, "unknown data format '\(format.text)'", format.span,
                   help: DidYouMean.suggest(format.text, among: ["csv", "jsonl"]).map { "did you mean '\($0)'?" } ?? "use csv or jsonl")
        }
        _ = try expectPunct("(")
        let (path, pathSpan) = try stringLiteral("a file path in quotes")
        _ = try expectPunct(")")
        var settings: [Setting] = []
        if atPunct("{") {
            advance()
            while !atPunct("}") && !at(.endOfFile) {
                do {
                    let key: Name
                    if case .quotedName(let s) = current.kind { let t = advance(); key = Name(s, t.span) }
                    else { key = try identifier("a setting such as user = COLUMN, or a column's type such as price: number") }
                    if atPunct(":") {
                        advance()
                        let type = try identifier("a column type: number, string, bool or time")
                        settings.append(Setting(key: key, value: .type(type)))
                        continue
                    }
                    if atPunct("=") { advance() }
                    switch current.kind {
                    case .identifier(let s):
                        let t = advance(); settings.append(Setting(key: key, value: .column(Name(s, t.span))))
                        if atWord("format") { advance(); settings[settings.count - 1].format = try stringLiteral("a time format in quotes, such as \"%d/%m/%Y %H:%M\"") }
                    case .quotedName(let s):
                        let t = advance(); settings.append(Setting(key: key, value: .column(Name(s, t.span))))
                        if atWord("format") { advance(); settings[settings.count - 1].format = try stringLiteral("a time format in quotes, such as \"%d/%m/%Y %H:%M\"") }
                    case .string(let s):
                        let t = advance(); settings.append(Setting(key: key, value: .string(s, t.span)))
                    default:
                        try fail(expected: "a column name or a string")
                    }
                } catch {
                    synchronize(to: ["user", "time", "event", "timezone", "key", "delimiter"], stopAtBrace: true)
                }
            }
            _ = try expectPunct("}", help: "close the block with '}'")
        }
        return SourceDecl(name: name, format: format, path: path, pathSpan: pathSpan, settings: settings)
    }

    /// '=' before a step's or KPI's definition. When it is missing but a value follows,
    /// report it and go on as if it were there, so one slip gives one diagnostic.
    mutating func expectEquals(help: String) throws {
        if atPunct("=") { advance(); return }
        switch current.kind {
        case .string, .identifier, .number, .percent, .quotedName, .punct("("):
            report(.expectedToken, "expected '=', found \(current.display)", current.span, help: help)
        default:
            try fail(expected: "'='", help: help)
        }
    }

    mutating func funnelBody() throws -> [Clause] {
        _ = try expectPunct("{", help: "a funnel's clauses go inside braces: funnel NAME { step ... }")
        var clauses: [Clause] = []
        while !atPunct("}") {
            if at(.endOfFile) {
                report(.unclosedBlock, "unclosed funnel block", SourceSpan(previousEnd, previousEnd + 1), help: "add '}' after the last clause")
                return clauses
            }
            // A declaration keyword at the start of a line means the '}' was forgotten.
            if current.startsLine, let w = current.identifier, Parser.declarationKeywords.contains(w), !Parser.clauseKeywords.contains(w) {
                report(.unclosedBlock, "unclosed funnel block", SourceSpan(previousEnd, previousEnd + 1), help: "add '}' before '\(w)'")
                return clauses
            }
            do {
                clauses.append(try clause())
            } catch {
                synchronize(to: Parser.clauseKeywords.union(Parser.declarationKeywords), stopAtBrace: true)
            }
        }
        advance()
        return clauses
    }

    mutating func clause() throws -> Clause {
        let start = current.span.start
        guard let word = current.identifier, Parser.clauseKeywords.contains(word) else {
            var help = "clauses: " + Parser.clauseKeywords.sorted().joined(separator: ", ")
            if let w = current.identifier, let s = DidYouMean.suggest(w, among: Array(Parser.clauseKeywords)) { help = "did you mean '\(s)'?" }
            try fail(expected: "a funnel clause", help: help)
        }
        let kwTok = advance()
        let kw = Name(word, kwTok.span)
        func done(_ k: Clause.Kind) -> Clause { Clause(k, SourceSpan(start, previousEnd), keyword: kw) }
        switch word {
        case "window":
            if atWord("none") { advance(); return done(.window(nil)) }
            return done(.window(try expression()))
        case "order":
            return done(.order(try identifier("ordered, strict or any")))
        case "ties":
            return done(.ties(try identifier("'strict'")))
        case "step":
            let name = try identifier("a step name", help: "write: step cart = \"cart\"")
            try expectEquals(help: "write: step \(name.text) = \"\(name.text)\"")
            let pred = try expression()
            var within: Expr? = nil
            if atWord("within") { advance(); within = try expression() }
            return done(.step(name: name, predicate: pred, within: within))
        case "exclude":
            let pred = try expression(allowBetween: false)
            var between: (Name, Name)? = nil
            if atWord("between") {
                advance()
                let a = try identifier("a step name")
                _ = try expectWord("and")
                between = (a, try identifier("a step name"))
            }
            var remove = false
            if atWord("remove") { advance(); remove = true }
            return done(.exclude(predicate: pred, between: between, remove: remove))
        case "where": return done(.whereClause(try expression()))
        case "for": return done(.forClause(try expression()))
        case "dates":
            if atWord("last") {
                advance()
                let amount = try primary()
                var unit: Name? = nil
                if case .identifier(let w) = current.kind, ["day", "days", "week", "weeks"].contains(w) { unit = Name(w, advance().span) }
                return done(.datesLast(amount, unit: unit))
            }
            let a = try expression()
            _ = try expectWord("to", help: "write: dates 2024-01-01 to 2024-01-31")
            return done(.dates(a, try expression()))
        case "by":
            var keys: [BreakdownKey] = []
            repeat {
                if atPunct(",") { advance() }
                let e = try postfix()
                var atStep: Name? = nil, all = false, bands: Expr? = nil
                if atWord("bands") { advance(); bands = try primary() }
                var last = false
                if atWord("at") { advance(); atStep = try identifier("a step name") }
                else if atWord("all") { advance(); all = true }
                else if atWord("last") { advance(); last = true }
                var key = BreakdownKey(expr: e, at: atStep, all: all, bands: bands)
                key.last = last
                keys.append(key)
            } while atPunct(",")
            var top: Expr? = nil
            if atWord("top") { advance(); top = try primary() }
            return done(.by(keys, top: top))
        case "hold": return done(.hold(try postfix()))
        case "count": return done(.count(try postfix()))
        case "kpi":
            let name = try identifier("a KPI name", help: "write: kpi conversion = purchase / view")
            try expectEquals(help: "write: kpi \(name.text) = purchase / view")
            let e = try expression()
            var display = KPIDisplay()
            while atWord("format") || atWord("decimals") {
                if atWord("format") { advance(); display.format = try identifier("a format: percent, number, seconds or money") }
                else { advance(); display.decimals = try primary() }
            }
            return done(.kpi(name: name, expr: e, display: display))
        case "compare":
            var key: Expr? = nil, baseline: Expr? = nil
            if atWord("by") { advance(); key = try postfix() }
            if atWord("baseline") { advance(); baseline = try primary() }
            return done(.compare(key: key, baseline: baseline))
        case "profile":
            _ = try expectWord("by", help: "write: profile by loyalty { user.age  user.gender  orders = count(\"purchase\") }")
            let key = try postfix()
            var bands: Expr? = nil
            if atWord("bands") { advance(); bands = try primary() }
            return done(.profile(key: BreakdownKey(expr: key, at: nil, all: false, bands: bands), items: try profileItems()))
        default:
            let (e, each) = try expectation()
            return done(.expect(e, forEach: each))
        }
    }

    /// `{ user.age, orders = count("purchase") … }` after `profile by KEY`: optional; one item per
    /// line or separated by commas, each a user expression with an optional name.
    mutating func profileItems() throws -> [ProfileItem] {
        guard atPunct("{") else { return [] }
        advance()
        valuesStartLines = true
        defer { valuesStartLines = false }
        var items: [ProfileItem] = []
        while !atPunct("}") && !at(.endOfFile) {
            var name: Name? = nil
            if current.identifier != nil, peekToken().isPunct("=") {
                name = try identifier("a column name")
                advance()
            }
            items.append(ProfileItem(name: name, expr: try expression()))
            if atPunct(",") { advance() }
        }
        _ = try expectPunct("}", help: "close the profile's columns with '}'")
        return items
    }

    /// `CONDITION [for each KEY]`: the words after `expect`.
    mutating func expectation() throws -> (Expr, Name?) {
        let e = try expression()
        guard atWord("for") else { return (e, nil) }
        advance()
        _ = try expectWord("each", help: "write: expect conversion >= 5% for each device (a key of the funnel's `by`)")
        // A key may be a path: `for each user.age`.
        var key = try identifier("a breakdown key such as device, or group")
        while atPunct("."), case .identifier = peekToken().kind, current.span.start == key.span.end {
            advance()
            let part = advance()
            key = Name(key.text + "." + (part.identifier ?? ""), SourceSpan(key.span.start, part.span.end))
        }
        return (e, key)
    }
}

extension Parser {
    /// `{ "label" if CONDITION ... "label" otherwise }`; `otherwise` comes last.
    mutating func tierBody(_ name: Name) throws -> TierDecl {
        _ = try expectPunct("{", help: "a tier lists its cases in braces: tier \(name.text) { \"loyal\" if ...  \"other\" otherwise }")
        var cases: [TierDecl.Case] = []
        var otherwise: (label: String, span: SourceSpan)? = nil
        while !atPunct("}") && !at(.endOfFile) {
            let (label, span) = try stringLiteral("a case's label in quotes, such as \"loyal\"", help: "write: \"loyal\" if count(\"purchase\") >= 3")
            if otherwise != nil {
                report(.expectedToken, "a case after 'otherwise' can never be chosen", span, help: "put \"\(otherwise?.label ?? "")\" otherwise last")
            }
            if atWord("otherwise") {
                advance()
                otherwise = (label, span)
                continue
            }
            guard atWord("if") else { try fail(expected: "'if CONDITION' or 'otherwise' after the label") }
            advance()
            cases.append(TierDecl.Case(label: label, labelSpan: span, condition: try expression()))
        }
        _ = try expectPunct("}", help: "close the tier with '}'")
        return TierDecl(name: name, cases: cases, otherwise: otherwise)
    }
}
