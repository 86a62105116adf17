import Foundation
import FunnelEngine

/// What completion in the REPL and in an editor share: which property a string being typed is
/// compared with, and the values such a property takes in the data kept in memory.
public enum CompletionSupport {
    /// `device == "` → device (also `!=` and `in [..., "`): the text before the opening quote.
    public static func comparedProperty(_ head: String) -> String? {
        let pattern = #"([A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|in\s*\[[^\]]*)\s*,?\s*$"#
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: head, range: NSRange(head.startIndex..., in: head)),
              let r = Range(m.range(at: 1), in: head) else { return nil }
        return String(head[r])
    }
}

extension DataCache {
    /// Values of a string property with few distinct values (at most 200), from the data in
    /// memory: a property of an event file, or `user.X` of the users table.
    func stringValues(of name: String) -> [String]? {
        for store in stores.values {
            if case .strings(_, let dict)? = store.properties[name], dict.count <= 200 { return dict }
        }
        if name.hasPrefix("user."), let p = profile, case .strings(_, let dict)? = p.columns[String(name.dropFirst(5))], dict.count <= 200 { return dict }
        return nil
    }
}
