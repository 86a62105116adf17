import FunnelEngine
import FunnelCore

/// The report's charts as inline SVG: well-formed XML (the tests parse every chart), coloured
/// through the page's CSS classes so one stylesheet serves the light and the dark scheme, and
/// described for screen readers (`role="img"`, a title and a description, a title per mark).
/// Marks are drawn with crisp edges: a chart's bars are whole pixels of one colour.
enum SVGChart {
    /// A funnel: one bar per step, the users lost before it drawn as a ghost bar, the largest loss
    /// highlighted and labelled.
    static func funnel(_ steps: [StepStats], unit: String, id: String, biggest: BiggestDrop?) -> String {
        let rowHeight = 46.0, labelWidth = 150.0, barSpace = 430.0
        let height = Double(steps.count) * rowHeight + 10
        let top = Double(max(1, steps.first?.users ?? 1))
        var marks = ""
        for (i, s) in steps.enumerated() {
            let y = Double(i) * rowHeight + 8
            let width = max(1, Double(s.users) / top * barSpace)
            let what = "\(s.name): \(Fmt.count(s.users)) \(unit), \(Fmt.percent(s.fromStart)) of the first step"
            marks += text(labelWidth - 10, y + 21, s.name, anchor: "end", cls: "label")
            marks += rect(labelWidth, y, width, 28, cls: "step", title: what)
            var note = "\(Fmt.count(s.users)) · \(Fmt.percent(s.fromStart))"
            if i > 0, s.dropped > 0 {
                let isBiggest = biggest?.step == s.name
                let lost = Double(s.dropped) / top * barSpace
                let lostTitle = "\(Fmt.count(s.dropped)) \(unit) lost before \(s.name) (\(Fmt.percent(s.droppedShare)) of the step before)"
                marks += rect(labelWidth + width, y, max(1, lost), 28, cls: isBiggest ? "lost biggest" : "lost", title: lostTitle)
                note += " · −\(Fmt.percent(s.droppedShare))" + (isBiggest ? " · biggest drop" : "")
            }
            let noteX = labelWidth + (i > 0 ? Double(steps[i - 1].users) / top * barSpace : width) + 8
            marks += text(noteX, y + 19, note, anchor: "start", cls: biggest?.step == s.name ? "value worst" : "value")
        }
        let summary = steps.map { "\($0.name) \(Fmt.count($0.users))" }.joined(separator: ", ")
        let worst = biggest.map { "; the biggest drop is before \($0.step), \(Fmt.percent($0.share)) of the step before" } ?? ""
        return svg(id: id, width: 860, height: height, title: "Funnel: \(unit) per step", desc: summary + worst, body: marks)
    }

    /// Breakdown groups side by side: per step a cluster with one bar per group, every group on
    /// the same 0–100% scale of conversion from the first step.
    static func groupedBars(_ groups: [(label: String, steps: [StepStats])], stepNames: [String], id: String) -> String {
        let plotLeft = 48.0, plotTop = 12.0, plotHeight = 200.0
        let barWidth = max(6, min(28, 360 / Double(max(1, groups.count)))), gap = 18.0
        let cluster = barWidth * Double(groups.count) + gap
        let width = max(560, plotLeft + cluster * Double(stepNames.count) + 20)
        var marks = axis(left: plotLeft, top: plotTop, width: width - plotLeft - 10, height: plotHeight, maxValue: 1, ticks: [0, 0.25, 0.5, 0.75, 1], label: Fmt.percentRound)
        for (k, name) in stepNames.enumerated() {
            let x0 = plotLeft + gap / 2 + Double(k) * cluster
            for (g, group) in groups.enumerated() where k < group.steps.count {
                let share = group.steps[k].fromStart ?? 0
                let h = share * plotHeight
                let title = "\(group.label), \(name): \(Fmt.percent(group.steps[k].fromStart)) (\(Fmt.count(group.steps[k].users)))"
                if h >= 0.5 { marks += rect(x0 + Double(g) * barWidth, plotTop + plotHeight - h, barWidth - 2, h, cls: "series s\(g % palette)", title: title) }
            }
            marks += text(x0 + (cluster - gap) / 2, plotTop + plotHeight + 16, name, anchor: "middle", cls: "tick")
        }
        let legendTop = plotTop + plotHeight + 30
        marks += legend(groups.map(\.label), left: plotLeft, top: legendTop, width: width - plotLeft)
        let rows = (groups.count + 3) / 4
        let desc = groups.map { g in "\(g.label): " + g.steps.map { Fmt.percent($0.fromStart) }.joined(separator: ", ") }.joined(separator: "; ")
        return svg(id: id, width: width, height: legendTop + Double(rows) * 20 + 6, title: "Conversion from the first step, per group", desc: desc, body: marks)
    }

