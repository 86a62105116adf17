import FunnelDiagnostics
import FunnelEngine
import FunnelCore
import FunnelPlan

/// The stable JSON report (documented in the README): rates are fractions, times seconds.
public enum JSONRenderer {
    public static func render(_ results: [FunnelResult]) -> String {
        let w = JSONWriter()
        w.object {
            w.key("funnels")
            w.array(results) { w.funnel($0) }
        }
        return w.out + "\n"
    }
}

final class JSONWriter {
    var out = ""
    var needComma = [false]

    func comma() {
        if needComma[needComma.count - 1] { out += "," }
        needComma[needComma.count - 1] = true
    }
    func object(_ body: () -> Void) {
        out += "{"; needComma.append(false); body(); needComma.removeLast(); out += "}"
    }
    func key(_ k: String) { comma(); out += JSONWriter.quote(k) + ":"; needComma.append(false); needComma.removeLast() }
    func array<T>(_ xs: [T], _ f: (T) -> Void) {
        out += "["; needComma.append(false)
        for x in xs { comma(); needComma.append(false); f(x); needComma.removeLast() }
        needComma.removeLast(); out += "]"
    }
    func field(_ k: String, _ v: String) { key(k); out += JSONWriter.quote(v) }
    func field(_ k: String, _ v: Int) { key(k); out += String(v) }
    func field(_ k: String, _ v: Double?) { key(k); out += JSONWriter.number(v) }
    func field(_ k: String, _ v: Bool) { key(k); out += v ? "true" : "false" }
    func value(_ v: Value) {
        switch v {
        case .string(let s): out += JSONWriter.quote(s)
        case .number(let x): out += JSONWriter.number(x)
        case .bool(let b): out += b ? "true" : "false"
        case .time(let t): out += JSONWriter.quote(formatTime(t))
        case .duration(let d): out += JSONWriter.number(Double(d) / 1e6)
        case .null: out += "null"
        }
    }

    static func number(_ v: Double?) -> String {
        guard let v = v, v.isFinite else { return "null" }
        return formatNumber(v)
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                if u.value < 0x20 { o += String(format4hex(u.value)) } else { o.unicodeScalars.append(u) }
            }
        }
        return o + "\""
    }

    static func format4hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }

    func steps(_ steps: [StepStats]) {
        array(steps) { s in
            self.object {
                self.field("name", s.name)
                self.field("users", s.users)
                self.field("from_start", s.fromStart)
                self.field("from_previous", s.fromPrevious)
                self.field("dropped", s.dropped)
                self.field("dropped_share", s.droppedShare)
                self.field("median_seconds_from_previous", s.medianSecondsFromPrevious)
                self.field("p90_seconds_from_previous", s.p90SecondsFromPrevious)
                self.field("mean_seconds_from_previous", s.meanSecondsFromPrevious)
                self.key("histogram_from_previous"); self.histogram(s.histogramFromPrevious)
            }
        }
    }

    /// `{"edges_seconds": [0, 60, 300], "counts": [4, 9]}`: counts[i] in [edges[i], edges[i+1]); null without values.
    func histogram(_ h: Histogram?) {
        guard let h = h else { out += "null"; return }
        object {
            key("edges_seconds"); array(h.edges) { self.out += JSONWriter.number($0) }
            key("counts"); array(h.counts) { self.out += String($0) }
        }
    }

    /// `{"step": "cart", "dropped": 708, "share": 0.68}`: where the largest share of the previous step is lost.
    func biggestDrop(_ d: BiggestDrop?) {
        guard let d = d else { out += "null"; return }
        object { field("step", d.step); field("dropped", d.dropped); field("share", d.share) }
    }

    /// First to last step over the actors who completed the funnel.
    func timeToConvert(_ t: TimeToConvert?) {
        guard let t = t else { out += "null"; return }
        object {
            field("users", t.users)
            field("mean_seconds", t.meanSeconds)
            field("median_seconds", t.medianSeconds)
            field("p90_seconds", t.p90Seconds)
            key("histogram"); histogram(t.histogram)
        }
    }

    /// An expect: as written, its line, whether it held and the actual value; with `for each`, every group's check.
    func expect(_ e: ExpectResult) {
        object {
            field("source", e.source); field("line", e.line)
            field("passed", e.passed); field("actual", e.actual)
            if let each = e.forEach {
                field("for_each", each)
                key("groups")
                array(e.groups) { g in self.object { self.field("group", g.group); self.field("passed", g.passed); self.field("actual", g.actual) } }
            }
        }
    }

    func kpis(_ kpis: [KPIResult]) {
        array(kpis) { k in self.object { self.field("name", k.name); self.field("value", k.value) } }
    }

    func funnel(_ r: FunnelResult) {
        object {
            field("name", r.name)
            field("window_seconds", r.windowSeconds)
            field("order", r.order.rawValue)
            field("population", r.population)
            field("counting", r.counting)
            key("steps"); steps(r.steps)
            key("time_to_convert"); timeToConvert(r.timeToConvert)
            key("biggest_drop"); biggestDrop(r.biggestDrop)
            if !r.breakdown.isEmpty {
                key("breakdown")
                array(r.breakdown) { b in self.object { self.field("key", b.name); self.field("attribution", b.attribution) } }
            }
            key("groups")
            array(r.groups) { g in
                self.object {
                    self.key("key")
                    // §6: `{"device": "mobile"}`; the attribution ("at purchase") is in "breakdown".
                    self.object {
                        for (i, (label, v)) in g.key.enumerated() { self.key(i < r.breakdown.count ? r.breakdown[i].name : label); self.value(v) }
                    }
                    self.key("steps"); self.steps(g.steps)
                    self.key("time_to_convert"); self.timeToConvert(g.timeToConvert)
                    self.key("biggest_drop"); self.biggestDrop(g.biggestDrop)
                    self.key("kpis"); self.kpis(g.kpis)
                }
            }
            key("kpis"); kpis(r.kpis)
            key("expects")
            array(r.expects) { e in self.expect(e) }
            key("comparisons")
            array(r.comparisons) { c in
                self.object {
                    self.field("key", c.key)
                    self.key("group"); self.value(c.group)
                    self.key("baseline"); self.value(c.baseline)
                    self.field("users", c.users)
                    self.field("baseline_users", c.baselineUsers)
                    self.key("rows")
                    self.array(c.rows) { row in
                        self.object {
                            self.field("step", row.step)
                            self.field("rate", row.rate)
                            self.field("baseline_rate", row.baselineRate)
                            self.field("difference", row.difference)
                            self.field("ci_low", row.low)
                            self.field("ci_high", row.high)
                            self.field("p_value", row.pValue)
                            self.field("test", row.test)
                            self.field("small", row.small)
                        }
                    }
                }
            }
            if let note = r.comparisonNote { field("comparison_note", note) }
            if let p = r.profile { key("profile"); profile(p) }
            if !r.notes.isEmpty { key("notes"); array(r.notes) { n in self.out += JSONWriter.quote(n) } }
            key("events_read"); out += String(r.eventsRead)
            key("skipped_rows")
            object {
                field("total", r.skipped.total)
                for (reason, n) in r.skipped.counts.sorted(by: { $0.key < $1.key }) { field(reason, n) }
            }
        }
    }
}
