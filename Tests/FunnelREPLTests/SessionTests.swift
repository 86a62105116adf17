import Foundation
import FunnelDriver
import FunnelEngine
@testable import FunnelREPL
import Testing
import FunnelTestSupport

/// The session without a terminal: lines in, text out.
struct SessionTests {
    static let repo = TestSupport.repo

    func session() -> Session {
        #expect(FileManager.default.changeCurrentDirectoryPath(Self.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        return s
    }

    @Test func loadingReportsWhatIsInMemory() {
        #expect(FileManager.default.changeCurrentDirectoryPath(Self.repo))
        let s = Session()
        let r = s.load(path: "examples/ecommerce.funnel")
        #expect(r.text.contains("loaded examples/ecommerce.funnel: 3 funnels (checkout, clean_checkout, repeat_checkout), 6,501 events in memory"))
    }

    @Test func aDefinedFunnelRunsByName() {
        let r = session().handle("checkout")
        #expect(r.text.contains("funnel checkout"))
        #expect(r.text.contains("device = mobile"))
        #expect(!r.quit)
    }

    @Test func inlineFunnelRunsAtOnce() {
        let s = session()
        s.format = .csv
        let r = s.handle("view -> cart -> purchase within 1d by device where country == \"US\"")
        #expect(r.text.contains("inline,,view,"))
        #expect(r.text.contains("inline,device=mobile,cart,"))
    }

    @Test func aDefinedFunnelCanBeBrokenDownAgain() {
        let s = session()
        s.format = .csv
        let r = s.handle("checkout by country")
        #expect(r.text.contains("checkout,country=US,view,"))
        #expect(!r.text.contains("device="))
        // The definition itself is unchanged.
        #expect(s.handle("checkout").text.contains("checkout,device=mobile,view,"))
    }

    /// A funnel of the second loaded file, changed at the prompt, still reads its own file's data
    /// (it used to run on the first file's source, with only an "event never occurs" warning).
    @Test func anEditedFunnelOfASecondFileRunsOnItsOwnData() {
        #expect(FileManager.default.changeCurrentDirectoryPath(Self.repo))
        let alone = Session()
        _ = alone.load(path: "examples/aida.funnel")
        alone.format = .csv
        let expected = alone.handle("aida by month").text
        #expect(expected.contains("aida,month=2024-"))
        let s = session()
        #expect(s.handle(":load examples/aida.funnel").text.contains("loaded examples/aida.funnel"))
        s.format = .csv
        let edited = s.handle("aida by month").text
        #expect(edited == expected)
        #expect(!edited.contains("never occurs"))
        #expect(s.handle("kpi reach = awareness").text.contains("added to funnel aida"))
        #expect(s.handle("aida where action != \"x\"").text.contains("aida,,awareness,"))
    }

    @Test func multiLineDeclarationsContinueWhileABraceIsOpen() {
        let s = session()
        #expect(s.handle("funnel quick {").text == "")
        #expect(s.isContinuing)
        #expect(s.prompt == "   ...> ")
        _ = s.handle("  step v = \"view\"")
        let done = s.handle("  step p = \"purchase\" }")
        #expect(done.text.contains("defined funnel quick (2 steps)"))
        #expect(!s.isContinuing)
        #expect(s.handle("quick").text.contains("funnel quick"))
    }

    @Test func errorsShowACaretAndTheSessionGoesOn() {
        let s = session()
        let bad = s.handle("view -> cart by devise")
        #expect(bad.text.contains("<repl>:1:17: error[E201]: unknown property 'devise'"))
        #expect(bad.text.contains("^^^^^^"))
        #expect(bad.text.contains("did you mean 'device'?"))
        let typo = s.handle("chekout")
        #expect(typo.text.contains("did you mean 'checkout'?"))
        #expect(s.handle("checkout").text.contains("funnel checkout"))
    }

    @Test func kpiLinesAddToTheCurrentFunnel() {
        let s = session()
        _ = s.handle("checkout")
        #expect(s.handle("kpi doubled = purchase * 2").text.contains("added to funnel checkout"))
        s.format = .json
        #expect(s.handle("checkout").text.contains("{\"name\":\"doubled\",\"value\":266}"))
    }

