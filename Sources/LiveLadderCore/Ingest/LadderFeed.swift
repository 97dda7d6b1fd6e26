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
    /// `--epoch-lock`: the output timeline is the wall clock since the epoch, and segment numbers are
    /// grid indices (docs/redundancy.md). nil: the timeline starts at `origin` and numbers count up.
    private let epoch: EpochLock?
    /// Epoch lock: the session's mapping being measured, then frozen; the segment it starts at.
    private var mapping = SessionMapping()
    private var sessionOffset: Int64?
    private var epochStartSegment: Int64?
    /// The number of the last segment begun.
    private var lastSegment: Int?
    /// The next boundary follows GAP entries the feed filled in (`beginEpochSession`).
    private var nextFollowsFill = false
    /// Epoch lock: the session's first picture. AAC the encoder still held from before the hole (its
    /// last frames come out with the next session's first) ends before it, belongs to no segment, and is
    /// not handed out.
    private var audioFloor: Int64?

    /// The pass-through rung's packets and clock rule (docs/passthrough.md), when the ladder has one.
    let passthrough: PassthroughRelay?

    init(clock: SegmentClock, frameTicks: Int64, frameRate: (num: Int64, den: Int64), audio: AudioChain?,
         videoWorkers: [RenditionWorker], audioWorkers: [RenditionWorker], boundaryWorkers: [RenditionWorker],
         registry: SegmentRegistry, live: Bool, resumed: Bool = false, fixedClock: Date? = nil, epoch: EpochLock? = nil,
         passthrough: PassthroughRelay? = nil) {
        self.fixedClock = fixedClock
        self.epoch = epoch
        if let fixedClock { sessionClock = SessionClock(fixed: fixedClock, at: clock.origin) }
        // Epoch lock: output ticks count from the epoch, and PROGRAM-DATE-TIME is T0 plus them.
        if let epoch { sessionClock = SessionClock(fixed: epoch.epochDate, at: 0) }
        self.grid = FrameGrid(num: frameRate.num, den: frameRate.den, anchor: clock.origin)
        self.registry = registry
        self.live = live
        self.resumed = resumed
        self.clock = clock
        self.origin = epoch == nil ? clock.origin : 0
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
    func startSession(_ start: SessionStart) throws {
        try lock.withLock {
            counters.sessions += 1
            guard epoch == nil else {
                // Epoch lock: every new input session (a looped file, a publisher back after the slate) is
                // mapped to the wall clock afresh, so it starts after a discontinuity at a later grid line
                // (and what the lost session's frames said about the mapping is forgotten, even when none
                // of them was output). What ran before it (the slate) ends where its last frame does.
                if lastVideoPTS != nil && pendingStart == nil { try endSessionLocked() }
                beginMapping(lastVideoPTS == nil ? .first : .afterBreak)
                return
            }
            pendingStart = lastVideoPTS == nil ? .first : start
        }
    }

    /// Epoch lock: the next frames are measured against the wall clock before the session starts.
    private func beginMapping(_ start: SessionStart) {
        pendingStart = start
        mapping = SessionMapping()
        sessionOffset = nil
        epochStartSegment = nil
    }

    /// A decoded picture whose timestamp is `inputTicks` (90 kHz, input clock), or nil if it had none,
    /// read from the input at `arrival` (before decoding; now if unknown).
    func video(_ frame: Frame, inputTicks rawTicks: Int64?, arrival: Date? = nil) throws {
        let inputTicks = Self.sane(rawTicks)
        try lock.withLock { try placeVideo(frame, inputTicks: inputTicks, now: arrival ?? Date()) }
    }

    /// `video`, with `lock` held.
    private func placeVideo(_ frame: Frame, inputTicks: Int64?, now: Date) throws {
        let pts: Int64
        var discontinuity = false
        if let start = pendingStart, let epoch {
            guard let inputTicks else { counters.droppedFrames += 1; return }
            guard let first = epochFirstFrame(inputTicks: inputTicks, arrival: now, epoch: epoch) else { return }
            pts = first.pts
            discontinuity = try beginEpochSession(start, epoch: epoch, first: first)
            pendingStart = nil
        } else if let start = pendingStart {
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
                if epoch != nil {
                    // Epoch lock: stitching over the jump would move the timeline off the wall clock.
                    // The input's clock broke, so this is a new session: mapped afresh, after a
                    // discontinuity, at a later grid line.
                    counters.timestampJumps += 1
                    try endSessionLocked()
                    beginMapping(.afterBreak)
                    return try placeVideo(frame, inputTicks: inputTicks, now: now)
                }
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
            // Epoch lock: nothing goes on the old session's grid once a new session is being mapped.
            guard lastVideoPTS != nil, epoch == nil || pendingStart == nil else { return }
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
            try endSessionLocked()
            if epoch != nil { beginMapping(.afterBreak) }
        }
    }

    /// `endSession`, with `lock` held.
    private func endSessionLocked() throws {
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
        let placement: SegmentClock.Placement
        let nextGridTime: Int64
        var fallback = false
        if let epoch {
            // Epoch lock: the segment is the grid index of the frame's wall-clock slot.
            let segment = epoch.grid.segment(ofFrame: epoch.grid.nearestFrame(toTicks: pts))
            placement = SegmentClock.Placement(segmentNumber: Int(segment), startsSegment: lastSegment.map { Int(segment) > $0 } ?? true)
            nextGridTime = epoch.grid.startTicks(ofSegment: segment + 1)
        } else {
            // Pass-through: the picture that ends it starts a segment, after a discontinuity (docs/passthrough.md).
            fallback = passthrough?.givesUp(&clock, pts: pts, frameTicks: frameTicks, source: source) ?? false
            placement = clock.place(pts: pts, frameTicks: frameTicks, sourceKeyframe: source?.keyframe ?? false)
            nextGridTime = clock.nextGridTime
        }
        if placement.startsSegment { lastSegment = placement.segmentNumber }
        var boundary = placement.startsSegment
            ? SegmentBoundary(number: placement.segmentNumber, pts: pts, nextGridTime: nextGridTime,
                              discontinuity: discontinuity || fallback,
                              clock: sessionClock,
                              previousSegmentInputEnd: lastArrival,
                              copiesSource: passthrough?.isCopying ?? false)
            : nil
        if boundary != nil {
            boundary?.followsFill = nextFollowsFill
            nextFollowsFill = false
        }
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
        // Split so an epoch-locked timeline (10^14 ticks since 1970) times 48,000 cannot overflow.
        let (seconds, rest) = (ticks - origin).quotientAndRemainder(dividingBy: 90_000)
        return seconds * Int64(audio.sampleRate) + rest * Int64(audio.sampleRate) / 90_000
    }

    // MARK: - Epoch lock (caller holds `lock`)

    /// A frame of a session that has not started: the session's mapping to the wall clock is measured
    /// (frames dropped meanwhile), then frames are dropped until the grid line the session starts at, the
    /// next one after the mapped frame (never one already used, nor one before a resumed run's end).
    private func epochFirstFrame(inputTicks: Int64, arrival: Date, epoch: EpochLock) -> (pts: Int64, segment: Int64, slot: Int64)? {
        let wall = epoch.grid
        if sessionOffset == nil {
            guard let offset = mapping.observe(mediaTicks: inputTicks, arrivalTicks: wall.ticks(atWallClock: arrival.timeIntervalSince1970)) else {
                return nil
            }
            sessionOffset = offset
            if lastSegment == nil && !resumed { registry.discontinuityBase = SessionMapping.discontinuityBase(offset: offset) }
            epoch.record(offset)
        }
        guard let offset = sessionOffset, inputTicks + offset >= 0 else { return nil }
        let frame = wall.nearestFrame(toTicks: inputTicks + offset)
        let segment = epochStartSegment ?? max(wall.firstSegment(atOrAfterFrame: frame),
                                               Int64(lastSegment.map { $0 + 1 } ?? 0), epoch.notBefore ?? 0)
        epochStartSegment = segment
        let firstFrame = segment * wall.framesPerSegment
        guard frame >= firstFrame else { return nil }
        return (wall.ticks(ofFrame: frame), segment, frame - firstFrame)
    }

    /// The session's first frame is here: its timeline is the mapping's, and the segments between the
    /// previous one and this session's first (an outage, the downtime of a crashed process) are GAP
    /// entries on the grid. Returns whether the first segment carries the discontinuity.
    private func beginEpochSession(_ start: SessionStart, epoch: EpochLock, first: (pts: Int64, segment: Int64, slot: Int64)) throws -> Bool {
        grid.restart(at: epoch.grid.startTicks(ofSegment: first.segment))
        grid.place(at: first.slot)
        videoOffset = sessionOffset ?? 0
        audioOffset = videoOffset
        expectedAudio = nil
        audioFloor = first.pts
        if let audio { try distribute(audio.rebase(skippingTo: samples(first.pts, audio))) }
        // The audio held while the session was mapped and its grid line awaited is older than its first
        // picture: it would only be trimmed, or (seconds before it) taken for a jump of the audio clock.
        let offset = videoOffset
        audioWaitingForVideo.removeAll { item in item.ticks.map { $0 + offset + item.duration <= first.pts } ?? false }
        // A process that resumes the same input session (the same mapping) goes on without a break, as the
        // other instance's output does; any other new session follows a discontinuity.
        let breaks = start != .first || (resumed && epoch.resumedSession != sessionOffset)
        let previous = lastSegment.map(Int64.init) ?? epoch.notBefore.map { $0 - 1 }
        guard let previous, previous + 1 < first.segment else { return breaks }
        registry.fill(from: Int(previous + 1), to: Int(first.segment - 1), discontinuity: breaks, clock: sessionClock, grid: epoch.grid)
        nextFollowsFill = true
        return false
    }

    private func distribute(_ packets: [Packet]) throws {
        for packet in packets {
            if let floor = audioFloor, (packet.pts ?? .max) + packet.duration <= floor { continue }
            counters.audioPackets += 1
            for worker in audioWorkers { hand(.audio(try packet.reference()), to: worker) }
        }
    }
}
