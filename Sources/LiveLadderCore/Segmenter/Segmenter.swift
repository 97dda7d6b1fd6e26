import Foundation
import FFmpegKit

/// A finished segment as the segmenter cut it.
struct CompletedSegment: Sendable {
    let number: Int
    /// PTS of its first frame (video, or audio in an audio-only rendition), output ticks.
    let startPTS: Int64
    /// Until the next segment's start (or the end of the media), output ticks.
    let durationTicks: Int64
    let bytes: [UInt8]
    let discontinuity: Bool
    let programDateTime: Date
    /// When its last input frame arrived, if known (segment-ready latency).
    let inputCompletedAt: Date?
    var duration: Double { Double(durationTicks) / 90_000 }
}

/// One LL-HLS part of the segment being cut: its own moof+mdat fragment. The parts of a segment,
/// concatenated, are the segment's bytes (HLS-RULES LL4).
struct CompletedPart: Sendable {
    let segmentNumber: Int
    /// 0 for the part that starts the segment.
    let index: Int
    let bytes: [UInt8]
    let durationTicks: Int64
    /// It starts with an IDR (video: the segment's first part) or needs nothing before it (audio).
    let independent: Bool
    /// The segment's, for the segment in progress in the playlist.
    let discontinuity: Bool
    let programDateTime: Date
    /// The segment's last part (it ends at the segment's boundary): the next part is the next segment's first.
    let endsSegment: Bool
    var duration: Double { Double(durationTicks) / 90_000 }
}

/// Receives what the segmenter cuts. Called on the rendition's own thread.
protocol SegmentSink: AnyObject {
    func initSegment(_ bytes: [UInt8]) throws
    /// A part, before the segment it belongs to (only when parts are cut).
    func part(_ part: CompletedPart) throws
    func segment(_ segment: CompletedSegment) throws
}

struct SegmenterError: Error, CustomStringConvertible {
    let description: String
}

/// Our segmenter: decides where one rendition's packets are cut into segments. libavformat only packs the
/// packets (`MemoryMuxer`); the cut is ours.
///
/// With video, a segment starts at the boundary IDR: every audio packet before the boundary PTS goes into
/// the earlier segment, later ones into the new one, and packets are interleaved by time in between.
/// Without video (the fMP4 audio rendition), a segment starts at the first audio packet at or after the
/// boundary PTS that ingest announced; audio that might belong past a boundary not yet announced waits.
final class Segmenter {
    private let muxer: MemoryMuxer
    private let sink: SegmentSink
    private let videoStream: Int?
    private let audioStream: Int?
    private var boundaries: [SegmentBoundary] = []
    private var pendingAudio: [Packet] = []
    /// The segment being filled: where it starts, and (audio-only) the earliest time the next may start.
    private var open: (boundary: SegmentBoundary, start: Int64)?
    private var lastVideoDTS = Int64.min
    /// Whether the first segment has opened.
    private var started = false
    private var lastAudioEnd: Int64?
    /// A restarted rendition's segmenter: the audio before its first boundary is in the previous segment,
    /// which an earlier generation wrote.
    private let midStream: Bool
    /// A restarted rendition's first boundary: audio before it that arrives after it (a copied keyframe
    /// comes at once, where an encoder's comes frames later) belongs to the previous generation's segment.
    private var resumedAt: Int64?
    /// Video held back at a boundary until the audio of the segment it closes is in (`video`).
    private var heldVideo: [(packet: Packet, frameTicks: Int64)] = []
    /// The end of the latest audio packet received, output ticks.
    private var audioCoveredUntil = Int64.min
    /// LL-HLS parts: their length on the source timeline (nil: no parts), and the part being cut.
    private let partTicks: Int64?
    private var partIndex = 0
    private var partStart: Int64 = 0
    /// The next part boundary on the grid from the segment's start.
    private var nextPart: Int64?
    /// The bytes of the segment's parts so far: the segment is their concatenation.
    private var partBytes: [UInt8] = []

    /// `copying`: without an encoder, the video stream carries the source's packets as they are
    /// (pass-through; `frameRate` sets an fMP4 stream's clock).
    init(format: ContainerFormat, video: Encoder?, copying: StreamParameters? = nil, frameRate: Rational = Rational(0, 1),
         audio: Encoder?, sink: SegmentSink, midStream: Bool = false, partTicks: Int64? = nil) throws {
        self.partTicks = partTicks
        self.midStream = midStream
        let muxer = try MemoryMuxer(format: format)
        if let video {
            videoStream = try muxer.addStream(for: video)
        } else {
            videoStream = try copying.map { try muxer.addStream(copying: $0, frameRate: frameRate) }
        }
        audioStream = try audio.map { try muxer.addStream(for: $0) }
        self.muxer = muxer
        self.sink = sink
        try muxer.writeHeader()
        let header = muxer.takeBytes()
        if format == .fragmentedMP4 { try sink.initSegment(header) }
    }

    /// The container it packs.
    var format: ContainerFormat { muxer.format }

