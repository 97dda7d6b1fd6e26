import XCTest
@testable import LadderConfig

final class ConfigErrorTests: XCTestCase {
    func testDescriptionIsTheMessage() {
        let error = ConfigError("segmentFormat: \"mkv\" is not a segment format (use ts or fmp4)")
        XCTAssertEqual(error.description, error.message)
        XCTAssertEqual("\(error)", error.message)
    }

    func testLocationComesFirst() {
        XCTAssertEqual(ConfigError(at: "audio.bitrate", "16k is out of range").message, "audio.bitrate: 16k is out of range")
    }

    func testFilePrefixesTheWholeMessage() {
        let error = ConfigError("line 3: mapping values are not allowed in this context").inFile("config.yaml")
        XCTAssertEqual(error.message, "config.yaml: line 3: mapping values are not allowed in this context")
    }
}
