import Foundation
import FunnelDriver
import FunnelTestSupport
import Testing

/// Findings of `make sanitize`. These pass in a plain build; ThreadSanitizer (`make
/// sanitize-thread` runs this suite) fails them if the shared state comes back.
struct SanitizerRegressionTests {
    /// Every compile wrote the phase clock (`Phases.last`, for FUNNEL_PHASES=1) unguarded, so two
    /// compiles on two threads (the test runner, a host embedding the driver) raced on it.
    @Test func compilesOnSeveralThreadsAtOnceShareNoState() {
        let path = TestSupport.repo + "/examples/aida.funnel"
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let c = Driver.compile(path: path, load: false)
            if c.hasErrors || c.funnelNames.isEmpty { failures.add() }
        }
        #expect(failures.count == 0)
    }

    /// The Ctrl-C flag was a plain word: sessions resetting it on their threads (every input does)
    /// while the loader's and the runner's workers read it raced (seen with REPL sessions in
    /// parallel tests). Only resets here: a request would cancel other tests' loads.
    @Test func theCancellationFlagIsReadAndResetOnSeveralThreads() {
        let started = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            // Both threads run at once (the other may not have started: wait for it, briefly).
            started.add()
            var spins = 0
            while started.count < 2 && spins < 1_000_000 { spins += 1 }
            for _ in 0..<20_000 {
                if i == 0 { Driver.resetCancellation() } else { _ = Driver.cancellationRequested }
            }
        }
        Driver.resetCancellation()
        #expect(!Driver.cancellationRequested)
    }
}

/// A counter several threads may bump.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var count: Int { lock.withLock { n } }
}
