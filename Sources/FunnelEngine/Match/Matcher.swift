import FunnelCore
import FunnelPlan

/// One actor's outcome: the furthest level and the best assignment reaching it
/// (indexes into the actor's events, one per step 0..<level; for `any`, per matched step).
public struct MatchOutcome: Equatable, Sendable {
    public var level: Int
    /// For ordered/strict: event index per step. For any: event index per step, -1 if the step is unmatched.
    public var assignment: [Int]
    /// `exclude … remove`: every assignment reaching the level is hit, so the actor counts at no step.
    public var removed = false
    public init(level: Int, assignment: [Int], removed: Bool = false) { self.level = level; self.assignment = assignment; self.removed = removed }
}

/// The matching rules of language.md §4 over one actor's events, sorted by time with
/// ties in file order. `masks[i]` has bit k set when event i may fill step k; `startable[i]`
/// is false for step-1 events outside `dates` (in `order any`, `startable` depends on the
/// event's time only: `dates`, trend periods, the restart of `count conversions`).
///
/// `chain[i]` (strict order only; default `masks`) has bit k set when event i keeps a chain
/// that reached step k: under `hold` an event of another held value fills no step (its mask
/// is 0) but still lies between, and breaks the chain unless it matches the step just reached.
///
/// Among the assignments reaching the level, the best one ends earliest, then starts latest
/// in (time, file row) order — the event index, since events are in that order — and then
/// takes the earliest events that fit, step by step.
public struct Matcher {
    public let config: MatchConfig
    public init(_ config: MatchConfig) { self.config = config }

    public func match(times: [Int64], masks: [UInt32], startable: [Bool]? = nil, chain: [UInt32]? = nil) -> MatchOutcome {
        if times.isEmpty { return MatchOutcome(level: 0, assignment: []) }
        let chain = config.order == .strict ? chain ?? masks : masks
        switch config.order {
        case .any: return matchAny(times: times, masks: masks, startable: startable)
        default:
            if config.within.allSatisfy({ $0 == nil }) { return matchLatestStart(times: times, masks: masks, startable: startable, chain: chain) }
            return matchOrdered(times: times, masks: masks, startable: startable, chain: chain)
        }
    }

    // MARK: ordered and strict

