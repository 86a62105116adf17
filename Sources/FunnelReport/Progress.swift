import FunnelEngine

extension Report {
    /// "reading events.csv: 45% of 1.2 GiB · 3.2M rows/s · 2s left": the line a terminal shows
    /// while a big file loads.
    public static func progressText(name: String, bytes: Int, total: Int, rows: Int, seconds: Double) -> String {
        let share = total > 0 ? min(100, bytes * 100 / total) : 100
        var text = "reading \(name): \(share)% of \(formatBytes(total))"
        if seconds > 0 {
            let rate = Double(rows) / seconds
            text += " · " + (rate >= 1e6 ? Fmt.fixed(rate / 1e6, 1) + "M" : rate >= 1e3 ? Fmt.fixed(rate / 1e3, 1) + "k" : String(Int(rate))) + " rows/s"
            if bytes > 0 && bytes < total {
                let left = seconds * Double(total - bytes) / Double(bytes)
                text += " · " + (left < 60 ? "\(Int(left.rounded(.up)))s" : Fmt.duration(left)) + " left"
            }
        }
        return text
    }
}
