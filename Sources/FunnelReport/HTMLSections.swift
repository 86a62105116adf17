import FunnelEngine
import FunnelCore
import FunnelPlan

/// One funnel's part of the HTML page: charts first, then the figures in tables.
struct FunnelSection {
    let result: FunnelResult
    let plan: PlannedFunnel?
    /// A prefix unique in the page, for the section's anchor and its charts' ids.
    let id: String

    var unit: String { Fmt.unit(result.counting) }

    var html: String {
        let r = result
        let window = r.windowSeconds.map { Fmt.duration($0).replacingOccurrences(of: " 0h", with: "").replacingOccurrences(of: " 0m", with: "") } ?? "none"
        var out = "<section id=\"\(id)\">\n<h2>Funnel <code>\(esc(r.name))</code></h2>\n"
        out += "<p class=\"meta\">window \(esc(window)) · \(r.order.rawValue) · \(Fmt.count(r.population)) \(esc(Fmt.populationUnit(r.counting))) in population · \(Fmt.count(r.eventsRead)) events read</p>\n"
        out += figure(SVGChart.funnel(r.steps, unit: unit, id: "\(id)-funnel", biggest: r.steps.count > 2 ? r.biggestDrop : nil))
        if let d = r.biggestDrop, r.steps.count > 2 {
            out += "<p class=\"worst\">biggest drop: <strong>\(esc(d.step))</strong>, \(Fmt.count(d.dropped)) \(esc(unit)) lost (\(Fmt.percent(d.share)) of the step before)</p>\n"
        }
        out += stepsTable(r.steps)
        out += breakdown() + timeToConvert() + comparison() + profile() + kpis() + expects()
        for note in r.notes { out += "<p class=\"warn\">note: \(esc(note))</p>\n" }
        if r.skipped.total > 0 { out += "<p class=\"warn\">skipped \(Fmt.count(r.skipped.total)) bad rows: \(esc(r.skipped.summary))</p>\n" }
        return out + "</section>\n"
    }

    func figure(_ svg: String) -> String { "<div class=\"figure\">\n\(svg)</div>\n" }

    /// `profile by KEY`: a row per group, then all users; numbers right-aligned.
    func profile() -> String {
        guard let p = result.profile else { return "" }
        let titles = ProfileText.titles(p)
        var out = "<h3>profile by \(esc(p.key))</h3>\n<p class=\"meta\">\(esc(ProfileText.heading(p, firstStep: result.steps.first?.name ?? "step 1")))</p>\n"
        out += "<table class=\"profile\"><tr>" + titles.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for row in p.rows + [p.total] {
            out += "<tr>" + ProfileText.cells(row, p).map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n"
        }
        out += "</table>\n"
        if let note = p.note { out += "<p class=\"warn\">note: \(esc(note))</p>\n" }
        return out
    }

