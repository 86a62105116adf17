// libFuzzer target: the event-time parser (Sources/FunnelEngine/Read/Timestamps.swift) on the
// exact bytes (so AddressSanitizer sees any read past a field), in one of four time zones
// chosen by the first byte. Besides not crashing, it checks two promises of the parser:
// its one-entry date cache never changes an answer, and spaces around a time are ignored.
import FunnelEngine

let zones: [String?] = [nil, "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimestamps(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data = data, size >= 1 else { return 0 }
    let zone = zones[Int(data[0] & 3)]
    let text = data + 1, n = size - 1

    var fresh = TimestampParser(timezone: zone)
    let first = fresh.parse(text, n)
    // The same parser again: the date now comes from its cache.
    let again = fresh.parse(text, n)
    if first != again { fatalError("cached parse differs: \(String(describing: first)) then \(String(describing: again))") }

    // Surrounded by spaces, in a buffer of exactly that size.
    let padded = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 2)
    defer { padded.deallocate() }
    padded[0] = 32
    padded.advanced(by: 1).update(from: text, count: n)
    padded[n + 1] = 32
    var other = TimestampParser(timezone: zone)
    let spaced = other.parse(UnsafePointer(padded), n + 2)
    if spaced != first { fatalError("spaces change the time: \(String(describing: first)) vs \(String(describing: spaced))") }

    // The command line's `--as-of` path (a String, NUL-terminated copy).
    _ = parseTimeText(String(decoding: UnsafeBufferPointer(start: text, count: n), as: UTF8.self))
    return 0
}
