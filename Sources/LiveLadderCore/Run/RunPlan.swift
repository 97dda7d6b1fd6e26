import Foundation
import FFmpegKit
import LadderConfig

/// What a run *is*, decided before anything is opened or written: the ladder chosen for this source,
/// the timing (frame duration, segment grid, target duration), the container, how each encoder is set
/// up, how deep the queues are, what the master announces. A pure value of the config, the options and
/// what probing found, so it is tested without media (RunPlanTests); `LadderRun` assembles the pipeline
/// from it.
struct RunPlan: Sendable {
    /// What probing the input found that the plan depends on.
    struct Source: Sendable {
        var video: SourceVideo
        /// As the input declares it (nil or invalid: unknown).
        var frameRate: Rational?
        /// Audio channels, when the input has audio.
        var audioChannels: Int?
        /// A file or stdin: it ends, and (unless paced) it can wait for the pipeline.
        var isFinite: Bool
        /// Reaching the end of the input ends the stream (files, stdin, HTTP pulls).
        var endsAtEndOfInput: Bool
    }

    struct Rung: Sendable {
        let rendition: ResolvedRendition
        let settings: VideoEncoderSettings
    }

    let kind: PlaylistKind
    let format: ContainerFormat
    let segmentFormat: SegmentFormat
    let segmentDuration: Double
    let frameRate: Rational
    /// Whether the frame rate was a guess (the input did not declare a usable one).
    let frameRateAssumed: Bool
    /// One frame in output ticks (90 kHz).
    let frameTicks: Int64
    let segmentTicks: Int64
    /// LL-HLS parts: each part's length on the source timeline, in output ticks, a whole number of
    /// frames (so no video part is longer than PART-TARGET); nil without parts.
    let partTicks: Int64?
    /// `EXT-X-PART-INF:PART-TARGET`: `partTicks` in seconds, plus one AAC frame when there is audio (an
    /// audio part is cut at the first audio frame past the part boundary, so it may run that much
    /// longer), rounded up to the five decimals it is written with; one value for every rendition and
    /// the whole stream (HLS-RULES LL1).
    let partTarget: Double?
    let targetDuration: Int
    /// `--epoch-lock`: the wall-clock grid segments are numbered and timed on (docs/redundancy.md).
    let epochGrid: EpochGrid?
    let rungs: [Rung]
    /// nil when the input has no audio.
    let audio: AudioEncoderSettings?
    /// TS carries the audio in every video rendition; fMP4 has an audio rendition of its own.
    var inBandAudio: Bool { audio != nil && format == .mpegts }
    var audioRendition: Bool { audio != nil && format == .fragmentedMP4 }
    /// Input that arrives in real time (a network feed, or a file paced with --realtime): never waits for
    /// a rendition.
    let liveFeed: Bool
    /// Encoders and decoders without frame reordering delay.
    let lowDelay: Bool
    let queueCapacity: Int
    let master: [MasterPublisher.Variant]
    let audioEstimate: Int

    var ladder: [ResolvedRendition] { rungs.map(\.rendition) }
    /// The pass-through rung (docs/passthrough.md), if the ladder has one.
    var passthrough: Rung? { rungs.first { $0.rendition.passthrough } }

    init(config: LadderConfig, kind: PlaylistKind, realtime: Bool, source: Source,
         processors: Int = ProcessInfo.processInfo.activeProcessorCount, deterministic: Bool = false) throws {
        let ladder: [ResolvedRendition]
        do {
            ladder = try config.resolve(for: source.video)
        } catch {
            throw LiveLadderError(.badConfig, error.message)
        }
        self.kind = kind
        segmentFormat = config.segmentFormat
        format = config.segmentFormat == .ts ? .mpegts : .fragmentedMP4
        segmentDuration = config.segmentDuration
        if let rate = source.frameRate, rate.isValid, rate.doubleValue <= 120 {
            frameRate = rate
            frameRateAssumed = false
        } else {
            frameRate = Rational(30, 1)
            frameRateAssumed = true
        }
        frameTicks = Rational(frameRate.den, frameRate.num).rescale(1, to: .mpegClock)
        segmentTicks = Int64((config.segmentDuration * 90_000).rounded())
        if let partDuration = config.partDuration {
            guard kind != .vod else {
                throw LiveLadderError(.badConfig, "--part-duration: parts are for live and event playlists (a VOD playlist is written once, at the end)")
            }
            let frames = max(1, Int64((partDuration * 90_000 / Double(frameTicks)).rounded(.up)))
            partTicks = frames * frameTicks
        } else {
            partTicks = nil
        }
        targetDuration = max(1, Int((config.segmentDuration + Double(frameTicks) / 90_000).rounded()))
        lowDelay = !source.isFinite || realtime
        liveFeed = !source.endsAtEndOfInput || realtime
        epochGrid = try Self.epochGrid(config, kind: kind, liveFeed: liveFeed, frameRate: frameRateAssumed ? nil : frameRate,
                                       deterministic: deterministic, passthrough: ladder.contains { $0.passthrough })
        queueCapacity = liveFeed ? LadderRun.liveQueueCapacity(frameRate: frameRate.doubleValue) : LadderRun.queueCapacity

        let format = format
        let frameRate = frameRate
        let lowDelay = lowDelay
        rungs = ladder.map { rung in
            var settings = VideoEncoderSettings(
                width: rung.width, height: rung.height, frameRate: frameRate,
                bitRate: rung.videoBitrate, maxRate: rung.maxBitrate, bufferSize: rung.bufferSize,
                gopSize: Int((config.segmentDuration * frameRate.doubleValue).rounded(.up)) + 1,
                preset: rung.preset, profile: rung.profile, tune: rung.tune,
                globalHeader: format == .fragmentedMP4,
                threads: deterministic ? 1 : Self.encoderThreads(for: rung, in: ladder, processors: processors))
            settings.lowLatency = lowDelay
            if rung.passthrough {
                // The encoder a live pass-through rung falls back to: no B-frames, so its DTS go on from
                // the copied stream's in the same muxer (docs/passthrough.md).
                settings.tune = "zerolatency"
            }
            // Parts are only as early as the encoder lets pictures out: B-frames and the rate-control
            // lookahead hold a dozen frames (about 0.4 s at 30 fps) before the first packet. With parts,
            // x264's zerolatency tune, unless the rung names a tune of its own.
            if config.partDuration != nil, settings.tune == nil { settings.tune = "zerolatency" }
            return Rung(rendition: rung, settings: settings)
        }
        audio = source.audioChannels.map { channels in
            AudioEncoderSettings(sampleRate: config.audio.sampleRate, channels: Self.layout(config.audio.channels, source: channels),
                                 bitRate: config.audio.bitrate, globalHeader: true)
        }
        if let partTicks {
            let audioFrame = audio.map { Int64((1024 * 90_000 / Double($0.sampleRate)).rounded(.up)) } ?? 0
            partTarget = (Double(partTicks + audioFrame) / 90_000 * 100_000).rounded(.up) / 100_000
        } else {
            partTarget = nil
        }
        // What the master announces before anything is measured: rate control's promise, plus in-band
        // audio, plus container overhead.
        let overhead = format == .mpegts ? 1.10 : 1.05
        audioEstimate = Int(Double(config.audio.bitrate) * overhead)
        let inBand = audio != nil && format == .mpegts ? audioEstimate : 0
        master = ladder.map { rung in
            MasterPublisher.Variant(name: rung.name, width: rung.width, height: rung.height, frameRate: frameRate.doubleValue,
                                    estimatedPeak: Int(Double(rung.maxBitrate) * overhead) + inBand,
                                    estimatedAverage: Int(Double(rung.videoBitrate) * overhead) + inBand,
                                    followsMeasurement: rung.passthrough)
        }
    }

