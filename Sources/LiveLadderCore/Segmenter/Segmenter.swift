import FFmpegKit

/// A finished segment as the segmenter cut it.
struct CompletedSegment: Sendable {
    let number: Int
    /// PTS of its first frame (video, or audio in an audio-only rendition), output ticks.
    let startPTS: Int64
    /// Until the next segment's start (or the end of the media), output ticks.
    let durationTicks: Int64
    let bytes: [UInt8]
    var duration: Double { Double(durationTicks) / 90_000 }
}

/// Receives what the segmenter cuts. Called on the rendition's own thread.
protocol SegmentSink: AnyObject {
    func initSegment(_ bytes: [UInt8]) throws
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
    /// The segment being filled: its number, start PTS, and (audio-only) the earliest time the next may start.
    private var open: (number: Int, start: Int64, nextGridTime: Int64)?
    private var lastVideoDTS = Int64.min
    private var lastAudioEnd: Int64?

    init(format: ContainerFormat, video: Encoder?, audio: Encoder?, sink: SegmentSink) throws {
        let muxer = try MemoryMuxer(format: format)
        videoStream = try video.map { try muxer.addStream(for: $0) }
        audioStream = try audio.map { try muxer.addStream(for: $0) }
        self.muxer = muxer
        self.sink = sink
        try muxer.writeHeader()
        let header = muxer.takeBytes()
        if format == .fragmentedMP4 { try sink.initSegment(header) }
    }

    /// Announces a boundary. Renditions with video also learn it here, before its frame is encoded.
    func expect(_ boundary: SegmentBoundary) throws {
        boundaries.append(boundary)
        if videoStream == nil { try releaseAudioOnly() }
    }

    /// One encoded video packet, timestamps in output ticks.
    func video(_ packet: Packet, frameTicks: Int64) throws {
        guard let stream = videoStream, let pts = packet.pts else {
            throw SegmenterError(description: "video packet without a timestamp")
        }
        if packet.duration <= 0 { packet.duration = frameTicks }
        if let boundary = boundaries.first, pts >= boundary.pts {
            guard pts == boundary.pts, packet.isKeyframe else {
                throw SegmenterError(description: "the encoder did not start segment \(boundary.number) with a keyframe at PTS \(boundary.pts)")
            }
            boundaries.removeFirst()
            try writeAudio(before: boundary.pts)
            if open != nil { try close(at: boundary.pts) }
            open = (boundary.number, boundary.pts, boundary.nextGridTime)
        }
        guard open != nil else {
            throw SegmenterError(description: "video packet at PTS \(pts) before the first segment boundary")
        }
        lastVideoDTS = packet.dts ?? pts
        try writeAudio(before: lastVideoDTS + 1)
        try muxer.write(packet, stream: stream, timeBase: .mpegClock)
    }

    /// One encoded audio packet, timestamps in output ticks.
    func audio(_ packet: Packet) throws {
        guard audioStream != nil, packet.pts != nil else { return }
        pendingAudio.append(packet)
        if videoStream == nil {
            try releaseAudioOnly()
        } else if open != nil {
            try writeAudio(before: lastVideoDTS + 1)
        }
    }

    /// Writes everything left and closes the last segment, which ends at `videoEnd` (or the audio's end).
    func finish(videoEnd: Int64) throws {
        if videoStream == nil {
            try releaseAudioOnly(final: true)
            if let end = lastAudioEnd, open != nil { try close(at: end) }
        } else {
            try writeAudio(before: .max)
            if open != nil { try close(at: videoEnd) }
        }
        try muxer.finish()
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
    /// `final`: no boundary will be announced any more, so nothing needs to wait.
    private func releaseAudioOnly(final: Bool = false) throws {
        while let packet = pendingAudio.first, let pts = packet.pts {
            if let boundary = boundaries.first, open == nil || pts >= boundary.pts {
                boundaries.removeFirst()
                if open != nil { try close(at: pts) }
                open = (boundary.number, pts, boundary.nextGridTime)
                continue
            }
            guard let current = open else { return }
            guard final || boundaries.first != nil || pts < current.nextGridTime else { return }
            try writeAudio(before: pts + 1)
        }
    }

    private func close(at end: Int64) throws {
        guard let current = open else { return }
        try muxer.cut()
        let segment = CompletedSegment(number: current.number, startPTS: current.start,
                                       durationTicks: end - current.start, bytes: muxer.takeBytes())
        open = nil
        try sink.segment(segment)
    }
}
