import Foundation
import FFmpegKit
import Logging

/// The input side of the pipeline, on the calling thread: read → decode video and audio once → the feed.
/// Runs input sessions one after another: a looped file starts a continuous session, a lost network input
/// is waited for (with the slate filling in, if asked) and starts a session after a break.
final class Ingest {
    struct Settings: Sendable {
        var realtime = false
        var loop = false
        /// A silent input is declared lost after this long.
        var inputTimeout: Double = 5
        /// How long to wait for a lost input to come back; nil waits forever.
        var reconnectWindow: Double?
        /// At the end of a finite input, leave the playlists live (no ENDLIST).
        var keepAlive = false
        /// On a graceful stop, live playlists stay live; event and VOD ones get ENDLIST.
        var livePlaylists = false
    }

    private let source: InputSource
    private let settings: Settings
    private let feed: LadderFeed
    private let slate: Slate?
    private let interrupt: InterruptGuard
    private let control: RunControl
    private let logger: Logger
    /// Packets skipped as damaged so far.
    var damagedPackets: Int { stats.reading.damagedPackets }
    /// Bytes, connection, loss and slate time, keyframe interval: for the run's progress sample.
    let stats = IngestStats()
    /// Whether the input was read to its very end (not stopped, not failed).
    private(set) var reachedEnd = false

    init(source: InputSource, settings: Settings, feed: LadderFeed, slate: Slate?, control: RunControl, logger: Logger) {
        self.source = source
        self.settings = settings
        self.feed = feed
        self.slate = slate
        self.interrupt = control.interrupt
        self.control = control
        self.logger = logger
    }

    /// SIGINT/SIGTERM (or no rendition left): the segments in progress are finished; event and VOD
    /// playlists get ENDLIST, live ones stay live and valid.
    private func stopCleanly() throws {
        if slate?.stop() == true { control.emit(.slateEnded(seconds: stats.slateEnded())) }
        if settings.livePlaylists || control.stopReason == .allRenditionsFailed {
            try feed.endSession()
            closeWithoutEnding()
        } else {
            try feed.finish()
        }
    }