    @Test func aCtrlCBelongsToTheInputItInterrupted() {
        let s = session()
        Cancellation.request()        // as the SIGINT handler does during an earlier query
        #expect(s.handle("checkout").text.contains("funnel checkout"))
        Cancellation.request()
        #expect(s.load(path: "examples/aida.funnel").text.contains("loaded examples/aida.funnel"))
    }

    @Test func metaCommands() {
        let s = session()
        #expect(s.handle(":help").text.contains(":schema"))
        #expect(s.handle(":funnels").text.contains("checkout: view -> cart -> purchase"))
        let schema = s.handle(":schema").text
        #expect(schema.contains("6,501 rows, 1,200 users"))
        #expect(schema.contains("device      string   3 values"))
        #expect(schema.contains("view              5,809"))
        #expect(s.handle(":explain checkout").text.contains("step 2 cart (mask bit 1): event == \"cart\" within 1d of step 1"))
        #expect(s.handle(":format xml").text.contains("usage: :format"))
        #expect(s.handle(":timing on").text == "timing: on\n")
        #expect(s.handle("checkout").text.contains("time: "))
        #expect(s.handle(":frob").text.contains("unknown command :frob"))
        #expect(s.handle(":quit").quit)
    }

    @Test func eventsSwitchesTheData() throws {
        let s = session()
        let dir = TestSupport.temporaryFolder("repl")
        try "user_id,event_time,event_type,device,country,price\nu1,2024-01-01 00:00:00 UTC,view,mobile,US,\nu1,2024-01-01 00:01:00 UTC,purchase,mobile,US,5\n"
            .write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        #expect(s.handle(":events \(dir)/e.csv").text.contains("2 events in memory"))
        s.format = .csv
        #expect(s.handle("view -> purchase").text.contains("inline,,purchase,1,1,1,0,60,60"))
    }

    @Test func identifierColumnsAreReadWhenAQueryNeedsThem() throws {
        let dir = TestSupport.temporaryFolder("repl-lazy")
        var csv = "user,time,event,session\n"
        for i in 0..<400 { csv += "u\(i % 50),2024-01-01T00:\(String(format: "%02d", i % 60)):00Z,\(i % 4 == 3 ? "buy" : "view"),s\(i)\n" }
        try csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        try "source e = csv(\"e.csv\") { user = user  time = time  event = event }\n".write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let s = Session()
        _ = s.load(path: dir + "/f.funnel")
        #expect(!s.workspace.isLoaded("session"))      // 400 distinct ids: not kept up front
        s.format = .csv
        #expect(s.handle("view -> buy count session").text.contains("inline,,view,300,"))
        #expect(s.workspace.isLoaded("session"))      // read once, then kept
    }

    @Test func saveWritesAFileThatChecks() throws {
        let s = session()
        _ = s.handle("segment mobile_first = first(device) == \"mobile\"")
        let path = NSTemporaryDirectory() + "saved-" + UUID().uuidString + ".funnel"
        #expect(s.handle(":save \(path)").text.contains("saved"))
        let c = Driver.compile(path: path, load: true)
        #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
        #expect(c.plan?.funnels.count == 3)
        // Segments are expanded into the funnels' filters in the plan; the file keeps the declaration.
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("segment mobile_first = first(device) == \"mobile\""))
    }

    @Test func completion() {
        let s = session()
        #expect(s.complete(":sch", cursor: 4).candidates == [":schema"])
        #expect(s.complete(":format j", cursor: 9).candidates == ["json"])
        #expect(s.complete("chec", cursor: 4).candidates == ["checkout"])
        #expect(s.complete("view -> ca", cursor: 10).candidates == ["cart", "cart_rate"])
        #expect(s.complete("view -> cart by dev", cursor: 19).candidates == ["device"])
        let values = s.complete("view -> cart where device == \"mo", cursor: 32)
        #expect(values.candidates == ["mobile\""])
        #expect(values.start == 30)
        #expect(s.complete("step x = \"pur", cursor: 13).candidates == ["purchase\""])
        #expect(s.complete("view -> cart where country in [\"US\", \"C", cursor: 39).candidates == ["CA\""])
        #expect(s.complete("rep", cursor: 3).candidates == ["repeat_buyers", "repeat_checkout"])
        #expect(Completion(start: 0, candidates: ["checkout", "check"]).commonPrefix == "check")
        // Customer analysis: the new words, and a tier or measure after `by` / `profile by`.
        let customers = Session()
        _ = customers.load(path: "examples/customers.funnel")
        #expect(customers.complete("meas", cursor: 4).candidates == ["measure"])
        #expect(customers.complete("august prof", cursor: 11).candidates == ["profile"])
        #expect(customers.complete("august profile by loy", cursor: 21).candidates == ["loyalty"])
        #expect(customers.complete("visit -> purchase by past_o", cursor: 27).candidates == ["past_orders"])
    }
}

