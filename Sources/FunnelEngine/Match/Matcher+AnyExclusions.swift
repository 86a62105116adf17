import FunnelCore
import FunnelPlan

/// Exclusions in `order any` funnels (language.md §4; the Choices in the tests' Oracle), for an
/// actor who has at least one excluded event (everyone else takes `matchAny`, unchanged).
///
/// An attempt is a set of events, each filling a distinct step, all within the window of its first
/// time T0 (with `ties strict`, at distinct times). An exclusion covers the whole attempt: a complete
/// attempt is hit by an excluded event strictly between its first and last events; an incomplete one
/// from just after T0 to the end of the window, inclusive. `stop` keeps the steps matched strictly
/// before the first hit; `remove` is judged on what `stop` kept.
///
/// Everything is decided by T0 and the last time L of an attempt. With hS and hR the first `stop`
/// and `remove` excluded events after T0 (nil when there is none):
/// - what `stop` keeps is itself an attempt that `stop` leaves alone: a complete one with L <= hS, or
///   an incomplete one with L < hS. So the level is the best over T0 of: n when the steps can all be
///   matched to events in [T0, min(T0 + W, hS)], else the most steps events in [T0, min(T0 + W, hS - 1)]
///   can fill;
/// - a kept attempt reaching the level is clean when complete with L <= hR, or incomplete with no
///   `remove` excluded event in (T0, T0 + W] (that depends on T0 only). The actor is removed when no
///   T0 has a clean one.
/// So every question is "how many steps can the events of a time range fill": a maximum bipartite
/// matching of steps to events (to time groups with `ties strict`), grown event by event in time
/// order (`StepMatching`). The start's own events must include one that may start (`startable`);
/// a maximum matching can always be made to use any one event with a step (swap it for the event
/// holding that step), so the constraint costs nothing beyond having such an event at T0.
///
/// The best assignment (of the clean attempts; of all kept ones reaching the level when removed):
/// the earliest last time L* over the start times (the first time the growing matching reaches the
/// level), then the latest start — the latest T0 reaching L*, then at T0 the latest event p that can
/// be the earliest one matched — and then, step by step, the earliest event that still leaves a
/// matching of the right size that uses p (and a startable event at T0).
///
/// Cost: per start time, one matching grown over the window, O(events in window × steps²), plus a
/// second such pass for the earliest last time; the final step-by-step choice works on at most
/// (steps + 1) events per step after T0 (an assignment using a later one could swap it for an
/// earlier free one). Polynomial and exact.
struct AnyExclusionSearch {
    let n: Int
    let window: Int64?
    let tiesStrict: Bool
    let times: [Int64]
    /// Step masks, 0 for events that may not fill a step (`hold`: another value).
    let masks: [UInt32]
    let startable: [Bool]?
    /// The times of excluded events of `stop` rules and of `remove` rules, ascending.
    let stopTimes: [Int64]
    let removeTimes: [Int64]
    /// Time groups: `groups[g]` is the range of events at one time.
    let groups: [Range<Int>]

    init(config: MatchConfig, rules: [ExclusionRule], times: [Int64], masks: [UInt32], excluded: [UInt32],
         startable: [Bool]?, eligible: [Bool]?) {
        n = config.steps
        window = config.window
        tiesStrict = config.tiesStrict
        self.times = times
        let full: UInt32 = n >= 32 ? ~0 : (1 << UInt32(n)) - 1
        self.masks = masks.indices.map { (eligible?[$0] ?? true) ? masks[$0] & full : 0 }
        self.startable = startable
        var stopBits: UInt32 = 0, removeBits: UInt32 = 0
        for (x, r) in rules.enumerated() where x < 32 {
            if r.remove { removeBits |= 1 << UInt32(x) } else { stopBits |= 1 << UInt32(x) }
        }
        stopTimes = times.indices.filter { excluded[$0] & stopBits != 0 }.map { times[$0] }
        removeTimes = times.indices.filter { excluded[$0] & removeBits != 0 }.map { times[$0] }
        var gs: [Range<Int>] = []
        var i = 0
        while i < times.count {
            var g = i + 1
            while g < times.count && times[g] == times[i] { g += 1 }
            gs.append(i..<g)
            i = g
        }
        groups = gs
    }

    func canStart(_ e: Int) -> Bool { masks[e] != 0 && (startable?[e] ?? true) }

    /// The first time in `ts` later than t.
    func firstAfter(_ ts: [Int64], _ t: Int64) -> Int64? {
        var lo = 0, hi = ts.count
        while lo < hi { let mid = (lo + hi) / 2; if ts[mid] <= t { lo = mid + 1 } else { hi = mid } }
        return lo < ts.count ? ts[lo] : nil
    }

