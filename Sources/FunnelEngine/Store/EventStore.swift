import Dispatch
import FunnelDiagnostics
import FunnelCore

/// Marks a missing string (an empty CSV field, a JSON null or absent key).
public let missingCode: UInt32 = .max
/// Marks a missing time.
public let missingTime: Int64 = .min

/// One materialised property column. Missing values: `missingCode`, NaN, 2, `missingTime`.
public enum ColumnData: Sendable {
    case strings(codes: [UInt32], dictionary: [String])
    case numbers([Double])
    case bools([UInt8])
    case times([Int64])

    public var type: ValueType {
        switch self {
        case .strings: return .string
        case .numbers: return .number
        case .bools: return .bool
        case .times: return .time
        }
    }

    /// The value of row `i` as a language value.
    public func value(at i: Int) -> Value {
        switch self {
        case .strings(let codes, let dict): return codes[i] == missingCode ? .null : .string(dict[Int(codes[i])])
        case .numbers(let xs): return xs[i].isNaN ? .null : .number(xs[i])
        case .bools(let bs): return bs[i] == 2 ? .null : .bool(bs[i] == 1)
        case .times(let ts): return ts[i] == missingTime ? .null : .time(ts[i])
        }
    }
}

/// Rows a reader skipped under `--skip-bad-rows`, by reason, with the first place each occurred.
public struct SkipReport: Sendable {
    public var counts: [String: Int] = [:]
    public var firstPlace: [String: String] = [:]
    public init() {}
    public var total: Int { counts.values.reduce(0, +) }
    public mutating func add(_ reason: String, place: @autoclosure () -> String) {
        if counts[reason] == nil { firstPlace[reason] = place() }
        counts[reason, default: 0] += 1
    }
    public mutating func merge(_ o: SkipReport) {
        for (k, v) in o.counts {
            if counts[k] == nil, let p = o.firstPlace[k] { firstPlace[k] = p }
            counts[k, default: 0] += v
        }
    }
    /// "2 bad timestamps (first at events.csv:17), 1 ragged row (...)"
    public var summary: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key) (first at \(firstPlace[$0.key] ?? "?"))" }.joined(separator: ", ")
    }
}

/// All events of one source, column-wise, in file order.
public final class EventStore: @unchecked Sendable {
    public let path: String
    public let count: Int
    /// Dense actor ids 0..<actorCount, in order of first appearance.
    public let actor: [UInt32]
    public let actorNames: ByteDictionary
    public let time: [Int64]
    public let event: [UInt32]
    public let eventNames: [String]
    public private(set) var properties: [String: ColumnData]
    /// Every column of the file with its inferred type.
    public let schema: DataSchema
    public let skipped: SkipReport

    public var actorCount: Int { actorNames.count }

    init(path: String, actor: [UInt32], actorNames: ByteDictionary, time: [Int64], event: [UInt32], eventNames: [String],
         properties: [String: ColumnData], schema: DataSchema, skipped: SkipReport) {
        self.path = path
        self.count = time.count
        self.actor = actor; self.actorNames = actorNames; self.time = time
        self.event = event; self.eventNames = eventNames; self.properties = properties
        self.schema = schema; self.skipped = skipped
    }

    /// Event names with their counts.
    public lazy var eventCounts: [String: Int] = {
        var c = [Int](repeating: 0, count: eventNames.count)
        for e in event { c[Int(e)] += 1 }
        var out: [String: Int] = [:]
        for (i, n) in eventNames.enumerated() { out[n] = c[i] }
        return out
    }()

    /// A store with the same events and columns (the arrays are shared until written) and none
    /// of the indexes built on this one: a column the copy adopts stays out of this store.
    public func copy() -> EventStore {
        EventStore(path: path, actor: actor, actorNames: actorNames, time: time, event: event, eventNames: eventNames,
                   properties: properties, schema: schema, skipped: skipped)
    }

    /// Takes columns that `other` (the same file, read again) loaded; rows correspond one to one.
    public func adopt(_ names: [String], from other: EventStore) {
        guard other.count == count else { return }
        for n in names { if let c = other.properties[n] { properties[n] = c } }
        propertyIndexes = propertyIndexes.filter { !names.contains($0.key) }
    }

    /// The latest event time (the default "now" of `recency`).
    public lazy var maxTime: Int64 = time.max() ?? 0
    /// The earliest event time (the start of the data range reports show).
    public lazy var minTime: Int64 = time.min() ?? 0

    /// Events grouped by actor and ordered by (time, file order).
    public lazy var byActor: ActorIndex = ActorIndex(self)

    private var propertyIndexes: [String: ActorIndex] = [:]

    /// Events grouped by the distinct values of a property (`count PROPERTY`); rows where it
    /// is missing belong to no group. Built once per property and kept.
    public func index(byProperty name: String) -> ActorIndex? {
        if let done = propertyIndexes[name] { return done }
        guard let column = properties[name] else { return nil }
        var keys: [UInt32]
        var distinct: Int
        switch column {
        case .strings(let codes, let dict): keys = codes; distinct = dict.count
        default:
            // Numbers, booleans and times: a dense code per distinct value.
            var seen: [Value: UInt32] = [:]
            keys = (0..<count).map { i in
                let v = column.value(at: i)
                if v == .null { return missingCode }
                if let c = seen[v] { return c }
                let c = UInt32(seen.count); seen[v] = c; return c
            }
            distinct = seen.count
        }
        let index = ActorIndex(keys: keys, keyCount: distinct, time: time)
        propertyIndexes[name] = index
        return index
    }
}
