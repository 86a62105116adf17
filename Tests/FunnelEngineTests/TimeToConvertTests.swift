import FunnelCore
@testable import FunnelEngine
import Testing

/// Issue 10, item 5: time to convert — mean, median, p90 and a histogram per step and from the
/// first to the last step, from the best assignment.
struct TimeToConvertTests {
    static let t = Harness.t

    @Test func histogramBucketsComeFromTheLadderTrimmedToTheRange() throws {
        let h = try #require(Histogram.of([30, 59, 60, 3599, 3600, 86_400 * 3]))
        // 30 s falls in [30, 60); the largest value, 3 days, in [3d, 7d).
        #expect(h.edges.first == 30 && h.edges.last == 604_800)
        #expect(h.edges == [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 259200, 604800])
        #expect(h.counts == [2, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1])
        #expect(h.counts.reduce(0, +) == 6)
        // Zero, one value, and beyond a year.
        #expect(Histogram.of([0])?.edges == [0, 1] && Histogram.of([0])?.counts == [1])
        #expect(Histogram.of([7200])?.edges == [7200, 10800])
        let long = try #require(Histogram.of([40_000_000]))
        #expect(long.edges == [31_536_000, 63_072_000] && long.counts == [1])
        #expect(Histogram.of([]) == nil)
    }

    @Test func meanMedianAndP90FromFirstToLastStepOfTheBestAssignment() throws {
        // u1: view 0, cart 60, buy 600; u2: view 0, view 100, cart 160, buy 400 (best assignment starts at 100);
        // u3 stops at cart. First to last: 600 s and 300 s.
        let rows = ["u1,\(Self.t(0)),view", "u1,\(Self.t(60)),cart", "u1,\(Self.t(600)),buy",
                    "u2,\(Self.t(0)),view", "u2,\(Self.t(100)),view", "u2,\(Self.t(160)),cart", "u2,\(Self.t(400)),buy",
                    "u3,\(Self.t(0)),view", "u3,\(Self.t(30)),cart"]
        let r = try #require(Harness.run("funnel f { step v = \"view\"  step c = \"cart\"  step b = \"buy\" }", rows: rows).results.first)
        let ttc = try #require(r.timeToConvert)
        #expect(ttc.users == 2)
        #expect(ttc.meanSeconds == 450 && ttc.medianSeconds == 450)
        #expect(ttc.p90Seconds == 570)   // 300 + 0.9 × (600 − 300)
        #expect(ttc.histogram?.edges == [300, 600, 900] && ttc.histogram?.counts == [1, 1])
        // Per step from the previous: cart 60, 60, 30 → mean 50; buy 540 and 240 → mean 390.
        #expect(r.steps[1].meanSecondsFromPrevious == 50)
        #expect(r.steps[2].meanSecondsFromPrevious == 390)
        #expect(r.steps[2].histogramFromPrevious?.counts.reduce(0, +) == 2)
        #expect(r.steps[0].meanSecondsFromPrevious == nil && r.steps[0].histogramFromPrevious == nil)
    }

    @Test func anyOrderMeasuresFromTheFirstToTheLastMatchedEvent() throws {
        let rows = ["u1,\(Self.t(0)),buy", "u1,\(Self.t(90)),view", "u2,\(Self.t(0)),view"]
        let r = try #require(Harness.run("funnel f { order any  step v = \"view\"  step b = \"buy\" }", rows: rows).results.first)
        #expect(r.timeToConvert?.users == 1 && r.timeToConvert?.medianSeconds == 90)
    }

    @Test func groupsHaveTheirOwnTimeToConvert() throws {
        let rows = ["u1,\(Self.t(0)),view,a", "u1,\(Self.t(60)),buy,a", "u2,\(Self.t(0)),view,b", "u2,\(Self.t(600)),buy,b"]
        let r = try #require(Harness.run("funnel f { step v = \"view\"  step b = \"buy\"  by device }", rows: rows, extraColumns: ["device"]).results.first)
        func median(_ device: String) -> Double? { r.groups.first { $0.key[0].value == .string(device) }?.timeToConvert?.medianSeconds }
        #expect(median("a") == 60 && median("b") == 600)
        // One-step funnels have none.
        #expect(Harness.run("funnel g { step v = \"view\" }", rows: rows, extraColumns: ["device"]).results.first?.timeToConvert == nil)
    }
}

/// Issue 10, item 7: where drop-off is highest — the largest share lost from the step before;
/// ties go to the earlier step.
struct BiggestDropTests {
    static func stats(_ users: [Int]) -> [StepStats] {
        users.enumerated().map { k, n in
            let prev = k == 0 ? n : users[k - 1]
            return StepStats(name: "s\(k)", users: n, fromStart: nil, fromPrevious: nil, dropped: k == 0 ? 0 : prev - n,
                             droppedShare: k == 0 ? 0 : (prev > 0 ? Double(prev - n) / Double(prev) : nil),
                             medianSecondsFromPrevious: nil, p90SecondsFromPrevious: nil)
        }
    }

    @Test func theLargestShareWinsNotTheLargestCount() {
        // s1 loses 500 of 1000 (50%), s2 loses 300 of 500 (60%).
        #expect(BiggestDrop.of(Self.stats([1000, 500, 200])) == BiggestDrop(step: "s2", dropped: 300, share: 0.6))
        // A tie goes to the earlier step; a step after an empty one has no share.
        #expect(BiggestDrop.of(Self.stats([100, 50, 25]))?.step == "s1")
        #expect(BiggestDrop.of(Self.stats([10, 0, 0]))?.step == "s1")
        #expect(BiggestDrop.of(Self.stats([10])) == nil)
    }
}
