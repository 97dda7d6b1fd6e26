import Foundation

/// Emits the run's counters as a `progress` event about once a second, and once more when stopped, so
/// every observer's counters end equal to the run's. What it samples changes as the run is assembled
/// (before the input opens there is only the ingest heartbeat), so the source is swappable.
///
/// `@unchecked Sendable`: `source` and `running` are guarded by `lock`.
final class RunSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var source: @Sendable () -> RunSnapshot
    private var running = true
    private let stopped = DispatchSemaphore(value: 0)
    private let events: RunEventBus

    init(events: RunEventBus, period: Double = 1, source: @escaping @Sendable () -> RunSnapshot) {
        self.events = events
        self.source = source
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                events.emit(.progress(sample()))
                // Sleep in short steps so `stop()` returns quickly.
                let until = Date().addingTimeInterval(period)
                while lock.withLock({ running }) && Date() < until { Thread.sleep(forTimeInterval: 0.05) }
            }
            stopped.signal()
        }
        thread.name = "sampler"
        thread.start()
    }

    func sample(from source: @escaping @Sendable () -> RunSnapshot) { lock.withLock { self.source = source } }

    private func sample() -> RunSnapshot { lock.withLock { source }() }

    /// Stops sampling and emits the last sample. Idempotent.
    func stop() {
        let was = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        guard was else { return }
        stopped.wait()
        events.emit(.progress(sample()))
    }
}
