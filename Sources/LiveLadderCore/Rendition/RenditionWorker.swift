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
/// takes over the queue, and the stuck one, should it ever return, sees it is stale and exits. Each
/// generation has its own `Pipeline` (scaler, encoder, segmenter), so a thread that was only slow when it
/// was given up never shares an object with the one that replaced it, and what it still cuts never
/// reaches the playlist (`GenerationSink`).
///
/// `@unchecked Sendable`: `generation`, `state`, `history`, `progress`, `faults`, `codecsReported`, the
/// counters (`itemsEncoded`, `ticksEncoded`, `shedFrames`, `droppedWhileDown`), `restartRequested`,
/// `downReason`, `coversFrom`, `lastError` and `restarts` are guarded by `lock`; a pipeline is touched
/// only by the thread of its generation; `failure` is read by others only after `join()`.
final class RenditionWorker: @unchecked Sendable {
    struct VideoPath {
        /// The first generation's encoder (made up front, so a bad setting fails the run at once); nil for
        /// the pass-through rung, which copies (`copy`) until it falls back to encoding with `settings`.
        let encoder: Encoder?
        let settings: VideoEncoderSettings
        let frameTicks: Int64
        /// Pass-through: the source stream the copied packets belong to (docs/passthrough.md).
        var copy: StreamParameters? = nil
    }

    /// What one generation scales, encodes and cuts with. `@unchecked Sendable`: handed once to the thread
    /// of its generation, which alone touches it from then on.
    private final class Pipeline: @unchecked Sendable {
        let scaler: VideoScaler?
        var encoder: Encoder?
        let segmenter: Segmenter
        /// Pass-through: the segmenter takes the source's packets (`.copied`), not an encoder's.
        var copying: Bool

        init(scaler: VideoScaler?, encoder: Encoder?, segmenter: Segmenter, copying: Bool) {
            self.scaler = scaler
            self.encoder = encoder
            self.segmenter = segmenter
            self.copying = copying
        }
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
    private let video: VideoPath?
    private var firstPipeline: Pipeline?
    /// Makes a generation's segmenter; the flag says it starts mid-stream (a restart), not at the stream's start.
    private let makeSegmenter: (Encoder?, SegmentSink, Bool) throws -> Segmenter
    private let publisher: RenditionPublisher
    private let master: MasterPublisher
    private let policy: RestartPolicy
    private let control: RunControl
    private var faults: [Fault]
    /// Where fault times count from: the timeline's origin, or (epoch lock, whose timeline is the wall
    /// clock) the first item's PTS.
    private var origin: Int64?
    private let lock = NSLock()
    private var generation = 0
    private var history = RestartPolicy.History()
    private var state = State.running
    /// Items handled (or restarts begun): the watchdog compares it between its looks.
    private var progress = 0
    /// Pictures shed under load, and whether an episode of shedding is going on (for the log).
    private var shedFrames = 0
    private var shedding = false
    /// The `overload` test fault: pictures take three frame times longer until this PTS.
    private var overloadedUntil: Int64?
    private var threadsRunning = 0
    private let finished = DispatchSemaphore(value: 0)
    private var codecsReported = false
    /// The audio of the segment in progress (and, while down, of everything since), for stand-ins.
    private let recentAudio = RecentAudio()
    /// Items given to the encoder (or, for the audio rendition, the segmenter), and their media time.
    private var itemsEncoded = 0
    private var ticksEncoded: Int64 = 0
    /// Pictures dropped while the rendition was down (restarting or given up).
    private var droppedWhileDown = 0
    /// Why the rendition is down now, for the `rendition.restarted` event when it resumes.
    private var downReason: RestartReason?
    /// `POST /v1/renditions/{name}/restart`: restart at the next item.
    private var restartRequested = false
    /// The first segment it produced since its last restart: which segments it covers for a sibling
    /// that restarts.
    private var coversFrom = Int.min
    private var lastError: String?
    /// The error that made the worker give up.
    private(set) var failure: Error?
    /// Every restart, for the run's summary and logs.
    private(set) var restarts: [(at: Date, error: String)] = []

