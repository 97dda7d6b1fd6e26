public import Foundation

/// One entry of a media playlist: the segment's URI, its `EXTINF` duration and the tags that apply to it.
public struct MediaSegment: Equatable, Sendable {
    /// Where the segment is, relative to the playlist. Must not be empty, start with `#` or contain line breaks.
    public var uri: String

    /// The `EXTINF` duration in seconds: the segment's real media duration (HLS-RULES MP3).
    /// Rendered with six decimals, so a value with at most six decimals survives a round trip exactly.
    public var duration: Double

    /// `#EXT-X-DISCONTINUITY` before this segment: its timestamps or encoding parameters do not
    /// continue the previous segment's (HLS-RULES MP6).
    public var discontinuity: Bool

    /// `#EXT-X-GAP`: the rendition could not produce this segment and clients must not fetch it
    /// (HLS-RULES MP8). Requires playlist version 8.
    public var gap: Bool

    /// `#EXT-X-PROGRAM-DATE-TIME`: the wall-clock time of the segment's first sample (HLS-RULES MP9).
    /// Rendered in UTC to the millisecond.
    public var programDateTime: Date?

    /// `EXT-X-PART` lines of this segment (Low-Latency HLS), listed before its `EXTINF`; empty for a
    /// segment whose parts have left the playlist or that never had any.
    public var parts: [MediaPart]

    public init(
        uri: String,
        duration: Double,
        discontinuity: Bool = false,
        gap: Bool = false,
        programDateTime: Date? = nil,
        parts: [MediaPart] = []
    ) {
        self.uri = uri
        self.duration = duration
        self.discontinuity = discontinuity
        self.gap = gap
        self.programDateTime = programDateTime
        self.parts = parts
    }

    /// The segment's lines, in the order Apple's tools write them: the tags, its parts, `EXTINF`, then
    /// the URI.
    var renderedLines: [String] {
        var lines: [String] = []
        if discontinuity { lines.append("#EXT-X-DISCONTINUITY") }
        if let programDateTime {
            lines.append("#EXT-X-PROGRAM-DATE-TIME:\(ProgramDateTime.format(programDateTime))")
        }
        lines += parts.map(\.renderedLine)
        if gap { lines.append("#EXT-X-GAP") }
        lines.append("#EXTINF:\(DecimalText.fixed(duration, decimals: 6)),")
        lines.append(uri)
        return lines
    }
}
