import FunnelCore
import FunnelDiagnostics
import FunnelPlan

/// `profile by KEY { columns }`: the funnel's users (its step-1 actors) per group of KEY.
extension FunnelRunner {
    func profileResult(_ spec: PlannedProfile, _ out: Outcomes, _ keyed: [([Value], [Int])], eval: VectorEvaluator) -> ProfileResult {
        let users = UserEvaluator(store: store, evaluator: eval, asOf: asOf ?? store.maxTime)
        let values = spec.columns.map { users.values($0.expr) }
        let columns = spec.columns.map { c in
            ProfileResult.Column(name: c.name, kind: c.type == .duration ? .duration : (c.averaged ? .mean : .mix))
        }
        let everyone = keyed.flatMap(\.1)
        func row(_ value: Value, _ actors: [Int]) -> ProfileResult.Row {
            let converted = actors.filter { Int(out.levels[$0]) >= funnel.steps.count }.count
            let n = actors.count
            return ProfileResult.Row(value: value, users: n, share: everyone.isEmpty ? nil : Double(n) / Double(everyone.count),
                                     conversion: n == 0 ? nil : Double(converted) / Double(n),
                                     cells: zip(columns, values).map { FunnelRunner.profileCell($0.kind, $1, actors) })
        }
        var groups = keyed.sorted { a, b in
            a.1.count != b.1.count ? a.1.count > b.1.count : a.0.description < b.0.description
        }
        var note: String? = nil
        var other: [Int] = []
        if maxGroups > 0 && groups.count > maxGroups {
            other = groups[maxGroups...].flatMap(\.1)
            note = "showing the \(formatCount(maxGroups)) largest of \(formatCount(groups.count)) groups; the others are summed in \"(other)\" (raise --max-groups to see them)"
            groups = Array(groups.prefix(maxGroups))
        }
        var rows = groups.map { row($0.0.first ?? .null, $0.1) }
        if !other.isEmpty { rows.append(row(FunnelRunner.otherGroup, other)) }
        var result = ProfileResult(key: spec.key.label, keyName: spec.key.name, columns: columns, rows: rows, total: row(.string("(all)"), everyone))
        result.note = note
        return result
    }

    /// A column's cell over a group's users: the mean of numbers (durations in seconds), or the mix of values.
    static func profileCell(_ kind: ProfileResult.Column.Kind, _ values: [Value], _ actors: [Int]) -> ProfileResult.Cell {
        if kind != .mix {
            var sum = 0.0, count = 0
            for a in actors where a < values.count {
                switch values[a] {
                case .number(let x): sum += x; count += 1
                case .duration(let d): sum += Double(d) / 1e6; count += 1
                default: break
                }
            }
            return .mean(count == 0 ? nil : sum / Double(count), count: count)
        }
        var counts: [String: Int] = [:]
        for a in actors {
            let v = a < values.count ? values[a] : .null
            let label: String
            switch v {
            case .null: label = "(none)"
            case .string(let s): label = s
            default: label = v.description
            }
            counts[label, default: 0] += 1
        }
        let shares = counts.map { ProfileResult.Share(label: $0.key, users: $0.value, share: Double($0.value) / Double(max(1, actors.count))) }
        return .mix(shares.sorted { $0.users != $1.users ? $0.users > $1.users : $0.label < $1.label })
    }
}
