import Foundation
import FunnelTestSupport
import Testing

/// Issue 12, item 6, the terminal table: it fits a width (`--width`, or the terminal's), speaks
/// ASCII when the locale is not UTF-8, shows many groups one row each (`--compact`, `--top`),
/// and marks the biggest drop.
struct TableTests {
    /// 13 cities of 13 down to 1 users (two of them not ASCII, one of them wide), on three plans.
    /// In city k (1-based) user j views; cart unless (j + k) % 4 == 3; checkout unless
    /// (j + k) % 3 == 1; purchase when (j * k) % 5 < 2. One row has a bad time, for --skip-bad-rows.
    static let csv: String = {
        let cities = ["Berlin", "London", "Paris", "São Paulo", "東京", "Madrid", "Rome", "Oslo", "Lisbon", "Vienna", "Prague", "Dublin", "Bern"]
        var rows = ["user,time,event,city,plan"]
        var user = 0
        for (c, city) in cities.enumerated() {
            let k = c + 1
            for j in 0..<(14 - k) {
                user += 1
                let (id, t, plan) = ("u\(user)", 1_709_542_800 + user * 3600, ["free", "pro", "team"][user % 3])
                rows.append("\(id),\(t),view,\(city),\(plan)")
                guard (j + k) % 4 != 3 else { continue }
                rows.append("\(id),\(t + 120),cart,\(city),\(plan)")
                guard (j + k) % 3 != 1 else { continue }
                rows.append("\(id),\(t + 600),checkout,\(city),\(plan)")
                if (j * k) % 5 < 2 { rows.append("\(id),\(t + 900),purchase,\(city),\(plan)") }
            }
        }
        rows.append("u999,yesterday,view,Berlin,free")
        return rows.joined(separator: "\n") + "\n"
    }()
    static let cityCount = 13

    static let funnel = """
        source events = csv("data.csv") { user = user  time = time  event = event }
        funnel by_city { step view = "view"  step cart = "cart"  step checkout = "checkout"  step purchase = "purchase"  by city }
        funnel by_plan { step view = "view"  step cart = "cart"  step checkout = "checkout"  step purchase = "purchase"  by plan
          kpi conversion = purchase / view  kpi carts = cart / view  expect conversion >= 90% }
        funnel two { step view = "view"  step cart = "cart" }
        funnel daily { step view = "view"  step cart = "cart"  by day }
        """

    static func fixture() -> String { CLI.fixture(csv: csv, funnel: funnel) }

    static func run(_ dir: String, _ args: [String], environment: [String: String] = [:]) -> CLI.Output {
        CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows"] + args, environment: environment)
    }

    /// Columns a line takes on a terminal (CJK ideographs take two).
    static func columns(_ line: Substring) -> Int {
        line.unicodeScalars.reduce(0) { n, u in n + ((0x4E00...0x9FFF).contains(u.value) ? 2 : 1) }
    }

