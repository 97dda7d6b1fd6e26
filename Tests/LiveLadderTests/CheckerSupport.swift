import XCTest
import HLSChecker

/// Every output a test makes must pass `liveladder check`'s rules.
func assertChecks(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let report = try HLSCheck.run(path: folder)
    XCTAssertTrue(report.passed, "check failed for \(folder):\n" + report.failures.map(\.description).joined(separator: "\n"),
                  file: file, line: line)
}
