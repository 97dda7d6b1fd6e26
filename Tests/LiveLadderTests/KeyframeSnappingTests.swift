import XCTest
@testable import LiveLadderCore

/// The pass-through clock rule (docs/passthrough.md) as pure functions: cut at the first source keyframe
/// at or after each grid line, refuse (a file) or give up (live) where none comes within a frame.
final class KeyframeSnappingTests: XCTestCase {
    private let frame: Int64 = 3000 // 30 fps
    private let segment: Int64 = 180_000 // 2 s

    /// `seconds` of 30 fps frames, a keyframe every `gop` frames (and at the extra frames given).
    private func frames(seconds: Int, gop: Int, extraKeyframes: Set<Int> = []) -> [KeyframeSnapping.ScannedFrame] {
        (0..<(seconds * 30)).map { .init(pts: Int64($0) * frame, keyframe: $0 % gop == 0 || extraKeyframes.contains($0)) }
    }

    private func lengths(_ verdict: KeyframeSnapping.Verdict) -> [Int64]? {
        guard case .fits(let segments) = verdict else { return nil }
        return segments.map(\.durationTicks)
    }

    func testKeyframeOnTheGridLineOrOneFrameLateIsWaitedFor() {
        XCTAssertFalse(KeyframeSnapping.mustGiveUp(pts: 180_000, frameTicks: frame, sourceKeyframe: false, nextGridTime: 180_000, firstFrame: false))
        XCTAssertTrue(KeyframeSnapping.mustGiveUp(pts: 183_000, frameTicks: frame, sourceKeyframe: false, nextGridTime: 180_000, firstFrame: false))
        XCTAssertFalse(KeyframeSnapping.mustGiveUp(pts: 183_000, frameTicks: frame, sourceKeyframe: true, nextGridTime: 180_000, firstFrame: false))
        // Inside a segment nothing is asked of the source.
        XCTAssertFalse(KeyframeSnapping.mustGiveUp(pts: 90_000, frameTicks: frame, sourceKeyframe: false, nextGridTime: 180_000, firstFrame: false))
        // A session that starts on a picture that is no keyframe cannot be copied.
        XCTAssertTrue(KeyframeSnapping.mustGiveUp(pts: 0, frameTicks: frame, sourceKeyframe: false, nextGridTime: 180_000, firstFrame: true))
    }

    func testTwoSecondGOPGivesWholeSegments() {
        let verdict = KeyframeSnapping.scan(frames(seconds: 12, gop: 60), segmentTicks: segment, frameTicks: frame, targetDuration: 2)
        XCTAssertEqual(lengths(verdict), Array(repeating: segment, count: 6))
    }

    func testAGOPThatDividesTheSegmentCutsOnlyOnTheGrid() {
        let verdict = KeyframeSnapping.scan(frames(seconds: 12, gop: 30), segmentTicks: segment, frameTicks: frame, targetDuration: 2)
        XCTAssertEqual(lengths(verdict), Array(repeating: segment, count: 6))
    }

    func testSceneCutKeyframesBetweenGridLinesDoNotCut() {
        let verdict = KeyframeSnapping.scan(frames(seconds: 8, gop: 60, extraKeyframes: [17, 95, 101]), segmentTicks: segment,
                                            frameTicks: frame, targetDuration: 2)
        XCTAssertEqual(lengths(verdict), Array(repeating: segment, count: 4))
    }

    func testKeyframeOneFrameLateSnapsTheCut() {
        // The keyframe after the first comes one frame after the 2 s line: the cut waits for it.
        var input = frames(seconds: 4, gop: 1000)
        input[61] = .init(pts: input[61].pts, keyframe: true)
        input[0] = .init(pts: 0, keyframe: true)
        guard case .fits(let segments) = KeyframeSnapping.scan(input, segmentTicks: segment, frameTicks: frame, targetDuration: 2) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(segments.first?.durationTicks, 61 * frame)
    }

    func testTenSecondKeyframesAreRefusedAtTheFirstGridLine() {
        let input = frames(seconds: 24, gop: 300)
        XCTAssertEqual(KeyframeSnapping.scan(input, segmentTicks: segment, frameTicks: frame, targetDuration: 2),
                       .refused(pts: 183_000, longestInterval: 900_000))
    }

    func testIrregularKeyframesAreRefused() {
        // A 2.5 s GOP with 2 s segments: no keyframe at the 2 s line.
        guard case .refused(let pts, let longest) = KeyframeSnapping.scan(frames(seconds: 10, gop: 75), segmentTicks: segment,
                                                                       frameTicks: frame, targetDuration: 2) else {
            return XCTFail("accepted")
        }
        XCTAssertEqual(pts, 183_000)
        XCTAssertEqual(longest, 75 * frame)
    }

    func testClockInKeyframeModeCutsOnlyAtKeyframes() {
        var clock = SegmentClock(origin: 900_000, segmentTicks: segment, targetDuration: 2)
        clock.keyframeAligned = true
        XCTAssertTrue(clock.place(pts: 900_000, frameTicks: frame, sourceKeyframe: true).startsSegment)
        // Past the grid line but no keyframe: the segment goes on.
        XCTAssertFalse(clock.place(pts: 1_080_000, frameTicks: frame, sourceKeyframe: false).startsSegment)
        let cut = clock.place(pts: 1_083_000, frameTicks: frame, sourceKeyframe: true)
        XCTAssertEqual(cut, .init(segmentNumber: 1, startsSegment: true))
        // Plain mode again: the first frame at or after the next line cuts, keyframe or not.
        clock.keyframeAligned = false
        XCTAssertTrue(clock.place(pts: 1_260_000, frameTicks: frame, sourceKeyframe: false).startsSegment)
    }
}
