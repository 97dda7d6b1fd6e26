import FFmpegKit

/// S7: across a segment join audio frames are neither repeated nor missing (the first AAC frame of
/// segment n+1 comes exactly one frame after the last of segment n), and where audio is muxed into the
/// video renditions each carries the same audio frames for the same segment number.
///
/// Checked in integer ticks of the audio time base. One tick of slack: a 90 kHz TS clock cannot say 1024
/// samples at 44.1 kHz exactly, so each PTS is rounded on its own. Not across a DISCONTINUITY, nor across a
/// GAP entry whose file is missing (the audio of its span is simply not there); a stand-in file is
/// followed like any segment.
enum AudioFrameRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        for rendition in context.renditions { checkJoins(rendition, &log) }
        let muxed = context.videoRenditions.filter { rendition in
            rendition.entries.contains { $0.facts?.audio?.frames != nil }
        }
        guard let reference = muxed.first else { return }
        for rendition in muxed.dropFirst() { checkSameFrames(rendition, against: reference, &log) }
    }

    private struct Run {
        var frames: AudioFrames
        var sampleRate: Int
        var transportStream: Bool
        var segment: String
    }

    /// The audio a player gets at `entry`, when it has any.
    private static func run(_ entry: MediaEntry) -> Run? {
        guard case .facts(let facts) = entry.played, let audio = facts.audio, let frames = audio.frames,
              audio.sampleRate > 0, frames.timeBase.isValid else { return nil }
        return Run(frames: frames, sampleRate: audio.sampleRate, transportStream: facts.container == .transportStream,
                   segment: printable(entry.segment.uri) + (entry.segment.gap ? " (stand-in)" : ""))
    }

    // MARK: Joins

    private static func checkJoins(_ rendition: Rendition, _ log: inout FailureLog) {
        var previous: Run?
        for entry in rendition.entries {
            if entry.segment.discontinuity { previous = nil }
            guard let current = run(entry) else {
                previous = nil
                continue
            }
            defer { previous = current }
            guard let before = previous, before.frames.timeBase == current.frames.timeBase,
                  before.sampleRate == current.sampleRate,  // a change of rate is MP6's
                  let gap = ticks(from: before.frames.last, to: current.frames.first, wrapping: current.transportStream)
            else { continue }
            let step = frameTicks(current)
            guard abs(gap - step) > 1 else { continue }
            // In Double and printed by `number`: a hostile time base makes a frame a fraction of a tick, and
            // the count of frames off more than an Int holds.
            let frames = (abs(gap - step) / step).rounded()
            let verdict = frames == 0
                ? "off by \(number(gap - step)) ticks"
                : gap < step ? "\(number(frames)) frame(s) repeated" : "\(number(frames)) frame(s) missing"
            let standIn = entry.segment.gap ? " (this GAP entry's stand-in)" : ""
            log.add("S7", rendition.segmentLocation(entry),
                    "first audio frame at PTS \(current.frames.first) is \(number(gap)) ticks after the last one of \(before.segment) at PTS \(before.frames.last), not one AAC frame (\(number(step)) ticks of \(current.frames.timeBase)): \(verdict)\(standIn)")
        }
    }

    /// One AAC frame (1024 samples) in ticks of the stream's time base.
    private static func frameTicks(_ run: Run) -> Double {
        1024 * Double(run.frames.timeBase.den) / (Double(run.frames.timeBase.num) * Double(run.sampleRate))
    }

    /// `to − from` in ticks; for TS folded into one 2^33 wrap period, since each segment is read on its own.
    /// nil when the difference does not fit (timestamps from a hostile file).
    private static func ticks(from: Int64, to: Int64, wrapping: Bool) -> Double? {
        let (difference, overflow) = to.subtractingReportingOverflow(from)
        guard !overflow else { return nil }
        guard wrapping else { return Double(difference) }
        let period = Int64(1) << 33
        var folded = difference % period
        if folded > period / 2 { folded -= period } else if folded < -period / 2 { folded += period }
        return Double(folded)
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 0x1p53 ? String(Int64(value)) : String(format: "%.3f", value)
    }

    // MARK: Same frames in every rendition

    private static func checkSameFrames(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        let references = Dictionary(reference.entries.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in rendition.entries {
            guard let mine = run(entry), let sibling = references[entry.number], let theirs = run(sibling),
                  mine.frames.timeBase == theirs.frames.timeBase else { continue }
            let offset = ticks(from: theirs.frames.first, to: mine.frames.first, wrapping: mine.transportStream)
            guard offset != 0 || mine.frames.count != theirs.frames.count else { continue }
            log.add("S7", rendition.segmentLocation(entry),
                    "carries \(mine.frames.count) audio frames from PTS \(mine.frames.first), but \(reference.name) #\(entry.number) (\(theirs.segment)) carries \(theirs.frames.count) from PTS \(theirs.frames.first): every rendition carries the same audio frames")
        }
    }
}
