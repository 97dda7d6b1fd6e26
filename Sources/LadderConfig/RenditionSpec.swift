/// One rung of an explicit ladder exactly as the config file wrote it.
///
/// Sizes and the peak bitrate may be left out here; `LadderConfig.resolve(for:)` fills them in
/// once the source is known and returns ``ResolvedRendition`` values.
public struct RenditionSpec: Sendable, Equatable {
    /// Output folder name: letters, digits, `_` and `-`; unique ignoring case; never `audio`.
    public var name: String
    /// Frame width in pixels; `nil` means "from the height and the source aspect".
    public var width: Int?
    /// Frame height in pixels; `nil` means "from the width and the source aspect".
    public var height: Int?
    /// Target (average) video bitrate in bits per second.
    public var videoBitrate: Int
    /// Peak bitrate in bits per second; `nil` means 1.1 × `videoBitrate`.
    public var maxBitrate: Int?
    /// x264 preset, one of ``X264Options/presets``.
    public var preset: String
    /// H.264 profile, one of ``X264Options/profiles``.
    public var profile: String
    /// x264 tune, one of ``X264Options/tunes``, or `nil` for none.
    public var tune: String?
    /// Copies the source's H.264 video instead of encoding it (docs/passthrough.md): the source's size,
    /// no width or height; `videoBitrate` is what the master announces before anything is measured and
    /// the target of the encoder a live run falls back to. At most one per ladder.
    public var passthrough: Bool

    /// Creates a rendition; the defaults match a config entry that leaves those keys out.
    public init(
        name: String,
        width: Int? = nil,
        height: Int? = nil,
        videoBitrate: Int,
        maxBitrate: Int? = nil,
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
        self.preset = preset
        self.profile = profile
        self.tune = tune
        self.passthrough = passthrough
    }
}

/// The libx264 option values a rendition may name, so typos fail at load time rather than
/// when the encoder opens minutes into a stream.
public enum X264Options {
    /// Presets from fastest to slowest, as libx264 names them.
    public static let presets = [
        "ultrafast", "superfast", "veryfast", "faster", "fast",
        "medium", "slow", "slower", "veryslow", "placebo",
    ]
    /// H.264 profiles every HLS player decodes (no 10-bit or 4:2:2 profiles).
    public static let profiles = ["baseline", "main", "high"]
    /// Tunes libx264 accepts.
    public static let tunes = [
        "film", "animation", "grain", "stillimage", "fastdecode", "zerolatency", "psnr", "ssim",
    ]
    /// Fast enough for live 1080p on a few cores, still far better than ultrafast.
    public static let defaultPreset = "veryfast"
    /// Apple's HLS authoring specification asks for High profile.
    public static let defaultProfile = "high"
}
