import XCTest
@testable import LadderConfig

/// Asserts that `body` fails with exactly `expected` as its message.
func assertConfigError<Value>(
    _ expected: String,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ body: () throws(ConfigError) -> Value
) {
    do {
        let value = try body()
        XCTFail("expected \(expected.debugDescription), got \(value)", file: file, line: line)
    } catch {
        XCTAssertEqual(error.message, expected, file: file, line: line)
    }
}

/// Asserts that parsing `yaml` fails with exactly `expected`.
func assertParseError(_ yaml: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    assertConfigError(expected, file: file, line: line) { () throws(ConfigError) in
        try LadderConfig.parse(yaml: yaml)
    }
}

/// A one-rendition ladder, for tests about a single rendition's keys.
func singleRendition(_ lines: String...) -> String {
    "renditions:\n  - " + lines.joined(separator: "\n    ") + "\n"
}

extension ResolvedRendition {
    /// Shorthand for expected ladders: name, size and target bitrate; the rest are defaults.
    static func expect(_ name: String, _ width: Int, _ height: Int, _ videoBitrate: Int) -> ResolvedRendition {
        ResolvedRendition(
            name: name, width: width, height: height, videoBitrate: videoBitrate,
            maxBitrate: ResolvedRendition.defaultMaxBitrate(for: videoBitrate)
        )
    }
}