    static func lines(_ text: String) -> [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// Rows of the compact table of `funnel`: the lines after its header `city  users ...`.
    static func compactRows(_ text: String, funnel: String) -> [[Substring]] {
        let section = text.components(separatedBy: "funnel \(funnel) ").dropFirst().first ?? ""
        let all = lines(section)
        guard let header = all.firstIndex(where: { $0.hasPrefix("    city ") }) else { return [] }
        return all[(header + 1)...].prefix { $0.hasPrefix("    ") && !$0.contains("more group") && !$0.contains("hidden to fit") }
            .map { $0.split(separator: " ") }
    }

    // MARK: 1. the width

    @Test(arguments: [60, 80, 120, 200])
    func noLineIsLongerThanTheWidth(width: Int) {
        let dir = Self.fixture()
        for extra in [[], ["--top", "3"], ["--compact"], ["--ascii"]] {
            let r = Self.run(dir, ["--width", "\(width)"] + extra)
            #expect(r.status == 1, "\(r.stderr)")   // by_plan's expect fails
            for line in Self.lines(r.stdout) {
                #expect(Self.columns(line) <= width, "\(extra): \(Self.columns(line)) > \(width): \(line)")
            }
            #expect(r.stdout.contains("funnel by_plan") && r.stdout.contains("city") && r.stdout.contains("purchase"))
        }
        // The layouts differ with the width: everything at 200, columns hidden (and said so) at 60.
        let wide = Self.run(dir, ["--width", "200"]).stdout
        #expect(wide.contains("p90 time") && wide.contains("░") && !wide.contains("hidden to fit"), "\(wide)")
        let narrow = Self.run(dir, ["--width", "60"]).stdout
        let headers = Self.lines(narrow).filter { $0.hasSuffix(" median time") }
        #expect(!headers.isEmpty && !headers.contains { $0.contains("p90 time") } && !narrow.contains("░"), "no steps bar: \(narrow)")
        #expect(narrow.contains("hidden to fit 60 columns: p90 time, mean time"), "\(narrow)")
    }

    @Test func aPipeHasNoWidthUnlessOneIsGiven() {
        let dir = Self.fixture()
        // Standard output is a pipe here: COLUMNS is a terminal's and is not read.
        let piped = Self.run(dir, [], environment: ["COLUMNS": "60"])
        #expect(Self.lines(piped.stdout).contains { Self.columns($0) > 100 }, "\(piped.stdout)")
        #expect(piped.stdout.contains("p90 time") && !piped.stdout.contains("hidden to fit"))
        let none = Self.run(dir, ["--width", "0"])
        #expect(none.stdout == piped.stdout)
        #expect(Self.run(dir, ["--width", "30"]).status == 64)
        #expect(Self.run(dir, ["--width", "30"]).stderr.contains("--width takes a number of columns: 40 or more, or 0 for no limit"))
    }

    /// On a terminal (a pseudo-terminal from script(1), whose size is unset, so COLUMNS counts)
    /// the table fits the terminal without being told; `-o FILE` still has no width.
    @Test func aTerminalIsMeasured() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "script(1) from util-linux is needed")
        let dir = Self.fixture()
        // script(1) sends both streams to the terminal: standard error (the skipped row's note) is not the table's.
        let command = "\(CLI.binary) run \(dir)/f.funnel --skip-bad-rows --funnel by_plan 2>/dev/null"
        let text = Self.runProgram(script, ["-qec", command, "/dev/null"], environment: ["COLUMNS": "70"]).replacingOccurrences(of: "\r", with: "")
        #expect(text.contains("funnel by_plan") && text.contains("hidden to fit 70 columns"), "\(text)")
        for line in Self.lines(text) { #expect(Self.columns(line) <= 70, "\(line)") }
        let file = dir + "/report.txt"
        _ = Self.runProgram(script, ["-qec", command.replacingOccurrences(of: " 2>", with: " -o \(file) 2>"), "/dev/null"], environment: ["COLUMNS": "70"])
        let written = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        #expect(written.contains("p90 time") && !written.contains("hidden to fit"), "\(written)")
    }

