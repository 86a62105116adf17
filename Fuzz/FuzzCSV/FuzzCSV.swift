// libFuzzer target: the bytes as a CSV events file, through the loader, the driver, the users
// table reader and `funnel init` (Fuzz/FuzzReaders/ReaderFuzz.swift). `make fuzz` builds and runs it.
import FuzzReaders

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ReaderFuzz.run(data, size, format: "csv")
    return 0
}