/// Issue 8: deep or long expressions typed into the REPL end in a result or an error, and
/// the session goes on.
struct SessionLimitTests {
    @Test func deepAndLongInlineFunnelsKeepTheSession() {
        #expect(FileManager.default.changeCurrentDirectoryPath(SessionTests.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        let deep = s.handle("view -> (" + String(repeating: "not ", count: 10_000) + "device == \"x\")")
        #expect(deep.text.contains("error[E117]"), "\(deep.text.prefix(300))")
        let long = s.handle("view -> (" + (0..<10_000).map { "device == \"d\($0)\"" }.joined(separator: " or ") + " or device == \"mobile\")")
        #expect(long.text.contains("funnel"), "\(long.text.prefix(300))")
        #expect(!long.text.contains("error"), "\(long.text.prefix(300))")
        #expect(s.handle("checkout").text.contains("funnel checkout"))
    }
}

/// Issue 8: a query that runs past the session's time budget stops as Ctrl-C would, and says why.
struct TimeBudgetTests {
    @Test func aQueryPastItsTimeBudgetStopsAndSaysSo() {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        #expect(s.handle(":timeout 0.001ms").text == "timeout: 0ms\n")
        let r = s.handle("checkout")
        #expect(r.failed)
        #expect(r.text.contains("cancelled: the query took longer than its time budget"), "\(r.text)")
        #expect(s.handle(":timeout off").text == "timeout: off\n")
        #expect(s.handle("checkout").text.contains("funnel checkout"))
        #expect(s.handle(":timeout soon").text.contains("usage"))
    }
}

/// Issue 12, item 7: the words DuckDB and psql users type.
struct REPLHabitTests {
    @Test func helpExitQuitAndBackslashQ() {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        #expect(s.handle("help").text.contains(":load FILE"))
        for word in ["exit", "quit", "\\q"] { #expect(s.handle(word).quit, "\(word)") }
        // A funnel of that name still runs.
        _ = s.handle("funnel help { step v = \"view\" }")
        #expect(s.handle("help").text.contains("funnel help"))
    }
}

/// Issue 12, item 7: `:once FILE` and `:output FILE`, as DuckDB's `.once` and `.output`.
struct REPLOutputTests {
    @Test func onceAndOutputSendResultsToAFile() throws {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let dir = TestSupport.temporaryFolder("funnel-repl-output")
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        s.format = .csv
        #expect(s.handle(":once \(dir)/once.csv").text == "the next result goes to \(dir)/once.csv\n")
        #expect(s.handle("checkout").text == "wrote the result to \(dir)/once.csv\n")
        #expect(try String(contentsOfFile: dir + "/once.csv", encoding: .utf8).hasPrefix("funnel,group,step,users"))
        #expect(s.handle("checkout").text.contains("checkout,,view,"), "only once")
        #expect(s.handle(":output \(dir)/all.csv").text == "output: \(dir)/all.csv\n")
        _ = s.handle("checkout")
        _ = s.handle("repeat_checkout")
        let all = try String(contentsOfFile: dir + "/all.csv", encoding: .utf8)
        #expect(all.contains("checkout,,view,") && all.contains("repeat_checkout,,view,"))
        #expect(s.handle(":output").text == "output: the screen\n")
        #expect(s.handle("checkout").text.contains("checkout,,view,"))
        #expect(s.handle(":once /nonexistent/dir/x.csv").failed)
        #expect(s.handle(":once").text.contains("usage"))
    }
}

/// Issue 12, item 7: Tab after `by ` offers what a breakdown takes first: columns, segments, periods.
struct ByCompletionTests {
    @Test func afterByColumnsComeFirst() {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        let line = "checkout by c"
        let c = s.complete(line, cursor: line.count).candidates
        #expect(c.contains("country"), "\(c)")
        #expect(!c.contains("checkout") && !c.contains("clean_checkout") && !c.contains("cart"), "funnels and steps are not breakdown keys: \(c)")
        let second = "checkout by device, w"
        #expect(s.complete(second, cursor: second.count).candidates == ["week"])
        // Elsewhere every name is offered, as before.
        #expect(s.complete("chec", cursor: 4).candidates == ["checkout"])
    }
}

/// `Session.copy`: the REPL fuzz target loads its data once and types each input into a copy, so
/// nothing one input does may reach the session it was copied from.
struct SessionCopyTests {
    @Test func aCopyKeepsTheStateAndGoesOnApart() throws {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        s.format = .csv
        #expect(s.handle(":timing on").text == "timing: on\n")
        let schema = s.handle(":schema").text
        let checkout = s.handle("checkout").text.components(separatedBy: "time:")[0]
        #expect(checkout.contains("checkout,,view,"))
        #expect(s.handle("funnel open {").text == "")
        let c = s.copy()
        // Everything carries over: definitions, format, timing and the half-typed block.
        #expect(c.format == .csv && c.timing && c.isContinuing)
        #expect(c.handle("step v = \"view\" }").text.contains("defined funnel open (1 steps)"))
        #expect(c.handle("checkout").text.components(separatedBy: "time:")[0] == checkout)
        // What the copy does stays in the copy.
        #expect(c.handle(":format json").text == "format: json\n")
        #expect(c.handle("funnel quick { step v = \"view\"  step p = \"purchase\" }").text.contains("defined funnel quick"))
        let dir = TestSupport.temporaryFolder("funnel-repl-copy")
        try "user_id,event_time,event_type,device,country,price\nu1,2024-03-01 00:00:00 UTC,view,mobile,US,\n".write(toFile: dir + "/one.csv", atomically: true, encoding: .utf8)
        #expect(c.handle(":events \(dir)/one.csv").text.contains("1 events in memory"), "the copy reads other events")
        #expect(s.format == .csv && s.isContinuing)
        s.cancelInput()
        #expect(s.handle("quick").failed, "the original does not know the copy's funnel")
        #expect(s.handle(":schema").text == schema, "the original keeps its data")
        #expect(s.handle("checkout").text.components(separatedBy: "time:")[0] == checkout)
    }

