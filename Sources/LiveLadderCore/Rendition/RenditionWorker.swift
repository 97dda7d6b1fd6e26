import Foundation
import FFmpegKit
import HLSModel

/// One rendition: scale → encode → segment → publish, on its own thread behind its own bounded queue.
/// The fMP4 alternate audio rendition is a worker too, without the video part.
///
/// `@unchecked Sendable`: after `start()`, everything but `queue` (itself thread-safe) is touched only by
/// the worker's thread; `failure` is read by others only after `join()`, which orders it after the write.
final class RenditionWorker: @unchecked Sendable {
    struct VideoPath {
        let scaler: VideoScaler
        var encoder: Encoder
        let settings: VideoEncoderSettings
        let frameTicks: Int64
    }

    let name: String
    let queue: BoundedQueue<RenditionItem>
    private var video: VideoPath?
    private let segmenter: Segmenter
    private let publisher: RenditionPublisher
    private let master: MasterPublisher
    private let finished = DispatchSemaphore(value: 0)
    private var codecsReported = false
    private(set) var failure: Error?

    init(name: String, queueCapacity: Int, video: VideoPath?, segmenter: Segmenter,
         publisher: RenditionPublisher, master: MasterPublisher) {
        self.name = name
        self.queue = BoundedQueue(capacity: queueCapacity)
        self.video = video
        self.segmenter = segmenter
        self.publisher = publisher
        self.master = master
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "rendition-\(name)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the worker to drain its queue and stop.
    func join() { finished.wait() }

    private func run() {
        do {
            while let item = queue.take() {
                try handle(item)
            }
        } catch {
            failure = error
            // A failed rendition stops consuming; closing its queue makes ingest's puts return at once.
            queue.close(discardPending: true)
            master.markFailed(rendition: name)
        }
    }

    private func handle(_ item: RenditionItem) throws {
        switch item {
        case .video(let frame, let pts, let boundary):
            guard let video else { return }
            if let boundary { try segmenter.expect(boundary) }
            let picture = video.scaler.isPassThrough(for: frame) ? frame : try video.scaler.scale(frame)
            picture.pts = pts
            // Set on every frame: a decoded picture still carries the source's picture type.
            picture.forceKeyframe = boundary != nil
            try video.encoder.send(picture)
            try forward(video.encoder.drain(), video)
        case .audio(let packet):
            try segmenter.audio(packet)
        case .boundary(let boundary):
            try segmenter.expect(boundary)
        case .sessionEnd(let videoEnd, let inputEnd):
            try drainEncoder()
            try segmenter.closeSession(videoEnd: videoEnd, inputCompletedAt: inputEnd)
            // libx264 cannot take frames after a drain: the next session gets a fresh encoder. Same settings
            // give the same SPS/PPS, which an fMP4 init segment depends on.
            if let old = video {
                let fresh = try Encoder(video: old.settings)
                guard fresh.extradata == old.encoder.extradata else {
                    throw SegmenterError(description: "the restarted encoder produced different SPS/PPS than the init segment holds")
                }
                video?.encoder = fresh
            }
        case .end(let videoEnd, let inputEnd):
            try drainEncoder()
            try segmenter.finish(videoEnd: videoEnd, inputCompletedAt: inputEnd)
            try publisher.finish()
        }
    }

    private func drainEncoder() throws {
        guard let video else { return }
        try video.encoder.send(nil)
        try forward(video.encoder.drain(), video)
    }

    private func forward(_ packets: [Packet], _ video: VideoPath) throws {
        for packet in packets {
            if !codecsReported {
                // CODECS comes from the SPS the encoder really produced: in extradata with global headers
                // (fMP4), in band before the first IDR otherwise (TS).
                let source = video.encoder.extradata.isEmpty ? packet.bytes : video.encoder.extradata
                if let sps = H264.findSPS(in: source), let codecs = H264.codecString(sps: sps) {
                    master.setCodecs(rendition: name, codecs: codecs)
                    codecsReported = true
                }
            }
            try segmenter.video(packet, frameTicks: video.frameTicks)
        }
    }
}
