import FunnelCore
import FunnelPlan

/// `order any`: steps in any order inside the window from the attempt's first event.
///
/// An attempt is a set of events, each filling a distinct step (with `ties strict`, at distinct
/// times); its level is the set's size. The matching is done on *units*: one event each, or with
/// `ties strict` one time group each (a group fills at most one step, with any of its events).
extension Matcher {

    func matchAny(times: [Int64], masks: [UInt32], startable: [Bool]?) -> MatchOutcome {
        let n = config.steps
        let window = config.window ?? Int64.max
        let count = times.count
        let distinct = config.tiesStrict
        var matching = StepMatching(steps: n)

        // 1. The level, the earliest last time reaching it, and the latest start time doing so.
        var best = 0, bestLast = Int64.max, bestGroup = -1
        var s = 0
        while s < count {
            // Attempts start at a time at which some event matches a step (inside `dates`).
            let ts = times[s]
            var g = s + 1
            while g < count && times[g] == ts { g += 1 }
            if (s..<g).contains(where: { masks[$0] != 0 && (startable?[$0] ?? true) }) {
                // Grow the window unit by unit.
                matching.reset()
                var e = s
                while e < count && times[e] &- ts <= window {
                    let te = times[e]
                    var next = e + 1, mask = masks[e]
                    if distinct { while next < count && times[next] == te { mask |= masks[next]; next += 1 } }
                    if mask != 0 && matching.add(mask) {
                        let level = matching.size
                        // Later groups reaching the same level at the same time start later.
                        if level > best || (level == best && te <= bestLast) { best = level; bestLast = te; bestGroup = s }
                        if level == n { break }
                    }
                    e = next
                }
            }
            s = g
        }
        if best == 0 { return MatchOutcome(level: 0, assignment: []) }

        // 2. The start: the latest event at the start time (file order) from which the level is
        //    still reached by the last time. Adding events backwards, the matching's size is the
        //    best level of the events from there on.
        let ts = times[bestGroup]
        var groupEnd = bestGroup + 1
        while groupEnd < count && times[groupEnd] == ts { groupEnd += 1 }
        var end = groupEnd
        while end < count && times[end] <= bestLast { end += 1 }
        matching.reset()
        var e = end - 1
        while e >= groupEnd {
            var first = e, mask = masks[e]
            if distinct { while first > groupEnd && times[first - 1] == times[e] { first -= 1; mask |= masks[first] } }
            if mask != 0 { _ = matching.add(mask) }
            e = first - 1
        }
        var start = -1
        for p in (bestGroup..<groupEnd).reversed() where masks[p] != 0 {
            let canStart = startable?[p] ?? true
            if distinct {
                // The start's group fills one step, with this event: it is the unit.
                if canStart && (matching.size == best || (matching.size + 1 == best && matching.add(masks[p]))) { start = p; break }
            } else {
                _ = matching.add(masks[p])
                if canStart && matching.size == best { start = p; break }
            }
        }
        if start < 0 { return MatchOutcome(level: 0, assignment: []) }   // unreachable: step 1 found one

        // 3. The steps take the earliest events that fit: step by step, the earliest unit with which
        //    a matching of the best size that contains the start still exists.
        var units: [Unit] = [Unit(mask: masks[start], first: start, end: start + 1)]
        var u = distinct ? groupEnd : start + 1
        while u < end {
            var next = u + 1, mask = masks[u]
            if distinct { while next < end && times[next] == times[u] { mask |= masks[next]; next += 1 } }
            if mask != 0 { units.append(Unit(mask: mask, first: u, end: next)) }
            u = next
        }
        units = Matcher.earliestUnits(units, steps: n)
        var unitOfStep = [Int](repeating: -1, count: n)
        var taken = [Bool](repeating: false, count: units.count)
        var fixed = 0
        /// Whether the fixed steps plus a matching of steps `from...` over the free units reach the best
        /// size, with the start's unit (0) among them.
        func feasible(from: Int) -> Bool {
            let allowed: UInt32 = from >= 32 ? 0 : ~UInt32(0) << UInt32(from)
            matching.reset()
            if !taken[0] && !matching.add(units[0].mask & allowed) { return false }
            for v in 1..<units.count where !taken[v] {
                if fixed + matching.size == best { break }
                _ = matching.add(units[v].mask & allowed)
            }
            return fixed + matching.size == best
        }
        for k in 0..<n where fixed < best {
            let bit: UInt32 = 1 << UInt32(k)
            for v in units.indices where !taken[v] && units[v].mask & bit != 0 {
                taken[v] = true; fixed += 1
                if feasible(from: k + 1) { unitOfStep[k] = v; break }
                taken[v] = false; fixed -= 1
            }
        }
        var assignment = [Int](repeating: -1, count: n)
        for k in 0..<n where unitOfStep[k] >= 0 {
            let unit = units[unitOfStep[k]]
            assignment[k] = (unit.first..<unit.end).first { masks[$0] & (1 << UInt32(k)) != 0 } ?? unit.first
        }
        return MatchOutcome(level: best, assignment: assignment)
    }

    /// A unit of `order any` matching: events `first..<end` (one, or a time group under `ties
    /// strict`) that may fill one step of `mask`.
    struct Unit { var mask: UInt32; var first: Int; var end: Int }

    /// The units that an earliest-events assignment can use: the first (the start's) and, per step,
    /// the first `steps + 1` units matching it. A step filled by a later unit could take one of those
    /// instead (at most `steps - 1` are held by other steps), so no earliest assignment needs more.
    static func earliestUnits(_ units: [Unit], steps n: Int) -> [Unit] {
        if units.count <= n + 2 { return units }
        var seen = [Int](repeating: 0, count: n)
        var kept: [Unit] = []
        for (i, unit) in units.enumerated() {
            var keep = i == 0
            for k in 0..<n where unit.mask & (1 << UInt32(k)) != 0 {
                seen[k] += 1
                if seen[k] <= n + 1 { keep = true }
            }
            if keep { kept.append(unit) }
        }
        return kept
    }
}

/// Maximum matching of steps to units (Kuhn's augmenting paths), adding units one by one:
/// a unit once matched stays matched (possibly to another step), and a failed addition changes nothing.
struct StepMatching {
    var unitOfStep: [Int]
    var masks: [UInt32] = []
    var size = 0
    init(steps: Int) { unitOfStep = [Int](repeating: -1, count: steps) }

    mutating func reset() {
        for k in unitOfStep.indices { unitOfStep[k] = -1 }
        masks.removeAll(keepingCapacity: true)
        size = 0
    }

    /// Adds a unit that may fill the steps of `mask`; true when the matching grew.
    mutating func add(_ mask: UInt32) -> Bool {
        masks.append(mask)
        if mask == 0 { return false }
        var seen: UInt32 = 0
        if augment(masks.count - 1, &seen) { size += 1; return true }
        return false
    }

    private mutating func augment(_ unit: Int, _ seen: inout UInt32) -> Bool {
        var free = masks[unit]
        while free & ~seen != 0 {
            let k = (free & ~seen).trailingZeroBitCount
            let bit: UInt32 = 1 << UInt32(k)
            free &= ~bit
            seen |= bit
            let holder = unitOfStep[k]
            if holder < 0 || augment(holder, &seen) { unitOfStep[k] = unit; return true }
        }
        return false
    }
}