    /// Trends: conversion (first to last step) per period, one line per group of the other keys.
    static func lines(_ series: [(label: String, points: [Double?])], periods: [String], id: String) -> String {
        let plotLeft = 48.0, plotTop = 12.0, plotHeight = 200.0
        let step = max(24, min(80, 620 / Double(max(1, periods.count))))
        let width = max(560, plotLeft + step * Double(max(1, periods.count)) + 20)
        let highest = series.flatMap { $0.points.compactMap { $0 } }.max() ?? 0
        let top = niceCeiling(max(highest, 0.01))
        let ticks = (0...4).map { top * Double($0) / 4 }
        var marks = axis(left: plotLeft, top: plotTop, width: width - plotLeft - 10, height: plotHeight, maxValue: top, ticks: ticks, label: Fmt.percentRound)
        let labelWidth = Double(periods.map(\.count).max() ?? 0) * 7 + 12
        let every = max(1, Int((labelWidth / step).rounded(.up)))
        for (i, p) in periods.enumerated() where i % every == 0 {
            marks += text(plotLeft + step * (Double(i) + 0.5), plotTop + plotHeight + 16, p, anchor: "middle", cls: "tick")
        }
        for (s, line) in series.enumerated() {
            let cls = "s\(s % palette)"
            // A gap in the line where a period has no attempts for this group.
            var runs: [[(Double, Double, Double)]] = [[]]
            for (i, v) in line.points.enumerated() {
                guard let v = v else { if !(runs.last?.isEmpty ?? true) { runs.append([]) }; continue }
                runs[runs.count - 1].append((plotLeft + step * (Double(i) + 0.5), plotTop + plotHeight - v / top * plotHeight, v))
            }
            for run in runs where !run.isEmpty {
                let points = run.map { "\(num($0.0)),\(num($0.1))" }.joined(separator: " ")
                marks += "<polyline class=\"trend \(cls)\" points=\"\(points)\"><title>\(esc(line.label))</title></polyline>\n"
            }
            for (i, v) in line.points.enumerated() {
                guard let v = v else { continue }
                let title = "\(line.label), \(i < periods.count ? periods[i] : ""): \(Fmt.percent(v))"
                marks += "<circle class=\"point \(cls)\" cx=\"\(num(plotLeft + step * (Double(i) + 0.5)))\" cy=\"\(num(plotTop + plotHeight - v / top * plotHeight))\" r=\"3.5\"><title>\(esc(title))</title></circle>\n"
            }
        }
        let legendTop = plotTop + plotHeight + 30
        marks += legend(series.map(\.label), left: plotLeft, top: legendTop, width: width - plotLeft)
        let rows = (series.count + 3) / 4
        let desc = series.map { s in "\(s.label): " + s.points.map { Fmt.percent($0) }.joined(separator: ", ") }.joined(separator: "; ")
        return svg(id: id, width: width, height: legendTop + Double(rows) * 20 + 6, title: "Conversion per period", desc: desc, body: marks)
    }

    /// Time to convert: one bar per histogram bucket, the buckets' edges below.
    static func histogram(_ h: Histogram, unit: String, id: String) -> String {
        let plotLeft = 56.0, plotTop = 12.0, plotHeight = 150.0
        let barWidth = max(18, min(56, 620 / Double(max(1, h.counts.count))))
        let width = max(560, plotLeft + barWidth * Double(h.counts.count) + 20)
        let top = Double(max(1, h.counts.max() ?? 1))
        let ticks = [0, top / 2, top]
        var marks = axis(left: plotLeft, top: plotTop, width: width - plotLeft - 10, height: plotHeight, maxValue: top, ticks: ticks) { Fmt.count(Int($0.rounded())) }
        for (i, n) in h.counts.enumerated() {
            let x = plotLeft + Double(i) * barWidth
            let range = "\(Fmt.shortDuration(h.edges[i]))–\(Fmt.shortDuration(h.edges[i + 1]))"
            let hgt = Double(n) / top * plotHeight
            if n > 0 { marks += rect(x + 1, plotTop + plotHeight - max(1, hgt), barWidth - 2, max(1, hgt), cls: "bucket", title: "\(range): \(Fmt.count(n)) \(unit)") }
        }
        // The buckets' edges under the boundaries between bars.
        for (i, edge) in h.edges.enumerated() {
            marks += text(plotLeft + Double(i) * barWidth, plotTop + plotHeight + 16, Fmt.shortDuration(edge), anchor: "middle", cls: "tick")
        }
        let desc = h.counts.indices.map { "\(Fmt.shortDuration(h.edges[$0]))–\(Fmt.shortDuration(h.edges[$0 + 1])): \(h.counts[$0])" }.joined(separator: ", ")
        return svg(id: id, width: width, height: plotTop + plotHeight + 28, title: "Time to convert, \(unit) per bucket", desc: desc, body: marks)
    }

