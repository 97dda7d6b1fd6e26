import Foundation
import LiveLadderCore

/// The pure parts of the sd_notify integration: the `STATUS=` text and the watchdog settings.
public enum SystemdStatus {
    /// A short human state for `systemctl status`: `streaming: 3 renditions, 42 segments`,
    /// `awaiting input on rtmp://…`, `slate on air`, `recovering: 360p restarting`, `starting`,
    /// `stopping`.
    public static func text(_ report: RunStatusReport) -> String {
        switch report.state {
        case "awaiting-input":
            return "awaiting input on \(report.input?.url ?? report.run?.input ?? "?")"
        case "streaming":
            let active = report.renditions.filter { $0.state != .givenUp }.count
            let segments = ProgressFormat.topSegments(report)
            return "streaming: \(active) rendition\(active == 1 ? "" : "s"), \(segments) segment\(segments == 1 ? "" : "s")"
        case "slate":
            return "slate on air"
        case "recovering":
            let names = report.renditions.filter { $0.state == .restarting }.map(\.name).joined(separator: ", ")
            return "recovering: \(names) restarting"
        default:
            return report.state
        }
    }

    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises; nil
    /// when there is no watchdog, the value is not a positive number, or `WATCHDOG_PID` names another
    /// process (the watchdog is then a parent's, not ours).
    public static func watchdogInterval(usec: String?, pid: String?, ownPID: Int32) -> Duration? {
        guard let usec, let micros = UInt64(usec.trimmingCharacters(in: .whitespaces)), micros > 0 else { return nil }
        if let pid, !pid.isEmpty, Int32(pid.trimmingCharacters(in: .whitespaces)) != ownPID { return nil }
        // At least 1 ms, so a tiny value cannot turn the beat into a busy loop.
        return .microseconds(Int64(max(1000, min(micros / 2, UInt64(Int64.max)))))
    }
}
