#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FunnelReport

/// The progress line on standard error while data loads: only on a terminal, only after about a
/// second, redrawn at most ten times a second, and erased when the file is read.
final class ProgressLine: @unchecked Sendable {
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastDrawn: UInt64 = 0
    private var shown = false
    private let lock = NSLock()

    func update(path: String, bytes: Int, total: Int, rows: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - started) / 1e9
        if bytes >= total {
            if shown { fputs("\r\u{1B}[2K", stderr); shown = false }
            return
        }
        guard seconds >= 1, now - lastDrawn >= 100_000_000 else { return }
        lastDrawn = now
        let name = (path as NSString).lastPathComponent
        fputs("\r\u{1B}[2K" + Report.progressText(name: name, bytes: bytes, total: total, rows: rows, seconds: seconds), stderr)
        shown = true
    }
}
