import Foundation
import LiveLadderCore

/// What goes into the `--events` file, as a pure function so the filter and the format are testable
/// without a file.
public enum EventLines {
    /// Whether `event` is written. `run.progress` never is: it comes about once a second with the whole
    /// counter set, which would dwarf everything else in a file a control plane tails (the counters are in
    /// `/v1/status` and the metrics, and the last sample is in `run.summary`). `segment.published` is one
    /// line per segment per rendition, so only on request (`--events-segments`), and so is a `push.result`
    /// that was delivered or superseded; one that was lost, refused or left unsent is always written.
    public static func includes(_ event: RunEvent, includeSegments: Bool) -> Bool {
        switch event {
        case .progress: return false
        default: return includeSegments || !event.isPerFile
        }
    }

    /// The event's line with its newline, or nil when it is not written.
    public static func line(for stamped: StampedEvent, includeSegments: Bool, source: String, encoder: JSONEncoder) -> String? {
        guard includes(stamped.event, includeSegments: includeSegments) else { return nil }
        return CloudEvent(stamped, source: source).line(using: encoder) + "\n"
    }
}
