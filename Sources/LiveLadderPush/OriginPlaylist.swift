import HLSModel

/// The media playlist as one origin may show it: it names only what that origin acknowledged (PU1).
///
/// - A segment the origin does not have (given up, or pushed out of the buffer, or never sent because
///   an earlier process of this output published it) becomes an `EXT-X-GAP` entry: players skip it, and
///   the media sequence still never goes back.
/// - A segment's parts stay only when the origin has every one of them; the segment in progress keeps its
///   acknowledged parts in order, and the preload hint only when all of them are there (it names the
///   part after the last).
/// - For an origin that refused parts, every Low-Latency tag goes: parts, PART-INF, the hint, the
///   rendition reports and the server control, which promised blocking reloads a plain origin does not do.
enum OriginPlaylist {
    /// nil when the origin lacks the init segment the playlist's MAP names: nothing in it could play.
    static func rendered(_ local: MediaPlaylist, folder: String, acknowledged: Set<String>, partsAccepted: Bool) -> MediaPlaylist? {
        func onOrigin(_ uri: String) -> Bool { acknowledged.contains(folder + "/" + uri) }
        var playlist = local
        if let map = playlist.map, !onOrigin(map) { return nil }
        for index in playlist.segments.indices {
            var segment = playlist.segments[index]
            if !segment.gap, !onOrigin(segment.uri) {
                segment.gap = true
                segment.parts = []
            }
            if !partsAccepted || !segment.parts.allSatisfy({ $0.gap || onOrigin($0.uri) }) { segment.parts = [] }
            playlist.segments[index] = segment
        }
        guard partsAccepted else {
            playlist.partTarget = nil
            playlist.inProgress = nil
            playlist.preloadHint = nil
            playlist.renditionReports = []
            playlist.serverControl = nil
            return playlist
        }
        if var progress = playlist.inProgress {
            let sent = progress.parts.prefix { $0.gap || onOrigin($0.uri) }
            if sent.count < progress.parts.count { playlist.preloadHint = nil }
            progress.parts = Array(sent)
            playlist.inProgress = progress.parts.isEmpty ? nil : progress
        }
        return playlist
    }

    /// Every path (relative to the output folder) the playlist needs the origin to keep acknowledged.
    static func named(by playlist: MediaPlaylist, folder: String, path: String) -> Set<String> {
        var names: Set<String> = [path]
        if let map = playlist.map { names.insert(folder + "/" + map) }
        for segment in playlist.segments {
            names.insert(folder + "/" + segment.uri)
            for part in segment.parts { names.insert(folder + "/" + part.uri) }
        }
        for part in playlist.inProgress?.parts ?? [] { names.insert(folder + "/" + part.uri) }
        return names
    }
}
