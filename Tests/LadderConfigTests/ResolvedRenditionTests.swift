import XCTest
@testable import LadderConfig

final class ResolvedRenditionTests: XCTestCase {
    func testBufferIsTwiceThePeakBitrate() {
        let rendition = ResolvedRendition(name: "720p", width: 1280, height: 720, videoBitrate: 3_000_000, maxBitrate: 3_300_000)
        XCTAssertEqual(rendition.bufferSize, 6_600_000)
        XCTAssertEqual(rendition.preset, "veryfast")
        XCTAssertEqual(rendition.profile, "high")
        XCTAssertNil(rendition.tune)
    }

    func testDefaultPeakIsTenPercentAboveTheTargetRoundedHalfUp() {
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 3_000_000), 3_300_000)
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 1_400_000), 1_540_000)
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 50_000), 55_000)
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 2_500_005), 2_750_006, "2750005.5 rounds up")
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 2_500_001), 2_750_001, "2750001.1 rounds down")
        XCTAssertEqual(ResolvedRendition.defaultMaxBitrate(for: 100_000_000), 110_000_000)
    }
}
