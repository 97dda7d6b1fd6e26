/// The container HLS segments are written in.
public enum SegmentFormat: String, Sendable, CaseIterable {
    /// MPEG-2 transport stream segments (`.ts`), audio muxed into every rendition.
    case ts
    /// Fragmented MP4 segments (`.m4s` with an init segment), audio as its own rendition.
    case fmp4
}

/// Everything the config file says about the ladder, before it is matched to a source.
///
/// Build one with ``parse(yaml:)`` or ``load(path:)`` (which validate it), apply command-line
/// overrides with ``with(segmentDuration:segmentFormat:)``, then call ``resolve(for:)`` once
/// the source's size is known.
public struct LadderConfig: Sendable, Equatable {
    /// Target segment length in seconds, 0.5 to 30.
    public var segmentDuration: Double
    /// Segment container.
    public var segmentFormat: SegmentFormat
    /// Low-Latency HLS part length in seconds (`partDuration`, `--part-duration`); nil: no parts.
    public var partDuration: Double?
    /// Whether a rendition may be larger than the source.
    public var allowUpscale: Bool
    /// The explicit ladder, in output order; `nil` derives a standard ladder from the source.
    public var renditions: [RenditionSpec]?
    /// Audio encoding shared by all renditions.
    public var audio: AudioSettings
    /// Lock the output to the wall clock (`epochLock`, `--epoch-lock`): segment n covers
    /// [T0 + n·D, T0 + (n+1)·D), so redundant instances agree (docs/redundancy.md).
    public var epochLock = false
    /// T0 (`epoch`, `--epoch`) in milliseconds since 1970-01-01T00:00:00Z; nil: the Unix epoch itself.
    public var epochMilliseconds: Int64?

    /// Creates a config; the defaults are what an empty config file means.
    public init(
        segmentDuration: Double = 2,
        segmentFormat: SegmentFormat = .ts,
        allowUpscale: Bool = false,
        renditions: [RenditionSpec]? = nil,
        audio: AudioSettings = AudioSettings()
    ) {
        self.segmentDuration = segmentDuration
        self.segmentFormat = segmentFormat
        self.allowUpscale = allowUpscale
        self.renditions = renditions
        self.audio = audio
    }

    /// The config an empty file means: 2 s TS segments, a ladder derived from the source, 128k stereo AAC.
    public static let defaults = LadderConfig()
}
