@testable import HLSModel
import XCTest

final class MediaSegmentTests: XCTestCase {
    func testDefaultsToAPlainSegment() {
        let segment = MediaSegment(uri: "a.ts", duration: 2)
        XCTAssertFalse(segment.discontinuity)
        XCTAssertFalse(segment.gap)
        XCTAssertNil(segment.programDateTime)
        XCTAssertEqual(segment.renderedLines, ["#EXTINF:2.000000,", "a.ts"])
    }

    func testTagsComeInDiscontinuityDateGapOrderBeforeEXTINF() {
        let segment = MediaSegment(
            uri: "b.ts", duration: 2.002, discontinuity: true, gap: true,
            programDateTime: Date(timeIntervalSince1970: 1_795_729_526.123))
        XCTAssertEqual(segment.renderedLines, [
            "#EXT-X-DISCONTINUITY",
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26.123Z",
            "#EXT-X-GAP",
            "#EXTINF:2.002000,",
            "b.ts",
        ])
    }

    func testDurationIsWrittenToTheMicrosecond() {
        XCTAssertEqual(MediaSegment(uri: "c.ts", duration: 1001.0 / 30000.0 * 60).renderedLines.first, "#EXTINF:2.002000,")
        XCTAssertEqual(MediaSegment(uri: "c.ts", duration: 0.0000004).renderedLines.first, "#EXTINF:0.000000,")
    }
}
