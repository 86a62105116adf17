import FunnelCore
import FunnelEngine
import Testing

/// Exclusions through the whole pipeline (a .funnel file and a CSV), one rule each, as
/// language.md §4 words them. Times are seconds; the window is 100 s unless a test says otherwise.
struct ExclusionRuleTests {
    func t(_ s: Int) -> String { Harness.t(s) }
    let abc = "step a = \"a\"  step b = \"b\"  step c = \"c\""

    func counts(_ clauses: String, _ events: [String], window: String = "100s", user: String = "u") -> [Int] {
        let rows = events.map { e -> String in
            let parts = e.split(separator: "@")
            return "\(user),\(t(Int(parts[1]) ?? 0)),\(parts[0])"
        }
        return Harness.counts("funnel f { window \(window)  \(clauses) }", rows)
    }

    @Test func stopCountsUpToA() {
        // x between a and c hits: the actor counts at a only (steps through A).
        #expect(counts("\(abc)  exclude \"x\" between a and c", ["a@0", "x@1", "b@2", "c@3"]) == [1, 0, 0])
        // Between b and c: a and b still count.
        #expect(counts("\(abc)  exclude \"x\" between b and c", ["a@0", "b@1", "x@2", "c@3"]) == [1, 1, 0])
        // x before A or after B does not hit.
        #expect(counts("\(abc)  exclude \"x\" between b and c", ["a@0", "x@1", "b@2", "c@3", "x@4"]) == [1, 1, 1])
        // Without `between`: from step 1 to the last step.
        #expect(counts("\(abc)  exclude \"x\"", ["a@0", "b@1", "x@2", "c@3"]) == [1, 0, 0])
    }

    @Test func removeRemovesTheActorFromEveryStep() {
        #expect(counts("\(abc)  exclude \"x\" between b and c remove", ["a@0", "b@1", "x@2", "c@3"]) == [0, 0, 0])
        // A clean assignment reaching the same level keeps them: the second attempt has no x between b and c.
        #expect(counts("\(abc)  exclude \"x\" between b and c remove", ["a@0", "b@1", "x@2", "c@3", "a@10", "b@11", "c@12"]) == [1, 1, 1])
        // A clean assignment at a lower level does not: the furthest level decides.
        #expect(counts("\(abc)  exclude \"x\" between b and c remove", ["a@0", "b@1", "x@2", "c@3", "a@10"]) == [0, 0, 0])
    }

    @Test func anotherAssignmentCanAvoidTheHit() {
        // b@1 is hit (x@2 lies before c), but b@3 after x leaves the interval clean.
        #expect(counts("\(abc)  exclude \"x\" between b and c", ["a@0", "b@1", "x@2", "b@3", "c@4"]) == [1, 1, 1])
    }

    @Test func anOpenAttemptIsHitInsideTheWindowInclusive() {
        let f = "step a = \"a\"  step b = \"b\"  step c = \"c\"  exclude \"x\" between a and c remove"
        // c is never reached: the attempt is open until a@0 + 10 s, inclusive.
        #expect(counts(f, ["a@0", "b@1", "x@10"], window: "10s") == [0, 0, 0])
        #expect(counts(f, ["a@0", "b@1", "x@11"], window: "10s") == [1, 1, 0])
    }

    @Test func strictChainBreakClosesTheOpenAttempt() {
        let f = "order strict  step a = \"a\"  step b = \"b\"  step c = \"c\"  exclude \"x\" between a and c remove"
        // z breaks the chain at 2; an x after that no longer lies in the open attempt.
        #expect(counts(f, ["a@0", "b@1", "z@2", "x@3"]) == [1, 1, 0])
        // In an ordered funnel the attempt stays open: removed.
        let ordered = "step a = \"a\"  step b = \"b\"  step c = \"c\"  exclude \"x\" between a and c remove"
        #expect(counts(ordered, ["a@0", "b@1", "z@2", "x@3"]) == [0, 0, 0])
    }

