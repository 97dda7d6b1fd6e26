import Foundation
import FFmpegKit
import HLSModel

/// One rendition: scale → encode → segment → publish, on its own thread behind its own bounded queue.
/// The fMP4 alternate audio rendition is a worker too, without the video part.
///
/// The worker supervises itself: when scaling, encoding, muxing or writing fails, it throws away its
/// encoder and segmenter, drops what arrives during a backoff (so ingest and the siblings never wait on
/// it), and starts again with fresh ones at the next segment boundary — aligned with its siblings. The
/// segments it missed become `EXT-X-GAP` entries. Past the restart budget it gives up and leaves the
/// master playlist.
///
/// A stall (the input flows but the rendition produces nothing for `stallTimeout`) cannot be undone on a
/// thread stuck in a C call, so the watchdog abandons that thread: the generation moves on, a new thread
/// takes over the queue, and the stuck one, should it ever return, sees it is stale and exits.
///
/// `@unchecked Sendable`: `generation`, `state`, `history` and `lastProgress` are guarded by `lock`; the
/// encoder and segmenter are touched only by the current generation's thread; `failure` and `restarts`
/// are read by others only after `join()`.
final class RenditionWorker: @unchecked Sendable {
    struct VideoPath {
        let scaler: VideoScaler
        var encoder: Encoder
        let settings: VideoEncoderSettings
        let frameTicks: Int64
    }

    private enum State {
        case running
        /// Restarting: items are dropped until `until`, then the worker resumes at the next boundary.
        case down(until: Date)
        /// Given up: the budget is spent.
        case failed
    }

    let name: String
    let queue: BoundedQueue<RenditionItem>
    private var video: VideoPath?
    private var segmenter: Segmenter
    private let makeSegmenter: (Encoder?) throws -> Segmenter
    private let publisher: RenditionPublisher
    private let master: MasterPublisher
    private let policy: RestartPolicy
    private let control: RunControl
    private var faults: [Fault]
    private let origin: Int64
    private let lock = NSLock()
    private var generation = 0
    private var history = RestartPolicy.History()
    private var state = State.running
    private var lastProgress = Date()
    private var threadsRunning = 0
    private let finished = DispatchSemaphore(value: 0)
    private var codecsReported = false
    /// The error that made the worker give up.
    private(set) var failure: Error?
    /// Every restart, for the run's summary and logs.
    private(set) var restarts: [(at: Date, error: String)] = []

    init(name: String, queueCapacity: Int, video: VideoPath?, publisher: RenditionPublisher, master: MasterPublisher,
         policy: RestartPolicy, control: RunControl, faults: [Fault], origin: Int64,
         makeSegmenter: @escaping (Encoder?) throws -> Segmenter) throws {
        self.name = name
        self.queue = BoundedQueue(capacity: queueCapacity)
        self.video = video
        self.publisher = publisher
        self.master = master
        self.policy = policy
        self.control = control
        self.faults = faults
        self.origin = origin
        self.makeSegmenter = makeSegmenter
        self.segmenter = try makeSegmenter(video?.encoder)
    }

    func start() {
        lock.withLock { history.lastStart = Date() }
        spawn(generation: 0)
    }

