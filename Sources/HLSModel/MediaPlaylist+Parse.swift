import Foundation

extension MediaPlaylist {
    /// Reads a media playlist.
    ///
    /// Accepts CRLF or LF line endings, blank lines, comments and tags this model does not hold (they are
    /// ignored, e.g. `EXT-X-BYTERANGE`, `EXT-X-KEY`, `EXT-X-DATERANGE`). Low-Latency HLS tags are read
    /// into the model: `EXT-X-PART-INF`, `EXT-X-SERVER-CONTROL`, `EXT-X-SKIP`, `EXT-X-PART` (parts before a
    /// segment's URI belong to it; parts after the last URI are the segment in progress),
    /// `EXT-X-PRELOAD-HINT` and `EXT-X-RENDITION-REPORT`; their errors read `#EXT-X-PART: DURATION is
    /// missing` and the like, and their numbers are bounded as the others are. A playlist without
    /// `#EXT-X-INDEPENDENT-SEGMENTS` reads as `independentSegments == false`. `EXT-X-VERSION` is checked
    /// to be a number but not kept: `version` is computed from the content.
    ///
    /// Errors name the line (`PlaylistParseError.line`) and say what is wrong:
    /// - `expected #EXTM3U, found "…"` / `found an empty line` / `found an empty playlist`
    /// - `#EXT-X-TARGETDURATION "x" is not a decimal integer` (same for `EXT-X-VERSION`,
    ///   `EXT-X-MEDIA-SEQUENCE`, `EXT-X-DISCONTINUITY-SEQUENCE`)
    /// - `#EXT-X-TARGETDURATION appears more than once` (same for the other header tags and `EXT-X-MAP`)
    /// - `#EXT-X-PLAYLIST-TYPE "x" is not VOD or EVENT`
    /// - `#EXT-X-MAP: <attribute list error>` / `#EXT-X-MAP: URI is missing`
    /// - `#EXT-X-MEDIA-SEQUENCE "99999999999999999999" is out of range (0…9007199254740992)`: every
    ///   number must lie within `PlaylistLimits` (same for the other header tags)
    /// - `#EXTINF duration "abc" is not a number`
    /// - `#EXTINF duration "0.0001" is out of range (0.001…86400 s)`
    /// - `#EXTINF appears again before the previous segment's URI`
    /// - `#EXT-X-PROGRAM-DATE-TIME "x" is not an ISO 8601 date-time with a time zone`
    /// - `URI "x" has no preceding #EXTINF`
    /// - `#EXTINF is not followed by a URI` (or `#EXT-X-DISCONTINUITY`, `#EXT-X-GAP`,
    ///   `#EXT-X-PROGRAM-DATE-TIME`: the first segment tag left without a segment at the end)
    /// - `no #EXT-X-TARGETDURATION in the playlist` (on the last non-blank line)
    public static func parse(_ text: String) throws(PlaylistParseError) -> MediaPlaylist {
        let playlistText = try PlaylistText(text)
        var reader = MediaPlaylistReader()
        for line in playlistText.lines {
            switch line.kind {
            case .uri(let uri): try reader.addSegment(uri: uri, line: line.number)
            case .tag(let name, let value): try reader.apply(tag: name, value: value, line: line.number)
            }
        }
        return try reader.finish(lastLineNumber: playlistText.lastLineNumber)
    }
}

/// The state of reading a media playlist line by line.
private struct MediaPlaylistReader {
    private var playlist = MediaPlaylist(targetDuration: 0, independentSegments: false)
    private var targetDuration: Int?
    /// Header tags already read, to reject a second one: which one wins would be a guess.
    private var seenHeaderTags: Set<Substring> = []
    /// Segment tags read since the last URI; they belong to the next segment.
    private var pending = PendingSegment()

    private struct PendingSegment {
        var duration: Double?
        var discontinuity = false
        var gap = false
        var programDateTime: Date?
        var parts: [MediaPart] = []
        /// The first tag that started this segment, to name it if the URI never comes.
        var openedBy: (tag: Substring, line: Int)?

        mutating func opened(by tag: Substring, line: Int) {
            if openedBy == nil { openedBy = (tag, line) }
        }
    }

