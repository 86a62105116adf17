import Dispatch
import Foundation
import FunnelCore
import FunnelPlan

/// Runs one planned funnel over a loaded store: predicates once per event, then the
/// matcher per actor (actors split across cores), then the figures.
public struct FunnelRunner {
    public let funnel: PlannedFunnel
    public let store: EventStore
    public let profile: ProfileTable?
    /// "Now" for `recency` (default: the latest event time).
    public let asOf: Int64?

    public init(funnel: PlannedFunnel, store: EventStore, profile: ProfileTable?, asOf: Int64? = nil) {
        self.funnel = funnel; self.store = store; self.profile = profile; self.asOf = asOf
    }

    /// The source's time zone for `dates` and trends (nil for UTC).
    var zone: ZoneConverter? {
        funnel.timezone.flatMap { $0 == "UTC" ? nil : TimeZone(identifier: $0) }.map(ZoneConverter.init)
    }

    /// Outcomes of the runs behind a splitting breakdown (`by X all`, trends), per group code:
    /// one level and one row of step events per (actor, group), and a row that shows the group's value.
    struct SplitGroup {
        var levels: [UInt8] = []
        var rows: [Int32] = []
        var sample: Int = -1
    }

    /// Per actor: the level and, per step, the row of the event in the best assignment
    /// (-1 if none), in flat arrays: actor a's rows are `rows[a*steps ..< (a+1)*steps]`.
    struct Outcomes {
        let steps: Int
        var levels: [UInt8]
        var rows: [Int32]
        var member: [Bool]
        func row(_ a: Int, _ k: Int) -> Int32 { rows[a * steps + k] }
    }

