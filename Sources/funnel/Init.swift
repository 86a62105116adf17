import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter .funnel file for an events file (CSV or JSON Lines).",
        discussion: """
        Reads the file, guesses the delimiter (, ; tab |) and the user, time and event columns by their names and values, and writes a .funnel file: the source block with a comment on each guess (sure or UNSURE), the other columns with their types, every event name with its count, and a first funnel of the most frequent events in their typical order. Unsure guesses are also listed on standard error.

          funnel init events.csv -o my.funnel
          funnel run my.funnel
        """)

    @Argument(help: "The events file (.csv, or .jsonl / .ndjson).") var eventsFile: String
    @Option(name: .shortAndLong, help: "Write the .funnel file here (default: print it). The data path inside is relative to this file's folder.") var output: String?
    @Flag(name: .long, help: "Overwrite the output file if it exists.") var force = false

    func run() throws {
        if let o = output, FileManager.default.fileExists(atPath: o), !force {
            throw ValidationError("\(o) already exists; pass --force to overwrite it")
        }
        let dir = output.map { ($0 as NSString).deletingLastPathComponent } ?? "."
        switch Starter.make(dataPath: eventsFile, outputDirectory: dir.isEmpty ? "." : dir) {
        case .failure(let f):
            FileHandleOut.stderr("error: \(f.message)\(f.message.hasSuffix("\n") ? "" : "\n")")
            throw ExitCode(2)
        case .success(let s):
            for d in s.doubts { FileHandleOut.stderr("note: unsure guess: \(d)\n") }
            guard let o = output else { FileHandleOut.stdout(s.text); return }
            do { try s.text.write(toFile: o, atomically: true, encoding: .utf8) }
            catch { throw ValidationError("cannot write \(o): \(error.localizedDescription)") }
            FileHandleOut.stderr("wrote \(o); next: funnel run \(o)\n")
        }
    }
}
