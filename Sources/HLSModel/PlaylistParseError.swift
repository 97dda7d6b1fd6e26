/// Why a playlist could not be read, and on which line.
///
/// `description` is a single line meant for a user-facing report, for example
/// `line 4: #EXTINF duration "abc" is not a number`.
public struct PlaylistParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number in the text given to the parser. When something is missing altogether
    /// (such as `#EXT-X-TARGETDURATION`) it is the last non-blank line, where the reader gave up looking.
    public let line: Int

    /// What is wrong, without the `line N:` prefix.
    public let message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
