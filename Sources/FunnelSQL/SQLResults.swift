import Foundation
import FunnelCore
import FunnelDiagnostics
import FunnelEngine
import FunnelPlan

/// An engine's answer that does not have the shape the query promises.
public struct SQLResultError: Error, Sendable { public var message: String }

/// The figures of a funnel from its query's result rows, built by the code the native engine
/// uses (step tables, time to convert, KPIs and expects): only the counting happened elsewhere.
public enum SQLResults {
    public static func funnelResult(rows: [[String: Any]], query: SQLQuery, funnel: PlannedFunnel, maxGroups: Int) throws(SQLResultError) -> FunnelResult {
        let names = funnel.rowLabels
        guard let total = rows.first(where: { int($0["total"]) == 1 }) else {
            throw SQLResultError(message: "the result has no row over every actor (total = 1)")
        }
        let parsed = try Figures(total, query: query, steps: names.count)
        var groups: [(key: [Value], figures: Figures)] = []
        for row in rows where int(row["total"]) == 0 {
            let key = (0..<query.breakdownCount).map { value(row["g\($0)"]) }
            let figures = try Figures(row, query: query, steps: names.count)
            // Every actor of a group is at step 1; a group without one is Spark's padding row.
            if figures.reached.first == 0 { continue }
            groups.append((key, figures))
        }
        groups.sort { a, b in
            a.figures.reached[0] != b.figures.reached[0] ? a.figures.reached[0] > b.figures.reached[0]
                : a.key.map(\.description).joined() < b.key.map(\.description).joined()
        }
        var notes = ["computed by \(query.target.displayName) from the query of `funnel sql --target \(query.target.rawValue)`"]
        let maxGroups = funnel.topGroups ?? maxGroups
        if maxGroups > 0 && groups.count > maxGroups {
            // One key per actor here (first touch or at a step): the rest add up to one "(other)" group.
            let rest = groups[maxGroups...]
            var other = Figures(steps: names.count)
            for g in rest { other.add(g.figures) }
            notes.append("showing the \(formatCount(maxGroups)) largest of \(formatCount(groups.count)) groups; the other \(formatCount(rest.count)) are summed in \"(other)\" (\(FunnelRunner.capHelp(funnel)))")
            groups = Array(groups.prefix(maxGroups)) + [(funnel.breakdown.map { _ in FunnelRunner.otherGroup }, other)]
        }
        let labels = funnel.breakdown.map(\.label)
        var (kpis, expects) = KPIEvaluator(parsed.kpiInputs(query)).evaluate(funnel)
        let groupResults = groups.map { g in
            var group = GroupResult(key: zip(labels, g.key).map { ($0, $1) }, steps: g.figures.steps(names), timeToConvert: g.figures.timeToConvert(names.count))
            // As the native engine: a group's `users` is its step-1 actors.
            var inputs = g.figures.kpiInputs(query)
            inputs.population = g.figures.reached.first ?? 0
            (group.kpis, group.checks) = KPIEvaluator(inputs).evaluateGroup(funnel)
            return group
        }
        KPIEvaluator.foldGroupChecks(&expects, groups: groupResults)
        var result = FunnelResult(name: funnel.name, windowSeconds: funnel.match.window.map { Double($0) / 1e6 }, order: funnel.match.order,
                                  steps: parsed.steps(names), groups: groupResults,
                                  breakdownLabels: labels, breakdown: funnel.breakdown.map { ($0.name, $0.attributionText) },
                                  kpis: kpis, expects: expects, population: parsed.population, counting: funnel.countingLabel,
                                  skipped: SkipReport(), eventsRead: parsed.eventsRead)
        result.notes = notes
        result.timeToConvert = parsed.timeToConvert(names.count)
        return result
    }

    static func int(_ x: Any?) -> Int? {
        switch x {
        case let i as Int: return i
        case let d as Double: return d == d.rounded() && abs(d) < 9e15 ? Int(d) : nil
        case let n as NSNumber: return n.intValue
        case let s as String: return Int(s)
        default: return nil
        }
    }

    static func value(_ x: Any?) -> Value {
        switch x {
        case let s as String: return .string(s)
        case let n as NSNumber: return .number(n.doubleValue)
        default: return .null
        }
    }

