import FunnelCore
import FunnelEngine
import FunnelPlan
import FunnelSema

/// A deliberately simple matcher: enumerate every assignment of distinct events to steps and
/// apply language.md §4 literally — ties, `ties strict`, strict order, `hold`, exclusions
/// (`stop` and `remove`) and the best-assignment tie-breaks. Exponential; for small streams only.
///
/// Where §4 leaves a choice open, the choice is written down here (marked "Choice:") so that
/// the engine has one definition to be tested against.
enum Oracle {

    // MARK: Input

    /// One event of one actor, after `where`. Events may be given in any order: the oracle
    /// orders them by (time, row), which is §4's "by time, equal timestamps in file order".
    struct Event: Equatable, CustomStringConvertible {
        var time: Int64
        /// The event's row in the file: the order of events with equal timestamps.
        var row: Int
        /// Bit k set: the event matches step k.
        var steps: UInt32
        /// False for events outside `dates`: they start no attempt.
        var startable: Bool = true
        /// The held values (`hold X, Y`: one per held field), nil where missing. An event whose key is
        /// empty or has a missing part takes part in no assignment. Ignored when the config has no hold.
        var hold: [Int?] = []
        /// Bit x set: the event matches the predicate of exclusion x.
        var excluded: UInt32 = 0

        var description: String {
            var s = "t\(time)/r\(row)/s\(String(steps, radix: 2))"
            if !startable { s += "!" }
            if !hold.isEmpty { s += "#" + hold.map { $0.map(String.init) ?? "-" }.joined(separator: ",") }
            if excluded != 0 { s += "/x\(String(excluded, radix: 2))" }
            return s
        }
    }

    /// `exclude P between A and B [remove]`: steps as 0-based indexes (the whole funnel is
    /// `from: 0, to: steps - 1`, what the planner resolves when `between` is not written).
    /// In `order any` funnels `from`/`to` are ignored: an exclusion covers the whole attempt.
    struct Exclusion: Equatable {
        var from: Int
        var to: Int
        var effect: PlannedExclusion.Effect = .stop
    }

    struct Config {
        var match: MatchConfig
        /// Exclusion x is hit by the events whose `excluded` has bit x.
        var exclusions: [Exclusion] = []
        /// `hold`: every step of an assignment carries the same, non-missing `Event.hold`.
        var hold: Bool = false
    }

    /// How a tie between equally good starts is broken.
    enum StartTie {
        /// §4: among best assignments with equal last-event time, the one that started latest in
        /// (time, file row) order.
        case latestRow
        /// The tie-break before §4 said "file row": latest start *time*, then the earliest events
        /// (so the earliest row among starts at that time). Only the refactor guard against the
        /// old oracle (OracleRuleTests.extendedOracleEqualsTheOldOne) uses it.
        case firstRow
    }

    // MARK: Output

    struct Outcome: Equatable, CustomStringConvertible {
        /// The furthest level (after `stop` cuts; before `remove`): steps reached, or distinct
        /// steps matched in `order any`.
        var level: Int
        /// One entry per step: the index (into the events as given) of the event matched to it
        /// in the best assignment, -1 if none. Ordered/strict: steps 0..<level are filled.
        var assignment: [Int]
        /// `remove`: every assignment reaching `level` is hit; the actor counts at no step.
        var removed: Bool = false
        /// The actor's first event (by time, then row) that may start an attempt: startable, with a
        /// key under `hold`, matching step 1 (any step in `order any`). Index into the events as given.
        var firstTouch: Int?
        /// The level the actor is counted at: 0 when removed.
        var counted: Int { removed ? 0 : level }
        var description: String { "level \(level) assignment \(assignment)\(removed ? " removed" : "") firstTouch \(firstTouch.map(String.init) ?? "nil")" }
    }

    // MARK: The definition

