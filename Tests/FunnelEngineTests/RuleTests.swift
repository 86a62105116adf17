import FunnelDriver
import FunnelCore
import FunnelEngine
import FunnelPlan
import Testing

/// One test per matching rule of language.md §4; each would fail if the rule changed.
struct RuleTests {
    let three = "funnel f { window 1h  step view = \"view\"  step cart = \"cart\"  step buy = \"buy\" }"
    func t(_ s: Int) -> String { Harness.t(s) }

    @Test func windowIsInclusiveAtExactlyTheLimit() {
        #expect(Harness.counts(three, ["u,\(t(0)),view", "u,\(t(60)),cart", "u,\(t(3600)),buy"]) == [1, 1, 1])
        #expect(Harness.counts(three, ["u,\(t(0)),view", "u,\(t(60)),cart", "u,\(t(3601)),buy"]) == [1, 1, 0])
    }

    @Test func windowIsMeasuredFromStepOneNotFromThePreviousStep() {
        #expect(Harness.counts(three, ["u,\(t(0)),view", "u,\(t(3000)),cart", "u,\(t(4000)),buy"]) == [1, 1, 0])
    }

    @Test func windowNoneIsUnbounded() {
        let f = "funnel f { window none  step a = \"view\"  step b = \"buy\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(86400 * 400)),buy"]) == [1, 1])
    }

    @Test func defaultWindowIsFourteenDays() {
        let f = "funnel f { step a = \"view\"  step b = \"buy\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(14 * 86400)),buy"]) == [1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(14 * 86400 + 1)),buy"]) == [1, 0])
    }

    @Test func tiesNeverBreakAConversionByDefault() {
        // The cart comes first in the file but shares the view's timestamp.
        #expect(Harness.counts(three, ["u,\(t(0)),cart", "u,\(t(0)),view", "u,\(t(5)),buy"]) == [1, 1, 1])
    }

    @Test func tiesStrictRequiresStrictlyLaterSteps() {
        let f = "funnel f { window 1h  ties strict  step view = \"view\"  step cart = \"cart\"  step buy = \"buy\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),cart", "u,\(t(0)),view", "u,\(t(5)),buy"]) == [1, 0, 0])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),cart", "u,\(t(5)),buy"]) == [1, 1, 1])
    }

    @Test func oneEventNeverFillsTwoSteps() {
        let f = "funnel f { step a = \"view\"  step b = \"view\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view"]) == [1, 0])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(0)),view"]) == [1, 1])
    }

    @Test func orderedAllowsOtherEventsBetweenSteps() {
        #expect(Harness.counts(three, ["u,\(t(0)),view", "u,\(t(1)),other", "u,\(t(2)),cart", "u,\(t(3)),other", "u,\(t(4)),buy"]) == [1, 1, 1])
    }

    @Test func strictBreaksOnAnyOtherEventBetweenSteps() {
        let f = "funnel f { window 1h  order strict  step view = \"view\"  step cart = \"cart\"  step buy = \"buy\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),other", "u,\(t(2)),cart"]) == [1, 0, 0])
    }

    @Test func strictKeepsTheChainOnARepeatOfTheStepJustReached() {
        let f = "funnel f { window 1h  order strict  step view = \"view\"  step cart = \"cart\"  step buy = \"buy\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),view", "u,\(t(2)),cart", "u,\(t(3)),cart", "u,\(t(4)),buy"]) == [1, 1, 1])
    }

    @Test func strictIgnoresEventsTiedWithAMatchedStep() {
        let f = "funnel f { window 1h  order strict  step view = \"view\"  step cart = \"cart\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(0)),other", "u,\(t(5)),cart"]) == [1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(5)),other", "u,\(t(5)),cart"]) == [1, 1])
    }

    @Test func whereRemovesEventsBeforeStrictMatching() {
        let f = "funnel f { window 1h  order strict  step view = \"view\"  step cart = \"cart\"  where event != \"ping\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),ping", "u,\(t(2)),cart"]) == [1, 1])
    }

    @Test func anyOrderCountsDistinctStepsInsideTheWindow() {
        let f = "funnel f { window 1h  order any  step a = \"a\"  step b = \"b\"  step c = \"c\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),c", "u,\(t(10)),a", "u,\(t(20)),b"]) == [1, 1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),c", "u,\(t(10)),a", "u,\(t(3601)),b"]) == [1, 1, 0])
        let r = Harness.run(f, rows: ["u,\(t(0)),c"]).results.first
        #expect(r?.steps.map(\.name) == ["completed 1 step", "completed 2 steps", "completed 3 steps"])
    }

    @Test func levelIsTheFurthestStepOverAllAttempts() {
        // The first attempt stalls at cart; a later one goes all the way.
        #expect(Harness.counts(three, ["u,\(t(0)),view", "u,\(t(10)),cart", "u,\(t(7200)),view", "u,\(t(7210)),cart", "u,\(t(7220)),buy"]) == [1, 1, 1])
    }

    @Test func withinIsNotAGreedyGuess() {
        // Greedy would take the first cart and then miss buy (more than 60 s later).
        let f = "funnel f { window 1h  step view = \"view\"  step cart = \"cart\"  step buy = \"buy\" within 60s }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),cart", "u,\(t(100)),cart", "u,\(t(150)),buy"]) == [1, 1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),cart", "u,\(t(150)),buy"]) == [1, 1, 0])
    }

    @Test func withinIsInclusive() {
        let f = "funnel f { step view = \"view\"  step cart = \"cart\" within 30s }"
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(30)),cart"]) == [1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(31)),cart"]) == [1, 0])
    }

    @Test func oneStepFunnelsCountReach() {
        // Who searched at least once (issue 7 item 3): every order, `count conversions`, KPIs and compare.
        let rows = ["u,\(t(0)),search,a", "u,\(t(5)),search,a", "v,\(t(0)),open,b", "w,\(t(3)),search,b"]
        for order in ["ordered", "strict", "any"] {
            let f = "funnel f { order \(order)  step search = \"search\"  kpi reach = search / users }"
            let r = Harness.run(f, rows: rows, extraColumns: ["variant"])
            #expect(r.diagnostics.filter(\.isError).isEmpty, "\(order): \(r.diagnostics.map(\.message))")
            #expect(r.results.first?.steps.map(\.users) == [2], "\(order)")
            #expect(r.results.first?.population == 3)
            #expect(r.results.first?.kpis.first?.value == 2.0 / 3.0)
        }
        #expect(Harness.counts("funnel f { step search = \"search\"  count conversions }", rows, extra: ["variant"]) == [3])
        let cmp = Harness.run("funnel f { step search = \"search\"  compare by variant baseline \"b\" }", rows: rows, extraColumns: ["variant"]).results.first
        #expect(cmp?.comparisons.first?.rows.map(\.step) == ["overall"])
        #expect(cmp?.comparisons.first?.rows.first?.rate == 1)
        // No steps at all is still an error.
        #expect(Harness.run("funnel f { window 1h }", rows: rows, extraColumns: ["variant"]).diagnostics.contains { $0.code == .stepCount })
    }

    @Test func bestAssignmentStartsLatest() {
        // a@0 a@5 b@8 converts from a@5 in 3 s (PostHog's and Mixpanel's reading).
        let f = "funnel f { step a = \"a\"  step b = \"b\" }"
        let r = Harness.run(f, rows: ["u,\(t(0)),a", "u,\(t(5)),a", "u,\(t(8)),b"]).results.first
        #expect(r?.steps[1].medianSecondsFromPrevious == 3)
    }

    @Test func bestAssignmentEndsEarliest() {
        // Two attempts both reach b; the one whose b is earliest is reported.
        let f = "funnel f { step a = \"a\"  step b = \"b\" }"
        let r = Harness.run(f, rows: ["u,\(t(0)),a", "u,\(t(100)),b", "u,\(t(200)),a", "u,\(t(210)),b"]).results.first
        #expect(r?.steps[1].medianSecondsFromPrevious == 100)
    }

    @Test func breakdownTakesTheFirstStepOneEvent() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  by device }"
        let r = Harness.run(f, rows: ["u,\(t(0)),other,tablet", "u,\(t(1)),view,mobile", "u,\(t(2)),view,desktop", "u,\(t(3)),buy,desktop"],
                            extraColumns: ["device"]).results.first
        #expect(r?.groups.count == 1)
        #expect(r?.groups.first?.key.first?.value == .string("mobile"))
        #expect(r?.groups.first?.steps.map(\.users) == [1, 1])
    }

    @Test func breakdownAtAStepTakesTheBestAssignmentsEvent() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  by device at buy }"
        let r = Harness.run(f, rows: ["u,\(t(1)),view,mobile", "u,\(t(3)),buy,desktop"], extraColumns: ["device"]).results.first
        #expect(r?.groups.first?.key.first?.value == .string("desktop"))
        #expect(r?.groups.first?.key.first?.name == "device at buy")
    }

    @Test func missingBreakdownValuesFormTheNoneGroup() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  by device }"
        let r = Harness.run(f, rows: ["u,\(t(1)),view,", "v,\(t(1)),view,mobile"], extraColumns: ["device"]).results.first
        #expect(Set(r?.groups.map { $0.key[0].value } ?? []) == [.null, .string("mobile")])
    }

    @Test func missingValuesCompareFalseExceptWithNull() {
        let rows = ["u,\(t(0)),view,", "v,\(t(0)),view,5"]
        #expect(Harness.counts("funnel f { step a = \"view\" and price > 1  step b = \"x\" }", rows, extra: ["price"]) == [1, 0])
        #expect(Harness.counts("funnel f { step a = \"view\" and price != 1  step b = \"x\" }", rows, extra: ["price"]) == [1, 0])
        #expect(Harness.counts("funnel f { step a = \"view\" and price == null  step b = \"x\" }", rows, extra: ["price"]) == [1, 0])
        #expect(Harness.counts("funnel f { step a = \"view\" and not (price > 1)  step b = \"x\" }", rows, extra: ["price"]) == [1, 0])
    }

    @Test func datesLimitWhichStepOneEventsStartAttempts() {
        let f = "funnel f { window 30d  dates 2024-01-02 to 2024-01-02  step a = \"view\"  step b = \"buy\" }"
        // The view on Jan 1 cannot start an attempt; the one on Jan 2 (last second included) can.
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(86400 * 3)),buy"]) == [0, 0])
        #expect(Harness.counts(f, ["u,\(t(2 * 86400 - 1)),view", "u,\(t(86400 * 3)),buy"]) == [1, 1])
    }

    @Test func firstTouchIgnoresStepOneEventsOutsideTheDates() {
        let f = "funnel f { window 30d  dates 2024-01-02 to 2024-01-31  step view = \"view\"  step buy = \"buy\"  by device }"
        let r = Harness.run(f, rows: ["u,\(t(0)),view,mobile", "u,\(t(86400)),view,desktop", "u,\(t(86400 + 5)),buy,desktop"],
                            extraColumns: ["device"]).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.string("desktop")])
    }

    @Test func datesAreDaysOfTheSourcesTimeZone() throws {
        // 2024-01-01T20:00Z is already Jan 2 in Tokyo (UTC+9): inside `dates 2024-01-02 to 2024-01-02` there.
        let dir = Harness.folder()
        try "user,time,event\nu,2024-01-01T20:00:00Z,view\nu,2024-01-01T20:05:00Z,buy\nv,2024-01-02T16:00:00Z,view\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        for (zone, expected) in [("Asia/Tokyo", [1, 1]), ("UTC", [0, 0])] {
            try "source e = csv(\"e.csv\") { user = user  time = time  event = event  timezone \"\(zone)\" }\nfunnel f { dates 2024-01-02 to 2024-01-02  step view = \"view\"  step buy = \"buy\" }\n"
                .write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            // v's view at 16:00Z is Jan 3 01:00 in Tokyo (outside), Jan 2 in UTC (inside, but no buy).
            let counts = Driver.run(c).first?.steps.map(\.users)
            #expect(counts == (zone == "UTC" ? [1, 0] : expected), "\(zone)")
        }
    }

    @Test func statisticsFollowTheDefinitions() {
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        #expect(Statistics.median([5, 1, 3]) == 3)
        #expect(Statistics.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9.1)
    }

    @Test func droppedAndConversionFigures() {
        let rows = ["u1,\(t(0)),view", "u1,\(t(1)),cart", "u2,\(t(0)),view", "u3,\(t(0)),view", "u3,\(t(1)),cart", "u3,\(t(2)),buy", "u4,\(t(0)),view"]
        let s = Harness.run(three, rows: rows).results.first?.steps ?? []
        #expect(s.map(\.users) == [4, 2, 1])
        #expect(s.map(\.dropped) == [0, 2, 1])
        #expect(s[1].fromStart == 0.5)
        #expect(s[2].fromPrevious == 0.5)
        #expect(s[2].fromStart == 0.25)
        #expect(s[0].medianSecondsFromPrevious == nil)
    }

    @Test func kpisAndExpects() {
        let f = """
        funnel f {
          step view = "view"
          step buy = "buy"
          kpi conversion = buy / view
          kpi aov = avg(buy.price)
          kpi total = sum(buy.price) + 0
          kpi ttc = median(time(view -> buy))
          kpi undefined = buy / (view - view)
          expect conversion >= 50%
          expect aov between 10 and 11
          expect ttc <= 1m
          expect conversion > 60%
        }
        """
        let rows = ["u1,\(t(0)),view,", "u1,\(t(30)),buy,10", "u2,\(t(0)),view,", "u2,\(t(60)),buy,11", "u3,\(t(0)),view,", "u4,\(t(0)),view,"]
        let r = Harness.run(f, rows: rows, extraColumns: ["price"]).results.first
        #expect(r?.kpis.map(\.value) == [0.5, 10.5, 21, 45, nil])
        #expect(r?.expects.map(\.passed) == [true, true, true, false])
        #expect(r?.expects.last?.actual == 0.5)
    }

    @Test func segmentsSelectThePopulation() {
        let f = """
        segment buyers = count("buy") >= 1
        segment big = sum(price where "buy") >= 100
        funnel f { step view = "view"  step buy = "buy"  for buyers and not big }
        """
        let rows = ["u1,\(t(0)),view,", "u1,\(t(5)),buy,50", "u2,\(t(0)),view,", "u3,\(t(0)),view,", "u3,\(t(5)),buy,500"]
        let r = Harness.run(f, rows: rows, extraColumns: ["price"]).results.first
        #expect(r?.steps.map(\.users) == [1, 1])
        #expect(r?.population == 1)
    }

    @Test func recencyIsMeasuredAtTheEndOfTheData() {
        let f = """
        segment recent = recency("buy") <= 1d
        funnel f { step view = "view"  step buy = "buy"  for recent }
        """
        let rows = ["u1,\(t(0)),view", "u1,\(t(10)),buy", "u2,\(t(3 * 86400)),view", "u2,\(t(3 * 86400 + 10)),buy"]
        #expect(Harness.counts(f, rows) == [1, 1])
    }
}

