import ArgumentParser
import Foundation
import FunnelDriver
import FunnelReport

struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite .funnel files in the canonical layout (indentation, aligned step lines, spacing, blank lines), keeping comments.",
        discussion: "Formatting never changes a file's meaning: the tokens stay the same, in the same order. With --check nothing is written: the files that would change are listed and the exit code is 1. A file named - is read from standard input and written to standard output. Exit code 2 when a file does not parse.")

    @Argument(help: "The .funnel files, or - for standard input.") var files: [String]
    @Flag(name: .long, help: "Write nothing; list the files that are not formatted and exit 1 if there are any.") var check = false
    @Option(name: [.customShort("o"), .long], help: "With one input, write the formatted text to this file instead.") var output: String?
    @OptionGroup var colorOption: ColorOption

    func run() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one .funnel file, or - for standard input") }
        if output != nil && files.count != 1 { throw ValidationError("-o takes one input file") }
        var invalid = 0, unformatted = 0
        for path in files {
            let text: String
            if path == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: path), let t = String(data: data, encoding: .utf8) else {
                    FileHandleOut.stderr("funnel: error: cannot read '\(path)'\n")
                    invalid += 1
                    continue
                }
                text = t
            }
            let (formatted, diagnostics) = Driver.format(text: text, path: path == "-" ? "<stdin>" : path)
            CLI.report(Report.diagnostics(diagnostics, color: colorOption.enabled(forStderr: true)))
            guard let result = formatted else { invalid += 1; continue }
            if check {
                if result != text { unformatted += 1; FileHandleOut.stdout("\(path)\n") }
            } else if let o = output {
                try FileHandleOut.writeFile(result, to: o, what: "formatted file")
            } else if path == "-" {
                FileHandleOut.stdout(result)
            } else if result != text {
                try FileHandleOut.writeFile(result, to: path, what: "formatted file")
            }
        }
        if invalid > 0 { throw ExitCode(2) }
        if unformatted > 0 { throw ExitCode(1) }
    }
}
