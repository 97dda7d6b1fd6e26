/// A media playlist (RFC 8216 §4.3.3, §4.3.4): one rendition's list of segments, as a plain value.
///
/// `render()` writes it deterministically and `parse(_:)` reads it back; for every playlist whose
/// durations have at most six decimals and whose program date-times are whole milliseconds,
/// `try MediaPlaylist.parse(playlist.render()) == playlist`. (The model does not police what no playlist
/// could carry anyway: integers and durations are non-negative, URIs are single non-blank lines that do
/// not start with `#`, and the map URI has no `"`.) The parser refuses numbers outside `PlaylistLimits`:
/// durations 0.001 … 86 400 s, target durations 1 … 86 400 s, sequence numbers 0 … 2^53.
public struct MediaPlaylist: Equatable, Sendable {
    /// `EXT-X-TARGETDURATION`: at least every `EXTINF` rounded to the nearest integer (HLS-RULES MP2).
    public var targetDuration: Int

    /// `EXT-X-MEDIA-SEQUENCE`: the number of the first segment listed (HLS-RULES MP5).
    public var mediaSequence: Int

    /// `EXT-X-DISCONTINUITY-SEQUENCE`, written only when set. Live and event playlists always carry it
    /// (HLS-RULES MP6).
    public var discontinuitySequence: Int?

    /// `EXT-X-PLAYLIST-TYPE`, written only when set; a live sliding window has none.
    public var playlistType: PlaylistType?

    /// `#EXT-X-INDEPENDENT-SEGMENTS`: every segment starts with an IDR frame (HLS-RULES MV7, S1).
    public var independentSegments: Bool

    /// `EXT-X-MAP:URI="…"`: the fMP4 initialization segment (HLS-RULES S4). Requires version 6.
    public var map: String?

    public var segments: [MediaSegment]

    /// `#EXT-X-ENDLIST`: the stream is finished (HLS-RULES MP11).
    public var endList: Bool

    // Low-Latency HLS (HLS-RULES LL1–LL9). All nil or empty for a playlist without parts.

    /// `EXT-X-PART-INF:PART-TARGET`, seconds: fixed for the whole stream (LL1).
    public var partTarget: Double?
    /// `EXT-X-SERVER-CONTROL`.
    public var serverControl: ServerControl?
    /// `EXT-X-SKIP:SKIPPED-SEGMENTS` of a delta update (LL9): that many segments from `mediaSequence` on
    /// are left out, and `segments` are the ones after them.
    public var skippedSegments: Int?
    /// The parts of the segment being cut, after the last complete segment.
    public var inProgress: SegmentInProgress?
    /// `EXT-X-PRELOAD-HINT`: the next part, before it exists (LL6).
    public var preloadHint: PreloadHint?
    /// `EXT-X-RENDITION-REPORT`s for the other renditions (LL7).
    public var renditionReports: [RenditionReport] = []

    public init(
        targetDuration: Int,
        mediaSequence: Int = 0,
        discontinuitySequence: Int? = nil,
        playlistType: PlaylistType? = nil,
        independentSegments: Bool = true,
        map: String? = nil,
        segments: [MediaSegment] = [],
        endList: Bool = false
    ) {
        self.targetDuration = targetDuration
        self.mediaSequence = mediaSequence
        self.discontinuitySequence = discontinuitySequence
        self.playlistType = playlistType
        self.independentSegments = independentSegments
        self.map = map
        self.segments = segments
        self.endList = endList
    }

    /// The media sequence number of the segment that would follow the last one listed
    /// (`mediaSequence + segments.count`), e.g. where a resumed run goes on.
    ///
    /// A parsed playlist's `mediaSequence` is at most 2^53 (`PlaylistLimits.sequenceNumber`), so this is
    /// exact; for a hand-built value so large that the sum would overflow it is `nil` rather than a trap.
    public var nextMediaSequence: Int? {
        let (next, overflow) = mediaSequence.addingReportingOverflow(segments.count)
        return overflow ? nil : next
    }

    /// The lowest `EXT-X-VERSION` that covers every tag this playlist uses (HLS-RULES MP1): 3 for
    /// decimal `EXTINF` durations, 6 for `EXT-X-MAP`, 8 for `EXT-X-GAP`, 9 for `EXT-X-SKIP`.
    ///
    /// Computed rather than stored so it can never disagree with the content; to see what a file
    /// claims, use `declaredVersion(in:)`.
    public var version: Int {
        if skippedSegments != nil { return 9 }
        if segments.contains(where: \.gap) { return 8 }
        if map != nil { return 6 }
        return 3
    }

    /// The `EXT-X-VERSION` that `text` declares, or `nil` when it has none (or an unreadable one).
    /// Lenient on purpose, so a checker can compare it with `version` even for a playlist that fails
    /// other checks.
    public static func declaredVersion(in text: String) -> Int? {
        PlaylistText.declaredVersion(in: text)
    }
}

/// `EXT-X-PLAYLIST-TYPE`: what may change in a playlist (HLS-RULES MP11).
public enum PlaylistType: String, Equatable, Sendable {
    /// Never changes.
    case vod = "VOD"
    /// Only ever appended to.
    case event = "EVENT"
}
