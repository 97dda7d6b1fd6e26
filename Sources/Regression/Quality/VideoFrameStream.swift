import FFmpegKit

/// A decoded picture and its presentation time in microseconds since its stream's first picture.
struct TimedFrame {
    let frame: Frame
    let time: Int64
}

/// The decoded pictures of one input's best video stream, one at a time and in presentation order, so a
/// whole video is never held in memory. Damaged packets are skipped and counted; pictures without a usable
/// time (none, or not after the previous one) are skipped and counted too, since they cannot be paired.
final class VideoFrameStream {
    let input: MediaInput
    let stream: Int
    private let decoder: Decoder
    private let timeBase: Rational
    /// Frames per second as the demuxer guesses it.
    let frameRate: Rational
    let sampleAspectRatio: Rational
    /// What this input is, for error messages ("source /path/x.mp4").
    let label: String
    private(set) var damagedPackets = 0
    private(set) var untimedFrames = 0
    private var inputEnded = false
    private var firstTime: Int64?
    private var lastTime: Int64?

    private static let microseconds = Rational(1, 1_000_000)
    /// Timestamps beyond ±2^52 µs (143 years) are damage; within it every difference fits an Int64 and a Double.
    private static let timeLimit: Int64 = 1 << 52
    /// So much damage in a row means the input is not video we can decode.
    private static let damageLimit = 50

    init(input: MediaInput, label: String) throws {
        guard let stream = input.bestStream(.video) else { throw QualityError("quality: \(label) has no video stream") }
        self.input = input
        self.stream = stream
        self.label = label
        timeBase = input.timeBase(ofStream: stream)
        frameRate = input.frameRate(ofStream: stream)
        sampleAspectRatio = input.sampleAspectRatio(ofStream: stream)
        guard timeBase.isValid else { throw QualityError("quality: \(label): its video stream has no valid time base (\(timeBase))") }
        do {
            decoder = try Decoder(input: input, stream: stream)
        } catch {
            throw QualityError("quality: \(label): its video cannot be decoded: \(error)")
        }
    }

    /// The next picture with a usable time, or nil at the end.
    func next() throws -> TimedFrame? {
        do {
            return try nextTimed()
        } catch let error as FFmpegError {
            // Out of memory, or the demuxer failing for good: still one line that says which input.
            throw QualityError("quality: \(label): reading its video failed: \(error)")
        }
    }

    private func nextTimed() throws -> TimedFrame? {
        while let frame = try nextFrame() {
            guard let timestamp = frame.bestEffortTimestamp ?? frame.pts else { untimedFrames += 1; continue }
            let time = timeBase.rescale(timestamp, to: Self.microseconds)
            guard (-Self.timeLimit...Self.timeLimit).contains(time) else { untimedFrames += 1; continue }
            let first = firstTime ?? time
            firstTime = first
            let relative = time - first
            if let lastTime, relative <= lastTime { untimedFrames += 1; continue }
            lastTime = relative
            return TimedFrame(frame: frame, time: relative)
        }
        return nil
    }

    /// The next decoded picture, reading and decoding packets as needed; nil once the decoder is drained.
    private func nextFrame() throws -> Frame? {
        var damageInARow = 0
        while true {
            let output: CodecOutput<Frame>
            do {
                output = try decoder.receive()
            } catch {
                if error.isOutOfMemory { throw error }
                // A decoder reports damage with many codes; skip it unless nothing else comes.
                damagedPackets += 1
                damageInARow += 1
                if damageInARow >= Self.damageLimit { throw damaged(error) }
                continue
            }
            switch output {
            case .item(let frame): return frame
            case .endOfStream: return nil
            case .needsInput:
                if inputEnded { return nil }
                do {
                    if let packet = try input.read() {
                        guard packet.streamIndex == stream else { continue }
                        try decoder.send(packet)
                    } else {
                        inputEnded = true
                        try decoder.send(nil)
                    }
                    damageInARow = 0
                } catch {
                    if error.isOutOfMemory { throw error }
                    damagedPackets += 1
                    damageInARow += 1
                    if damageInARow >= Self.damageLimit { throw damaged(error) }
                }
            }
        }
    }

    private func damaged(_ error: FFmpegError) -> QualityError {
        QualityError("quality: \(label): its video does not decode (\(damagedPackets) damaged packets, last: \(error))")
    }
}