    mutating func apply(tag: Substring, value: Substring?, line: Int) throws(PlaylistParseError) {
        switch tag {
        case "EXT-X-VERSION":
            try once(tag, line)
            _ = try integer(tag, value, line, in: PlaylistLimits.integer)
        case "EXT-X-TARGETDURATION":
            try once(tag, line)
            targetDuration = try integer(tag, value, line, in: PlaylistLimits.targetDuration)
        case "EXT-X-MEDIA-SEQUENCE":
            try once(tag, line)
            playlist.mediaSequence = try integer(tag, value, line, in: PlaylistLimits.sequenceNumber)
        case "EXT-X-DISCONTINUITY-SEQUENCE":
            try once(tag, line)
            playlist.discontinuitySequence = try integer(tag, value, line, in: PlaylistLimits.sequenceNumber)
        case "EXT-X-PLAYLIST-TYPE":
            try once(tag, line)
            guard let type = value.flatMap({ PlaylistType(rawValue: String($0)) }) else {
                throw PlaylistParseError(line: line, message: "#\(tag) \"\(value ?? "")\" is not VOD or EVENT")
            }
            playlist.playlistType = type
        case "EXT-X-INDEPENDENT-SEGMENTS":
            playlist.independentSegments = true
        case "EXT-X-MAP":
            try once(tag, line)
            playlist.map = try mapURI(value ?? "", line)
        case "EXT-X-ENDLIST":
            playlist.endList = true
        case "EXTINF":
            guard pending.duration == nil else {
                throw PlaylistParseError(line: line, message: "#EXTINF appears again before the previous segment's URI")
            }
            pending.duration = try duration(value ?? "", line)
            pending.opened(by: tag, line: line)
        case "EXT-X-DISCONTINUITY":
            pending.discontinuity = true
            pending.opened(by: tag, line: line)
        case "EXT-X-GAP":
            pending.gap = true
            pending.opened(by: tag, line: line)
        case "EXT-X-PROGRAM-DATE-TIME":
            guard let value, let date = ProgramDateTime.parse(value) else {
                throw PlaylistParseError(
                    line: line,
                    message: "#\(tag) \"\(value ?? "")\" is not an ISO 8601 date-time with a time zone")
            }
            pending.programDateTime = date
            pending.opened(by: tag, line: line)
        case "EXT-X-PART-INF":
            try once(tag, line)
            playlist.partTarget = try attributes(tag, value, line) { list throws(AttributeListError) in
                try list.required(list.decimalFloatingPoint("PART-TARGET", in: PlaylistLimits.segmentDuration), "PART-TARGET")
            }
        case "EXT-X-SERVER-CONTROL":
            try once(tag, line)
            playlist.serverControl = try attributes(tag, value, line) { list throws(AttributeListError) in
                let seconds = 0...Double(PlaylistLimits.targetDuration.upperBound)
                return ServerControl(canBlockReload: try list.enumeratedString("CAN-BLOCK-RELOAD") == "YES",
                                     partHoldBack: try list.decimalFloatingPoint("PART-HOLD-BACK", in: seconds),
                                     holdBack: try list.decimalFloatingPoint("HOLD-BACK", in: seconds),
                                     canSkipUntil: try list.decimalFloatingPoint("CAN-SKIP-UNTIL", in: seconds))
            }
        case "EXT-X-SKIP":
            try once(tag, line)
            playlist.skippedSegments = try attributes(tag, value, line) { list throws(AttributeListError) in
                try list.required(list.decimalInteger("SKIPPED-SEGMENTS", in: PlaylistLimits.sequenceNumber), "SKIPPED-SEGMENTS")
            }
        case "EXT-X-PART":
            let part = try attributes(tag, value, line) { list throws(AttributeListError) in
                MediaPart(uri: try list.required(list.quotedString("URI"), "URI"),
                          duration: try list.required(list.decimalFloatingPoint("DURATION", in: PlaylistLimits.segmentDuration), "DURATION"),
                          independent: try list.enumeratedString("INDEPENDENT") == "YES",
                          gap: try list.enumeratedString("GAP") == "YES")
            }
            pending.parts.append(part)
        case "EXT-X-PRELOAD-HINT":
            try once(tag, line)
            playlist.preloadHint = try attributes(tag, value, line) { list throws(AttributeListError) in
                let type = try list.required(list.enumeratedString("TYPE"), "TYPE")
                guard let kind = PreloadHint.Kind(rawValue: type) else { throw AttributeListError("TYPE \"\(type)\" is not PART or MAP") }
                return PreloadHint(kind: kind, uri: try list.required(list.quotedString("URI"), "URI"))
            }
        case "EXT-X-RENDITION-REPORT":
            let report = try attributes(tag, value, line) { list throws(AttributeListError) in
                RenditionReport(uri: try list.required(list.quotedString("URI"), "URI"),
                                lastMediaSequence: try list.required(list.decimalInteger("LAST-MSN", in: PlaylistLimits.sequenceNumber), "LAST-MSN"),
                                lastPart: try list.decimalInteger("LAST-PART", in: PlaylistLimits.sequenceNumber))
            }
            playlist.renditionReports.append(report)
        default:
            break  // Tags this model does not hold are allowed and ignored (RFC 8216 §4.1).
        }
    }

