import Foundation

/// The messages read but not yet handled. The reader thread fills it while the server works, so
/// the server can look ahead: an edit followed by another edit of the same document is not
/// checked, and a request cancelled before its turn is not run.
final class MessageQueue: @unchecked Sendable {
    private var items: [Incoming] = []
    private var closed = false
    private let condition = NSCondition()

    func push(_ item: Incoming) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// The input ended: `pop` answers nil once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next message, waiting for one; nil when the input ended and everything was handled.
    func pop() -> Incoming? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        return items.isEmpty ? nil : items.removeFirst()
    }

    /// Whether a message still waiting matches.
    func contains(where match: (Incoming) -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.contains(where: match)
    }

    /// Takes out the first waiting message that matches.
    func removeFirst(where match: (Incoming) -> Bool) -> Incoming? {
        condition.lock()
        defer { condition.unlock() }
        guard let i = items.firstIndex(where: match) else { return nil }
        return items.remove(at: i)
    }
}
