import Foundation
import FFmpegKit

/// Pass-through (docs/passthrough.md): carries the source's compressed video packets to the pass-through
/// rendition with the timestamps their pictures got on the output timeline.
///
/// Ingest `hold`s every video packet it sends to the decoder, in decode order. When the feed has placed a
/// decoded picture (`mapped`), the packet with that picture's input PTS gets the picture's output PTS, and
/// its DTS keeps the source's decode delay (output PTS − (input PTS − input DTS)), never going back and
/// never past its PTS. Packets leave in decode order, as soon as every packet before them is mapped: with
/// B-frames a reference picture waits for its own frame to come out of the decoder, and the B-frames that
/// follow it in decode order wait behind it. So a packet always reaches the rendition's queue after the
/// picture item that announces its segment boundary. A packet whose picture never comes (the feed dropped
/// it, the decoder rejected it) follows the latest mapping's offset once a later picture is placed.
///
/// The relay also decides, for the feed, when pass-through ends (`givesUp`), and says so once.
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`; ingest holds, the feed maps (under its
/// own lock), `attach` runs once before ingest starts.
final class PassthroughRelay: @unchecked Sendable {
    private struct Held {
        let packet: Packet
        /// Input timestamps, output ticks of the input clock.
        let pts: Int64?
        let dts: Int64?
        let duration: Int64
        var outputPTS: Int64?
    }

    private let lock = NSLock()
    private var held: [Held] = []
    private var lastOffset: Int64?
    private var lastDTS = Int64.min
    private var copying = true
    private(set) var worker: RenditionWorker?
    private var control: RunControl?
    /// How long past a grid line the fallback waits for a clean cut (B-frames): the segment it ends stays
    /// within the target duration (docs/passthrough.md).
    static let cleanCutWait: Int64 = 36_000
    /// Packets that may wait for their pictures before the oldest is let go with an estimated timestamp.
    static let capacity = 512

    /// The rendition that gets the packets, and where the fallback is announced.
    func attach(worker: RenditionWorker, control: RunControl) {
        lock.withLock {
            self.worker = worker
            self.control = control
        }
    }

    /// Ingest sends `packet` (timestamps in `timeBase`) to the decoder. The decoder takes its own reference,
    /// so the relay may rewrite the packet's timestamps when it releases it.
    func hold(_ packet: Packet, timeBase: Rational) {
        lock.withLock {
            guard copying else { return }
            held.append(Held(packet: packet, pts: packet.pts.map { timeBase.rescale($0, to: .mpegClock) },
                             dts: packet.dts.map { timeBase.rescale($0, to: .mpegClock) },
                             duration: timeBase.rescale(packet.duration, to: .mpegClock)))
        }
    }

    /// The feed placed the picture whose input PTS is `inputTicks` at output `pts`: the packets now ready,
    /// in decode order, timestamps in output ticks.
    func mapped(inputTicks: Int64?, pts: Int64) -> [Packet] {
        lock.withLock {
            guard copying, let inputTicks else { return [] }
            lastOffset = pts - inputTicks
            var matched = false
            for index in held.indices where held[index].outputPTS == nil {
                guard let input = held[index].pts else { held[index].outputPTS = pts; continue }
                if input == inputTicks && !matched {
                    held[index].outputPTS = pts
                    matched = true
                } else if input < inputTicks {
                    // Pictures leave the decoder in presentation order: this one's will not come.
                    held[index].outputPTS = input + (pts - inputTicks)
                }
            }
            if held.count > Self.capacity, let offset = lastOffset {
                for index in held.indices.prefix(held.count - Self.capacity) where held[index].outputPTS == nil {
                    held[index].outputPTS = (held[index].pts ?? inputTicks) + offset
                }
            }
            var ready: [Packet] = []
            while let first = held.first, let outputPTS = first.outputPTS {
                held.removeFirst()
                ready.append(Self.stamp(first, pts: outputPTS, after: &lastDTS))
            }
            return ready
        }
    }

    /// Output timestamps on a held packet: DTS keeps the source's decode delay, strictly increasing, and
    /// PTS is never before DTS (which only a damaged source could ask for).
    private static func stamp(_ entry: Held, pts: Int64, after lastDTS: inout Int64) -> Packet {
        var dts = entry.dts.flatMap { dts in entry.pts.map { pts - ($0 - dts) } } ?? pts
        if lastDTS != .min { dts = max(dts, lastDTS + 1) }
        lastDTS = dts
        entry.packet.pts = max(pts, dts)
        entry.packet.dts = dts
        entry.packet.duration = entry.duration
        return entry.packet
    }

    /// Whether the copied stream can end right before the picture with input PTS `inputTicks`: no packet
    /// of an earlier picture comes, in decode order, after one of this or a later picture (the earlier
    /// pictures decode without what follows). Without B-frames every picture is such a point.
    private func isCleanCut(before inputTicks: Int64?) -> Bool {
        guard let inputTicks else { return true }
        var later = false
        for entry in held {
            guard let pts = entry.pts else { continue }
            if pts >= inputTicks { later = true } else if later { return false }
        }
        return true
    }

    /// Called by the feed (under its lock) before the clock places each picture: whether pass-through ends
    /// at this picture (`KeyframeSnapping.mustGiveUp`, at a clean cut, or 0.4 s past the grid line whatever
    /// it is, when the copy's last B-frames may miss their reference). If so, the clock is back on the
    /// plain grid for the rest of the run and the relay holds no more packets.
    func givesUp(_ clock: inout SegmentClock, pts: Int64, frameTicks: Int64, source: (ticks: Int64, keyframe: Bool)?) -> Bool {
        lock.withLock {
            guard copying, clock.keyframeAligned,
                  KeyframeSnapping.mustGiveUp(pts: pts, frameTicks: frameTicks, sourceKeyframe: source?.keyframe ?? false,
                                              nextGridTime: clock.nextGridTime, firstFrame: clock.awaitingFirstFrame),
                  isCleanCut(before: source?.ticks) || pts >= clock.nextGridTime + Self.cleanCutWait else { return false }
            clock.keyframeAligned = false
            // The grid starts afresh at this picture, so the segments after the discontinuity are whole
            // (rule MP4), as after an input break.
            clock.restart(at: pts)
            copying = false
            held.removeAll()
            return true
        }
    }

    /// Whether the pass-through rung still copies (boundaries made now say so).
    var isCopying: Bool { lock.withLock { copying } }

    /// Pass-through ended at `boundary`: the alert and the event, once.
    func announceFallback(at boundary: SegmentBoundary, segmentTicks: Int64) {
        let (worker, control) = lock.withLock { (self.worker, self.control) }
        guard let worker, let control else { return }
        let reason = String(format: "the source has no keyframe at the %.1f s segment boundary (%.3f s); the rendition encodes from segment %d on",
                            Double(segmentTicks) / 90_000, Double(boundary.pts - LadderRun.timelineOrigin) / 90_000, boundary.number)
        control.log("rendition \(worker.name): pass-through ends: \(reason)")
        control.emit(.passthroughFellBack(rendition: worker.name, number: boundary.number, reason: reason))
    }
}
