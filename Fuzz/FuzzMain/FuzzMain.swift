import CFuzzerDriver
#if canImport(Glibc)
import Glibc
#endif

/// A fuzz target's test function, as libFuzzer calls it.
public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `test` with the command line's arguments (corpus folders, -max_len=...,
/// -runs=..., or files to replay), then exits with libFuzzer's status. Relative paths on the
/// command line are made absolute first: the REPL target changes the working folder.
public func fuzzMain(_ test: FuzzTest) -> Never {
    var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let here = getcwd(&cwd, cwd.count) != nil ? String(cString: cwd) : ""
    func absolute(_ path: String) -> String { path.hasPrefix("/") || here.isEmpty ? path : here + "/" + path }
    let pathFlags = ["-artifact_prefix=", "-exact_artifact_path=", "-dict=", "-features_dir=", "-merge_control_file="]
    let args = CommandLine.arguments.enumerated().map { i, a -> String in
        if i == 0 { return a }
        if !a.hasPrefix("-") { return absolute(a) }
        for flag in pathFlags where a.hasPrefix(flag) && a.count > flag.count { return flag + absolute(String(a.dropFirst(flag.count))) }
        return a
    }
    var argc = CInt(args.count)
    var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    let status = cArgs.withUnsafeMutableBufferPointer { buf -> CInt in
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buf.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv, test)
    }
    exit(status)
}
