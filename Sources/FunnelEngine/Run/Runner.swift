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
    /// At most this many breakdown groups are reported (0: no cap); see `capGroups`.
    public var maxGroups: Int
    /// The query stops (as on Ctrl-C) once this monotonic time has passed (the REPL's `:timeout`).
    public var deadline: Int64? = nil
    /// The KPIs' user values per user (`kpiUserNumbers`), set at the start of `run()`.
    var kpiUserNumbers: [UserExpr: [Double]] = [:]

    public static let defaultMaxGroups = 1000

    public init(funnel: PlannedFunnel, store: EventStore, profile: ProfileTable?, asOf: Int64? = nil, maxGroups: Int = defaultMaxGroups) {
        self.funnel = funnel; self.store = store; self.profile = profile; self.asOf = asOf; self.maxGroups = maxGroups
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
        /// Per record, its first touch within the run (the first event that may start an attempt
        /// among the run's events), for the breakdown's other keys; -1 when none.
        var touch: [Int32] = []
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

    /// Runs the funnel: the event columns (masks and filters), then every actor, then the figures.
    public func run() -> FunnelResult {
        let eval = VectorEvaluator(store: store, profile: profile)
        var prepared = self
        prepared.kpiUserNumbers = userNumbersForKPIs(eval)
        return prepared.run(eval)
    }

    func run(_ eval: VectorEvaluator) -> FunnelResult {
        let columns = eventColumns(eval)
        let actors = actorInputs(columns, eval)
        let matched = matchActors(actors)
        let population = matched.outcomes.member.filter { $0 }.count
        var result = figures(columns, actors, matched, population: population, eval: eval)
        result.notes = silentSteps(columns) + result.notes
        return result
    }

    /// The user values the KPIs average (`avg(purchase.user.ltv)`), per user, once per run.
    func userNumbersForKPIs(_ eval: VectorEvaluator) -> [UserExpr: [Double]] {
        var exprs: [UserExpr] = []
        let read = funnel.kpis.flatMap(\.expr.userValues) + funnel.expects.flatMap { $0.condition.userValues + $0.actual.userValues }
        for e in read where !exprs.contains(e) { exprs.append(e) }
        guard !exprs.isEmpty else { return [:] }
        let users = UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime)
        return Dictionary(uniqueKeysWithValues: exprs.map { e in
            (e, users.values(e).map { v -> Double in if case .number(let x) = v { return x }; return .nan })
        })
    }

    /// A step no event matches makes every later row 0; say which, and whether `where` is the reason.
    func silentSteps(_ c: EventColumns) -> [String] {
        funnel.steps.enumerated().compactMap { k, step in
            let bit: UInt32 = 1 << UInt32(k)
            var any = false, passing = false
            for i in 0..<c.masks.count where c.masks[i] & bit != 0 {
                any = true
                if c.passes?[i] ?? 1 == 1 { passing = true; break }
            }
            if passing { return nil }
            return any ? "step \(step.name) matches no event that passes `where` (it matches events that `where` filters out)"
                       : "step \(step.name) matches no event in the data"
        }
    }

    func figures(_ columns: EventColumns, _ actors: ActorInputs, _ matched: Matched, population: Int, eval: VectorEvaluator) -> FunnelResult {
        if funnel.counting == .conversions {
            let a = matched.attempts
            let records = Outcomes(steps: funnel.steps.count, levels: a.levels, rows: a.rows, member: [Bool](repeating: true, count: a.levels.count))
            return summarize(records, owner: matched.attemptOwner, population: population, masks: columns.masks, passes: actors.passes,
                             startable: columns.startable, hold: columns.hold, eval: eval, splitGroups: matched.splitGroups, index: actors.index)
        }
        return summarize(matched.outcomes, owner: nil, population: population, masks: columns.masks, passes: actors.passes,
                         startable: columns.startable, hold: columns.hold, eval: eval, splitGroups: matched.splitGroups, index: actors.index)
    }

    // MARK: phase 1: per event, in file order

    /// What the predicates say about each event (file order).
    struct EventColumns {
        /// Bit k: the event matches step k.
        var masks: [UInt32]
        /// Bit x: the event matches exclusion x (nil without exclusions).
        var excluded: [UInt32]?
        /// `where`: 1 when the event exists for this funnel (nil: every event).
        var passes: [UInt8]?
        /// `dates`: whether a step-1 event may start an attempt (nil: every one).
        var startable: [Bool]?
        /// `hold`: the held values' code (nil without hold).
        var hold: [UInt64]?
        /// `for`: per user, whether they are counted (nil: everyone).
        var population: [Bool]?
    }

    func eventColumns(_ eval: VectorEvaluator) -> EventColumns {
        EventColumns(masks: bits(funnel.steps.map(\.predicate), eval), excluded: funnel.exclusions.isEmpty ? nil : bits(funnel.exclusions.map(\.predicate), eval),
                     passes: funnel.eventFilter.map { eval.predicate($0) }, startable: startDays(),
                     hold: holdCodes(eval), population: funnel.actorFilter.map {
                         UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime).truth($0)
                     })
    }

    /// Bit k set where predicate k holds, once per event.
    func bits(_ predicates: [EventExpr], _ eval: VectorEvaluator) -> [UInt32] {
        var masks = [UInt32](repeating: 0, count: store.count)
        for (k, predicate) in predicates.enumerated() {
            let bit: UInt32 = 1 << UInt32(k)
            let p = eval.predicate(predicate)
            masks.withUnsafeMutableBufferPointer { m in
                p.withUnsafeBufferPointer { pb in for i in 0..<pb.count where pb[i] == 1 { m[i] |= bit } }
            }
        }
        return masks
    }

    /// `dates A to B`: the days are the source's days, midnight to midnight in its time zone.
    func startDays() -> [Bool]? {
        guard let days = funnel.startDays else { return nil }
        let zone = self.zone
        // The as-of day: the local day of --as-of, else of the latest event.
        let now = asOf ?? store.maxTime
        let local = now + (zone?.offset(atUTC: now) ?? 0)
        let (firstLocal, lastLocal) = days.bounds(asOfDay: DayBound.dayStart(local))
        let lo = zone?.utc(fromLocal: firstLocal) ?? firstLocal
        let hi = zone.map { $0.utc(fromLocal: lastLocal + 1) - 1 } ?? lastLocal
        return store.time.map { $0 >= lo && $0 <= hi }
    }

    // MARK: phase 2: per actor, in actor order

    /// The columns in actor order (the per-actor loop reads them sequentially), and who the actors are.
    struct ActorInputs {
        /// Users, or the values of the property that `count` names.
        let index: ActorIndex
        let masks: [UInt32]
        let excluded: [UInt32]?
        let passes: [UInt8]?
        let ordPasses: [UInt8]?
        let startable: [Bool]?
        let hold: [UInt64]?
        let split: [UInt64]?
        let inPopulation: [Bool]?
        /// Strict funnels need every event (a non-step event breaks the chain); the others only step and excluded events.
        let keepAll: Bool
        var actorCount: Int { index.start.count - 1 }

        /// Actor a's events as the matcher sees them; false when none passes `where`.
        func gather(_ a: Int, into ev: inout ActorEvents) -> Bool {
            ev.clear()
            var present = false
            let time = index.time, order = index.order
            for k in index.start[a]..<index.start[a + 1] {
                if let p = ordPasses, p[k] == 0 { continue }
                present = true
                let m = masks[k]
                let x = excluded?[k] ?? 0
                if m == 0 && x == 0 && !keepAll { continue }
                ev.times.append(time[k]); ev.masks.append(m); ev.rows.append(Int32(order[k]))
                if excluded != nil { ev.excluded.append(x) }
                if let s = startable { ev.starts.append(s[k]) }
                if let h = hold { ev.hold.append(h[k]) }
                if let s = split { ev.split.append(s[k]) }
            }
            return present
        }
    }

    func actorInputs(_ c: EventColumns, _ eval: VectorEvaluator) -> ActorInputs {
        var index = store.byActor
        if case .property(let p) = funnel.counting, let byProperty = store.index(byProperty: p) { index = byProperty }
        var passes = c.passes
        var inPopulation = c.population
        if case .property = funnel.counting, let pop = c.population {
            // `for` selects users; when another thing is counted, it keeps those users' events.
            let users = store.actor.map { pop[Int($0)] ? UInt8(1) : 0 }
            passes = passes.map { p in zip(p, users).map { $0 & $1 } } ?? users
            inPopulation = nil
        }
        let split = funnel.splitKey.map { sp in
            splitPeriod.map { periodCodes($0) } ?? FunnelRunner.codes(eval.field(sp.field), count: store.count)
        }
        return ActorInputs(index: index, masks: index.permute(c.masks, zero: 0), excluded: c.excluded.map { index.permute($0, zero: 0) },
                           passes: passes, ordPasses: passes.map { index.permute($0, zero: 0) },
                           startable: c.startable.map { index.permute($0, zero: false) },
                           hold: c.hold.map { index.permute($0, zero: FunnelRunner.missingKey) },
                           split: split.map { index.permute($0, zero: FunnelRunner.missingKey) },
                           inPopulation: inPopulation, keepAll: funnel.match.order == .strict)
    }

    /// The trend period of a `by day|week|month` breakdown.
    var splitPeriod: TrendPeriod? {
        if case .period(let p)? = funnel.splitKey?.attribution { return p }
        return nil
    }

    /// What matching every actor produced.
    struct Matched {
        var outcomes: Outcomes
        /// `by X all` and trends: per group code, one record per (actor, group).
        var splitGroups: [UInt64: SplitGroup] = [:]
        /// `count conversions`: one record per attempt, and whose attempt it is.
        var attempts = SplitGroup()
        var attemptOwner: [Int] = []
    }

    /// Matches every actor, actors split across cores; each part writes only its own actors' slots.
    func matchActors(_ inputs: ActorInputs) -> Matched {
        let n = funnel.steps.count, actorCount = inputs.actorCount
        var matched = Matched(outcomes: Outcomes(steps: n, levels: [UInt8](repeating: 0, count: actorCount),
                                                 rows: [Int32](repeating: -1, count: actorCount * n),
                                                 member: [Bool](repeating: false, count: actorCount)))
        let parts = max(1, min(256, actorCount / 1024 + 1))
        let lock = NSLockLike()
        var splitGroups: [UInt64: SplitGroup] = [:]
        var attempts = SplitGroup()
        var attemptOwner: [Int] = []
        matched.outcomes.levels.withUnsafeMutableBufferPointer { lv in
            matched.outcomes.rows.withUnsafeMutableBufferPointer { rw in
                matched.outcomes.member.withUnsafeMutableBufferPointer { mb in
                    guard let lvp = lv.baseAddress, let rwp = rw.baseAddress, let mbp = mb.baseAddress else { return }
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        if Cancellation.shouldStop(deadline: deadline) { return }
                        var work = PartRun(runner: self, inputs: inputs)
                        let shortcut = work.firstStepShortcut
                        for a in (actorCount * part / parts)..<(actorCount * (part + 1) / parts) {
                            // Most actors only view: level 1 at a known event, without the matcher.
                            if shortcut, let row = work.firstStepOnly(a) {
                                mbp[a] = true
                                lvp[a] = 1
                                rwp[a * n] = row
                                continue
                            }
                            guard let o = work.match(a) else { continue }
                            mbp[a] = true
                            lvp[a] = UInt8(o.level)
                            for (k, e) in o.assignment.enumerated() where e >= 0 && k < n { rwp[a * n + k] = work.ev.rows[e] }
                        }
                        lock.locked {
                            attempts.levels += work.attempts.levels
                            attempts.rows += work.attempts.rows
                            attemptOwner += work.attemptOwner
                            for (key, g) in work.splitGroups {
                                var merged = splitGroups[key] ?? SplitGroup()
                                merged.levels += g.levels
                                merged.rows += g.rows
                                merged.touch += g.touch
                                if merged.sample < 0 { merged.sample = g.sample }
                                splitGroups[key] = merged
                            }
                        }
                    }
                }
            }
        }
        matched.splitGroups = splitGroups
        matched.attempts = attempts
        matched.attemptOwner = attemptOwner
        return matched
    }
}
