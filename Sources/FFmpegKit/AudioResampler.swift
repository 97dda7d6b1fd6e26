internal import CFFmpeg

/// Owns an `SwrContext` and an `AVAudioFifo`: converts decoded audio of any rate and layout to the
/// encoder's rate, layout and planar float, and hands it out in frames of exactly the encoder's frame size.
/// The output timeline counts samples from zero, so it is continuous by construction.
public final class AudioResampler {
    private var context: OpaquePointer?
    private var fifo: OpaquePointer
    private var inputSignature: (rate: Int32, channels: Int32, format: Int32)?
    public let sampleRate: Int
    public let layout: ChannelLayout
    public let frameSize: Int
    /// Samples handed out so far: the pts of the next frame, in 1/sampleRate.
    public private(set) var samplesOut: Int64 = 0

    public init(sampleRate: Int, layout: ChannelLayout, frameSize: Int) throws(FFmpegError) {
        self.sampleRate = sampleRate
        self.layout = layout
        self.frameSize = frameSize
        fifo = try allocated(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, Int32(layout.rawValue), Int32(frameSize * 4)), "av_audio_fifo_alloc")
    }

    deinit {
        swr_free(&context)
        av_audio_fifo_free(fifo)
    }

    public var bufferedSamples: Int { Int(av_audio_fifo_size(fifo)) }

    /// Converts one decoded frame into the FIFO. A change of input rate, layout or format rebuilds the converter.
    public func push(_ frame: Frame) throws(FFmpegError) {
        let input = frame.pointer
        let signature = (input.pointee.sample_rate, input.pointee.ch_layout.nb_channels, input.pointee.format)
        if context == nil || inputSignature.map({ $0 != signature }) ?? true {
            swr_free(&context)
            var outLayout = layout.av
            var inLayout = input.pointee.ch_layout
            try check(swr_alloc_set_opts2(&context, &outLayout, AV_SAMPLE_FMT_FLTP, Int32(sampleRate),
                                          &inLayout, AVSampleFormat(rawValue: input.pointee.format),
                                          input.pointee.sample_rate, 0, nil), "swr_alloc_set_opts2")
            try check(swr_init(context), "swr_init")
            inputSignature = signature
        }
        let capacity = swr_get_out_samples(context, input.pointee.nb_samples)
        guard capacity > 0 else { return }
        try convert(capacity: capacity) { output throws(FFmpegError) in
            try check(swr_convert(self.context, output, capacity,
                                  UnsafeMutablePointer(mutating: input.pointee.extended_data).withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { $0 },
                                  input.pointee.nb_samples), "swr_convert")
        }
    }

    /// Appends `count` samples of silence (to fill a hole in the source audio).
    public func pushSilence(_ count: Int) throws(FFmpegError) {
        // FFmpeg counts samples in Int32; a caller's bigger hole goes in chunks rather than trapping.
        var remaining = count
        while remaining > Self.silenceChunk {
            try pushSilenceChunk(Self.silenceChunk)
            remaining -= Self.silenceChunk
        }
        try pushSilenceChunk(remaining)
    }

    private static let silenceChunk = 1 << 20

    private func pushSilenceChunk(_ count: Int) throws(FFmpegError) {
        guard count > 0 else { return }
        let frame = try Frame()
        frame.pointer.pointee.nb_samples = Int32(count)
        frame.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        frame.pointer.pointee.ch_layout = layout.av
        frame.pointer.pointee.sample_rate = Int32(sampleRate)
        try check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer(audio)")
        try frame.fillBlack()
        try check(av_audio_fifo_write(fifo, UnsafeMutablePointer(mutating: frame.pointer.pointee.extended_data).withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) { $0 }, Int32(count)), "av_audio_fifo_write")
    }

    /// Drops `count` buffered samples (audio that starts before the video).
    public func discard(_ count: Int) {
        av_audio_fifo_drain(fifo, Int32(clamping: min(count, bufferedSamples)))
    }

    /// Moves the output timeline on by `count` samples without producing them: a hole in the program that
    /// no segment covers (an epoch-locked run between input sessions), so it is not encoded as silence.
    /// Only with nothing buffered, so the frames already handed out stay whole.
    public func skip(_ count: Int64) {
        guard count > 0, bufferedSamples == 0 else { return }
        samplesOut += count
    }

    /// At the end of the stream: no sample at or past this count is handed out (audio that outlasts the video).
    public var endLimit: Int64?

    /// The next full frame; at the end (`flush`), the remainder padded with silence.
    public func pop(flush: Bool = false) throws(FFmpegError) -> Frame? {
        if flush, let context, swr_get_delay(context, Int64(sampleRate)) > 0 {
            // Pull what the resampler still holds into the FIFO.
            let capacity = Int32(swr_get_out_samples(context, 0))
            if capacity > 0 {
                try convert(capacity: capacity) { output throws(FFmpegError) in
                    try check(swr_convert(context, output, capacity, nil, 0), "swr_convert(flush)")
                }
            }
        }
        var available = bufferedSamples
        if let endLimit { available = Int(max(0, min(Int64(available), endLimit - samplesOut))) }
        guard available >= frameSize || (flush && available > 0) else { return nil }
        let frame = try Frame()
        frame.pointer.pointee.nb_samples = Int32(frameSize)
        frame.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        frame.pointer.pointee.ch_layout = layout.av
        frame.pointer.pointee.sample_rate = Int32(sampleRate)
        try check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer(audio)")
        try frame.fillBlack()
        let count = min(available, frameSize)
        let read = av_audio_fifo_read(fifo, UnsafeMutablePointer(mutating: frame.pointer.pointee.extended_data).withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) { $0 }, Int32(count))
        try check(read, "av_audio_fifo_read")
        if count < frameSize {
            // The last frame: only the real samples count towards the duration.
            frame.pointer.pointee.nb_samples = Int32(count)
        }
        frame.pts = samplesOut
        samplesOut += Int64(count)
        return frame
    }

    private func convert(capacity: Int32, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) throws(FFmpegError) -> Int32) throws(FFmpegError) {
        var planes: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>? = nil
        var linesize: Int32 = 0
        try check(av_samples_alloc_array_and_samples(&planes, &linesize, Int32(layout.rawValue), capacity, AV_SAMPLE_FMT_FLTP, 0), "av_samples_alloc_array_and_samples")
        defer {
            av_freep(&planes![0])
            av_freep(&planes)
        }
        let converted = try body(planes!)
        if converted > 0 {
            let written = planes!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: layout.rawValue) {
                av_audio_fifo_write(fifo, $0, converted)
            }
            try check(written, "av_audio_fifo_write")
        }
    }
}
