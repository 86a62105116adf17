#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FunnelDiagnostics

/// A read-only memory map of a whole file: readers scan its bytes without copying.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let base: UnsafePointer<UInt8>
    public let count: Int
    private let mapped: Bool
    /// The open file, kept to compare its size and modification time after reading.
    private let descriptor: Int32
    private let sizeAtOpen: Int
    private let modifiedAtOpen: timespec
    /// This mapping's slot in `TruncationGuard`'s table, nil when unguarded.
    private var guardSlot: Int?

    /// 3 when the file starts with a UTF-8 byte-order mark (skipped by both readers), else 0.
    public var byteOrderMarkLength: Int {
        count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
    }

    public init(path: String) throws {
        self.path = path
        // Probed before opening: opening a FIFO with no writer would block forever.
        if let why = FileProbe.problem(with: path) {
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "cannot read data file: \(why)", at: .file(path: path),
                                               help: "check the path; relative paths are resolved from the .funnel file's folder")])
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else {
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "cannot open data file: \(FileProbe.reason(errno: errno))", at: .file(path: path),
                                               help: "check the path; relative paths are resolved from the .funnel file's folder")])
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "not a regular file", at: .file(path: path))])
        }
        let size = Int(st.st_size)
        guard size > 0 else {
            close(fd)
            throw DiagnosticsError([Diagnostic(.error, .noRows, "the data file is empty", at: .file(path: path),
                                               help: "a CSV file needs a header line and at least one row")])
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            close(fd)
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "cannot map data file into memory", at: .file(path: path))])
        }
        madvise(p, size, MADV_SEQUENTIAL)
        self.base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
        self.count = size
        self.mapped = true
        self.descriptor = fd
        self.sizeAtOpen = size
        self.modifiedAtOpen = st.st_mtim
        self.guardSlot = TruncationGuard.register(base: p, count: size)
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) }
        if let slot = guardSlot { TruncationGuard.unregister(slot) }
        close(descriptor)
    }

    /// Throws E412 when the file was truncated or rewritten in place since it was mapped: what was
    /// read from it is then not one version of the file. (A file replaced by a new one, as editors
    /// and `mv` do, leaves the mapping on the old version, which stays whole.)
    public func checkUnchanged() throws {
        var st = stat()
        let faulted = guardSlot.map(TruncationGuard.changed) ?? false
        let rewritten = fstat(descriptor, &st) == 0
            && (Int(st.st_size) != sizeAtOpen || st.st_mtim.tv_sec != modifiedAtOpen.tv_sec || st.st_mtim.tv_nsec != modifiedAtOpen.tv_nsec)
        guard faulted || rewritten else { return }
        throw DiagnosticsError([Diagnostic(.error, .dataFileChanged, "the file changed while it was being read (it is now \(formatCount(Int(st.st_size))) bytes, was \(formatCount(sizeAtOpen)))",
                                           at: .file(path: path), help: "run again once whatever writes the file has finished, or read a copy of it")])
    }

    /// Tells the kernel the pages of a parsed range are no longer needed, so they leave our
    /// resident memory; they are read again from the file if an error message needs them.
    public func release(from: Int, to: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (from + page - 1) / page * page, hi = to / page * page
        if hi > lo { madvise(UnsafeMutableRawPointer(mutating: base + lo), hi - lo, MADV_DONTNEED) }
    }


    /// 1-based line and column (in characters) of a byte offset; for error messages only.
    public func location(of offset: Int) -> (line: Int, column: Int, text: String) {
        var line = 1, lineStart = 0
        let end = min(offset, count)
        var i = 0
        while i < end {
            if base[i] == 10 { line += 1; lineStart = i + 1 }
            i += 1
        }
        var lineEnd = lineStart
        while lineEnd < count && base[lineEnd] != 10 && base[lineEnd] != 13 { lineEnd += 1 }
        let prefix = UnsafeBufferPointer(start: base + lineStart, count: max(0, end - lineStart))
        let column = String(decoding: prefix, as: UTF8.self).count + 1
        let text = String(decoding: UnsafeBufferPointer(start: base + lineStart, count: lineEnd - lineStart), as: UTF8.self)
        return (line, column, text)
    }

    /// A data diagnostic located at a byte offset.
    public func diagnostic(_ code: DiagnosticCode, _ message: String, at offset: Int, help: String? = nil) -> Diagnostic {
        let (line, col, text) = location(of: offset)
        return Diagnostic(.error, code, message, at: .data(path: path, line: line, column: col, lineText: text), help: help)
    }
}