    init(name: String, queueCapacity: Int, video: VideoPath?, publisher: RenditionPublisher, master: MasterPublisher,
         policy: RestartPolicy, control: RunControl, faults: [Fault], origin: Int64?,
         makeSegmenter: @escaping (Encoder?, SegmentSink, Bool) throws -> Segmenter) throws {
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
        firstPipeline = try makePipeline(generation: 0, encoder: video?.encoder, midStream: false)
    }

    /// A generation's scaler, encoder and segmenter; the segmenter publishes only while the generation is current.
    private func makePipeline(generation: Int, encoder: Encoder?, midStream: Bool) throws -> Pipeline {
        let sink = GenerationSink(publisher: publisher, isCurrent: { [unowned self] in isCurrent(generation) },
                                  published: { [recentAudio] in recentAudio.published(until: $0.startPTS + $0.durationTicks) })
        return Pipeline(scaler: video.map { VideoScaler(width: $0.settings.width, height: $0.settings.height) },
                        encoder: encoder, segmenter: try makeSegmenter(encoder, sink, midStream),
                        copying: encoder == nil && video?.copy != nil)
    }

    func start() {
        lock.withLock { history.lastStart = Date() }
        let first = firstPipeline
        firstPipeline = nil
        spawn(generation: 0, pipeline: first)
    }