    /// The last time inside the window of an attempt starting at t0 (inclusive).
    func windowEnd(_ t0: Int64) -> Int64 {
        guard let w = window else { return .max }
        let (s, o) = t0.addingReportingOverflow(w)
        return o ? .max : s
    }

    /// One way to fill steps: an event, or with `ties strict` a time group (any one of its events).
    struct Unit { var mask: UInt32; var events: Range<Int>; var time: Int64 }

    /// The units after the start group g0, up to time `limit`, in time order.
    func laterUnits(after g0: Int, through limit: Int64) -> [Unit] {
        var out: [Unit] = []
        for g in (g0 + 1)..<groups.count {
            let r = groups[g], t = times[r.lowerBound]
            if t > limit { break }
            if tiesStrict {
                let m = r.reduce(UInt32(0)) { $0 | masks[$1] }
                if m != 0 { out.append(Unit(mask: m, events: r, time: t)) }
            } else {
                for e in r where masks[e] != 0 { out.append(Unit(mask: masks[e], events: e..<(e + 1), time: t)) }
            }
        }
        return out
    }

    /// The units of the start group g0 for the level: its events (`ties strict`: one unit, the events that may start).
    func startUnits(_ g0: Int) -> [UInt32] {
        let r = groups[g0]
        if tiesStrict { return [r.filter(canStart).reduce(UInt32(0)) { $0 | masks[$1] }] }
        return r.filter { masks[$0] != 0 }.map { masks[$0] }
    }

    /// Grows a matching over the start group's units and then the later units in time order;
    /// `probe(size, time)` is told the size after each later unit (and once before, at T0).
    /// Units that cannot grow it are skipped cheaply: when every step of every mask seen is matched.
    func grow(_ matching: inout StepMatching, start: [UInt32], later: [Unit], t0: Int64, stopAt: Int,
              _ probe: (Int, Int64) -> Bool) {
        matching.reset()
        var union: UInt32 = 0
        for m in start { union |= m; _ = matching.add(m) }
        if probe(matching.size, t0) || matching.size >= stopAt { return }
        for u in later {
            if u.mask & ~union == 0 && matching.size == union.nonzeroBitCount { if probe(matching.size, u.time) { return }; continue }
            union |= u.mask
            _ = matching.add(u.mask)
            if probe(matching.size, u.time) || matching.size >= stopAt { return }
        }
    }

    /// Per start group: the limits of what `stop` keeps, and the sizes reached there.
    struct Start { var group: Int; var t0: Int64; var end: Int64; var limitComplete: Int64; var limitIncomplete: Int64
                   var complete: Bool; var incomplete: Int }

    func run() -> ExclusionOutcome {
        let none = ExclusionOutcome(level: 0, assignment: [Int](repeating: -1, count: n), removed: false)
        var matching = StepMatching(steps: n)

        // 1. The level.
        var starts: [Start] = []
        var level = 0
        for g0 in groups.indices where groups[g0].contains(where: canStart) {
            let t0 = times[groups[g0].lowerBound]
            let end = windowEnd(t0)
            let hS = firstAfter(stopTimes, t0)
            let limC = min(end, hS ?? .max), limI = min(end, hS.map { $0 - 1 } ?? .max)
            var sizeI = 0, sizeC = 0
            grow(&matching, start: startUnits(g0), later: laterUnits(after: g0, through: limC), t0: t0, stopAt: n) { size, t in
                if t <= limI { sizeI = size }
                sizeC = size
                return false
            }
            let s = Start(group: g0, t0: t0, end: end, limitComplete: limC, limitIncomplete: limI, complete: sizeC == n, incomplete: sizeI)
            level = max(level, s.complete ? n : sizeI)
            starts.append(s)
        }
        guard level > 0 else { return none }

        // 2. Removed or not; the earliest last time of the class the best assignment comes from.
        /// The earliest last time of an attempt from this start reaching the level with events up to `limit`.
        func earliestLast(_ s: Start, _ limit: Int64) -> Int64? {
            var found: Int64? = nil
            grow(&matching, start: startUnits(s.group), later: laterUnits(after: s.group, through: limit), t0: s.t0, stopAt: level) { size, t in
                if size >= level { found = t; return true }
                return false
            }
            return found
        }
        /// (start, limit) of the kept attempts reaching the level, clean ones only or all.
        func limit(_ s: Start, clean: Bool) -> Int64? {
            if level == n {
                guard s.complete else { return nil }
                return clean ? min(s.limitComplete, firstAfter(removeTimes, s.t0) ?? .max) : s.limitComplete
            }
            guard s.incomplete == level else { return nil }
            if clean, let hR = firstAfter(removeTimes, s.t0), hR <= s.end { return nil }
            return s.limitIncomplete
        }
        func best(clean: Bool) -> (Start, Int64)? {
            var out: (Start, Int64)? = nil
            for s in starts {
                guard let lim = limit(s, clean: clean), let last = earliestLast(s, lim) else { continue }
                if out == nil || last <= out!.1 { out = (s, last) }   // ties: the later start
            }
            return out
        }
        var removed = false
        var chosen = best(clean: true)
        if chosen == nil { removed = true; chosen = best(clean: false) }
        guard let (start, last) = chosen else { return none }   // unreachable: the level came from a kept attempt

        // 3. The start event and the earliest events that fit.
        guard let assignment = assign(start: start, last: last, level: level, matching: &matching) else { return none }
        return ExclusionOutcome(level: level, assignment: assignment, removed: removed)
    }

