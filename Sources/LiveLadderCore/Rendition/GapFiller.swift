import Foundation
import FFmpegKit

/// What sits at an `EXT-X-GAP` entry's URI: a stand-in segment with the gap's own timestamps and duration,
/// black picture encoded with the rendition's own settings (so it decodes with the rendition's init segment
/// and SPS), and, where the audio is muxed in or for the audio rendition, the program's own audio of that
/// span when the rendition kept all of it (`RecentAudio`), silence otherwise.
///
/// Clients should not fetch a GAP entry's URI, and a player that honours `EXT-X-GAP` takes that span from a
/// sibling. Not all do: GStreamer 1.22's hlsdemux2 requests it like any segment and gives up after a few
/// 404s. With a stand-in there, such a player shows black for the span and plays on, instead of stopping.
/// The entry stays a GAP (rule MP8): the stand-in is a safety net, not content.
///
/// A fresh encoder per stand-in: libx264 cannot take frames after a drain, and black frames cost next to
/// nothing to encode. Used only on the rendition's own thread, after a restart.
final class GapFiller {
    struct Video {
        let settings: VideoEncoderSettings
        let frameTicks: Int64
        /// SPS/PPS the rendition's init segment holds (fMP4); a stand-in must decode with them.
        let extradata: [UInt8]
    }

    private let format: ContainerFormat
    private let video: Video?
    private let audio: AudioEncoderSettings?
    /// Output ticks of the program's audio sample 0 (the audio chain's origin): silence goes on its grid.
    private let audioOrigin: Int64
    private let log: (String) -> Void

    var carriesAudio: Bool { audio != nil }

    init(format: ContainerFormat, video: Video?, audio: AudioEncoderSettings?, audioOrigin: Int64 = 0,
         log: @escaping (String) -> Void) {
        self.format = format
        self.video = video
        self.audio = audio
        self.audioOrigin = audioOrigin
        self.log = log
    }

    /// Writes a stand-in for segment `number` to `path`. A failure is logged, not thrown: the GAP entry is
    /// valid without a file behind it, so the rendition carries on either way.
    /// `write` puts the bytes on disk (the publisher's, which carries TS continuity counters on).
    func fill(number: Int, startPTS: Int64, durationTicks: Int64, path: String, audio realAudio: [Packet] = [],
              write: ([UInt8], String) throws -> Void) {
        do {
            try write(segment(startPTS: startPTS, durationTicks: durationTicks, audio: realAudio), path)
        } catch {
            log("no stand-in for GAP segment \(number) at \(path) (the entry stays a GAP): \(error)")
        }
    }

