import Foundation
import FFmpegKit
import HLSModel
import LadderConfig
import Logging

/// What a finished run did, for the CLI's summary line and for tests.
public struct RunSummary: Sendable {
    public struct Rendition: Sendable {
        public let name: String
        public let width: Int
        public let height: Int
    }
    public let renditions: [Rendition]
    public let hasAudio: Bool
    public let videoFrames: Int
    public let damagedPackets: Int
    public let droppedFrames: Int
    public let timestampJumps: Int
    public let slateFrames: Int
    /// Input sessions: 1, plus one per reconnect or loop.
    public let sessions: Int
    /// Rendition restarts by the supervisor.
    public let restarts: Int
    /// Pictures renditions dropped before their encoders because they had fallen behind a live input.
    public let droppedUnderLoad: [String: Int]
}

/// One `liveladder run`: plans the run from the config and the probed input (`RunPlan`), assembles the
/// pipeline (ingest → renditions → publishers), runs it to the end of the input, and publishes the final
/// playlists. Everything that happens on the way is a `RunEvent` on `events`.
///
/// `@unchecked Sendable`: `run()` is called once, on one thread; `stop()` and the worker commands may come
/// from any thread and touch only the lock-protected `RunControl` and `workers`.
public final class LadderRun: WorkerCommands, @unchecked Sendable {
    /// Output ticks of the first video frame. Not zero, so B-frame DTS and AAC priming stay positive.
    static let timelineOrigin: Int64 = 10 * 90_000
    /// Items (frames or audio packets) a rendition queue holds before ingest waits (a file input).
    static let queueCapacity = 16
    /// A live input does not wait: its queues hold 3 s of frames and audio packets, enough for the burst
    /// that follows probing, before a rendition counts as fallen behind. The frames are references to the
    /// same decoded pictures for every rendition, so this costs one set of pictures, not one per rendition.
    static func liveQueueCapacity(frameRate: Double) -> Int { Int(3 * (frameRate + 48)) }

    private let options: RunOptions
    private let logger: Logger
    private let control: RunControl
    /// The run's one event stream.
    public let events: RunEventBus
    private let lock = NSLock()
    private var workers: [RenditionWorker] = []

    public init(options: RunOptions, logger: Logger, events: RunEventBus = RunEventBus()) {
        self.options = options
        self.logger = logger
        self.events = events
        control = RunControl(interrupt: InterruptGuard(), logger: logger, events: events)
    }

    /// SIGINT/SIGTERM: stop reading, finish the segments in progress, write the last playlists (ENDLIST for
    /// event and VOD, live ones stay live), and return. Safe from any thread, at any time.
    public func stop() { control.stop(because: .signal) }

    public func requestStop() { stop() }

    /// A requested restart never leaves a segment that no video rendition produces (rule MP8): with
    /// siblings, one of them must be producing since before the segment this one is cutting, with no
    /// restart of its own pending. Decided under one lock, so two requests at once cannot both pass.
    public func restart(rendition name: String) -> RestartRequest {
        lock.withLock {
            guard let found = workers.first(where: { $0.name == name }) else {
                return workers.isEmpty ? .notRunning("the ladder is not set up yet") : .unknown
            }
            let siblings = workers.filter { $0 !== found && $0.hasVideo }
            let losing = found.segmentInProgress
            if found.hasVideo, !siblings.isEmpty, !siblings.contains(where: { $0.covers(segment: losing) }) {
                return .notRunning("no other rendition is producing now\(losing.map { " segment \($0)" } ?? "") (\(siblings.map(\.name).joined(separator: ", ")) restarting or just back), so it would be missing everywhere; try again in a segment or two")
            }
            return found.requestRestart()
        }
    }

    /// Whether the run ended because it was asked to stop.
    public var wasStopped: Bool { control.stopReason == .signal }

