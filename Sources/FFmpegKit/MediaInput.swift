internal import CFFmpeg
import Foundation

/// Owns a demuxer (`AVFormatContext` opened for input) and, for in-memory inputs, its `AVIOContext`.
/// Reads packets from a file, URL or byte buffer; used by ingest and by the checker.
public final class MediaInput {
    let context: UnsafeMutablePointer<AVFormatContext>
    /// Set for in-memory inputs: the AVIO context we allocated and the bytes it reads.
    private let memory: MemoryReader?
    /// Kept alive as long as the context that calls it.
    private let interrupt: InterruptGuard?
    public let url: String

    /// Bytes read from the input so far (libavformat's own count on its I/O context).
    public var bytesRead: Int64 { max(0, context.pointee.pb?.pointee.bytes_read ?? 0) }
    public let streams: [StreamInfo]

    /// Opens `url` (a path, `pipe:0`, or any protocol URL libavformat knows) and reads its stream info.
    /// `options` are demuxer/protocol options (`-i` options on the ffmpeg CLI); `format` forces a demuxer.
    /// With `interrupt`, every blocking call (open, accept, read) gives up when the guard says so.
    /// `opened` runs between connecting and probing the streams (to give probing its own time budget).
    public init(url: String, format: String? = nil, options: [String: String] = [:],
                interrupt: InterruptGuard? = nil, opened: (() -> Void)? = nil) throws(FFmpegError) {
        var context: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        if let interrupt { context?.pointee.interrupt_callback = interrupt.callback }
        var inputFormat: UnsafePointer<AVInputFormat>? = nil
        if let format {
            guard let found = av_find_input_format(format) else {
                throw FFmpegError(operation: "av_find_input_format(\(format))", message: "no such input format")
            }
            inputFormat = found
        }
        var dictionary = OptionDictionary(options)
        let openResult = avformat_open_input(&context, url, inputFormat, &dictionary.pointer)
        try check(openResult, "avformat_open_input(\(url))")
        // avformat_open_input frees the context itself on failure; from here on we own it.
        self.context = context!
        self.memory = nil
        self.interrupt = interrupt
        self.url = url
        do {
            try Self.rejectUnusedOptions(dictionary, url: url)
            opened?()
            try check(avformat_find_stream_info(self.context, nil), "avformat_find_stream_info(\(url))")
        } catch {
            avformat_close_input(&context)
            throw error
        }
        self.streams = Self.describeStreams(self.context)
    }

    /// Opens an in-memory buffer (a whole segment, or an init segment followed by a media segment).
    public init(bytes: [UInt8], name: String, format: String? = nil) throws(FFmpegError) {
        let reader = MemoryReader(bytes: bytes)
        guard var context = avformat_alloc_context() else {
            throw FFmpegError(operation: "avformat_alloc_context", code: ll_averror(ENOMEM))
        }
        let bufferSize = 64 * 1024
        guard let buffer = av_malloc(bufferSize)?.assumingMemoryBound(to: UInt8.self) else {
            avformat_free_context(context)
            throw FFmpegError(operation: "av_malloc", code: ll_averror(ENOMEM))
        }
        guard let io = ll_avio_alloc_context(buffer, Int32(bufferSize), 0, Unmanaged.passUnretained(reader).toOpaque(),
                                             MemoryReader.read, nil, MemoryReader.seek) else {
            av_free(buffer)
            avformat_free_context(context)
            throw FFmpegError(operation: "avio_alloc_context", code: ll_averror(ENOMEM))
        }
        reader.io = io
        context.pointee.pb = io
        context.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        var inputFormat: UnsafePointer<AVInputFormat>? = nil
        if let format { inputFormat = av_find_input_format(format) }
        var optional: UnsafeMutablePointer<AVFormatContext>? = context
        let opened = avformat_open_input(&optional, name, inputFormat, nil)
        if opened < 0 {
            // On failure avformat_open_input freed the format context but not our custom AVIO context.
            reader.freeIO()
            throw FFmpegError(operation: "avformat_open_input(\(name))", code: opened)
        }
        context = optional!
        self.context = context
        self.memory = reader
        self.interrupt = nil
        self.url = name
        let found = avformat_find_stream_info(context, nil)
        if found < 0 {
            avformat_close_input(&optional)
            reader.freeIO()
            throw FFmpegError(operation: "avformat_find_stream_info(\(name))", code: found)
        }
        self.streams = Self.describeStreams(context)
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = self.context
        avformat_close_input(&context)
        memory?.freeIO()
    }

    /// The next packet in file order, or nil at the end of the input. Timestamps are in the stream's time base.
    public func read() throws(FFmpegError) -> Packet? {
        let packet = try Packet()
        let result = av_read_frame(context, packet.pointer)
        if result == ll_averror_eof() { return nil }
        try check(result, "av_read_frame(\(url))")
        return packet
    }

    public func timeBase(ofStream index: Int) -> Rational {
        Rational(context.pointee.streams[index]!.pointee.time_base)
    }

    /// The stream's frame rate as the demuxer guesses it (`av_guess_frame_rate`).
    public func frameRate(ofStream index: Int) -> Rational {
        Rational(av_guess_frame_rate(context, context.pointee.streams[index], nil))
    }

