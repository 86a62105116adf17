import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// When output is coloured: one rule for the command line, the REPL and every renderer.
/// `never` and `always` are explicit; `auto` colours a terminal unless NO_COLOR is set
/// (any value) or TERM is `dumb` or unset.
public enum ColorPolicy: String, CaseIterable, Sendable {
    case auto, always, never

    public func enabled(isTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if environment["NO_COLOR"] != nil { return false }
            guard let term = environment["TERM"], term != "dumb" else { return false }
            return isTerminal
        }
    }
}

/// Output formats of `funnel run`.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, json, csv, markdown, html
}

/// Number formatting shared by the human formats.
enum Fmt {
    static func percent(_ x: Double?) -> String {
        guard let x = x else { return "-" }
        return fixed(x * 100, 1) + "%"
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        var s = String(r)
        if s.contains("e") { return String(x) }
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { s = String(s[..<dot]) }
        } else if digits > 0 { s += "." + String(repeating: "0", count: digits) }
        return s
    }

    static func count(_ n: Int) -> String { formatCount(n) }

    /// What a step's figure counts, for headings: `users`, `attempts` (`count conversions`) or the property.
    static func unit(_ counting: String) -> String { counting == "conversions" ? "attempts" : counting }

    /// Who the population is: users (also when attempts are counted), or the distinct values counted.
    static func populationUnit(_ counting: String) -> String {
        counting == "users" || counting == "conversions" ? "users" : "distinct \(counting)"
    }

    /// A duration in seconds for people: 45s, 5m 12s, 2h 3m, 3d 4h.
    static func duration(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        guard s.isFinite, abs(s) < 1e15 else { return String(s) + "s" }
        if s < 1 && s > 0 { return fixed(s, 3) + "s" }
        let t = Int64(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m \(t % 60)s" }
        if t < 86400 { return "\(t / 3600)h \(t % 3600 / 60)m" }
        return "\(t / 86400)d \(t % 86400 / 3600)h"
    }

    /// A histogram edge: "0", "30s", "5m", "2h", "3d", "1y" (the ladder's round values).
    static func shortDuration(_ seconds: Double) -> String {
        let t = Int64(seconds.rounded())
        if t == 0 { return "0" }
        for (unit, size) in [("y", Int64(31536000)), ("d", 86400), ("h", 3600), ("m", 60)] where t >= size && t % size == 0 {
            return "\(t / size)\(unit)"
        }
        return "\(t)s"
    }

    /// A KPI value: a rate as a percentage, a time as a duration, else a number.
    static func kpi(_ v: Double?, kind: Reading) -> String {
        guard let v = v else { return "-" }
        switch kind.kind {
        case .rate: return fixed(v * 100, kind.decimals ?? 2) + "%"
        case .seconds: return kind.decimals.map { fixed(v, $0) + " s" } ?? duration(v)
        case .money: return grouped(v, kind.decimals ?? 2)
        case .step:
            let i = Int(v.rounded()) - 1
            return kind.labels.indices.contains(i) ? kind.labels[i] : "step \(Int(v.rounded()))"
        case .number:
            if let d = kind.decimals { return grouped(v, d) }
            if v == v.rounded() && abs(v) < 1e15 { return count(Int(v)) }
            return fixed(v, abs(v) >= 100 ? 2 : 4)
        }
    }

    /// 1,234.50: thousands separators and a fixed number of decimals.
    static func grouped(_ v: Double, _ decimals: Int) -> String {
        let s = fixed(abs(v), decimals)
        let whole = s.split(separator: ".", maxSplits: 1)
        guard let head = whole.first, let n = Int(head), abs(v) < 1e15 else { return fixed(v, decimals) }
        return (v < 0 ? "-" : "") + count(n) + (whole.count > 1 ? "." + whole[1] : "")
    }

    /// A group's KPIs on one line: `conversion 12.78% · aov 40.12`.
    static func kpiLine(_ kpis: [KPIResult], kinds: [Reading]) -> String {
        kpis.enumerated().map { i, k in "\(k.name) \(kpi(k.value, kind: i < kinds.count ? kinds[i] : .number))" }.joined(separator: " · ")
    }

    /// A difference of rates in percentage points: +2.1 pp.
    static func points(_ x: Double?) -> String {
        guard let x = x else { return "-" }
        return (x >= 0 ? "+" : "") + fixed(x * 100, 1) + " pp"
    }

    static func pValue(_ p: Double?) -> String {
        guard let p = p else { return "-" }
        return p < 0.001 ? "<0.001" : fixed(p, 3)
    }

    /// The rows of every comparison, as cells: group, users, step, rate, baseline, difference, CI, p.
    static func comparisonCells(_ c: Comparison) -> [[String]] {
        c.rows.enumerated().map { i, r in
            [i == 0 ? value(c.group) + (r.small ? " *" : "") : (r.small ? "*" : ""), i == 0 ? count(c.users) : "", r.step, percent(r.rate),
             percent(r.baselineRate), points(r.difference),
             "[\(points(r.low).replacingOccurrences(of: " pp", with: "")), \(points(r.high))]", pValue(r.pValue) + " " + r.test]
        }
    }
    static let comparisonHeader = ["group", "users", "step", "rate", "baseline", "difference", "95% CI", "p-value"]

    /// A missing value reads `(none)` in tables.
    static func value(_ v: Value) -> String {
        if case .string(let s) = v { return visibleText(s) }
        if v == .null { return "(none)" }
        return v.description
    }
}
