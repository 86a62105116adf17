#if canImport(Glibc)
import Glibc
#endif

/// Cooperative cancellation: the REPL's Ctrl-C handler sets it, or a query's time budget runs
/// out, and the loader (per chunk) and the runner (per part) stop early. Plain words, written
/// from a signal handler.
public enum Cancellation {
    /// [0]: Ctrl-C asked; [1]: the deadline in monotonic nanoseconds (0: none).
    nonisolated(unsafe) private static let words: UnsafeMutablePointer<Int64> = {
        let p = UnsafeMutablePointer<Int64>.allocate(capacity: 2)
        p.initialize(repeating: 0, count: 2)
        return p
    }()
    public static var requested: Bool { words[0] != 0 || timedOut }
    /// True once the time budget set by `startBudget` has run out.
    public static var timedOut: Bool { words[1] != 0 && now() > words[1] }
    public static func request() { words[0] = 1 }
    /// Clears Ctrl-C and the time budget.
    public static func reset() { words[0] = 0; words[1] = 0 }
    /// The next query may run for `seconds`; then it stops as if cancelled.
    public static func startBudget(seconds: Double) { words[1] = now() + Int64(seconds * 1e9) }

    static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}
