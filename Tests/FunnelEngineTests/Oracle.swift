import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelSema

/// A deliberately simple matcher: enumerate every assignment of distinct events to
/// steps and apply language.md §4 literally. Exponential; for small streams only.
enum Oracle {
    struct Result: Equatable { var level: Int; var assignment: [Int] }

    static func match(times: [Int64], masks: [UInt32], startable: [Bool]? = nil, config c: MatchConfig) -> Result {
        c.order == .any ? matchAny(times: times, masks: masks, config: c) : matchOrdered(times: times, masks: masks, startable: startable, config: c)
    }

    static func matchOrdered(times: [Int64], masks: [UInt32], startable: [Bool]?, config c: MatchConfig) -> Result {
        let count = times.count
        let window = c.window ?? Int64.max
        var found: [[Int]] = []
        func valid(_ seq: [Int]) -> Bool {
            let j = seq.count - 1
            let e = seq[j]
            if masks[e] & (1 << UInt32(j)) == 0 { return false }
            if j == 0 { return startable?[e] ?? true }
            if seq.dropLast().contains(e) { return false }
            let p = seq[j - 1]
            if c.tiesStrict ? times[e] <= times[p] : times[e] < times[p] { return false }
            if times[e] - times[seq[0]] > window { return false }
            if let w = c.within[j], times[e] - times[p] > w { return false }
            if c.order == .strict {
                for x in 0..<count where times[x] > times[p] && times[x] < times[e] {
                    if masks[x] & (1 << UInt32(j - 1)) == 0 { return false }
                }
            }
            return true
        }
        func extend(_ seq: [Int]) {
            found.append(seq)
            if seq.count == c.steps { return }
            for e in 0..<count {
                let next = seq + [e]
                if valid(next) { extend(next) }
            }
        }
        for e in 0..<count where valid([e]) { extend([e]) }
        guard let level = found.map(\.count).max() else { return Result(level: 0, assignment: []) }
        // Best: last event earliest, then start latest, then the earliest events (lexicographic).
        let best = found.filter { $0.count == level }.min { a, b in
            let la = times[a[level - 1]], lb = times[b[level - 1]]
            if la != lb { return la < lb }
            let sa = times[a[0]], sb = times[b[0]]
            if sa != sb { return sa > sb }
            return a.lexicographicallyPrecedes(b)
        }
        return Result(level: level, assignment: best ?? [])
    }

    /// `any`: the most distinct steps that distinct events inside one window can fill.
    static func matchAny(times: [Int64], masks: [UInt32], config c: MatchConfig) -> Result {
        let count = times.count
        let window = c.window ?? Int64.max
        var level = 0
        // Every subset of events that fits in a window, with its best step matching.
        for subset in 0..<(1 << count) {
            let members = (0..<count).filter { subset & (1 << $0) != 0 }
            guard let lo = members.map({ times[$0] }).min(), let hi = members.map({ times[$0] }).max(), hi - lo <= window else { continue }
            level = max(level, maxMatching(members, masks, c.steps))
        }
        return Result(level: level, assignment: [])
    }

    static func maxMatching(_ events: [Int], _ masks: [UInt32], _ steps: Int) -> Int {
        var best = 0
        func go(_ step: Int, _ used: Set<Int>, _ size: Int) {
            if step == steps { best = max(best, size); return }
            go(step + 1, used, size)
            for e in events where !used.contains(e) && masks[e] & (1 << UInt32(step)) != 0 {
                go(step + 1, used.union([e]), size + 1)
            }
        }
        go(0, [], 0)
        return best
    }
}