/// `hold`, `by X all` and trends (language.md §4, Attribution and Trends).
struct PartitionRuleTests {
    func t(_ s: Int) -> String { Harness.t(s) }

    @Test func holdRequiresTheSameValueAtEveryStep() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  hold product }"
        // The view is of product a, the purchase of product b: no conversion when held.
        #expect(Harness.counts(f, ["u,\(t(0)),view,a", "u,\(t(5)),buy,b"], extra: ["product"]) == [1, 0])
        #expect(Harness.counts(f, ["u,\(t(0)),view,a", "u,\(t(3)),view,b", "u,\(t(5)),buy,b"], extra: ["product"]) == [1, 1])
        let plain = "funnel f { step view = \"view\"  step buy = \"buy\" }"
        #expect(Harness.counts(plain, ["u,\(t(0)),view,a", "u,\(t(5)),buy,b"], extra: ["product"]) == [1, 1])
    }

    @Test func holdIgnoresEventsWithoutTheValue() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  hold product }"
        #expect(Harness.counts(f, ["u,\(t(0)),view,", "u,\(t(5)),buy,"], extra: ["product"]) == [0, 0])
    }

    @Test func byAllRunsTheFunnelPerValue() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  by product all }"
        let r = Harness.run(f, rows: ["u,\(t(0)),view,a", "u,\(t(3)),view,b", "u,\(t(5)),buy,b", "v,\(t(0)),view,a"],
                            extraColumns: ["product"]).results.first
        // u appears in both groups; the top-level rows stay the plain funnel.
        #expect(r?.steps.map(\.users) == [2, 1])
        let byValue = Dictionary(uniqueKeysWithValues: (r?.groups ?? []).map { ($0.key[0].value, $0.steps.map(\.users)) })
        #expect(byValue[.string("a")] == [2, 0])
        #expect(byValue[.string("b")] == [1, 1])
    }

    @Test func trendsBucketAttemptsByTheirStepOnePeriod() {
        let f = "funnel f { window 30d  step view = \"view\"  step buy = \"buy\"  by week }"
        // 2024-01-01 is a Monday. u starts in week 1 and buys in week 2; it starts again in week 2.
        let day = 86_400
        let rows = ["u,\(t(0)),view", "u,\(t(8 * day)),view", "u,\(t(9 * day)),buy", "v,\(t(2 * day)),view"]
        let r = Harness.run(f, rows: rows).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.string("2024-01-01"), .string("2024-01-08")])
        #expect(r?.groups.first?.steps.map(\.users) == [2, 1])     // u's attempt from week 1 converts in week 2
        #expect(r?.groups.last?.steps.map(\.users) == [1, 1])
        #expect(r?.groups.last?.steps[1].medianSecondsFromPrevious == Double(day))
    }

    @Test func monthsAndDaysAndTimeZones() {
        let day = 86_400
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  by month }"
        let r = Harness.run(f, rows: ["u,\(t(30 * day)),view", "u,\(t(31 * day)),view", "u,\(t(31 * day + 5)),buy"]).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.string("2024-01-01"), .string("2024-02-01")])
        // 23:30 UTC on Jan 1 is already Jan 2 in Tokyo.
        let dir = Harness.folder()
        try? "user,time,event\nu,2024-01-01T23:30:00Z,view\nu,2024-01-01T23:40:00Z,buy\n".write(toFile: dir + "/e.csv", atomically: true, encoding: .utf8)
        try? "source e = csv(\"e.csv\") { user = user  time = time  event = event  timezone \"Asia/Tokyo\" }\nfunnel f { step view = \"view\"  step buy = \"buy\"  by day }\n"
            .write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
        let c = Driver.compile(path: dir + "/f.funnel", load: true)
        #expect(Driver.run(c).first?.groups.first?.key[0].value == .string("2024-01-02"))
    }
}

