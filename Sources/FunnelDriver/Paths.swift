import Foundation
import FunnelSema

/// `path` as seen from the folder `dir` (both relative to the working folder, or absolute): what a
/// written `.funnel` file (`:save`, `funnel init -o`) puts in its source paths. With nothing in
/// common but the root, the absolute path.
func relativePath(_ path: String, from dir: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    func absolute(_ p: String) -> [String] {
        let full = p.hasPrefix("/") ? p : cwd + "/" + p
        return normalizePath(full).split(separator: "/").map(String.init)
    }
    let target = absolute(path), base = absolute(dir.isEmpty ? "." : dir)
    var common = 0
    while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
    if common == 0 { return "/" + target.joined(separator: "/") }
    let rest = (Array(repeating: "..", count: base.count - common) + target[common...]).joined(separator: "/")
    return rest.isEmpty ? "." : rest
}