    /// Without per-step `within`, a state is only as good as its start: each step keeps
    /// just the latest start of an attempt that reached it (ClickHouse's windowFunnel idea,
    /// made exact for ties and strict order).
    func matchLatestStart(times: [Int64], masks: [UInt32], startable: [Bool]?, chain: [UInt32]) -> MatchOutcome {
        let n = config.steps
        let strict = config.order == .strict
        let window = config.window ?? Int64.max
        let none = Int64.min
        let count = times.count
        var level = 0
        var bestLast: Int64 = 0, bestStart: Int64 = 0
        var pending: [(step: Int, start: Int64)] = []
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: n) { latest in
            for j in 0..<n { latest[j] = none }
            @inline(__always) func reach(_ j: Int, _ start: Int64, _ t: Int64) {
                if start > latest[j] { latest[j] = start }
                if j + 1 > level { level = j + 1; bestLast = t; bestStart = start }
                else if j + 1 == level && t == bestLast && start > bestStart { bestStart = start }
            }
            var i = 0
            while i < count {
                let t = times[i]
                var g = i + 1
                while g < count && times[g] == t { g += 1 }
                if g - i == 1 && !strict {
                    // One event: extend from the highest step down, so it fills one step only.
                    let m = masks[i]
                    if m != 0 {
                        var j = n - 1
                        while j >= 1 {
                            if m & (1 << UInt32(j)) != 0 {
                                let s = latest[j - 1]
                                if s != none && t &- s <= window { reach(j, s, t) }
                            }
                            j -= 1
                        }
                        if m & 1 != 0 && (startable?[i] ?? true) { reach(0, t, t) }
                    }
                    i = g
                    continue
                }
                pending.removeAll(keepingCapacity: true)
                if g - i == 1 || config.tiesStrict {
                    for e in i..<g where masks[e] != 0 {
                        let m = masks[e]
                        for j in 1..<n where m & (1 << UInt32(j)) != 0 {
                            let s = latest[j - 1]
                            if s != none && t &- s <= window { pending.append((j, s)) }
                        }
                        if m & 1 != 0 && (startable?[e] ?? true) { pending.append((0, t)) }
                    }
                } else {
                    // Tied events chain in any order, each filling one step (bipartite matching).
                    var entries: [(from: Int, start: Int64)] = []
                    if (i..<g).contains(where: { masks[$0] & 1 != 0 && (startable?[$0] ?? true) }) { entries.append((-1, t)) }
                    for j in 0..<(n - 1) where latest[j] != none && t &- latest[j] <= window { entries.append((j, latest[j])) }
                    for (from, start) in entries {
                        let reached = Matcher.chainInGroup(masks: masks, group: i..<g, firstStep: from + 1, steps: n,
                                                           startable: startable, mustStart: from == -1)
                        if reached > 0 { for k in (from + 1)...(from + reached) { pending.append((k, start)) } }
                    }
                }
                if strict {
                    // This group's events lie between every earlier state and its next step.
                    for j in 0..<n where latest[j] != none {
                        let bit: UInt32 = 1 << UInt32(j)
                        if (i..<g).contains(where: { chain[$0] & bit == 0 }) { latest[j] = none }
                    }
                }
                for (j, s) in pending { reach(j, s, t) }
                i = g
            }
        }
        if level == 0 { return MatchOutcome(level: 0, assignment: []) }
        let assignment = reconstruct(times: times, masks: masks, startable: startable, chain: chain, level: level, start: bestStart, last: bestLast)
        return MatchOutcome(level: level, assignment: assignment)
    }

    /// A reachable state at some step: the attempt's start time and the time of the event at that step.
    struct State { var start: Int64; var last: Int64 }

    func matchOrdered(times: [Int64], masks: [UInt32], startable: [Bool]?, chain: [UInt32]) -> MatchOutcome {
        let n = config.steps
        let strict = config.order == .strict
        let window = config.window ?? Int64.max
        var frontier = [[State]](repeating: [], count: n)
        var level = 0
        var bestLast: Int64 = 0, bestStart: Int64 = 0
        var i = 0
        let count = times.count
        var newStates: [(step: Int, start: Int64)] = []
        while i < count {
            let t = times[i]
            var g = i + 1
            while g < count && times[g] == t { g += 1 }
            newStates.removeAll(keepingCapacity: true)
            // Best pre-group state to extend into step j at time t (max start), if any.
            func entry(_ j: Int) -> Int64? {
                if j == 0 { return nil }
                let w = config.within[j] ?? Int64.max
                for s in frontier[j - 1] {
                    if config.tiesStrict && s.last >= t { continue }
                    if w != Int64.max && t - s.last > w { continue }
                    return t &- s.start <= window ? s.start : nil
                }
                return nil
            }
            if g - i == 1 || config.tiesStrict {
                // Each event extends only pre-group states: one event fills one step.
                for e in i..<g {
                    let m = masks[e]
                    if m == 0 { continue }
                    var j = n - 1
                    while j >= 1 {
                        if m & (1 << UInt32(j)) != 0, let s = entry(j) { newStates.append((j, s)) }
                        j -= 1
                    }
                    if m & 1 != 0 && (startable?[e] ?? true) { newStates.append((0, t)) }
                }
            } else {
                // Tied events may chain in any order, each filling one step: for every way into
                // the group, cover as many further steps as distinct events allow (bipartite matching).
                var entries: [(from: Int, start: Int64)] = []
                if (i..<g).contains(where: { masks[$0] & 1 != 0 && (startable?[$0] ?? true) }) { entries.append((-1, t)) }
                for j in 0..<(n - 1) { if let s = entry(j + 1) { entries.append((j, s)) } }
                for (from, start) in entries {
                    let reached = Matcher.chainInGroup(masks: masks, group: i..<g, firstStep: from + 1, steps: n,
                                                       startable: startable, mustStart: from == -1)
                    if reached > 0 { for k in (from + 1)...(from + reached) { newStates.append((k, start)) } }
                }
            }
            if strict {
                // Events of this group lie between every earlier state and its next step.
                for j in 0..<n where !frontier[j].isEmpty {
                    let bit: UInt32 = 1 << UInt32(j)
                    if (i..<g).contains(where: { chain[$0] & bit == 0 }) { frontier[j].removeAll() }
                }
            }
            for (j, s) in newStates {
                // Insert (s, t): it dominates states with an earlier or equal start.
                frontier[j].removeAll { $0.start <= s }
                frontier[j].append(State(start: s, last: t))
                if j + 1 > level { level = j + 1; bestLast = t; bestStart = s }
                else if j + 1 == level && t == bestLast && s > bestStart { bestStart = s }
            }
            // Drop states whose window has closed: they can never be extended.
            if window != Int64.max {
                for j in 0..<n { while let last = frontier[j].first, t - last.start > window { frontier[j].removeFirst() } }
            }
            i = g
        }
        if level == 0 { return MatchOutcome(level: 0, assignment: []) }
        let assignment = reconstruct(times: times, masks: masks, startable: startable, chain: chain, level: level, start: bestStart, last: bestLast)
        return MatchOutcome(level: level, assignment: assignment)
    }

    /// How many consecutive steps from `firstStep` distinct events of the group can fill
    /// (with step `firstStep` startable when `mustStart`). Kuhn's augmenting paths.
    static func chainInGroup(masks: [UInt32], group: Range<Int>, firstStep: Int, steps: Int,
                             startable: [Bool]?, mustStart: Bool) -> Int {
        var owner = [Int: Int]()   // event -> step
        func canUse(_ e: Int, _ step: Int) -> Bool {
            masks[e] & (1 << UInt32(step)) != 0 && !(step == 0 && mustStart && !(startable?[e] ?? true))
        }
        func augment(_ step: Int, _ seen: inout Set<Int>) -> Bool {
            for e in group where canUse(e, step) && !seen.contains(e) {
                seen.insert(e)
                if let other = owner[e] {
                    if augment(other, &seen) { owner[e] = step; return true }
                } else { owner[e] = step; return true }
            }
            return false
        }
        var reached = 0
        var step = firstStep
        while step < steps {
            var seen = Set<Int>()
            if !augment(step, &seen) { break }
            reached += 1
            step += 1
        }
        return reached
    }

    /// The best assignment reaching `level`: its last event at `last` (the earliest possible),
    /// its first at `start` (the latest such time; of the events at that time, the latest row
    /// that leads to such an assignment), and the earliest events that fit in between.
    func reconstruct(times: [Int64], masks: [UInt32], startable: [Bool]?, chain: [UInt32], level: Int, start: Int64, last: Int64) -> [Int] {
        let count = times.count
        let window = config.window ?? Int64.max
        let strict = config.order == .strict
        var chosen = [Int](repeating: -1, count: level)
        var used = Set<Int>()
        var failed = Set<Int>()
        // Size of each event's tie group, for memoising failures safely.
        func unique(_ e: Int) -> Bool { (e == 0 || times[e - 1] != times[e]) && (e + 1 == count || times[e + 1] != times[e]) }
        func between(_ a: Int, _ b: Int, step: Int) -> Bool {
            // Strict: every event strictly between the two times matches `step`.
            let ta = times[a], tb = times[b]
            var k = 0
            while k < count && times[k] <= ta { k += 1 }
            while k < count && times[k] < tb {
                if chain[k] & (1 << UInt32(step)) == 0 { return false }
                k += 1
            }
            return true
        }
        func dfs(_ j: Int) -> Bool {
            if j == level { return true }
            let prev = chosen[j - 1]
            let tp = times[prev]
            let w = config.within[j] ?? Int64.max
            var e = prev
            while e > 0 && times[e - 1] == tp { e -= 1 }
            while e < count {
                let te = times[e]
                if te > last || te - start > window || (w != Int64.max && te - tp > w) { break }
                if (config.tiesStrict && te <= tp) || used.contains(e) || masks[e] & (1 << UInt32(j)) == 0 { e += 1; continue }
                if j == level - 1 && te != last { e += 1; continue }
                let key = j * count + e
                if failed.contains(key) { e += 1; continue }
                if strict && !between(prev, e, step: j - 1) { break }
                chosen[j] = e; used.insert(e)
                if dfs(j + 1) { return true }
                used.remove(e)
                if unique(e) { failed.insert(key) }
                e += 1
            }
            return false
        }
        // The latest row at the start time first (language.md §4: equal timestamps keep their file order).
        var lo = 0, hi = count
        while lo < hi { let mid = (lo + hi) / 2; if times[mid] <= start { lo = mid + 1 } else { hi = mid } }
        var e = lo - 1
        while e >= 0 && times[e] == start {
            if masks[e] & 1 != 0 && (startable?[e] ?? true) {
                if level == 1 { return [e] }
                chosen[0] = e; used = [e]
                if dfs(1) { return chosen }
            }
            e -= 1
        }
        return []   // unreachable when level and times come from matchOrdered
    }
}
