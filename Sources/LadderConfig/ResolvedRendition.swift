/// One rendition with every number the encoder needs, ready to open libx264 with.
public struct ResolvedRendition: Sendable, Equatable {
    /// Output folder name.
    public let name: String
    /// Frame width in pixels, even.
    public let width: Int
    /// Frame height in pixels, even.
    public let height: Int
    /// Target bitrate in bits per second (x264 `bitrate`).
    public let videoBitrate: Int
    /// Peak bitrate in bits per second (x264 `vbv-maxrate`).
    public let maxBitrate: Int
    /// VBV buffer in bits (x264 `vbv-bufsize`), always 2 × `maxBitrate`.
    public let bufferSize: Int
    /// x264 preset.
    public let preset: String
    /// H.264 profile.
    public let profile: String
    /// x264 tune, or `nil` for none.
    public let tune: String?
    /// Copies the source's video (its size is the source's); the encoder settings are the fallback's.
    public let passthrough: Bool

    /// Creates a rendition; `bufferSize` follows from `maxBitrate`.
    public init(
        name: String,
        width: Int,
        height: Int,
        videoBitrate: Int,
        maxBitrate: Int,
        preset: String = X264Options.defaultPreset,
        profile: String = X264Options.defaultProfile,
        tune: String? = nil,
        passthrough: Bool = false
    ) {
        self.name = name
        self.width = width
        self.height = height
        self.videoBitrate = videoBitrate
        self.maxBitrate = maxBitrate
        // Two seconds of peak-rate data: enough for x264 to spend bits on scene cuts while
        // keeping every 2 s segment close to its advertised BANDWIDTH.
        self.bufferSize = 2 * maxBitrate
        self.preset = preset
        self.profile = profile
        self.tune = tune
        self.passthrough = passthrough
    }

    /// The peak bitrate when the config gives none: 1.1 × the target, rounded half up. Ten
    /// percent headroom is the usual HLS capped-VBR setting.
    static func defaultMaxBitrate(for videoBitrate: Int) -> Int {
        (videoBitrate * 11 + 5) / 10
    }
}