    func stepsTable(_ steps: [StepStats]) -> String {
        var out = "<table class=\"steps\"><tr><th>step</th><th>\(esc(unit))</th><th>from start</th><th>from previous</th><th>dropped</th><th>mean time</th><th>median time</th><th>p90 time</th></tr>\n"
        for (i, s) in steps.enumerated() {
            let worst = i > 0 && result.biggestDrop?.step == s.name && steps.count > 2
            out += "<tr\(worst ? " class=\"worst\"" : "")><td>\(esc(s.name))</td><td>\(Fmt.count(s.users))</td><td>\(Fmt.percent(s.fromStart))</td><td>\(Fmt.percent(s.fromPrevious))</td>"
            out += "<td>\(i == 0 ? "-" : "\(Fmt.count(s.dropped)) (\(Fmt.percent(s.droppedShare)))")</td><td>\(Fmt.duration(s.meanSecondsFromPrevious))</td>"
            out += "<td>\(Fmt.duration(s.medianSecondsFromPrevious))</td><td>\(Fmt.duration(s.p90SecondsFromPrevious))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    // MARK: - Breakdowns

    /// The position of the trend key (`by week`) among the breakdown's keys, if there is one.
    var periodKey: Int? {
        plan?.breakdown.firstIndex { if case .period = $0.attribution { return true } else { return false } }
    }

    func breakdown() -> String {
        let r = result
        guard !r.groups.isEmpty else { return "" }
        var out = "<h3>by \(esc(r.breakdownLabels.joined(separator: ", ")))</h3>\n"
        if let p = periodKey { out += trendChart(period: p) } else { out += groupChart() }
        return out + groupsTable()
    }

    func label(_ g: GroupResult, skipping: Int? = nil) -> String {
        let parts = g.key.enumerated().filter { $0.offset != skipping }.map { Fmt.value($0.element.value) }
        return parts.isEmpty ? "all" : parts.joined(separator: " · ")
    }

    /// Groups side by side: the largest ones as clusters of bars on one scale.
    func groupChart() -> String {
        let ordered = result.groups.enumerated().sorted { a, b in
            let (x, y) = (a.element.steps.first?.users ?? 0, b.element.steps.first?.users ?? 0)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        let drawn = ordered.prefix(HTMLRenderer.drawnGroups).map { (label: label($0), steps: $0.steps) }
        var out = figure(SVGChart.groupedBars(Array(drawn), stepNames: result.steps.map(\.name), id: "\(id)-groups"))
        if ordered.count > drawn.count {
            out += "<p class=\"meta\">the chart shows the \(drawn.count) largest of \(ordered.count) groups; the table lists them all</p>\n"
        }
        return out
    }

    /// Trends: conversion from the first to the last step per period, a line per group of the other keys.
    func trendChart(period p: Int) -> String {
        var periods: [String] = []
        var seriesOrder: [String] = []
        var size: [String: Int] = [:]
        var rate: [String: [String: Double]] = [:]
        for g in result.groups where p < g.key.count {
            let period = Fmt.value(g.key[p].value)
            if !periods.contains(period) { periods.append(period) }
            let series = label(g, skipping: p)
            if size[series] == nil { seriesOrder.append(series) }
            let first = g.steps.first?.users ?? 0
            size[series, default: 0] += first
            if first > 0, let last = g.steps.last { rate[series, default: [:]][period] = Double(last.users) / Double(first) }
        }
        let ranked = seriesOrder.enumerated().sorted { a, b in
            let (x, y) = (size[a.element] ?? 0, size[b.element] ?? 0)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        let drawn = ranked.prefix(HTMLRenderer.drawnGroups).map { s in (label: s, points: periods.map { rate[s]?[$0] }) }
        var out = "<p class=\"meta\">conversion from \(esc(result.steps.first?.name ?? "")) to \(esc(result.steps.last?.name ?? "")) per \(esc(result.breakdownLabels[p]))</p>\n"
        out += figure(SVGChart.lines(Array(drawn), periods: periods, id: "\(id)-trend"))
        if ranked.count > drawn.count {
            out += "<p class=\"meta\">the chart shows the \(drawn.count) largest of \(ranked.count) groups; the table lists them all</p>\n"
        }
        return out
    }

    /// One row per group: users and conversion from the start at every step, side by side.
    func groupsTable() -> String {
        let r = result
        var out = "<table class=\"groups\"><tr>" + r.breakdownLabels.map { "<th>\(esc($0))</th>" }.joined()
        out += r.steps.map { "<th>\(esc($0.name))</th>" }.joined() + "<th>conversion</th><th>biggest drop</th>"
        out += r.kpis.map { "<th>\(esc($0.name))</th>" }.joined() + "</tr>\n"
        let readings = plan?.kpis.map(\.reading) ?? []
        for g in r.groups {
            out += "<tr>" + g.key.map { "<td>\(esc(Fmt.value($0.value)))</td>" }.joined()
            out += g.steps.enumerated().map { i, s in "<td>\(Fmt.count(s.users))\(i == 0 ? "" : " <span class=\"share\">\(Fmt.percent(s.fromStart))</span>")</td>" }.joined()
            let overall = g.steps.last?.fromStart
            let worst = g.steps.count > 2 ? g.biggestDrop.map { "\(esc($0.step)) (−\(Fmt.percent($0.share)))" } ?? "-" : "-"
            out += "<td>\(Fmt.percent(overall))</td><td>\(worst)</td>"
            out += g.kpis.enumerated().map { i, k in "<td>\(esc(Fmt.kpi(k.value, kind: i < readings.count ? readings[i] : .number)))</td>" }.joined() + "</tr>\n"
        }
        return out + "</table>\n"
    }

    // MARK: - Time, comparisons, KPIs, expects

    func timeToConvert() -> String {
        guard let t = result.timeToConvert, t.users > 0, let first = result.steps.first?.name, let last = result.steps.last?.name else { return "" }
        var out = "<h3>Time to convert (\(esc(first)) → \(esc(last)), \(Fmt.count(t.users)) \(esc(unit)))</h3>\n"
        out += "<p class=\"meta\">mean \(Fmt.duration(t.meanSeconds)) · median \(Fmt.duration(t.medianSeconds)) · p90 \(Fmt.duration(t.p90Seconds))</p>\n"
        if let h = t.histogram { out += figure(SVGChart.histogram(h, unit: unit, id: "\(id)-ttc")) }
        return out
    }

    func comparison() -> String {
        let r = result
        guard let first = r.comparisons.first else {
            return r.comparisonNote.map { "<p class=\"warn\">compare: \(esc($0))</p>\n" } ?? ""
        }
        var out = "<h3>compare by \(esc(first.key)) (baseline \(esc(Fmt.value(first.baseline))), \(Fmt.count(first.baselineUsers)) users)</h3>\n"
        out += figure(SVGChart.intervals(r.comparisons, id: "\(id)-compare"))
        out += "<table>\n<tr>" + Fmt.comparisonHeader.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for row in r.comparisons.flatMap(Fmt.comparisonCells) { out += "<tr>" + row.map { "<td>\(esc($0))</td>" }.joined() + "</tr>\n" }
        out += "</table>\n"
        if r.comparisons.contains(where: { $0.rows.contains(where: \.small) }) {
            out += "<p class=\"meta\">* small: fewer than 30 users on a side or a cell below 5; read with care</p>\n"
        }
        return out
    }

    /// KPIs with their targets: the expects whose left-hand side is the KPI, and whether they hold.
    func kpis() -> String {
        let r = result
        guard !r.kpis.isEmpty else { return "" }
        let planned = plan?.kpis ?? []
        var out = "<h3>KPIs</h3>\n<table class=\"kpis\"><tr><th>KPI</th><th>actual</th><th>target</th><th>status</th></tr>\n"
        for (i, k) in r.kpis.enumerated() {
            let reading = i < planned.count ? planned[i].reading : .number
            let targets = targetsOf(kpi: i, name: k.name)
            let status = targets.isEmpty ? "-" : targets.allSatisfy(\.passed) ? "pass" : "FAIL"
            let cls = targets.isEmpty ? "" : targets.allSatisfy(\.passed) ? " class=\"pass\"" : " class=\"fail\""
            out += "<tr\(cls)><th>\(esc(k.name))</th><td>\(esc(Fmt.kpi(k.value, kind: reading)))</td>"
            out += "<td>\(targets.isEmpty ? "-" : targets.map { esc($0.target) }.joined(separator: "; "))</td><td class=\"status\">\(status)</td></tr>\n"
        }
        return out + "</table>\n"
    }

    /// The expects about KPI `index`, each with its condition without the KPI's name (`>= 5%`).
    func targetsOf(kpi index: Int, name: String) -> [(target: String, passed: Bool)] {
        guard let planned = plan?.expects else { return [] }
        return result.expects.enumerated().compactMap { j, e in
            guard j < planned.count, planned[j].actual == .kpi(index) else { return nil }
            var target = Substring(Report.written(e))
            if target.hasPrefix(name) { target = target.dropFirst(name.count) }
            return (String(target.drop { $0 == " " }), e.passed)
        }
    }

    func expects() -> String {
        let r = result
        guard !r.expects.isEmpty else { return "" }
        var out = "<h3>Expects</h3>\n<table class=\"expects\">\n"
        for e in r.expects {
            let outcome = e.forEach == nil ? "actual " + Fmt.kpi(e.actual, kind: e.reading) : Report.outcome(e)
            out += "<tr class=\"\(e.passed ? "pass" : "fail")\"><td class=\"status\">\(e.passed ? "pass" : "FAIL")</td><td><code>\(esc(Report.written(e)))</code></td><td>\(esc(outcome))</td><td>line \(e.line)</td></tr>\n"
        }
        return out + "</table>\n"
    }

    func esc(_ s: String) -> String { HTMLRenderer.esc(s) }
}
