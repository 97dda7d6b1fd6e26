internal import CFFmpeg

/// Owns one `AVFrame`. A decoded picture reaches every rendition as its own `Frame` made with
/// `reference()` (`av_frame_ref`): the pixel buffers are shared and refcounted, the small struct with
/// timestamps and the picture type is each rendition's own, so one rendition forcing an IDR or
/// rewriting `pts` never touches another's.
///
/// `@unchecked Sendable`: a frame is handed from one thread to another through a queue and is touched by
/// one thread at a time; the buffers it shares with other frames are read-only once decoded.
public final class Frame: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<AVFrame>

    public init() throws(FFmpegError) {
        pointer = try allocated(av_frame_alloc(), "av_frame_alloc")
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// A new frame sharing this one's buffers (`av_frame_ref`), with its own copy of the properties.
    public func reference() throws(FFmpegError) -> Frame {
        let copy = try Frame()
        try check(av_frame_ref(copy.pointer, pointer), "av_frame_ref")
        return copy
    }

    public var pts: Int64? {
        get { optionalTimestamp(pointer.pointee.pts) }
        set { pointer.pointee.pts = newValue ?? noTimestamp }
    }

    /// The decoder's best guess at the presentation time (`best_effort_timestamp`), in the stream's time base.
    public var bestEffortTimestamp: Int64? { optionalTimestamp(pointer.pointee.best_effort_timestamp) }

    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: pointer.pointee.format) }
    public var sampleCount: Int { Int(pointer.pointee.nb_samples) }
    public var sampleRate: Int { Int(pointer.pointee.sample_rate) }
    public var channelCount: Int { Int(pointer.pointee.ch_layout.nb_channels) }

    /// The frame's metadata entries (filters such as `psnr` and `ssim` report per-frame scores here,
    /// e.g. `lavfi.psnr.psnr_avg`).
    public var metadata: [String: String] {
        var result: [String: String] = [:]
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(pointer.pointee.metadata, "", entry, AV_DICT_IGNORE_SUFFIX) {
            result[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
            entry = next
        }
        return result
    }

    /// One metadata entry, or nil when the frame has none by that key.
    public func metadata(_ key: String) -> String? {
        av_dict_get(pointer.pointee.metadata, key, nil, 0).map { String(cString: $0.pointee.value) }
    }

    /// Whether the decoder says this picture was a keyframe in the source (`key_frame`: an IDR or a recovery
    /// point). Read on the decoded frame, before `forceKeyframe` rewrites the picture type.
    public var wasKeyframe: Bool { pointer.pointee.key_frame != 0 }

    /// Asks the encoder for a keyframe here; with libx264's `forced-idr` it becomes an IDR.
    public var forceKeyframe: Bool {
        get { pointer.pointee.pict_type == AV_PICTURE_TYPE_I }
        set { pointer.pointee.pict_type = newValue ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE }
    }

    /// Fills every plane with black (video) or silence (audio); used for padding and slates.
    public func fillBlack() throws(FFmpegError) {
        if pointer.pointee.nb_samples > 0 {
            try check(av_samples_set_silence(pointer.pointee.extended_data, 0, pointer.pointee.nb_samples,
                                             pointer.pointee.ch_layout.nb_channels,
                                             AVSampleFormat(rawValue: pointer.pointee.format)), "av_samples_set_silence")
            return
        }
        try check(ll_frame_fill_black(pointer), "av_image_fill_black")
    }

    /// A new video frame with its own buffers.
    public static func video(width: Int, height: Int, format: PixelFormat) throws(FFmpegError) -> Frame {
        let frame = try Frame()
        frame.pointer.pointee.width = Int32(width)
        frame.pointer.pointee.height = Int32(height)
        frame.pointer.pointee.format = format.rawValue
        try check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer(\(width)x\(height))")
        return frame
    }
}

/// A pixel format (`AVPixelFormat`), by value.
public struct PixelFormat: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let yuv420p = PixelFormat(rawValue: AV_PIX_FMT_YUV420P.rawValue)
    public var description: String {
        guard let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: rawValue)) else { return "none" }
        return String(cString: name)
    }
}
