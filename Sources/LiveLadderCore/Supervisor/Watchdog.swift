import Foundation

/// Looks at every rendition ten times a second: one whose input keeps coming but which has handled nothing
/// for `timeout` seconds is stalled, and is handed to its restart policy (`RenditionWorker.stalled`).
/// Checking often acts on a stall within 0.1 s of the timeout rather than up to half a second later, which
/// could miss the next segment boundary and cost a segment more.
///
/// The time counted is the time the process really ran, not the wall clock: each look adds the time since
/// the previous one, but never more than two periods. A process that was paused (SIGSTOP, a frozen
/// container, a host that did not schedule it for seconds) paused its renditions and their input alike;
/// the wall clock jumping meanwhile is no stall, and restarting renditions for it lost whole segments of a
/// file transcode. A rendition that is really stuck while its siblings and its input go on still adds up
/// to the timeout in time the process ran.
///
/// `@unchecked Sendable`: `running` and `lastLook` are guarded by `lock`; the workers are thread-safe for their probes.
final class Watchdog: @unchecked Sendable {
    static let period = 0.1
    private let lock = NSLock()
    private var running = true
    private var lastLook = ProcessInfo.processInfo.systemUptime

    init(workers: [RenditionWorker], timeout: Double) {
        let thread = Thread { [self] in
            var account = StallAccount(count: workers.count)
            var last = ProcessInfo.processInfo.systemUptime
            while lock.withLock({ running }) {
                let now = ProcessInfo.processInfo.systemUptime
                lock.withLock { lastLook = now }
                let elapsed = min(now - last, 2 * Self.period)
                last = now
                for (index, worker) in workers.enumerated() {
                    let probe = worker.stallProbe
                    if account.look(index, progress: probe.progress, waiting: probe.waiting, elapsed: elapsed) > timeout {
                        worker.stalled(since: probe.progress, timeout: timeout)
                        account.reset(index)
                    }
                }
                Thread.sleep(forTimeInterval: Self.period)
            }
        }
        thread.name = "watchdog"
        thread.start()
    }

    func stop() { lock.withLock { running = false } }

    /// Seconds since the watchdog last looked (`/livez`: the supervisor is alive).
    var secondsSinceLastLook: Double { lock.withLock { ProcessInfo.processInfo.systemUptime - lastLook } }
}

/// Per rendition: for how long (in counted time) it has made no progress while input waited for it.
struct StallAccount {
    private var progress: [Int?]
    private var stalledFor: [Double]

    init(count: Int) {
        progress = Array(repeating: nil, count: count)
        stalledFor = Array(repeating: 0, count: count)
    }

    /// Records one look and returns the time without progress so far.
    mutating func look(_ index: Int, progress now: Int, waiting: Bool, elapsed: Double) -> Double {
        if progress[index] != now || !waiting {
            progress[index] = now
            stalledFor[index] = 0
        } else {
            stalledFor[index] += elapsed
        }
        return stalledFor[index]
    }

    mutating func reset(_ index: Int) {
        progress[index] = nil
        stalledFor[index] = 0
    }
}
