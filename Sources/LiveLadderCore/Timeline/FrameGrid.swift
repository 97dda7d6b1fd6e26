/// The output's frame slots: frame k of a session sits at `anchor + round(k × 90000 × den / num)` ticks.
///
/// Sources whose clock is coarser than a frame put their pictures off the grid: FLV (RTMP) stamps in
/// milliseconds, so 30 fps arrives as 0, 33, 67, 100 ms, which at 90 kHz is 2,970 then 3,060 ticks apart. Left
/// as they are, those jittered timestamps reached the fMP4 muxer, which takes each sample's duration from
/// the next one's DTS, and came out as negative durations, segments that overlap and a measured rate of
/// 29.01 fps. Snapping each picture to its nearest slot gives every rendition a constant frame rate, as the
/// master's FRAME-RATE says. Exact rational arithmetic: at 59.94 fps a frame is 1,501.5 ticks, so the slots
/// alternate 1,501 and 1,502 and never drift. Pure, with its own tests.
struct FrameGrid: Sendable, Equatable {
    /// Frames per second as a fraction (30000/1001).
    let num: Int64
    let den: Int64
    /// Output ticks of slot 0.
    private(set) var anchor: Int64
    /// The slot of the last picture placed.
    private(set) var index: Int64 = 0

    init(num: Int64, den: Int64, anchor: Int64) {
        precondition(num > 0 && den > 0)
        self.num = num
        self.den = den
        self.anchor = anchor
    }

    /// Output ticks of slot `k`.
    func pts(_ k: Int64) -> Int64 {
        anchor + (2 * k * 90_000 * den + num) / (2 * num)
    }

    /// The slot nearest to `ticks` (which may lie before the anchor).
    func nearestSlot(_ ticks: Int64) -> Int64 {
        let scaled = (ticks - anchor) * num * 2
        let step = 2 * 90_000 * den
        // Round to nearest, halves away from zero, also for negative offsets.
        return scaled >= 0 ? (scaled + step / 2) / step : -((-scaled + step / 2) / step)
    }

    /// The next slot after the last picture's.
    var next: Int64 { pts(index + 1) }

    /// The last picture placed is at slot `k`.
    mutating func place(at k: Int64) { index = k }

    /// A new session starts at `ticks`: slot 0 from there.
    mutating func restart(at ticks: Int64) {
        anchor = ticks
        index = 0
    }
}
