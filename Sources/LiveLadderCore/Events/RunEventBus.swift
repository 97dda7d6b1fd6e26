import Foundation

/// Something that reads the run's events as they happen, on the emitting thread. It must return at once
/// (update a counter, a gauge, a small state): anything slow belongs behind `RunEventBus.stream`.
public protocol RunObserver: AnyObject, Sendable {
    func observe(_ event: StampedEvent)
}

/// The one stream of run events. `emit` never blocks the pipeline: the event is numbered and queued
/// under a short lock, and whichever thread finds no delivery in progress delivers the queue, so every
/// observer sees every event in the same order, and an observer that emits (the alert rules) only adds
/// to the queue. Slow readers (the events file, Server-Sent Events, systemd) read a bounded
/// `AsyncStream` each: when one falls behind, its oldest undelivered events are dropped and counted,
/// never waited for.
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`.
public final class RunEventBus: @unchecked Sendable {
    private let lock = NSLock()
    private var observers: [RunObserver] = []
    private var streams: [Int: AsyncStream<StampedEvent>.Continuation] = [:]
    private var nextStream = 0
    private var sequence = 0
    private var pending: [StampedEvent] = []
    private var delivering = false
    private var dropped = 0
    private var finished = false

    public init() {}

    /// Adds an observer that sees every event emitted from now on.
    public func add(_ observer: RunObserver) {
        lock.withLock { observers.append(observer) }
    }

    /// A stream of every event emitted from now on, holding at most `capacity` undelivered events.
    public func stream(capacity: Int = 1024) -> AsyncStream<StampedEvent> {
        let (stream, continuation) = AsyncStream<StampedEvent>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        let key: Int? = lock.withLock {
            guard !finished else { return nil }
            nextStream += 1
            streams[nextStream] = continuation
            return nextStream
        }
        guard let key else {
            continuation.finish()
            return stream
        }
        // Strong: the bus and the stream hold each other until the reader goes or `finish()` ends every
        // stream, and either removes the entry. (A weak reference's side table is also invisible to
        // LeakSanitizer, which then reports it at exit.)
        continuation.onTermination = { _ in
            _ = self.lock.withLock { self.streams.removeValue(forKey: key) }
        }
        return stream
    }

    public func emit(_ event: RunEvent) {
        let deliver: Bool = lock.withLock {
            guard !finished else { return false }
            sequence += 1
            pending.append(StampedEvent(sequence: sequence, time: Date(), event: event))
            if delivering { return false }
            delivering = true
            return true
        }
        guard deliver else { return }
        while true {
            let (batch, targets): ([StampedEvent], [RunObserver]) = lock.withLock {
                let batch = pending
                pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { delivering = false }
                return (batch, observers)
            }
            if batch.isEmpty { return }
            for stamped in batch {
                for observer in targets { observer.observe(stamped) }
                let continuations = lock.withLock { Array(streams.values) }
                var lost = 0
                for continuation in continuations {
                    if case .dropped = continuation.yield(stamped) { lost += 1 }
                }
                if lost > 0 { lock.withLock { dropped += lost } }
            }
        }
    }

    /// Events dropped because a stream reader fell behind (`liveladder_events_dropped_total`).
    public var droppedCount: Int { lock.withLock { dropped } }

    /// Events emitted so far.
    public var emittedCount: Int { lock.withLock { sequence } }

    /// Ends every stream (after the last event): readers finish what they hold, then see the end. The
    /// observers are let go too: nothing reaches them any more, and one that holds the bus (to emit into
    /// it) would otherwise keep both alive.
    public func finish() {
        let continuations: [AsyncStream<StampedEvent>.Continuation] = lock.withLock {
            finished = true
            observers.removeAll()
            defer { streams.removeAll() }
            return Array(streams.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
