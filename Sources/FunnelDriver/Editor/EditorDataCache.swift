import Foundation
import FunnelCore
import FunnelEngine

/// The data an editor keeps between checks of the documents it has open. Each data file is read
/// once and kept while it stays the same on disk (size and modification time) and is read with the
/// same settings (format, role columns, time zone, delimiter, declared types): checking the text on
/// every keystroke then costs a parse and a check, not a read of the data.
final class EditorDataCache {
    /// Loaded event files and the users table, as the driver's compile uses them.
    let data = DataCache()
    /// Per data path: how the kept data was read (file stamp and settings).
    var readAs: [String: String] = [:]
    /// Per data path: the header and first rows, for completion and hover when the file is not loaded.
    var sampled: [String: (key: String, schema: DataSchema)] = [:]
    /// The data paths each document reads, so closing the last one that reads a file frees it.
    var readBy: [String: Set<String>] = [:]

    /// The size and modification time of a file; nil when it cannot be seen.
    static func stamp(_ path: String) -> String? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let size = (a[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(size)@\(modified)"
    }

    /// What decides how an event file is read, besides its bytes.
    static func settings(_ s: SourceSpec) -> String {
        "events|\(s.format)|\(s.userColumn)|\(s.timeColumn)|\(s.eventColumn)|\(s.timezone ?? "")|\(s.delimiter)|" + declared(s.declaredTypes)
    }

    static func settings(_ u: UsersSpec) -> String {
        "users|\(u.format)|\(u.keyColumn)|\(u.delimiter)|" + declared(u.declaredTypes)
    }

    static func declared(_ types: [String: ValueType]) -> String {
        types.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }.joined(separator: ",")
    }

    /// Drops what was read from a file that changed, or with other settings, before a compile of
    /// `document` that reads these files. Returns the cache to compile with, or nil when one file
    /// is read twice with different settings (the driver's cache holds one reading per path).
    func prepare(document: String, sources: [SourceSpec], users: UsersSpec?) -> DataCache? {
        var wanted: [String: String] = [:]
        var conflicting = false
        for s in sources {
            let key = (EditorDataCache.stamp(s.path) ?? "missing") + "|" + EditorDataCache.settings(s)
            if let other = wanted[s.path], other != key { conflicting = true }
            wanted[s.path] = key
        }
        for (path, key) in wanted where readAs[path] != key {
            data.stores[path] = nil
            readAs[path] = key
        }
        if let u = users {
            let key = (EditorDataCache.stamp(u.path) ?? "missing") + "|" + EditorDataCache.settings(u)
            if readAs["users:" + u.path] != key {
                if data.profile?.path == u.path { data.profile = nil }
                readAs["users:" + u.path] = key
            }
        }
        readBy[document] = Set(sources.map(\.path) + (users.map { [$0.path] } ?? []))
        return conflicting ? nil : data
    }

    /// The columns and event names of an event file: from the loaded data when it is kept, else
    /// from its first rows (sampled once per file version). Nil when the file cannot be read.
    func schema(of source: SourceSpec, options: DriverOptions) -> DataSchema? {
        let key = (EditorDataCache.stamp(source.path) ?? "missing") + "|" + EditorDataCache.settings(source)
        if readAs[source.path] == key, let store = data.stores[source.path] {
            var schema = store.schema
            schema.eventCounts = store.eventCounts
            return schema
        }
        if let s = sampled[source.path], s.key == key { return s.schema }
        guard let file = try? MappedFile(path: source.path),
              let schema = try? Loader.schema(of: source, in: file, options: options.loaderOptions) else { return nil }
        sampled[source.path] = (key, schema)
        return schema
    }

    /// The columns of the users table, likewise.
    func schema(of users: UsersSpec, options: DriverOptions) -> DataSchema? {
        let key = (EditorDataCache.stamp(users.path) ?? "missing") + "|" + EditorDataCache.settings(users)
        if let p = data.profile, p.path == users.path, readAs["users:" + users.path] == key { return p.schema }
        if let s = sampled["users:" + users.path], s.key == key { return s.schema }
        guard let file = try? MappedFile(path: users.path),
              let schema = try? ProfileTable.schema(of: users, in: file, options: options.loaderOptions) else { return nil }
        sampled["users:" + users.path] = (key, schema)
        return schema
    }

    /// A document was closed: the data no other open document reads is let go.
    func close(document: String) {
        readBy[document] = nil
        let stillRead = Set(readBy.values.joined())
        for path in data.stores.keys where !stillRead.contains(path) { data.stores[path] = nil }
        if let p = data.profile, !stillRead.contains(p.path) { data.profile = nil }
        sampled = sampled.filter { entry in
            stillRead.contains(entry.key.hasPrefix("users:") ? String(entry.key.dropFirst(6)) : entry.key)
        }
    }
}
