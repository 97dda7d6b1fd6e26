import Foundation

/// Every segment boundary ingest decided, by media sequence number: where each segment starts and how
/// long it lasts. A rendition that missed segments while it restarted lists them as `EXT-X-GAP` entries
/// with exactly these numbers and durations, the same as its siblings' real segments (rules MP7, MP8).
///
/// `@unchecked Sendable`: all state is guarded by `lock`; ingest writes, renditions read.
final class SegmentRegistry: @unchecked Sendable {
    struct Entry: Sendable {
        let pts: Int64
        let discontinuity: Bool
        let clock: SessionClock
        var end: Int64?
        /// Made by `fill`: a span the whole ladder missed, not one a rendition lost to a restart.
        var filled = false
    }

    private let lock = NSLock()
    private var entries: [Int: Entry] = [:]
    private var last: Int?
    private var base: Int?

    /// Epoch lock: the EXT-X-DISCONTINUITY-SEQUENCE a fresh playlist starts from, derived from the input
    /// session (`SessionMapping.discontinuityBase`), so instances that saw the same session agree. nil: 0.
    var discontinuityBase: Int? {
        get { lock.withLock { base } }
        set { lock.withLock { base = newValue } }
    }

    func begin(_ boundary: SegmentBoundary) {
        lock.withLock {
            if let last, entries[last]?.end == nil { entries[last]?.end = boundary.pts }
            entries[boundary.number] = Entry(pts: boundary.pts, discontinuity: boundary.discontinuity, clock: boundary.clock)
            last = boundary.number
            // Only a window's worth of history is ever asked for.
            if entries.count > 4096, let oldest = entries.keys.min() { entries[oldest] = nil }
        }
    }

    /// Epoch lock: segments `first…last` of the grid that no input covers (the outage between two sessions,
    /// the downtime of a process that crashed and resumed) are finished segments all the same, each D long
    /// where `start(n)` says, so every rendition lists them as GAP entries with stand-ins and the media
    /// sequence stays the grid index. The first carries the discontinuity, if there is one.
    func fill(from first: Int, to last: Int, discontinuity: Bool, clock: SessionClock, start: (Int) -> Int64) {
        guard first <= last else { return }
        for number in first...last {
            begin(SegmentBoundary(number: number, pts: start(number), nextGridTime: start(number + 1),
                                  discontinuity: discontinuity && number == first, clock: clock, previousSegmentInputEnd: nil))
            lock.withLock { entries[number]?.filled = true }
        }
        end(at: start(last + 1))
    }

    /// The open segment ends here (a session end, or the end of the stream).
    func end(at pts: Int64) {
        lock.withLock {
            if let last, entries[last]?.end == nil { entries[last]?.end = pts }
        }
    }

    /// A finished segment, as a GAP entry names it (and a stand-in at its URI covers it).
    struct Gap {
        let pts: Int64
        let durationTicks: Int64
        let discontinuity: Bool
        let date: Date
        /// A span the whole ladder missed (`fill`).
        let filled: Bool
        var duration: Double { Double(durationTicks) / 90_000 }
    }

    func gap(_ number: Int) -> Gap? {
        lock.withLock {
            guard let entry = entries[number], let end = entry.end else { return nil }
            return Gap(pts: entry.pts, durationTicks: end - entry.pts, discontinuity: entry.discontinuity,
                       date: entry.clock.date(for: entry.pts), filled: entry.filled)
        }
    }

    /// The number of the newest segment that has ended.
    var lastFinished: Int? {
        lock.withLock {
            guard let last else { return nil }
            return entries[last]?.end != nil ? last : last - 1
        }
    }

    var first: Int? { lock.withLock { entries.keys.min() } }
}
