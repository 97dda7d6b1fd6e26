extension MultivariantPlaylist {
    /// The playlist text: `\n` line endings, a trailing newline, and always the same text for the same value.
    ///
    /// Order: `#EXTM3U`, `EXT-X-VERSION`, `EXT-X-INDEPENDENT-SEGMENTS` when set, the `EXT-X-MEDIA` lines,
    /// then each `EXT-X-STREAM-INF` followed by its URI.
    public func render() -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(version)"]
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        for rendition in audioRenditions {
            lines.append("#EXT-X-MEDIA:\(rendition.attributeList.render())")
        }
        for variant in variants {
            lines.append("#EXT-X-STREAM-INF:\(variant.attributeList.render())")
            lines.append(variant.uri)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