    /// A column read for one query (an identifier-like column is not loaded up front) goes into
    /// the copy's data only: the copy's stores are its own.
    @Test func aColumnReadByACopyStaysInTheCopy() throws {
        let dir = TestSupport.temporaryFolder("funnel-repl-copy-column")
        var csv = "user,time,event,order_id\n"
        for i in 0..<300 { csv += "u\(i % 40),2024-03-01T\(String(format: "%02d:%02d", i / 60, i % 60)):00Z,\(i % 3 == 0 ? "buy" : "view"),o\(i)\n" }
        try csv.write(toFile: dir + "/events.csv", atomically: true, encoding: .utf8)
        try "source events = csv(\"events.csv\")\nfunnel f {\n  step v = \"view\"\n  step b = \"buy\"\n}\n".write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let s = Session()
        #expect(!s.load(path: dir + "/f.funnel").failed)
        #expect(!s.workspace.isLoaded("order_id"), "identifier-like: read when a query needs it")
        let c = s.copy()
        let r = c.handle("f where order_id != \"o1\"")
        #expect(!r.failed, "\(r.text)")
        #expect(c.workspace.isLoaded("order_id"))
        #expect(!s.workspace.isLoaded("order_id"), "the original's data is unchanged")
    }
}

/// A quoted line longer than the 160-character window is shown with its control characters
/// pictured, as a short line is: a raw escape sequence typed at the prompt (or in a file) used to
/// reach the terminal in the diagnostic's quoted window.
struct LongLineDiagnosticTests {
    @Test func aLongQuotedLineShowsNoRawControlCharacter() {
        let s = Session()
        let long = "view -> cart where country == \"" + String(repeating: "x", count: 200) + "\" \u{1B}[2J"
        let r = s.handle(long)
        #expect(r.failed)
        #expect(r.text.contains("U+001B"), "\(r.text)")
        #expect(!r.text.contains("\u{1B}"), "no raw escape reaches the terminal: \(r.text)")
        #expect(r.text.contains("\u{241B}[2J"), "the window shows a visible stand-in: \(r.text)")
        // A short line, as before.
        let short = s.handle("view -> cart \u{1B}[2J")
        #expect(!short.text.contains("\u{1B}") && short.text.contains("\u{241B}[2J"), "\(short.text)")
    }
}

/// `expect RATE >= N` with N over 1 warns (E257) and shows N; a whole N too large for an Int
/// (the random mutations of RobustnessTests made one) crashed the checker converting it.
struct RateComparedWithNumberTests {
    @Test func aHugeWholeNumberIsShownNotConverted() {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        _ = s.handle("checkout")
        let huge = s.handle("expect conversion >= 100000000000000000000")
        #expect(huge.text.contains("compares a rate (0 to 1) with 1e+20"), "\(huge.text)")
        #expect(huge.text.contains("added to funnel checkout"), "\(huge.text)")
        let between = s.handle("expect cart_rate between 1 and 100000000000000000000")
        #expect(between.text.contains("compares a rate (0 to 1) with 1e+20"), "\(between.text)")
        // As before for a number of everyday size.
        #expect(s.handle("expect conversion >= 40").text.contains("compares a rate (0 to 1) with 40"))
    }
}

/// The quoted line of a reply's first diagnostic and the text its carets underline.
func underlined(_ text: String) -> (quoted: String, under: String)? {
    let lines = text.components(separatedBy: "\n")
    for (i, line) in lines.enumerated() where i + 1 < lines.count {
        guard let bar = line.range(of: " | "), line[..<bar.lowerBound].trimmingCharacters(in: .whitespaces).allSatisfy(\.isNumber),
              !line[..<bar.lowerBound].trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        let quoted = Array(line[bar.upperBound...])
        let marks = lines[i + 1]
        guard let caretBar = marks.range(of: " | "), marks.distance(from: marks.startIndex, to: caretBar.lowerBound) == line.distance(from: line.startIndex, to: bar.lowerBound) else { return nil }
        let carets = Array(marks[caretBar.upperBound...])
        guard let start = carets.firstIndex(of: "^") else { return nil }
        let end = min(quoted.count, start + carets.filter { $0 == "^" }.count)
        return (String(quoted), start < end ? String(quoted[start..<end]) : "")
    }
    return nil
}

/// Issue 12, item 7: an error in what was typed at the prompt (a new funnel, a block, a change
/// to a funnel of a loaded file) quotes the typed line, with the caret under the typed words.
struct TypedErrorTests {
    func session() -> Session {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        return s
    }

