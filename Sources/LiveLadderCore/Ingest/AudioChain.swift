import FFmpegKit

/// Audio is decoded once, resampled once and encoded to AAC-LC once; every rendition gets references to
/// the same packets. The chain keeps the audio sample-aligned to the video timeline: audio before the
/// first video frame is trimmed, a late start or a hole is filled with silence, so audio and video start
/// together in every segment (rule S3).
final class AudioChain {
    let encoder: Encoder
    private let resampler: AudioResampler
    private let outputTimeBase: Rational
    /// Output ticks (90 kHz) of sample 0: the video's first frame.
    private let origin: Int64
    /// Whether any audio has gone in yet.
    private var started = false
    /// Gaps or overlaps smaller than this are resampler jitter, not holes.
    private let tolerance: Int64

    init(settings: AudioEncoderSettings, origin: Int64) throws {
        encoder = try Encoder(audio: settings)
        resampler = try AudioResampler(sampleRate: settings.sampleRate, layout: settings.channels, frameSize: encoder.frameSize)
        outputTimeBase = Rational(1, Int32(settings.sampleRate))
        self.origin = origin
        tolerance = Int64(encoder.frameSize)
    }

    var channelCount: Int { encoder.channelCount }
    var sampleRate: Int { encoder.sampleRate }

    /// Samples written into the resampler's output so far (handed out or still buffered).
    private var samplesWritten: Int64 { resampler.samplesOut + Int64(resampler.bufferedSamples) }

    /// Feeds one decoded frame whose start is `offset` output-rate samples after the first video frame.
    /// Returns the AAC packets that became ready, timestamps in 90 kHz output ticks.
    func push(_ frame: Frame, samplesFromVideoStart offset: Int64?) throws -> [Packet] {
        if let offset {
            let drift = offset - samplesWritten
            if !started || drift > tolerance {
                // A late start or a hole: silence up to where this frame belongs.
                try resampler.pushSilence(Int(max(drift, 0)))
            }
            guard convertible(frame) else { return try encodeReady(flush: false) }
            if drift < 0 && !started {
                // Audio that starts before the video: drop the part before the first frame.
                resampler.discard(Int(min(-drift, Int64(resampler.bufferedSamples))))
            }
        } else {
            guard convertible(frame) else { return [] }
        }
        started = true
        return try encodeReady(flush: false)
    }

    /// Decoded frames libswresample refused (a layout it cannot convert, a rate of 0): skipped, counted.
    /// Frames the resampler refused; read by the progress sampler from another thread.
    let skipped = SharedCount()
    var skippedFrames: Int { skipped.value }

    /// Converts `frame` into the resampler; one it refuses is skipped and counted, and the hole it leaves
    /// is filled with silence by the next frame's placement, so one bad frame never stops the run.
    private func convertible(_ frame: Frame) -> Bool {
        do {
            try resampler.push(frame)
            return true
        } catch {
            skipped.add()
            return false
        }
    }

    /// The input broke (a publisher left, a file looped): the next decoded frame is placed afresh, trimming
    /// or padding to where it belongs, as at the very start.
    func rebase() { started = false }

    /// Epoch lock: the next session's video starts at sample `videoStart`, maybe long after the previous
    /// session's end (or, at the run's start, about 10^14 samples after the epoch). Its first audio frame
    /// is placed as `rebase()` places it, but the whole frames of the hole before `videoStart` are skipped,
    /// not encoded: the output's AAC frames stay on the epoch's grid of 1,024 samples, the same in every
    /// instance, and no burst of silence floods the renditions' queues.
    ///
    /// Returns the packets of the previous session's last frames, completed with silence: they go out now,
    /// ahead of the new session's first picture, so they stay with the session they belong to.
    func rebase(skippingTo videoStart: Int64) throws -> [Packet] {
        started = false
        return try skipHole(to: videoStart)
    }

    /// Skips the whole frames before `target` (where the session's video starts); returns the packets of
    /// the frames it completed first. Audio of the new session from before `target` is then trimmed as at
    /// the very start (`push`).
    private func skipHole(to target: Int64) throws -> [Packet] {
        let frame = Int64(resampler.frameSize)
        var packets = try encodeReady(flush: false)
        // The partial frame left from the previous session is completed with silence and handed out.
        let partial = Int64(resampler.bufferedSamples) % frame
        if partial != 0 {
            try resampler.pushSilence(Int(frame - partial))
            packets += try encodeReady(flush: false)
        }
        // Up to the first frame boundary at or after the video's start: with the encoder's priming frame
        // before it, the audio then starts within one frame of the picture (rule S3).
        if resampler.bufferedSamples == 0, target > samplesWritten {
            resampler.skip((target - samplesWritten + frame - 1) / frame * frame)
        }
        return packets
    }

    /// Silence for `count` samples (the slate, or a hole): the packets that became ready.
    func pushSilence(_ count: Int64) throws -> [Packet] {
        try resampler.pushSilence(Int(count))
        started = true
        return try encodeReady(flush: false)
    }

    /// The input was lost: audio up to `videoEndSamples` must reach the segments being closed. The encoder
    /// holds one frame back and the FIFO hands out whole frames, so two frames of silence push the last
    /// real samples out. It stays running; the next session's first frame trims the overlap (`rebase`).
    func endSession(videoEndSamples: Int64) throws -> [Packet] {
        let target = videoEndSamples + 2 * Int64(resampler.frameSize)
        if target > samplesWritten { try resampler.pushSilence(Int(target - samplesWritten)) }
        rebase()
        return try encodeReady(flush: false)
    }

    /// Pads with silence up to `videoEndSamples`, then drains the encoder.
    func finish(videoEndSamples: Int64?) throws -> [Packet] {
        if let end = videoEndSamples {
            if end > samplesWritten { try resampler.pushSilence(Int(end - samplesWritten)) }
            // Audio that outlasts the video ends with it (what was already encoded cannot be taken back).
            resampler.endLimit = end
        }
        var packets = try encodeReady(flush: true)
        try encoder.send(nil)
        packets += try convert(encoder.drain())
        return packets
    }

    private func encodeReady(flush: Bool) throws -> [Packet] {
        var packets: [Packet] = []
        while let frame = try resampler.pop(flush: flush) {
            try encoder.send(frame)
            packets += try convert(encoder.drain())
        }
        return packets
    }

    /// Encoder time base (1/sample rate) → output ticks, shifted to the origin.
    private func convert(_ packets: [Packet]) -> [Packet] {
        for packet in packets {
            packet.rescale(from: encoder.timeBase, to: .mpegClock)
            packet.pts = packet.pts.map { $0 + origin }
            packet.dts = packet.dts.map { $0 + origin }
        }
        return packets
    }
}
