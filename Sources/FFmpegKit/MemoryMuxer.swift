internal import CFFmpeg

/// The containers LiveLadder packs segments into.
public enum ContainerFormat: String, Sendable {
    /// MPEG-TS: one continuous muxer; each segment is the bytes between two cuts.
    case mpegts
    /// Fragmented MP4 (CMAF-style): the header is the init segment, each cut closes one moof+mdat fragment.
    case fragmentedMP4
}

/// Owns an output `AVFormatContext` whose `AVIOContext` writes into memory. libavformat only packs
/// packets; the segmenter decides where segments are cut (`cut()`) and takes the bytes (`takeBytes()`).
/// Nothing here touches the file system.
public final class MemoryMuxer {
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let sink: ByteSink
    public let format: ContainerFormat
    private var timeBases: [Rational] = []
    private var headerWritten = false

    public init(format: ContainerFormat) throws(FFmpegError) {
        self.format = format
        let name = format == .mpegts ? "mpegts" : "mp4"
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&context, nil, name, nil), "avformat_alloc_output_context2(\(name))")
        self.context = context!
        sink = ByteSink()
        let bufferSize = 64 * 1024
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self),
              let io = ll_avio_alloc_context(buffer, Int32(bufferSize), 1, Unmanaged.passUnretained(sink).toOpaque(),
                                             nil, ByteSink.write, nil) else {
            // Every stored property is set, so `deinit` runs and frees the context (its `pb` is still nil);
            // freeing it here too would be a double free.
            throw FFmpegError(operation: "avio_alloc_context", code: ll_averror(ENOMEM))
        }
        // Packets are written one by one; without this AVIO would hold bytes back past a cut.
        io.pointee.direct = 0
        self.context.pointee.pb = io
        // Bit-exact: no library version strings in the container, so the same packets give the same bytes
        // whichever libavformat wrote them (`run --deterministic`, goldens).
        self.context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_FLUSH_PACKETS | AVFMT_FLAG_BITEXACT
    }

    deinit {
        var io: UnsafeMutablePointer<AVIOContext>? = context.pointee.pb
        avformat_free_context(context)
        if io != nil {
            // libavformat may have reallocated the buffer we gave it: free pb->buffer, not ours.
            av_freep(&io!.pointee.buffer)
            avio_context_free(&io)
        }
    }

    /// Adds a stream carrying `encoder`'s output; returns its index. Call before `writeHeader()`.
    @discardableResult
    public func addStream(for encoder: Encoder) throws(FFmpegError) -> Int {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegError(operation: "avformat_new_stream", code: ll_averror(ENOMEM))
        }
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "avcodec_parameters_from_context(\(encoder.codecName))")
        stream.pointee.time_base = encoder.context.pointee.time_base
        let rate = encoder.context.pointee.framerate
        if format == .fragmentedMP4, encoder.context.pointee.codec_type == AVMEDIA_TYPE_VIDEO, rate.num > 0, rate.den > 0,
           rate.num <= 240_000 {
            // fMP4 video on a clock of the frame rate (60000 for 59.94 fps, a multiple of 25 or 30 for those):
            // every frame is a whole number of ticks. On the 90 kHz clock a 59.94 fps frame is 1501.5 ticks,
            // and the mp4 muxer, which sums whole sample durations into each fragment's start, drifted a
            // tick a fragment until segments overlapped (rule S5).
            stream.pointee.time_base = AVRational(num: 1, den: rate.num)
        }
        timeBases.append(Rational(stream.pointee.time_base))
        return Int(stream.pointee.index)
    }

    /// Adds a stream that carries an input stream's packets as they are (pass-through); returns its index.
    /// The muxer copies the parameters (`avcodec_parameters_copy`); `parameters` stays the caller's.
    @discardableResult
    public func addStream(copying parameters: StreamParameters, frameRate: Rational) throws(FFmpegError) -> Int {
        guard let stream = avformat_new_stream(context, nil) else {
            throw FFmpegError(operation: "avformat_new_stream", code: ll_averror(ENOMEM))
        }
        try check(avcodec_parameters_copy(stream.pointee.codecpar, parameters.pointer), "avcodec_parameters_copy")
        // The input's codec tag means nothing to another container.
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = AVRational(num: 1, den: 90_000)
        if format == .fragmentedMP4, frameRate.num > 0, frameRate.den > 0, frameRate.num <= 240_000 {
            // As for encoded video: every frame a whole number of ticks (see `addStream(for:)`).
            stream.pointee.time_base = AVRational(num: 1, den: Int32(frameRate.num))
        }
        timeBases.append(Rational(stream.pointee.time_base))
        return Int(stream.pointee.index)
    }

    /// Writes the container header. For fMP4 the bytes this produces are the init segment (ftyp+moov).
    /// Timestamps are passed through as given (no shifting), so every rendition keeps the same timeline.
    public func writeHeader() throws(FFmpegError) {
        var options: [String: String] = ["avoid_negative_ts": "disabled"]
        switch format {
        case .mpegts:
            // Zero mux delay: PTS/DTS go out as we computed them, identical across renditions.
            options["muxdelay"] = "0"
            options["muxpreload"] = "0"
        case .fragmentedMP4:
            // empty_moov: the init segment holds no samples; frag_custom: fragments end only where we cut;
            // default_base_moof: offsets relative to each moof, so a fragment stands alone.
            options["movflags"] = "empty_moov+frag_custom+default_base_moof+frag_discont+skip_trailer"
            options["use_editlist"] = "0"
        }
        var dictionary = OptionDictionary(options)
        try check(avformat_write_header(context, &dictionary.pointer), "avformat_write_header(\(format.rawValue))")
        // The muxer may have changed stream time bases (mp4 picks its own); remember what it chose.
        timeBases = (0..<Int(context.pointee.nb_streams)).map { Rational(context.pointee.streams[$0]!.pointee.time_base) }
        headerWritten = true
        avio_flush(context.pointee.pb)
    }

    /// Writes one packet whose timestamps are in `timeBase` to stream `index`. The packet is rescaled in place.
    /// `av_write_frame` does not take the packet's reference; we keep ownership.
    public func write(_ packet: Packet, stream index: Int, timeBase: Rational) throws(FFmpegError) {
        packet.streamIndex = index
        packet.rescale(from: timeBase, to: timeBases[index])
        try check(av_write_frame(context, packet.pointer), "av_write_frame(\(format.rawValue))")
    }

    /// The next packet does not continue the timeline (fMP4; TS needs nothing): its fragment's `tfdt` is its
    /// own DTS. Without it the mp4 muxer makes a fragment's first sample continue the previous fragment and
    /// stretches that sample's duration over the hole (an epoch-locked run's next input session starts a
    /// few seconds after the last one ended). The muxer consumes the flag on its next packet.
    public func markDiscontinuity() throws(FFmpegError) {
        guard format == .fragmentedMP4, let options = context.pointee.priv_data else { return }
        try check(av_opt_set(options, "movflags", "+frag_discont", 0), "av_opt_set(movflags +frag_discont)")
    }

    /// Ends the current piece: flushes buffered PES data (TS) or closes the fragment (fMP4), then pushes
    /// everything into the byte sink, so `takeBytes()` returns a complete segment.
    public func cut() throws(FFmpegError) {
        try check(av_write_frame(context, nil), "av_write_frame(flush \(format.rawValue))")
        avio_flush(context.pointee.pb)
    }

    /// The bytes written since the last call.
    public func takeBytes() -> [UInt8] { sink.take() }

    /// Writes the trailer. What it produces is not part of any segment and is discarded.
    public func finish() throws(FFmpegError) {
        guard headerWritten else { return }
        try check(av_write_trailer(context), "av_write_trailer(\(format.rawValue))")
        avio_flush(context.pointee.pb)
        _ = sink.take()
    }
}

/// Collects what the muxer's AVIO context writes. Lives as long as its `MemoryMuxer`.
final class ByteSink {
    private var bytes: [UInt8] = []

    func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    static let write: ll_avio_write_fn = { opaque, buffer, size in
        let sink = Unmanaged<ByteSink>.fromOpaque(opaque!).takeUnretainedValue()
        if let buffer, size > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: Int(size))) }
        return size
    }
}
