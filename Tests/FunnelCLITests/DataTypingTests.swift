import Foundation
import FunnelTestSupport
import Testing

/// Issue 8, root causes 2 and 9: the users table is validated row by row like the events file,
/// and a column's type comes from the data (beyond the first rows) or from the source block.
struct UsersTableValidationTests {
    static let events = "user,time,event\nu1,2024-01-01T00:00:00Z,view\nu2,2024-01-01T00:00:00Z,view\nu3,2024-01-01T00:00:00Z,view\nu3,2024-01-01T01:00:00Z,buy\n"

    /// A fixture with `users` as the users table (CSV or JSON Lines) and a funnel for users older than 35.
    static func fixture(users: String, jsonl: Bool = false, block: String = "key = user_id") -> String {
        let name = jsonl ? "users.jsonl" : "users.csv"
        let dir = CLI.fixture(csv: events, funnel: """
            source events = csv("data.csv") { user = user  time = time  event = event }
            users = \(jsonl ? "jsonl" : "csv")("\(name)") { \(block) }
            funnel f { step view = "view"  step buy = "buy"  for user.age > 35 }
            """)
        #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(users.utf8)))
        return dir
    }

    @Test func aShortRowIsLocatedOrCountedNeverShifted() {
        let dir = Self.fixture(users: "user_id,plan,age\nu1,pro,30\nu2,free\nu3,pro,40\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("users.csv:3:1: error[E403]: expected 3 fields, found 2"), "\(r.stderr)")
        let skipped = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "json"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("\"users row with too few fields\":1"), "\(skipped.stdout)")
        // u3 (age 40) is the one user in the population: nothing shifted onto u2.
        #expect(skipped.stdout.contains("\"population\":1"), "\(skipped.stdout)")
    }

    @Test func aJSONObjectWithoutAPropertyKeepsEveryOtherUserInPlace() {
        // u2 has no age; before, u3's 40 moved onto u2 and u3 lost it.
        let users = "{\"user_id\": \"u1\", \"age\": 30}\n{\"user_id\": \"u2\"}\n{\"user_id\": \"u3\", \"age\": 40}\n"
        let r = CLI.run(["run", Self.fixture(users: users, jsonl: true) + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,1,1,0,3600,3600"), "\(r.stdout)")
    }

    @Test func aRowWithoutAKeyAnEmptyKeyAndADuplicateKeyAreLocated() {
        let noKey = CLI.run(["run", Self.fixture(users: "{\"user_id\": \"u1\", \"age\": 30}\n{\"age\": 50}\n", jsonl: true) + "/f.funnel"])
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("users.jsonl:2:1: error[E404]: the row has no 'user_id' (the users table's key)"), "\(noKey.stderr)")
        let empty = CLI.run(["run", Self.fixture(users: "user_id,age\nu1,30\n,50\n") + "/f.funnel"])
        #expect(empty.stderr.contains("users.csv:3:1: error[E404]: the key 'user_id' is empty"), "\(empty.stderr)")
        let dir = Self.fixture(users: "user_id,age\nu1,30\nu3,40\nu1,50\n")
        let twice = CLI.run(["run", dir + "/f.funnel"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("users.csv:4:1: error[E413]: user 'u1' appears twice in the users table (first on line 2)"), "\(twice.stderr)")
        let kept = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "csv"])
        #expect(kept.status == 0)
        #expect(kept.stdout.contains("f,,view,1,"), "the first row of u1 (age 30) is kept: \(kept.stdout)")
    }

    @Test func badTextInTheUsersTableIsLocated() {
        let dir = CLI.fixture(csv: Self.events)
        let bytes = Array("user_id,age\nu1,30\nu".utf8) + [0xFF] + Array("2,40\n".utf8)
        #expect(FileManager.default.createFile(atPath: dir + "/users.csv", contents: Data(bytes)))
        let funnel = "source events = csv(\"data.csv\") { user = user  time = time  event = event }\nusers = csv(\"users.csv\") { key = user_id }\nfunnel f { step view = \"view\"  for user.age > 35 }\n"
        try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("users.csv:3:1: error[E408]: the field is not valid UTF-8 text"), "\(r.stderr)")
    }

    @Test func aBadValueAfterTheFirstRowsIsLocatedAtItsLine() {
        let rows = (0..<2500).map { "u\($0),\($0 == 2400 ? "unknown" : String(20 + $0 % 50))" }
        let dir = Self.fixture(users: "user_id,age\n" + rows.joined(separator: "\n") + "\n")
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("users.csv:2402:7: error[E407]: 'unknown' in column 'age' of the users table is not a number"), "\(r.stderr)")
        let skipped = CLI.run(["run", dir + "/f.funnel", "--skip-bad-rows", "--format", "json"])
        #expect(skipped.stdout.contains("\"users value not a number\":1"), "\(skipped.stdout)")
    }

    @Test func theUsersBlockDeclaresTypes() {
        let dir = Self.fixture(users: "user_id,age\nu1,30\nu3,40\n", block: "key = user_id  age: string")
        let r = CLI.run(["check", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("error[E204]"), "age is text now, so `user.age > 35` compares text with a number: \(r.stderr)")
        let key = CLI.run(["check", Self.fixture(users: "user_id,age\nu1,30\n", block: "key = user_id  user_id: number") + "/f.funnel"])
        #expect(key.stderr.contains("error[E203]: the key column 'user_id' is matched as text"), "\(key.stderr)")
    }
}

