extension MediaPlaylist {
    /// The playlist text: `\n` line endings, a trailing newline, and always the same text for the same value.
    ///
    /// Header order: `#EXTM3U`, `EXT-X-VERSION` (from `version`), `EXT-X-TARGETDURATION`,
    /// `EXT-X-MEDIA-SEQUENCE`, then `EXT-X-DISCONTINUITY-SEQUENCE`, `EXT-X-PLAYLIST-TYPE`,
    /// `EXT-X-INDEPENDENT-SEGMENTS` and `EXT-X-MAP` when set; then each segment; then `EXT-X-ENDLIST`.
    public func render() -> String {
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:\(mediaSequence)",
        ]
        if let discontinuitySequence { lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuitySequence)") }
        if let playlistType { lines.append("#EXT-X-PLAYLIST-TYPE:\(playlistType.rawValue)") }
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        if let map {
            let attributes = AttributeList([.init("URI", .quotedString(map))])
            lines.append("#EXT-X-MAP:\(attributes.render())")
        }
        for segment in segments { lines += segment.renderedLines }
        if endList { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}
