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

    /// 3 when the file starts with a UTF-8 byte-order mark (skipped by both readers), else 0.
    public var byteOrderMarkLength: Int {
        count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
    }

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let why = String(cString: strerror(errno))
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "cannot open data file: \(why.lowercased())", at: .file(path: path),
                                               help: "check the path; relative paths are resolved from the .funnel file's folder")])
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "not a regular file", at: .file(path: path))])
        }
        let size = Int(st.st_size)
        guard size > 0 else {
            throw DiagnosticsError([Diagnostic(.error, .noRows, "the data file is empty", at: .file(path: path),
                                               help: "a CSV file needs a header line and at least one row")])
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DiagnosticsError([Diagnostic(.error, .dataFileUnreadable, "cannot map data file into memory", at: .file(path: path))])
        }
        madvise(p, size, MADV_SEQUENTIAL)
        self.base = UnsafePointer(p.assumingMemoryBound(to: UInt8.self))
        self.count = size
        self.mapped = true
    }

    deinit { if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) } }

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
