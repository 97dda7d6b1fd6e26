import HLSModel

/// A position in a live media playlist: a media sequence number and, with parts, how many parts of that
/// segment are listed. The in-progress segment's number with its listed parts, or for a playlist
/// without parts the number after the last segment with 0.
struct PlaylistEdge: Comparable, Sendable, CustomStringConvertible {
    var sequence: Int
    var parts: Int

    static func < (a: PlaylistEdge, b: PlaylistEdge) -> Bool {
        (a.sequence, a.parts) < (b.sequence, b.parts)
    }

    var description: String { parts == 0 ? "segment \(sequence - 1)" : "part \(parts - 1) of segment \(sequence)" }

    init(sequence: Int, parts: Int) {
        self.sequence = sequence
        self.parts = parts
    }

    init(_ playlist: MediaPlaylist) {
        sequence = playlist.mediaSequence + playlist.segments.count
        parts = playlist.inProgress?.parts.count ?? 0
    }
}

/// What one media playlist must keep across reloads, checked one reload at a time (pure; LivePoller
/// feeds it what it fetches).
///
/// - MP5: EXT-X-MEDIA-SEQUENCE never goes back; a media sequence number keeps its URI and EXTINF once
///   listed, and a URI keeps its number; the playlist itself does not go back (a stale copy).
/// - MP6: EXT-X-DISCONTINUITY-SEQUENCE never goes back.
/// - MP2 / LL1: TARGETDURATION and PART-TARGET never change.
/// - MP11: a playlist with ENDLIST no longer changes.
/// - LL6: the preload hint becomes the next part.
struct PlaylistHistory {
    struct Finding: Equatable {
        var rule: String
        var segment: (number: Int, uri: String)?
        var message: String

        static func == (a: Finding, b: Finding) -> Bool {
            a.rule == b.rule && a.message == b.message && a.segment?.number == b.segment?.number && a.segment?.uri == b.segment?.uri
        }
    }

    private(set) var previous: MediaPlaylist?
    /// Every media sequence number seen recently, with its URI and EXTINF, and every URI's number.
    private var numbers: [Int: (uri: String, duration: Double)] = [:]
    private var uris: [String: Int] = [:]
    /// How many numbers to remember behind the window: a URI that comes back long after it left is
    /// beyond what a player can notice.
    static let memory = 1000

    /// Compares `playlist` with what came before and remembers it.
    mutating func observe(_ playlist: MediaPlaylist) -> [Finding] {
        var findings: [Finding] = []
        defer { remember(playlist) }
        guard let previous else { return findings }
        if playlist.mediaSequence < previous.mediaSequence {
            findings.append(Finding(rule: "MP5", message: "EXT-X-MEDIA-SEQUENCE went back from \(previous.mediaSequence) to \(playlist.mediaSequence)"))
        } else if PlaylistEdge(playlist) < PlaylistEdge(previous) {
            findings.append(Finding(rule: "MP5", message: "the playlist went back: it listed up to \(PlaylistEdge(previous)), now only up to \(PlaylistEdge(playlist)) (a stale copy)"))
        }
        if let before = previous.discontinuitySequence, let now = playlist.discontinuitySequence, now < before {
            findings.append(Finding(rule: "MP6", message: "EXT-X-DISCONTINUITY-SEQUENCE went back from \(before) to \(now)"))
        }
        if playlist.targetDuration != previous.targetDuration {
            findings.append(Finding(rule: "MP2", message: "EXT-X-TARGETDURATION changed from \(previous.targetDuration) to \(playlist.targetDuration)"))
        }
        if let before = previous.partTarget, let now = playlist.partTarget, before != now {
            findings.append(Finding(rule: "LL1", message: "PART-TARGET changed from \(before) to \(now)"))
        }
        if previous.endList, playlist.segments != previous.segments || playlist.mediaSequence != previous.mediaSequence {
            findings.append(Finding(rule: "MP11", message: "the playlist changed after EXT-X-ENDLIST"))
        }
        for (index, segment) in playlist.segments.enumerated() {
            let number = playlist.mediaSequence + index
            if let known = numbers[number], known.uri != segment.uri || abs(known.duration - segment.duration) > 0.0005 {
                findings.append(Finding(rule: "MP5", segment: (number, segment.uri),
                                        message: "was \(known.uri) lasting \(known.duration) s, now \(segment.uri) lasting \(segment.duration) s"))
            } else if let known = uris[segment.uri], known != number {
                findings.append(Finding(rule: "MP5", segment: (number, segment.uri),
                                        message: "this URI was segment \(known); a URI names one segment"))
            }
        }
        // A hint for the part after a segment's last one names a part that is never made when the segment
        // ends there (the server cannot always know a segment ends before its next picture): only a part
        // of the same segment taking the hint's place breaks LL6.
        let edge = PlaylistEdge(previous)
        if let hint = previous.preloadHint, hint.kind == .part, let next = Self.part(at: edge, in: playlist),
           Self.isSameSegment(edge, in: playlist), next.uri != hint.uri {
            findings.append(Finding(rule: "LL6", message: "the preload hint named \(hint.uri) but the next part is \(next.uri)"))
        }
        return findings
    }