    /// A/B comparisons: per group and step the difference from the baseline with its 95% interval.
    static func intervals(_ comparisons: [Comparison], id: String) -> String {
        let rows = comparisons.flatMap { c in c.rows.map { (label: "\(Fmt.value(c.group)) · \($0.step)", row: $0) } }
        let labelWidth = 200.0, plotWidth = 420.0, rowHeight = 26.0
        let reach = max(0.01, rows.flatMap { [abs($0.row.low ?? 0), abs($0.row.high ?? 0), abs($0.row.difference ?? 0)] }.max() ?? 0.01)
        let scale = niceCeiling(reach)
        func x(_ v: Double) -> Double { labelWidth + (v + scale) / (2 * scale) * plotWidth }
        let height = Double(rows.count) * rowHeight + 34
        var marks = "<line class=\"zero\" x1=\"\(num(x(0)))\" y1=\"4\" x2=\"\(num(x(0)))\" y2=\"\(num(height - 24))\"/>\n"
        for v in [-scale, 0, scale] { marks += text(x(v), height - 8, Fmt.points(v), anchor: "middle", cls: "tick") }
        for (i, r) in rows.enumerated() {
            let y = Double(i) * rowHeight + 16
            marks += text(labelWidth - 10, y + 4, r.label, anchor: "end", cls: "label")
            let title = "\(r.label): \(Fmt.points(r.row.difference)), 95% interval [\(Fmt.points(r.row.low)), \(Fmt.points(r.row.high))]"
            if let lo = r.row.low, let hi = r.row.high {
                marks += "<line class=\"interval\" x1=\"\(num(x(lo)))\" y1=\"\(num(y))\" x2=\"\(num(x(hi)))\" y2=\"\(num(y))\"><title>\(esc(title))</title></line>\n"
            }
            if let d = r.row.difference {
                marks += "<circle class=\"estimate\" cx=\"\(num(x(d)))\" cy=\"\(num(y))\" r=\"4\"><title>\(esc(title))</title></circle>\n"
            }
        }
        let desc = rows.map { "\($0.label): \(Fmt.points($0.row.difference))" }.joined(separator: "; ")
        return svg(id: id, width: labelWidth + plotWidth + 40, height: height, title: "Difference from the baseline with 95% intervals", desc: desc, body: marks)
    }

    /// How many series colours the stylesheet defines (`.s0` … `.s7`); later series reuse them.
    static let palette = 8

    // MARK: - Pieces

    static func svg(id: String, width: Double, height: Double, title: String, desc: String, body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"\(num(width))\" height=\"\(num(height))\" "
            + "viewBox=\"0 0 \(num(width)) \(num(height))\" aria-labelledby=\"\(id)-title \(id)-desc\">\n"
            + "<title id=\"\(id)-title\">\(esc(title))</title>\n<desc id=\"\(id)-desc\">\(esc(desc))</desc>\n" + body + "</svg>\n"
    }

    static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, cls: String, title: String) -> String {
        "<rect class=\"\(cls)\" x=\"\(num(x))\" y=\"\(num(y))\" width=\"\(num(w))\" height=\"\(num(h))\"><title>\(esc(title))</title></rect>\n"
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String, cls: String) -> String {
        "<text class=\"\(cls)\" x=\"\(num(x))\" y=\"\(num(y))\" text-anchor=\"\(anchor)\">\(esc(s))</text>\n"
    }

    /// The value axis: grid lines at the ticks, labelled on the left.
    static func axis(left: Double, top: Double, width: Double, height: Double, maxValue: Double, ticks: [Double], label: (Double) -> String) -> String {
        var out = ""
        for t in ticks {
            let y = top + height - t / maxValue * height
            out += "<line class=\"grid\" x1=\"\(num(left))\" y1=\"\(num(y))\" x2=\"\(num(left + width))\" y2=\"\(num(y))\"/>\n"
            out += text(left - 6, y + 4, label(t), anchor: "end", cls: "tick")
        }
        return out
    }

    /// One swatch and name per series, four to a row.
    static func legend(_ labels: [String], left: Double, top: Double, width: Double) -> String {
        let column = width / 4
        return labels.enumerated().map { i, label in
            let x = left + Double(i % 4) * column, y = top + Double(i / 4) * 20
            return "<rect class=\"swatch s\(i % palette)\" x=\"\(num(x))\" y=\"\(num(y - 10))\" width=\"12\" height=\"12\"/>\n"
                + text(x + 18, y, label, anchor: "start", cls: "legend")
        }.joined()
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above x: an axis top that reads well.
    static func niceCeiling(_ x: Double) -> Double {
        var magnitude = 1.0
        while magnitude > x { magnitude /= 10 }
        while magnitude * 10 < x { magnitude *= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= x { return m * magnitude }
        return 10 * magnitude
    }

    /// Coordinates with at most one decimal, no exponent.
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : Fmt.fixed(r, 1)
    }

    static func esc(_ s: String) -> String { HTMLRenderer.esc(s) }
}

extension Fmt {
    /// An axis tick: whole percentages, one decimal below 10%.
    static func percentRound(_ x: Double) -> String {
        let p = x * 100
        return (p == p.rounded() ? String(Int(p)) : fixed(p, 1)) + "%"
    }
}
