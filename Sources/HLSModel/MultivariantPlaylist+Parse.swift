extension MultivariantPlaylist {
    /// Reads a multivariant playlist.
    ///
    /// Accepts CRLF or LF line endings, blank lines, comments and tags this model does not hold (ignored,
    /// e.g. `EXT-X-I-FRAME-STREAM-INF`, `EXT-X-SESSION-DATA`). `EXT-X-MEDIA` lines of a type other than
    /// `AUDIO` are ignored. A playlist without `#EXT-X-INDEPENDENT-SEGMENTS` reads as
    /// `independentSegments == false`.
    ///
    /// Errors name the line (`PlaylistParseError.line`) and say what is wrong:
    /// - `expected #EXTM3U, found "…"` / `found an empty line` / `found an empty playlist`
    /// - `#EXT-X-VERSION "x" is not a decimal integer`, `#EXT-X-VERSION appears more than once`
    /// - `#EXT-X-MEDIA: <attribute error>`, e.g. `#EXT-X-MEDIA: CHANNELS is missing` or
    ///   `#EXT-X-MEDIA: DEFAULT "MAYBE" is not YES or NO`
    /// - `#EXT-X-STREAM-INF: <attribute error>`, e.g. `#EXT-X-STREAM-INF: BANDWIDTH "abc" is not a
    ///   decimal integer` (reported on the tag's line)
    /// - `#EXT-X-STREAM-INF: BANDWIDTH "99999999999999999999" is out of range (0…1000000000000)`: numbers
    ///   must lie within `PlaylistLimits`
    /// - `#EXT-X-STREAM-INF appears again before the previous variant's URI`
    /// - `#EXT-X-STREAM-INF is not followed by a URI`
    /// - `URI "x" has no preceding #EXT-X-STREAM-INF`
    public static func parse(_ text: String) throws(PlaylistParseError) -> MultivariantPlaylist {
        let playlistText = try PlaylistText(text)
        var playlist = MultivariantPlaylist(independentSegments: false, variants: [])
        var versionSeen = false
        // The `EXT-X-STREAM-INF` read last, waiting for its URI line.
        var pendingVariant: (attributes: AttributeList, line: Int)?

        for line in playlistText.lines {
            switch line.kind {
            case .uri(let uri):
                guard let (attributes, tagLine) = pendingVariant else {
                    throw PlaylistParseError(
                        line: line.number, message: "URI \"\(uri)\" has no preceding #EXT-X-STREAM-INF")
                }
                playlist.variants.append(try readTag("EXT-X-STREAM-INF", line: tagLine) { () throws(AttributeListError) in
                    try VariantStream(attributeList: attributes, uri: String(uri))
                })
                pendingVariant = nil

            case .tag("EXT-X-VERSION", let value):
                guard !versionSeen else {
                    throw PlaylistParseError(line: line.number, message: "#EXT-X-VERSION appears more than once")
                }
                versionSeen = true
                switch DecimalText.integer(value ?? "", in: PlaylistLimits.integer) {
                case .value: break
                case .malformed:
                    throw PlaylistParseError(
                        line: line.number, message: "#EXT-X-VERSION \"\(value ?? "")\" is not a decimal integer")
                case .outOfRange:
                    throw PlaylistParseError(
                        line: line.number,
                        message: "#EXT-X-VERSION is out of range (\(PlaylistLimits.text(PlaylistLimits.integer)))")
                }

            case .tag("EXT-X-INDEPENDENT-SEGMENTS", _):
                playlist.independentSegments = true

            case .tag("EXT-X-MEDIA", let value):
                let rendition = try readTag("EXT-X-MEDIA", line: line.number) { () throws(AttributeListError) in
                    let attributes = try AttributeList(parsing: value ?? "")
                    let type = try attributes.required(attributes.enumeratedString("TYPE"), "TYPE")
                    return type == "AUDIO" ? try AudioRendition(attributeList: attributes) : nil
                }
                if let rendition { playlist.audioRenditions.append(rendition) }

            case .tag("EXT-X-STREAM-INF", let value):
                guard pendingVariant == nil else {
                    throw PlaylistParseError(
                        line: line.number,
                        message: "#EXT-X-STREAM-INF appears again before the previous variant's URI")
                }
                // Checked now, so a syntax error is reported even if the URI line is missing.
                let attributes = try readTag("EXT-X-STREAM-INF", line: line.number) { () throws(AttributeListError) in
                    try AttributeList(parsing: value ?? "")
                }
                pendingVariant = (attributes, line.number)

            case .tag:
                break  // Tags this model does not hold are allowed and ignored (RFC 8216 §4.1).
            }
        }
        if let (_, tagLine) = pendingVariant {
            throw PlaylistParseError(line: tagLine, message: "#EXT-X-STREAM-INF is not followed by a URI")
        }
        return playlist
    }

    /// Runs `read` and turns an attribute error into a parse error naming the line and tag.
    private static func readTag<T>(
        _ tag: String,
        line: Int,
        _ read: () throws(AttributeListError) -> T
    ) throws(PlaylistParseError) -> T {
        do {
            return try read()
        } catch {
            throw PlaylistParseError(line: line, message: "#\(tag): \(error.message)")
        }
    }
}
