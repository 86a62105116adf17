import CFuzzerDriver
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Folders a target made for its inputs, removed when libFuzzer exits normally (after a crash
/// they stay, with the last input in them).
nonisolated(unsafe) private var foldersToRemove: [String] = []

/// Removes `folder` (and what is in it) when the process exits.
public func removeAtExit(_ folder: String) {
    if foldersToRemove.isEmpty {
        atexit { for f in foldersToRemove { try? FileManager.default.removeItem(atPath: f) } }
    }
    foldersToRemove.append(folder)
}

/// A folder of this process's own, `<tmpfs or temporary folder>/<prefix>-<pid>-XXXXXX`, removed at
/// exit. libFuzzer leaves on a crash, a timeout or an interrupt (Ctrl-C, SIGTERM: exit code 72)
/// without running the exit handlers, so the folders of `prefix` whose process is gone are removed
/// here first. Nil when no folder can be made.
public func privateFolder(prefix: String) -> String? {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] where name.hasPrefix(prefix + "-") {
        let fields = name.dropFirst(prefix.count + 1).split(separator: "-")
        guard fields.count == 2, let pid = pid_t(fields[0]), pid > 0 else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: base + "/" + name) }
    }
    var template = Array("\(base)/\(prefix)-\(getpid())-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { return nil }
    let folder = String(cString: made)
    removeAtExit(folder)
    return folder
}

/// A fuzz target's test function, as libFuzzer calls it.
public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// libFuzzer's argv, kept in a global: the process exits without returning from `fuzzMain`, and
/// LeakSanitizer (on when a target is run by hand) would report memory only a dead frame held.
nonisolated(unsafe) private var arguments: [UnsafeMutablePointer<CChar>?] = []

/// The command line with relative paths made absolute: the REPL target changes the working folder.
func absoluteArguments() -> [String] {
    let here = FileManager.default.currentDirectoryPath
    func absolute(_ path: String) -> String { path.hasPrefix("/") || here.isEmpty ? path : here + "/" + path }
    let pathFlags = ["-artifact_prefix=", "-exact_artifact_path=", "-dict=", "-features_dir=", "-merge_control_file="]
    return CommandLine.arguments.enumerated().map { i, a -> String in
        if i == 0 { return a }
        if !a.hasPrefix("-") { return absolute(a) }
        for flag in pathFlags where a.hasPrefix(flag) && a.count > flag.count { return flag + absolute(String(a.dropFirst(flag.count))) }
        return a
    }
}

/// Swift's runtime backtracer handles the crash signals from start-up (SIGILL, a Swift trap,
/// among them), and libFuzzer leaves a handler it finds in place: a trap then ended the process
/// with status 132 and the backtrace, without libFuzzer's report, its exit status (77) or the
/// crashing input saved. So a target runs itself again without the backtracer, unless
/// SWIFT_BACKTRACE is set (then as it says).
func runWithoutSwiftBacktracer() {
    #if os(Linux)
    guard getenv("SWIFT_BACKTRACE") == nil else { return }
    setenv("SWIFT_BACKTRACE", "enable=no", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // exec failed: go on as the process is.
    #endif
}

/// Runs libFuzzer on `test` with the command line's arguments (corpus folders, -max_len=...,
/// -runs=..., or files to replay), then exits with libFuzzer's status. `setUp` runs once before
/// the first input, after relative paths in the arguments were made absolute (it may change the
/// working folder); what it returns is an error: printed, and the process exits with status 2.
public func fuzzMain(_ test: FuzzTest, setUp: () -> String? = { nil }) -> Never {
    runWithoutSwiftBacktracer()
    arguments = absoluteArguments().map { strdup($0) } + [nil]
    if let problem = setUp() {
        fputs("fuzz target set-up failed: \(problem)\n", stderr)
        exit(2)
    }
    var argc = CInt(arguments.count - 1)
    let status = arguments.withUnsafeMutableBufferPointer { buf -> CInt in
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buf.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv, test)
    }
    exit(status)
}
