import Synchronization

/// Cooperative cancellation: the REPL's Ctrl-C handler sets it, and the loader (per chunk)
/// and the runner (per part) stop early. A lock-free atomic word: written from a signal
/// handler and by any session's thread, read by the workers (a plain word was a data race).
public enum Cancellation {
    private static let flag = Atomic<Int32>(0)
    public static var requested: Bool { flag.load(ordering: .relaxed) != 0 }
    public static func request() { flag.store(1, ordering: .relaxed) }
    public static func reset() { flag.store(0, ordering: .relaxed) }
}
