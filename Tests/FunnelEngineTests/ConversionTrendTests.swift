import Foundation
import FunnelCore
import FunnelDriver
import FunnelEngine
import FunnelPlan
import FunnelTestSupport
import PropertyBased
import Testing

/// Issue 10, item 3: `count conversions` with a trend. Every attempt of the funnel counts once,
/// in the period of the event that started it, so the periods add up to the funnel's total; the
/// other keys come from the attempt's own events.
struct ConversionTrendTests {
    let day = 86_400

    @Test func anAttemptCountsInThePeriodItStartedIn() throws {
        // u: an attempt from day 0 23:59 completed on day 1, a second one on day 1, a third that stops.
        let rows = ["u,\(Harness.t(day - 60)),view,mobile", "u,\(Harness.t(day + 60)),buy,mobile",
                    "u,\(Harness.t(day + 3600)),view,desktop", "u,\(Harness.t(day + 3700)),buy,desktop",
                    "u,\(Harness.t(2 * day + 10)),view,mobile", "v,\(Harness.t(10)),view,tablet"]
        let f = "funnel f { step view = \"view\"  step buy = \"buy\"  count conversions  by day, device }"
        let r = try #require(Harness.run(f, rows: rows, extraColumns: ["device"]).results.first)
        #expect(r.steps.map(\.users) == [4, 2])
        let got = r.groups.map { g in "\(g.key.map { Self.Fmt($0.value) }.joined(separator: " ")): \(g.steps.map(\.users))" }
        #expect(got == ["2024-01-01 mobile: [1, 1]", "2024-01-01 tablet: [1, 0]", "2024-01-02 desktop: [1, 1]", "2024-01-03 mobile: [1, 0]"])
        // The periods add up to the funnel's total.
        let days = try #require(Harness.run(f.replacingOccurrences(of: ", device", with: ""), rows: rows, extraColumns: ["device"]).results.first)
        #expect((0..<2).map { k in days.groups.reduce(0) { $0 + $1.steps[k].users } } == r.steps.map(\.users))
    }

    @Test func anAttemptTakesItsKeyFromTheEventThatStartedIt() throws {
        // u: a web view, then three attempts started on mobile, web, mobile; each buy completes one
        // (the web view a day before the first buy starts no attempt of its own: the attempt that
        // completes starts at the latest view). Attributed to the user's first touch, all three were web.
        let rows = ["u,\(Harness.t(0)),view,web", "u,\(Harness.t(day)),view,mobile", "u,\(Harness.t(day + 60)),buy,mobile",
                    "u,\(Harness.t(2 * day)),view,web", "u,\(Harness.t(2 * day + 60)),buy,web",
                    "u,\(Harness.t(3 * day)),view,mobile", "u,\(Harness.t(3 * day + 60)),buy,mobile"]
        func counts(_ by: String) throws -> [String: [Int]] {
            let f = "funnel f { window 1h  step view = \"view\"  step buy = \"buy\"  count conversions  by \(by) }"
            let r = try #require(Harness.run(f, rows: rows, extraColumns: ["device"]).results.first)
            var out: [String: [Int]] = [:]
            for g in r.groups {
                let device = Self.Fmt(g.key[g.key.count - 1].value)
                out[device] = zip(out[device] ?? [0, 0], g.steps.map(\.users)).map { $0 + $1 }
            }
            return out
        }
        #expect(try counts("device") == ["web": [1, 1], "mobile": [2, 2]])
        // The same attribution with a trend: summed over the days, the groups are the plain breakdown's.
        #expect(try counts("day, device") == counts("device"))
        // A KPI over a user's value counts each user once, not once per attempt.
        let kpi = "measure views = count(\"view\")\nfunnel f { step view = \"view\"  step buy = \"buy\"  count conversions  kpi v = avg(buy.user.views) }"
        #expect(Harness.run(kpi, rows: rows + ["w,\(Harness.t(0)),view,web", "w,\(Harness.t(60)),buy,web"], extraColumns: ["device"]).results.first?.kpis.first?.value == 2.5)
    }

    @Test func byAllIsStillRefusedWithConversions() {
        let d = Harness.run("funnel f { step v = \"view\"  count conversions  by device all }", rows: ["u,\(Harness.t(0)),view,m"], extraColumns: ["device"]).diagnostics
        #expect(d.contains { $0.code == .unsupported && $0.message.contains("'count conversions' with 'by device all'") })
    }

    static func Fmt(_ v: Value) -> String { if case .string(let s) = v { return s }; return v.description }

    static let events = zip(Gen.int(in: 0...4), Gen.int(in: 0...40), Gen.int(in: 0...3), Gen.int(in: 0...1000))
        .map { [$0, $1, $2, $3] }.array(of: 0...30)
    static let shape = Gen.int(in: 0...30).array(of: 3)

    /// Random tie-dense streams over four days (times in 3-hour steps): per day, the engine's attempts
    /// equal the oracle's, found one after another (the next may start only after the previous completed).
    @Test func attemptsPerDayMatchTheOracle() async throws {
        let dir = TestSupport.temporaryFolder("conversion-trend")
        await propertyCheck(count: 150, input: Self.events, Self.shape) { evs, shape in
            guard !evs.isEmpty else { return }
            let rows = DayStreams.write(evs, to: dir)
            let shape = DayStreams.Shape(shape)
            let order = shape.order
            let funnel = shape.funnel("count conversions\n  by day")
            try? funnel.write(toFile: dir + "/f.funnel", atomically: true, encoding: .utf8)
            let c = Driver.compile(path: dir + "/f.funnel", load: true)
            #expect(!c.hasErrors, "\(c.diagnostics.map(\.message))")
            guard let result = Driver.run(c).first else { return }
            let config = shape.config
            var expected: [String: [Int]] = [:]
            for user in Set(rows.map { $0[0] }) {
                let mine = rows.enumerated().filter { $0.element[0] == user }
                var input = mine.map { row, r in Oracle.Event(time: DayStreams.micros(r), row: row, steps: r[2] < 3 ? UInt32(1 << r[2]) : 0) }
                while true {
                    let o = Oracle.evaluate(input, Oracle.Config(match: config))
                    guard o.level > 0 else { break }
                    let matched = o.assignment.filter { $0 >= 0 }
                    // The attempt's start: its step-1 event, or in `any` its earliest matched event.
                    guard let start = order == .any ? matched.min(by: { (input[$0].time, input[$0].row) < (input[$1].time, input[$1].row) }) : o.assignment.first else { break }
                    let dayIndex = input[start].time / 86_400_000_000
                    var counts = expected["\(dayIndex)"] ?? [0, 0, 0]
                    for k in 0..<o.level { counts[k] += 1 }
                    expected["\(dayIndex)"] = counts
                    guard o.level == 3, let done = matched.map({ input[$0].time }).max() else { break }
                    for i in input.indices where input[i].time <= done { input[i].startable = false }
                }
            }
            var got: [String: [Int]] = [:]
            for g in result.groups {
                let label = Self.Fmt(g.key[0].value)
                let dayIndex = (["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06"].firstIndex(of: label) ?? -1)
                got["\(dayIndex)"] = g.steps.map(\.users)
            }
            #expect(got == expected, "\(funnel)\n\(rows)")
        }
    }
}
