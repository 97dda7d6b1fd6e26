/// One rule of HLS-RULES.md that the output breaks, at one place.
///
/// `description` is the report line `liveladder check` prints, e.g.
/// `MP3 720p/index.m3u8 #4 (segment-4.ts): EXTINF 2.000000 but the media lasts 2.033333 s`.
public struct RuleFailure: Sendable, Equatable, CustomStringConvertible {
    /// The rule id from HLS-RULES.md, e.g. `MP3`.
    public let rule: String
    /// Where: the playlist (as the master names it), and for a segment its media sequence number and URI.
    public let location: String
    /// What is wrong, with the numbers that show it.
    public let message: String

    public init(rule: String, location: String, message: String) {
        self.rule = rule
        self.location = location
        self.message = message
    }

    public var description: String { "\(rule) \(location): \(message)" }
}

/// What a check found.
public struct CheckReport: Sendable {
    public var failures: [RuleFailure]
    /// Media playlists read (video and audio renditions).
    public var checkedPlaylists: Int
    /// Media segments opened and inspected (GAP entries are not fetched and not counted).
    public var checkedSegments: Int
    public var passed: Bool { failures.isEmpty }

    public init(failures: [RuleFailure] = [], checkedPlaylists: Int = 0, checkedSegments: Int = 0) {
        self.failures = failures
        self.checkedPlaylists = checkedPlaylists
        self.checkedSegments = checkedSegments
    }

    /// The distinct rule ids that failed, in report order.
    public var failedRules: [String] {
        var seen: Set<String> = []
        return failures.map(\.rule).filter { seen.insert($0).inserted }
    }
}

public struct CheckOptions: Sendable {
    /// Whether the output is a live (sliding-window) stream. `nil` infers it: live when no media playlist
    /// has `#EXT-X-ENDLIST` or `EXT-X-PLAYLIST-TYPE`.
    public var live: Bool?

    public init(live: Bool? = nil) {
        self.live = live
    }
}

/// The master playlist could not be read at all, so nothing could be checked.
public struct CheckError: Error, CustomStringConvertible, Sendable {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
