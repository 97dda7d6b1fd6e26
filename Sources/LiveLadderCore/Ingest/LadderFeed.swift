import Foundation
import FFmpegKit

/// The fan-out: places every decoded frame on one continuous output timeline and on the segment grid,
/// and hands references to every rendition's queue. Ingest and the slate generator both feed it, so its
/// state sits behind one lock.
///
/// The output timeline never goes back, whatever the input does. Each stream maps input time to output
/// time with an offset; a backward jump (a wrap, a publisher restarting at 0) or a forward jump beyond
/// `maximumGap` moves the offset so the stream simply continues. A new publisher session after a loss
/// (`startSession(.afterBreak)`) also continues the timeline, but restarts the grid there and marks the
/// first segment with a discontinuity, at the same sequence number in every rendition.
///
/// `@unchecked Sendable`: every stored property is touched only while holding `lock`.
final class LadderFeed: @unchecked Sendable {
    enum SessionStart: Sendable {
        /// The very first frame of the run.
        case first
        /// The same stream again (a looped file): timeline and grid simply go on.
        case continuous
        /// A new session after the input was lost: a discontinuity, and a fresh grid.
        case afterBreak
    }

    struct Counters: Sendable {
        var videoFrames = 0
        var audioPackets = 0
        var slateFrames = 0
        /// Frames dropped for a repeated or missing first timestamp.
        var droppedFrames = 0
        /// Input timestamps that jumped (back, or forward past `maximumGap`) and were stitched over.
        var timestampJumps = 0
        /// Pictures repeated to fill holes shorter than `maximumGap`.
        var repeatedFrames = 0
        var sessions = 0
    }

    private let lock = NSLock()
    private var clock: SegmentClock
    let frameTicks: Int64
    private let origin: Int64
    private let maximumGap: Int64
    private let videoWorkers: [RenditionWorker]
    private let audioWorkers: [RenditionWorker]
    private let boundaryWorkers: [RenditionWorker]
    private let audio: AudioChain?

    private var pendingStart: SessionStart? = .first
    private var videoOffset: Int64 = 0
    private var audioOffset: Int64 = 0
    private var lastVideoPTS: Int64?
    /// Where pictures go: the slots of the source's frame rate from the session's first picture.
    private var grid: FrameGrid
    private var expectedAudio: Int64?
    private var sessionClock = SessionClock()
    /// `run --deterministic`: PROGRAM-DATE-TIME from this date at the timeline's origin, not the wall clock.
    private let fixedClock: Date?
    private var lastArrival: Date?
    private var audioWaitingForVideo: [(frame: Frame, ticks: Int64?, duration: Int64)] = []
    private var slateSampleRemainder: Int64 = 0
    private var counters = Counters()
    /// The size of the last real picture: the slate is made to match it.
    private(set) var lastPictureSize: (width: Int, height: Int)?
    /// The last real picture, repeated to fill small holes in the input.
    private var lastPicture: Frame?

    private let registry: SegmentRegistry
    /// A live input never waits for a rendition: frames and packets are offered, not put.
    private let live: Bool
    /// This run continues a previous one's playlists: its first segment follows a discontinuity.
    private let resumed: Bool
    /// The pass-through rung's packets and clock rule (docs/passthrough.md), when the ladder has one.
    let passthrough: PassthroughRelay?

    init(clock: SegmentClock, frameTicks: Int64, frameRate: (num: Int64, den: Int64), audio: AudioChain?,
         videoWorkers: [RenditionWorker], audioWorkers: [RenditionWorker], boundaryWorkers: [RenditionWorker],
         registry: SegmentRegistry, live: Bool, resumed: Bool = false, fixedClock: Date? = nil,
         passthrough: PassthroughRelay? = nil) {
        self.fixedClock = fixedClock
        if let fixedClock { sessionClock = SessionClock(fixed: fixedClock, at: clock.origin) }
        self.grid = FrameGrid(num: frameRate.num, den: frameRate.den, anchor: clock.origin)
        self.registry = registry
        self.live = live
        self.resumed = resumed
        self.clock = clock
        self.origin = clock.origin
        self.frameTicks = frameTicks
        self.maximumGap = max(90_000, 4 * frameTicks)
        self.audio = audio
        self.videoWorkers = videoWorkers
        self.audioWorkers = audioWorkers
        self.boundaryWorkers = boundaryWorkers
        self.passthrough = passthrough
        if passthrough != nil { self.clock.keyframeAligned = true }
    }

    var allWorkers: [RenditionWorker] { videoWorkers + audioWorkers.filter { w in !videoWorkers.contains { $0 === w } } }

    var snapshot: Counters { lock.withLock { counters } }
    /// The last real picture, for the slate to freeze on.
    var freezeFrame: Frame? { lock.withLock { lastPicture } }
    /// Seconds since the last real picture arrived (how late a slate that starts now is).
    var secondsSinceLastArrival: Double { lock.withLock { lastArrival.map { -$0.timeIntervalSinceNow } ?? 0 } }
    var hasVideo: Bool { lock.withLock { lastVideoPTS != nil } }

