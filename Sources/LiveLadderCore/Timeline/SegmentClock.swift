/// Decides, once for the whole ladder, which source frames start a segment.
///
/// Boundaries sit on a grid fixed on the output timeline: `origin + k × segmentTicks`. The first frame at
/// or after a grid line starts the next segment in every rendition, so segment n starts at the same PTS
/// everywhere, also at 30000/1001 fps where segments alternate between 59 and 60 frames. Segment numbers
/// count up by one per segment (they are media sequence numbers); the grid index only says where to cut.
///
/// A segment that would outgrow the target duration by more than half a second (a hole in the source)
/// is cut early, off the grid, so EXTINF never exceeds what TARGETDURATION promised (rule MP4).
public struct SegmentClock: Sendable {
    /// Output ticks (90 kHz) where grid line 0 lies. Moves when the input breaks (`restart(at:)`).
    public private(set) var origin: Int64
    /// The segment duration D in output ticks.
    public let segmentTicks: Int64
    /// The longest a segment may grow before it is cut off the grid.
    public let maximumTicks: Int64
    private var gridIndex: Int64 = -1
    private var segmentStart: Int64 = 0
    /// The number of the segment the last placed frame belongs to.
    public private(set) var segmentNumber: Int

    public init(origin: Int64, segmentTicks: Int64, targetDuration: Int, firstSegmentNumber: Int = 0) {
        self.origin = origin
        self.segmentTicks = segmentTicks
        // Just under TARGETDURATION + 0.5 s, so the EXTINF also rounds to at most TARGETDURATION.
        self.maximumTicks = Int64((Double(targetDuration) + 0.5) * 90_000) - 90
        self.segmentNumber = firstSegmentNumber - 1
    }

    /// Where a frame at `pts` falls: whether it starts a segment, and which.
    public struct Placement: Sendable, Equatable {
        public let segmentNumber: Int
        public let startsSegment: Bool
    }

    /// Pass-through mode (docs/passthrough.md): only a frame that was a keyframe in the source starts a
    /// segment, the first at or after each grid line (`KeyframeSnapping` decides when to give the mode up).
    public var keyframeAligned = false
    /// No frame of the session has been placed yet: the next one starts a segment whatever it is.
    public var awaitingFirstFrame: Bool { gridIndex < 0 }

    /// Places the frame at `pts` (output ticks, increasing) that lasts `frameTicks`; `sourceKeyframe`
    /// matters only when `keyframeAligned`.
    public mutating func place(pts: Int64, frameTicks: Int64, sourceKeyframe: Bool = true) -> Placement {
        let index = (pts - origin) >= 0 ? (pts - origin) / segmentTicks : -1
        let overlong = gridIndex >= 0 && pts + frameTicks - segmentStart > maximumTicks
        if gridIndex < 0 || ((!keyframeAligned || sourceKeyframe) && (index > gridIndex || overlong)) {
            gridIndex = max(index, gridIndex, 0)
            segmentNumber += 1
            segmentStart = pts
            return Placement(segmentNumber: segmentNumber, startsSegment: true)
        }
        return Placement(segmentNumber: segmentNumber, startsSegment: false)
    }

    /// After a break in the input: the next frame (at `pts`) starts a segment, and the grid is laid anew
    /// from there, so the segments after the break are whole again (rule MP4).
    public mutating func restart(at pts: Int64) {
        origin = pts
        gridIndex = -1
    }

    /// The grid line after the current segment's: no later segment can start before it.
    public var nextGridTime: Int64 { origin + (gridIndex + 1) * segmentTicks }
}