    private func spawn(generation: Int) {
        let thread = Thread { [self] in
            run(generation: generation)
            // The last thread of the worker to finish (a stale one may never return) says it is done.
            if isCurrent(generation) { finished.signal() }
        }
        thread.name = "rendition-\(name)"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the worker to drain its queue and stop.
    func join() { finished.wait() }

    private func isCurrent(_ generation: Int) -> Bool { lock.withLock { self.generation == generation } }

    private struct Abandoned: Error {}

    private func run(generation: Int) {
        while let item = queue.take() {
            guard isCurrent(generation) else { return }
            switch lock.withLock({ state }) {
            case .failed:
                continue
            case .down(let until):
                guard resumes(at: item, after: until) else {
                    if case .end = item { finishWhileDown() }
                    continue
                }
            case .running:
                break
            }
            do {
                try handle(item, generation: generation)
                lock.withLock { lastProgress = Date() }
            } catch is Abandoned {
                return
            } catch {
                guard isCurrent(generation) else { return }
                recover(from: error)
            }
        }
    }

    /// Hands an item to the rendition without ever blocking ingest (live inputs). A full queue means the
    /// rendition has fallen behind the live input: it is restarted like a stalled one, and the item dropped.
    func offer(_ item: RenditionItem) {
        guard !queue.offer(item) else { return }
        abandon(because: "fell behind the live input: its queue of \(queue.capacity) items was full")
    }

    /// The watchdog's question: has this rendition stopped producing while its input keeps coming?
    /// If so its thread is abandoned, the failure goes through the restart policy, and a new thread
    /// takes over the queue.
    func checkStall(now: Date, timeout: Double) {
        let stalled = lock.withLock {
            if case .running = state, now.timeIntervalSince(lastProgress) > timeout, queue.count > 0 { return true }
            return false
        }
        if stalled { abandon(because: "stalled: no progress for \(timeout) s while its input kept coming") }
    }

    /// Gives up on the current thread (it may be stuck in a C call): the generation moves on, the failure
    /// goes through the restart policy, and a new thread takes over the queue.
    private func abandon(because reason: String) {
        let next: Int? = lock.withLock {
            guard case .running = state else { return nil }
            generation += 1
            lastProgress = Date()
            return generation
        }
        guard let next else { return }
        recover(from: SegmenterError(description: reason))
        control.release(rendition: name)
        spawn(generation: next)
    }

    /// A restarting rendition picks up at the first boundary after its backoff: a fresh encoder and
    /// segmenter, so its next segment starts with an IDR at the same PTS as its siblings'.
    private func resumes(at item: RenditionItem, after until: Date) -> Bool {
        let boundary: SegmentBoundary?
        switch item {
        case .video(_, _, let found): boundary = found
        case .boundary(let found): boundary = video == nil ? found : nil
        default: boundary = nil
        }
        guard boundary != nil, Date() >= until else { return false }
        do {
            try publisher.recover()
            if let old = video { video?.encoder = try Encoder(video: old.settings) }
            segmenter = try makeSegmenter(video?.encoder)
            lock.withLock {
                state = .running
                history.lastStart = Date()
                lastProgress = Date()
            }
            return true
        } catch {
            recover(from: error)
            return false
        }
    }

    /// The stream ended while the rendition was down: its playlist still gets the gaps and ENDLIST.
    private func finishWhileDown() {
        do { try publisher.finish() } catch { control.log("rendition \(name): cannot finish its playlist: \(error)") }
    }

    private func recover(from error: Error) {
        let now = Date()
        let decision = lock.withLock {
            restarts.append((now, "\(error)"))
            return policy.decide(&history, at: now)
        }
        switch decision {
        case .restart(let backoff):
            control.log("rendition \(name) failed, restarting at the next segment boundary after \(backoff) s: \(error)")
            lock.withLock { state = .down(until: now.addingTimeInterval(backoff)) }
        case .giveUp:
            failure = error
            lock.withLock { state = .failed }
            control.log("rendition \(name) failed \(history.failures.count) times in \(Int(policy.budgetWindow)) s; giving it up: \(error)")
            // A failed rendition stops consuming; closing its queue makes ingest's puts return at once.
            queue.close(discardPending: true)
            master.markFailed(rendition: name)
            if master.everyVideoRenditionFailed { control.stop(because: .allRenditionsFailed) }
        }
    }

    /// Throws the injected fault due at `pts`, from where the real failure would come.
    private func injectedFault(_ kind: Fault.Kind, at pts: Int64) -> Bool {
        guard let index = faults.firstIndex(where: { $0.kind == kind && Double(pts - origin) / 90_000 >= $0.seconds }) else { return false }
        faults.remove(at: index)
        return true
    }

    private func handle(_ item: RenditionItem, generation: Int) throws {
        switch item {
        case .video(let frame, let pts, let boundary):
            guard let video else { return }
            if let boundary { try segmenter.expect(boundary) }
            let picture = video.scaler.isPassThrough(for: frame) ? frame : try video.scaler.scale(frame)
            picture.pts = pts
            // Set on every frame: a decoded picture still carries the source's picture type.
            picture.forceKeyframe = boundary != nil
            if injectedFault(.encoderError, at: pts) {
                throw FFmpegError(operation: "avcodec_send_frame(libx264) [LIVELADDER_FAULTS]", message: "Input/output error")
            }
            if injectedFault(.writeError, at: pts) { publisher.failNextWrite() }
            if injectedFault(.stall, at: pts) { control.stall(rendition: name) }
            try video.encoder.send(picture)
            // A call that hung until the watchdog gave up on this thread: touch nothing more.
            guard isCurrent(generation) else { throw Abandoned() }
            try forward(video.encoder.drain(), video)
        case .audio(let packet):
            if video == nil, let pts = packet.pts {
                // The audio rendition takes its faults on its own packets.
                if injectedFault(.encoderError, at: pts) {
                    throw FFmpegError(operation: "avcodec_send_frame(aac) [LIVELADDER_FAULTS]", message: "Input/output error")
                }
                if injectedFault(.writeError, at: pts) { publisher.failNextWrite() }
                if injectedFault(.stall, at: pts) { control.stall(rendition: name) }
            }
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
