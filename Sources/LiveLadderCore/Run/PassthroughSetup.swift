import Foundation
import FFmpegKit

/// What a run with a pass-through rung (docs/passthrough.md) sets up before anything is written: the
/// source's codec is checked (H.264 only), a file's keyframes are scanned so a source that cannot be
/// copied on the segment grid is refused with one line, and the relay that carries the source's packets
/// to the rung is made.
struct PassthroughSetup {
    /// The source stream's parameters, for the rung's muxers.
    let parameters: StreamParameters
    let relay = PassthroughRelay()

    /// nil when the ladder has no pass-through rung. `scan`: the input is a file read as fast as the
    /// pipeline goes (not `--realtime`), whose keyframes can be known up front.
    static func prepare(plan: RunPlan, input: MediaInput, videoIndex: Int, source: InputSource, scan: Bool) throws -> PassthroughSetup? {
        guard let rung = plan.passthrough else { return nil }
        let name = rung.rendition.name
        let codec = input.streams[videoIndex].codec
        guard codec == "h264" else {
            throw LiveLadderError(.badConfig, "rendition \(name): passthrough copies H.264 only, and \(source.redactedURL) has \(codec) video; remove passthrough: true or send H.264")
        }
        let parameters: StreamParameters
        do {
            parameters = try input.parameters(ofStream: videoIndex)
        } catch {
            throw LiveLadderError(.processing, "cannot set up rendition \(name): \(error)")
        }
        if scan {
            let frames = try Self.frames(of: source, videoIndex: videoIndex, frameRate: plan.frameRate)
            switch KeyframeSnapping.scan(frames, segmentTicks: plan.segmentTicks, frameTicks: plan.frameTicks,
                                         targetDuration: plan.targetDuration) {
            case .fits:
                break
            case .refused(let pts, let longest):
                let segment = Double(plan.segmentTicks) / 90_000
                let why = Double(longest) > 1.5 * Double(plan.segmentTicks)
                    ? String(format: "its keyframes are up to %.1f s apart (more than 1.5 × the %.1f s segments)", Double(longest) / 90_000, segment)
                    : String(format: "its keyframes are off the %.1f s segment grid (none at %.3f s)", segment, Double(pts) / 90_000)
                throw LiveLadderError(.badConfig, "rendition \(name): passthrough cannot copy \(source.redactedURL): \(why); give the source a keyframe every \(String(format: "%g", segment)) s (or a divisor of it), or remove passthrough: true")
            }
        }
        return PassthroughSetup(parameters: parameters)
    }

    /// Every video packet of the file, in presentation order, on ticks from its first picture (snapped to
    /// the frame grid as the feed snaps pictures). Read with a second demuxer, before the run starts.
    private static func frames(of source: InputSource, videoIndex: Int, frameRate: Rational) throws -> [KeyframeSnapping.ScannedFrame] {
        let input = try InputOpener.open(source, interrupt: nil)
        let timeBase = input.timeBase(ofStream: videoIndex)
        var packets: [(pts: Int64, key: Bool)] = []
        while true {
            let packet: Packet?
            do {
                packet = try input.read()
            } catch {
                if error.isEndOfFile { break }
                if error.isInvalidData { continue }
                throw LiveLadderError(.badInput, "reading \(source.redactedURL) to scan its keyframes failed: \(error)")
            }
            guard let packet else { break }
            guard packet.streamIndex == videoIndex, let pts = packet.pts else { continue }
            packets.append((timeBase.rescale(pts, to: .mpegClock), packet.isKeyframe))
        }
        packets.sort { $0.pts < $1.pts }
        guard let first = packets.first?.pts else { return [] }
        let grid = FrameGrid(num: Int64(frameRate.num), den: Int64(frameRate.den), anchor: 0)
        return packets.map { .init(pts: grid.pts(grid.nearestSlot($0.pts - first)), keyframe: $0.key) }
    }
}
