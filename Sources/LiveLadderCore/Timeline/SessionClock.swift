import Foundation

/// Maps output PTS to the wall clock for one input session (EXT-X-PROGRAM-DATE-TIME).
///
/// A frame's wall-clock time is when it reached ingest. The first frames of a session do not show that:
/// probing the input reads ahead, so they come out of the decoder in a burst, later than they arrived.
/// Frames of a live input arrive in real time, so "arrival − media time" is smallest, and closest to the
/// truth, for the frames that were not held up. The clock keeps that minimum until a playlist first needs a
/// date, then freezes it, so every PROGRAM-DATE-TIME of the session advances exactly with EXTINF (rule MP9).
///
/// `@unchecked Sendable`: both fields are guarded by `lock`; ingest observes, renditions ask for dates.
final class SessionClock: @unchecked Sendable {
    private let lock = NSLock()
    /// Wall-clock seconds (since 1970) minus media seconds, smallest seen.
    private var offset: Double?
    private var frozen = false
    /// The previous session ended here (wall-clock seconds minus media seconds): never start earlier, so
    /// PROGRAM-DATE-TIME keeps going forward across a discontinuity.
    private let floor: Double?

    init(notBefore previous: (pts: Int64, date: Date)? = nil) {
        floor = previous.map { $0.date.timeIntervalSince1970 - Double($0.pts) / 90_000 }
    }

    /// A clock that ignores arrival times: the frame at `pts` is at `date` (`run --deterministic`, whose
    /// PROGRAM-DATE-TIME must be the same in every run).
    init(fixed date: Date, at pts: Int64) {
        floor = nil
        offset = date.timeIntervalSince1970 - Double(pts) / 90_000
        frozen = true
    }

    /// A frame at `pts` (output ticks) reached ingest at `date`.
    func observe(pts: Int64, at date: Date) {
        lock.withLock {
            guard !frozen else { return }
            let candidate = date.timeIntervalSince1970 - Double(pts) / 90_000
            offset = min(offset ?? candidate, candidate)
        }
    }

    /// The wall-clock time of the frame at `pts`; from the first call on, the mapping no longer moves.
    func date(for pts: Int64) -> Date {
        lock.withLock {
            frozen = true
            var base = offset ?? (Date().timeIntervalSince1970 - Double(pts) / 90_000)
            if let floor { base = max(base, floor) }
            offset = base
            return Date(timeIntervalSince1970: base + Double(pts) / 90_000)
        }
    }
}