    @Test func tiesWithAOrBDoNotHitTiesWithOtherStepsDo() {
        // x in the same second as A's (b) or B's (c) own event: not strictly between.
        #expect(counts("\(abc)  exclude \"x\" between b and c", ["a@0", "b@1", "x@1", "c@2"]) == [1, 1, 1])
        #expect(counts("\(abc)  exclude \"x\" between b and c", ["a@0", "b@1", "x@2", "c@2"]) == [1, 1, 1])
        // Tied with the middle step's event (b), between a and c: a hit.
        #expect(counts("\(abc)  exclude \"x\" between a and c", ["a@0", "b@1", "x@1", "c@2"]) == [1, 0, 0])
    }

    @Test func severalExclusionsAndTheEarliestCutWins() {
        let f = "\(abc)  exclude \"x\" between a and c  exclude \"y\" between b and c"
        #expect(counts(f, ["a@0", "b@1", "y@2", "c@3"]) == [1, 1, 0])
        #expect(counts(f, ["a@0", "x@1", "b@2", "y@3", "c@4"]) == [1, 0, 0])
    }

    @Test func exclusionsWithHoldHitWhateverTheirValue() {
        let f = "funnel f { step a = \"a\"  step b = \"b\"  hold acct  exclude \"x\" remove }"
        let rows = ["u,\(t(0)),a,k1", "u,\(t(1)),x,k2", "u,\(t(2)),b,k1"]
        #expect(Harness.counts(f, rows, extra: ["acct"]) == [0, 0])
    }

    @Test func exclusionsWithBreakdownsAndCounting() {
        // Two users; u1 is removed, u2 converts. The breakdown and the count see only u2.
        let f = "funnel f { step a = \"a\"  step b = \"b\"  exclude \"x\" remove  by device }"
        let rows = ["u1,\(t(0)),a,mobile", "u1,\(t(1)),x,mobile", "u1,\(t(2)),b,mobile", "u2,\(t(0)),a,desktop", "u2,\(t(5)),b,desktop"]
        let r = Harness.run(f, rows: rows, extraColumns: ["device"]).results.first
        #expect(r?.steps.map(\.users) == [1, 1])
        #expect(r?.groups.map { $0.key[0].value } == [.string("desktop")])
        #expect(r?.population == 2)
    }

    // MARK: order any: an exclusion covers the whole attempt

    let anyABC = "order any  step a = \"a\"  step b = \"b\"  step c = \"c\""

    @Test func anyOrderStopCountsTheDistinctStepsMatchedBeforeTheFirstHit() {
        // b and a come before x: two distinct steps, whatever their order.
        #expect(counts("\(anyABC)  exclude \"x\"", ["b@0", "a@1", "x@2", "c@3"]) == [1, 1, 0])
        // A repeated step counts once.
        #expect(counts("\(anyABC)  exclude \"x\"", ["a@0", "a@1", "x@2", "b@3"]) == [1, 0, 0])
        // x before the attempt, or tied with its last event, does not hit a complete attempt.
        #expect(counts("\(anyABC)  exclude \"x\"", ["x@0", "c@1", "a@2", "b@3"]) == [1, 1, 1])
        #expect(counts("\(anyABC)  exclude \"x\"", ["c@0", "a@1", "b@2", "x@2"]) == [1, 1, 1])
        // Several exclusions: the earliest hit cuts.
        #expect(counts("\(anyABC)  exclude \"x\"  exclude \"y\"", ["a@0", "y@1", "b@2", "x@3", "c@4"]) == [1, 0, 0])
        // A later attempt that starts after the hit keeps its steps.
        #expect(counts("\(anyABC)  exclude \"x\"", ["c@0", "x@1", "a@2", "b@3"]) == [1, 1, 0])
    }

