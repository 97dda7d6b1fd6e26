@testable import HLSModel
import XCTest

final class PlaylistTextTests: XCTestCase {
    private func kinds(_ text: String) throws -> [PlaylistText.Kind] {
        try PlaylistText(text).lines.map(\.kind)
    }

    func testClassifiesTagsWithAndWithoutValuesAndURIs() throws {
        let text = "#EXTM3U\n#EXT-X-ENDLIST\n#EXTINF:2.0,title\nsegment.ts\n"
        XCTAssertEqual(try kinds(text), [
            .tag(name: "EXT-X-ENDLIST", value: nil),
            .tag(name: "EXTINF", value: "2.0,title"),
            .uri("segment.ts"),
        ])
    }

    func testTagValueKeepsEverythingAfterTheFirstColon() throws {
        let text = "#EXTM3U\n#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26.123Z\n"
        XCTAssertEqual(try kinds(text), [.tag(name: "EXT-X-PROGRAM-DATE-TIME", value: "2026-11-26T21:45:26.123Z")])
    }

    func testEmptyTagValueIsNotNil() throws {
        XCTAssertEqual(try kinds("#EXTM3U\n#EXT-X-VERSION:\n"), [.tag(name: "EXT-X-VERSION", value: "")])
    }

    func testKeepsOriginalLineNumbersAcrossBlankLinesAndComments() throws {
        let text = "#EXTM3U\n\n# a comment\n#EXT-X-TARGETDURATION:2\n\n\na.ts\n"
        let lines = try PlaylistText(text).lines
        XCTAssertEqual(lines.map(\.number), [4, 7])
    }

    func testCRLFAndLoneCREndLines() throws {
        let text = "#EXTM3U\r\n#EXT-X-TARGETDURATION:2\r#EXTINF:1,\r\na.ts\r\n"
        let lines = try PlaylistText(text).lines
        XCTAssertEqual(lines.map(\.number), [2, 3, 4])
        XCTAssertEqual(lines.last?.kind, .uri("a.ts"))
    }

    func testTrimsSpacesAndTabsAroundLines() throws {
        XCTAssertEqual(try kinds("#EXTM3U  \n\t a.ts \t\n"), [.uri("a.ts")])
    }

    func testDropsLeadingByteOrderMark() throws {
        XCTAssertEqual(try kinds("\u{FEFF}#EXTM3U\na.ts\n"), [.uri("a.ts")])
    }

    func testHashWithoutEXTIsAComment() throws {
        XCTAssertEqual(try kinds("#EXTM3U\n#EX-NOT-A-TAG\n#\n"), [])
    }

    func testLastLineNumberIsTheLastNonBlankLine() throws {
        XCTAssertEqual(try PlaylistText("#EXTM3U\na.ts\n\n\n").lastLineNumber, 2)
        XCTAssertEqual(try PlaylistText("#EXTM3U\n").lastLineNumber, 1)
        XCTAssertEqual(try PlaylistText("#EXTM3U\n# trailing comment\n").lastLineNumber, 1)
    }

    func testRejectsAMissingHeader() {
        XCTAssertThrowsError(try PlaylistText("")) {
            XCTAssertEqual("\($0)", "line 1: expected #EXTM3U, found an empty playlist")
        }
        XCTAssertThrowsError(try PlaylistText("\n#EXTM3U\n")) {
            XCTAssertEqual("\($0)", "line 1: expected #EXTM3U, found an empty line")
        }
        XCTAssertThrowsError(try PlaylistText("#EXT-X-VERSION:3\n#EXTM3U\n")) {
            XCTAssertEqual("\($0)", "line 1: expected #EXTM3U, found \"#EXT-X-VERSION:3\"")
        }
        XCTAssertThrowsError(try PlaylistText("#extm3u\n")) {
            XCTAssertEqual("\($0)", "line 1: expected #EXTM3U, found \"#extm3u\"")
        }
    }

    func testDeclaredVersionIsReadLeniently() {
        XCTAssertEqual(PlaylistText.declaredVersion(in: "#EXTM3U\n#EXT-X-VERSION:7\n"), 7)
        XCTAssertEqual(PlaylistText.declaredVersion(in: "junk\r\n#EXT-X-VERSION:4\r\n"), 4)
        XCTAssertNil(PlaylistText.declaredVersion(in: "#EXTM3U\n#EXT-X-VERSION:three\n"))
        XCTAssertNil(PlaylistText.declaredVersion(in: "#EXTM3U\n"))
    }
}
