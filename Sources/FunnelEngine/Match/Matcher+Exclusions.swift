import FunnelCore
import FunnelPlan

/// An exclusion as the matcher needs it: the steps it lies between (0-based; the whole funnel
/// when not written) and whether a hit removes the actor or stops the count at `from`.
public struct ExclusionRule: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var remove: Bool
    public init(from: Int, to: Int, remove: Bool) { self.from = from; self.to = to; self.remove = remove }
}

/// One actor's outcome with exclusions: the level after `stop` cuts, whether `remove` removed
/// the actor (then they count at no step), and the best assignment.
public struct ExclusionOutcome: Equatable, Sendable {
    public var level: Int
    /// Event index per step, -1 where unmatched (steps `level...` are -1).
    public var assignment: [Int]
    public var removed: Bool
}

/// Exclusions in ordered and strict funnels (language.md §4), for an actor who has at least
/// one excluded event (everyone else takes the plain matcher, as fast as without exclusions).
///
/// A depth-first search over assignments. An event *hits* an assignment when it matches the
/// exclusion and lies strictly after A's event and strictly before B's event — or, when B is
/// not reached, while the attempt is open: inside the window, and in strict funnels up to the
/// first event that breaks the chain (that event included). `stop` cuts a hit assignment after
/// A; `remove` removes the actor when every assignment reaching the level is hit.
///
/// What keeps the search small in ordered funnels without `within`: only the start, each
/// exclusion's A event and the window decide hits, so every other step takes the earliest
/// events that fit, and an A step only tries the earliest event after each excluded event
/// (its "gap"). Strict funnels and `within` try every distinct event (events with the same
/// time and the same step and exclusion bits are interchangeable, so only the first is tried).
struct ExclusionSearch {
    let config: MatchConfig
    let rules: [ExclusionRule]
    let times: [Int64]
    let masks: [UInt32]
    /// Bit x: the event matches exclusion x.
    let excluded: [UInt32]
    let startable: [Bool]?
    /// Events that may fill steps (hold: one held value's events); nil means every event.
    let eligible: [Bool]?

    /// Per rule, the times of its excluded events, ascending.
    let ruleTimes: [[Int64]]
    /// Per step j, `nextMatch[j][i]`: the first position at or after i whose event may fill step j (count when none).
    let nextMatch: [[Int]]

    private var best: [Int] = []
    private var bestLevel = 0
    private var bestClean = false
    private var seq: [Int] = []

    init(config: MatchConfig, rules: [ExclusionRule], times: [Int64], masks: [UInt32], excluded: [UInt32],
         startable: [Bool]?, eligible: [Bool]? = nil) {
        self.config = config; self.rules = rules; self.times = times; self.masks = masks
        self.excluded = excluded; self.startable = startable; self.eligible = eligible
        ruleTimes = rules.indices.map { x in times.indices.filter { excluded[$0] & (1 << UInt32(x)) != 0 }.map { times[$0] } }
        nextMatch = (0..<config.steps).map { j in
            var next = [Int](repeating: times.count, count: times.count + 1)
            for i in stride(from: times.count - 1, through: 0, by: -1) {
                next[i] = masks[i] & (1 << UInt32(j)) != 0 && (eligible?[i] ?? true) ? i : next[i + 1]
            }
            return next
        }
    }

    var window: Int64 { config.window ?? Int64.max }
    var strict: Bool { config.order == .strict }
    /// Earliest-first pruning is exact only when nothing but the start and A events decide hits.
    var prunes: Bool { !strict && config.within.allSatisfy { $0 == nil } }

    /// The times an excluded event of rule `r` must fall in (inclusive) to hit assignment `a`: strictly
    /// after A's event and strictly before B's, or, when B is not reached, while the attempt is open
    /// (inside the window; in strict funnels up to the first event that breaks the chain). Nil when
    /// `a` does not reach A. The one definition both the check of the plain best and the search use.
    static func hitWindow(_ a: ArraySlice<Int>, _ r: ExclusionRule, config: MatchConfig, times: [Int64], masks: [UInt32]) -> ClosedRange<Int64>? {
        let k = a.count, s = a.startIndex
        guard k - 1 >= r.from else { return nil }
        let lo = times[a[s + r.from]] + 1
        var hi: Int64
        if k - 1 >= r.to {
            hi = times[a[s + r.to]] - 1
        } else {
            hi = config.window.map { times[a[s]] + $0 } ?? Int64.max
            if config.order == .strict {
                let lastT = times[a[s + k - 1]], bit: UInt32 = 1 << UInt32(k - 1)
                if let b = (0..<times.count).first(where: { times[$0] > lastT && masks[$0] & bit == 0 }) { hi = min(hi, times[b]) }
            }
        }
        return lo <= hi ? lo...hi : nil
    }

