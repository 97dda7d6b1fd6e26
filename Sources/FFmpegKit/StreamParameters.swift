internal import CFFmpeg

/// Owns a copy of one input stream's codec parameters (`AVCodecParameters`), so a pass-through rendition
/// can add the stream to its muxers after (and independently of) the input that described it.
///
/// `@unchecked Sendable`: written once when copied, only read afterwards (by `MemoryMuxer`, which copies
/// them again into its own stream).
public final class StreamParameters: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVCodecParameters>

    init(copying source: UnsafePointer<AVCodecParameters>) throws(FFmpegError) {
        pointer = try allocated(avcodec_parameters_alloc(), "avcodec_parameters_alloc")
        // `pointer` is set, so `deinit` frees it whether or not the copy succeeds.
        try check(avcodec_parameters_copy(pointer, source), "avcodec_parameters_copy")
    }

    deinit {
        var parameters: UnsafeMutablePointer<AVCodecParameters>? = pointer
        avcodec_parameters_free(&parameters)
    }

    /// The codec's name as FFmpeg gives it (`h264`).
    public var codecName: String { String(cString: avcodec_get_name(pointer.pointee.codec_id)) }

    /// The SPS/PPS the stream declares (Annex B or an `avcC` record), or `[]` when they are only in band.
    public var extradata: [UInt8] {
        guard let data = pointer.pointee.extradata, pointer.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(pointer.pointee.extradata_size)))
    }
}

extension MediaInput {
    /// A copy of stream `index`'s codec parameters.
    public func parameters(ofStream index: Int) throws(FFmpegError) -> StreamParameters {
        try StreamParameters(copying: context.pointee.streams[index]!.pointee.codecpar)
    }
}
