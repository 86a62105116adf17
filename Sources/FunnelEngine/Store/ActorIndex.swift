import Dispatch
import FunnelDiagnostics
import FunnelCore

/// Events grouped per actor: `order[start[a]..<start[a+1]]` are actor a's event rows,
/// sorted by time with ties in file order.
public struct ActorIndex: Sendable {
    public let start: [Int]
    public let order: [UInt32]
    /// Event times in the same (actor) order, so the matcher reads them sequentially.
    public let time: [Int64]

    init(_ store: EventStore) { self.init(keys: store.actor, keyCount: store.actorCount, time: store.time) }

    /// Groups events by `keys` (dense codes below `keyCount`; `missingCode` rows belong to no one).
    init(keys: [UInt32], keyCount n: Int, time: [Int64]) {
        var start = [Int](repeating: 0, count: n + 1)
        for a in keys where a != missingCode { start[Int(a) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        var fill = start
        var order = [UInt32](repeating: 0, count: start[n])
        keys.withUnsafeBufferPointer { actor in
            order.withUnsafeMutableBufferPointer { out in
                for i in 0..<actor.count where actor[i] != missingCode {
                    let a = Int(actor[i])
                    out[fill[a]] = UInt32(i)
                    fill[a] += 1
                }
            }
        }
        // Counting sort keeps file order; gather each event's time in that order and sort only
        // the actors whose events are not in time order (rare: files are usually time-sorted).
        // Actors are independent, so both run in parallel over ranges of actors.
        var sortedTime = [Int64](repeating: 0, count: order.count)
        let parts = max(1, min(64, n / 4096 + 1))
        order.withUnsafeMutableBufferPointer { ord in
            sortedTime.withUnsafeMutableBufferPointer { st in
                time.withUnsafeBufferPointer { tm in
                    guard let op = ord.baseAddress, let sp = st.baseAddress else { return }
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        for a in (n * part / parts)..<(n * (part + 1) / parts) {
                            let lo = start[a], hi = start[a + 1]
                            var sorted = true
                            for i in lo..<hi {
                                sp[i] = tm[Int(op[i])]
                                if i > lo && sp[i] < sp[i - 1] { sorted = false }
                            }
                            if sorted { continue }
                            var slice = UnsafeMutableBufferPointer(start: op + lo, count: hi - lo)
                            slice.sort { x, y in
                                let tx = tm[Int(x)], ty = tm[Int(y)]
                                return tx != ty ? tx < ty : x < y
                            }
                            for i in lo..<hi { sp[i] = tm[Int(op[i])] }
                        }
                    }
                }
            }
        }
        self.start = start
        self.order = order
        self.time = sortedTime
    }

    /// `values` (one per event, in file order) rearranged in actor order, in parallel.
    public func permute<T>(_ values: [T], zero: T) -> [T] {
        var out = [T](repeating: zero, count: order.count)
        let parts = max(1, min(64, order.count / 65536 + 1))
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }
            order.withUnsafeBufferPointer { ord in
                values.withUnsafeBufferPointer { v in
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let lo = ord.count * part / parts, hi = ord.count * (part + 1) / parts
                        for k in lo..<hi { base[k] = v[Int(ord[k])] }
                    }
                }
            }
        }
        return out
    }
}