    /// (a) A new funnel with a misspelt event: said when it is typed, at the typed line; not
    /// again under unrelated inputs, but again when that funnel runs.
    @Test func aMisspeltEventOfANewFunnelIsShownWhenTyped() {
        let s = session()
        let r = s.handle("funnel q { step v = \"veiw\" }")
        #expect(r.text.contains("<repl>:1:21: warning[E210]: event \"veiw\" never occurs"), "\(r.text)")
        #expect(underlined(r.text)?.under == "\"veiw\"", "\(r.text)")
        #expect(r.text.contains("defined funnel q (1 steps)"))
        let other = s.handle("checkout")
        #expect(other.text.contains("funnel checkout") && !other.text.contains("veiw"), "an unrelated run does not quote it: \(other.text.prefix(400))")
        let typo = s.handle("view -> cart by devise")
        #expect(!typo.text.contains("veiw") && underlined(typo.text)?.under == "devise", "\(typo.text)")
        #expect(s.handle("q").text.contains("warning[E210]: event \"veiw\" never occurs"), "running the funnel says it again")
    }

    /// (b) A block typed over three lines, its error on the second: line 2 of the block, quoted.
    @Test func anErrorOnTheSecondLineOfABlock() {
        let s = session()
        #expect(s.handle("funnel z {").text.isEmpty)
        #expect(s.handle("  step p = \"purchase\" and prise > 0").text.isEmpty)
        let r = s.handle("}")
        #expect(r.failed)
        #expect(r.text.contains("<repl>:2:27: error[E201]: unknown property 'prise'"), "\(r.text)")
        #expect(underlined(r.text)?.quoted == "  step p = \"purchase\" and prise > 0", "\(r.text)")
        #expect(underlined(r.text)?.under == "prise", "\(r.text)")
        // A syntax error on the second line, the same.
        _ = s.handle("funnel z {")
        _ = s.handle("  step v = \"view\"  step p = \"purchase\" within 1x")
        let syntax = s.handle("}")
        #expect(syntax.text.contains("<repl>:2:48: error[E105]"), "\(syntax.text)")
        #expect(underlined(syntax.text)?.under == "x", "\(syntax.text)")
    }