    public func sampleAspectRatio(ofStream index: Int) -> Rational {
        let sar = av_guess_sample_aspect_ratio(context, context.pointee.streams[index], nil)
        return sar.num > 0 && sar.den > 0 ? Rational(sar) : Rational(1, 1)
    }

    public var formatName: String { String(cString: context.pointee.iformat.pointee.name) }

    public var info: InputInfo {
        let duration = context.pointee.duration
        return InputInfo(url: url, format: formatName,
                         duration: duration > 0 ? Double(duration) / Double(AV_TIME_BASE) : nil,
                         bitRate: context.pointee.bit_rate > 0 ? Int(context.pointee.bit_rate) : nil,
                         streams: streams)
    }

    /// The best stream of a kind (`av_find_best_stream`), if any.
    public func bestStream(_ kind: MediaKind) -> Int? {
        let type: AVMediaType = kind == .video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO
        let index = av_find_best_stream(context, type, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }

    private static func rejectUnusedOptions(_ dictionary: borrowing OptionDictionary, url: String) throws(FFmpegError) {
        if let unused = dictionary.keys.first {
            var error = FFmpegError(operation: "avformat_open_input(\(url))", code: ll_averror_option_not_found())
            error.message = "option '\(unused)' is not known to this input's protocol or format"
            error.option = unused
            throw error
        }
    }

    private static func describeStreams(_ context: UnsafeMutablePointer<AVFormatContext>) -> [StreamInfo] {
        (0..<Int(context.pointee.nb_streams)).map { index in
            let stream = context.pointee.streams[index]!
            let parameters = stream.pointee.codecpar!.pointee
            let timeBase = Rational(stream.pointee.time_base)
            let kind: MediaKind
            switch parameters.codec_type {
            case AVMEDIA_TYPE_VIDEO: kind = .video
            case AVMEDIA_TYPE_AUDIO: kind = .audio
            case AVMEDIA_TYPE_SUBTITLE: kind = .subtitle
            case AVMEDIA_TYPE_DATA: kind = .data
            case AVMEDIA_TYPE_ATTACHMENT: kind = .attachment
            default: kind = .unknown
            }
            let seconds: (Int64) -> Double? = { value in
                value == noTimestamp ? nil : Double(value) * timeBase.doubleValue
            }
            var info = StreamInfo(index: index, kind: kind,
                                  codec: String(cString: avcodec_get_name(parameters.codec_id)),
                                  decodable: avcodec_find_decoder(parameters.codec_id) != nil,
                                  timeBase: timeBase.description,
                                  bitRate: parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil,
                                  startTime: seconds(stream.pointee.start_time),
                                  duration: stream.pointee.duration > 0 ? seconds(stream.pointee.duration) : nil)
            if kind == .video {
                info.width = Int(parameters.width)
                info.height = Int(parameters.height)
                let format = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.format))
                info.pixelFormat = format.map { String(cString: $0) }
                let rate = av_guess_frame_rate(context, stream, nil)
                if rate.num > 0 && rate.den > 0 { info.frameRate = "\(rate.num)/\(rate.den)" }
                let sar = parameters.sample_aspect_ratio
                if sar.num > 0 && sar.den > 0 { info.sampleAspectRatio = "\(sar.num):\(sar.den)" }
            } else if kind == .audio {
                info.sampleRate = Int(parameters.sample_rate)
                info.channels = Int(parameters.ch_layout.nb_channels)
                var layout = parameters.ch_layout
                var buffer = [CChar](repeating: 0, count: 64)
                if av_channel_layout_describe(&layout, &buffer, buffer.count) > 0 {
                    info.channelLayout = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                }
            }
            return info
        }
    }
}

/// The state behind an in-memory input's read and seek callbacks. Lives as long as its `MediaInput`.
final class MemoryReader {
    let bytes: [UInt8]
    var position = 0
    var io: UnsafeMutablePointer<AVIOContext>?

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Frees the AVIO context and its buffer. libavformat may have replaced the buffer we gave it, so free
    /// `io.buffer`, never the original pointer.
    func freeIO() {
        guard io != nil else { return }
        av_freep(&io!.pointee.buffer)
        avio_context_free(&io)
    }

    static let read: ll_avio_read_fn = { opaque, buffer, size in
        let reader = Unmanaged<MemoryReader>.fromOpaque(opaque!).takeUnretainedValue()
        let remaining = reader.bytes.count - reader.position
        if remaining <= 0 { return ll_averror_eof() }
        let count = min(Int(size), remaining)
        reader.bytes.withUnsafeBufferPointer { source in
            buffer!.update(from: source.baseAddress! + reader.position, count: count)
        }
        reader.position += count
        return Int32(count)
    }

    static let seek: ll_avio_seek_fn = { opaque, offset, whence in
        let reader = Unmanaged<MemoryReader>.fromOpaque(opaque!).takeUnretainedValue()
        if whence & ll_avseek_size() != 0 { return Int64(reader.bytes.count) }
        let target: Int64
        switch whence & 3 {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = Int64(reader.position) + offset
        case SEEK_END: target = Int64(reader.bytes.count) + offset
        default: return Int64(ll_averror(EINVAL))
        }
        guard target >= 0, target <= Int64(reader.bytes.count) else { return Int64(ll_averror(EINVAL)) }
        reader.position = Int(target)
        return target
    }
}
