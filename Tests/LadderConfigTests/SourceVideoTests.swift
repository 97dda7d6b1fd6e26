import XCTest
@testable import LadderConfig

final class SourceVideoTests: XCTestCase {
    func testPixelsAreSquareUnlessToldOtherwise() {
        let source = SourceVideo(width: 1920, height: 1080)
        XCTAssertEqual(source.sarNum, 1)
        XCTAssertEqual(source.sarDen, 1)
    }

    func testKeepsTheAspectRatioAsGiven() {
        let source = SourceVideo(width: 720, height: 576, sarNum: 64, sarDen: 45)
        XCTAssertEqual(source, SourceVideo(width: 720, height: 576, sarNum: 64, sarDen: 45))
        XCTAssertNotEqual(source, SourceVideo(width: 720, height: 576))
    }
}
