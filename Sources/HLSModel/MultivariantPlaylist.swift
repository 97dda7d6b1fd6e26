/// A multivariant (master) playlist (RFC 8216 §4.3.4): the ladder of variants and their alternate audio,
/// as a plain value.
///
/// `render()` writes it deterministically and `parse(_:)` reads it back; for every playlist whose frame
/// rates have at most three decimals, `try MultivariantPlaylist.parse(playlist.render()) == playlist`.
/// (As for media playlists, numbers are non-negative, URIs are single non-blank lines not starting with
/// `#`, quoted values have no `"` and codecs no `,`.)
public struct MultivariantPlaylist: Equatable, Sendable {
    /// `#EXT-X-INDEPENDENT-SEGMENTS` (HLS-RULES MV7).
    public var independentSegments: Bool

    /// `#EXT-X-MEDIA:TYPE=AUDIO` lines, in order (HLS-RULES MV8).
    public var audioRenditions: [AudioRendition]

    /// `#EXT-X-STREAM-INF` lines with their URIs, in order (HLS-RULES MV1).
    public var variants: [VariantStream]

    public init(
        independentSegments: Bool = true,
        audioRenditions: [AudioRendition] = [],
        variants: [VariantStream]
    ) {
        self.independentSegments = independentSegments
        self.audioRenditions = audioRenditions
        self.variants = variants
    }

    /// The `EXT-X-VERSION` to declare. Nothing this model writes needs more than 3 (the first version
    /// with decimal-floating-point values); a new attribute that does must raise it here.
    public var version: Int { 3 }

    /// The `EXT-X-VERSION` that `text` declares, or `nil` when it has none (or an unreadable one).
    public static func declaredVersion(in text: String) -> Int? {
        PlaylistText.declaredVersion(in: text)
    }
}
