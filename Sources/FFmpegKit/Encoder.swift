internal import CFFmpeg

/// Settings for one H.264 rendition encoder (libx264).
public struct VideoEncoderSettings: Sendable {
    public var width: Int
    public var height: Int
    public var frameRate: Rational
    /// Time base of the frames sent in; LiveLadder uses the 90 kHz output clock.
    public var timeBase: Rational = .mpegClock
    public var bitRate: Int
    public var maxRate: Int
    public var bufferSize: Int
    /// Keyframe interval in frames. Segment boundaries force IDRs on their own; this only caps the
    /// distance between keyframes where no boundary falls.
    public var gopSize: Int
    public var preset: String = "veryfast"
    public var profile: String = "high"
    public var tune: String?
    /// SPS/PPS in extradata (fMP4 init segment) instead of in band before each IDR (MPEG-TS).
    public var globalHeader: Bool
    public var threads: Int = 0
    /// Live: no extra frames buffered for libx264's threaded lookahead (`sync-lookahead=0`), which with
    /// frame threads otherwise holds back several more frames before encoding starts.
    public var lowLatency = false

    public init(width: Int, height: Int, frameRate: Rational, bitRate: Int, maxRate: Int, bufferSize: Int,
                gopSize: Int, preset: String = "veryfast", profile: String = "high", tune: String? = nil,
                globalHeader: Bool, threads: Int = 0) {
        self.width = width; self.height = height; self.frameRate = frameRate
        self.bitRate = bitRate; self.maxRate = maxRate; self.bufferSize = bufferSize; self.gopSize = gopSize
        self.preset = preset; self.profile = profile; self.tune = tune
        self.globalHeader = globalHeader; self.threads = threads
    }
}

/// Settings for the AAC-LC encoder.
public struct AudioEncoderSettings: Sendable {
    public var sampleRate: Int
    public var channels: ChannelLayout
    public var bitRate: Int
    public var globalHeader: Bool
    public init(sampleRate: Int, channels: ChannelLayout, bitRate: Int, globalHeader: Bool) {
        self.sampleRate = sampleRate; self.channels = channels; self.bitRate = bitRate; self.globalHeader = globalHeader
    }
}

/// The output channel layouts LiveLadder produces.
public enum ChannelLayout: Int, Sendable {
    case mono = 1, stereo = 2, surround51 = 6

    var av: AVChannelLayout {
        switch self {
        case .mono: return ll_channel_layout_mono()
        case .stereo: return ll_channel_layout_stereo()
        case .surround51: return ll_channel_layout_5point1()
        }
    }
}

/// Owns an encoder (`AVCodecContext`): libx264 for video renditions, FFmpeg's native AAC for audio.
public final class Encoder {
    private let owner: CodecContext
    var context: UnsafeMutablePointer<AVCodecContext> { owner.pointer }
    public let codecName: String

    /// Opens libx264 with the rendition's rate control. Forced keyframes (`Frame.forceKeyframe`) become
    /// IDRs (`forced-idr`), and scene-cut detection is off so x264 adds no keyframes of its own between
    /// boundaries (`sc_threshold=0`).
    public init(video settings: VideoEncoderSettings) throws(FFmpegError) {
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw FFmpegError(operation: "avcodec_find_encoder_by_name(libx264)", message: "this FFmpeg build has no libx264")
        }
        codecName = "libx264"
        owner = try CodecContext(codec, name: "libx264")
        let c = context
        c.pointee.width = Int32(settings.width)
        c.pointee.height = Int32(settings.height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = settings.timeBase.av
        c.pointee.framerate = settings.frameRate.av
        c.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        c.pointee.bit_rate = Int64(settings.bitRate)
        c.pointee.rc_max_rate = Int64(settings.maxRate)
        c.pointee.rc_buffer_size = Int32(settings.bufferSize)
        c.pointee.gop_size = Int32(settings.gopSize)
        c.pointee.thread_count = Int32(settings.threads)
        if settings.globalHeader { c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        var options = ["preset": settings.preset, "profile": settings.profile, "forced-idr": "1", "sc_threshold": "0"]
        if let tune = settings.tune { options["tune"] = tune }
        if settings.lowLatency { options["x264-params"] = "sync-lookahead=0" }
        try Self.open(c, codec, options, name: "libx264 \(settings.width)x\(settings.height)")
    }

    /// Opens FFmpeg's native AAC-LC encoder.
    public init(audio settings: AudioEncoderSettings) throws(FFmpegError) {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            throw FFmpegError(operation: "avcodec_find_encoder(aac)", message: "this FFmpeg build has no AAC encoder")
        }
        codecName = "aac"
        owner = try CodecContext(codec, name: "aac")
        let c = context
        c.pointee.sample_rate = Int32(settings.sampleRate)
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.ch_layout = settings.channels.av
        c.pointee.bit_rate = Int64(settings.bitRate)
        c.pointee.time_base = AVRational(num: 1, den: Int32(settings.sampleRate))
        c.pointee.profile = FF_PROFILE_AAC_LOW
        // Without it the AAC encoder writes its libavcodec version into the first frame.
        c.pointee.flags |= AV_CODEC_FLAG_BITEXACT
        if settings.globalHeader { c.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try Self.open(c, codec, [:], name: "aac")
    }

    /// Opens the codec. On failure the context is left to its owner, which frees it once.
    private static func open(_ context: UnsafeMutablePointer<AVCodecContext>, _ codec: UnsafePointer<AVCodec>,
                             _ options: [String: String], name: String) throws(FFmpegError) {
        var dictionary = OptionDictionary(options)
        try check(avcodec_open2(context, codec, &dictionary.pointer), "avcodec_open2(\(name))")
    }

    public var timeBase: Rational { Rational(context.pointee.time_base) }
    /// Samples per audio frame the encoder wants (1024 for AAC).
    public var frameSize: Int { Int(context.pointee.frame_size) }
    public var sampleRate: Int { Int(context.pointee.sample_rate) }
    public var channelCount: Int { Int(context.pointee.ch_layout.nb_channels) }
    /// Global headers: SPS/PPS (Annex B from libx264) or the AudioSpecificConfig.
    public var extradata: [UInt8] {
        guard let data = context.pointee.extradata, context.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(context.pointee.extradata_size)))
    }

    /// Sends one frame, or nil to drain. libx264 copies the picture it is given, so the caller may drop
    /// its reference right after.
    public func send(_ frame: Frame?) throws(FFmpegError) {
        let result = avcodec_send_frame(context, frame?.pointer)
        if result == ll_averror_eof() { return }
        try check(result, "avcodec_send_frame(\(codecName))")
    }

    public func receive() throws(FFmpegError) -> CodecOutput<Packet> {
        let packet = try Packet()
        switch try SendReceiveStatus(avcodec_receive_packet(context, packet.pointer), "avcodec_receive_packet(\(codecName))") {
        case .ok: return .item(packet)
        case .needsInput: return .needsInput
        case .endOfStream: return .endOfStream
        }
    }

    /// Every packet ready now (after a send), or every remaining packet (after `send(nil)`).
    public func drain() throws(FFmpegError) -> [Packet] {
        var packets: [Packet] = []
        while case .item(let packet) = try receive() { packets.append(packet) }
        return packets
    }
}
