import FunnelCore
import FunnelEngine
import Testing

/// Actors who only ever match step 1 skip the matcher (`PartRun.firstStepOnly`): the event their
/// best assignment holds must be the matcher's, including among events tied at the earliest time.
struct FirstStepShortcutTests {
    func t(_ s: Int) -> String { Harness.t(s) }

    func deviceAtStep1(_ rows: [String], _ clauses: String = "") -> [String: Int] {
        let f = "funnel f { step a = \"a\"  step b = \"b\"  by device at a \(clauses) }"
        var out: [String: Int] = [:]
        for g in Harness.run(f, rows: rows, extraColumns: ["device"]).results.first?.groups ?? [] {
            if case .string(let d) = g.key[0].value { out[d] = g.steps[0].users }
        }
        return out
    }

    @Test func tiedStepOneEventsTakeTheLastInFileOrder() {
        // u: two step-1 events at the earliest time (mobile, then desktop in the file), a later one (tablet).
        let rows = ["u,\(t(10)),a,mobile", "u,\(t(10)),a,desktop", "u,\(t(20)),a,tablet"]
        #expect(deviceAtStep1(rows) == ["desktop": 1])
        #expect(deviceAtStep1(rows, "order strict") == ["desktop": 1])
        // Shuffled file order: the file's order among ties decides, not the time column.
        #expect(deviceAtStep1(["u,\(t(20)),a,tablet", "u,\(t(10)),a,desktop", "u,\(t(10)),a,mobile"]) == ["mobile": 1])
    }

    @Test func theSameActorWithALaterStepTakesTheMatcher() {
        // With a b event the matcher runs; the attempt that completes starts at the latest a before it.
        let rows = ["u,\(t(10)),a,mobile", "u,\(t(10)),a,desktop", "u,\(t(20)),a,tablet", "u,\(t(30)),b,tablet"]
        #expect(deviceAtStep1(rows) == ["tablet": 1])
    }

    @Test func whereAndDatesDecideWhichEventsCount() {
        let rows = ["u,\(t(10)),a,mobile", "u,\(t(86_400 * 3)),a,desktop"]
        #expect(deviceAtStep1(rows, "where device != \"mobile\"") == ["desktop": 1])
        #expect(deviceAtStep1(rows, "dates 2024-01-04 to 2024-01-04") == ["desktop": 1])
    }
}