    public func run() -> FunnelResult {
        let eval = VectorEvaluator(store: store, profile: profile)
        let n = funnel.steps.count
        // Step masks, once per event.
        var masks = [UInt32](repeating: 0, count: store.count)
        for (k, step) in funnel.steps.enumerated() {
            let bit: UInt32 = 1 << UInt32(k)
            let p = eval.predicate(step.predicate)
            masks.withUnsafeMutableBufferPointer { m in
                p.withUnsafeBufferPointer { pb in for i in 0..<pb.count where pb[i] == 1 { m[i] |= bit } }
            }
        }
        // Exclusion bits (bit x: the event matches exclusion x), only when the funnel has exclusions.
        let rules = funnel.exclusions.map { ExclusionRule(from: $0.from, to: $0.to, remove: $0.effect == .remove) }
        var exclusionMasks: [UInt32]? = nil
        if !rules.isEmpty {
            var bits = [UInt32](repeating: 0, count: store.count)
            for (x, exclusion) in funnel.exclusions.enumerated() {
                let p = eval.predicate(exclusion.predicate)
                for i in 0..<p.count where p[i] == 1 { bits[i] |= 1 << UInt32(x) }
            }
            exclusionMasks = bits
        }
        let wherePasses: [UInt8]? = funnel.eventFilter.map { eval.predicate($0) }
        var startable: [Bool]? = nil
        if let days = funnel.startDays {
            // The days are the source's days: midnight in its time zone.
            let zone = self.zone
            let lo = zone?.utc(fromLocal: days.firstLocal) ?? days.firstLocal
            let hi = zone.map { $0.utc(fromLocal: days.lastLocal + 1) - 1 } ?? days.lastLocal
            startable = store.time.map { $0 >= lo && $0 <= hi }
        }
        let userPopulation: [Bool]? = funnel.actorFilter.map {
            UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime).truth($0)
        }
        let config = funnel.match
        // The actors: users, or the values of the property that `count` names.
        var index = store.byActor
        if case .property(let p) = funnel.counting, let byProperty = store.index(byProperty: p) { index = byProperty }
        let actorCount = index.start.count - 1
        var passes = wherePasses
        var inPopulation = userPopulation
        if case .property = funnel.counting, let pop = userPopulation {
            // `for` selects users; when another thing is counted, it keeps those users' events.
            let users = store.actor.map { pop[Int($0)] ? UInt8(1) : 0 }
            passes = passes.map { p in zip(p, users).map { $0 & $1 } } ?? users
            inPopulation = nil
        }
        // Masks, filters and start flags in actor order: the per-actor loop reads them sequentially.
        let ordMasks = index.permute(masks, zero: 0)
        let ordExcluded = exclusionMasks.map { index.permute($0, zero: 0) }
        let ordPasses = passes.map { index.permute($0, zero: 0) }
        let ordStartable = startable.map { index.permute($0, zero: false) }
        // Strict funnels need every event (a non-step event breaks the chain); the others only step events.
        let keepAll = config.order == .strict
        var out = Outcomes(steps: n, levels: [UInt8](repeating: 0, count: actorCount),
                           rows: [Int32](repeating: -1, count: actorCount * n), member: [Bool](repeating: false, count: actorCount))
        let parts = max(1, min(256, actorCount / 1024 + 1))
        let time = index.time
        let order = index.order
        let hold = holdCodes(eval)
        let ordHold = hold.map { index.permute($0, zero: FunnelRunner.missingKey) }
        let split = funnel.splitKey
        let splitPeriod: TrendPeriod? = split.flatMap { if case .period(let p) = $0.attribution { return p } else { return nil } }
        let ordSplit: [UInt64]? = split.map { sp in
            let codes = splitPeriod.map { periodCodes($0) } ?? FunnelRunner.codes(eval.field(sp.field), count: store.count)
            return index.permute(codes, zero: FunnelRunner.missingKey)
        }
        let isAny = config.order == .any
        var splitGroups: [UInt64: SplitGroup] = [:]
        let conversions = funnel.counting == .conversions
        var attempts = SplitGroup()          // count conversions: one record per attempt
        var attemptOwner: [Int] = []
        let lock = NSLockLike()
        out.levels.withUnsafeMutableBufferPointer { lv in
            out.rows.withUnsafeMutableBufferPointer { rw in
                out.member.withUnsafeMutableBufferPointer { mb in
                    guard let lvp = lv.baseAddress, let rwp = rw.baseAddress, let mbp = mb.baseAddress else { return }
                    // Each part writes only its own actors' slots.
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let lo = actorCount * part / parts, hi = actorCount * (part + 1) / parts
                        let matcher = Matcher(config)
                        var ev = ActorEvents()
                        var local: [UInt64: SplitGroup] = [:]
                        var localAttempts = SplitGroup()
                        var localOwner: [Int] = []
                        if Cancellation.requested { return }
                        for a in lo..<hi {
                            if let pop = inPopulation, !pop[a] { continue }
                            ev.clear()
                            var present = false
                            for k in index.start[a]..<index.start[a + 1] {
                                if let p = ordPasses, p[k] == 0 { continue }
                                present = true
                                let m = ordMasks[k]
                                let x = ordExcluded?[k] ?? 0
                                if m == 0 && x == 0 && !keepAll { continue }
                                ev.times.append(time[k]); ev.masks.append(m); ev.rows.append(Int32(order[k]))
                                if ordExcluded != nil { ev.excluded.append(x) }
                                if let s = ordStartable { ev.starts.append(s[k]) }
                                if let h = ordHold { ev.hold.append(h[k]) }
                                if let s = ordSplit { ev.split.append(s[k]) }
                            }
                            if !present { continue }
                            mbp[a] = true
                            if ev.times.isEmpty { continue }
                            let starts = ordStartable == nil ? nil : ev.starts
                            let o = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: starts, hold: ordHold != nil, rules: rules)
                            lvp[a] = UInt8(o.level)
                            for (k, e) in o.assignment.enumerated() where e >= 0 && k < n { rwp[a * n + k] = ev.rows[e] }
                            if conversions {
                                // Each completed attempt once; the next may start only after it completed.
                                var attempt = o
                                while attempt.level > 0 {
                                    var stepRows = [Int32](repeating: -1, count: n)
                                    for (k, e) in attempt.assignment.enumerated() where e >= 0 && k < n { stepRows[k] = ev.rows[e] }
                                    localAttempts.levels.append(UInt8(attempt.level)); localAttempts.rows += stepRows; localOwner.append(a)
                                    guard attempt.level == n, let done = attempt.assignment.filter({ $0 >= 0 }).map({ ev.times[$0] }).max() else { break }
                                    let after = (0..<ev.times.count).map { (starts?[$0] ?? true) && ev.times[$0] > done }
                                    attempt = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: after, hold: ordHold != nil, rules: rules)
                                }
                            }
                            guard split != nil else { continue }
                            // The split runs: per value of X (all), or per period in which an attempt starts.
                            let count = ev.times.count
                            var keys: [UInt64]
                            if splitPeriod != nil {
                                keys = (0..<count).filter { i in (isAny ? ev.masks[i] != 0 : ev.masks[i] & 1 != 0) && (starts?[i] ?? true) }.map { ev.split[$0] }
                            } else { keys = ev.split }
                            keys = Array(Set(keys)).sorted()
                            for key in keys {
                                var subset: [Int]? = nil
                                var st = starts
                                if splitPeriod != nil {
                                    st = (0..<count).map { (starts?[$0] ?? true) && ev.split[$0] == key }
                                } else {
                                    subset = (0..<count).filter { ev.split[$0] == key }
                                }
                                let g = FunnelRunner.matchHeld(matcher, ev, subset: subset, startable: st, hold: ordHold != nil, rules: rules)
                                var group = local[key] ?? SplitGroup()
                                group.levels.append(UInt8(g.level))
                                var stepRows = [Int32](repeating: -1, count: n)
                                for (k, e) in g.assignment.enumerated() where e >= 0 && k < n { stepRows[k] = ev.rows[e] }
                                group.rows += stepRows
                                if group.sample < 0, let first = (subset ?? Array(0..<count)).first(where: { ev.split[$0] == key }) {
                                    group.sample = Int(ev.rows[first])
                                }
                                local[key] = group
                            }
                        }
                        if conversions {
                            lock.locked {
                                attempts.levels += localAttempts.levels
                                attempts.rows += localAttempts.rows
                                attemptOwner += localOwner
                            }
                        }
                        if split != nil {
                            lock.locked {
                                for (key, g) in local {
                                    var merged = splitGroups[key] ?? SplitGroup()
                                    merged.levels += g.levels
                                    merged.rows += g.rows
                                    if merged.sample < 0 { merged.sample = g.sample }
                                    splitGroups[key] = merged
                                }
                            }
                        }
                    }
                }
            }
        }
        let population = out.member.filter { $0 }.count
        if conversions {
            let records = Outcomes(steps: n, levels: attempts.levels, rows: attempts.rows, member: [Bool](repeating: true, count: attempts.levels.count))
            return summarize(records, owner: attemptOwner, population: population, masks: masks, passes: passes, startable: startable, hold: hold, eval: eval, splitGroups: splitGroups, index: index)
        }
        return summarize(out, owner: nil, population: population, masks: masks, passes: passes, startable: startable, hold: hold, eval: eval, splitGroups: splitGroups, index: index)
    }
}
