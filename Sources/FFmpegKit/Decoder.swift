internal import CFFmpeg

/// What a decoder or encoder gave back for one receive call.
public enum CodecOutput<Item> {
    case item(Item)
    /// Send more input first (EAGAIN).
    case needsInput
    /// Fully drained after a flush (EOF).
    case endOfStream
}

/// Owns a decoder (`AVCodecContext`) for one input stream.
public final class Decoder {
    private let owner: CodecContext
    var context: UnsafeMutablePointer<AVCodecContext> { owner.pointer }
    public let codecName: String
    /// The stream's time base; decoded frames carry timestamps in it.
    public let timeBase: Rational

    /// Opens the decoder for stream `index` of `input`. `threads` 0 lets FFmpeg choose. `lowDelay` (live
    /// inputs): slice threads only, since frame threads hold a frame back per thread.
    public init(input: MediaInput, stream index: Int, threads: Int = 0, lowDelay: Bool = false) throws(FFmpegError) {
        let stream = input.context.pointee.streams[index]!
        let parameters = stream.pointee.codecpar!
        let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw FFmpegError(operation: "avcodec_find_decoder(\(name))", message: "this FFmpeg build has no decoder for \(name)")
        }
        owner = try CodecContext(codec, name: name)
        codecName = name
        timeBase = Rational(stream.pointee.time_base)
        // From here on `owner` frees the context, whether or not the rest throws.
        let context = owner.pointer
        try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context(\(name))")
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(threads)
        if lowDelay { context.pointee.thread_type = FF_THREAD_SLICE }
        try check(avcodec_open2(context, codec, nil), "avcodec_open2(\(name) decoder)")
    }

    /// Sends one packet; nil starts draining. Damaged data throws an error with `isInvalidData`.
    public func send(_ packet: Packet?) throws(FFmpegError) {
        let result = avcodec_send_packet(context, packet?.pointer)
        // EAGAIN cannot happen when every send is followed by receiving until `.needsInput`; EOF after a
        // second flush is harmless.
        if result == ll_averror_eagain() || result == ll_averror_eof() { return }
        try check(result, "avcodec_send_packet(\(codecName))")
    }

    public func receive() throws(FFmpegError) -> CodecOutput<Frame> {
        let frame = try Frame()
        switch try SendReceiveStatus(avcodec_receive_frame(context, frame.pointer), "avcodec_receive_frame(\(codecName))") {
        case .ok: return .item(frame)
        case .needsInput: return .needsInput
        case .endOfStream: return .endOfStream
        }
    }

    /// Forgets buffered state after a discontinuity or damage (`avcodec_flush_buffers`).
    public func reset() { avcodec_flush_buffers(context) }
}
