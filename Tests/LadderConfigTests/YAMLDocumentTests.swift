import XCTest
@testable import LadderConfig

final class YAMLDocumentTests: XCTestCase {
    func testEmptyTextHasNoDocument() throws {
        XCTAssertNil(try YAMLDocument.root(of: ""))
        XCTAssertNil(try YAMLDocument.root(of: "# just a comment\n\n"))
    }

    func testSyntaxErrorsNameTheLine() {
        assertParseError(
            "segmentDuration: 2\n  segmentFormat: ts\n",
            "line 2: mapping values are not allowed in this context"
        )
        assertParseError(
            "renditions: [720p\n",
            "line 2: did not find expected ',' or ']' (while parsing a flow sequence on line 1)"
        )
        assertParseError(
            "segmentFormat: \"ts\n",
            "line 2: found unexpected end of stream (while scanning a quoted scalar on line 1)"
        )
        assertParseError(
            "renditions:\n  - name: a\n   width: 2\n",
            "line 3: did not find expected '-' indicator (while parsing a block collection on line 2)"
        )
    }

    func testReaderErrorsNameTheLine() {
        assertParseError("segmentFormat: ts\naudio: \u{1}\n", "line 2: control characters are not allowed")
    }

    func testDuplicateKeysAreRefused() {
        assertParseError(
            "segmentFormat: ts\nsegmentFormat: fmp4\n",
            "line 1: key \"segmentFormat\" is given more than once"
        )
        assertParseError(
            "renditions:\n  - name: a\n    name: b\n",
            "line 2: key \"name\" is given more than once"
        )
    }

    func testASecondDocumentIsRefusedRatherThanIgnored() {
        assertParseError(
            "segmentFormat: ts\n---\nsegmentFormat: fmp4\n",
            "line 3: found a second YAML document; a config file holds exactly one"
        )
    }

    func testUndefinedAliasIsASyntaxError() {
        assertParseError("segmentFormat: *format\n", "line 1: found undefined alias")
    }

    func testAliasesResolveToTheirAnchors() throws {
        let config = try LadderConfig.parse(yaml: """
            renditions:
              - {name: a, height: 720, videoBitrate: &rate 3000k}
              - {name: b, height: 480, videoBitrate: *rate}
            """)
        XCTAssertEqual(config.renditions?.map(\.videoBitrate), [3_000_000, 3_000_000])
    }

    func testMessagesAreOneLine() {
        for yaml in ["a: [1\n", "a: 1\na: 2\n", "a: \"x\n"] {
            do {
                _ = try LadderConfig.parse(yaml: yaml)
                XCTFail("\(yaml.debugDescription) parsed")
            } catch {
                XCTAssertFalse(error.message.contains("\n"), error.message)
            }
        }
    }
}
