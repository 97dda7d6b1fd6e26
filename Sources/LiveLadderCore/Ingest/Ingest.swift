import FFmpegKit
import Logging

/// The input side of the pipeline, on the calling thread: demux → decode video and audio once →
/// place every frame on the segment grid → hand references to every rendition's queue.
final class Ingest {
    struct Counters {
        var videoFrames = 0
        var audioPackets = 0
        /// Packets the decoders rejected as damaged; decoding resumes with the next packet.
        var damagedPackets = 0
        /// Frames whose timestamp did not move forward.
        var droppedFrames = 0
    }

    private let input: MediaInput
    private let videoIndex: Int
    private let audioIndex: Int?
    private let videoDecoder: Decoder
    private let audioDecoder: Decoder?
    private let audio: AudioChain?
    private var clock: SegmentClock
    private let frameTicks: Int64
    /// Renditions that get every video frame (and, in TS mode, the audio).
    private let videoWorkers: [RenditionWorker]
    /// Renditions that get the audio packets.
    private let audioWorkers: [RenditionWorker]
    /// Renditions without video that still need to know where segments start.
    private let boundaryWorkers: [RenditionWorker]
    private let logger: Logger

    /// PTS (video time base) of the first video frame: the zero of the output timeline.
    private var firstVideoTimestamp: Int64?
    private var lastVideoPTS: Int64?
    private var audioWaitingForVideo: [Frame] = []
    private(set) var counters = Counters()

    init(input: MediaInput, videoIndex: Int, audioIndex: Int?, videoDecoder: Decoder, audioDecoder: Decoder?,
         audio: AudioChain?, clock: SegmentClock, frameTicks: Int64, videoWorkers: [RenditionWorker],
         audioWorkers: [RenditionWorker], boundaryWorkers: [RenditionWorker], logger: Logger) {
        self.input = input
        self.videoIndex = videoIndex
        self.audioIndex = audioIndex
        self.videoDecoder = videoDecoder
        self.audioDecoder = audioDecoder
        self.audio = audio
        self.clock = clock
        self.frameTicks = frameTicks
        self.videoWorkers = videoWorkers
        self.audioWorkers = audioWorkers
        self.boundaryWorkers = boundaryWorkers
        self.logger = logger
    }

    private var allWorkers: [RenditionWorker] { videoWorkers + audioWorkers.filter { w in !videoWorkers.contains { $0 === w } } }

    /// Reads the whole input, then tells every rendition the stream has ended.
    func run() throws {
        while let packet = try input.read() {
            if packet.streamIndex == videoIndex {
                for frame in try decode(packet, with: videoDecoder) { try onVideoFrame(frame) }
            } else if packet.streamIndex == audioIndex, let audioDecoder {
                for frame in try decode(packet, with: audioDecoder) { try onAudioFrame(frame) }
            }
        }
        for frame in try decode(nil, with: videoDecoder) { try onVideoFrame(frame) }
        if let audioDecoder {
            for frame in try decode(nil, with: audioDecoder) { try onAudioFrame(frame) }
        }

        let videoEnd = (lastVideoPTS ?? clock.origin) + frameTicks
        if let audio {
            let endSamples = (videoEnd - clock.origin) * Int64(audio.sampleRate) / 90_000
            try distribute(try audio.finish(videoEndSamples: endSamples))
        }
        for worker in allWorkers { worker.queue.put(.end(videoEnd: videoEnd)) }
        for worker in allWorkers { worker.queue.close() }
    }

    /// Sends a packet (nil: drain) and returns every frame it produced. Damaged data is counted and skipped.
    private func decode(_ packet: Packet?, with decoder: Decoder) throws -> [Frame] {
        var frames: [Frame] = []
        do {
            try decoder.send(packet)
        } catch {
            guard error.isInvalidData else { throw error }
            counters.damagedPackets += 1
            logger.debug("skipped a damaged packet", metadata: ["decoder": "\(decoder.codecName)", "error": "\(error)"])
            return frames
        }
        while true {
            let output: CodecOutput<Frame>
            do {
                output = try decoder.receive()
            } catch {
                guard error.isInvalidData else { throw error }
                counters.damagedPackets += 1
                continue
            }
            guard case .item(let frame) = output else { return frames }
            frames.append(frame)
        }
    }

    private func onVideoFrame(_ frame: Frame) throws {
        let timeBase = videoDecoder.timeBase
        let timestamp = frame.bestEffortTimestamp ?? frame.pts
        if firstVideoTimestamp == nil {
            guard let timestamp else { counters.droppedFrames += 1; return }
            firstVideoTimestamp = timestamp
        }
        let pts: Int64
        if let timestamp, let first = firstVideoTimestamp {
            pts = timeBase.rescale(timestamp - first, to: .mpegClock) + clock.origin
        } else {
            // No timestamp on this frame: it follows the previous one.
            pts = (lastVideoPTS ?? clock.origin) + frameTicks
        }
        if let last = lastVideoPTS, pts <= last {
            counters.droppedFrames += 1
            return
        }
        lastVideoPTS = pts
        counters.videoFrames += 1
        let placement = clock.place(pts: pts, frameTicks: frameTicks)
        let boundary = placement.startsSegment
            ? SegmentBoundary(number: placement.segmentNumber, pts: pts, nextGridTime: clock.nextGridTime) : nil
        for worker in videoWorkers {
            worker.queue.put(.video(try frame.reference(), pts: pts, boundary: boundary))
        }
        if let boundary {
            for worker in boundaryWorkers { worker.queue.put(.boundary(boundary)) }
        }
        if !audioWaitingForVideo.isEmpty {
            let waiting = audioWaitingForVideo
            audioWaitingForVideo = []
            for audioFrame in waiting { try onAudioFrame(audioFrame) }
        }
    }

    private func onAudioFrame(_ frame: Frame) throws {
        guard let audio, let audioDecoder else { return }
        guard let first = firstVideoTimestamp else {
            // The zero of the timeline is the first video frame; hold audio until it is known.
            audioWaitingForVideo.append(frame)
            return
        }
        let offset: Int64? = frame.bestEffortTimestamp.map { timestamp in
            let firstInAudio = videoDecoder.timeBase.rescale(first, to: audioDecoder.timeBase)
            return audioDecoder.timeBase.rescale(timestamp - firstInAudio, to: Rational(1, Int32(audio.sampleRate)))
        }
        try distribute(try audio.push(frame, samplesFromVideoStart: offset))
    }

    private func distribute(_ packets: [Packet]) throws {
        for packet in packets {
            counters.audioPackets += 1
            for worker in audioWorkers { worker.queue.put(.audio(try packet.reference())) }
        }
    }
}
