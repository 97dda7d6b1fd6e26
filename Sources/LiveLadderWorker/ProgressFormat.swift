import Foundation
import LiveLadderCore

/// The progress line and the startup banner as pure functions of a `RunStatusReport`, so what a
/// terminal shows is testable without one.
public enum ProgressFormat {
    /// `time=00:01:23.45 fps=30.0 speed=1.00x segments=42 restarts=0 input=streaming`, ffmpeg-like, cut
    /// to `width - 1` columns: writing the last column makes many terminals wrap, and a wrapped line
    /// can no longer be rewritten with `\r`.
    ///
    /// - `speed` is the slowest rendition's media seconds per wall second (the one that sets the pace),
    ///   or, before any rendition has a measured rate, `inputSpeed` (the input's media seconds per wall
    ///   second), or `N/A`.
    /// - `segments` is the top rendition's count (the tallest one still in the ladder): every rendition
    ///   cuts at the same boundaries, so that is the stream's segment count.
    public static func line(report: RunStatusReport, inputSpeed: Double?, width: Int) -> String {
        let media = report.counters?.mediaSeconds ?? 0
        let fps = report.input?.measuredFPS.map { String(format: "%.1f", $0) } ?? "N/A"
        let active = report.renditions.filter { $0.state != .givenUp }
        let speed = active.compactMap(\.measured.speedRatio).min() ?? inputSpeed
        let speedText = speed.map { String(format: "%.2fx", $0) } ?? "N/A"
        let segments = topSegments(report)
        let restarts = report.renditions.reduce(0) { $0 + $1.restarts }
        let text = "time=\(mediaTime(media)) fps=\(fps) speed=\(speedText) segments=\(segments) restarts=\(restarts) input=\(report.state)"
        return fit(text, width: width)
    }

    /// Segments of the tallest rendition still in the ladder (all of them when every one was given up).
    static func topSegments(_ report: RunStatusReport) -> Int {
        let active = report.renditions.filter { $0.state != .givenUp }
        let top = (active.isEmpty ? report.renditions : active).max { ($0.configured.height ?? -1) < ($1.configured.height ?? -1) }
        return top?.measured.segments ?? 0
    }

    /// What goes to the terminal for one refresh: back to column 0, the line, erase what an older,
    /// longer line left to its right.
    public static func refresh(_ line: String) -> String { "\r" + line + "\u{1B}[K" }

    /// Clears the line at the end, so the summary that follows starts at column 0 on a clean line.
    public static let clear = "\r\u{1B}[K"

    /// `HH:MM:SS.ss`; hours grow past 99 rather than wrap.
    public static func mediaTime(_ seconds: Double) -> String {
        let centis = Int((max(0, seconds.isFinite ? seconds : 0) * 100).rounded(.down))
        let hours = centis / 360_000, minutes = centis / 6000 % 60, secs = centis / 100 % 60, hundredths = centis % 100
        return String(format: "%02d:%02d:%02d.%02d", hours, minutes, secs, hundredths)
    }

    static func fit(_ text: String, width: Int) -> String {
        let columns = max(1, width - 1)
        return text.count <= columns ? text : String(text.prefix(columns))
    }

    /// Printed once, on `ladder.resolved`: what the run reads, where the worker interface listens (when it
    /// does), and the ladder chosen for this source.
    public static func banner(report: RunStatusReport, version: String, httpAddress: String?) -> [String] {
        var lines: [String] = []
        if let run = report.run {
            let verb = run.listening ? "listening on" : "reading"
            lines.append("liveladder \(version): \(verb) \(run.input) -> \(run.output) (\(run.playlistType), \(run.segmentFormat), \(plain(run.segmentDuration)) s segments)")
        }
        if let httpAddress { lines.append("worker interface: http://\(httpAddress)") }
        let ladder = report.renditions.map { rendition($0.configured) }.joined(separator: ", ")
        if !ladder.isEmpty { lines.append("ladder: \(ladder)") }
        return lines
    }

    /// `720p 1280x720 3000k`, or `audio 128k`.
    static func rendition(_ plan: RenditionPlan) -> String {
        var parts = [plan.name]
        if let width = plan.width, let height = plan.height { parts.append("\(width)x\(height)") }
        if let bitrate = plan.videoBitrate ?? plan.audioBitrate { parts.append(bitrateText(bitrate)) }
        return parts.joined(separator: " ")
    }

    /// `3000k` as the config file spells it; plain bit/s when it is not a whole number of kbit/s.
    static func bitrateText(_ bitsPerSecond: Int) -> String {
        bitsPerSecond % 1000 == 0 ? "\(bitsPerSecond / 1000)k" : "\(bitsPerSecond)"
    }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
