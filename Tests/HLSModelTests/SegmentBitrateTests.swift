import HLSModel
import XCTest

/// MV3 and MV4: the measured peak and average that BANDWIDTH and AVERAGE-BANDWIDTH are checked against.
final class SegmentBitrateTests: XCTestCase {
    private func samples(_ table: [(bytes: Int, duration: Double)]) -> [SegmentSample] {
        table.map { SegmentSample(bytes: $0.bytes, duration: $0.duration) }
    }

    func testPeakOfEqualSegmentsIsTheirRate() {
        // 500 000 B × 8 / 2 s = 2 000 000 bit/s for every run.
        let input = samples([(500_000, 2), (500_000, 2), (500_000, 2), (500_000, 2)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 2), 2_000_000)
    }

    func testPeakTakesTheBestQualifyingRun() {
        // Target 4 s: runs of 2 to 6 s qualify. Segments are 2 s each.
        //   single [1] = 1 000 000 B → 4 000 000 bit/s (2 s, qualifies)
        //   [1,2]      = 1 250 000 B → 2 500 000 bit/s (4 s)
        //   [0,1,2]    = 1 500 000 B → 2 000 000 bit/s (6 s)
        // Peak: 4 000 000.
        let input = samples([(250_000, 2), (1_000_000, 2), (250_000, 2), (250_000, 2)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 4), 4_000_000)
    }

    func testShortSegmentsOnlyCountInsideALongEnoughRun() {
        // Target 6 s: runs must last 3 to 9 s, so the 1 s burst only counts with a neighbour.
        //   [0]     = 5 s,   750 000 B → 1 200 000 bit/s
        //   [0,1]   = 6 s, 1 050 000 B → 1 400 000 bit/s
        //   [1,2]   = 6 s, 1 050 000 B → 1 400 000 bit/s
        //   [0,1,2] = 11 s → too long
        // Segment 1 alone (1 s, 2 400 000 bit/s) is too short to count.
        let input = samples([(750_000, 5), (300_000, 1), (750_000, 5)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 6), 1_400_000)
    }

    func testLowerRunBoundIsInclusive() {
        // Target 4 s: runs of 2 to 6 s qualify. The 2 s segment alone is exactly 0.5 × target:
        // 1 000 000 B × 8 / 2 s = 4 000 000. The other runs are the empty 4.5 s segment (0 bit/s)
        // and the 6.5 s pair (too long), so excluding the bound would give 0.
        XCTAssertEqual(Bandwidth.peak(samples([(1_000_000, 2), (0, 4.5)]), targetDuration: 4), 4_000_000)
    }

    func testUpperRunBoundIsInclusiveDespiteFloatingPointNoise() {
        // Target 2 s: runs of 1 to 3 s qualify. 0.1 + 2.7 + 0.2 is 3.0000000000000004 in binary, yet it is
        // the 3 s run: 200 000 B × 8 / 3 s = 533 333.3… → 533 334. Dropping it would leave the
        // 2.8 s run at 285 715 bit/s as the peak.
        let input = samples([(100_000, 0.1), (0, 2.7), (100_000, 0.2)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 2), 533_334)
    }

    func testFallsBackToTheLargestSingleSegmentWhenNoRunQualifies() {
        // Target 10 s: a 1 s and a 0.5 s segment never reach 5 s together.
        let input = samples([(125_000, 1), (100_000, 0.5)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 10), 1_600_000)
        XCTAssertEqual(Bandwidth.peak(samples([(1_000, 0.1)]), targetDuration: 6), 80_000)
    }

    func testPeakRoundsUp() {
        // 1 001 B × 8 / 3 s = 2 669.33… bit/s.
        XCTAssertEqual(Bandwidth.peak(samples([(1_001, 3)]), targetDuration: 4), 2_670)
    }

    func testPeakOfNothingIsZero() {
        XCTAssertEqual(Bandwidth.peak([], targetDuration: 6), 0)
        XCTAssertEqual(Bandwidth.peak(samples([(1_000, 0)]), targetDuration: 6), 0)
    }

    func testPeakWithNTSCDurations() {
        // Three 2.002 s segments, target 2: runs must last 1 to 3 s, so only single segments qualify. Largest: 751 000 B × 8 / 2.002 s = 3 000 999.000… → 3 001 000 after rounding up.
        let input = samples([(500_500, 2.002), (751_000, 2.002), (600_000, 2.002)])
        XCTAssertEqual(Bandwidth.peak(input, targetDuration: 2), 3_001_000)
    }

    func testAverageIsTotalBitsOverTotalDuration() {
        // (250 000 + 1 000 000 + 250 000 + 250 000) B × 8 / 8 s = 1 750 000 bit/s.
        XCTAssertEqual(Bandwidth.average(samples([(250_000, 2), (1_000_000, 2), (250_000, 2), (250_000, 2)])), 1_750_000)
        // 3 003 B × 8 / 2.002 s = 12 000 bit/s exactly, despite 2.002 not being exact in binary.
        XCTAssertEqual(Bandwidth.average(samples([(3_003, 2.002)])), 12_000)
    }

    func testAverageOfALongStreamStaysExact() {
        // 200 000 segments of 4.004 s (9 days), 1 001 000 B each: exactly 2 000 000 bit/s. Summed naively,
        // the durations fall 3e-12 short and the average would round up to 2 000 001.
        let nineDays = Array(repeating: SegmentSample(bytes: 1_001_000, duration: 4.004), count: 200_000)
        XCTAssertEqual(Bandwidth.average(nineDays), 2_000_000)
    }

    func testAverageRoundsUp() {
        XCTAssertEqual(Bandwidth.average(samples([(1_001, 3)])), 2_670)
    }

    func testAverageOfNothingIsZero() {
        XCTAssertEqual(Bandwidth.average([]), 0)
        XCTAssertEqual(Bandwidth.average(samples([(1_000, 0)])), 0)
    }

    func testSampleIsAPlainValue() {
        XCTAssertEqual(SegmentSample(bytes: 1, duration: 2), SegmentSample(bytes: 1, duration: 2))
    }
}