    /// Whether the plain matcher's best assignment stands as it is: no `remove` exclusion hits it, and
    /// no `stop` exclusion cuts it shorter. Then it is also the best assignment with exclusions (they
    /// never raise a level, and it is the best of all assignments at its level), so no search is needed.
    /// A linear scan, without the search's tables: most actors with an excluded event end here.
    static func stands(_ a: [Int], config: MatchConfig, rules: [ExclusionRule], times: [Int64], masks: [UInt32], excluded: [UInt32]) -> Bool {
        let k = a.count
        for (x, r) in rules.enumerated() where r.remove || r.from + 1 < k {
            guard let window = hitWindow(a[...], r, config: config, times: times, masks: masks) else { continue }
            let bit: UInt32 = 1 << UInt32(x)
            for e in 0..<times.count where excluded[e] & bit != 0 && window.contains(times[e]) { return false }
        }
        return true
    }

    mutating func run() -> ExclusionOutcome {
        let n = config.steps
        for e in candidates(step: 0) {
            seq = [e]
            extend()
        }
        guard bestLevel > 0 else { return ExclusionOutcome(level: 0, assignment: [Int](repeating: -1, count: n), removed: false) }
        return ExclusionOutcome(level: bestLevel, assignment: best + [Int](repeating: -1, count: n - best.count), removed: !bestClean)
    }

    private mutating func extend() {
        record()
        if seq.count == config.steps { return }
        for e in candidates(step: seq.count) {
            seq.append(e)
            extend()
            seq.removeLast()
        }
    }

    // MARK: candidates

    func fits(_ e: Int, step j: Int) -> Bool {
        guard masks[e] & (1 << UInt32(j)) != 0, eligible?[e] ?? true else { return false }
        if j == 0 { return startable?[e] ?? true }
        if seq.contains(e) { return false }
        let p = seq[j - 1], t = times[e]
        if config.tiesStrict ? t <= times[p] : t < times[p] { return false }
        if t - times[seq[0]] > window { return false }
        if let w = config.within[j], t - times[p] > w { return false }
        if strict {
            // Every event strictly between must match the step just reached.
            let bit: UInt32 = 1 << UInt32(j - 1)
            var x = p + 1
            while x < times.count && times[x] < t {
                if times[x] > times[p] && masks[x] & bit == 0 { return false }
                x += 1
            }
        }
        return true
    }

    /// The events worth trying at step j, in (time, row) order.
    func candidates(step j: Int) -> [Int] {
        let from = j == 0 ? 0 : max(0, firstIndex(atOrAfter: times[seq[j - 1]]))
        var out: [Int] = []
        var seen: [(time: Int64, mask: UInt32, excl: UInt32)] = []
        // Events with the same time and bits are interchangeable: try one of them, the one the
        // tie-breaks prefer (the latest row for a start, the earliest for a later step).
        func take(_ e: Int) {
            let sig = (times[e], masks[e], excluded[e])
            if let i = seen.firstIndex(where: { $0 == sig }) {
                if j == 0 { out[i] = e }
                return
            }
            seen.append(sig); out.append(e)
        }
        // Ties may precede the previous step's event in file order: scan from the first event at its time.
        let end = j == 0 ? Int64.max : (window == Int64.max ? Int64.max : times[seq[0]] &+ window)
        if j == 0 || !prunes {
            var e = from
            while e < times.count && times[e] <= end {
                if fits(e, step: j) { take(e) }
                e += 1
            }
            return out
        }
        // The earliest fitting events at or after position p: all of them at the first fitting time.
        func earliest(from p: Int) -> Int64? {
            var e = p
            while e < times.count && times[e] <= end && !fits(e, step: j) { e = nextMatch[j][e + 1] }
            guard e < times.count, times[e] <= end else { return nil }
            let t = times[e]
            while e < times.count && times[e] == t { if fits(e, step: j) { take(e) }; e += 1 }
            return t
        }
        let aRules = rules.indices.filter { rules[$0].from == j }
        // Not an A step: the earliest time only (a later event here changes no hit and only delays the rest).
        guard !aRules.isEmpty, var t = earliest(from: nextMatch[j][from]) else {
            if aRules.isEmpty { _ = earliest(from: nextMatch[j][from]) }
            return out
        }
        // An A step: also the earliest time after each later excluded event (a later A leaves fewer hits).
        while let next = aRules.compactMap({ x in ruleTimes[x].first { $0 > t } }).min(), next <= end {
            guard let found = earliest(from: nextMatch[j][firstIndex(atOrAfter: next)]) else { break }
            t = found
        }
        return out
    }

