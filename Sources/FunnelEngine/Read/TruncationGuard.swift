#if canImport(Glibc)
import Glibc
#endif

/// Survives a mapped data file being truncated while it is read. Touching a page past the new
/// end of a mapped file raises SIGBUS, which would kill the process; instead, the handler maps
/// zero-filled memory over the rest of that mapping (one signal per file, whatever its size),
/// marks the file as changed, and lets the read go on. The loader then asks `changed(slot)`
/// and reports E412 instead of numbers computed from zeros.
///
/// Mapped ranges live in a fixed table of plain integers, written under a lock and read by the
/// handler without one (a signal handler may not lock); a fault outside every range restores
/// the default action, so a real bug still crashes where it happened.
enum TruncationGuard {
    static let slotCount = 256
    /// Per slot: start address, end address (exclusive), changed flag. 0 start = free slot.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: slotCount * 3)
        p.initialize(repeating: 0, count: slotCount * 3)
        return p
    }()
    nonisolated(unsafe) static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    static let lock = NSLockLike()
    nonisolated(unsafe) static var installed = false

    /// Records a mapping; the returned slot is given back to `unregister`. nil when the table is full
    /// (then that file is read unguarded, as before).
    static func register(base: UnsafeRawPointer, count: Int) -> Int? {
        lock.locked {
            _ = table
            _ = pageSize
            if !installed { install(); installed = true }
            for slot in 0..<slotCount where table[slot * 3] == 0 {
                table[slot * 3 + 1] = Int(bitPattern: base) + count
                table[slot * 3 + 2] = 0
                table[slot * 3] = Int(bitPattern: base)
                return slot
            }
            return nil
        }
    }

    static func unregister(_ slot: Int) {
        lock.locked { table[slot * 3] = 0; table[slot * 3 + 1] = 0; table[slot * 3 + 2] = 0 }
    }

    /// True once a read of this slot's mapping has faulted past the file's end.
    static func changed(_ slot: Int) -> Bool { table[slot * 3 + 2] != 0 }

    private static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { _, info, _ in
            let address = Int(bitPattern: info?.pointee._sifields._sigfault.si_addr)
            let table = TruncationGuard.table
            for slot in 0..<TruncationGuard.slotCount {
                let lo = table[slot * 3], hi = table[slot * 3 + 1]
                guard lo != 0, address >= lo, address < hi else { continue }
                let page = address & ~(TruncationGuard.pageSize - 1)
                let rest = hi - page
                let zeros = mmap(UnsafeMutableRawPointer(bitPattern: page), rest, PROT_READ,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                if zeros == MAP_FAILED { break }
                table[slot * 3 + 2] = 1
                return
            }
            signal(SIGBUS, SIG_DFL)   // not ours: fault again, and crash as without the guard
        }
        action.sa_flags = SA_SIGINFO
        sigemptyset(&action.sa_mask)
        sigaction(SIGBUS, &action, nil)
    }
}