    public func run() throws -> RunSummary {
        if options.deterministic { DeterministicMemory.pin() }
        let source = InputSource(input: options.input, options: options.inputOptions, listen: options.listen)
        let kind = try Self.playlistKind(options, source)
        events.emit(.runStarted(RunDescription(
            input: source.redactedURL, output: options.output, playlistType: kind.rawValue,
            segmentFormat: options.config.segmentFormat.rawValue, segmentDuration: options.config.segmentDuration,
            listening: source.kind == .listen, inputCanWait: source.endsAtEndOfInput && !options.realtime,
            inputProtocol: source.protocolName)))
        let interrupt = control.interrupt
        // Sampled from the start: while the input is awaited, the heartbeat of the blocked ingest thread
        // is what says the process is alive.
        let sampler = RunSampler(events: events) {
            RunSnapshot(ingestIdleSeconds: interrupt.secondsSinceLastAsked)
        }
        defer { sampler.stop() }
        let faults = try Fault.fromEnvironment()
        // A pull input must answer within the input timeout; a listen input waits for its first publisher.
        interrupt.arm(seconds: source.kind == .pull ? options.inputTimeout : nil)
        let input = try InputOpener.open(source, interrupt: interrupt, probeTime: max(options.inputTimeout, 5),
                                         refused: { [logger] in logger.warning("\($0)") })
        let videoInfo = try InputOpener.videoStream(of: input)
        let audioInfo = try InputOpener.audioStream(of: input)
        events.emit(.inputConnected(Ingest.describe(input, source: source, session: 1)))

        let sar = input.sampleAspectRatio(ofStream: videoInfo.index)
        let plan = try RunPlan(
            config: options.config, kind: kind, realtime: options.realtime,
            source: .init(video: SourceVideo(width: videoInfo.width ?? 0, height: videoInfo.height ?? 0,
                                             sarNum: Int(sar.num), sarDen: Int(sar.den)),
                          frameRate: input.frameRate(ofStream: videoInfo.index),
                          audioChannels: audioInfo.map { $0.channels ?? 2 },
                          isFinite: source.isFinite, endsAtEndOfInput: source.endsAtEndOfInput),
            deterministic: options.deterministic)
        if plan.frameRateAssumed { logger.warning("input frame rate unknown; assuming 30 fps") }
        if let grid = plan.epochGrid, Double(grid.epochMilliseconds) / 1000 > Date().timeIntervalSince1970 {
            throw LiveLadderError(.badConfig, "epoch lock: the epoch \(ProgramDateTime.format(Date(timeIntervalSince1970: Double(grid.epochMilliseconds) / 1000))) is in the future; segment numbers count from it, so it must have passed")
        }
        // Epoch lock: the timeline is ticks since the epoch, and the program's audio frames sit on the
        // epoch's grid of 1,024 samples (the same in every instance), so audio sample 0 is at T0.
        let origin = plan.epochGrid == nil ? Self.timelineOrigin : 0
        let slateImage = try options.slateImage.map(Slate.loadImage)
        // A pass-through rung: H.264 only, and a file's keyframes must fit the grid (docs/passthrough.md).
        let passthrough = try PassthroughSetup.prepare(plan: plan, input: input, videoIndex: videoInfo.index, source: source,
                                                       scan: source.kind == .file && !options.realtime)

        // Everything that can refuse this input or this ladder (the decoders, every encoder) is opened before
        // the output folder is touched, so a run that cannot start leaves no files behind.
        _ = try Ingest.openDecoder(input, videoInfo.index, lowDelay: plan.lowDelay)
        if let audioInfo { _ = try Ingest.openDecoder(input, audioInfo.index, lowDelay: plan.lowDelay) }
        var encoders: [Encoder?] = []
        for rung in plan.rungs {
            do {
                // The pass-through rung copies; it makes its encoder only if it falls back.
                encoders.append(rung.rendition.passthrough ? nil : try Encoder(video: rung.settings))
            } catch {
                throw LiveLadderError(.processing, "cannot set up rendition \(rung.rendition.name) (\(rung.rendition.width)x\(rung.rendition.height)): \(error)")
            }
        }
        let audioChain: AudioChain?
        do {
            audioChain = try plan.audio.map { try AudioChain(settings: $0, origin: origin) }
        } catch {
            throw LiveLadderError(.processing, "cannot set up the audio encoder: \(error)")
        }
        if let unknown = faults.first(where: { fault in !plan.ladder.contains { $0.name == fault.rendition } && fault.rendition != MasterPublisher.audioName }) {
            throw LiveLadderError(.badConfig, "\(Fault.variable): there is no rendition \(unknown.rendition) in this ladder")
        }

        let resume = try OutputFolder.prepare(options.output, renditionNames: plan.ladder.map(\.name), overwrite: options.overwrite,
                                              configuration: Self.fingerprint(options.config, plan.ladder, kind), resumable: kind != .vod)
        if let resume { logger.info("continuing the run in \(options.output) at segment \(resume.nextNumber)") }
        let assembly = try PipelineAssembly(plan: plan, options: options, control: control, faults: faults, resume: resume,
                                            encoders: encoders, audioChain: audioChain, audioOrigin: origin,
                                            copySource: passthrough?.parameters)
        let workers = assembly.workers
        let videoWorkers = assembly.videoWorkers
        let master = assembly.master
        lock.withLock { self.workers = workers }
        if let passthrough, let worker = videoWorkers.first(where: { $0.name == plan.passthrough?.rendition.name }) {
            passthrough.relay.attach(worker: worker, control: control)
        }

        let feed = LadderFeed(
            clock: SegmentClock(origin: Self.timelineOrigin, segmentTicks: plan.segmentTicks, targetDuration: plan.targetDuration,
                                firstSegmentNumber: resume?.nextNumber ?? 0),
            frameTicks: plan.frameTicks, frameRate: (Int64(plan.frameRate.num), Int64(plan.frameRate.den)), audio: audioChain,
            videoWorkers: videoWorkers,
            audioWorkers: assembly.audioWorker.map { [$0] } ?? (plan.inBandAudio ? videoWorkers : []),
            boundaryWorkers: assembly.audioWorker.map { [$0] } ?? [], registry: assembly.registry,
            live: plan.liveFeed, resumed: resume != nil,
            fixedClock: options.deterministic ? RunOptions.deterministicClock : nil,
            epoch: plan.epochGrid.map { grid in
                EpochLock(grid: grid, notBefore: resume.map { Int64($0.nextNumber) }, resumedSession: resume?.epochSession,
                          record: { [logger, output = options.output] offset in
                              logger.info("epoch lock: input session mapped to the wall clock", metadata: ["offset": "\(Double(offset) / 90_000) s"])
                              if let error = OutputFolder.recordEpochSession(output, offset: offset) {
                                  logger.warning("epoch lock: cannot record the session in the output folder's marker (a resume will start after a discontinuity): \(error)")
                              }
                          })
            },
            passthrough: passthrough?.relay)
        let slate = options.slate || options.slateImage != nil
            ? Slate(feed: feed, image: slateImage, frameTicks: plan.frameTicks) : nil
        var settings = Ingest.Settings()
        settings.realtime = options.realtime
        settings.loop = options.loop
        settings.inputTimeout = options.inputTimeout
        settings.reconnectWindow = options.reconnectWindow ?? source.defaultReconnectWindow
        settings.keepAlive = options.keepAlive
        settings.livePlaylists = kind == .live
        let ingest = Ingest(source: source, settings: settings, feed: feed, slate: slate, control: control, logger: logger)

        events.emit(.ladderResolved(plan.plans))
        for worker in workers { worker.start() }
        let watchdog = Watchdog(workers: workers, timeout: options.stallTimeout ?? 3 * plan.segmentDuration)
        defer { watchdog.stop() }
        sampler.sample(from: Self.sampling(feed: feed, ingest: ingest, audioChain: audioChain, workers: workers,
                                           watchdog: watchdog, interrupt: interrupt, frameTicks: plan.frameTicks))
        var ingestError: Error?
        do {
            // Handed over, not shared: a lost input is let go before it is reopened (a UDP port is rebound).
            try ingest.run(first: consume input)
        } catch {
            ingestError = error
            for worker in workers { worker.queue.close(discardPending: !(error is LiveLadderError)) }
        }
        for worker in workers { worker.join() }
        sampler.stop()
        return try outcome(of: ingest, ingestError, source: source, kind: kind, plan: plan, workers: workers,
                           videoWorkers: videoWorkers, master: master, feed: feed, audioChain: audioChain)
    }