    /// Announces a boundary. Renditions with video also learn it here, before its frame is encoded.
    func expect(_ boundary: SegmentBoundary) throws {
        boundaries.append(boundary)
        if videoStream == nil { try releaseAudioOnly() }
    }

    /// One encoded video packet, timestamps in output ticks.
    ///
    /// A boundary's keyframe waits while the audio of the segment it closes is not all in: the cut would
    /// otherwise put a late AAC frame (after a stitched timestamp jump, say) into the next segment in this
    /// rendition but not in a sibling whose encoder was slower, and the renditions' segments would carry
    /// different audio (rule S7). It waits for at most a second of video, so audio that stops for good
    /// never holds the picture back.
    func video(_ packet: Packet, frameTicks: Int64) throws {
        guard videoStream != nil, let pts = packet.pts else {
            throw SegmenterError(description: "video packet without a timestamp")
        }
        let waitsForAudio = heldVideo.isEmpty && audioStream != nil && open != nil
            && boundaries.first.map { pts >= $0.pts && audioCoveredUntil < $0.pts } == true
        if waitsForAudio || !heldVideo.isEmpty {
            heldVideo.append((packet, frameTicks))
            if heldVideo.count > max(8, Int(90_000 / max(frameTicks, 1))) { try releaseHeldVideo() }
            return
        }
        try place(packet, frameTicks: frameTicks)
    }

    private func releaseHeldVideo() throws {
        let held = heldVideo
        heldVideo = []
        for (packet, frameTicks) in held { try place(packet, frameTicks: frameTicks) }
    }

    private func place(_ packet: Packet, frameTicks: Int64) throws {
        guard let stream = videoStream, let pts = packet.pts else {
            throw SegmenterError(description: "video packet without a timestamp")
        }
        if packet.duration <= 0 { packet.duration = frameTicks }
        if let boundary = boundaries.first, pts >= boundary.pts {
            guard pts == boundary.pts, packet.isKeyframe else {
                throw SegmenterError(description: "the encoder did not start segment \(boundary.number) with a keyframe at PTS \(boundary.pts)")
            }
            boundaries.removeFirst()
            if !started {
                // Audio before the first boundary: at the stream's start it is the encoder's priming frame,
                // which the first segment keeps. A restarted rendition drops every packet before the boundary:
                // the previous segment (an earlier generation's) has them all, and one repeated AAC frame
                // at the join is a non-monotonic DTS to every player (rule S7).
                let afterStandIn = midStream || boundary.followsFill
                pendingAudio.removeAll { afterStandIn ? ($0.pts ?? .min) < boundary.pts : Self.endsBefore($0, boundary.pts) }
                if midStream { resumedAt = boundary.pts }
                started = true
            } else if open == nil {
                // A new session after `closeSession`: audio from before its boundary is the previous
                // session's tail (the encoder's last frames), whose segment is closed; with epoch lock the
                // span between is GAP entries with stand-ins. It would only lengthen this segment backwards.
                pendingAudio.removeAll { ($0.pts ?? .min) < boundary.pts }
            }
            try writeAudio(before: boundary.pts)
            if open != nil { try close(at: boundary.pts, inputCompletedAt: boundary.previousSegmentInputEnd) }
            open = (boundary, boundary.pts)
            beginParts(at: boundary.pts)
        }
        guard open != nil else {
            throw SegmenterError(description: "video packet at PTS \(pts) before the first segment boundary")
        }
        // A part ends where the grid says, in decode order: the packets before the boundary, and the
        // audio before it, are the part.
        while let next = nextPart, (packet.dts ?? pts) >= next {
            try writeAudio(before: next)
            try cutPart(end: next, nextBoundary: next + (partTicks ?? 0))
        }
        lastVideoDTS = packet.dts ?? pts
        try writeAudio(before: lastVideoDTS + 1)
        try muxer.write(packet, stream: stream, timeBase: .mpegClock)
    }

    /// One encoded audio packet, timestamps in output ticks.
    func audio(_ packet: Packet) throws {
        guard audioStream != nil, let pts = packet.pts else { return }
        if let resumedAt, pts < resumedAt { return }
        pendingAudio.append(packet)
        audioCoveredUntil = max(audioCoveredUntil, pts + max(packet.duration, 1))
        if let first = heldVideo.first?.packet.pts, audioCoveredUntil >= first {
            try releaseHeldVideo()
        }
        if videoStream == nil {
            try releaseAudioOnly()
        } else if open != nil {
            try writeAudio(before: lastVideoDTS + 1)
        }
    }

    /// The input was lost: the segment in progress ends at `videoEnd` (or where its audio ends) with
    /// everything that belongs before it; later audio waits for the next session's first boundary.
    func closeSession(videoEnd: Int64, inputCompletedAt: Date?) throws {
        try releaseHeldVideo()
        try closeOpenSegment(videoEnd: videoEnd, audioBefore: videoEnd, inputCompletedAt: inputCompletedAt)
        // The next session may start after a hole (epoch lock): its first fragment starts at its own time.
        try muxer.markDiscontinuity()
    }

