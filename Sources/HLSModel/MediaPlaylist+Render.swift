extension MediaPlaylist {
    /// The playlist text: `\n` line endings, a trailing newline, and always the same text for the same value.
    ///
    /// Header order: `#EXTM3U`, `EXT-X-VERSION` (from `version`), `EXT-X-TARGETDURATION`, then
    /// `EXT-X-SERVER-CONTROL` and `EXT-X-PART-INF` when set, `EXT-X-MEDIA-SEQUENCE`, then
    /// `EXT-X-DISCONTINUITY-SEQUENCE`, `EXT-X-PLAYLIST-TYPE`, `EXT-X-INDEPENDENT-SEGMENTS` and `EXT-X-MAP`
    /// when set; `EXT-X-SKIP` of a delta update; each segment (its parts before its `EXTINF`); the parts of
    /// the segment in progress; `EXT-X-PRELOAD-HINT`; the rendition reports; `EXT-X-ENDLIST`.
    public func render() -> String {
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
        ]
        if let serverControl { lines.append(serverControl.renderedLine) }
        if let partTarget {
            lines.append("#EXT-X-PART-INF:\(AttributeList([.init("PART-TARGET", .decimalFloatingPoint(partTarget, decimals: 5))]).render())")
        }
        lines.append("#EXT-X-MEDIA-SEQUENCE:\(mediaSequence)")
        if let discontinuitySequence { lines.append("#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuitySequence)") }
        if let playlistType { lines.append("#EXT-X-PLAYLIST-TYPE:\(playlistType.rawValue)") }
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        if let map {
            let attributes = AttributeList([.init("URI", .quotedString(map))])
            lines.append("#EXT-X-MAP:\(attributes.render())")
        }
        if let skippedSegments { lines.append("#EXT-X-SKIP:SKIPPED-SEGMENTS=\(skippedSegments)") }
        for segment in segments { lines += segment.renderedLines }
        if let inProgress {
            if inProgress.discontinuity { lines.append("#EXT-X-DISCONTINUITY") }
            if let date = inProgress.programDateTime { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(ProgramDateTime.format(date))") }
            lines += inProgress.parts.map(\.renderedLine)
        }
        if let preloadHint { lines.append(preloadHint.renderedLine) }
        lines += renditionReports.map(\.renderedLine)
        // Last, always (HLS-RULES MP11).
        if endList { lines.append("#EXT-X-ENDLIST") }
        return lines.joined(separator: "\n") + "\n"
    }
}