    static func evaluate(_ input: [Event], _ c: Config, startTie: StartTie = .latestRow) -> Outcome {
        let n = c.match.steps
        let isAny = c.match.order == .any
        let strict = c.match.order == .strict
        let window = c.match.window ?? Int64.max
        // Positions: the events in (time, row) order. Everything below works on positions.
        let order = input.indices.sorted { (input[$0].time, input[$0].row, $0) < (input[$1].time, input[$1].row, $1) }
        let ev = order.map { input[$0] }
        let m = ev.count
        func t(_ p: Int) -> Int64 { ev[p].time }
        func matches(_ p: Int, _ step: Int) -> Bool { ev[p].steps & (1 << UInt32(step)) != 0 }
        /// The event's held key; nil when it is missing (such an event fills no step).
        func key(_ p: Int) -> [Int]? {
            guard c.hold else { return [] }
            let h = ev[p].hold
            if h.isEmpty || h.contains(where: { $0 == nil }) { return nil }
            return h.map { $0! }
        }
        let keys = (0..<m).map(key)

        // Every assignment: `n` positions, -1 where a step is unmatched.
        var all: [[Int]] = []
        if isAny {
            // Any subset of steps, each filled by a distinct event; all inside the window from the
            // attempt's first event. Choice (`ties strict` in `order any`): each matched event is
            // strictly later than the one before it in time order, i.e. no two matched events
            // share a timestamp (so `a@0 b@0` reaches 1 step, not 2).
            // Choice (start): the attempt starts at its earliest matched time; some matched event
            // at that time must be startable (`dates` depends on time only, so in practice: all).
            var a = [Int](repeating: -1, count: n)
            var used = Set<Int>()
            func go(_ step: Int, _ held: [Int]?, _ lo: Int64, _ hi: Int64) {
                if step == n {
                    let ps = a.filter { $0 >= 0 }
                    if ps.isEmpty || !ps.contains(where: { t($0) == lo && ev[$0].startable }) { return }
                    all.append(a)
                    return
                }
                go(step + 1, held, lo, hi)
                for p in 0..<m where matches(p, step) && !used.contains(p) {
                    guard let k = keys[p] else { continue }
                    if let h = held, h != k { continue }
                    let (l, u) = (min(lo, t(p)), max(hi, t(p)))
                    if u - l > window { continue }
                    if c.match.tiesStrict && used.contains(where: { t($0) == t(p) }) { continue }
                    a[step] = p; used.insert(p)
                    go(step + 1, k, l, u)
                    a[step] = -1; used.remove(p)
                }
            }
            go(0, nil, .max, .min)
        } else {
            var seq: [Int] = []
            func valid(_ e: Int) -> Bool {
                let j = seq.count
                guard matches(e, j), let k = keys[e] else { return false }
                if j == 0 { return ev[e].startable }
                if seq.contains(e) || keys[seq[0]]! != k { return false }
                let p = seq[j - 1]
                // Ties may be matched in any order; `ties strict` wants each step strictly later.
                if c.match.tiesStrict ? t(e) <= t(p) : t(e) < t(p) { return false }
                if t(e) - t(seq[0]) > window { return false }
                if let w = c.match.within[j], t(e) - t(p) > w { return false }
                if strict {
                    // Every event strictly between (held or not, any key) must match step j-1.
                    for x in 0..<m where t(x) > t(p) && t(x) < t(e) && !matches(x, j - 1) { return false }
                }
                return true
            }
            func extend() {
                all.append(seq + [Int](repeating: -1, count: n - seq.count))
                if seq.count == n { return }
                for e in 0..<m where valid(e) {
                    seq.append(e)
                    extend()
                    seq.removeLast()
                }
            }
            for e in 0..<m {
                seq = []
                if valid(e) { seq = [e]; extend() }
            }
        }

        // Exclusions. `hit(a, x)` is the time of the earliest event that hits assignment `a` for
        // exclusion x, nil when `a` is clean.
        // Choice: exclusions do not look at `hold` — like strict's "between", an excluded event
        // hits whatever its held value (missing included).
        // Choice: an event that fills a step may also be the excluded event (its time decides).
        func hit(_ a: [Int], _ xi: Int) -> Int64? {
            let x = c.exclusions[xi]
            let bit: UInt32 = 1 << UInt32(xi)
            let ps = a.filter { $0 >= 0 }
            guard !ps.isEmpty else { return nil }
            var from: Int64, lo: Int64 = Int64.min, hi: Int64 = Int64.max
            if isAny {
                // The whole attempt: strictly after its first event and strictly before its last one
                // when every step is matched; otherwise while it is open (inside the window).
                let first = ps.map(t).min()!, last = ps.map(t).max()!
                from = first
                if ps.count == n { hi = last - 1 } else { hi = window == .max ? .max : first + window }
            } else {
                let k = ps.count
                guard k - 1 >= x.from else { return nil }
                from = t(a[x.from])
                if k - 1 >= x.to {
                    hi = t(a[x.to]) - 1                                  // strictly before B's event
                } else {
                    // B not reached: while the attempt is open. Inside the window (inclusive) ...
                    hi = window == .max ? .max : t(a[0]) + window
                    if strict {
                        // ... and in strict funnels until the chain breaks: the first event later than
                        // the last matched one that does not match the step just reached.
                        // Choice: the breaking event itself (and events tied with it) still hits —
                        // the chain could still take a next step at that very time.
                        let lastT = t(a[k - 1])
                        if let b = (0..<m).first(where: { t($0) > lastT && !matches($0, k - 1) }) { hi = min(hi, t(b)) }
                    }
                }
            }
            lo = from + 1                                                  // strictly after A's event
            return (0..<m).first { ev[$0].excluded & bit != 0 && t($0) >= lo && t($0) <= hi }.map(t)
        }

        // `stop`: a hit assignment counts only up to A (ordered/strict: its steps through A; any: the
        // distinct steps matched strictly before the first hitting event). Several `stop` exclusions:
        // the earliest cut wins.
        // Choice: the assignment counted (and reported) is the cut one — the events it keeps;
        // the actor's level is the longest counted assignment.
        func counted(_ a: [Int]) -> [Int] {
            var cut = a
            for xi in c.exclusions.indices where c.exclusions[xi].effect == .stop {
                guard let h = hit(a, xi) else { continue }
                if isAny {
                    for s in 0..<n where a[s] >= 0 && t(a[s]) >= h { cut[s] = -1 }
                } else {
                    for s in (c.exclusions[xi].from + 1)..<n { cut[s] = -1 }
                }
            }
            return cut
        }
        func size(_ a: [Int]) -> Int { a.filter { $0 >= 0 }.count }
        let countedAll = Array(Set(all.map(counted)))
        let level = countedAll.map(size).max() ?? 0

        // First touch: the first event that may start an attempt.
        let touch = (0..<m).first { p in ev[p].startable && keys[p] != nil && (isAny ? ev[p].steps & ((1 << UInt32(n)) - 1) != 0 : matches(p, 0)) }
        let firstTouch = touch.map { order[$0] }
        guard level > 0 else {
            return Outcome(level: 0, assignment: [Int](repeating: -1, count: n), removed: false, firstTouch: firstTouch)
        }

        // `remove`: the actor is removed when every assignment reaching the level is hit; a clean one
        // keeps them. Choice: a `remove` exclusion is judged on the counted assignment (after any
        // `stop` cut, as an assignment of its own), and `remove` in `order any` ("voids the hit
        // attempts") is this same rule: hit attempts are void, and an actor whose furthest level
        // has only void attempts is removed (their level does not fall back to a lower clean one).
        let reaching = countedAll.filter { size($0) == level }
        let removes = c.exclusions.indices.filter { c.exclusions[$0].effect == .remove }
        let clean = reaching.filter { a in !removes.contains { hit(a, $0) != nil } }
        let removed = clean.isEmpty

        // Best assignment (of the clean ones; of all reaching the level when removed): the last
        // matched event earliest (by time); then the latest start — step 1's event, or in `order any`
        // the earliest matched event — by (time, row); then the earliest events, step by step, by
        // (time, row), an unmatched step counting as later than any event (so in `order any` a
        // later event never goes to a lower step when the earlier one could).
        func better(_ x: [Int], _ y: [Int]) -> Bool {
            let lx = x.filter { $0 >= 0 }.map(t).max()!, ly = y.filter { $0 >= 0 }.map(t).max()!
            if lx != ly { return lx < ly }
            let sx = isAny ? x.filter { $0 >= 0 }.min()! : x[0]
            let sy = isAny ? y.filter { $0 >= 0 }.min()! : y[0]
            switch startTie {
            case .latestRow: if sx != sy { return sx > sy }
            case .firstRow: if t(sx) != t(sy) { return t(sx) > t(sy) }
            }
            let kx = x.map { $0 < 0 ? Int.max : $0 }, ky = y.map { $0 < 0 ? Int.max : $0 }
            return kx.lexicographicallyPrecedes(ky)
        }
        let best = (removed ? reaching : clean).min(by: better)!
        return Outcome(level: level, assignment: best.map { $0 < 0 ? -1 : order[$0] }, removed: removed, firstTouch: firstTouch)
    }

    // MARK: The legacy entry point (MatcherPropertyTests, PipelinePropertyTests)

    struct Result: Equatable { var level: Int; var assignment: [Int] }

    /// Events already in (time, file) order; no exclusions, no hold. The assignment is the
    /// Matcher's: steps 0..<level for ordered/strict, one entry per step (-1: unmatched) for `order any`.
    static func match(times: [Int64], masks: [UInt32], startable: [Bool]? = nil, config c: MatchConfig) -> Result {
        let events = times.indices.map { Event(time: times[$0], row: $0, steps: masks[$0], startable: startable?[$0] ?? true) }
        let o = evaluate(events, Config(match: c))
        return Result(level: o.level, assignment: c.order == .any ? (o.level > 0 ? o.assignment : []) : Array(o.assignment.prefix(o.level)))
    }
}