    mutating func addSegment(uri: Substring, line: Int) throws(PlaylistParseError) {
        guard let duration = pending.duration else {
            throw PlaylistParseError(line: line, message: "URI \"\(uri)\" has no preceding #EXTINF")
        }
        playlist.segments.append(MediaSegment(
            uri: String(uri),
            duration: duration,
            discontinuity: pending.discontinuity,
            gap: pending.gap,
            programDateTime: pending.programDateTime,
            parts: pending.parts))
        pending = PendingSegment()
    }

    func finish(lastLineNumber: Int) throws(PlaylistParseError) -> MediaPlaylist {
        var playlist = playlist
        // Parts after the last URI are the segment being cut; the discontinuity or date before them is its.
        if !pending.parts.isEmpty, pending.duration == nil, !pending.gap {
            playlist.inProgress = SegmentInProgress(parts: pending.parts, discontinuity: pending.discontinuity,
                                                    programDateTime: pending.programDateTime)
        } else if let (tag, line) = pending.openedBy {
            throw PlaylistParseError(line: line, message: "#\(tag) is not followed by a URI")
        }
        guard let targetDuration else {
            throw PlaylistParseError(line: lastLineNumber, message: "no #EXT-X-TARGETDURATION in the playlist")
        }
        playlist.targetDuration = targetDuration
        return playlist
    }

    private mutating func once(_ tag: Substring, _ line: Int) throws(PlaylistParseError) {
        guard seenHeaderTags.insert(tag).inserted else {
            throw PlaylistParseError(line: line, message: "#\(tag) appears more than once")
        }
    }

    private func integer(_ tag: Substring, _ value: Substring?, _ line: Int, in range: ClosedRange<Int>)
        throws(PlaylistParseError) -> Int {
        let text = value ?? ""
        switch DecimalText.integer(text, in: range) {
        case .value(let number):
            return number
        case .malformed:
            throw PlaylistParseError(line: line, message: "#\(tag) \"\(text)\" is not a decimal integer")
        case .outOfRange:
            throw PlaylistParseError(
                line: line, message: "#\(tag) \"\(shortened(text))\" is out of range (\(PlaylistLimits.text(range)))")
        }
    }

    /// `EXTINF:<duration>,[<title>]`; the title is not kept. A missing comma is tolerated.
    private func duration(_ value: Substring, _ line: Int) throws(PlaylistParseError) -> Double {
        let text = value.prefix { $0 != "," }
        switch DecimalText.floatingPoint(text, in: PlaylistLimits.segmentDuration) {
        case .value(let seconds):
            return seconds
        case .malformed:
            throw PlaylistParseError(line: line, message: "#EXTINF duration \"\(text)\" is not a number")
        case .outOfRange:
            throw PlaylistParseError(
                line: line,
                message: "#EXTINF duration \"\(shortened(text))\" is out of range (\(PlaylistLimits.text(PlaylistLimits.segmentDuration)) s)")
        }
    }

    /// A hostile number can be thousands of digits long; an error message stays one readable line.
    private func shortened(_ text: Substring) -> String {
        text.count > 24 ? text.prefix(24) + "…" : String(text)
    }

    /// Reads a tag's attribute list with `read`, naming the tag and line in any error.
    private func attributes<T>(_ tag: Substring, _ value: Substring?, _ line: Int,
                               _ read: (AttributeList) throws(AttributeListError) -> T) throws(PlaylistParseError) -> T {
        do {
            return try read(try AttributeList(parsing: value ?? ""))
        } catch {
            throw PlaylistParseError(line: line, message: "#\(tag): \(error.message)")
        }
    }

    private func mapURI(_ value: Substring, _ line: Int) throws(PlaylistParseError) -> String {
        do {
            let attributes = try AttributeList(parsing: value)
            return try attributes.required(attributes.quotedString("URI"), "URI")
        } catch {
            throw PlaylistParseError(line: line, message: "#EXT-X-MAP: \(error.message)")
        }
    }
}
