import FunnelCore
import FunnelPlan

/// `order any`: steps in any order inside the window from the attempt's first event.
extension Matcher {

    func matchAny(times: [Int64], masks: [UInt32], startable: [Bool]?) -> MatchOutcome {
        let n = config.steps
        let window = config.window ?? Int64.max
        let count = times.count
        var best = 0
        var bestLast = Int64.max, bestStart = Int64.min
        var bestEnd = -1, bestFrom = -1
        var s = 0
        while s < count {
            // Attempts start at a time at which some event matches a step (inside `dates`).
            let ts = times[s]
            var g = s
            while g < count && times[g] == ts { g += 1 }
            if !(s..<g).contains(where: { masks[$0] != 0 && (startable?[$0] ?? true) }) { s = g; continue }
            // Grow the window event by event until the level no longer rises.
            var matcher = GreedyMatching(steps: n)
            var e = s
            var lastTime: Int64 = 0
            while e < count && times[e] - ts <= window {
                if matcher.add(event: e, mask: masks[e]) {
                    lastTime = times[e]
                    let lv = matcher.size
                    if lv > best || (lv == best && (lastTime < bestLast || (lastTime == bestLast && ts > bestStart))) {
                        best = lv; bestLast = lastTime; bestStart = ts; bestEnd = e; bestFrom = s
                    }
                    if lv == n { break }
                }
                e += 1
            }
            s = g
        }
        if best == 0 { return MatchOutcome(level: 0, assignment: []) }
        // Rebuild the earliest-events matching of the best window.
        var matcher = GreedyMatching(steps: n)
        for e in bestFrom...bestEnd { _ = matcher.add(event: e, mask: masks[e]) }
        return MatchOutcome(level: best, assignment: matcher.eventOfStep)
    }
}

/// Greedy maximum matching of steps to events, adding events in time order: the
/// matched set is the earliest one (a transversal matroid's greedy basis).
struct GreedyMatching {
    var eventOfStep: [Int]
    var maskOfEvent: [Int: UInt32] = [:]
    var size = 0
    init(steps: Int) { eventOfStep = [Int](repeating: -1, count: steps) }

    /// Adds an event; true when the matching grew.
    mutating func add(event: Int, mask: UInt32) -> Bool {
        if mask == 0 { return false }
        maskOfEvent[event] = mask
        var seenSteps = Set<Int>()
        if augment(event, &seenSteps) { size += 1; return true }
        return false
    }

    private mutating func augment(_ event: Int, _ seen: inout Set<Int>) -> Bool {
        let mask = maskOfEvent[event] ?? 0
        for k in 0..<eventOfStep.count where mask & (1 << UInt32(k)) != 0 && !seen.contains(k) {
            seen.insert(k)
            let holder = eventOfStep[k]
            if holder < 0 { eventOfStep[k] = event; return true }
            if augment(holder, &seen) { eventOfStep[k] = event; return true }
        }
        return false
    }
}