    /// The part that comes at `edge` (that many parts into segment `edge.sequence`) in `playlist`, if it
    /// is listed there: in the segment in progress, among a completed segment's parts, or, when that
    /// segment ended with exactly `edge.parts` parts, the next segment's first part.
    static func part(at edge: PlaylistEdge, in playlist: MediaPlaylist) -> MediaPart? {
        let index = edge.sequence - playlist.mediaSequence
        guard index >= 0 else { return nil }
        if index < playlist.segments.count {
            let parts = playlist.segments[index].parts
            if edge.parts < parts.count { return parts[edge.parts] }
            guard edge.parts == parts.count, !parts.isEmpty else { return nil }
            if index + 1 < playlist.segments.count { return playlist.segments[index + 1].parts.first }
            return playlist.inProgress?.parts.first
        }
        guard index == playlist.segments.count, let parts = playlist.inProgress?.parts, edge.parts < parts.count else { return nil }
        return parts[edge.parts]
    }

    /// Whether the part at `edge` in `playlist` belongs to segment `edge.sequence` (not the next one).
    private static func isSameSegment(_ edge: PlaylistEdge, in playlist: MediaPlaylist) -> Bool {
        let index = edge.sequence - playlist.mediaSequence
        guard index >= 0 else { return false }
        if index < playlist.segments.count { return edge.parts < playlist.segments[index].parts.count }
        return true
    }

    /// Whether `playlist` holds what a blocking reload asked for (HLS-RULES O1): segment `msn` complete,
    /// or with `part`, part `part` of segment `msn` (past its last part: part 0 of the next segment).
    static func satisfies(_ playlist: MediaPlaylist, msn: Int, part: Int?) -> Bool {
        let complete = playlist.mediaSequence + playlist.segments.count  // the first number not complete
        guard let part else { return msn < complete }
        if msn < complete {
            let index = msn - playlist.mediaSequence
            guard index >= 0 else { return true }  // left the window: later ones exist
            if part < playlist.segments[index].parts.count { return true }
            return msn + 1 < complete || !(playlist.inProgress?.parts.isEmpty ?? true)
        }
        return msn == complete && part < (playlist.inProgress?.parts.count ?? 0)
    }

    private mutating func remember(_ playlist: MediaPlaylist) {
        for (index, segment) in playlist.segments.enumerated() {
            let number = playlist.mediaSequence + index
            numbers[number] = (segment.uri, segment.duration)
            uris[segment.uri] = number
        }
        let oldest = playlist.mediaSequence - Self.memory
        if numbers.count > 2 * Self.memory {
            numbers = numbers.filter { $0.key >= oldest }
            uris = uris.filter { $0.value >= oldest }
        }
        previous = playlist
    }
}
