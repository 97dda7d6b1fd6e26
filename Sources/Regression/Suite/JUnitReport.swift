import Foundation

/// The results as JUnit XML, which every CI system reads: one `testsuite` per case, one `testcase` per
/// check (a case that could not run is one `run` testcase with an `error`). Written by hand: it is a
/// dozen elements, and FoundationXML would pull libxml2 into the binary for them.
public enum JUnitReport {
    public static func render(suiteName: String, _ results: [CaseResult]) -> String {
        var cases: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
        for result in results {
            var tests: [String] = []
            var counts = (failures: 0, errors: 0, skipped: 0)
            if let error = result.error {
                tests.append("    <testcase classname=\"\(escape(result.name))\" name=\"run\" time=\"\(seconds(result.seconds))\">\n"
                             + "      <error message=\"\(escape(error))\"/>\n    </testcase>")
                counts.errors += 1
            } else {
                for check in result.checks {
                    var element = "    <testcase classname=\"\(escape(result.name))\" name=\"\(escape(check.name))\" time=\"0\""
                    switch check.status {
                    case .passed:
                        element += "/>"
                    case .failed(let message):
                        element += ">\n      <failure message=\"\(escape(message))\"/>\n    </testcase>"
                        counts.failures += 1
                    case .skipped(let reason):
                        element += ">\n      <skipped message=\"\(escape(reason))\"/>\n    </testcase>"
                        counts.skipped += 1
                    }
                    tests.append(element)
                }
            }
            let notes = result.notes.isEmpty ? "" : "\n    <system-out>\(escape(result.notes.joined(separator: "\n")))</system-out>"
            cases.append("  <testsuite name=\"\(escape(result.name))\" tests=\"\(tests.count)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\" time=\"\(seconds(result.seconds))\">\n"
                         + tests.joined(separator: "\n") + notes + "\n  </testsuite>")
            totals.tests += tests.count
            totals.failures += counts.failures
            totals.errors += counts.errors
            totals.skipped += counts.skipped
            totals.time += result.seconds
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<testsuites name=\"\(escape(suiteName))\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\" time=\"\(seconds(totals.time))\">\n"
            + cases.joined(separator: "\n") + (cases.isEmpty ? "" : "\n") + "</testsuites>\n"
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Attribute-safe text: the five XML specials, and control characters (not allowed in XML 1.0 at
    /// all) as spaces.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) ? " " : scalar)
            }
        }
        return out
    }
}