struct CountRuleTests {
    func t(_ s: Int) -> String { Harness.t(s) }

    @Test func countAPropertyCountsItsDistinctValues() {
        let rows = ["u,\(t(0)),view,s1", "u,\(t(5)),buy,s1", "u,\(t(100)),view,s2", "v,\(t(0)),view,s3", "v,\(t(9)),buy,"]
        #expect(Harness.counts("funnel f { step view = \"view\"  step buy = \"buy\" }", rows, extra: ["session"]) == [2, 2])
        let bySession = Harness.run("funnel f { step view = \"view\"  step buy = \"buy\"  count session }", rows: rows, extraColumns: ["session"]).results.first
        // s1 converts; s2 and s3 only view (v's purchase has no session).
        #expect(bySession?.steps.map(\.users) == [3, 1])
        #expect(bySession?.counting == "session")
        #expect(bySession?.population == 3)
    }

    @Test func countConversionsCountsEachCompletedAttemptOnce() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  count conversions }"
        // Two completed attempts and a third that stops at view.
        let rows = ["u,\(t(0)),view", "u,\(t(5)),buy", "u,\(t(10)),view", "u,\(t(15)),buy", "u,\(t(20)),view", "v,\(t(0)),view"]
        let r = Harness.run(f, rows: rows).results.first
        #expect(r?.steps.map(\.users) == [4, 2])
        #expect(r?.population == 2)
        #expect(r?.steps[1].medianSecondsFromPrevious == 5)
        // A new attempt starts only after the previous one completed: view@1 does not count again.
        #expect(Harness.counts(f, ["u,\(t(0)),view", "u,\(t(1)),view", "u,\(t(5)),buy"]) == [1, 1])
    }

    @Test func forStillSelectsUsersWhenCountingAProperty() {
        let f = "segment buyers = count(\"buy\") >= 1\nfunnel f { step view = \"view\"  step buy = \"buy\"  count session  for buyers }"
        let rows = ["u,\(t(0)),view,s1", "u,\(t(5)),buy,s1", "u,\(t(100)),view,s2", "w,\(t(0)),view,s3"]
        #expect(Harness.counts(f, rows, extra: ["session"]) == [2, 1])
    }
}