    @Test func anyOrderRemoveVoidsTheHitAttempts() {
        #expect(counts("\(anyABC)  exclude \"x\" remove", ["b@0", "x@1", "a@2", "c@3"]) == [0, 0, 0])
        // A clean attempt at the same level keeps the actor.
        #expect(counts("\(anyABC)  exclude \"x\" remove", ["b@0", "x@1", "a@2", "c@3", "c@200", "b@201", "a@202"]) == [1, 1, 1])
        // One at a lower level does not: the furthest level decides.
        #expect(counts("\(anyABC)  exclude \"x\" remove", ["b@0", "x@1", "a@2", "c@3", "a@200"]) == [0, 0, 0])
    }

    @Test func anyOrderIncompleteAttemptIsHitInsideTheWindowInclusive() {
        let remove = "\(anyABC)  exclude \"x\" remove"
        // c is never reached: the attempt is open until its first event + 10 s, inclusive.
        #expect(counts(remove, ["b@0", "a@1", "x@10"], window: "10s") == [0, 0, 0])
        #expect(counts(remove, ["b@0", "a@1", "x@11"], window: "10s") == [1, 1, 0])
        // `stop`: only the steps matched strictly before the hit count; one tied with it does not.
        #expect(counts("\(anyABC)  exclude \"x\"", ["b@0", "x@5", "a@5"], window: "10s") == [1, 0, 0])
        #expect(counts("\(anyABC)  exclude \"x\"", ["b@0", "a@1", "x@5"], window: "10s") == [1, 1, 0])
        // The same events complete a two-step funnel: then x tied with the last event lies outside.
        #expect(counts("order any  step a = \"a\"  step b = \"b\"  exclude \"x\"", ["b@0", "x@5", "a@5"], window: "10s") == [1, 1])
    }

    @Test func anyOrderExclusionsWithHoldAndBetween() {
        // Exclusions ignore `hold`: x of another value still hits.
        let f = "funnel f { order any  step a = \"a\"  step b = \"b\"  hold acct  exclude \"x\" remove }"
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(1)),x,k2", "u,\(t(2)),a,k1"], extra: ["acct"]) == [0, 0])
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(1)),x,k2", "u,\(t(2)),a,k1", "u,\(t(3)),a,k2", "u,\(t(4)),b,k2"],
                               extra: ["acct"]) == [1, 1])
        // `between` does not apply in `order any` (E233); exclusions themselves run.
        let d = Harness.run("funnel f { \(anyABC)  exclude \"x\" between a and c }", rows: ["u,\(t(0)),a"]).diagnostics
        #expect(d.filter { $0.severity == .error }.map(\.code.rawValue) == ["E233"])
    }

    @Test func exclusionsWithTrendsAndCountingConversions() {
        // Two attempts on two days; the first is removed by x, the second is clean.
        let day = 86_400
        let rows = ["u,\(t(0)),a", "u,\(t(1)),x", "u,\(t(2)),b", "u,\(t(day)),a", "u,\(t(day + 5)),b"]
        // count conversions: each completed attempt once. `stop` cuts the first attempt at a, so only the
        // second completes (without the exclusion both do).
        let conversions = Harness.run("funnel f { window 1h  step a = \"a\"  step b = \"b\"  exclude \"x\"  count conversions }", rows: rows).results.first
        #expect(conversions?.steps.map(\.users) == [1, 1])
        let plain = Harness.run("funnel f { window 1h  step a = \"a\"  step b = \"b\"  count conversions }", rows: rows).results.first
        #expect(plain?.steps.map(\.users) == [2, 2])
        // by day: the first day's attempt is cut at a, the second day's converts.
        let trend = Harness.run("funnel f { window 1h  step a = \"a\"  step b = \"b\"  exclude \"x\"  by day }", rows: rows).results.first
        #expect(trend?.groups.map { $0.steps.map(\.users) } == [[1, 0], [1, 1]])
        // within: the clean attempt must also meet its step's `within`.
        #expect(Harness.counts("funnel f { window 2d  step a = \"a\"  step b = \"b\" within 3s  exclude \"x\" remove }", rows) == [0, 0])
        #expect(Harness.counts("funnel f { window 2d  step a = \"a\"  step b = \"b\" within 10s  exclude \"x\" remove }", rows) == [1, 1])
    }
}