    /// The epoch-locked grid, or why this run cannot be locked: it needs a live input (frames that arrive on
    /// the wall clock), a known frame rate, and a segment that is a whole number of frames.
    static func epochGrid(_ config: LadderConfig, kind: PlaylistKind, liveFeed: Bool, frameRate: Rational?,
                          deterministic: Bool, passthrough: Bool = false) throws -> EpochGrid? {
        guard config.epochLock else { return nil }
        func refuse(_ why: String) -> LiveLadderError { LiveLadderError(.badConfig, "epoch lock: \(why)") }
        guard !passthrough else {
            throw refuse("cannot be combined with a pass-through rung yet (its segments start at the source's keyframes, not on the wall-clock grid); encode every rung, or drop epochLock")
        }
        guard !deterministic else { throw refuse("cannot be combined with --deterministic (whose timeline is a fixed clock, not the wall clock)") }
        guard liveFeed, kind != .vod else {
            throw refuse("needs a live input whose frames arrive on the wall clock (a network feed, or a file with --realtime) and a live or event playlist")
        }
        guard let frameRate else { throw refuse("the input does not declare its frame rate, so no instance can know where its frames fall on the grid") }
        do {
            return try EpochGrid(epochMilliseconds: config.epochMilliseconds ?? 0, num: Int64(frameRate.num), den: Int64(frameRate.den),
                                 segmentDuration: config.segmentDuration)
        } catch {
            throw refuse(error.description)
        }
    }

    /// The renditions as configured, for `ladder.resolved` and `/v1/status`.
    var plans: [RenditionPlan] {
        rungs.map { RenditionPlan(name: $0.rendition.name, width: $0.rendition.width, height: $0.rendition.height,
                                  videoBitrate: $0.rendition.videoBitrate, maxBitrate: $0.rendition.maxBitrate,
                                  preset: $0.rendition.preset, audioBitrate: inBandAudio ? audio?.bitRate : nil) }
            + (audioRendition ? [RenditionPlan(name: MasterPublisher.audioName, audioBitrate: audio?.bitRate)] : [])
    }

    /// A deterministic run gives every encoder one thread: libx264's frame threads with VBV rate control
    /// depend on timing (two runs of the same input differed in 336 of 360 frame hashes with 2 threads,
    /// none with 1 or with sliced threads). The renditions still run in parallel with each other.
    ///
    /// libx264's own default is 1.5 threads per core for one encoder that has the machine to itself. Here
    /// the renditions already run side by side, so each encoder gets that budget in proportion to its share
    /// of the ladder's pixels (at least one thread). Fewer frame threads per encoder means less duplicated
    /// work and fewer frames held in flight: measured with tools/bench.sh, about 5 % less CPU and 10 % less
    /// memory than letting every encoder size itself for the whole machine.
    /// A pass-through rung encodes nothing while it copies: the others share the budget without it (it
    /// gets its own share only for a fallback).
    static func encoderThreads(for rung: ResolvedRendition, in ladder: [ResolvedRendition], processors: Int) -> Int {
        let pixels = Double(rung.width * rung.height)
        let total = ladder.filter { !$0.passthrough || $0 == rung }.reduce(0.0) { $0 + Double($1.width * $1.height) }
        let budget = 1.5 * Double(processors)
        return max(1, Int((budget * pixels / max(total, 1)).rounded()))
    }

    static func layout(_ choice: AudioChannels, source channels: Int) -> ChannelLayout {
        switch choice {
        case .mono: return .mono
        case .stereo: return .stereo
        case .keep: return channels == 1 ? .mono : channels >= 6 ? .surround51 : .stereo
        }
    }
}
