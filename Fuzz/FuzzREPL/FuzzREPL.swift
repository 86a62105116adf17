// libFuzzer target: the REPL's line handling (Sources/FunnelREPL/Session.swift) without a
// terminal. Each input is a few lines typed into a fresh session that has loaded a tiny data
// set (written at start-up into a private temporary folder, the working folder of the run);
// each line (at most 12) also goes through Tab completion. Lines that would write files (`:save`) or read
// files outside that folder (`:load`, `:events` with a '/' in the path) are not typed.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunnelDriver
import FunnelREPL
import FuzzMain

let events = """
user,time,event,device,country,price
u1,2024-03-01T10:00:00Z,view,mobile,US,
u1,2024-03-01T10:05:00Z,cart,mobile,US,25
u1,2024-03-01T10:09:00Z,purchase,mobile,US,25
u2,2024-03-01T11:00:00Z,view,desktop,CA,
u2,2024-03-01T11:01:00Z,cart,desktop,CA,40
u2,2024-03-02T11:01:00Z,remove,desktop,CA,
u3,2024-03-02T09:00:00Z,view,tablet,GB,
u3,2024-03-02T09:00:00Z,cart,tablet,GB,10
u3,2024-03-09T09:00:00Z,purchase,tablet,GB,10
u4,2024-03-03T08:00:00Z,cart,mobile,DE,5

"""
let users = """
user,age,plan
u1,31,plus
u2,19,free
u3,44,plus

"""
let definitions = """
source events = csv("events.csv")
users = csv("users.csv") { key = user }
segment adults = user.age >= 21
funnel checkout {
  window 7d
  step view = "view"
  step cart = "cart" within 1d
  step purchase = "purchase" and price > 0
  where country in ["US", "CA", "GB"]
  by device
  kpi conversion = purchase / view
  kpi aov = avg(purchase.price) format money
  expect conversion >= 5%
}

"""

/// The private folder with the data, made the working folder once.
let ready: Bool = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    var template = Array((base + "/funnel-fuzz-repl-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { return false }
    let dir = String(cString: made)
    removeAtExit(dir)
    do {
        try events.write(toFile: dir + "/events.csv", atomically: false, encoding: .utf8)
        try users.write(toFile: dir + "/users.csv", atomically: false, encoding: .utf8)
        try definitions.write(toFile: dir + "/tiny.funnel", atomically: false, encoding: .utf8)
    } catch { return false }
    return FileManager.default.changeCurrentDirectoryPath(dir)
}()

/// Whether the text the session would run now (the half-typed lines and `line`) is a
/// `:command` that writes a file or reads one outside the folder.
func refused(pending: [String], line: String) -> Bool {
    let text = (pending + [line]).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix(":") else { return false }
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    switch parts[0] {
    case ":save": return true
    case ":load", ":l", ":events": return parts.count > 1 && (parts[1].contains("/") || parts[1].contains("~"))
    default: return false
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzREPL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard ready else { fatalError("cannot prepare the fuzz folder") }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let session = Session()
    _ = session.load(path: "tiny.funnel")
    var pending: [String] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(12).map(String.init).enumerated() {
        _ = session.complete(line, cursor: i % 2 == 0 ? line.count : line.count / 2)
        if refused(pending: pending, line: line) { continue }
        let reply = session.handle(line)
        pending = session.isContinuing ? pending + [line] : []
        _ = session.prompt
        _ = session.openBlockCount
        if reply.quit { break }
    }
    session.cancelInput()
    return 0
}