    /// The next frame begins a new session of the input.
    func startSession(_ start: SessionStart) {
        lock.withLock {
            pendingStart = lastVideoPTS == nil ? .first : start
            counters.sessions += 1
        }
    }

    /// A decoded picture whose timestamp is `inputTicks` (90 kHz, input clock), or nil if it had none,
    /// read from the input at `arrival` (before decoding; now if unknown).
    func video(_ frame: Frame, inputTicks rawTicks: Int64?, arrival: Date? = nil) throws {
        let inputTicks = Self.sane(rawTicks)
        try lock.withLock {
            let now = arrival ?? Date()
            let pts: Int64
            var discontinuity = false
            if let start = pendingStart {
                guard let inputTicks else { counters.droppedFrames += 1; return }
                pts = lastVideoPTS.map { _ in grid.next } ?? origin
                grid.restart(at: pts)
                videoOffset = pts - inputTicks
                audioOffset = videoOffset
                expectedAudio = nil
                audio?.rebase()
                if start != .continuous {
                    sessionClock = fixedClock.map { SessionClock(fixed: $0, at: origin) }
                        ?? SessionClock(notBefore: lastVideoPTS.map { (pts, sessionClock.date(for: $0 + frameTicks)) })
                    clock.restart(at: pts)
                    discontinuity = start == .afterBreak || (start == .first && resumed)
                }
                pendingStart = nil
            } else if let last = lastVideoPTS {
                var candidate = inputTicks.map { $0 + videoOffset } ?? grid.next
                if candidate <= last && last - candidate < 2 * frameTicks {
                    // A repeated timestamp, not a jump: the frame adds nothing to the timeline.
                    counters.droppedFrames += 1
                    return
                }
                if candidate <= last || candidate - last > maximumGap {
                    videoOffset += grid.next - candidate
                    candidate = grid.next
                    counters.timestampJumps += 1
                }
                // The picture's slot on the frame grid; a coarse source clock (FLV's milliseconds) lands
                // within half a frame of it.
                let slot = grid.nearestSlot(candidate)
                guard slot > grid.index else {
                    // Two pictures in one slot: the source runs faster than its frame rate here.
                    counters.droppedFrames += 1
                    return
                }
                if slot > grid.index + 1, let previous = lastPicture {
                    // Frames missing (damage skipped, a publisher that dropped some): repeat the last picture
                    // so the timeline has no hole and audio stays in sync.
                    for missing in (grid.index + 1)..<slot {
                        try emitVideo(previous, pts: grid.pts(missing), discontinuity: false, arrival: now)
                        grid.place(at: missing)
                        counters.repeatedFrames += 1
                    }
                }
                grid.place(at: slot)
                pts = grid.pts(slot)
            } else {
                return
            }
            lastPictureSize = (frame.width, frame.height)
            lastPicture = frame
            try emitVideo(frame, pts: pts, discontinuity: discontinuity, arrival: now,
                          source: inputTicks.map { (ticks: $0, keyframe: frame.wasKeyframe) })
            counters.videoFrames += 1
            if !audioWaitingForVideo.isEmpty {
                let waiting = audioWaitingForVideo
                audioWaitingForVideo = []
                for item in waiting { try placeAudio(item.frame, inputTicks: item.ticks, duration: item.duration) }
            }
        }
    }

    /// A decoded audio frame whose start is `inputTicks` (90 kHz, input clock), lasting `duration` ticks.
    func audio(_ frame: Frame, inputTicks: Int64?, duration: Int64) throws {
        try lock.withLock {
            if pendingStart != nil || lastVideoPTS == nil {
                // The session's zero is its first video frame; hold the audio until it is known.
                audioWaitingForVideo.append((frame, inputTicks, duration))
                if audioWaitingForVideo.count > 500 { audioWaitingForVideo.removeFirst() }
                return
            }
            try placeAudio(frame, inputTicks: inputTicks, duration: duration)
        }
    }

    /// One slate picture (and its share of silence), one frame after the last.
    func slate(_ picture: Frame) throws {
        try lock.withLock {
            guard lastVideoPTS != nil else { return }
            grid.place(at: grid.index + 1)
            try emitVideo(picture, pts: grid.pts(grid.index), discontinuity: false, arrival: Date())
            counters.slateFrames += 1
            if let audio {
                let total = (grid.pts(grid.index) - grid.pts(grid.index - 1)) * Int64(audio.sampleRate) + slateSampleRemainder
                slateSampleRemainder = total % 90_000
                try distribute(audio.pushSilence(total / 90_000))
            }
        }
    }

