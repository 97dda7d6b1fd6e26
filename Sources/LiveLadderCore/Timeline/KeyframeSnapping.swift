/// The pass-through clock rule (docs/passthrough.md), pure so it is tested without media.
///
/// With a pass-through rung, a segment may start only where the source has a keyframe: the clock
/// (`SegmentClock.keyframeAligned`) cuts at the first source keyframe at or after each grid line. The
/// keyframe may come at the first frame at or after the line, or one frame later (rule MP4 allows a
/// segment one frame off its configured duration); a later frame that is still no keyframe means the
/// source's keyframes are too far apart or off the grid. A file is then refused before anything is written
/// (`scan`); a live ladder gives pass-through up right there: that frame starts the segment, on the plain grid.
enum KeyframeSnapping {
    /// Whether pass-through ends at the frame at `pts` (output ticks) that the clock is about to place.
    /// `firstFrame`: the session's first frame, which starts a segment whatever it is.
    static func mustGiveUp(pts: Int64, frameTicks: Int64, sourceKeyframe: Bool, nextGridTime: Int64,
                           firstFrame: Bool) -> Bool {
        guard !sourceKeyframe else { return false }
        return firstFrame || pts >= nextGridTime + frameTicks
    }

    /// One frame of a file as the scan sees it: output ticks from the first frame, and its keyframe flag.
    struct ScannedFrame: Sendable, Equatable {
        let pts: Int64
        let keyframe: Bool
    }

    /// A segment the snapped clock would cut from a file.
    struct Segment: Sendable, Equatable {
        let start: Int64
        var durationTicks: Int64
    }

    enum Verdict: Sendable, Equatable {
        /// Every segment starts at a source keyframe on the grid.
        case fits([Segment])
        /// The frame at `pts` would have had to start a segment and is no keyframe. `longestInterval` is the
        /// longest distance between two keyframes of the source (ticks).
        case refused(pts: Int64, longestInterval: Int64)
    }

    /// Runs the keyframe-aligned clock over a file's frames (in presentation order): where it would cut,
    /// or the first frame where it would have to give up.
    static func scan(_ frames: [ScannedFrame], segmentTicks: Int64, frameTicks: Int64, targetDuration: Int) -> Verdict {
        var clock = SegmentClock(origin: frames.first?.pts ?? 0, segmentTicks: segmentTicks, targetDuration: targetDuration)
        clock.keyframeAligned = true
        var segments: [Segment] = []
        for frame in frames {
            if mustGiveUp(pts: frame.pts, frameTicks: frameTicks, sourceKeyframe: frame.keyframe,
                          nextGridTime: clock.nextGridTime, firstFrame: clock.awaitingFirstFrame) {
                return .refused(pts: frame.pts, longestInterval: longestInterval(frames))
            }
            if clock.place(pts: frame.pts, frameTicks: frameTicks, sourceKeyframe: frame.keyframe).startsSegment {
                segments.append(Segment(start: frame.pts, durationTicks: 0))
            }
            segments[segments.count - 1].durationTicks = frame.pts + frameTicks - segments[segments.count - 1].start
        }
        return .fits(segments)
    }

    /// The longest distance between consecutive keyframes (or from the last one to the end).
    static func longestInterval(_ frames: [ScannedFrame]) -> Int64 {
        var longest: Int64 = 0
        var last: Int64?
        for frame in frames where frame.keyframe {
            if let last { longest = max(longest, frame.pts - last) }
            last = frame.pts
        }
        if let last, let end = frames.last?.pts { longest = max(longest, end - last) }
        return longest
    }
}