struct CompareRuleTests {
    func t(_ s: Int) -> String { Harness.t(s) }

    @Test func eachGroupAgainstTheBaseline() {
        // Control: 4 of 8 buy; treatment: 6 of 8 buy (first touch decides the group).
        var rows: [String] = []
        for i in 0..<8 {
            rows.append("c\(i),\(t(0)),view,control")
            if i < 4 { rows.append("c\(i),\(t(10)),buy,control") }
            rows.append("b\(i),\(t(0)),view,treatment")
            if i < 6 { rows.append("b\(i),\(t(10)),buy,other") }
        }
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  compare by variant baseline \"control\" }"
        let r = Harness.run(f, rows: rows, extraColumns: ["variant"]).results.first
        #expect(r?.comparisons.count == 1)
        let c = r?.comparisons.first
        #expect(c?.group == .string("treatment"))
        #expect(c?.baseline == .string("control"))
        let overall = c?.rows.first
        #expect(overall?.step == "overall")
        #expect(overall?.rate == 0.75)
        #expect(overall?.baselineRate == 0.5)
        #expect(overall?.difference == 0.25)
        #expect(overall?.test == "fisher")            // a cell (2 non-buyers) is below 5
        #expect(overall?.small == true)
        #expect(overall?.pValue == ABStatistics.fisher(6, 8, 4, 8))
        #expect(overall?.low == ABStatistics.newcombe(6, 8, 4, 8)?.low)
    }