    /// The bytes of a stand-in segment covering [startPTS, startPTS + durationTicks), output ticks.
    /// `realAudio`: the program's AAC packets of that span, if the rendition kept them.
    func segment(startPTS: Int64, durationTicks: Int64, audio realAudio: [Packet] = []) throws -> [UInt8] {
        let muxer = try MemoryMuxer(format: format)
        var packets: [(packet: Packet, stream: Int)] = []
        // Encoders outlive the muxer's header: the muxer reads their parameters when streams are added.
        var encoders: [Encoder] = []
        if let video {
            let encoder = try Encoder(video: video.settings)
            if format == .fragmentedMP4, encoder.extradata != video.extradata {
                throw SegmenterError(description: "a fresh encoder produced other SPS/PPS than the init segment holds")
            }
            let stream = try muxer.addStream(for: encoder)
            packets += try blackPicture(encoder, video, startPTS: startPTS, durationTicks: durationTicks).map { ($0, stream) }
            encoders.append(encoder)
        }
        if let audio {
            // The stream's parameters come from an encoder with the rendition's audio settings either way.
            let chain = try AudioChain(settings: audio, origin: startPTS)
            let stream = try muxer.addStream(for: chain.encoder)
            let end = startPTS + durationTicks
            if Self.covers(realAudio, start: startPTS, end: end) {
                packets += realAudio.map { ($0, stream) }
            } else {
                // The frames of the program's own audio grid that start in the span: exactly those a sibling
                // has for this segment, so the silence joins the real audio on both sides.
                let grid = AudioGrid(origin: audioOrigin, sampleRate: audio.sampleRate, frameSize: chain.encoder.frameSize)
                // At the stream's start the program's first segment also has the encoder's priming frame,
                // which starts just before the origin (frame -1).
                let first = grid.firstFrame(atOrAfter: startPTS) - (startPTS <= audioOrigin ? 1 : 0)
                let last = grid.firstFrame(atOrAfter: end)
                let frames = Int(max(0, last - first))
                let samples = Int64((frames + 2) * chain.encoder.frameSize)
                let encoded = try chain.pushSilence(samples) + chain.finish(videoEndSamples: samples)
                // The encoder's priming frame sits before the chain's origin; the rest, one per frame, in order.
                let silence = encoded.filter { ($0.pts ?? .min) >= startPTS }.sorted { ($0.pts ?? 0) < ($1.pts ?? 0) }.prefix(frames)
                for (offset, packet) in silence.enumerated() {
                    let index = first + Int64(offset)
                    packet.pts = grid.pts(index)
                    packet.dts = grid.pts(index)
                    packet.duration = grid.pts(index + 1) - grid.pts(index)
                }
                packets += silence.map { ($0, stream) }
            }
            encoders.append(chain.encoder)
        }
        try muxer.writeHeader()
        // TS: PAT/PMT come again before the IDR. fMP4: the header is the init segment, which players
        // already have from the rendition.
        _ = muxer.takeBytes()
        for (packet, stream) in packets.sorted(by: { ($0.packet.dts ?? 0) < ($1.packet.dts ?? 0) }) {
            try muxer.write(packet, stream: stream, timeBase: .mpegClock)
        }
        try muxer.cut()
        withExtendedLifetime(encoders) {}
        return muxer.takeBytes()
    }

    /// Where the audio of a segment starting at `pts` starts: there, except for the stream's first segment,
    /// which also carries the encoder's priming frame, one frame before the origin.
    func audioStart(forSegmentAt pts: Int64) -> Int64 {
        guard let audio, pts <= audioOrigin else { return pts }
        return pts - Int64((1024 * 90_000 + audio.sampleRate - 1) / audio.sampleRate)
    }

    /// Whether `packets` (in order) cover [start, end) with no hole of more than half a frame. The last
    /// few frames of the span may still have been on their way when the rendition resumed; up to three
    /// missing there are allowed (players bridge that much).
    static func covers(_ packets: [Packet], start: Int64, end: Int64) -> Bool {
        guard let first = packets.first, let firstPTS = first.pts, let last = packets.last, let lastPTS = last.pts else { return false }
        let frame = max(first.duration, 1)
        guard firstPTS < start + frame, lastPTS + last.duration >= end - 3 * frame else { return false }
        var expected = firstPTS
        for packet in packets {
            guard let pts = packet.pts, abs(pts - expected) <= frame / 2 else { return false }
            expected = pts + max(packet.duration, 1)
        }
        return true
    }

    /// One IDR and then repeats of a black picture, one per frame time of the span.
    private func blackPicture(_ encoder: Encoder, _ video: Video, startPTS: Int64, durationTicks: Int64) throws -> [Packet] {
        let frame = try Frame.video(width: video.settings.width, height: video.settings.height, format: .yuv420p)
        try frame.fillBlack()
        // To the nearest frame: a span stitched over a small hole in the input is not a whole number of frames.
        let count = max(1, (durationTicks + video.frameTicks / 2) / video.frameTicks)
        var packets: [Packet] = []
        for index in 0..<count {
            frame.pts = startPTS + index * video.frameTicks
            frame.forceKeyframe = index == 0
            try encoder.send(frame)
            packets += try encoder.drain()
        }
        try encoder.send(nil)
        packets += try encoder.drain()
        for packet in packets where packet.duration <= 0 { packet.duration = video.frameTicks }
        return packets
    }
}
