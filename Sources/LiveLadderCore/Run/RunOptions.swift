import Foundation
import LadderConfig

/// The container a run writes; mirrors the config's `segmentFormat`.
public typealias SegmentFormatChoice = SegmentFormat

import HLSModel

/// What kind of playlists a run writes.
public enum PlaylistKind: String, Sendable, CaseIterable {
    /// Written once, at the end, complete with ENDLIST; never changes after.
    case vod
    /// Appended after every segment; ENDLIST at the end of input.
    case event
    /// A sliding window of the last `--list-size` segments; older segments are deleted after a grace.
    case live

    var playlistType: PlaylistType? {
        switch self {
        case .vod: return .vod
        case .event: return .event
        case .live: return nil
        }
    }
}

/// Everything `liveladder run` needs.
public struct RunOptions: Sendable {
    public var input: String
    public var output: String
    public var config: LadderConfig
    /// nil: `live` for network inputs and stdin, `vod` for files.
    public var playlistKind: PlaylistKind?
    public var overwrite: Bool
    /// Options for the input's protocol and demuxer (`--input-option`).
    public var inputOptions: [String: String]
    /// `--listen`: wait for a publisher (the protocol's listen option).
    public var listen = false
    /// Segments in a live playlist's window.
    public var listSize = 6
    /// Pace a file at its native rate (`--realtime`).
    public var realtime = false
    /// Repeat a file forever with a continuous timeline (`--loop`).
    public var loop = false
    /// A silent input is lost after this many seconds.
    public var inputTimeout: Double = 5
    /// How long to wait for a lost input; nil: the input's default (forever when listening, 30 s when pulling).
    public var reconnectWindow: Double?
    /// Fill an outage with a slate (black, or `slateImage`) and silence.
    public var slate = true
    public var slateImage: String?
    /// At the end of a finite input, leave the playlists live (no ENDLIST).
    public var keepAlive = false
    /// `--segment-log`: one JSON line per published segment.
    public var segmentLog: String?
    /// A rendition that takes input but produces nothing this long is restarted; nil: 3 × segment duration.
    public var stallTimeout: Double?
    /// Restarts a rendition may use within 5 minutes before it is given up.
    public var restartBudget = 5
    /// `--deterministic` (set with `makeDeterministic()`): the same input and build give the same bytes.
    public private(set) var deterministic = false
    /// Where published files go besides the output folder (`--serve`'s origin; docs/delivery.md).
    public var destinations: [any PublishDestination] = []
    /// `--backup-base-url`: the other instance of a redundant pair; the master lists a backup of every
    /// variant there (docs/redundancy.md). nil: no backups.
    public var backupBaseURL: BackupBaseURL?

    /// PROGRAM-DATE-TIME of the first frame in a deterministic run: a fixed date, not the wall clock.
    public static let deterministicClock = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01T00:00:00Z

    /// A run whose output is a function of its input, config and build (`run --deterministic`, what
    /// `regress` runs): one libx264 thread per encoder (RunPlan), PROGRAM-DATE-TIME from a fixed date, and
    /// no restarts, so a failure fails the run instead of hiding behind a GAP. A stall must be real to count
    /// (60 s of run time with no output), since a busy CI machine is no reason to fail. `--realtime` is
    /// refused: which pictures a paced input drops depends on timing.
    public mutating func makeDeterministic() throws {
        guard !realtime else {
            throw ConfigError("--deterministic: cannot be combined with --realtime (which pictures a paced input drops under load depends on timing)")
        }
        deterministic = true
        restartBudget = 0
        stallTimeout = max(stallTimeout ?? 0, 60)
    }

    public init(input: String, output: String, config: LadderConfig, playlistKind: PlaylistKind? = nil,
                overwrite: Bool = false, inputOptions: [String: String] = [:]) {
        self.input = input
        self.output = output
        self.config = config
        self.playlistKind = playlistKind
        self.overwrite = overwrite
        self.inputOptions = inputOptions
    }
}