    @Test func aMissingBaselineIsSaid() {
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  compare by variant baseline \"nobody\" }"
        let r = Harness.run(f, rows: ["u,\(t(0)),view,a", "v,\(t(0)),view,b"], extraColumns: ["variant"]).results.first
        #expect(r?.comparisons.isEmpty == true)
        #expect(r?.comparisonNote == "baseline \"nobody\" has no users in this data")
    }
}

/// The six departures from language.md §4 found by the oracle (issue 7, item 2), each as a real
/// `.funnel` and CSV through the whole pipeline, with the expectation worked out from §4 by hand.
struct DepartureRuleTests {
    func t(_ s: Int) -> String { Harness.t(s) }

    @Test func tiesStrictHoldsInOrderAny() {
        // a and b share a second: with `ties strict` one attempt matches one of them only.
        let f = "funnel f { order any  ties strict  step s1 = \"a\"  step s2 = \"b\" }"
        #expect(Harness.counts(f, ["u,\(t(0)),a", "u,\(t(0)),b"]) == [1, 0])
        #expect(Harness.counts(f, ["u,\(t(0)),a", "u,\(t(1)),b"]) == [1, 1])
        let loose = "funnel f { order any  step s1 = \"a\"  step s2 = \"b\" }"
        #expect(Harness.counts(loose, ["u,\(t(0)),a", "u,\(t(0)),b"]) == [1, 1])
    }

