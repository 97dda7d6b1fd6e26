internal import CFFmpeg
import Foundation

/// Bounds every blocking libavformat call on a network input: FFmpeg polls the interrupt callback while
/// it waits (open, accept, read), and gives up with AVERROR_EXIT once the deadline passes or `cancel()` is
/// called. No read ever blocks forever on a silent publisher.
///
/// `@unchecked Sendable`: the deadline and the cancel flag are guarded by `lock`; FFmpeg calls the callback
/// on the thread doing the blocking call, while `cancel()` may come from any thread.
public final class InterruptGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var deadline: Date?
    private var cancelled = false
    private var lastAsked = ProcessInfo.processInfo.systemUptime
    /// Why the last interrupted call gave up.
    public enum Reason: Sendable { case timedOut, cancelled }

    public init() {}

    /// Allows the next blocking call `seconds` (nil: no limit).
    public func arm(seconds: Double?) {
        lock.withLock { deadline = seconds.map { Date().addingTimeInterval($0) } }
    }

    /// Makes the current and every later blocking call give up.
    public func cancel() {
        lock.withLock { cancelled = true }
    }

    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Seconds since FFmpeg last asked whether to give up: it asks all the time while it reads or waits
    /// in a blocking call, so this says whether the thread reading the input is still alive.
    public var secondsSinceLastAsked: Double {
        lock.withLock { ProcessInfo.processInfo.systemUptime - lastAsked }
    }

    /// Non-nil when a blocking call should give up now.
    public var reason: Reason? {
        lock.withLock {
            lastAsked = ProcessInfo.processInfo.systemUptime
            if cancelled { return .cancelled }
            if let deadline, Date() >= deadline { return .timedOut }
            return nil
        }
    }

    var callback: AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<InterruptGuard>.fromOpaque(opaque).takeUnretainedValue().reason == nil ? 0 : 1
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
