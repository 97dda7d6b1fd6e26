import Foundation
import HLSChecker
import XCTest

func check(_ directory: URL, live: Bool? = nil) throws -> CheckReport {
    try HLSCheck.run(path: directory.path, options: CheckOptions(live: live))
}

func assertPasses(_ report: CheckReport, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(report.passed, "expected no failure, got:\n" + report.failures.map(\.description).joined(separator: "\n"),
                  file: file, line: line)
}

/// The report names `rule`, at a location starting with `location` when given.
func assertFails(_ report: CheckReport, _ rule: String, at location: String? = nil,
                 file: StaticString = #filePath, line: UInt = #line) {
    let found = report.failures.contains { $0.rule == rule && (location.map($0.location.hasPrefix) ?? true) }
    XCTAssertTrue(found, "expected \(rule)\(location.map { " at \($0)" } ?? ""), got:\n"
                  + report.failures.map(\.description).joined(separator: "\n"), file: file, line: line)
}

/// The report names only the rules in `rules` (each at least once).
func assertFailsOnly(_ report: CheckReport, _ rules: Set<String>, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Set(report.failedRules), rules,
                   report.failures.map(\.description).joined(separator: "\n"), file: file, line: line)
}
