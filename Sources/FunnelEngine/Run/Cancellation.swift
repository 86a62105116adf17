/// Cooperative cancellation: the REPL's Ctrl-C handler sets it, and the loader (per chunk)
/// and the runner (per part) stop early. A plain word, written from a signal handler.
public enum Cancellation {
    nonisolated(unsafe) private static let flag: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()
    public static var requested: Bool { flag.pointee != 0 }
    public static func request() { flag.pointee = 1 }
    public static func reset() { flag.pointee = 0 }
}
