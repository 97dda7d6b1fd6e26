import Foundation
import HLSModel

/// One file (or deletion) waiting to go to one origin, in the order the run published it.
struct PushItem: Sendable {
    enum Work: Sendable {
        case initSegment([UInt8])
        case segment(number: Int, bytes: [UInt8])
        case part(number: Int, index: Int, bytes: [UInt8])
        /// Rendered for the origin when it is sent: entries it has not acknowledged become GAPs (PU1).
        case mediaPlaylist(MediaPlaylist)
        /// With the media playlists it names (paths), which must be on the origin first (PU2).
        case master([UInt8], names: [String])
        case delete
    }

    /// Relative to the output folder: `360p/segment-3.ts`, `master.m3u8`.
    let path: String
    let work: Work
    /// When the file was complete locally: the start of its push latency.
    let readyAt: ContinuousClock.Instant

    var isMedia: Bool {
        switch work {
        case .segment, .part: return true
        default: return false
        }
    }

    /// What it holds in memory while it waits.
    var byteCount: Int {
        switch work {
        case .initSegment(let bytes), .segment(_, let bytes), .part(_, _, let bytes), .master(let bytes, _): return bytes.count
        case .mediaPlaylist, .delete: return 0
        }
    }

    /// `kind` label of events and metrics.
    var kind: String {
        switch work {
        case .initSegment: return "init"
        case .segment: return "segment"
        case .part: return "part"
        case .mediaPlaylist: return "playlist"
        case .master: return "master"
        case .delete: return "delete"
        }
    }

    var contentType: String {
        switch work {
        case .mediaPlaylist, .master: return "application/vnd.apple.mpegurl"
        case .delete: return ""
        default: return path.hasSuffix(".ts") ? "video/mp2t" : "video/mp4"
        }
    }
}