    /// The input was lost: every rendition closes its segment in progress, cleanly, at the end of the last
    /// frame. The next frame starts a new session.
    func endSession() throws {
        try lock.withLock {
            guard lastVideoPTS != nil else { return }
            let videoEnd = grid.next
            registry.end(at: videoEnd)
            if let audio {
                try distribute(audio.endSession(videoEndSamples: samples(videoEnd, audio)))
            }
            for worker in allWorkers { worker.queue.put(.sessionEnd(videoEnd: videoEnd, inputEnd: lastArrival)) }
            pendingStart = .afterBreak
            audioWaitingForVideo = []
        }
    }

    /// End of the stream: audio padded to the video's end, every rendition finishes, queues close.
    func finish() throws {
        try lock.withLock {
            let videoEnd = lastVideoPTS == nil ? origin + frameTicks : grid.next
            registry.end(at: videoEnd)
            if let audio {
                try distribute(audio.finish(videoEndSamples: samples(videoEnd, audio)))
            }
            for worker in allWorkers { worker.queue.put(.end(videoEnd: videoEnd, inputEnd: lastArrival)) }
            for worker in allWorkers { worker.queue.close() }
        }
    }

    // MARK: - Caller holds `lock`

    /// `source`: a real picture's input PTS and whether it was a keyframe in the source (repeated and
    /// slate pictures have none).
    private func emitVideo(_ frame: Frame, pts: Int64, discontinuity: Bool, arrival: Date,
                           source: (ticks: Int64, keyframe: Bool)? = nil) throws {
        // Pass-through: the picture that ends it starts a segment, after a discontinuity (docs/passthrough.md).
        let fallback = passthrough?.givesUp(&clock, pts: pts, frameTicks: frameTicks, source: source) ?? false
        let placement = clock.place(pts: pts, frameTicks: frameTicks, sourceKeyframe: source?.keyframe ?? false)
        let boundary = placement.startsSegment
            ? SegmentBoundary(number: placement.segmentNumber, pts: pts, nextGridTime: clock.nextGridTime,
                              discontinuity: discontinuity || fallback,
                              clock: sessionClock,
                              previousSegmentInputEnd: lastArrival,
                              copiesSource: passthrough?.isCopying ?? false)
            : nil
        if let boundary { registry.begin(boundary) }
        for worker in videoWorkers {
            hand(.video(try frame.reference(), pts: pts, boundary: boundary), to: worker)
        }
        if let passthrough {
            if fallback, let boundary { passthrough.announceFallback(at: boundary, segmentTicks: clock.segmentTicks) }
            if let worker = passthrough.worker {
                for packet in passthrough.mapped(inputTicks: source?.ticks, pts: pts) { hand(.copied(packet), to: worker) }
            }
        }
        if let boundary {
            for worker in boundaryWorkers { hand(.boundary(boundary), to: worker) }
        }
        sessionClock.observe(pts: pts, at: arrival)
        lastVideoPTS = pts
        lastArrival = arrival
    }

    private func placeAudio(_ frame: Frame, inputTicks: Int64?, duration: Int64) throws {
        guard let audio else { return }
        var start = Self.sane(inputTicks).map { $0 + audioOffset } ?? expectedAudio
        if expectedAudio == nil, let candidate = start, let video = lastVideoPTS, abs(candidate - video) > maximumGap {
            // The session's first audio is nowhere near its video (a damaged or bogus timestamp): start it
            // with the picture rather than fill the difference with silence or drop it all.
            audioOffset += video - candidate
            start = video
            counters.timestampJumps += 1
        }
        if let expected = expectedAudio, let candidate = start, abs(candidate - expected) > maximumGap {
            // The audio clock jumped on its own: stitch it on where it should continue.
            audioOffset += expected - candidate
            start = expected
            counters.timestampJumps += 1
        }
        expectedAudio = start.map { $0 + duration }
        try distribute(audio.push(frame, samplesFromVideoStart: start.map { samples($0, audio) }))
    }

    /// Media goes to a rendition's queue: waiting for room with a file input, never with a live one.
    private func hand(_ item: RenditionItem, to worker: RenditionWorker) {
        if live { worker.offer(item) } else { worker.queue.put(item) }
    }

    /// An input timestamp LiveLadder can do arithmetic on: within ±2^40 ticks (127 days at 90 kHz), so
    /// offsets, differences and sample counts (× 48,000) never overflow. A timestamp past that is damage,
    /// and treated as none (the frame continues the timeline).
    static func sane(_ ticks: Int64?) -> Int64? {
        guard let ticks, abs(ticks) <= 1 << 40 else { return nil }
        return ticks
    }

    private func samples(_ ticks: Int64, _ audio: AudioChain) -> Int64 {
        (ticks - origin) * Int64(audio.sampleRate) / 90_000
    }

    private func distribute(_ packets: [Packet]) throws {
        for packet in packets {
            counters.audioPackets += 1
            for worker in audioWorkers { hand(.audio(try packet.reference()), to: worker) }
        }
    }
}