    /// Blanks typed before a line count: the column is the one on the screen.
    @Test func leadingBlanksKeepTheColumn() {
        let r = session().handle("   view -> cart by devise")
        #expect(r.text.contains("<repl>:1:20: error[E201]"), "\(r.text)")
        #expect(underlined(r.text)?.quoted == "   view -> cart by devise", "\(r.text)")
        #expect(underlined(r.text)?.under == "devise")
    }

    /// (c) `checkout order any` makes lines of the loaded file wrong (`within 1d`, a KPI of the
    /// time between steps): the errors are shown at the typed `order any`, the file's line named.
    @Test func aChangeThatClashesWithTheFilePointsAtTheChange() {
        let s = session()
        let r = s.handle("checkout order any")
        #expect(r.failed)
        #expect(!r.text.contains("examples/ecommerce.funnel:18:33: error"), "\(r.text)")
        #expect(!r.text.contains("  18 |") && !r.text.contains("  27 |"), "no line of the file is quoted as the error's: \(r.text)")
        #expect(r.text.contains("<repl>:1:10: error[E232]: 'within' needs an order between steps"), "\(r.text)")
        #expect(underlined(r.text)?.quoted == "checkout order any")
        #expect(underlined(r.text)?.under == "order any")
        #expect(r.text.contains("help: it clashes with `step cart = \"cart\" within 1d` at examples/ecommerce.funnel:18:33; remove 'within'"), "\(r.text)")
        #expect(r.text.contains("it clashes with `kpi time_to_buy = median(time(view -> purchase))` at examples/ecommerce.funnel:27:28"), "\(r.text)")
        // The definition is unchanged and runs.
        #expect(s.handle("checkout").text.contains("funnel checkout  (window 7d, ordered;"))
    }

    /// Two typed clauses that clash with each other: the caret spans both, and not the clause
    /// typed before them; nothing is quoted from the file (its line is only the funnel's name).
    @Test func typedClausesThatClashWithEachOther() {
        let s = session()
        let r = s.handle("checkout by week count conversions by device all")
        #expect(r.text.contains("<repl>:1:18: error[E301]: the engine does not combine 'count conversions' with 'by device all' yet"), "\(r.text)")
        #expect(underlined(r.text)?.under == "count conversions by device all", "\(r.text)")
        #expect(!r.text.contains("funnel checkout {"), "\(r.text)")
        // An inline funnel has a made-up name: the error that points at a funnel's name points at the clauses.
        let inline = s.handle("view -> cart count conversions by device all")
        #expect(inline.text.contains("<repl>:1:14: error[E301]"), "\(inline.text)")
        #expect(underlined(inline.text)?.under == "count conversions by device all", "\(inline.text)")
    }

    /// `kpi` and `expect` lines add to a funnel of the file; their errors are in the typed line.
    @Test func aKPIOrExpectAddedToAFunnelOfTheFile() {
        let s = session()
        _ = s.handle("checkout")
        let kpi = s.handle("kpi k = purchse / view")
        #expect(kpi.text.contains("<repl>:1:9: error[E246]"), "\(kpi.text)")
        #expect(underlined(kpi.text)?.under == "purchse")
        let expect = s.handle("expect conversio >= 5%")
        #expect(expect.text.contains("<repl>:1:8: error[E246]"), "\(expect.text)")
        #expect(underlined(expect.text)?.under == "conversio")
        let twice = s.handle("kpi aov = purchase / view")
        #expect(twice.text.contains("<repl>:1:5: error[E231]: 'aov' is already a step or KPI name"), "\(twice.text)")
        #expect(underlined(twice.text)?.under == "aov")
    }

