/// What kind of media a stream carries.
public enum MediaKind: String, Sendable, Codable {
    case video, audio, subtitle, data, attachment, unknown
}

/// One stream of an input as the demuxer and its codec parameters describe it.
public struct StreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    public var kind: MediaKind
    /// FFmpeg's codec name (`h264`, `aac`, …); `none` when FFmpeg has no id for it.
    public var codec: String
    /// Whether this FFmpeg build can decode it.
    public var decodable: Bool
    public var timeBase: String
    public var bitRate: Int?
    public var startTime: Double?
    public var duration: Double?
    // Video
    public var width: Int?
    public var height: Int?
    public var pixelFormat: String?
    public var frameRate: String?
    public var sampleAspectRatio: String?
    // Audio
    public var sampleRate: Int?
    public var channels: Int?
    public var channelLayout: String?
}

/// The whole input, as `liveladder probe` prints it.
public struct InputInfo: Sendable, Codable, Equatable {
    public var url: String
    public var format: String
    public var duration: Double?
    public var bitRate: Int?
    public var streams: [StreamInfo]
}
