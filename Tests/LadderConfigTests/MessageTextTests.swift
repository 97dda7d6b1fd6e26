import XCTest
@testable import LadderConfig

final class MessageTextTests: XCTestCase {
    func testQuotedTextStaysOnOneLine() {
        XCTAssertEqual(MessageText.quoted("mkv"), "\"mkv\"")
        XCTAssertEqual(MessageText.quoted("a\nb"), "\"a\\nb\"")
        XCTAssertEqual(MessageText.quoted("say \"hi\""), "\"say \\\"hi\\\"\"")
    }

    func testKeysAreBareUnlessTheyWouldConfuseThePath() {
        XCTAssertEqual(MessageText.key("colour"), "colour")
        XCTAssertEqual(MessageText.key("a.b"), "\"a.b\"")
        XCTAssertEqual(MessageText.key("two words"), "\"two words\"")
    }

    func testChoicesReadAsEnglish() {
        XCTAssertEqual(MessageText.choices([]), "")
        XCTAssertEqual(MessageText.choices(["ts"]), "ts")
        XCTAssertEqual(MessageText.choices(["ts", "fmp4"]), "ts or fmp4")
        XCTAssertEqual(MessageText.choices(["mono", "stereo", "keep"]), "mono, stereo or keep")
    }

    func testSecondsDropAPointlessFraction() {
        XCTAssertEqual(MessageText.seconds(45), "45")
        XCTAssertEqual(MessageText.seconds(0.25), "0.25")
        XCTAssertEqual(MessageText.seconds(-1), "-1")
        XCTAssertEqual(MessageText.seconds(.infinity), "inf")
    }
}