    /// The playlist type asked for (or the input's default), after refusing what cannot work.
    private static func playlistKind(_ options: RunOptions, _ source: InputSource) throws -> PlaylistKind {
        let kind = options.playlistKind ?? (source.kind == .file ? .vod : .live)
        guard options.listSize >= 3 else {
            throw LiveLadderError(.badConfig, "--list-size: \(options.listSize) is too small; a live window needs at least 3 segments (Apple asks for 6)")
        }
        guard !(options.listen && source.isFinite) else {
            throw LiveLadderError(.badConfig, "--listen: \(source.url) is a \(source.kind == .file ? "file" : "pipe"); only a network input (rtmp://, srt://, tcp://) waits for a publisher")
        }
        guard !(options.loop && source.kind != .file) else {
            throw LiveLadderError(.badConfig, "--loop: only a file can be looped; \(source.url) is not a file")
        }
        guard !(kind == .vod && !source.isFinite) else {
            throw LiveLadderError(.badConfig, "--playlist-type vod: a live input has no end; use live or event")
        }
        return kind
    }

    /// The progress sample of the assembled pipeline.
    private static func sampling(feed: LadderFeed, ingest: Ingest, audioChain: AudioChain?, workers: [RenditionWorker],
                                 watchdog: Watchdog, interrupt: InterruptGuard, frameTicks: Int64) -> @Sendable () -> RunSnapshot {
        let stats = ingest.stats
        let skippedAudio = audioChain?.skipped
        return {
            let counters = feed.snapshot
            let reading = stats.reading
            return RunSnapshot(
                inputConnected: reading.connected, inputBytes: reading.bytes, sessions: counters.sessions + 1,
                videoFrames: counters.videoFrames,
                mediaSeconds: Double(counters.videoFrames + counters.slateFrames) * Double(frameTicks) / 90_000,
                damagedPackets: reading.damagedPackets, timestampJumps: counters.timestampJumps,
                decodeErrors: skippedAudio?.value ?? 0, slateFrames: counters.slateFrames,
                slateActive: reading.slateActive, slateSeconds: reading.slateSeconds, inputLossSeconds: reading.lossSeconds,
                keyframeInterval: reading.keyframeInterval, ingestIdleSeconds: interrupt.secondsSinceLastAsked,
                watchdogIdleSeconds: watchdog.secondsSinceLastLook,
                renditions: workers.map { $0.sample() })
        }
    }