    /// Writes what is left and closes the last segment, which ends at `videoEnd` (or the audio's end).
    /// Audio that starts after the video has ended is dropped: over the whole stream audio and video
    /// end within one audio frame of each other (rule S3), even when the source's audio ran longer.
    func finish(videoEnd: Int64, inputCompletedAt: Date?) throws {
        try releaseHeldVideo()
        try closeOpenSegment(videoEnd: videoEnd, audioBefore: videoEnd, inputCompletedAt: inputCompletedAt)
        pendingAudio.removeAll()
        try muxer.finish()
    }

    private func closeOpenSegment(videoEnd: Int64, audioBefore limit: Int64, inputCompletedAt: Date?) throws {
        if videoStream == nil {
            try releaseAudioOnly(before: limit)
            if let end = lastAudioEnd, open != nil { try close(at: end, inputCompletedAt: inputCompletedAt) }
        } else {
            try writeAudio(before: limit)
            if open != nil { try close(at: videoEnd, inputCompletedAt: inputCompletedAt) }
        }
    }

    private func writeAudio(before limit: Int64) throws {
        guard let stream = audioStream else { return }
        while let packet = pendingAudio.first, let pts = packet.pts, pts < limit {
            pendingAudio.removeFirst()
            lastAudioEnd = pts + packet.duration
            try muxer.write(packet, stream: stream, timeBase: .mpegClock)
        }
    }

    /// Audio-only cutting: write what surely belongs to the open segment, cut at announced boundaries.
    /// Packets before `limit` need not wait for a boundary: none can come before it any more.
    private func releaseAudioOnly(before limit: Int64 = .min) throws {
        while let packet = pendingAudio.first, let pts = packet.pts {
            if let boundary = boundaries.first, open == nil || pts >= boundary.pts {
                if !started {
                    // As with video: a segmenter that starts mid-stream (a restarted rendition) drops the
                    // audio before its first boundary; at the stream's start the priming frame is kept.
                    if midStream || boundary.followsFill ? pts < boundary.pts : Self.endsBefore(packet, boundary.pts) {
                        pendingAudio.removeFirst()
                        continue
                    }
                    started = true
                } else if open == nil && pts < boundary.pts {
                    // As with video: the previous session's tail after `closeSession` opens nothing.
                    pendingAudio.removeFirst()
                    continue
                }
                boundaries.removeFirst()
                if open != nil { try close(at: pts, inputCompletedAt: boundary.previousSegmentInputEnd) }
                open = (boundary, pts)
                beginParts(at: pts)
                continue
            }
            guard let current = open else { return }
            guard pts < limit || boundaries.first != nil || pts < current.boundary.nextGridTime else { return }
            // An audio part ends at the first frame at or past its grid boundary.
            if let next = nextPart, pts >= next, let partTicks {
                var following = next + partTicks
                while following <= pts { following += partTicks }
                try cutPart(end: pts, nextBoundary: following)
            }
            try writeAudio(before: pts + 1)
        }
    }

    /// Whether an audio packet ends before `pts` (a packet with no duration counts as one AAC frame at 48 kHz).
    private static func endsBefore(_ packet: Packet, _ pts: Int64) -> Bool {
        (packet.pts ?? 0) + max(packet.duration, 1920) < pts
    }

    private func beginParts(at start: Int64) {
        guard let partTicks else { return }
        partIndex = 0
        partStart = start
        nextPart = start + partTicks
        partBytes = []
    }

    /// Closes the part being cut at `end` (a fragment of its own) and hands it on.
    private func cutPart(end: Int64, nextBoundary: Int64?) throws {
        guard let current = open else { return }
        nextPart = nextBoundary
        // No time since the last cut: nothing to cut (and no byte taken that no part would hold).
        guard end > partStart else { return }
        try muxer.cut()
        let bytes = muxer.takeBytes()
        guard !bytes.isEmpty else { return }
        partBytes += bytes
        try sink.part(CompletedPart(segmentNumber: current.boundary.number, index: partIndex, bytes: bytes,
                                    durationTicks: end - partStart, independent: partIndex == 0 || videoStream == nil,
                                    discontinuity: current.boundary.discontinuity,
                                    programDateTime: current.boundary.clock.date(for: current.start),
                                    endsSegment: nextBoundary == nil))
        partIndex += 1
        partStart = end
    }

    private func close(at end: Int64, inputCompletedAt: Date?) throws {
        guard let current = open else { return }
        var bytes: [UInt8]
        if partTicks != nil {
            // The last part ends with the segment; the segment is its parts' bytes.
            try cutPart(end: end, nextBoundary: nil)
            bytes = partBytes
            partBytes = []
        } else {
            try muxer.cut()
            bytes = muxer.takeBytes()
        }
        let segment = CompletedSegment(number: current.boundary.number, startPTS: current.start,
                                       durationTicks: end - current.start, bytes: bytes,
                                       discontinuity: current.boundary.discontinuity,
                                       programDateTime: current.boundary.clock.date(for: current.start),
                                       inputCompletedAt: inputCompletedAt)
        open = nil
        try sink.segment(segment)
    }
}
