import HLSModel
import XCTest

final class PlaylistParseErrorTests: XCTestCase {
    func testDescriptionIsOneLineNamingTheLine() {
        let error = PlaylistParseError(line: 4, message: "#EXTINF duration \"abc\" is not a number")
        XCTAssertEqual(error.description, "line 4: #EXTINF duration \"abc\" is not a number")
        XCTAssertFalse(error.description.contains("\n"))
    }

    func testErrorsWithTheSameLineAndMessageAreEqual() {
        XCTAssertEqual(PlaylistParseError(line: 2, message: "x"), PlaylistParseError(line: 2, message: "x"))
        XCTAssertNotEqual(PlaylistParseError(line: 2, message: "x"), PlaylistParseError(line: 3, message: "x"))
    }

    func testStringInterpolationUsesTheDescription() {
        let error: any Error = PlaylistParseError(line: 1, message: "expected #EXTM3U, found \"x\"")
        XCTAssertEqual("\(error)", "line 1: expected #EXTM3U, found \"x\"")
    }
}
