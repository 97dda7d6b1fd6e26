import XCTest
@testable import LadderConfig

final class ConfigLimitsTests: XCTestCase {
    func testNamesAreLettersDigitsUnderscoreAndDash() {
        for name in ["720p", "1080", "hd_high", "low-bw", "A"] {
            XCTAssertTrue(ConfigLimits.isValidName(name), name)
        }
        for name in ["", "7 20p", "720p/", "../x", "720.p", "é", "720p\n"] {
            XCTAssertFalse(ConfigLimits.isValidName(name), name.debugDescription)
        }
    }

    func testRangesMatchTheirMessages() {
        XCTAssertEqual(ConfigLimits.segmentDuration, 0.5...30)
        XCTAssertEqual(ConfigLimits.videoBitrate, 50_000...100_000_000)
        XCTAssertEqual(ConfigLimits.audioBitrate, 32_000...512_000)
        XCTAssertEqual(ConfigLimits.sampleRates, [44_100, 48_000])
        XCTAssertEqual(ConfigLimits.frameSide, 2...8192)
    }
}