    @Test func holdInAStrictFunnelIsNoEventFilter() {
        // c (another acct) lies between b and a and breaks the chain.
        let f = "funnel f { order strict  step s1 = \"b\"  step s2 = \"a\"  hold acct }"
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(1)),c,k2", "u,\(t(2)),a,k1"], extra: ["acct"]) == [1, 0])
        // An event without an acct is an event between as well.
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(1)),c,", "u,\(t(2)),a,k1"], extra: ["acct"]) == [1, 0])
        // A repeat of the step just reached keeps the chain, whatever its acct.
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(1)),b,k2", "u,\(t(2)),a,k1"], extra: ["acct"]) == [1, 1])
        #expect(Harness.counts(f, ["u,\(t(0)),b,k1", "u,\(t(2)),a,k1"], extra: ["acct"]) == [1, 1])
    }

    @Test func holdEventsWithoutTheValueAreNeverTheFirstTouch() {
        // The first `a` has no acct: it starts no attempt, so the first touch is the k2 one.
        let f = "funnel f { step s1 = \"a\"  step s2 = \"b\"  hold acct  by acct }"
        let r = Harness.run(f, rows: ["u,\(t(0)),a,", "u,\(t(1)),a,k2"], extraColumns: ["acct"]).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.string("k2")])
        #expect(r?.steps.map(\.users) == [1, 0])
        // Without hold the first `a` is the first touch.
        let plain = "funnel f { step s1 = \"a\"  step s2 = \"b\"  by acct }"
        let p = Harness.run(plain, rows: ["u,\(t(0)),a,", "u,\(t(1)),a,k2"], extraColumns: ["acct"]).results.first
        #expect(p?.groups.map { $0.key[0].value } == [.null])
    }

    @Test func holdTiesGoByFileOrderNotByValue() {
        // u1's two held values tie (same level, last event, start time): the later row (desktop, k2)
        // started latest. Another user's row that mentions k1 or k2 first must not change that.
        let f = "funnel f { step s1 = \"a\"  step s2 = \"b\"  hold acct  by device at s1 }"
        for other in ["k1", "k2"] {
            let rows = ["u2,\(t(0)),z,tv,\(other)", "u1,\(t(0)),a,mobile,k1", "u1,\(t(0)),a,desktop,k2",
                        "u1,\(t(5)),b,mobile,k1", "u1,\(t(5)),b,desktop,k2"]
            let r = Harness.run(f, rows: rows, extraColumns: ["device", "acct"]).results.first
            #expect(r?.groups.map { $0.key[0].value } == [.string("desktop")], "u2 mentions \(other)")
        }
    }

    @Test func equalStartsGoToTheLaterFileRow() {
        let f = "funnel f { step s1 = \"a\"  step s2 = \"b\"  by device at s1 }"
        let r = Harness.run(f, rows: ["u,\(t(0)),a,mobile", "u,\(t(0)),a,desktop", "u,\(t(5)),b,"], extraColumns: ["device"]).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.string("desktop")])
        // Medians follow the best assignment: start c@0 (the later row), then the earliest b that fits (b@0).
        let g = "funnel f { step s1 = event in [\"b\", \"c\"]  step s2 = \"b\"  step s3 = \"a\" }"
        let s = Harness.run(g, rows: ["u,\(t(0)),b", "u,\(t(0)),c", "u,\(t(1)),b", "u,\(t(2)),a"]).results.first?.steps
        #expect(s?.map(\.users) == [1, 1, 1])
        #expect(s?.map(\.medianSecondsFromPrevious) == [nil, 0, 2])
    }

    @Test func orderAnyStepsTakeTheEarliestEvents() {
        // s1 takes a@0, s2 a@2 (which has no device).
        let f = "funnel f { order any  step s1 = \"a\"  step s2 = \"a\"  by device at s2 }"
        let r = Harness.run(f, rows: ["u,\(t(0)),a,tablet", "u,\(t(2)),a,"], extraColumns: ["device"]).results.first
        #expect(r?.groups.map { $0.key[0].value } == [.null])
        let s1 = "funnel f { order any  step s1 = \"a\"  step s2 = \"a\"  by device at s1 }"
        let r1 = Harness.run(s1, rows: ["u,\(t(0)),a,tablet", "u,\(t(2)),a,"], extraColumns: ["device"]).results.first
        #expect(r1?.groups.map { $0.key[0].value } == [.string("tablet")])
    }
}

/// A step that no event matches is said, with the reason when `where` is it.
struct SilentStepTests {
    @Test func aStepMatchingNothingIsNoted() {
        let rows = ["u,\(Harness.t(0)),a,tv", "u,\(Harness.t(1)),b,mobile"]
        let none = Harness.run("funnel f { step a = \"a\"  step z = \"z\" }", rows: rows, extraColumns: ["device"]).results.first
        #expect(none?.notes == ["step z matches no event in the data"])
        let filtered = Harness.run("funnel f { step a = \"a\"  step b = \"b\"  where device == \"tv\" }", rows: rows, extraColumns: ["device"]).results.first
        #expect(filtered?.notes == ["step b matches no event that passes `where` (it matches events that `where` filters out)"])
        let fine = Harness.run("funnel f { step a = \"a\"  step b = \"b\" }", rows: rows, extraColumns: ["device"]).results.first
        #expect(fine?.notes == [])
    }
}
