import ArgumentParser
import FunnelDriver
import FunnelREPL
import FunnelReport

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore funnels interactively: line editing, history, Tab completion.",
        discussion: """
        Type a funnel's name to run it, an inline funnel such as  view -> cart -> purchase within 1d by device where country == "US",  a defined funnel with changes such as  checkout by brand,  or any declaration. :help lists the commands.

        History is kept in ~/.funnel_history (or $FUNNEL_HISTORY). When standard input is not a terminal, lines are read plainly:  funnel repl shop.funnel < script.txt
        """)

    @Argument(help: "The .funnel files to load; or an events file (.csv, .jsonl), to start from it with the funnel `funnel init` would write.") var files: [String] = []
    @Flag(name: .long, help: "With piped input, stop at the first line that fails (exit 2).") var bail = false
    @OptionGroup var data: DataOptions

    func run() throws {
        // Tables on the screen follow the terminal's width and the locale, as `funnel run`'s do.
        RenderOptions.replFollowsTerminal = true
        let code = REPLMain.start(files: files, options: try data.driverOptions(), bail: bail)
        if code != 0 { throw ExitCode(code) }
    }
}
