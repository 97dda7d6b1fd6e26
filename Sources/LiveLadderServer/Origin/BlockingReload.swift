import HLSModel

/// A playlist request's delivery directives (draft-pantos-hls-rfc8216bis §6.2.5.2) and what the origin
/// does with them (HLS-RULES O1–O3), as a pure decision on the playlist as it stands.
struct PlaylistRequest: Equatable, Sendable {
    var msn: Int?
    var part: Int?
    var skip: Bool

    /// Reads `_HLS_msn`, `_HLS_part` and `_HLS_skip` from the query; a value that is not a decimal
    /// integer is a 400, like any other malformed directive.
    static func parse(_ query: [(String, String)]) -> Result<PlaylistRequest, BlockingReload.Refusal> {
        var request = PlaylistRequest(msn: nil, part: nil, skip: false)
        for (name, value) in query {
            switch name {
            case "_HLS_msn", "_HLS_part":
                // Bounded like every sequence number the model reads (PlaylistLimits), so later sums stay exact.
                guard value.count <= 16, value.allSatisfy(\.isASCII), let number = Int(value), number >= 0,
                      PlaylistLimits.sequenceNumber.contains(number) else {
                    return .failure(.badRequest("\(name)=\(value.prefix(20)) is not a non-negative decimal integer"))
                }
                if name == "_HLS_msn" { request.msn = number } else { request.part = number }
            case "_HLS_skip":
                guard value == "YES" || value == "v2" else { return .failure(.badRequest("_HLS_skip=\(value.prefix(20)) is not YES or v2")) }
                request.skip = true
            default:
                continue
            }
        }
        return .success(request)
    }
}

enum BlockingReload {
    enum Refusal: Error, Equatable, Sendable {
        case badRequest(String)
    }

    enum Decision: Equatable, Sendable {
        /// Answer with the playlist now (delta when asked for one and allowed).
        case answer(delta: Bool)
        /// Hold the request until `isSatisfied` holds for a later playlist (or 503 after the timeout).
        case wait
        case refuse(Refusal)
    }

    /// The live edge: the last complete segment's media sequence number, and the segment in progress
    /// with its last part, if any.
    struct Edge: Sendable {
        var lastSegment: Int?
        var inProgress: (msn: Int, lastPart: Int)?

        init(_ playlist: MediaPlaylist) {
            let count = playlist.segments.count + (playlist.skippedSegments ?? 0)
            lastSegment = count > 0 ? playlist.mediaSequence + count - 1 : nil
            if let parts = playlist.inProgress?.parts, !parts.isEmpty {
                inProgress = (playlist.mediaSequence + count, parts.count - 1)
            }
        }

        /// The highest MSN a client may ask for: the one after the edge (O2 allows up to two ahead).
        var newest: Int { inProgress?.msn ?? lastSegment ?? -1 }
    }

    static func decide(_ request: PlaylistRequest, playlist: MediaPlaylist) -> Decision {
        // O3: after ENDLIST the directives mean nothing; the playlist is final.
        if playlist.endList { return .answer(delta: false) }
        if request.part != nil, request.msn == nil {
            return .refuse(.badRequest("_HLS_part needs _HLS_msn"))
        }
        let delta = request.skip && playlist.serverControl?.canSkipUntil != nil
        guard let msn = request.msn else { return .answer(delta: delta) }
        let edge = Edge(playlist)
        if msn > edge.newest + 2 {
            return .refuse(.badRequest("_HLS_msn=\(msn) is more than two segments past the live edge (\(max(edge.newest, 0)))"))
        }
        if let part = request.part {
            guard let target = playlist.partTarget else { return .refuse(.badRequest("this stream has no parts (_HLS_part)")) }
            // O2: the advance-part limit, 3 ÷ PART-TARGET parts when PART-TARGET < 1 s, else 3.
            let limit = target < 1 ? Int((3 / target).rounded(.up)) : 3
            if part > limit { return .refuse(.badRequest("_HLS_part=\(part) is past the advance-part limit (\(limit))")) }
        }
        return isSatisfied(request, playlist: playlist) ? .answer(delta: delta) : .wait
    }

    /// O1: segment `msn` exists (or a later one has begun); with `part`, part `part` of segment `msn`
    /// exists, where a part past the last of a complete `msn` means part 0 of `msn + 1`.
    static func isSatisfied(_ request: PlaylistRequest, playlist: MediaPlaylist) -> Bool {
        guard let msn = request.msn else { return true }
        let edge = Edge(playlist)
        let lastSegment = edge.lastSegment ?? -1
        guard let part = request.part else { return lastSegment >= msn || (edge.inProgress?.msn ?? -1) > msn }
        if let progress = edge.inProgress, progress.msn == msn { return progress.lastPart >= part }
        guard lastSegment >= msn else { return false }
        // A complete segment: its parts, if still listed, say how many it had.
        let index = msn - playlist.mediaSequence - (playlist.skippedSegments ?? 0)
        guard playlist.segments.indices.contains(index), !playlist.segments[index].parts.isEmpty else { return true }
        if part < playlist.segments[index].parts.count { return true }
        // Past its last part: part 0 of the next segment, once that has begun.
        return lastSegment > msn || (edge.inProgress?.msn ?? -1) > msn
    }
}