    /// One row's figures: actors per step, µs between steps per actor, and the KPIs' inputs.
    struct Figures {
        var population = 0
        var eventsRead = 0
        var reached: [Int]
        var deltas: [[Int64]]
        var ttc: [Int64] = []
        var kpiValues: [[Double]] = []
        var kpiTimes: [[Int64]] = []

        init(steps: Int) {
            reached = [Int](repeating: 0, count: steps)
            deltas = [[Int64]](repeating: [], count: steps)
        }

        init(_ row: [String: Any], query: SQLQuery, steps: Int) throws(SQLResultError) {
            self.init(steps: steps)
            func column(_ name: String) throws(SQLResultError) -> Any {
                guard let v = row[name] else { throw SQLResultError(message: "the result has no column \(name)") }
                return v
            }
            func count(_ name: String) throws(SQLResultError) -> Int {
                guard let i = SQLResults.int(try column(name)) else { throw SQLResultError(message: "column \(name) is not a count") }
                return i
            }
            func micros(_ name: String) throws(SQLResultError) -> [Int64] {
                guard let xs = try column(name) as? [Any] else { throw SQLResultError(message: "column \(name) is not a list") }
                var out: [Int64] = []
                for x in xs {
                    guard let i = SQLResults.int(x) else { throw SQLResultError(message: "column \(name) holds \(x), not µs") }
                    out.append(Int64(i))
                }
                return out
            }
            population = try count("population")
            eventsRead = try count("events_read")
            for k in 0..<steps { reached[k] = try count("reached\(k + 1)") }
            for k in 1..<max(steps, 1) { deltas[k] = try micros("delta\(k + 1)") }
            if steps > 1 { ttc = try micros("ttc") }
            for i in query.kpiValues.indices {
                guard let xs = try column("kv\(i)") as? [Any] else { throw SQLResultError(message: "column kv\(i) is not a list") }
                kpiValues.append(xs.compactMap { ($0 as? NSNumber)?.doubleValue ?? ($0 as? String).flatMap(Double.init) })
            }
            for i in query.kpiTimes.indices { kpiTimes.append(try micros("ks\(i)")) }
        }

        mutating func add(_ o: Figures) {
            for k in reached.indices { reached[k] += o.reached[k]; deltas[k] += o.deltas[k] }
            ttc += o.ttc
            population += o.population
            if kpiValues.isEmpty { kpiValues = o.kpiValues; kpiTimes = o.kpiTimes } else {
                for i in kpiValues.indices where i < o.kpiValues.count { kpiValues[i] += o.kpiValues[i] }
                for i in kpiTimes.indices where i < o.kpiTimes.count { kpiTimes[i] += o.kpiTimes[i] }
            }
        }

        func seconds(_ xs: [Int64]) -> [Double] { xs.map { Double($0) / 1e6 } }

        func steps(_ names: [String]) -> [StepStats] {
            StepStats.table(names: names, users: reached, seconds: deltas.map(seconds))
        }

        func timeToConvert(_ n: Int) -> TimeToConvert? { n > 1 ? TimeToConvert(seconds(ttc)) : nil }

        func kpiInputs(_ q: SQLQuery) -> QueryKPIInputs {
            QueryKPIInputs(reached: reached, population: population,
                           values: Dictionary(uniqueKeysWithValues: q.kpiValues.enumerated().map { (ValueKey(step: $1.step, value: $1.value), kpiValues[$0]) }),
                           times: Dictionary(uniqueKeysWithValues: q.kpiTimes.enumerated().map { ("\($1.from)>\($1.to)", seconds(kpiTimes[$0])) }))
        }
    }

    struct ValueKey: Hashable { var step: Int; var value: EventExpr }

    struct QueryKPIInputs: KPIInputs {
        var reached: [Int]
        var population: Int
        var values: [ValueKey: [Double]]
        var times: [String: [Double]]
        func usersAt(_ k: Int) -> Int { k < reached.count ? reached[k] : 0 }
        func values(at step: Int, of value: EventExpr) -> [Double] { values[ValueKey(step: step, value: value)] ?? [] }
        /// Never asked: the query refuses KPIs over measures (`checkSupported`).
        func userValues(at step: Int, of value: UserExpr) -> [Double] { [] }
        func seconds(from: Int, to: Int) -> [Double] { times["\(from)>\(to)"] ?? [] }
    }
}
