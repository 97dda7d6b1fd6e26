import LadderConfig

/// The container a run writes; mirrors the config's `segmentFormat`.
public typealias SegmentFormatChoice = SegmentFormat

/// What kind of playlists a run writes.
public enum PlaylistKind: String, Sendable, CaseIterable {
    /// Written once, at the end, complete with ENDLIST; never changes after.
    case vod
    /// Appended after every segment; ENDLIST at the end of input.
    case event
}

/// Everything `liveladder run` needs.
public struct RunOptions: Sendable {
    public var input: String
    public var output: String
    public var config: LadderConfig
    public var playlistKind: PlaylistKind
    public var overwrite: Bool
    /// Options for the input's protocol and demuxer (`--input-option`).
    public var inputOptions: [String: String]

    public init(input: String, output: String, config: LadderConfig, playlistKind: PlaylistKind = .vod,
                overwrite: Bool = false, inputOptions: [String: String] = [:]) {
        self.input = input
        self.output = output
        self.config = config
        self.playlistKind = playlistKind
        self.overwrite = overwrite
        self.inputOptions = inputOptions
    }
}
