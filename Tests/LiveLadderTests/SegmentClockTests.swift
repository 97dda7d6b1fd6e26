import XCTest
@testable import LiveLadderCore

final class SegmentClockTests: XCTestCase {
    /// Places `count` frames of `frameTicks` each and returns the frame counts of the segments.
    private func segmentLengths(frameTicks: Int64, count: Int, segmentSeconds: Double = 2, targetDuration: Int = 2) -> [Int] {
        var clock = SegmentClock(origin: 900_000, segmentTicks: Int64(segmentSeconds * 90_000), targetDuration: targetDuration)
        var lengths: [Int] = []
        for frame in 0..<count {
            let placement = clock.place(pts: 900_000 + Int64(frame) * frameTicks, frameTicks: frameTicks)
            if placement.startsSegment {
                XCTAssertEqual(placement.segmentNumber, lengths.count)
                lengths.append(0)
            }
            lengths[lengths.count - 1] += 1
        }
        return lengths
    }

    func testThirtyFramesPerSecondGivesWholeSegments() {
        XCTAssertEqual(segmentLengths(frameTicks: 3000, count: 600), Array(repeating: 60, count: 10))
    }

    func testNTSCRateAlternatesFrameCountsOnTheGrid() {
        // 30000/1001 fps: 59.94 frames per 2 s. The first frame at or after each grid line starts a segment,
        // so most segments hold 60 frames and every ~17th holds 59: the grid, not the frame count, decides.
        let lengths = segmentLengths(frameTicks: 3003, count: 60 * 60)
        XCTAssertEqual(Set(lengths.dropLast()), [59, 60])
        XCTAssertEqual(lengths.filter { $0 == 59 }.count, 3)
        // After n segments the cut sits within one frame of n × 2 s: no drift.
        var frame = 0
        for (index, length) in lengths.dropLast().enumerated() {
            frame += length
            let cut = Double(frame) * 1001 / 30000
            XCTAssertGreaterThanOrEqual(cut, Double(index + 1) * 2)
            XCTAssertLessThan(cut - Double(index + 1) * 2, 1001.0 / 30000)
        }
    }

    func testHoleInTheSourceIsCutBeforeTargetDurationPlusHalfASecond() {
        var clock = SegmentClock(origin: 0, segmentTicks: 180_000, targetDuration: 2)
        XCTAssertTrue(clock.place(pts: 0, frameTicks: 3000).startsSegment)
        XCTAssertFalse(clock.place(pts: 3000, frameTicks: 3000).startsSegment)
        // Source jumps: this frame would make the segment last 2.5 s, so it starts a new one off the grid.
        let placement = clock.place(pts: 222_000, frameTicks: 3000)
        XCTAssertTrue(placement.startsSegment)
        XCTAssertEqual(placement.segmentNumber, 1)
        // The grid resumes: the next line after 2.46 s is 4 s.
        XCTAssertEqual(clock.nextGridTime, 360_000)
    }

    func testFirstFrameAlwaysStartsSegmentNumberOne() {
        var clock = SegmentClock(origin: 900_000, segmentTicks: 180_000, targetDuration: 2, firstSegmentNumber: 41)
        let placement = clock.place(pts: 900_000, frameTicks: 3000)
        XCTAssertEqual(placement, .init(segmentNumber: 41, startsSegment: true))
    }
}
