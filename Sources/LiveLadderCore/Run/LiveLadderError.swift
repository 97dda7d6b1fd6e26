/// A failure the user sees: one line on stderr and a documented exit code (docs/cli.md).
public struct LiveLadderError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Int32, Sendable {
        /// `check` found rule failures, or a generic failure.
        case failed = 1
        /// The ladder config (file or flags) is invalid.
        case badConfig = 3
        /// The input is missing, unreadable, or not a media file libavformat can open.
        case badInput = 4
        /// The input has no video stream.
        case noVideo = 5
        /// The input's video or audio codec cannot be decoded by this FFmpeg build.
        case unsupportedCodec = 6
        /// The output folder cannot be written, or holds another run's files.
        case badOutput = 7
        /// Encoding, muxing or writing failed during the run.
        case processing = 8
        /// A live input was lost and did not come back within the reconnect window.
        case inputLost = 9
        /// Every video rendition failed past its restart budget.
        case allRenditionsFailed = 10
        /// A file transcode (VOD) was stopped by SIGINT/SIGTERM before the end of its input: the output is
        /// playable but ends early.
        case stoppedEarly = 11
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }
}
