import FFmpegKit
import HLSModel

/// What one segment holds, in the ticks of each stream's own time base: read packet by packet with
/// libavformat, never decoded (packets are what a player gets, and it keeps `summarize` cheap).
struct SegmentContents {
    struct Track {
        var codec: String
        var timescale: Int
        var width = 0
        var height = 0
        var sampleRate = 0
        var channels = 0
        var start: Int64
        var duration: Int64
        var packets: Int
        var idrFirst = false
        var keyframes: [Int] = []
        /// Audio: samples in the segment.
        var samples = 0
    }

    var video: Track?
    var audio: Track?
}

enum SegmentReaderError: Error, CustomStringConvertible {
    case unreadable(String)
    var description: String { if case .unreadable(let text) = self { return text }; return "" }
}

enum SegmentReader {
    /// `bytes`: a TS segment, or an fMP4 init segment followed by one media segment.
    static func read(_ bytes: [UInt8], name: String) throws -> SegmentContents {
        let transportStream = bytes.first == 0x47
        let input: MediaInput
        do {
            input = try MediaInput(bytes: bytes, name: name, format: transportStream ? "mpegts" : "mp4")
        } catch {
            throw SegmentReaderError.unreadable("\(name) does not open as media: \(error)")
        }
        let videoIndex = input.streams.first { $0.kind == .video }?.index
        let audioIndex = input.streams.first { $0.kind == .audio }?.index
        var video = PacketTally()
        var audio = PacketTally()
        do {
            while let packet = try input.read() {
                if packet.streamIndex == videoIndex {
                    if video.count == 0 {
                        let payload = packet.bytes
                        video.idrFirst = transportStream ? H264.containsIDR(annexB: payload) : H264.containsIDR(lengthPrefixed: payload)
                    }
                    if packet.isKeyframe { video.keyframes.append(video.count) }
                    video.add(packet)
                } else if packet.streamIndex == audioIndex {
                    audio.add(packet)
                }
            }
        } catch {
            throw SegmentReaderError.unreadable("\(name) cannot be read to the end: \(error)")
        }
        var contents = SegmentContents()
        if let videoIndex, let track = try video.track(input, videoIndex, name: name) { contents.video = track }
        if let audioIndex, var track = try audio.track(input, audioIndex, name: name) {
            track.samples = audio.samples(sampleRate: track.sampleRate, timeBase: input.timeBase(ofStream: audioIndex))
            contents.audio = track
        }
        return contents
    }
}

/// Presentation times and durations of one stream's packets in a segment.
private struct PacketTally {
    /// Hostile files may carry any Int64; these bounds keep every sum and product below in range.
    static let timestampLimit: Int64 = 1 << 52

    var count = 0
    var minPTS = Int64.max
    var maxPTS = Int64.min
    var lastDuration: Int64 = 0
    var durationSum: Int64 = 0
    var outOfRange = false
    var idrFirst = false
    var keyframes: [Int] = []

    mutating func add(_ packet: Packet) {
        count += 1
        guard let pts = packet.pts ?? packet.dts, abs(pts) < Self.timestampLimit,
              (0..<Self.timestampLimit).contains(packet.duration) else {
            outOfRange = true
            return
        }
        if pts >= maxPTS { lastDuration = packet.duration }
        minPTS = min(minPTS, pts)
        maxPTS = max(maxPTS, pts)
        durationSum = min(durationSum + packet.duration, Self.timestampLimit)
    }

    func track(_ input: MediaInput, _ index: Int, name: String) throws -> SegmentContents.Track? {
        guard count > 0 else { return nil }
        guard !outOfRange, minPTS <= maxPTS else {
            throw SegmentReaderError.unreadable("\(name): a packet has no timestamp or one out of range (beyond ±2^52 ticks)")
        }
        let timeBase = input.timeBase(ofStream: index)
        guard timeBase.num == 1, (1...1_000_000_000).contains(timeBase.den) else {
            throw SegmentReaderError.unreadable("\(name): stream time base \(timeBase.num)/\(timeBase.den) is not 1/N ticks")
        }
        let stream = input.streams[index]
        // From the first frame's start to the last frame's end: the span of presentation times plus one
        // frame, where a frame is the mean distance (exact for a constant rate, in integers).
        let span = maxPTS - minPTS
        // span < 2^53, so span plus one rounded frame cannot overflow.
        let gaps = Int64(count - 1)
        let duration = count >= 2 ? span + (span + gaps / 2) / gaps : lastDuration
        return SegmentContents.Track(codec: stream.codec, timescale: Int(timeBase.den),
                                     width: stream.width ?? 0, height: stream.height ?? 0,
                                     sampleRate: stream.sampleRate ?? 0, channels: stream.channels ?? 0,
                                     start: minPTS, duration: duration, packets: count,
                                     idrFirst: idrFirst, keyframes: keyframes)
    }

    /// Audio samples: the packets' durations in samples (1024 per AAC frame), or 1024 per packet when
    /// the demuxer gives no durations.
    func samples(sampleRate: Int, timeBase: Rational) -> Int {
        guard durationSum > 0, (1...768_000).contains(sampleRate) else { return count * 1024 }
        // In Double: durationSum (≤ 2^52) × sampleRate can pass Int64; any real segment's product is far
        // below 2^53, where Double is still exact.
        let ticks = Double(durationSum) * Double(sampleRate) * Double(timeBase.num) / Double(timeBase.den)
        return Int(ticks.rounded())
    }
}
