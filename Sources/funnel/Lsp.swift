import ArgumentParser
import FunnelLSP

struct Lsp: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the language server for editors (LSP over standard input and output).",
        discussion: """
        Editors start it and talk to it in JSON-RPC (LSP 3.17): diagnostics as funnel check reports them (checked against the data named in the file, kept in memory), completion, hover, go to definition, formatting and the outline. Standard output carries only the protocol; logs go to standard error. The README's "Editors" section shows how to set it up in VS Code and Neovim.
        """)

    @Flag(name: .long, help: "Log every message received to standard error.") var verbose = false

    func run() throws {
        let status = LanguageServer.run(version: Funnel.configuration.version, verbose: verbose)
        if status != 0 { throw ExitCode(status) }
    }
}