    /// Redefining a funnel of the file: the error is in the new text. Redefining the source the
    /// file's funnels read: their errors are shown at the typed declaration, each naming its line.
    @Test func redefinitionsPointAtTheNewText() {
        let s = session()
        let r = s.handle("funnel checkout { step v = \"view\"  step v = \"cart\" }")
        #expect(r.text.contains("<repl>:1:41: error[E231]: step 'v' is declared twice"), "\(r.text)")
        #expect(underlined(r.text)?.under == "v")
        let source = "source events = csv(\"examples/data/users.csv\") { user = user_id  time = age  event = plan }"
        let broken = s.handle(source)
        #expect(broken.failed)
        #expect(!broken.text.contains("examples/ecommerce.funnel:19:34: error"), "\(broken.text)")
        #expect(broken.text.contains("<repl>:1:1: error[E201]: unknown property 'price'"), "\(broken.text)")
        #expect(broken.text.contains("it clashes with `step purchase = \"purchase\" and price > 0` at examples/ecommerce.funnel:19:34"), "\(broken.text)")
        #expect(underlined(broken.text)?.quoted == source)
        #expect(s.handle("clean_checkout").text.contains("funnel clean_checkout"), "the old source is kept")
    }
}

/// Issue 12, item 7: the pager, as psql's: which command, when a text is taller than the
/// screen, and that a pager that cannot run leaves the text to be printed.
struct PagerTests {
    @Test func theCommandComesFromTheEnvironment() {
        #expect(Pager.command(environment: [:]) == "less -FRX")
        #expect(Pager.command(environment: ["PAGER": "more"]) == "more")
        #expect(Pager.command(environment: ["PAGER": "more", "FUNNEL_PAGER": "less -S"]) == "less -S")
        #expect(Pager.command(environment: ["PAGER": "more", "FUNNEL_PAGER": ""]) == nil, "an empty FUNNEL_PAGER switches it off")
        #expect(Pager.command(environment: ["PAGER": " "]) == nil)
        #expect(Pager.command(environment: ["PAGER": "cat"]) == nil)
    }

    @Test func rowsCountWrappedLinesAndNotColourCodes() {
        #expect(Pager.rows(of: "a\nb\n", columns: 80) == 2)
        #expect(Pager.rows(of: "a\n\nb", columns: 80) == 3)
        #expect(Pager.rows(of: String(repeating: "x", count: 81) + "\n", columns: 80) == 2)
        #expect(Pager.rows(of: "\u{1B}[1;31m" + String(repeating: "x", count: 80) + "\u{1B}[0m\n", columns: 80) == 1)
        let ten = String(repeating: "line\n", count: 10)
        #expect(!Pager.isTaller(ten, than: (rows: 11, columns: 80)), "ten lines and the prompt fit in 11 rows")
        #expect(Pager.isTaller(ten, than: (rows: 10, columns: 80)))
    }

    /// Standard output is no terminal here: only $LINES can say how tall the screen is.
    @Test func aScreenOfUnknownHeightIsNotPagedFor() {
        #expect(Pager.screenSize(environment: [:]) == nil)
        #expect(Pager.screenSize(environment: ["LINES": "0", "COLUMNS": "100"]) == nil)
        #expect(Pager.screenSize(environment: ["LINES": "30", "COLUMNS": "100"]).map { [$0.rows, $0.columns] } == [30, 100])
    }

    @Test func thePagerReadsTheText() throws {
        let dir = TestSupport.temporaryFolder("funnel-pager")
        let text = String(repeating: "a line of a result\n", count: 5000)
        #expect(Pager(command: "cat > '\(dir)/paged.txt'").page(text))
        #expect(try String(contentsOfFile: dir + "/paged.txt", encoding: .utf8) == text)
        // A person who quits the pager early has seen what they wanted.
        #expect(Pager(command: "head -c 10 > /dev/null").page(text))
    }

    @Test func aPagerThatCannotRunLeavesTheTextToThePrinter() {
        #expect(!Pager(command: "/nonexistent/pager").page("text\n"), "not found")
        #expect(!Pager(command: "exit 3").page(String(repeating: "x\n", count: 100_000)), "failed before reading")
    }

    @Test func pagerOnOffAndWhatMayBePaged() {
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repo))
        let s = Session()
        _ = s.load(path: "examples/ecommerce.funnel")
        let result = s.handle("checkout")
        #expect(s.pager && s.mayPage(result))
        #expect(!s.mayPage(s.handle("chekout")), "an error stays on the screen")
        #expect(s.handle(":pager off").text == "pager: off\n")
        #expect(!s.mayPage(result))
        #expect(s.handle(":pager on").text == "pager: on\n")
        #expect(s.handle(":pager maybe").text.contains("usage: :pager on|off"))
        let dir = TestSupport.temporaryFolder("funnel-pager-output")
        _ = s.handle(":output \(dir)/all.txt")
        #expect(!s.mayPage(result), "never while results go to a file")
        #expect(s.complete(":pager o", cursor: 8).candidates == ["off", "on"])
        #expect(s.handle(":help").text.contains(":pager on|off"))
    }
}