struct ColumnTypingTests {
    /// 2,500 rows: `price` has one odd value on line 9, `coupon` is empty in the first 2,200 rows.
    static let csv: String = {
        var rows = ["user,time,event,price,coupon"]
        for i in 0..<2500 {
            let price = i == 7 ? "abc" : String(i % 50)
            let coupon = i < 2200 ? "" : String(i % 7)
            rows.append("u\(i % 300),2024-01-01T\(String(format: "%02d", i / 300)):00:00Z,\(i >= 2100 ? "buy" : "view"),\(price),\(coupon)")
        }
        return rows.joined(separator: "\n") + "\n"
    }()

    static func funnel(_ condition: String, declare: String = "") -> String {
        "source events = csv(\"data.csv\") { user = user  time = time  event = event  \(declare) }\nfunnel f { step view = \"view\"  step buy = \"buy\" and \(condition) }\n"
    }

    @Test func aColumnEmptyInTheFirstRowsIsTypedFromTheRest() {
        // 129 users buy with coupon > 3 (counted by hand from the generator); before, 0 silently.
        let r = CLI.run(["run", CLI.fixture(csv: Self.csv, funnel: Self.funnel("coupon > 3")) + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,129,"), "\(r.stdout)")
    }

    @Test func anOddValueInANumberColumnIsAnErrorAtItsLineNotATextColumn() {
        let dir = CLI.fixture(csv: Self.csv, funnel: Self.funnel("price > 3"))
        let r = CLI.run(["run", dir + "/f.funnel"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("data.csv:9:30: error[E407]: 'abc' in column 'price' is not a number"), "\(r.stderr)")
        #expect(r.stderr.contains("(price: string)"), "\(r.stderr)")
        for odd in ["NaN", "1e400", "50%"] {
            let other = CLI.fixture(csv: Self.csv.replacingOccurrences(of: ",abc,", with: ",\(odd),"), funnel: Self.funnel("price > 3"))
            #expect(CLI.run(["run", other + "/f.funnel"]).stderr.contains("data.csv:9:30: error[E407]: '\(odd)'"), "\(odd)")
        }
    }

    @Test func theSourceBlockDeclaresTypes() {
        let text = CLI.run(["run", CLI.fixture(csv: Self.csv, funnel: Self.funnel("price == \"abc\"", declare: "price: string")) + "/f.funnel", "--format", "csv"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("f,,buy,0,"), "\(text.stdout)")
        let bad = CLI.run(["check", CLI.fixture(csv: Self.csv, funnel: Self.funnel("price > 3", declare: "coupon: numbr  nope: number  time: string")) + "/f.funnel"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("f.funnel:1:84: error[E203]: unknown column type 'numbr'"), "\(bad.stderr)")
        #expect(bad.stderr.contains("help: did you mean 'number'?"), "\(bad.stderr)")
        #expect(bad.stderr.contains("f.funnel:1:91: error[E205]: column 'nope' is not in"), "\(bad.stderr)")
        #expect(bad.stderr.contains("f.funnel:1:105: error[E203]: 'time' is the time column, read as a time; its type cannot be declared"), "\(bad.stderr)")
    }

    @Test func aJSONLinesKeyFirstSeenLateCanBeDeclared() {
        var lines = (0..<2100).map { "{\"user\": \"u\($0 % 50)\", \"time\": \"2024-01-01T00:00:00Z\", \"event\": \"view\"}" }
        lines.append("{\"user\": \"u1\", \"time\": \"2024-01-01T01:00:00Z\", \"event\": \"buy\", \"coupon\": 5}")
        let funnel = "source events = jsonl(\"data.jsonl\") { user = user  time = time  event = event  coupon: number }\nfunnel f { step view = \"view\"  step buy = \"buy\" and coupon > 3 }\n"
        let dir = CLI.fixture(data: Array((lines.joined(separator: "\n") + "\n").utf8), name: "data.jsonl", funnel: funnel)
        let r = CLI.run(["run", dir + "/f.funnel", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("f,,buy,1,"), "\(r.stdout)")
    }
}
