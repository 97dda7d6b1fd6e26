import Foundation

/// Everything the rule files read: the master as written, the renditions with their probed segments, and
/// what kind of stream this is.
struct CheckContext {
    var masterName: String
    var master: MasterPlaylist
    /// Which variants are backups of which (MV9); backups outside the folder have no rendition.
    var redundancy: Redundancy
    /// The output folder: where every URI is resolved, and the only place files are read from.
    var folder: OutputFolder
    var renditions: [Rendition]
    /// A sliding-window stream: live tolerances (MV3 125 %), MP9 applies.
    var live: Bool
    /// Every playlist should be complete (not live, not an event still running): strict MV3/MV4, MP11.
    var finished: Bool

    var videoRenditions: [Rendition] { renditions.filter(\.isVideo) }
    var audioRenditions: [Rendition] { renditions.filter { !$0.isVideo } }

    /// The rendition behind a master URI, if it loaded.
    func rendition(uri: String) -> Rendition? {
        guard let path = folder.resolve(uri, from: folder.root).path else { return nil }
        // Byte-wise: file names are bytes, String equality is canonical equivalence.
        return renditions.first { Array($0.path.utf8) == Array(path.utf8) }
    }

    func audioRenditions(group: String) -> [Rendition] {
        renditions.filter { $0.groupID == group }
    }

    /// Whether a run of playlists says the stream is live, when the caller did not say: no playlist has
    /// `#EXT-X-ENDLIST` or `EXT-X-PLAYLIST-TYPE`.
    static func inferLive(_ renditions: [Rendition]) -> Bool {
        !renditions.isEmpty && renditions.allSatisfy { !$0.playlist.endList && $0.playlist.playlistType == nil }
    }

    /// An event still being written: every playlist is `PLAYLIST-TYPE:EVENT` without `#EXT-X-ENDLIST`.
    static func isRunningEvent(_ renditions: [Rendition]) -> Bool {
        !renditions.isEmpty && renditions.allSatisfy { $0.playlist.playlistType == .event && !$0.playlist.endList }
    }
}

/// Formats seconds for messages with enough digits to see a one-frame difference.
func seconds(_ value: Double) -> String {
    String(format: "%.6f", value)
}

/// Formats a measured rate. Rates come from bounded sizes over bounded durations, but a message must
/// never be what traps: a value outside `Int` is printed as a `Double`.
func bitsPerSecond(_ value: Double) -> String {
    let rounded = value.rounded()
    guard rounded.isFinite, abs(rounded) < 0x1p62 else { return "\(value)" }
    return String(Int(rounded))
}
