// libFuzzer target: the REPL's line handling (Sources/FunnelREPL/Session.swift) without a
// terminal. Each input is a few lines typed into a session that has loaded a tiny data set
// (written at start-up into a private temporary folder, the working folder of the run); each
// line (at most 12) also goes through Tab completion. The data set is loaded once per process:
// every input types into its own copy of that session (`Session.copy`: definitions, settings
// and data in memory of its own), so no input sees what an earlier one defined, loaded or read.
// Lines that would write outside the folder or over the data set (`:save`, `:output`, `:once`
// of a path with a '/' or '~', or of a data file's name) or read outside it (`:load`,
// `:events` of such a path) are not typed; files an input wrote are removed after it.
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

/// The data set's files, the only ones the folder keeps between inputs.
let dataFiles: Set<String> = ["events.csv", "users.csv", "tiny.funnel"]

/// The session every input starts from (tiny.funnel loaded), made by `prepare`.
nonisolated(unsafe) var template: Session? = nil

/// Writes the data set into a private folder, makes it the working folder and loads it into
/// the template session; the reason when that fails.
func prepare() -> String? {
    guard let dir = privateFolder(prefix: "funnel-fuzz-repl") else { return "cannot make a temporary folder" }
    do {
        try events.write(toFile: dir + "/events.csv", atomically: false, encoding: .utf8)
        try users.write(toFile: dir + "/users.csv", atomically: false, encoding: .utf8)
        try definitions.write(toFile: dir + "/tiny.funnel", atomically: false, encoding: .utf8)
    } catch { return "cannot write the data set in \(dir): \(error)" }
    guard FileManager.default.changeCurrentDirectoryPath(dir) else { return "cannot enter \(dir)" }
    let session = Session()
    let loaded = session.load(path: "tiny.funnel")
    if loaded.failed { return "tiny.funnel does not load:\n\(loaded.text)" }
    template = session
    return nil
}

/// What typing `line` would do with a file, when the session runs it now (after the half-typed
/// lines `pending`): the same split and trimming as `Session.meta`.
enum FileUse: Equatable { case none, reads, writes }

func fileUse(pending: [String], line: String) -> (use: FileUse, path: String) {
    // Most lines are no command at all: no ':' anywhere.
    guard line.utf8.contains(UInt8(ascii: ":")) || pending.contains(where: { $0.utf8.contains(UInt8(ascii: ":")) }) else { return (.none, "") }
    let text = (pending + [line]).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix(":") else { return (.none, "") }
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    let path = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    switch parts[0] {
    case ":save", ":output", ":once": return (.writes, path)
    case ":load", ":l", ":events": return (.reads, path)
    default: return (.none, "")
    }
}

/// Whether the line is not typed: a path outside the folder, or a write over the data set.
func refused(_ use: FileUse, _ path: String) -> Bool {
    if use == .none || path.isEmpty { return false }
    if path.contains("/") || path.contains("~") || path.contains("\0") { return true }
    return use == .writes && dataFiles.contains(path)
}

/// Removes what an input wrote into the working folder.
func removeWrittenFiles() {
    let fm = FileManager.default
    for name in (try? fm.contentsOfDirectory(atPath: ".")) ?? [] where !dataFiles.contains(name) {
        try? fm.removeItem(atPath: name)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzREPL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let session = template?.copy() else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var pending: [String] = []
    var wrote = false
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(12).map(String.init).enumerated() {
        _ = session.complete(line, cursor: i % 2 == 0 ? line.count : line.count / 2)
        let (use, path) = fileUse(pending: pending, line: line)
        if refused(use, path) { continue }
        if use == .writes { wrote = true }
        let reply = session.handle(line)
        pending = session.isContinuing ? pending + [line] : []
        _ = session.prompt
        _ = session.openBlockCount
        if reply.quit { break }
    }
    session.cancelInput()
    if wrote { removeWrittenFiles() }
    return 0
}