    /// Reads `first` (already open) and every later session until the stream ends; throws
    /// `LiveLadderError(.inputLost)` when a lost input does not return within the reconnect window.
    ///
    /// The input is consumed: nothing here may hold a session's input past `current = nil`, since a UDP
    /// socket still bound to its port makes the reopen fail ("Address already in use") and the input
    /// could never come back.
    func run(first: consuming MediaInput) throws {
        var current: MediaInput? = consume first
        while current != nil {
            stats.sessionStarted()
            let ending = try readSession(current!)
            if control.stopReason != nil {
                stats.sessionEnded()
                try stopCleanly()
                return
            }
            if case .endOfInput = ending, source.endsAtEndOfInput {
                stats.sessionEnded()
                if settings.loop && source.kind == .file {
                    current = try InputOpener.open(source, interrupt: nil)
                    try feed.startSession(.continuous)
                    continue
                }
                if settings.keepAlive {
                    try feed.endSession()
                    closeWithoutEnding()
                } else {
                    try feed.finish()
                }
                return
            }
            if source.isFinite {
                // A file or stdin cannot come back: reopening a file would transcode it again from the
                // start. What was read is finished and kept (playable); the exit code says it is short.
                try feed.finish()
                throw LiveLadderError(.badInput, "reading \(source.kind == .stdin ? "standard input" : source.url) failed before its end: \(ending); the output holds what was read before it\(source.kind == .stdin ? " (an MP4 whose index is at its end cannot be read from a pipe: send MPEG-TS, or give the file's path)" : "")")
            }
            if source.isFinite { stats.sessionEnded() }
            // FFmpeg's messages name the URL: logs and events show it without its credentials.
            let why = "\(ending)".replacingOccurrences(of: source.url, with: source.redactedURL)
            logger.warning("input lost", metadata: ["input": "\(source.redactedURL)", "why": "\(why)"])
            stats.sessionLost()
            control.emit(.inputLost(reason: why))
            if let slate, feed.hasVideo {
                slate.start(size: feed.lastPictureSize, freeze: feed.freezeFrame, behind: feed.secondsSinceLastArrival)
                stats.slateStarted()
                control.emit(.slateStarted)
            } else {
                try feed.endSession()
            }
            // Let go of the lost connection (and its socket) before listening again.
            current = nil
            do {
                current = try waitForReturn()
            } catch {
                if control.stopReason != nil {
                    try stopCleanly()
                    return
                }
                if let slate, slate.stop() {
                    control.emit(.slateEnded(seconds: stats.slateEnded()))
                    try feed.endSession()
                }
                closeWithoutEnding()
                throw error
            }
            if let returned = current {
                control.emit(.inputRecovered(Self.describe(returned, source: source, session: feed.snapshot.sessions + 2)))
            }
            if let slate, slate.stop() {
                control.emit(.slateEnded(seconds: stats.slateEnded()))
                // The publisher's first frame follows the slate's last on the same encoders and timeline:
                // no discontinuity, nothing for a player to resynchronise on.
                logger.info("input back; slate off")
                try feed.startSession(.continuous)
                continue
            }
            try feed.startSession(.afterBreak)
        }
    }

    /// The input as a session found it, for `input.connected` and `input.recovered`; never with credentials.
    static func describe(_ input: MediaInput, source: InputSource, session: Int) -> InputDescription {
        let video = input.bestStream(.video).map { input.streams[$0] }
        let audio = input.bestStream(.audio).map { input.streams[$0] }
        let rate = input.bestStream(.video).map { input.frameRate(ofStream: $0) }
        return InputDescription(protocol: source.protocolName, url: source.redactedURL, session: session,
                                videoCodec: video?.codec, width: video?.width, height: video?.height,
                                declaredFPS: rate.flatMap { $0.isValid ? $0.doubleValue : nil }, audioCodec: audio?.codec)
    }

    enum SessionEnding: CustomStringConvertible {
        case endOfInput
        case silent(seconds: Double)
        case failed(FFmpegError)
        var description: String {
            switch self {
            case .endOfInput: return "the input ended"
            case .silent(let seconds): return "no data for \(seconds) s"
            case .failed(let error): return error.description
            }
        }
    }

    /// The live stream stops here without ENDLIST: the playlists stay as they are, valid and resumable.
    private func closeWithoutEnding() {
        for worker in feed.allWorkers { worker.queue.close() }
    }

    private func readSession(_ input: MediaInput) throws -> SessionEnding {
        guard let videoIndex = input.bestStream(.video) else {
            throw LiveLadderError(.noVideo, "input \(input.url) has no video stream; LiveLadder needs video")
        }
        let audioIndex = input.bestStream(.audio)
        let videoDecoder = try openDecoder(input, videoIndex)
        let audioDecoder = try audioIndex.map { try openDecoder(input, $0) }
        let videoTimeBase = input.timeBase(ofStream: videoIndex)
        let audioTimeBase = audioIndex.map { input.timeBase(ofStream: $0) }
        let pacer = settings.realtime ? Pacer() : nil
        var waitForKeyframe = false
        var consecutiveErrors = 0
        // When each video packet was read, by timestamp: a decoded frame's arrival is its packet's.
        var readTimes: [Int64: Date] = [:]

        let ending: SessionEnding
        reading: while true {
            interrupt.arm(seconds: source.isFinite && source.kind == .file ? nil : settings.inputTimeout)
            let packet: Packet?
            do {
                packet = try input.read()
                consecutiveErrors = 0
            } catch {
                if interrupt.isCancelled {
                    // Asked to stop: whatever the demuxer made of the interruption, the session is over.
                    ending = .endOfInput
                    break reading
                }
                if error.isInterrupted {
                    ending = interrupt.isCancelled ? .endOfInput : .silent(seconds: settings.inputTimeout)
                    break reading
                }
                // Damaged data: skip it, unless nothing but damage comes any more. Anything else (a closed
                // connection, an I/O error) ends the session.
                if error.isInvalidData {
                    consecutiveErrors += 1
                    stats.damagedPacket()
                    if consecutiveErrors < 50 { continue }
                }
                if error.isEndOfFile { reachedEnd = true }
                ending = error.isEndOfFile ? .endOfInput : .failed(error)
                break reading
            }
            guard let packet else { reachedEnd = true; ending = .endOfInput; break reading }
            stats.sessionBytes(input.bytesRead)
            if let pacer, let dts = packet.dts ?? packet.pts {
                pacer.wait(until: input.timeBase(ofStream: packet.streamIndex).rescale(dts, to: .mpegClock))
            }
            if packet.streamIndex == videoIndex {
                if packet.isKeyframe, let pts = packet.pts {
                    stats.keyframe(at: Double(videoTimeBase.rescale(pts, to: .mpegClock)) / 90_000)
                }
                if let pts = packet.pts {
                    if readTimes.count > 256 { readTimes.removeAll(keepingCapacity: true) }
                    readTimes[pts] = Date()
                }
                if packet.isCorrupt && !packet.isKeyframe {
                    // The demuxer saw damage (a continuity gap, a bad CRC). A keyframe still gets decoded: it is
                    // where decoding resumes, and a splice of two streams flags exactly that packet.
                    stats.damagedPacket()
                    waitForKeyframe = true
                    continue
                }
                if waitForKeyframe {
                    // After damage, decoding resumes at the next keyframe, not on a smeared picture.
                    guard packet.isKeyframe else { continue }
                    videoDecoder.reset()
                    waitForKeyframe = false
                }
                // Pass-through: the packet waits for its picture's output timestamp.
                feed.passthrough?.hold(packet, timeBase: videoTimeBase)
                let (frames, damaged) = try decode(packet, with: videoDecoder)
                if damaged { waitForKeyframe = true }
                for frame in frames {
                    try feedVideo(frame, videoTimeBase, arrival: (frame.bestEffortTimestamp ?? frame.pts).flatMap { readTimes.removeValue(forKey: $0) })
                }
            } else if packet.streamIndex == audioIndex, let audioDecoder, let audioTimeBase {
                let (frames, _) = try decode(packet, with: audioDecoder)
                for frame in frames { try feedAudio(frame, audioTimeBase) }
            }
        }
        // What the decoders still hold belongs to this session.
        for frame in try decode(nil, with: videoDecoder).frames { try feedVideo(frame, videoTimeBase) }
        if let audioDecoder, let audioTimeBase {
            for frame in try decode(nil, with: audioDecoder).frames { try feedAudio(frame, audioTimeBase) }
        }
        return ending
    }

    private func feedVideo(_ frame: Frame, _ timeBase: Rational, arrival: Date? = nil) throws {
        let timestamp = frame.bestEffortTimestamp ?? frame.pts
        try feed.video(frame, inputTicks: timestamp.map { timeBase.rescale($0, to: .mpegClock) }, arrival: arrival)
    }

    private func feedAudio(_ frame: Frame, _ timeBase: Rational) throws {
        let duration = frame.sampleRate > 0 ? Int64(frame.sampleCount) * 90_000 / Int64(frame.sampleRate) : 0
        try feed.audio(frame, inputTicks: frame.bestEffortTimestamp.map { timeBase.rescale($0, to: .mpegClock) },
                       duration: duration)
    }

    private func openDecoder(_ input: MediaInput, _ index: Int) throws -> Decoder {
        try Self.openDecoder(input, index, lowDelay: !source.isFinite || settings.realtime)
    }

    /// Opens the decoder of stream `index`; a codec that refuses the stream is exit 6. The run calls this
    /// once before it touches the output folder, so an input that cannot be decoded leaves nothing behind.
    static func openDecoder(_ input: MediaInput, _ index: Int, lowDelay: Bool) throws -> Decoder {
        do {
            return try Decoder(input: input, stream: index, lowDelay: lowDelay)
        } catch {
            // The codec is known but refuses this stream's configuration (e.g. an AAC object type it has
            // no decoder for): the same exit as a codec this build lacks.
            let stream = input.streams.indices.contains(index) ? "\(input.streams[index].kind.rawValue) stream \(index) (\(input.streams[index].codec))" : "stream \(index)"
            throw LiveLadderError(.unsupportedCodec, "input \(input.url): the \(stream) cannot be decoded by this FFmpeg build: \(error); remove or convert that stream")
        }
    }

    /// Sends a packet (nil: drain) and returns every frame it produced, and whether the decoder reported
    /// damage. Damaged data is counted and skipped.
    private func decode(_ packet: Packet?, with decoder: Decoder) throws -> (frames: [Frame], damaged: Bool) {
        var frames: [Frame] = []
        var damaged = false
        // Decoders report damage with many codes (INVALIDDATA, but also EPERM, EINVAL, …): any failure on
        // a packet is damage to skip, never the end of the run. Only running out of memory is fatal.
        do {
            try decoder.send(packet)
        } catch {
            if error.isOutOfMemory { throw error }
            stats.damagedPacket()
            return (frames, true)
        }
        while true {
            let output: CodecOutput<Frame>
            do {
                output = try decoder.receive()
            } catch {
                if error.isOutOfMemory { throw error }
                stats.damagedPacket()
                damaged = true
                continue
            }
            guard case .item(let frame) = output else { return (frames, damaged) }
            frames.append(frame)
        }
    }

    /// Reopens the input until it comes back or the reconnect window closes.
    private func waitForReturn() throws -> MediaInput {
        let window = settings.reconnectWindow
        let deadline = window.map { Date().addingTimeInterval($0) }
        while true {
            let remaining = deadline.map { $0.timeIntervalSinceNow }
            if let remaining, remaining <= 0 { break }
            // The window bounds the wait for a publisher. One that connects just before it closes still gets
            // time to be probed: cutting a read short mid-packet would corrupt the new session (RTMP).
            interrupt.arm(seconds: remaining)
            do {
                let input = try InputOpener.open(source, interrupt: interrupt, probeTime: max(settings.inputTimeout, 5),
                                                 refused: { [logger] in logger.warning("\($0)") })
                logger.info("input back", metadata: ["input": "\(source.redactedURL)"])
                return input
            } catch let error as LiveLadderError {
                if interrupt.isCancelled { throw error }
                if let deadline, deadline.timeIntervalSinceNow <= 0 { break }
                logger.debug("input not back yet", metadata: ["error": "\(error.message)"])
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        throw LiveLadderError(.inputLost, "input \(source.url) was lost and did not return within the \(window.map { "\(Int($0)) s" } ?? "") reconnect window; the playlists stay valid")
    }
}

/// `--realtime`: holds each packet back until its timestamp is due on the wall clock, like ffmpeg's `-re`.
final class Pacer {
    private var start: (ticks: Int64, date: Date)?

    func wait(until ticks: Int64) {
        guard let start else {
            self.start = (ticks, Date())
            return
        }
        let due = start.date.addingTimeInterval(Double(ticks - start.ticks) / 90_000)
        let delay = due.timeIntervalSinceNow
        if delay > 0 { Thread.sleep(forTimeInterval: min(delay, 1)) }
    }
}
