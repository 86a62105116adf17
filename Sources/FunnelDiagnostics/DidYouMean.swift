/// Suggests the nearest known name for an unknown one (after Gleam's `did_you_mean`):
/// an exact case-insensitive match first, then the closest by edit distance within
/// max(len/3, 1).
public enum DidYouMean {
    public static func suggest(_ name: String, among candidates: [String]) -> String? {
        if let same = candidates.first(where: { $0.lowercased() == name.lowercased() }) { return same }
        let limit = max(name.count / 3, 1)
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(name, c)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        return best?.0
    }

    /// "did you mean 'x'?" or "known KINDS: a, b, c" (or nil when nothing is known).
    /// `kind` is a plural noun: "properties", "steps and KPIs".
    public static func help(_ name: String, among candidates: [String], kind: String) -> String? {
        if let s = suggest(name, among: candidates) { return "did you mean '\(s)'?" }
        if candidates.isEmpty { return nil }
        let shown = candidates.sorted().prefix(12).joined(separator: ", ")
        return "known \(kind): \(shown)\(candidates.count > 12 ? ", …" : "")"
    }

    /// Levenshtein distance over characters.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
