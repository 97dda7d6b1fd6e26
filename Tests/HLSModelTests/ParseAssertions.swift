import HLSModel
import XCTest

/// Asserts that parsing `text` as a media playlist fails with exactly `expected` as its description.
func assertMediaParseError(
    _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let playlist = try MediaPlaylist.parse(text)
        XCTFail("parsed without error: \(playlist)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.description, expected, file: file, line: line)
    }
}

/// Asserts that parsing `text` as a multivariant playlist fails with exactly `expected` as its description.
func assertMultivariantParseError(
    _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let playlist = try MultivariantPlaylist.parse(text)
        XCTFail("parsed without error: \(playlist)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.description, expected, file: file, line: line)
    }
}

/// Asserts that parsing `text` as an attribute list fails with exactly `expected` as its message.
func assertAttributeListError(
    _ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let list = try AttributeList(parsing: text)
        XCTFail("parsed without error: \(list)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.message, expected, file: file, line: line)
    }
}

/// Asserts that `read` throws an attribute error with exactly `expected` as its message.
func assertAttributeError<T>(
    _ expected: String,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ read: () throws(AttributeListError) -> T
) {
    do {
        let value = try read()
        XCTFail("read without error: \(value)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.message, expected, file: file, line: line)
    }
}
