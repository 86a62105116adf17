#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Cooperative cancellation: the REPL's Ctrl-C handler sets it, and the loader (per chunk) and
/// the runner (per part) stop early. A lock-free atomic word: written from a signal handler and
/// by any session's thread, read by the workers (a plain word was a data race). A query's time
/// budget is a deadline passed with the query (`DriverOptions.deadline`), not global state.
public enum Cancellation {
    private static let flag = Atomic<Int32>(0)
    public static var requested: Bool { flag.load(ordering: .relaxed) != 0 }
    public static func request() { flag.store(1, ordering: .relaxed) }
    public static func reset() { flag.store(0, ordering: .relaxed) }

    /// Monotonic nanoseconds, for deadlines.
    public static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// Ctrl-C, or `deadline` (monotonic nanoseconds) passed.
    public static func shouldStop(deadline: Int64?) -> Bool { requested || deadline.map { now() > $0 } ?? false }
}
