#if canImport(Glibc)
import Glibc
#endif

/// Cooperative cancellation: the REPL's Ctrl-C handler sets it, and the loader (per chunk) and
/// the runner (per part) stop early. A plain word, written from a signal handler. A query's
/// time budget is a deadline passed with the query (`DriverOptions.deadline`), not global state.
public enum Cancellation {
    nonisolated(unsafe) private static let flag: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
    public static var requested: Bool { flag.pointee != 0 }
    public static func request() { flag.pointee = 1 }
    public static func reset() { flag.pointee = 0 }

    /// Monotonic nanoseconds, for deadlines.
    public static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// Ctrl-C, or `deadline` (monotonic nanoseconds) passed.
    public static func shouldStop(deadline: Int64?) -> Bool { requested || deadline.map { now() > $0 } ?? false }
}