    /// The best assignment from start group `s.group` with last time `last`: the latest start event p
    /// (the earliest event matched), then step by step the earliest event that still fits.
    func assign(start s: Start, last: Int64, level: Int, matching: inout StepMatching) -> [Int]? {
        let r = groups[s.group]
        let later = Self.earliestUnits(laterUnits(after: s.group, through: last), steps: n)
        // Units: the start group's (events from p on; `ties strict`: p alone), then the later ones.
        var units: [Unit] = []
        var startOK: [Bool] = []     // the unit is an event at T0 that may start
        var p = -1
        for q in r.reversed() where masks[q] != 0 && (!tiesStrict || canStart(q)) {
            let head: [Int] = tiesStrict ? [q] : Array(q..<r.upperBound).filter { masks[$0] != 0 }
            let us = head.map { Unit(mask: masks[$0], events: $0..<($0 + 1), time: s.t0) } + later
            let ok = head.map(canStart) + [Bool](repeating: false, count: later.count)
            if Self.feasible(units: us, startOK: ok, taken: [Bool](repeating: false, count: us.count), required: 0,
                             allowed: ~0, need: level, matching: &matching) {
                units = us; startOK = ok; p = q
                break
            }
        }
        guard p >= 0 else { return nil }
        var taken = [Bool](repeating: false, count: units.count)
        var fixed = 0
        var assignment = [Int](repeating: -1, count: n)
        for k in 0..<n where fixed < level {
            let bit: UInt32 = 1 << UInt32(k)
            let rest: UInt32 = k + 1 >= 32 ? 0 : ~UInt32(0) << UInt32(k + 1)
            // Units are in (time, row) order; a group's event is its first one matching the step.
            for v in units.indices where !taken[v] && units[v].mask & bit != 0 {
                taken[v] = true; fixed += 1
                if Self.feasible(units: units, startOK: startOK, taken: taken, required: taken[0] ? nil : 0,
                                 allowed: rest, need: level - fixed, matching: &matching) {
                    assignment[k] = units[v].events.first { masks[$0] & bit != 0 }!
                    break
                }
                taken[v] = false; fixed -= 1
            }
        }
        return assignment
    }

    /// Whether the free units can fill `need` of the `allowed` steps, using unit `required` (the start
    /// event p) and, unless a taken unit is one, a unit that may start.
    static func feasible(units: [Unit], startOK: [Bool], taken: [Bool], required: Int?, allowed: UInt32, need: Int,
                         matching: inout StepMatching) -> Bool {
        let started = units.indices.contains { taken[$0] && startOK[$0] }
        let choices: [Int?] = started ? [nil] : units.indices.filter { !taken[$0] && startOK[$0] }
        for s in choices {
            matching.reset()
            if let q = required, !matching.add(units[q].mask & allowed) { return false }
            if let s, s != required, !matching.add(units[s].mask & allowed) { continue }
            for v in units.indices where !taken[v] && v != required && v != s {
                if matching.size >= need { break }
                _ = matching.add(units[v].mask & allowed)
            }
            if matching.size >= need { return true }
        }
        return false
    }

    /// The later units an earliest-events assignment can use: per step, the first `steps + 1` matching it
    /// (at most `steps - 1` are held by other steps, so a later one could be swapped for an earlier free one,
    /// which keeps the start, and the last time: it was already the earliest possible).
    static func earliestUnits(_ units: [Unit], steps n: Int) -> [Unit] {
        var seen = [Int](repeating: 0, count: n)
        return units.filter { u in
            var keep = false
            for k in 0..<n where u.mask & (1 << UInt32(k)) != 0 {
                seen[k] += 1
                if seen[k] <= n + 1 { keep = true }
            }
            return keep
        }
    }
}
