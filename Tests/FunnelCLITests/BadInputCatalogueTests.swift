import Foundation
import FunnelTestSupport
import Testing

/// Issue 8: the bad-input catalogue. Each class of bad input — in the `.funnel` language, event
/// files, users tables, the command line and the REPL — runs the real binary and asserts the exit
/// code and a message at its place (FILE:LINE:COLUMN with its code, or the option named).
struct BadInputCatalogueTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var funnel: String = BadInputCatalogueTests.defaultFunnel
        var data: [UInt8] = Array(BadInputCatalogueTests.defaultData.utf8)
        var dataName = "data.csv"
        var users: String? = nil
        var args: [String] = ["run", "f.funnel"]
        var stdin: String? = nil
        var status: Int32 = 2
        /// The start of the line that must say it: "f.funnel:3:12: error[E104]" or "error: …".
        var expected: String
        var testDescription: String { name }
    }

    static let defaultFunnel = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\nfunnel f { step view = \"view\"  step buy = \"buy\" }\n"
    static let defaultData = "user,time,event,price,device\nu1,2024-01-01T00:00:00Z,view,1,m\nu1,2024-01-01T01:00:00Z,buy,2,d\n"
    static let source = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\n"
    static let withUsers = source + "users = csv(\"users.csv\") { key = user_id }\nfunnel f { step view = \"view\"  for user.age > 3 }\n"
    static func step(_ condition: String) -> String { source + "funnel f { step view = \"view\"\n  step buy = \"buy\" and \(condition) }\n" }
    static func clause(_ text: String) -> String { source + "funnel f { step view = \"view\"  step buy = \"buy\"\n  \(text) }\n" }
    static func csv(_ rows: String) -> [UInt8] { Array(("user,time,event,price,device\n" + rows).utf8) }

    static let language: [Case] = [
        Case(name: "unterminated string", funnel: step("device == \"m"), expected: "f.funnel:3:34: error[E104]"),
        Case(name: "unterminated backticked name", funnel: step("`device == 1"), expected: "f.funnel:3:24: error[E101]"),
        Case(name: "character that starts no token", funnel: step("price @ 1"), expected: "f.funnel:3:30: error[E102]"),
        Case(name: "undefined string escape", funnel: step("device == \"\\q\""), expected: "f.funnel:3:35: error[E103]"),
        Case(name: "duration with an unknown unit", funnel: clause("window 5x"), expected: "f.funnel:3:11: error[E105]"),
        Case(name: "duration beyond range", funnel: clause("window 99999999999999999999d"), expected: "f.funnel:3:10: error[E105]"),
        Case(name: "date that is not a day", funnel: clause("dates 2024-02-30 to 2024-03-01"), expected: "f.funnel:3:9: error[E106]"),
        Case(name: "funnel without a name", funnel: source + "funnel { step a = \"view\" }\n", expected: "f.funnel:2:8: error[E111]"),
        Case(name: "unknown data format", funnel: "source events = xlsx(\"data.csv\") { user = user }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:17: error[E112]"),
        Case(name: "unclosed block", funnel: source + "funnel f { step a = \"view\"\n", expected: "f.funnel:2:27: error[E113]"),
        Case(name: "assignment where a comparison was meant", funnel: step("device = \"m\""), expected: "f.funnel:3:31: error[E114]"),
        Case(name: "expression nested too deeply", funnel: step(String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300) + " > 0"), expected: "f.funnel:3:"),
        Case(name: "unknown property", funnel: step("prise > 1"), expected: "f.funnel:3:24: error[E201]"),
        Case(name: "funnel declared twice", funnel: defaultFunnel + "funnel f { step a = \"view\" }\n", expected: "f.funnel:3:8: error[E202]"),
        Case(name: "unknown source setting", funnel: "source events = csv(\"data.csv\") { user = user  colour = red }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:48: error[E203]"),
        Case(name: "unknown time zone", funnel: "source events = csv(\"data.csv\") { timezone \"Mars/Olympus\" }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:44: error[E203]"),
        Case(name: "delimiter of two characters", funnel: "source events = csv(\"data.csv\") { delimiter \";;\" }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:45: error[E203]"),
        Case(name: "unknown column type", funnel: "source events = csv(\"data.csv\") { price: money }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:42: error[E203]"),
        Case(name: "number compared with text", funnel: step("price > \"x\""), expected: "f.funnel:3:24: error[E204]"),
        Case(name: "role mapped to a missing column", funnel: "source events = csv(\"data.csv\") { user = uid }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:42: error[E205]"),
        Case(name: "declared column not in the file", funnel: "source events = csv(\"data.csv\") { colour: string }\nfunnel f { step a = \"view\" }\n", expected: "f.funnel:1:35: error[E205]"),
        Case(name: "segments that use each other", funnel: source + "segment a = b\nsegment b = a\nfunnel f { step v = \"view\"  for a }\n", expected: "f.funnel:2:9: error[E207]"),
        Case(name: "unknown order", funnel: clause("order sideways"), expected: "f.funnel:3:9: error[E208]"),
        Case(name: "dates that end before they start", funnel: clause("dates 2024-03-01 to 2024-01-01"), expected: "f.funnel:3:9: error[E209]"),
        Case(name: "event name that never occurs (warning)", funnel: source + "funnel f { step v = \"view\"  step b = \"purchse\" }\n", status: 0, expected: "f.funnel:2:38: warning[E210]"),
        Case(name: "user property without a users table", funnel: source + "funnel f { step v = \"view\"  for user.age > 3 }\n", expected: "f.funnel:2:33: error[E212]"),
        Case(name: "invalid regular expression", funnel: step("device matches \"(\""), expected: "f.funnel:3:"),
        Case(name: "unknown function", funnel: source + "segment s = cnt(\"view\") > 1\nfunnel f { step v = \"view\"  for s }\n", expected: "f.funnel:2:13: error[E242]"),
        Case(name: "unknown segment", funnel: source + "funnel f { step v = \"view\"  for nobody }\n", expected: "f.funnel:2:33: error[E244]"),
        Case(name: "unknown step in a KPI", funnel: clause("kpi k = purchase / view"), expected: "f.funnel:3:11: error[E246]"),
        Case(name: "KPIs in a cycle", funnel: clause("kpi a = b + 1\n  kpi b = a + 1"), expected: "f.funnel:3:11: error[E246]"),
        Case(name: "step name used twice", funnel: source + "funnel f { step v = \"view\"  step v = \"buy\" }\n", expected: "f.funnel:2:34: error[E231]"),
        Case(name: "file without funnels (warning)", funnel: "# nothing yet\n", args: ["check", "f.funnel"], status: 0, expected: "f.funnel: warning[E118]"),
        Case(name: ".funnel file that is not UTF-8", funnel: "funnel f { step v = \"\u{FFFF}\" }", args: ["check", "latin1.funnel"], expected: "latin1.funnel: error[E121]"),
        Case(name: ".funnel file that does not exist", args: ["check", "none.funnel"], expected: "none.funnel: error[E120]"),
        Case(name: "import of a missing file", funnel: "import \"other.funnel\"\n" + defaultFunnel, expected: "f.funnel:1:8: error[E120]"),
    ]

    static let events: [Case] = [
        Case(name: "ragged row", data: csv("u1,2024-01-01T00:00:00Z,view\n"), expected: "data.csv:2:1: error[E403]"),
        Case(name: "unterminated quoted field", data: csv("u1,2024-01-01T00:00:00Z,\"view,1,m\n"), expected: "data.csv:2:25: error[E402]"),
        Case(name: "time that is not a time", data: csv("u1,yesterday,view,1,m\n"), expected: "data.csv:2:4: error[E405]"),
        Case(name: "impossible UTC offset", data: csv("u1,2024-01-01T00:00:00+25:00,view,1,m\n"), expected: "data.csv:2:4: error[E405]"),
        Case(name: "empty user field", data: csv(",2024-01-01T00:00:00Z,view,1,m\n"), expected: "data.csv:2:1: error[E404]"),
        Case(name: "invalid UTF-8", data: csv("u1,2024-01-01T00:00:00Z,vi") + [0xC3, 0x28] + Array("ew,1,m\n".utf8), expected: "data.csv:2:25: error[E408]"),
        Case(name: "NUL byte in a field", data: csv("u1,2024-01-01T00:00:00Z,vi") + [0] + Array("ew,1,m\n".utf8), expected: "data.csv:2:27: error[E402]"),
        Case(name: "header without rows", data: csv(""), expected: "f.funnel:1:21: error[E406]"),
        Case(name: "empty file", data: [], expected: "f.funnel:1:21: error[E406]"),
        Case(name: "column named twice in the header", data: Array("user,time,event,user\nu1,2024-01-01T00:00:00Z,view,u2\n".utf8), expected: "data.csv:1:1: error[E403]"),
        Case(name: "odd value in a number column", funnel: step("price > 1"),
             data: csv((0..<24).map { "u1,2024-01-01T00:00:00Z,view,\($0),m\n" }.joined() + "u1,2024-01-01T01:00:00Z,buy,n/a,m\n"), expected: "data.csv:26:29: error[E407]"),
        Case(name: "malformed JSON line", funnel: "source events = jsonl(\"data.jsonl\") { user = user  time = time  event = event }\nfunnel f { step v = \"view\" }\n",
             data: Array("{\"user\": \"u1\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"\n".utf8), dataName: "data.jsonl", expected: "data.jsonl:1:63: error[E402]"),
        Case(name: "invalid JSON escape", funnel: "source events = jsonl(\"data.jsonl\") { user = user  time = time  event = event }\nfunnel f { step v = \"view\" }\n",
             data: Array("{\"user\": \"u1\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"v\\uZZZZ\"}\n".utf8), dataName: "data.jsonl", expected: "data.jsonl:1:59: error[E402]"),
        Case(name: "JSON line without the user", funnel: "source events = jsonl(\"data.jsonl\") { user = user  time = time  event = event }\nfunnel f { step v = \"view\" }\n",
             data: Array("{\"user\": \"u1\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"}\n{\"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"}\n".utf8), dataName: "data.jsonl", expected: "data.jsonl:2:1: error[E404]"),
        Case(name: "header split by another delimiter", data: Array("user;time;event\nu1;2024-01-01T00:00:00Z;view\n".utf8), expected: "f.funnel:1:8: error[E218]"),
        Case(name: "data file that does not exist", funnel: defaultFunnel.replacingOccurrences(of: "data.csv", with: "gone.csv"), expected: "f.funnel:1:21: error[E401]"),
        Case(name: "data path that is a folder", funnel: defaultFunnel.replacingOccurrences(of: "data.csv", with: "."), expected: "f.funnel:1:21: error[E401]"),
    ]

    static let usersTables: [Case] = [
        Case(name: "users row with too few fields", funnel: withUsers, users: "user_id,age\nu1\n", expected: "users.csv:2:1: error[E403]"),
        Case(name: "users row with an empty key", funnel: withUsers, users: "user_id,age\n,4\n", expected: "users.csv:2:1: error[E404]"),
        Case(name: "users key on two rows", funnel: withUsers, users: "user_id,age\nu1,4\nu1,5\n", expected: "users.csv:3:1: error[E413]"),
        Case(name: "users value not a number", funnel: withUsers, users: "user_id,age\n" + (1...30).map { "u\($0),\($0)" }.joined(separator: "\n") + "\nu31,old\n", expected: "users.csv:32:5: error[E407]"),
        Case(name: "users table without its key column", funnel: withUsers, users: "id,age\nu1,4\n", expected: "f.funnel:2:13: error[E205]"),
        Case(name: "users table that does not exist", funnel: withUsers, expected: "f.funnel:2:13: error[E401]"),
        Case(name: "users JSON line without its key", funnel: withUsers.replacingOccurrences(of: "csv(\"users.csv\")", with: "jsonl(\"users.csv\")"),
             users: "{\"user_id\": \"u1\", \"age\": 4}\n{\"age\": 5}\n", expected: "users.csv:2:1: error[E404]"),
    ]

    static let commandLine: [Case] = [
        Case(name: "unknown option", args: ["run", "f.funnel", "--colour", "never"], status: 64, expected: "Error: Unknown option '--colour'"),
        Case(name: "delimiter of two characters on the command line", args: ["run", "f.funnel", "--delimiter", ";;"], status: 64, expected: "Error: --delimiter takes one character"),
        Case(name: "as-of that is not a date", args: ["run", "f.funnel", "--as-of", "tomorrow"], status: 64, expected: "Error: --as-of takes a date"),
        Case(name: "funnel name that does not exist", args: ["run", "f.funnel", "--funnel", "nope"], status: 64, expected: "Error: no funnel named 'nope'"),
        Case(name: "memory limit that is not a size", args: ["run", "f.funnel", "--max-memory", "lots"], status: 64, expected: "Error: --max-memory takes a size"),
        Case(name: "negative group cap", args: ["run", "f.funnel", "--max-groups=-5"], status: 64, expected: "Error: --max-groups takes a count"),
        Case(name: "table width narrower than any layout", args: ["run", "f.funnel", "--width", "20"], status: 64, expected: "Error: --width takes a number of columns: 40 or more, or 0 for no limit"),
        Case(name: "no groups at the top", args: ["run", "f.funnel", "--top", "0"], status: 64, expected: "Error: --top takes a number of groups: 1 or more"),
        Case(name: "unknown output format", args: ["run", "f.funnel", "--format", "xml"], status: 64, expected: "Error: The value 'xml' is invalid for '--format"),
        Case(name: "events file that does not exist", args: ["run", "f.funnel", "--events", "gone.csv"], expected: "gone.csv: error[E401]"),
        Case(name: "memory limit reached", args: ["run", "f.funnel", "--max-memory", "1M"], expected: "data.csv: error[E414]"),
    ]

    static let repl: [Case] = [
        Case(name: "unknown REPL command", args: ["repl", "f.funnel"], stdin: ":frob\n", expected: "error: unknown command :frob"),
        Case(name: "REPL line with a syntax error", args: ["repl", "f.funnel"], stdin: "f where price >\n", expected: "error[E111]"),
        Case(name: "REPL input ending inside a block", args: ["repl", "f.funnel"], stdin: "funnel g {\n  step v = \"view\"\n", expected: "error: the input ended inside a block"),
        Case(name: "REPL load of a missing file", args: ["repl", "f.funnel"], stdin: ":load gone.funnel\n", expected: "gone.funnel: error[E120]"),
        Case(name: "REPL format that does not exist", args: ["repl", "f.funnel"], stdin: ":format xml\n", expected: "usage: :format table|json|csv|markdown|html"),
        Case(name: "REPL unknown funnel", args: ["repl", "f.funnel"], stdin: "nope\n", expected: "error"),
        Case(name: "REPL timeout that is not a duration", args: ["repl", "f.funnel"], stdin: ":timeout soon\n", expected: "usage: :timeout DURATION|off"),
    ]

    static let all = language + events + usersTables + commandLine + repl

    @Test func theCatalogueHasAtLeastSixtyClasses() {
        #expect(Self.all.count >= 60)
        #expect(Set(Self.all.map(\.name)).count == Self.all.count, "every class once")
    }

    @Test(arguments: all) func badInputEndsInItsExitCodeAndALocatedMessage(_ c: Case) throws {
        let dir = TestSupport.temporaryFolder("funnel-catalogue")
        try c.funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: dir + "/" + c.dataName, contents: Data(c.data)))
        if let u = c.users { try u.write(toFile: dir + "/users.csv", atomically: true, encoding: .utf8) }
        #expect(FileManager.default.createFile(atPath: dir + "/latin1.funnel", contents: Data([0x66, 0xE9, 0x0A])))
        let r = CLI.run(c.args, stdin: c.stdin, cwd: dir)
        #expect(r.status == c.status, "\(c.name): exit \(r.status)\n\(r.stderr)")
        if !c.expected.isEmpty {
            let said = r.stderr.split(separator: "\n").contains { $0.hasPrefix(c.expected) || ($0.contains(c.expected) && !c.expected.contains(":")) }
            #expect(said, "\(c.name): no line starting with '\(c.expected)' in\n\(r.stderr)")
        }
        #expect(!r.stderr.contains("Fatal error") && r.status < 128, "\(c.name): crashed")
    }
}
