import XCTest
@testable import LadderConfig

final class LadderConfigTests: XCTestCase {
    func testDefaultsMatchAnEmptyFile() {
        let defaults = LadderConfig.defaults
        XCTAssertEqual(defaults.segmentDuration, 2)
        XCTAssertEqual(defaults.segmentFormat, .ts)
        XCTAssertFalse(defaults.allowUpscale)
        XCTAssertNil(defaults.renditions, "no renditions means derive a ladder from the source")
        XCTAssertEqual(defaults.audio, AudioSettings())
        XCTAssertEqual(LadderConfig(), defaults)
    }

    func testSegmentFormatRawValuesAreTheConfigSpellings() {
        XCTAssertEqual(SegmentFormat(rawValue: "ts"), .ts)
        XCTAssertEqual(SegmentFormat(rawValue: "fmp4"), .fmp4)
        XCTAssertEqual(SegmentFormat.allCases.map(\.rawValue), ["ts", "fmp4"])
    }
}
