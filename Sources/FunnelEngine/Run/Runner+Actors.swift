import FunnelCore
import FunnelPlan

extension FunnelRunner {
    /// One worker's state while it matches a range of actors: the matcher, the actor's events
    /// (reused from one actor to the next), and the records of attempts and split runs.
    struct PartRun {
        let runner: FunnelRunner
        let inputs: ActorInputs
        let matcher: Matcher
        let rules: [ExclusionRule]
        let steps: Int
        var ev = ActorEvents()
        var splitGroups: [UInt64: SplitGroup] = [:]
        var attempts = SplitGroup()
        var attemptOwner: [Int] = []

        init(runner: FunnelRunner, inputs: ActorInputs) {
            self.runner = runner
            self.inputs = inputs
            self.matcher = Matcher(runner.funnel.match)
            self.rules = runner.funnel.exclusions.map { ExclusionRule(from: $0.from, to: $0.to, remove: $0.effect == .remove) }
            self.steps = runner.funnel.steps.count
        }

        var holds: Bool { inputs.hold != nil }

        /// Whether `firstStepOnly` may answer for an actor: ordered or strict funnels without
        /// exclusions, `hold`, split runs or counted attempts, where level 1 needs no matcher.
        var firstStepShortcut: Bool {
            runner.funnel.match.order != .any && rules.isEmpty && inputs.hold == nil && inputs.split == nil
                && runner.funnel.counting != .conversions
        }

        /// Most actors only ever match step 1 (they view and leave). For them the best assignment
        /// is their first startable step-1 event, and among events tied at its time the last in
        /// file order (§4: the best assignment starts latest), without gathering their events or
        /// running the matcher. Nil when the actor has an event of a later step (or none to start).
        func firstStepOnly(_ a: Int) -> Int32? {
            if let pop = inputs.inPopulation, !pop[a] { return nil }
            let index = inputs.index, masks = inputs.masks, passes = inputs.ordPasses, startable = inputs.startable
            var bestTime = Int64.min, bestRow: Int32 = -1
            for k in index.start[a]..<index.start[a + 1] {
                if let p = passes, p[k] == 0 { continue }
                let m = masks[k]
                if m > 1 { return nil }
                guard m == 1, startable?[k] ?? true else { continue }
                let t = index.time[k]
                if bestRow < 0 || t == bestTime { bestTime = t; bestRow = Int32(index.order[k]) }
            }
            return bestRow >= 0 ? bestRow : nil
        }

        /// Actor a's outcome; nil when the actor is outside `for` or has no event that passes `where`.
        mutating func match(_ a: Int) -> MatchOutcome? {
            if let pop = inputs.inPopulation, !pop[a] { return nil }
            guard inputs.gather(a, into: &ev) else { return nil }
            if ev.times.isEmpty { return MatchOutcome(level: 0, assignment: []) }
            let starts = inputs.startable == nil ? nil : ev.starts
            let o = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: starts, hold: holds, rules: rules)
            if runner.funnel.counting == .conversions { recordAttempts(of: a, from: o, startable: starts) }
            // Attempts are bucketed by their own start (`attemptTrendGroups`): no separate runs.
            if runner.funnel.splitKey != nil && runner.funnel.counting != .conversions { recordSplitRuns(startable: starts) }
            return o
        }

        func stepRows(_ o: MatchOutcome) -> [Int32] {
            var rows = [Int32](repeating: -1, count: steps)
            for (k, e) in o.assignment.enumerated() where e >= 0 && k < steps { rows[k] = ev.rows[e] }
            return rows
        }

        /// `count conversions`: each completed attempt once; the next may start only after it completed.
        mutating func recordAttempts(of a: Int, from first: MatchOutcome, startable: [Bool]?) {
            var attempt = first
            while attempt.level > 0 {
                attempts.levels.append(UInt8(attempt.level)); attempts.rows += stepRows(attempt); attemptOwner.append(a)
                guard attempt.level == steps, let done = attempt.assignment.filter({ $0 >= 0 }).map({ ev.times[$0] }).max() else { break }
                let after = (0..<ev.times.count).map { (startable?[$0] ?? true) && ev.times[$0] > done }
                attempt = FunnelRunner.matchHeld(matcher, ev, subset: nil, startable: after, hold: holds, rules: rules)
            }
        }

        /// The split runs: per value of X (`by X all`), or per period in which an attempt starts (trends).
        mutating func recordSplitRuns(startable: [Bool]?) {
            let count = ev.times.count
            let byPeriod = runner.splitPeriod != nil
            let isAny = runner.funnel.match.order == .any
            var keys: [UInt64]
            if byPeriod {
                keys = (0..<count).filter { i in (isAny ? ev.masks[i] != 0 : ev.masks[i] & 1 != 0) && (startable?[i] ?? true) }.map { ev.split[$0] }
            } else { keys = ev.split }
            for key in Array(Set(keys)).sorted() {
                var subset: [Int]? = nil
                var st = startable
                if byPeriod { st = (0..<count).map { (startable?[$0] ?? true) && ev.split[$0] == key } }
                else { subset = (0..<count).filter { ev.split[$0] == key } }
                let g = FunnelRunner.matchHeld(matcher, ev, subset: subset, startable: st, hold: holds, rules: rules)
                var group = splitGroups[key] ?? SplitGroup()
                group.levels.append(UInt8(g.level))
                group.rows += stepRows(g)
                let touch = (0..<count).first { i in
                    ev.split[i] == key && (isAny ? ev.masks[i] != 0 : ev.masks[i] & 1 != 0) && (startable?[i] ?? true)
                        && (!holds || ev.hold[i] != FunnelRunner.missingKey)
                }
                group.touch.append(touch.map { ev.rows[$0] } ?? -1)
                if group.sample < 0, let first = (subset ?? Array(0..<count)).first(where: { ev.split[$0] == key }) {
                    group.sample = Int(ev.rows[first])
                }
                splitGroups[key] = group
            }
        }
    }
}
