// libFuzzer target: the bytes as a JSON Lines events file, through the loader, the driver, the
// users table reader and `funnel init` (Fuzz/FuzzReaders/ReaderFuzz.swift). `make fuzz` builds and runs it.
import FuzzReaders

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ReaderFuzz.run(data, size, format: "jsonl")
    return 0
}
