import Foundation
import FFmpegKit

/// Where a segment starts, decided once at ingest for the whole ladder.
public struct SegmentBoundary: Sendable {
    /// Media sequence number of the segment that starts here.
    public let number: Int
    /// PTS (output ticks) of the first video frame of the segment.
    public let pts: Int64
    /// The next grid line: the following segment cannot start earlier.
    public let nextGridTime: Int64
    /// The input broke right before this segment (a new publisher session): `EXT-X-DISCONTINUITY`.
    public let discontinuity: Bool
    /// The session's wall clock, for `EXT-X-PROGRAM-DATE-TIME`.
    let clock: SessionClock
    /// When the last input frame of the previous segment arrived (for segment-ready latency).
    public let previousSegmentInputEnd: Date?
    /// Epoch lock: the segment before it is a GAP entry on the grid (`SegmentRegistry.fill`), whose
    /// stand-in has the audio up to here, so the segment starts with no audio from before its boundary.
    var followsFill = false
    /// The pass-through rung copies the source from here (false once it fell back to encoding, and in a
    /// ladder without one).
    public var copiesSource = false
}

/// What ingest hands a rendition through its queue, in source order.
enum RenditionItem: Sendable {
    /// A decoded picture (a reference to the shared buffers), its output PTS, and the boundary it starts, if any.
    case video(Frame, pts: Int64, boundary: SegmentBoundary?)
    /// An encoded AAC packet (a reference), timestamps in output ticks.
    case audio(Packet)
    /// Pass-through: one of the source's compressed video packets, in decode order, its timestamps mapped
    /// onto the output timeline (output ticks) like its picture's (`PassthroughRelay`).
    case copied(Packet)
    /// A boundary for renditions that see no video (the fMP4 audio rendition).
    case boundary(SegmentBoundary)
    /// The input was lost: finish the segment in progress at `videoEnd` and be ready for a new session.
    case sessionEnd(videoEnd: Int64, inputEnd: Date?)
    /// End of input: the video ends at `videoEnd` (output ticks).
    case end(videoEnd: Int64, inputEnd: Date?)
}
