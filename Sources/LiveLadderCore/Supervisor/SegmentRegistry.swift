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
    }

    /// Epoch lock: a run of grid segments no input covered (`fill`), kept as one record however long it is.
    private struct Filled {
        let numbers: ClosedRange<Int>
        let discontinuity: Bool
        let clock: SessionClock
        let grid: EpochGrid
    }

    private let lock = NSLock()
    private var entries: [Int: Entry] = [:]
    private var filled: [Filled] = []
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
            // Only a window's worth of history is ever asked for (numbers only grow: drop the oldest half
            // at once rather than search for the oldest at every segment).
            if entries.count > 8192 {
                entries = entries.filter { $0.key > boundary.number - 4096 }
                filled.removeAll { $0.numbers.upperBound <= boundary.number - 4096 }
            }
        }
    }

    /// Epoch lock: segments `first…last` of the grid that no input covers (the outage between two sessions,
    /// the downtime of a process that crashed and resumed) are finished segments all the same, each D long
    /// on `grid`, so every rendition lists them as GAP entries and the media sequence stays the grid index.
    /// The first carries the discontinuity, if there is one. One record, however long the span: a resumed
    /// run may find days of it.
    func fill(from first: Int, to last: Int, discontinuity: Bool, clock: SessionClock, grid: EpochGrid) {
        guard first <= last else { return }
        lock.withLock {
            if let previous = self.last, entries[previous]?.end == nil { entries[previous]?.end = grid.startTicks(ofSegment: Int64(first)) }
            filled.append(Filled(numbers: first...last, discontinuity: discontinuity, clock: clock, grid: grid))
            self.last = last
        }
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
        var filled = false
        var duration: Double { Double(durationTicks) / 90_000 }
    }

    func gap(_ number: Int) -> Gap? {
        lock.withLock {
            if let fill = filled.last(where: { $0.numbers.contains(number) }) {
                let start = fill.grid.startTicks(ofSegment: Int64(number))
                return Gap(pts: start, durationTicks: fill.grid.segmentTicks, discontinuity: fill.discontinuity && number == fill.numbers.lowerBound,
                           date: fill.clock.date(for: start), filled: true)
            }
            guard let entry = entries[number], let end = entry.end else { return nil }
            return Gap(pts: entry.pts, durationTicks: end - entry.pts, discontinuity: entry.discontinuity,
                       date: entry.clock.date(for: entry.pts))
        }
    }

    /// The number of the newest segment that has ended.
    var lastFinished: Int? {
        lock.withLock {
            guard let last else { return nil }
            if filled.last?.numbers.upperBound == last { return last }
            return entries[last]?.end != nil ? last : last - 1
        }
    }

    var first: Int? {
        lock.withLock { [entries.keys.min(), filled.first?.numbers.lowerBound].compactMap { $0 }.min() }
    }
}
