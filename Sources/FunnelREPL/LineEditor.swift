#if canImport(Glibc)
import Glibc
#endif
import CLibEdit

/// The only file that talks to libedit: line editing, history kept in a file, Tab
/// completion and Ctrl-C (bound as a key, so it clears the line and never ends the session).
/// A block typed over several lines is entered as one history entry, its lines joined by
/// line breaks: recalled with ↑, the editor shows it on several lines, and Enter runs it whole.
final class LineEditor {
    private let el: OpaquePointer
    private let history: OpaquePointer
    private var event = HistEvent()
    private var promptBuffer: UnsafeMutablePointer<CChar>
    private var promptCapacity = 64
    let historyPath: String
    let completer: (String, Int) -> Completion
    /// Set when Ctrl-C ended the current line.
    private(set) var cancelled = false

    init?(program: String, historyPath: String, completer: @escaping (String, Int) -> Completion) {
        guard let el = el_init(program, funnel_stdin(), funnel_stdout(), funnel_stderr()), let h = history_init() else { return nil }
        self.el = el
        self.history = h
        self.historyPath = historyPath
        self.completer = completer
        self.promptBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: promptCapacity)
        promptBuffer.initialize(to: 0)
        funnel_history_setsize(h, &event, 1000)
        funnel_history_setunique(h, &event, 1)
        funnel_history_load(h, &event, historyPath)
        funnel_el_set_history(el, h)
        funnel_el_set_editor(el, "emacs")
        funnel_el_set_signal(el, 0)
        funnel_el_setty_noisig(el)
        funnel_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        funnel_el_set_prompt(el) { el in
            guard let el = el, let data = funnel_el_get_clientdata(el) else { return nil }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptBuffer
        }
        funnel_el_addfn(el, "funnel-complete", "complete the word before the cursor") { el, _ in
            guard let el = el, let data = funnel_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
        }
        funnel_el_addfn(el, "funnel-cancel", "clear the line") { el, _ in
            guard let el = el, let data = funnel_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            let editor = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
            editor.cancelled = true
            editor.endCancelledLine()
            return UInt8(CC_NEWLINE)
        }
        funnel_el_bind(el, "^I", "funnel-complete")
        funnel_el_bind(el, "^C", "funnel-cancel")
        // Ctrl-R searches history backwards where the editor offers it.
        funnel_el_bind(el, "^R", "em-inc-search-prev")
    }

    deinit {
        el_end(el)
        history_end(history)
        promptBuffer.deallocate()
    }

    /// One line (without its newline); nil at end of input (Ctrl-D on an empty line).
    func readLine(prompt: String) -> String? {
        setPrompt(prompt)
        cancelled = false
        var count: Int32 = 0
        guard let raw = el_gets(el, &count), count > 0 else { return cancelled ? "" : nil }
        var line = String(cString: raw)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        return cancelled ? "" : line
    }

    func addHistory(_ line: String) {
        guard line.contains(where: { $0 != " " && $0 != "\t" }) else { return }
        funnel_history_enter(history, &event, line)
        funnel_history_save(history, &event, historyPath)
    }

    private func setPrompt(_ p: String) {
        let bytes = Array(p.utf8CString)
        if bytes.count > promptCapacity {
            promptBuffer.deallocate()
            promptCapacity = bytes.count
            promptBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: promptCapacity)
        }
        bytes.withUnsafeBufferPointer { promptBuffer.update(from: $0.baseAddress.unsafelyUnwrapped, count: bytes.count) }
    }

    /// Ctrl-C: `^C` after the line's last character (the cursor may be inside it), then a
    /// line break, so the next prompt starts on a fresh line as in a shell.
    private func endCancelledLine() {
        var rest = ""
        if let info = el_line(el), let cursor = info.pointee.cursor, let last = info.pointee.lastchar, last > cursor {
            // Writing the text after the cursor again moves the terminal's cursor to the end.
            rest = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(cursor).assumingMemoryBound(to: UInt8.self), count: last - cursor), as: UTF8.self)
        }
        fputs(rest + "^C\r\n", funnel_stdout())
    }

    /// Tab: insert the completion, or the common prefix, or list the choices.
    private func complete() -> UInt8 {
        guard let info = el_line(el) else { return UInt8(CC_ERROR) }
        let buffer = info.pointee.buffer, cursor = info.pointee.cursor, last = info.pointee.lastchar
        guard let buffer = buffer, let cursor = cursor, let last = last else { return UInt8(CC_ERROR) }
        let before = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: cursor - buffer), as: UTF8.self)
        let whole = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: last - buffer), as: UTF8.self)
        let c = completer(whole, before.count)
        let typed = before.count - c.start
        guard !c.candidates.isEmpty, typed >= 0 else { return UInt8(CC_REFRESH_BEEP) }
        if c.candidates.count == 1, let only = c.candidates.first {
            var insert = String(only.dropFirst(typed))
            if !(only.hasSuffix("/") || only.hasSuffix("\"")) { insert += " " }
            if !insert.isEmpty { el_insertstr(el, insert) }
            return UInt8(CC_REFRESH)
        }
        let common = c.commonPrefix
        if common.count > typed {
            el_insertstr(el, String(common.dropFirst(typed)))
            return UInt8(CC_REFRESH)
        }
        // Several choices and nothing more in common: show them under the line.
        let width = (c.candidates.map(\.count).max() ?? 0) + 2
        let perRow = max(1, 80 / width)
        var out = "\n"
        for (i, full) in c.candidates.prefix(120).enumerated() {
            let cand = full.hasSuffix("\"") ? String(full.dropLast()) : full   // values are listed without their closing quote
            out += cand + String(repeating: " ", count: max(0, width - cand.count))
            if (i + 1) % perRow == 0 { out += "\n" }
        }
        if !out.hasSuffix("\n") { out += "\n" }
        if c.candidates.count > 120 { out += "… \(c.candidates.count - 120) more\n" }
        fputs(out, funnel_stdout())
        return UInt8(CC_REDISPLAY)
    }
}
