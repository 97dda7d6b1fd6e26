import Foundation

/// What ingest knows about its input that the run's progress sample reports: bytes read, whether a
/// session is delivering, time lost, the slate, the source's keyframe interval. Written by the ingest
/// thread, read by the sampler.
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`.
final class IngestStats: @unchecked Sendable {
    private let lock = NSLock()
    private var bytesOfEndedSessions: Int64 = 0
    private var bytesOfSession: Int64 = 0
    private var connected = false
    private var lostSince: Date?
    private var lostSeconds: Double = 0
    private var slateSince: Date?
    private var slateSeconds: Double = 0
    private var lastKeyframe: Double?
    private var keyframeInterval: Double?
    private var damaged = 0

    struct Reading {
        var bytes: Int64
        var connected: Bool
        var lossSeconds: Double
        var slateActive: Bool
        var slateSeconds: Double
        var keyframeInterval: Double?
        var damagedPackets: Int
    }

    func damagedPacket() { lock.withLock { damaged += 1 } }

    func sessionStarted() {
        lock.withLock {
            connected = true
            if let since = lostSince { lostSeconds += Date().timeIntervalSince(since) }
            lostSince = nil
            lastKeyframe = nil
        }
    }

    /// The session's own byte count (it restarts at 0 with each session's I/O context).
    func sessionBytes(_ bytes: Int64) { lock.withLock { bytesOfSession = bytes } }

    func sessionLost() {
        lock.withLock {
            connected = false
            bytesOfEndedSessions += bytesOfSession
            bytesOfSession = 0
            if lostSince == nil { lostSince = Date() }
        }
    }

    /// The input ended for good (end of a file, a stop): not a loss.
    func sessionEnded() {
        lock.withLock {
            connected = false
            bytesOfEndedSessions += bytesOfSession
            bytesOfSession = 0
        }
    }

    /// A source keyframe at `seconds` of input time: the interval since the previous one.
    func keyframe(at seconds: Double) {
        lock.withLock {
            if let last = lastKeyframe, seconds > last, seconds - last < 3600 { keyframeInterval = seconds - last }
            lastKeyframe = seconds
        }
    }

    func slateStarted() { lock.withLock { slateSince = Date() } }

    /// The slate went off air: how long it was on.
    func slateEnded() -> Double {
        lock.withLock {
            guard let since = slateSince else { return 0 }
            let seconds = Date().timeIntervalSince(since)
            slateSeconds += seconds
            slateSince = nil
            return seconds
        }
    }

    var reading: Reading {
        lock.withLock {
            let now = Date()
            return Reading(bytes: bytesOfEndedSessions + bytesOfSession, connected: connected,
                           lossSeconds: lostSeconds + (lostSince.map { now.timeIntervalSince($0) } ?? 0),
                           slateActive: slateSince != nil,
                           slateSeconds: slateSeconds + (slateSince.map { now.timeIntervalSince($0) } ?? 0),
                           keyframeInterval: keyframeInterval, damagedPackets: damaged)
        }
    }
}
