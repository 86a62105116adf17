import Foundation
import FunnelCore
import FunnelPlan

/// Random tie-dense event files over a few days (times in 3-hour steps) and the three-step funnel
/// that the trend property tests run over them, against the oracle.
enum DayStreams {
    static let names = ["a", "b", "c", "x"]
    static let step: Int64 = 10_800

    /// A random funnel's settings, from three random numbers.
    struct Shape {
        let order: MatchOrder
        let windowSeconds: Int64
        let tiesStrict: Bool
        init(_ s: [Int]) {
            order = [.ordered, .strict, .any][s[0] % 3]
            windowSeconds = Int64(s[1] % 5 + 1) * DayStreams.step
            tiesStrict = s[2] % 3 == 0
        }
        var config: MatchConfig {
            MatchConfig(steps: 3, window: windowSeconds * 1_000_000, within: [nil, nil, nil], order: order, tiesStrict: tiesStrict)
        }
        /// The funnel `f` (steps a → b → c) with more clauses, reading e.csv.
        func funnel(_ clauses: String) -> String {
            """
            source e = csv("e.csv") { user = user  time = time  event = event }
            funnel f {
              window \(windowSeconds)s
              order \(order.rawValue)
              \(tiesStrict ? "ties strict" : "")
              step a = "a"
              step b = "b"
              step c = "c"
              \(clauses)
            }
            """
        }
    }

    /// Events [user, time step, event, file order, …] in file order (shuffled by the 4th number),
    /// written to dir/e.csv with `extra` columns after user,time,event.
    static func write(_ events: [[Int]], to dir: String, extra: [(name: String, value: ([Int]) -> String)] = []) -> [[Int]] {
        let rows = events.enumerated().sorted { ($0.element[3], $0.offset) < ($1.element[3], $1.offset) }.map(\.element)
        var csv = (["user", "time", "event"] + extra.map(\.name)).joined(separator: ",") + "\n"
        for r in rows {
            csv += (["u\(r[0])", "\(1_704_067_200 + Int64(r[1]) * step)", names[r[2]]] + extra.map { $0.value(r) }).joined(separator: ",") + "\n"
        }
        try? csv.write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        return rows
    }

    /// The time of a row as the oracle reads it (µs).
    static func micros(_ r: [Int]) -> Int64 { Int64(r[1]) * step * 1_000_000 }
}