    func firstIndex(atOrAfter t: Int64) -> Int {
        var lo = 0, hi = times.count
        while lo < hi { let mid = (lo + hi) / 2; if times[mid] < t { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    /// How many of a rule's excluded events lie at or before t: A events in one gap see the same hits after them.
    func excludedCount(atOrBefore t: Int64, rule x: Int) -> Int {
        let ts = ruleTimes[x]
        var lo = 0, hi = ts.count
        while lo < hi { let mid = (lo + hi) / 2; if ts[mid] <= t { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    // MARK: hits and the best assignment

    /// The time of the earliest event hitting `a` for rule x, nil when clean.
    func hit(_ a: ArraySlice<Int>, _ x: Int) -> Int64? {
        guard let window = ExclusionSearch.hitWindow(a, rules[x], config: config, times: times, masks: masks) else { return nil }
        // The first excluded event at or after the window's start, if it is not past its end.
        let ts = ruleTimes[x]
        let i = excludedCount(atOrBefore: window.lowerBound - 1, rule: x)
        return i < ts.count && ts[i] <= window.upperBound ? ts[i] : nil
    }

    /// Counts the current assignment: cut after A by the earliest `stop` hit, then checked for `remove` hits.
    private mutating func record() {
        var size = seq.count
        for x in rules.indices where !rules[x].remove && hit(seq[...], x) != nil { size = min(size, rules[x].from + 1) }
        guard size >= bestLevel else { return }
        let counted = seq[0..<size]
        let clean = !rules.indices.contains { rules[$0].remove && hit(counted, $0) != nil }
        if size > bestLevel { bestLevel = size; best = Array(counted); bestClean = clean; return }
        // Same level: a clean assignment beats a hit one; then the better of the two.
        if clean && !bestClean { best = Array(counted); bestClean = true; return }
        if clean == bestClean && better(counted, than: best[...]) { best = Array(counted) }
    }

    func better(_ x: ArraySlice<Int>, than y: ArraySlice<Int>) -> Bool {
        Matcher.prefers(Array(x), over: Array(y), times: times, any: false)
    }
}

extension Matcher {
    /// The plain matcher where only `eligible` events may fill steps (`hold`: one value's events);
    /// the others stay, so they still lie between steps in strict funnels.
    public func match(times: [Int64], masks: [UInt32], startable: [Bool]?, eligible: [Bool]?) -> MatchOutcome {
        guard let e = eligible else { return match(times: times, masks: masks, startable: startable) }
        return match(times: times, masks: zip(masks, e).map { $1 ? $0 : 0 }, startable: startable, chain: masks)
    }

    /// language.md §4's order between two assignments of the same level (event indexes in (time, file row)
    /// order, -1 for an unmatched step): the earliest last event, then the latest start (step 1's event;
    /// in `order any` the earliest matched one), then the earliest events step by step.
    public static func prefers(_ x: [Int], over y: [Int], times: [Int64], any: Bool) -> Bool {
        let xs = x.filter { $0 >= 0 }, ys = y.filter { $0 >= 0 }
        guard let fx = xs.min(), let fy = ys.min(), let lx = xs.map({ times[$0] }).max(), let ly = ys.map({ times[$0] }).max() else {
            return !xs.isEmpty
        }
        if lx != ly { return lx < ly }
        let sx = any ? fx : x[0], sy = any ? fy : y[0]
        if sx != sy { return sx > sy }
        return x.map { $0 < 0 ? Int.max : $0 }.lexicographicallyPrecedes(y.map { $0 < 0 ? Int.max : $0 })
    }

    /// The matcher for an actor with excluded events: `ExclusionSearch` for ordered and strict
    /// funnels, `AnyExclusionSearch` for `order any`.
    public func match(times: [Int64], masks: [UInt32], excluded: [UInt32], rules: [ExclusionRule],
                      startable: [Bool]? = nil, eligible: [Bool]? = nil) -> ExclusionOutcome {
        if config.order == .any {
            return AnyExclusionSearch(config: config, rules: rules, times: times, masks: masks, excluded: excluded,
                                      startable: startable, eligible: eligible).run()
        }
        // Most actors with an excluded event are not affected by it: check the plain best first.
        let plain = match(times: times, masks: masks, startable: startable, eligible: eligible)
        let prefix = Array(plain.assignment.prefix(plain.level))
        if ExclusionSearch.stands(prefix, config: config, rules: rules, times: times, masks: masks, excluded: excluded) {
            return ExclusionOutcome(level: plain.level, assignment: prefix + [Int](repeating: -1, count: config.steps - prefix.count), removed: false)
        }
        var search = ExclusionSearch(config: config, rules: rules, times: times, masks: masks, excluded: excluded,
                                     startable: startable, eligible: eligible)
        return search.run()
    }
}
