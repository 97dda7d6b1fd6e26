import Foundation

/// What an epoch-locked run (`--epoch-lock`, docs/redundancy.md) gives its feed: the wall-clock grid,
/// where a resumed run must go on from, and where to record each input session's mapping.
struct EpochLock: Sendable {
    let grid: EpochGrid
    /// A resumed run's playlists end before this segment: the first segment it makes is this one or later.
    let notBefore: Int64?
    /// The mapping (`SessionMapping.offset`) of the input session the resumed run was in when it stopped,
    /// from the output folder's marker. The same mapping now means the same input session: the output
    /// goes on without a discontinuity, as the other instance's did.
    let resumedSession: Int64?
    /// Called once per input session, when its mapping is frozen (the marker records it).
    let record: @Sendable (Int64) -> Void

    /// T0 as a date: PROGRAM-DATE-TIME is T0 plus the output timestamp.
    var epochDate: Date { Date(timeIntervalSince1970: Double(grid.epochMilliseconds) / 1000) }
}
