import FunnelDiagnostics
import FunnelEngine
import FunnelPlan
import FunnelSQL
import FunnelSyntax

/// `funnel sql` and `funnel run --engine`: the plan translated for a SQL engine, and run there.
extension Driver {
    /// Each funnel (or only those named) as one query for `target`, or the diagnostic saying
    /// which construct has no exact translation (E302, at the funnel's name).
    public static func sql(_ c: Compilation, target: SQLTarget, only: [String]? = nil, asOf: Int64? = nil) -> [(funnel: String, query: SQLQuery?, diagnostic: Diagnostic?)] {
        guard let plan = c.plan else { return [] }
        return plan.funnels.filter { only == nil || only?.contains($0.name) == true }.map { f in
            do {
                return (f.name, try SQLTranslator.translate(plan, f, for: target, asOf: asOf), nil)
            } catch let r as SQLRefusal {
                return (f.name, nil, refusal(r, c))
            } catch {
                return (f.name, nil, Driver.internalError("\(error)"))
            }
        }
    }

    static func refusal(_ r: SQLRefusal, _ c: Compilation) -> Diagnostic {
        let message = "\(r.construct) in funnel '\(r.funnel)' cannot be translated exactly for \(r.target.displayName): \(r.why)"
        let help = "run this funnel on the native engine (`--engine native`, the default), or change the construct"
        for unit in c.units {
            for decl in unit.program.declarations {
                if case .funnel(let f) = decl.kind, f.name.text == r.funnel {
                    return Diagnostic(.error, .notTranslatable, message, at: .source(unit.file, f.name.span), help: help)
                }
            }
        }
        return Diagnostic(.error, .notTranslatable, message, help: help)
    }

    /// Runs each funnel's query on the engine and builds the report's figures from its rows.
    public static func runOnEngine(_ c: Compilation, target: SQLTarget, settings: EngineSettings, options: DriverOptions,
                                   only: [String]? = nil) -> (results: [FunnelResult], diagnostics: [Diagnostic]) {
        guard let plan = c.plan else { return ([], []) }
        let queries = sql(c, target: target, only: only, asOf: options.asOf)
        let refused = queries.compactMap(\.diagnostic)
        if !refused.isEmpty { return ([], refused) }
        let engine = Engine(target, settings: settings)
        let ready = queries.compactMap { q in q.query.flatMap { query in plan.funnels.first { $0.name == q.funnel }.map { (query, $0) } } }
        // Spark runs every query in one application; the others one query at a time.
        var answers: [Result<[[String: Any]], EngineError>]
        if target == .spark {
            do { answers = try engine.sparkBatch(ready.map(\.0)) }
            catch { answers = ready.map { _ in .failure(error) } }
        } else {
            answers = ready.map { q in Result { () throws(EngineError) -> [[String: Any]] in try engine.rows(q.0.sql) } }
        }
        var results: [FunnelResult] = []
        for ((query, funnel), answer) in zip(ready, answers) {
            do {
                let rows = try answer.get()
                results.append(try SQLResults.funnelResult(rows: rows, query: query, funnel: funnel, maxGroups: options.maxGroups))
            } catch let e as EngineError {
                let help = e.unavailable ? "see README \"Running on a warehouse\" for setting up \(target.displayName)" : "`funnel sql --target \(target.rawValue)` prints the query"
                return (results, [Diagnostic(.error, e.unavailable ? .engineUnavailable : .engineFailed, "funnel '\(funnel.name)': \(e.message)", help: help)])
            } catch let e as SQLResultError {
                return (results, [Diagnostic(.error, .engineResult, "funnel '\(funnel.name)': \(target.displayName)'s result: \(e.message)",
                                             help: "this is a bug in funnel's translation, please report it")])
            } catch {
                return (results, [Driver.internalError("\(error)")])
            }
        }
        return (results, [])
    }
}
