#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a path cannot be read as a file, found with `stat` before anything opens it: opening a
/// FIFO with no writer for reading blocks forever, and "file not found" for a symbolic-link
/// loop or a directory sends the user looking for the wrong thing.
public enum FileProbe {
    /// nil when `path` is a readable regular file (symbolic links followed); otherwise the reason,
    /// phrased to follow "cannot read 'PATH': ".
    public static func problem(with path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return reason(errno: errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "it is a folder, not a file"
        case S_IFIFO: return "it is a named pipe (FIFO); funnel reads regular files only (save the stream to a file first)"
        case S_IFSOCK: return "it is a socket; funnel reads regular files only"
        case S_IFCHR, S_IFBLK: return "it is a device; funnel reads regular files only"
        default: return "it is not a regular file"
        }
        return access(path, R_OK) == 0 ? nil : reason(errno: errno)
    }

    /// The `stat`/`open` failures users meet, in words; anything else as the C library says it.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "file not found"
        case ELOOP: return "a loop of symbolic links (a link that points back to itself)"
        case EACCES: return "permission denied"
        case ENOTDIR: return "a part of the path is not a folder"
        case ENAMETOOLONG: return "the path is too long"
        default: return String(cString: strerror(code)).lowercased()
        }
    }
}
