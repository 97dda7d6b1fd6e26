import Foundation

/// Looks at every rendition ten times a second: one whose input keeps coming but which has produced
/// nothing for `timeout` seconds is stalled, and is handed to its restart policy
/// (`RenditionWorker.checkStall`). Checking often acts on a stall within 0.1 s of the timeout rather than
/// up to half a second later, which could miss the next segment boundary and cost a segment more.
///
/// `@unchecked Sendable`: `running` is guarded by `lock`; the workers are thread-safe for `checkStall`.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true

    init(workers: [RenditionWorker], timeout: Double) {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                let now = Date()
                for worker in workers { worker.checkStall(now: now, timeout: timeout) }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        thread.name = "watchdog"
        thread.start()
    }

    func stop() { lock.withLock { running = false } }
}
