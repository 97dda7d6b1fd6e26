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

/// One `liveladder run`: builds the pipeline (ingest → renditions → publishers), runs it to the end of the
/// input, and publishes the final playlists.
///
/// `@unchecked Sendable`: `run()` is called once, on one thread; `stop()` may come from any thread and only
/// touches the lock-protected `RunControl`.
public final class LadderRun: @unchecked Sendable {
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

    public init(options: RunOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        control = RunControl(interrupt: InterruptGuard(), logger: logger)
    }

    /// SIGINT/SIGTERM: stop reading, finish the segments in progress, write the last playlists (ENDLIST for
    /// event and VOD, live ones stay live), and return. Safe from any thread, at any time.
    public func stop() { control.stop(because: .signal) }

    /// Whether the run ended because it was asked to stop.
    public var wasStopped: Bool { control.stopReason == .signal }

    public func run() throws -> RunSummary {
        let config = options.config
        let source = InputSource(input: options.input, options: options.inputOptions, listen: options.listen)
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
        let faults = try Fault.fromEnvironment()
        let interrupt = control.interrupt
        // A pull input must answer within the input timeout; a listen input waits for its first publisher.
        interrupt.arm(seconds: source.kind == .pull ? options.inputTimeout : nil)
        let input = try InputOpener.open(source, interrupt: interrupt, probeTime: max(options.inputTimeout, 5),
                                         refused: { [logger] in logger.warning("\($0)") })
        let videoInfo = try InputOpener.videoStream(of: input)
        let audioInfo = try InputOpener.audioStream(of: input)

        let sar = input.sampleAspectRatio(ofStream: videoInfo.index)
        let sourceVideo = SourceVideo(width: videoInfo.width ?? 0, height: videoInfo.height ?? 0,
                                      sarNum: Int(sar.num), sarDen: Int(sar.den))
        let ladder: [ResolvedRendition]
        do {
            ladder = try config.resolve(for: sourceVideo)
        } catch {
            throw LiveLadderError(.badConfig, error.message)
        }

        var frameRate = input.frameRate(ofStream: videoInfo.index)
        if !frameRate.isValid || frameRate.doubleValue > 120 {
            logger.warning("input frame rate unknown; assuming 30 fps")
            frameRate = Rational(30, 1)
        }
        let frameTicks = Rational(frameRate.den, frameRate.num).rescale(1, to: .mpegClock)
        let segmentTicks = Int64((config.segmentDuration * 90_000).rounded())
        let targetDuration = max(1, Int((config.segmentDuration + Double(frameTicks) / 90_000).rounded()))

        let slateImage = try options.slateImage.map(Slate.loadImage)
        let format: ContainerFormat = config.segmentFormat == .ts ? .mpegts : .fragmentedMP4

        // Everything that can refuse this input or this ladder (the decoders, every encoder) is opened before
        // the output folder is touched, so a run that cannot start leaves no files behind.
        let lowDelay = !source.isFinite || options.realtime
        _ = try Ingest.openDecoder(input, videoInfo.index, lowDelay: lowDelay)
        if let audioInfo { _ = try Ingest.openDecoder(input, audioInfo.index, lowDelay: lowDelay) }
        var rungs: [(rung: ResolvedRendition, settings: VideoEncoderSettings, encoder: Encoder)] = []
        for rung in ladder {
            var settings = VideoEncoderSettings(
                width: rung.width, height: rung.height, frameRate: frameRate,
                bitRate: rung.videoBitrate, maxRate: rung.maxBitrate, bufferSize: rung.bufferSize,
                gopSize: Int((config.segmentDuration * frameRate.doubleValue).rounded(.up)) + 1,
                preset: rung.preset, profile: rung.profile, tune: rung.tune,
                globalHeader: format == .fragmentedMP4,
                threads: Self.encoderThreads(for: rung, in: ladder))
            settings.lowLatency = lowDelay
            do {
                rungs.append((rung, settings, try Encoder(video: settings)))
            } catch {
                throw LiveLadderError(.processing, "cannot set up rendition \(rung.name) (\(rung.width)x\(rung.height)): \(error)")
            }
        }
        let audioChain: AudioChain?
        let audioSettings = audioInfo.map { info in
            AudioEncoderSettings(sampleRate: config.audio.sampleRate,
                                 channels: Self.layout(config.audio.channels, source: info.channels ?? 2),
                                 bitRate: config.audio.bitrate, globalHeader: true)
        }
        do {
            audioChain = try audioSettings.map { try AudioChain(settings: $0, origin: Self.timelineOrigin) }
        } catch {
            throw LiveLadderError(.processing, "cannot set up the audio encoder: \(error)")
        }

        let resume = try OutputFolder.prepare(options.output, renditionNames: ladder.map(\.name), overwrite: options.overwrite,
                                              configuration: Self.fingerprint(config, ladder, kind), resumable: kind != .vod)
        if let resume { logger.info("continuing the run in \(options.output) at segment \(resume.nextNumber)") }
        let segmentLog = try options.segmentLog.map { try SegmentLog(path: $0) }
        let registry = SegmentRegistry()
        var policy = RestartPolicy()
        policy.budget = options.restartBudget

        let hasAudio = audioChain != nil
        let inBandAudio = hasAudio && format == .mpegts
        let overhead = format == .mpegts ? 1.10 : 1.05
        let audioEstimate = Int(Double(config.audio.bitrate) * overhead)
        let master = MasterPublisher(
            outputDirectory: options.output, kind: kind, targetDuration: targetDuration,
            variants: ladder.map { rung in
                MasterPublisher.Variant(name: rung.name, width: rung.width, height: rung.height,
                                        frameRate: frameRate.doubleValue,
                                        estimatedPeak: Int(Double(rung.maxBitrate) * overhead) + (inBandAudio ? audioEstimate : 0),
                                        estimatedAverage: Int(Double(rung.videoBitrate) * overhead) + (inBandAudio ? audioEstimate : 0))
            },
            audio: hasAudio && format == .fragmentedMP4
                ? MasterPublisher.Audio(channels: audioChain!.channelCount, estimatedPeak: audioEstimate) : nil,
            hasAudio: hasAudio)

        // Inputs that can wait (files, stdin, HTTP pulls: flow control holds the sender back) get
        // back-pressure; a feed that arrives in real time cannot wait and never blocks on a rendition.
        let liveFeed = !source.endsAtEndOfInput || options.realtime
        let queueCapacity = liveFeed ? Self.liveQueueCapacity(frameRate: frameRate.doubleValue) : Self.queueCapacity
        var videoWorkers: [RenditionWorker] = []
        var audioOnlyWorker: RenditionWorker?
        do {
            for (rung, settings, encoder) in rungs {
                let control = control
                let filler = GapFiller(format: format,
                                       video: .init(settings: settings, frameTicks: frameTicks, extradata: encoder.extradata),
                                       audio: inBandAudio ? audioSettings : nil, audioOrigin: Self.timelineOrigin,
                                       log: { control.log("rendition \(rung.name): \($0)") })
                let publisher = try RenditionPublisher(name: rung.name, outputDirectory: options.output,
                                                       format: config.segmentFormat, kind: kind, listSize: options.listSize,
                                                       targetDuration: targetDuration, master: master, segmentLog: segmentLog,
                                                       registry: registry, filler: filler)
                if let previous = resume?.playlists[rung.name] { publisher.resume(from: previous) }
                let audioEncoder = inBandAudio ? audioChain?.encoder : nil
                videoWorkers.append(try RenditionWorker(
                    name: rung.name, queueCapacity: queueCapacity,
                    video: .init(encoder: encoder, settings: settings, frameTicks: frameTicks),
                    publisher: publisher, master: master, policy: policy, control: control,
                    faults: faults.filter { $0.rendition == rung.name }, origin: Self.timelineOrigin,
                    makeSegmenter: { video, sink, midStream in
                        try Segmenter(format: format, video: video, audio: audioEncoder, sink: sink, midStream: midStream) }))
            }
            if let audioChain, format == .fragmentedMP4 {
                let control = control
                let filler = GapFiller(format: format, video: nil, audio: audioSettings, audioOrigin: Self.timelineOrigin,
                                       log: { control.log("rendition \(MasterPublisher.audioName): \($0)") })
                let publisher = try RenditionPublisher(name: MasterPublisher.audioName, outputDirectory: options.output,
                                                       format: config.segmentFormat, kind: kind, listSize: options.listSize,
                                                       targetDuration: targetDuration, master: master, segmentLog: segmentLog,
                                                       registry: registry, filler: filler)
                if let previous = resume?.playlists[MasterPublisher.audioName] { publisher.resume(from: previous) }
                let audioEncoder = audioChain.encoder
                audioOnlyWorker = try RenditionWorker(
                    name: MasterPublisher.audioName, queueCapacity: queueCapacity * 4, video: nil,
                    publisher: publisher, master: master, policy: policy, control: control,
                    faults: faults.filter { $0.rendition == MasterPublisher.audioName }, origin: Self.timelineOrigin,
                    makeSegmenter: { _, sink, midStream in
                        try Segmenter(format: format, video: nil, audio: audioEncoder, sink: sink, midStream: midStream) })
            }
        } catch let error as LiveLadderError {
            throw error
        } catch {
            throw LiveLadderError(.processing, "cannot set up the renditions: \(error)")
        }
        if let unknown = faults.first(where: { fault in !ladder.contains { $0.name == fault.rendition } && fault.rendition != MasterPublisher.audioName }) {
            throw LiveLadderError(.badConfig, "\(Fault.variable): there is no rendition \(unknown.rendition) in this ladder")
        }

        let workers = videoWorkers + (audioOnlyWorker.map { [$0] } ?? [])
        let feed = LadderFeed(
            clock: SegmentClock(origin: Self.timelineOrigin, segmentTicks: segmentTicks, targetDuration: targetDuration,
                                firstSegmentNumber: resume?.nextNumber ?? 0),
            frameTicks: frameTicks, frameRate: (Int64(frameRate.num), Int64(frameRate.den)), audio: audioChain, videoWorkers: videoWorkers,
            audioWorkers: audioOnlyWorker.map { [$0] } ?? (inBandAudio ? videoWorkers : []),
            boundaryWorkers: audioOnlyWorker.map { [$0] } ?? [], registry: registry,
            live: liveFeed, resumed: resume != nil)
        let slate = options.slate || options.slateImage != nil
            ? Slate(feed: feed, image: slateImage, frameTicks: frameTicks) : nil
        var settings = Ingest.Settings()
        settings.realtime = options.realtime
        settings.loop = options.loop
        settings.inputTimeout = options.inputTimeout
        settings.reconnectWindow = options.reconnectWindow ?? source.defaultReconnectWindow
        settings.keepAlive = options.keepAlive
        settings.livePlaylists = kind == .live
        let ingest = Ingest(source: source, settings: settings, feed: feed, slate: slate, control: control, logger: logger)

        for worker in workers { worker.start() }
        let watchdog = Watchdog(workers: workers, timeout: options.stallTimeout ?? 3 * config.segmentDuration)
        defer { watchdog.stop() }
        var ingestError: Error?
        do {
            try ingest.run(first: input)
        } catch {
            ingestError = error
            for worker in workers { worker.queue.close(discardPending: !(error is LiveLadderError)) }
        }
        for worker in workers { worker.join() }

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
            throw LiveLadderError(.processing, "reading \(input.url) failed: \(ingestError)")
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
        let seconds = Double(counters.videoFrames) * Double(frameTicks) / 90_000
        if control.stopReason == .signal, kind == .vod, !ingest.reachedEnd {
            // A truncated VOD must not look finished to a pipeline: its playlists are complete and
            // playable, but the exit code says the input was not read to its end.
            throw LiveLadderError(.stoppedEarly, "stopped by a signal before the end of \(input.url), after \(Self.seconds(seconds)) of media (\(counters.videoFrames) frames); the output in \(options.output) is playable but ends there")
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
        return RunSummary(renditions: ladder.map { .init(name: $0.name, width: $0.width, height: $0.height) },
                          hasAudio: hasAudio, videoFrames: counters.videoFrames,
                          damagedPackets: ingest.damagedPackets + (audioChain?.skippedFrames ?? 0),
                          droppedFrames: counters.droppedFrames,
                          timestampJumps: counters.timestampJumps, slateFrames: counters.slateFrames,
                          sessions: counters.sessions + 1,
                          restarts: workers.reduce(0) { $0 + $1.restarts.count },
                          droppedUnderLoad: Dictionary(uniqueKeysWithValues: videoWorkers.map { ($0.name, $0.droppedUnderLoad) }.filter { $0.1 > 0 }))
    }

    /// "12.3 s" for messages.
    static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

    /// libx264's own default is 1.5 threads per core for one encoder that has the machine to itself. Here
    /// the renditions already run side by side, so each encoder gets that budget in proportion to its share
    /// of the ladder's pixels (at least one thread). Fewer frame threads per encoder means less duplicated
    /// work and fewer frames held in flight: measured with tools/bench.sh, about 5 % less CPU and 10 % less
    /// memory than letting every encoder size itself for the whole machine.
    static func encoderThreads(for rung: ResolvedRendition, in ladder: [ResolvedRendition]) -> Int {
        let pixels = Double(rung.width * rung.height)
        let total = ladder.reduce(0.0) { $0 + Double($1.width * $1.height) }
        let budget = 1.5 * Double(ProcessInfo.processInfo.activeProcessorCount)
        return max(1, Int((budget * pixels / max(total, 1)).rounded()))
    }

    /// What must match for a later run to continue this one's playlists: the ladder, the segmenting and the
    /// playlist type. Written into the output folder's marker.
    static func fingerprint(_ config: LadderConfig, _ ladder: [ResolvedRendition], _ kind: PlaylistKind) -> String {
        let rungs = ladder.map { "\($0.name)=\($0.width)x\($0.height)/\($0.videoBitrate)/\($0.maxBitrate)/\($0.preset)/\($0.profile)/\($0.tune ?? "-")" }
        return "\(kind.rawValue) \(config.segmentFormat.rawValue) \(config.segmentDuration)s audio=\(config.audio.bitrate)/\(config.audio.sampleRate)/\(config.audio.channels.rawValue) " + rungs.joined(separator: " ")
    }

    static func layout(_ choice: AudioChannels, source channels: Int) -> ChannelLayout {
        switch choice {
        case .mono: return .mono
        case .stereo: return .stereo
        case .keep: return channels == 1 ? .mono : channels >= 6 ? .surround51 : .stereo
        }
    }
}
