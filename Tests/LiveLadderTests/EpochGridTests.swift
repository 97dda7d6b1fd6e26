import XCTest
@testable import LiveLadderCore

/// The epoch lock's pure arithmetic: the wall-clock grid and the per-session mapping.
final class EpochGridTests: XCTestCase {
    private func grid(_ num: Int64, _ den: Int64, _ seconds: Double, epoch: Int64 = 0) throws -> EpochGrid {
        try EpochGrid(epochMilliseconds: epoch, num: num, den: den, segmentDuration: seconds)
    }

    func testNTSCFramesAreExactFarFromTheEpoch() throws {
        let ntsc = try grid(30_000, 1001, 2.002)
        XCTAssertEqual(ntsc.framesPerSegment, 60)
        XCTAssertEqual(ntsc.segmentTicks, 180_180)
        // 2026 is about 5.3 × 10^10 frames since 1970: k × 90000 × 1001 overflows Int64, the split does not.
        let k: Int64 = 53_000_000_123
        XCTAssertEqual(ntsc.ticks(ofFrame: k), k * 3003)
        XCTAssertEqual(ntsc.nearestFrame(toTicks: k * 3003 + 1501), k)
        XCTAssertEqual(ntsc.nearestFrame(toTicks: k * 3003 + 1502), k + 1)
        // 59.94: frames alternate 1,501 and 1,502 ticks, for ever.
        let fast = try grid(60_000, 1001, 2.002)
        XCTAssertEqual(fast.framesPerSegment, 120)
        let far: Int64 = 106_000_000_000
        XCTAssertEqual((0..<4).map { fast.ticks(ofFrame: far + $0 + 1) - fast.ticks(ofFrame: far + $0) }.sorted(), [1501, 1501, 1502, 1502])
        XCTAssertEqual(fast.ticks(ofFrame: far * 2), far * 3003)
    }

    func testSegmentNCoversItsWallClockSpanAndItsDateIsExact() throws {
        let ntsc = try grid(30_000, 1001, 2.002, epoch: 1_767_225_600_000)  // 2026-01-01T00:00:00Z
        let n: Int64 = 15_000_000
        XCTAssertEqual(ntsc.startTicks(ofSegment: n), n * 180_180)
        XCTAssertEqual(ntsc.segment(ofFrame: n * 60), n)
        XCTAssertEqual(ntsc.segment(ofFrame: n * 60 - 1), n - 1)
        XCTAssertEqual(ntsc.firstSegment(atOrAfterFrame: n * 60), n)
        XCTAssertEqual(ntsc.firstSegment(atOrAfterFrame: n * 60 + 1), n + 1)
        XCTAssertEqual(ntsc.programDateTimeMilliseconds(ofSegment: n), 1_767_225_600_000 + n * 2002)
        // 25 fps, 2 s: 50 frames.
        let pal = try grid(25, 1, 2)
        XCTAssertEqual(pal.programDateTimeMilliseconds(ofSegment: 3), 6000)
        XCTAssertEqual(pal.ticks(atWallClock: 10.5), 945_000)
    }

    func testSegmentsThatAreNotWholeFramesOrTicksAreRefusedWithWhatToUse() {
        XCTAssertThrowsError(try grid(30_000, 1001, 2)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("59.94 frames at 29.970 fps"), text)
            XCTAssertTrue(text.contains("2.002 s (60 frames)"), text)
        }
        // 47 frames of 23.976 fps are 176,426.25 ticks.
        XCTAssertThrowsError(try grid(24_000, 1001, 47 * 1001 / 24_000)) { error in
            XCTAssertTrue("\(error)".contains("whole number"), "\(error)")
        }
        XCTAssertNoThrow(try grid(24_000, 1001, 2.002))
        XCTAssertThrowsError(try grid(0, 1, 2))
    }

    func testTheMappingWaitsForTheProbeBurstToEndThenFreezes() {
        var mapping = SessionMapping()
        let frame: Int64 = 3000
        let base: Int64 = 1_000_000_000_000  // arrival ticks since T0 of media time 0, plus the real delay
        var frozen: Int64?
        var frames = 0
        // A burst: 60 frames (2 s of media) in 0.2 s, then frames in real time with up to 3 ms of jitter.
        for k in Int64(0)..<300 {
            let arrival = k < 60 ? base + 2 * 90_000 + k * 300 : base + k * frame + (k * 7919 % 270)
            frames += 1
            if let offset = mapping.observe(mediaTicks: 500_000 + k * frame, arrivalTicks: arrival) {
                frozen = offset
                break
            }
        }
        // Frozen once the burst was over and a minimum held for half a second, not before.
        XCTAssertNotNil(frozen)
        XCTAssertGreaterThan(frames, 60 + 15)
        XCTAssertLessThan(frames, 60 + 90)
        // The smallest arrival − media (base − 500,000 ticks), rounded to the whole second.
        XCTAssertEqual(frozen, SessionMapping.rounded(base - 500_000))
        XCTAssertEqual(frozen.map { $0 % 90_000 }, 0)
        // Frozen: a clock step later changes nothing.
        XCTAssertEqual(mapping.observe(mediaTicks: 0, arrivalTicks: 0), frozen)
    }

    func testTwoInstancesAFewMillisecondsApartAgree() {
        func measure(_ delay: Int64) -> Int64? {
            var mapping = SessionMapping()
            for k in Int64(0)..<200 {
                if let offset = mapping.observe(mediaTicks: k * 3000, arrivalTicks: 123_456_789_000 + 40_000 + delay + k * 3000) { return offset }
            }
            return nil
        }
        XCTAssertEqual(measure(0), measure(180))  // 2 ms apart
        XCTAssertNotNil(measure(0))
    }

    func testRoundingAndTheDiscontinuityBaseBelowZero() {
        XCTAssertEqual(SessionMapping.rounded(44_999), 0)
        XCTAssertEqual(SessionMapping.rounded(45_000), 90_000)
        XCTAssertEqual(SessionMapping.rounded(-45_001), -90_000)
        XCTAssertEqual(SessionMapping.rounded(-44_999), 0)
        XCTAssertEqual(SessionMapping.discontinuityBase(offset: 90_000 * 7), 7)
        XCTAssertEqual(SessionMapping.discontinuityBase(offset: -90_000), (1 << 31) - 1)
    }
}
