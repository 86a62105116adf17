import Foundation
import Testing
import FunnelTestSupport

/// The real binary in a pseudo-terminal (a small Python pty driver): Tab completion,
/// history across sessions, Ctrl-C and Ctrl-D behave as a person expects.
struct TerminalTests {
    static let repo = TestSupport.repo

    @Test func replInAPseudoTerminal() throws {
        let binary = ProcessInfo.processInfo.environment["FUNNEL_BIN"] ?? Self.repo + "/.build/debug/funnel"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.repo + "/Tests/FunnelREPLTests/pty_session.py", binary, Self.repo]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("pty session: ok"))
    }

    @Test func pipedInputReadsPlainLines() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["FUNNEL_BIN"] ?? Self.repo + "/.build/debug/funnel")
        p.arguments = ["repl", "examples/aida.funnel"]
        p.currentDirectoryURL = URL(fileURLWithPath: Self.repo)
        let input = Pipe(), out = Pipe(), err = Pipe()
        p.standardInput = input
        p.standardOutput = out
        p.standardError = err
        try p.run()
        input.fileHandleForWriting.write(":format csv\naida by campaign\nbogus ->\n:quit\n".data(using: .utf8) ?? Data())
        try input.fileHandleForWriting.close()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)            // a line failed: scripts see it
        #expect(!text.contains("funnel> "))          // no prompts when stdin is not a terminal
        #expect(!text.contains("\u{1B}["))           // and no colour
        #expect(text.contains("aida,campaign=brand,awareness,"))
        #expect(errors.contains("error[E111]"))       // errors on stderr
        #expect(!text.contains("error[E111]"))
    }
}