    /// The REPL's table on its terminal fits it too; piped, it has no width but follows the locale.
    @Test func theREPLsTableFollowsItsTerminalAndTheLocale() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "script(1) from util-linux is needed")
        let dir = Self.fixture()
        // Lines typed ahead into the pseudo-terminal; timeout(1) bounds a session that would not end.
        let screen = Self.runProgram("/usr/bin/timeout", ["60", script, "-qec", "\(CLI.binary) repl --skip-bad-rows \(dir)/f.funnel 2>/dev/null", "/dev/null"],
                                     environment: ["COLUMNS": "70"], stdin: "by_plan\r:quit\r").replacingOccurrences(of: "\r", with: "")
        #expect(screen.contains("funnel by_plan") && screen.contains("hidden to fit 70 columns"), "\(screen)")
        let table = screen.components(separatedBy: "funnel by_plan ").dropFirst().joined()
        for line in Self.lines(table) where !line.contains("funnel>") { #expect(Self.columns(line) <= 70, "\(line)") }
        let piped = CLI.run(["repl", "--skip-bad-rows", dir + "/f.funnel"], stdin: "by_plan\n", environment: ["LC_ALL": "", "LC_CTYPE": "", "LANG": "C", "COLUMNS": "60"])
        #expect(piped.stdout.contains("<- biggest drop") && piped.stdout.contains("p90 time") && !piped.stdout.contains("hidden to fit"), "\(piped.stdout)")
    }

    // MARK: 2. ASCII

    @Test func aLocaleThatIsNotUTF8GetsASCIIDecorationsAndTheDataAsItIs() {
        let dir = Self.fixture()
        let r = Self.run(dir, ["--no-compact", "--width", "200"], environment: ["LC_ALL": "", "LC_CTYPE": "", "LANG": "C"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("#####") && r.stdout.contains("<- biggest drop") && r.stdout.contains("view -> purchase"), "\(r.stdout)")
        #expect(r.stdout.contains("São Paulo") && r.stdout.contains("東京"), "data values stay as they are")
        #expect(r.stdout.contains("skipped 1 bad rows: 1 x "), "the skipped rows' reasons: \(r.stdout)")
        let decorations = r.stdout.replacingOccurrences(of: "São Paulo", with: "").replacingOccurrences(of: "東京", with: "")
        #expect(!decorations.utf8.contains { $0 >= 0x80 }, "\(decorations.unicodeScalars.filter { $0.value >= 0x80 })")
        // The compact view and its "more groups" line too.
        let compact = Self.run(dir, ["--top", "9", "--width", "60"], environment: ["LANG": "POSIX", "LC_ALL": ""])
        #expect(compact.stdout.contains("... 4 more groups; --top to change"), "\(compact.stdout)")
        #expect(!compact.stdout.replacingOccurrences(of: "São Paulo", with: "").replacingOccurrences(of: "東京", with: "").utf8.contains { $0 >= 0x80 })
    }

    @Test func theLocaleDecidesInPOSIXOrderAndAsciiForcesIt() {
        let dir = Self.fixture()
        func bars(_ env: [String: String], _ extra: [String] = []) -> String {
            let out = Self.run(dir, ["--funnel", "two"] + extra, environment: env).stdout
            return out.contains("█") ? "utf8" : (out.contains("###") ? "ascii" : "none: \(out)")
        }
        #expect(bars(["LC_ALL": "", "LC_CTYPE": "", "LANG": ""]) == "utf8")         // no locale at all: UTF-8
        #expect(bars(["LC_ALL": "", "LC_CTYPE": "", "LANG": "en_US.utf8"]) == "utf8")
        #expect(bars(["LC_ALL": "", "LC_CTYPE": "", "LANG": "de_DE.ISO-8859-1"]) == "ascii")
        #expect(bars(["LC_ALL": "", "LC_CTYPE": "C.UTF-8", "LANG": "C"]) == "utf8")  // LC_CTYPE before LANG
        #expect(bars(["LC_ALL": "C", "LC_CTYPE": "C.UTF-8", "LANG": "C.UTF-8"]) == "ascii")  // LC_ALL first
        #expect(bars([:], ["--ascii"]) == "ascii")
        // Only the table: JSON keeps the data's characters and has no decorations to change.
        let json = Self.run(dir, ["--format", "json", "--ascii"]).stdout
        #expect(json.contains("São Paulo"))
    }

    // MARK: 3. many groups

    @Test func manyGroupsAreOneRowEachLargestFirst() {
        let dir = Self.fixture()
        let r = Self.run(dir, ["--funnel", "by_city"])
        #expect(r.stdout.contains("by city: 13 groups, largest first; the share of users at view who reach each step"), "\(r.stdout)")
        #expect(r.stdout.contains("    city       users    cart  checkout  purchase  biggest drop"), "\(r.stdout)")
        #expect(!r.stdout.contains("city = "), "no table per group")
        let rows = Self.compactRows(r.stdout, funnel: "by_city")
        #expect(rows.count == Self.cityCount, "\(rows)")
        // Users (the second cell; São Paulo's name has a space) never rise.
        let users = rows.map { row in row.lazy.compactMap { Int($0) }.first ?? -1 }
        #expect(users == users.sorted(by: >) && users.first == 13 && users.last == 1, "\(users)")
        // Berlin (k = 1, j = 0...12): cart unless j = 2, 6, 10 (10 of 13), checkout of those unless
        // j = 0, 3, 9, 12 (6), purchase of those when j % 5 < 2 (j = 1, 5, 11: 3): 76.9%, 46.2%,
        // 23.1%; the biggest drop is at purchase, 3 of 6 lost.
        #expect(r.stdout.contains("    Berlin        13   76.9%     46.2%     23.1%  purchase (50.0%)"), "\(r.stdout)")
    }

    @Test func topKeepsTheLargestGroupsAndSaysHowManyAreLeftOut() {
        let dir = Self.fixture()
        let r = Self.run(dir, ["--funnel", "by_city", "--top", "10"])
        let rows = Self.compactRows(r.stdout, funnel: "by_city")
        #expect(rows.map { $0[0] } == ["Berlin", "London", "Paris", "São", "東京", "Madrid", "Rome", "Oslo", "Lisbon", "Vienna"], "\(rows)")
        #expect(r.stdout.contains("    … 3 more groups; --top to change"), "\(r.stdout)")
        // Few groups shown: a table each, still with the count of the rest.
        let few = Self.run(dir, ["--funnel", "by_city", "--top", "2"])
        #expect(few.stdout.contains("  city = Berlin\n") && few.stdout.contains("  city = London\n") && !few.stdout.contains("city = Paris"), "\(few.stdout)")
        #expect(few.stdout.contains("  … 11 more groups; --top to change"), "\(few.stdout)")
        #expect(Self.run(dir, ["--top", "0"]).status == 64)
    }

    @Test func compactAndNoCompactOverrideTheCount() {
        let dir = Self.fixture()
        let compact = Self.run(dir, ["--funnel", "by_plan", "--compact"])
        #expect(compact.stdout.contains("by plan: 3 groups, largest first") && !compact.stdout.contains("plan = free"), "\(compact.stdout)")
        // The groups' KPIs: a column each in the compact view, a line under each table otherwise.
        #expect(compact.stdout.contains("  purchase  biggest drop ") && compact.stdout.contains("  conversion   carts\n"), "\(compact.stdout)")
        #expect(compact.stdout.contains("    pro      31  74.2%      9.7%      6.5%  checkout (87.0%)       6.45%  74.19%\n"), "\(compact.stdout)")
        #expect(Self.run(dir, ["--funnel", "by_plan"]).stdout.contains("    kpis: conversion "))
        let full = Self.run(dir, ["--funnel", "by_city", "--no-compact"])
        #expect(full.stdout.components(separatedBy: "  city = ").count - 1 == Self.cityCount, "\(full.stdout)")
        // Without either, 3 groups get a table each.
        #expect(Self.run(dir, ["--funnel", "by_plan"]).stdout.contains("  plan = free\n"))
    }

    @Test func aTrendsPeriodsStayInTimeOrder() {
        let dir = Self.fixture()
        // A user an hour from 2024-03-04 10:00 UTC: 14 users that day, 24 on each of the next three, 5 on the 8th.
        let r = Self.run(dir, ["--funnel", "daily", "--compact"])
        #expect(r.stdout.contains("by day: 5 groups, in time order"), "\(r.stdout)")
        let rows = Self.lines(r.stdout).filter { $0.hasPrefix("    2024-03-") }.map { $0.split(separator: " ") }
        #expect(rows.map { $0[0] } == ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"], "\(r.stdout)")
        #expect(rows.map { $0[1] } == ["14", "24", "24", "24", "5"], "\(r.stdout)")
        // --top keeps the largest periods, still in time order.
        let top = Self.run(dir, ["--funnel", "daily", "--compact", "--top", "2"])
        #expect(Self.lines(top.stdout).filter { $0.hasPrefix("    2024-03-") }.map { $0.prefix(14) } == ["    2024-03-05", "    2024-03-06"], "\(top.stdout)")
    }

    @Test func theOtherGroupOfMaxGroupsComesLast() {
        let dir = Self.fixture()
        // 4 largest cities kept, the other 9 (40 users) summed in "(other)", the largest row.
        let r = Self.run(dir, ["--funnel", "by_city", "--max-groups", "4", "--compact"])
        let rows = Self.compactRows(r.stdout, funnel: "by_city")
        #expect(rows.map { $0[0] } == ["Berlin", "London", "Paris", "São", "(other)"], "\(r.stdout)")
    }

    // MARK: 4. the biggest drop

    /// Each steps table of `text`: its rows (the lines under a header that names "dropped").
    static func stepsTables(_ text: String) -> [[Substring]] {
        var tables: [[Substring]] = []
        var rows: [Substring]? = nil
        var indent = 0
        for line in lines(text) {
            let spaces = line.prefix { $0 == " " }.count
            if line.dropFirst(spaces).hasPrefix("step ") && line.contains("dropped") {
                if let r = rows { tables.append(r) }
                rows = []
                indent = spaces
            } else if rows != nil, spaces == indent, !line.isEmpty, !line.contains("biggest drop:"), !line.contains("hidden to fit") {
                rows?.append(line)
            } else if let r = rows {
                tables.append(r)
                rows = nil
            }
        }
        if let r = rows { tables.append(r) }
        return tables
    }

    @Test func theBiggestDropIsMarkedInEveryTable() throws {
        let dir = Self.fixture()
        let r = Self.run(dir, ["--funnel", "by_plan"])
        let tables = Self.stepsTables(r.stdout)
        #expect(tables.count == 4, "the funnel's and three plans': \(r.stdout)")
        // In each table the mark is on the one row that lost the largest share of the step before
        // (as its "dropped" column says), and only there.
        for rows in tables {
            let shares = rows.map { row in row.split(separator: "(").dropFirst().first.flatMap { Double($0.prefix { $0 != "%" }) } ?? -1 }
            let biggest = try #require(shares.indices.max { shares[$0] < shares[$1] || (shares[$0] == shares[$1] && $0 > $1) })
            #expect(shares[biggest] > 0)
            for (i, row) in rows.enumerated() {
                #expect(row.hasSuffix("◀ biggest drop") == (i == biggest), "\(row)")
            }
        }
        // The summary line under the funnel's table names the same step.
        let summary = try #require(Self.lines(r.stdout).first { $0.hasPrefix("  biggest drop: ") })
        let step = summary.dropFirst("  biggest drop: ".count).prefix { $0 != "," }
        #expect(tables[0].first { $0.hasSuffix("◀ biggest drop") }?.hasPrefix("  \(step) ") == true, "\(tables[0])")
        // Two steps: the one drop is not "the biggest".
        #expect(!Self.run(dir, ["--funnel", "two"]).stdout.contains("biggest drop"))
        // In colour, the mark stands out; narrow, it shortens to the arrow.
        let color = Self.run(dir, ["--funnel", "by_plan", "--color", "always"])
        #expect(color.stdout.contains("\u{1B}[1;33m◀ biggest drop\u{1B}[0m"), "\(color.stdout)")
        let narrow = Self.run(dir, ["--funnel", "by_plan", "--width", "60"])
        #expect(Self.stepsTables(narrow.stdout).allSatisfy { rows in rows.filter { $0.hasSuffix("  ◀") }.count == 1 }, "\(narrow.stdout)")
        // In the compact view, a column names each group's: Berlin loses 3 of 6 at purchase.
        let compact = Self.run(dir, ["--funnel", "by_city"])
        #expect(compact.stdout.contains("  Berlin        13   76.9%     46.2%     23.1%  purchase (50.0%)"), "\(compact.stdout)")
    }

    /// Runs `executable` with `arguments` (no shell), with the CLI's environment and `environment`,
    /// `stdin` on its standard input; what it prints on both streams.
    static func runProgram(_ executable: String, _ arguments: [String], environment: [String: String], stdin: String = "") -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["LC_ALL"] = "C.UTF-8"
        env.merge(environment) { _, new in new }
        p.environment = env
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = input
        do { try p.run() } catch { return "cannot run \(executable): \(error)" }
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