    private func spawn(generation: Int, pipeline: Pipeline? = nil) {
        let thread = Thread { [self] in
            run(generation: generation, pipeline: pipeline)
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

    private func run(generation: Int, pipeline initial: Pipeline?) {
        var pipeline = initial
        // After a resume at this boundary: the stand-in of the last segment missed before it, which waits
        // for that segment's last audio packets (they arrive just after the boundary's picture).
        var lastStandIn: SegmentBoundary?
        while let item = queue.take() {
            guard isCurrent(generation) else { return }
            if case .audio(let packet) = item {
                recentAudio.record(packet)
                if let boundary = lastStandIn, (packet.pts ?? .min) >= boundary.pts {
                    publisher.prepareGaps(before: boundary.number, audio: recentAudio)
                    recentAudio.release(keepingFrom: boundary.pts)
                    lastStandIn = nil
                }
            }
            let requested = lock.withLock { () -> Bool in
                guard restartRequested, case .running = state else { return false }
                restartRequested = false
                return true
            }
            if requested {
                pipeline = nil
                recover(from: SegmenterError(description: "restart requested through the worker interface"), reason: .requested)
            }
            switch lock.withLock({ state }) {
            case .failed:
                countDropped(item)
                continue
            case .down(let until):
                guard let (fresh, boundary) = resumed(at: item, after: until, generation: generation) else {
                    if case .end = item { finishWhileDown() }
                    countDropped(item)
                    continue
                }
                pipeline = fresh
                lastStandIn = publisher.standInsCarryAudio ? boundary : nil
            case .running:
                break
            }
            guard let current = pipeline else {
                // Cannot happen (a new generation starts down); if it did, start afresh at the next boundary.
                lock.withLock { state = .down(until: Date()) }
                continue
            }
            do {
                try handle(item, current, generation: generation)
                lock.withLock {
                    progress += 1
                    switch item {
                    case .video: itemsEncoded += 1; ticksEncoded += video?.frameTicks ?? 0
                    case .audio(let packet) where video == nil: itemsEncoded += 1; ticksEncoded += packet.duration
                    default: break
                    }
                }
            } catch is Abandoned {
                return
            } catch let error as PassthroughEnded {
                pipeline = nil
                giveUp(error, reason: .encoderError)
            } catch {
                guard isCurrent(generation) else { return }
                pipeline = nil
                if case .end = item {
                    // No input comes after the end, so a restart could never publish again: a failure to
                    // write the last segments or the playlist is the rendition's final failure.
                    endFailed(error)
                } else {
                    recover(from: error, reason: Self.reason(for: error))
                }
            }
        }
    }

    /// A picture that a down rendition never encodes: `liveladder_frames_dropped_total`.
    private func countDropped(_ item: RenditionItem) {
        if case .video = item { lock.withLock { droppedWhileDown += 1 } }
    }

    /// What kind of failure it was, for the restart metric and events.
    static func reason(for error: Error) -> RestartReason {
        if error is AtomicFile.WriteError { return .writeError }
        if let error = error as? LiveLadderError, error.kind == .badOutput { return .writeError }
        return .encoderError
    }

    /// Whether this rendition will have segment `number`: it is producing, no restart is asked of it,
    /// and it has produced since before that segment. (Renditions run at their own pace: one that has
    /// just come back may already cut a later segment than a sibling that is behind it in its queue.)
    func covers(segment number: Int?) -> Bool {
        lock.withLock {
            guard case .running = state, !restartRequested else { return false }
            return coversFrom <= (number ?? Int.min)
        }
    }

    /// The first segment it has not published: what a restart of it would lose first (a segment is cut
    /// only once the encoder gives out the next one's IDR, a few pictures after its boundary went in).
    var segmentInProgress: Int? { publisher.firstUnpublished }

    /// Whether it carries video (the fMP4 audio rendition does not).
    var hasVideo: Bool { video != nil }

    /// Restarts the rendition at its next item, through the same path a failure takes (without counting
    /// against its restart budget: an operator asked for it).
    func requestRestart() -> RestartRequest {
        lock.withLock {
            switch state {
            case .running:
                restartRequested = true
                return .accepted
            case .down: return .notRunning("\(name) is restarting already")
            case .failed: return .notRunning("\(name) was given up")
            }
        }
    }

    /// This rendition's counters for the run's progress sample.
    func sample() -> RunSnapshot.Rendition {
        lock.withLock {
            let current: RenditionState
            switch state {
            case .running: current = .up
            case .down: current = .restarting
            case .failed: current = .givenUp
            }
            return RunSnapshot.Rendition(name: name, state: current, itemsEncoded: itemsEncoded,
                                         mediaSeconds: Double(ticksEncoded) / 90_000, framesDropped: shedFrames + droppedWhileDown,
                                         queueDepth: queue.count, queueCapacity: queue.capacity, shedding: shedding,
                                         restarts: restarts.count, lastError: lastError)
        }
    }

    /// Hands an item to the rendition without ever blocking ingest (live inputs). A full queue means the
    /// rendition has fallen behind the live input, for a moment (a loaded host) or for good. Either way it
    /// sheds load rather than segments: the oldest queued picture that starts no segment and whose next
    /// picture is queued and starts none either is dropped before it reaches the encoder, to make room.
    /// So no segment loses its first picture (the IDR) or its last (which would leave a hole before the
    /// next segment); a segment only loses pictures inside it. Only a rendition whose queue holds nothing
    /// it may drop is restarted; the watchdog restarts one that produces nothing.
    func offer(_ item: RenditionItem) {
        switch queue.offer(item, evicting: Self.mayDrop) {
        case false?: return
        case true?: shed()
        case nil:
            if queue.isClosed { return } // a failed rendition takes nothing
            if case .video(_, _, nil) = item {
                // Nothing queued may go: this picture goes instead.
                shed()
                return
            }
            abandon(because: "fell behind the live input: its queue of \(queue.capacity) items was full with nothing it could drop", reason: .fellBehind)
        }
    }

    /// A queued picture that may be dropped under load: it starts no segment, and the next queued picture
    /// exists and starts none either.
    private static func mayDrop(_ item: RenditionItem, after rest: ArraySlice<RenditionItem>) -> Bool {
        guard case .video(_, _, nil) = item else { return false }
        for later in rest {
            if case .video(_, _, let boundary) = later { return boundary == nil }
        }
        return false
    }

    /// One picture dropped under load: counted, and logged once per episode.
    private func shed() {
        let (count, first) = lock.withLock { () -> (Int, Bool) in
            shedFrames += 1
            defer { shedding = true }
            return (shedFrames, !shedding)
        }
        if first { control.log("rendition \(name) is behind the live input: dropping pictures before its encoder (\(count) so far); no segment is lost") }
    }

    /// Pictures dropped under load so far (`offer`).
    var droppedUnderLoad: Int { lock.withLock { shedFrames } }

    /// What the watchdog needs for its question, "has this rendition stopped producing while its input
    /// keeps coming?": how many items it has handled, and whether it is running with input waiting.
    var stallProbe: (progress: Int, waiting: Bool) {
        lock.withLock {
            if case .running = state { return (progress, queue.count > 0) }
            return (progress, false)
        }
    }

    /// The watchdog found no progress since `progress` for longer than the stall timeout: the thread is
    /// abandoned, the failure goes through the restart policy, and a new thread takes over the queue.
    func stalled(since progress: Int, timeout: Double) {
        guard lock.withLock({ self.progress == progress }) else { return }
        abandon(because: "stalled: no progress for \(timeout) s while its input kept coming", reason: .stall)
    }

    /// Gives up on the current thread (it may be stuck in a C call): the generation moves on, the failure
    /// goes through the restart policy, and a new thread takes over the queue.
    private func abandon(because message: String, reason: RestartReason) {
        let next: Int? = lock.withLock {
            guard case .running = state else { return nil }
            generation += 1
            progress += 1
            return generation
        }
        guard let next else { return }
        recover(from: SegmenterError(description: message), reason: reason)
        control.release(rendition: name)
        spawn(generation: next)
    }

    /// A restarting rendition picks up at the first boundary after its backoff: a fresh encoder and
    /// segmenter, so its next segment starts with an IDR at the same PTS as its siblings'.
    private func resumed(at item: RenditionItem, after until: Date, generation: Int) -> (Pipeline, SegmentBoundary)? {
        let boundary: SegmentBoundary?
        switch item {
        case .video(_, _, let found): boundary = found
        case .boundary(let found): boundary = video == nil ? found : nil
        default: boundary = nil
        }
        guard let boundary, Date() >= until else { return nil }
        do {
            try publisher.recover()
            // A pass-through rung resumes copying at a boundary that is a source keyframe.
            let pipeline = try makePipeline(generation: generation,
                                            encoder: try video.flatMap { $0.copy != nil && boundary.copiesSource ? nil : try Encoder(video: $0.settings) },
                                            midStream: true)
            // The stand-ins for what it missed are made now, while its first segment is still to come, not
            // when that segment is ready to publish; one with audio waits for the last of it (`run`).
            if publisher.standInsCarryAudio {
                publisher.prepareGaps(before: boundary.number - 1, audio: recentAudio)
                recentAudio.release(keepingFrom: nil)
            } else {
                publisher.prepareGaps(before: boundary.number, audio: recentAudio)
            }
            let reason = lock.withLock {
                state = .running
                coversFrom = boundary.number
                history.lastStart = Date()
                progress += 1
                defer { downReason = nil }
                return downReason ?? .encoderError
            }
            control.emit(.renditionRestarted(rendition: name, reason: reason, number: boundary.number))
            return (pipeline, boundary)
        } catch {
            recover(from: error, reason: Self.reason(for: error))
            return nil
        }
    }

    /// The stream ended while the rendition was down: its playlist still gets the gaps and ENDLIST.
    private func finishWhileDown() {
        do { try publisher.finish() } catch { endFailed(error) }
    }

    private func endFailed(_ error: Error) {
        failure = error
        lock.withLock {
            state = .failed
            lastError = "\(error)"
        }
        control.emit(.renditionGivenUp(rendition: name, reason: Self.reason(for: error), error: "\(error)"))
        // Its playlist may be missing or short: the master must not name it.
        master.markFailed(rendition: name)
    }

    /// GAP entries in the rendition's playlist: segments it lost to restarts.
    var gapCount: Int { publisher.gapCount }

    private func recover(from error: Error, reason: RestartReason) {
        let now = Date()
        let decision = lock.withLock {
            restarts.append((now, "\(error)"))
            lastError = "\(error)"
            downReason = reason
            // An operator's restart is not a failure: it does not use up the budget.
            return reason == .requested ? .restart(after: 0) : policy.decide(&history, at: now)
        }
        switch decision {
        case .restart(let backoff):
            control.log(reason == .requested ? "rendition \(name) restarting at the next segment boundary, as requested"
                        : "rendition \(name) failed, restarting at the next segment boundary after \(backoff) s: \(error)")
            control.emit(.renditionFailed(rendition: name, reason: reason, error: "\(error)", backoff: backoff))
            recentAudio.hold()
            lock.withLock { state = .down(until: now.addingTimeInterval(backoff)) }
        case .giveUp:
            control.log("rendition \(name) failed \(history.failures.count) times in \(Int(policy.budgetWindow)) s; giving it up: \(error)")
            giveUp(error, reason: reason)
        }
    }

    /// The rendition stops for good and leaves the master.
    private func giveUp(_ error: Error, reason: RestartReason) {
        failure = error
        recentAudio.release(keepingFrom: .max)
        lock.withLock {
            state = .failed
            lastError = "\(error)"
        }
        control.emit(.renditionGivenUp(rendition: name, reason: reason, error: "\(error)"))
        // A failed rendition stops consuming; closing its queue makes ingest's puts return at once.
        queue.close(discardPending: true)
        master.markFailed(rendition: name)
        if master.everyVideoRenditionFailed { control.stop(because: .allRenditionsFailed) }
    }

    /// Throws the injected fault due at `pts`, from where the real failure would come.
    private func injectedFault(_ kind: Fault.Kind, at pts: Int64) -> Bool {
        lock.withLock {
            let origin = self.origin ?? pts
            self.origin = origin
            guard let index = faults.firstIndex(where: { $0.kind == kind && Double(pts - origin) / 90_000 >= $0.seconds }) else { return false }
            faults.remove(at: index)
            return true
        }
    }

    private func handle(_ item: RenditionItem, _ pipeline: Pipeline, generation: Int) throws {
        let segmenter = pipeline.segmenter
        switch item {
        case .video(let frame, let pts, let boundary):
            guard let video else { return }
            if pipeline.copying {
                // Copying, a picture only announces its boundary, until the one that ends pass-through.
                guard let boundary else { return }
                guard !boundary.copiesSource else { return try segmenter.expect(boundary) }
                try startEncoding(pipeline, video)
            }
            guard let scaler = pipeline.scaler, let encoder = pipeline.encoder else { return }
            if let boundary { try segmenter.expect(boundary) }
            let picture = scaler.isPassThrough(for: frame) ? frame : try scaler.scale(frame)
            picture.pts = pts
            // Set on every frame: a decoded picture still carries the source's picture type.
            picture.forceKeyframe = boundary != nil
            if injectedFault(.encoderError, at: pts) {
                throw FFmpegError(operation: "avcodec_send_frame(libx264) [LIVELADDER_FAULTS]", message: "Input/output error")
            }
            if injectedFault(.writeError, at: pts) { publisher.failNextWrite() }
            if injectedFault(.stall, at: pts) { control.stall(rendition: name) }
            if injectedFault(.overload, at: pts) { lock.withLock { overloadedUntil = pts + 5 * 90_000 } }
            if let until = lock.withLock({ overloadedUntil }), pts < until {
                Thread.sleep(forTimeInterval: 3 * Double(video.frameTicks) / 90_000)
            }
            try encoder.send(picture)
            lock.withLock { if shedding && queue.count < queue.capacity / 2 { shedding = false } }
            // A call that hung until the watchdog gave up on this thread: touch nothing more.
            guard isCurrent(generation) else { throw Abandoned() }
            try forward(encoder.drain(), extradata: encoder.extradata, segmenter, frameTicks: video.frameTicks)
        case .copied(let packet):
            guard let video, pipeline.copying else { return }
            // The copy takes its faults where an encoder would (LIVELADDER_FAULTS).
            if let pts = packet.pts, injectedFault(.encoderError, at: pts) {
                throw FFmpegError(operation: "pass-through [LIVELADDER_FAULTS]", message: "Input/output error")
            }
            if let pts = packet.pts, injectedFault(.writeError, at: pts) { publisher.failNextWrite() }
            try forward([packet], extradata: video.copy?.extradata ?? [], segmenter, frameTicks: video.frameTicks)
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
            try drainEncoder(pipeline)
            try segmenter.closeSession(videoEnd: videoEnd, inputCompletedAt: inputEnd)
            // libx264 cannot take frames after a drain: the next session gets a fresh encoder. Same settings
            // give the same SPS/PPS, which an fMP4 init segment depends on.
            if let video, let old = pipeline.encoder {
                let fresh = try Encoder(video: video.settings)
                guard fresh.extradata == old.extradata else {
                    throw SegmenterError(description: "the restarted encoder produced different SPS/PPS than the init segment holds")
                }
                pipeline.encoder = fresh
            }
        case .end(let videoEnd, let inputEnd):
            try drainEncoder(pipeline)
            try segmenter.finish(videoEnd: videoEnd, inputCompletedAt: inputEnd)
            try publisher.finish()
        }
    }

    private func drainEncoder(_ pipeline: Pipeline) throws {
        guard let video, let encoder = pipeline.encoder else { return }
        try encoder.send(nil)
        try forward(encoder.drain(), extradata: encoder.extradata, pipeline.segmenter, frameTicks: video.frameTicks)
    }

    /// Pass-through ends at this boundary (docs/passthrough.md). In TS the same muxer and stream go on with
    /// an encoder at the source's size (SPS in band, continuity counters and audio continue; the encoder
    /// has no B-frames, so its DTS continue the copy's), after the discontinuity the boundary carries. An
    /// fMP4 rendition would need a second init segment, which a playlist with one EXT-X-MAP cannot name:
    /// it is given up instead and leaves the master.
    private func startEncoding(_ pipeline: Pipeline, _ video: VideoPath) throws {
        guard pipeline.segmenter.format == .mpegts else {
            throw PassthroughEnded()
        }
        pipeline.encoder = try Encoder(video: video.settings)
        pipeline.copying = false
        // CODECS is the encoder's from now on.
        lock.withLock { codecsReported = false }
    }

    private struct PassthroughEnded: Error, CustomStringConvertible {
        var description: String { "pass-through ended and an fMP4 rendition cannot change its init segment mid-stream" }
    }

    /// `extradata`: the encoder's (or, copying, the source stream's) SPS/PPS, empty when they are in band.
    private func forward(_ packets: [Packet], extradata: [UInt8], _ segmenter: Segmenter, frameTicks: Int64) throws {
        for packet in packets {
            if !lock.withLock({ codecsReported }) {
                // CODECS comes from the SPS the encoder (or the source) really produced: in extradata with
                // global headers (fMP4, an MP4 source), in band before the first IDR otherwise (TS).
                let source = extradata.isEmpty ? packet.bytes : extradata
                if let sps = H264.findSPS(in: source), let codecs = H264.codecString(sps: sps) {
                    master.setCodecs(rendition: name, codecs: codecs)
                    lock.withLock { codecsReported = true }
                }
            }
            try segmenter.video(packet, frameTicks: frameTicks)
        }
    }
}