    /// How the run ended: the summary, or the error with its documented exit code.
    private func outcome(of ingest: Ingest, _ ingestError: Error?, source: InputSource, kind: PlaylistKind, plan: RunPlan,
                         workers: [RenditionWorker], videoWorkers: [RenditionWorker], master: MasterPublisher,
                         feed: LadderFeed, audioChain: AudioChain?) throws -> RunSummary {
        if control.stopReason == .allRenditionsFailed {
            let reasons = workers.compactMap { worker in worker.failure.map { "\(worker.name): \($0)" } }
            throw LiveLadderError(.allRenditionsFailed, "every video rendition failed past its restart budget (\(reasons.joined(separator: "; "))); exiting so an outer supervisor can restart the channel")
        }
        if let ingestError {
            if let error = ingestError as? LiveLadderError {
                // A file or stdin that failed mid-way: what was read is finished, and the master names it,
                // so the output stays playable; the exit code says it is short.
                if error.kind == .badInput, source.isFinite, workers.contains(where: { $0.failure == nil }) {
                    // Nothing published (the input failed before a first segment) leaves no master to write.
                    try? master.finish()
                }
                throw error
            }
            throw LiveLadderError(.processing, "reading \(source.url) failed: \(ingestError)")
        }
        let failures = workers.compactMap { worker in worker.failure.map { (worker.name, $0) } }
        if let audioFailure = failures.first(where: { $0.0 == MasterPublisher.audioName }) {
            throw LiveLadderError(.processing, "the audio rendition failed: \(audioFailure.1)")
        }
        if failures.count < videoWorkers.count {
            do {
                try master.finish()
            } catch {
                throw LiveLadderError(.processing, "\(error)")
            }
        }
        if let (name, error) = failures.first {
            let survivors = videoWorkers.count - failures.count
            throw LiveLadderError(.processing, "rendition \(name) failed: \(error)" + (survivors > 0 ? " (the other \(survivors == 1 ? "rendition was" : "\(survivors) were") published)" : ""))
        }
        let counters = feed.snapshot
        let seconds = Double(counters.videoFrames) * Double(plan.frameTicks) / 90_000
        if control.stopReason == .signal, kind == .vod, !ingest.reachedEnd {
            // A truncated VOD must not look finished to a pipeline: its playlists are complete and
            // playable, but the exit code says the input was not read to its end.
            throw LiveLadderError(.stoppedEarly, "stopped by a signal before the end of \(source.url), after \(Self.seconds(seconds)) of media (\(counters.videoFrames) frames); the output in \(options.output) is playable but ends there")
        }
        if kind != .live {
            // A VOD or event output is kept as it is: a GAP in it is content lost for good, not a hole a
            // live window will slide past.
            let gapped = workers.filter { $0.gapCount > 0 }
            if !gapped.isEmpty {
                let list = gapped.map { "\($0.name): \($0.gapCount)" }.joined(separator: ", ")
                // The restart's cause is what the user must fix (a full disk, a failing encoder), so
                // the one error line names it too.
                let cause = gapped.compactMap { $0.restarts.first.map { "\($0.error)" } }.first.map { "; the first restart was for: \($0)" } ?? ""
                throw LiveLadderError(.processing, "the output in \(options.output) is finished but has GAP segments where renditions were restarting (\(list))\(cause); those spans are missing from them, see docs/supervision.md")
            }
        }
        return RunSummary(renditions: plan.ladder.map { .init(name: $0.name, width: $0.width, height: $0.height) },
                          hasAudio: audioChain != nil, videoFrames: counters.videoFrames,
                          damagedPackets: ingest.damagedPackets + (audioChain?.skippedFrames ?? 0),
                          droppedFrames: counters.droppedFrames,
                          timestampJumps: counters.timestampJumps, slateFrames: counters.slateFrames,
                          sessions: counters.sessions + 1,
                          restarts: workers.reduce(0) { $0 + $1.restarts.count },
                          droppedUnderLoad: Dictionary(uniqueKeysWithValues: videoWorkers.map { ($0.name, $0.droppedUnderLoad) }.filter { $0.1 > 0 }))
    }

    /// "12.3 s" for messages.
    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    /// What must match for a later run to continue this one's playlists: the ladder, the segmenting and the
    /// playlist type. Written into the output folder's marker.
    static func fingerprint(_ config: LadderConfig, _ ladder: [ResolvedRendition], _ kind: PlaylistKind) -> String {
        let rungs = ladder.map { "\($0.name)=\($0.width)x\($0.height)/\($0.videoBitrate)/\($0.maxBitrate)/\($0.preset)/\($0.profile)/\($0.tune ?? "-")\($0.passthrough ? "/copy" : "")" }
        // An epoch-locked run continues only on the same grid.
        let epoch = config.epochLock ? " epoch=\(config.epochMilliseconds ?? 0)" : ""
        return "\(kind.rawValue) \(config.segmentFormat.rawValue) \(config.segmentDuration)s\(epoch) audio=\(config.audio.bitrate)/\(config.audio.sampleRate)/\(config.audio.channels.rawValue) " + rungs.joined(separator: " ")
    }
}
