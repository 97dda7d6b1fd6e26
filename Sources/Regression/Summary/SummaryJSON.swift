import Foundation

/// The one way summaries become text and back: sorted keys and two-space indentation, so the same summary
/// is always the same bytes and a golden's diff in a pull request shows only what changed.
public enum SummaryJSON {
    public static func encode(_ summary: OutputSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }

    public static func decode(_ data: Data) throws -> OutputSummary {
        try JSONDecoder().decode(OutputSummary.self, from: data)
    }
}
