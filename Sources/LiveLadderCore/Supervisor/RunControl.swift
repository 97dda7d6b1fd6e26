import Foundation
import FFmpegKit
import Logging

/// What every part of a run can ask of the run as a whole: stop (a signal, or every video rendition
/// failed), log a supervision event, emit a run event, and — for the `stall` test fault — hang a rendition's thread until
/// the watchdog has replaced it.
///
/// `@unchecked Sendable`: mutable state is guarded by `lock`.
final class RunControl: @unchecked Sendable {
    enum StopReason: Sendable, Equatable {
        /// SIGINT or SIGTERM: finish cleanly.
        case signal
        /// No video rendition is left.
        case allRenditionsFailed
    }

    private let lock = NSLock()
    private var reason: StopReason?
    private var stalls: [String: DispatchSemaphore] = [:]
    let interrupt: InterruptGuard
    private let logger: Logger
    /// The run's one event stream: every part of the pipeline says what happened here.
    let events: RunEventBus

    init(interrupt: InterruptGuard, logger: Logger, events: RunEventBus) {
        self.interrupt = interrupt
        self.logger = logger
        self.events = events
    }

    func emit(_ event: RunEvent) { events.emit(event) }

    /// Stops reading the input; ingest then ends the stream cleanly.
    func stop(because reason: StopReason) {
        lock.withLock { if self.reason == nil { self.reason = reason } }
        interrupt.cancel()
    }

    var stopReason: StopReason? { lock.withLock { reason } }

    func log(_ message: String) { logger.warning("\(message)") }

    /// The `stall` fault: blocks the calling rendition thread, as a hung encoder would, until `release`.
    func stall(rendition: String) {
        let semaphore = DispatchSemaphore(value: 0)
        lock.withLock { stalls[rendition] = semaphore }
        semaphore.wait()
    }

    /// The watchdog gave up on the stalled thread: let it go (it exits without touching anything).
    func release(rendition: String) {
        let semaphore = lock.withLock { stalls.removeValue(forKey: rendition) }
        semaphore?.signal()
    }
}
