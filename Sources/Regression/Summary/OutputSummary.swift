/// The canonical summary of one HLS output (`liveladder summarize`): what viewers get, as stable values.
///
/// Stable means two summaries of the same output are the same bytes (`SummaryJSON` writes sorted keys),
/// and nothing depends on where the output lies or when it was read. Time is integer ticks with the
/// timescale they count (`videoTimescale`, `audioTimescale` of the rendition), never a float; the
/// playlist's own decimal text is kept as text (`extinf`, `frameRate`). Quality figures are the one
/// place with fractions, rounded to 4 decimals.
public struct OutputSummary: Codable, Equatable, Sendable {
    /// The summary format; bumped when a field changes meaning.
    public var format = 1
    /// What summarized it (and, in `regress`, what made it): a change here is reported, not failed.
    public var tools: ToolVersions
    public var master: MasterSummary
    /// In master order: variants first, then audio renditions, each playlist once.
    public var renditions: [RenditionSummary]
}

public struct ToolVersions: Codable, Equatable, Sendable {
    public var liveladder: String
    public var ffmpeg: String
    public var x264: String?
}

public struct MasterSummary: Codable, Equatable, Sendable {
    public var independentSegments: Bool
    public var variants: [VariantSummary]
    public var audio: [AudioMediaSummary]
}

/// One `EXT-X-STREAM-INF`, its attributes as written (nil: absent).
public struct VariantSummary: Codable, Equatable, Sendable {
    public var uri: String
    public var bandwidth: Int?
    public var averageBandwidth: Int?
    public var codecs: String?
    public var resolution: String?
    public var frameRate: String?
    public var audioGroup: String?
}

/// One `EXT-X-MEDIA` of TYPE=AUDIO.
public struct AudioMediaSummary: Codable, Equatable, Sendable {
    public var groupID: String?
    public var name: String?
    public var uri: String?
    public var channels: String?
    public var language: String?
    public var isDefault: Bool
}

public struct RenditionSummary: Codable, Equatable, Sendable {
    /// The playlist's URI as the master names it.
    public var uri: String
    /// `video` (an EXT-X-STREAM-INF) or `audio` (an EXT-X-MEDIA).
    public var role: String
    public var playlistType: String?
    public var version: Int?
    public var targetDuration: Int
    public var mediaSequence: Int
    public var discontinuitySequence: Int?
    public var endList: Bool
    public var segmentCount: Int
    /// Positions (0-based, in playlist order) of `#EXT-X-GAP` and `#EXT-X-DISCONTINUITY` entries.
    public var gaps: [Int]
    public var discontinuities: [Int]
    /// The EXT-X-MAP URI and its size, for fMP4.
    public var initSegment: String?
    public var initBytes: Int?
    public var video: VideoTrackSummary?
    public var audio: AudioTrackSummary?
    /// Measured from the segment files and their EXTINF durations (RFC 8216 §4.3.4.2), bit/s.
    public var averageBitrate: Int
    public var peakBitrate: Int
    public var segments: [SegmentSummary]
    /// With `--source`, video renditions only.
    public var quality: QualitySummary?
}

public struct VideoTrackSummary: Codable, Equatable, Sendable {
    public var codec: String
    public var width: Int
    public var height: Int
    public var timescale: Int
    /// Frames in the whole rendition.
    public var frames: Int
}

public struct AudioTrackSummary: Codable, Equatable, Sendable {
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var timescale: Int
    public var samples: Int
}

public struct SegmentSummary: Codable, Equatable, Sendable {
    public var uri: String
    /// The EXTINF duration as the playlist writes it.
    public var extinf: String
    public var gap: Bool
    /// nil for a GAP entry (not fetched, as a client must not fetch it).
    public var bytes: Int?
    public var video: SegmentVideo?
    public var audio: SegmentAudio?
}

public struct SegmentVideo: Codable, Equatable, Sendable {
    /// Smallest presentation time, ticks of the rendition's video timescale.
    public var start: Int64
    /// From the first frame's start to the last frame's end, ticks.
    public var duration: Int64
    public var frames: Int
    /// The first frame (in decode order) is an IDR.
    public var idrFirst: Bool
    /// Positions of keyframes among the segment's frames, in decode order.
    public var keyframes: [Int]
}

public struct SegmentAudio: Codable, Equatable, Sendable {
    /// Smallest presentation time, ticks of the rendition's audio timescale.
    public var start: Int64
    public var samples: Int
}

/// Per metric over the rendition's frames, each scaled back to the source size.
public struct QualitySummary: Codable, Equatable, Sendable {
    public var psnr: MetricSummary
    public var ssim: MetricSummary
    /// nil when this FFmpeg build has no libvmaf.
    public var vmaf: MetricSummary?
    /// Rendition frames with no source frame within half a frame (not measured).
    public var unmatchedFrames: Int
}
