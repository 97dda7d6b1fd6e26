internal import CFFmpeg

/// Owns an `SwsContext` that turns decoded pictures into one rendition's size and pixel format. The
/// context is rebuilt if the source size or format changes mid-stream (a live publisher reconnecting).
public final class VideoScaler {
    private var context: OpaquePointer?
    /// The last picture handed out, reused once nobody else holds its buffers.
    private var recycled: Frame?
    public let width: Int
    public let height: Int
    public let format: PixelFormat

    public init(width: Int, height: Int, format: PixelFormat = .yuv420p) {
        self.width = width
        self.height = height
        self.format = format
    }

    deinit { sws_freeContext(context) }

    /// True when `frame` can go to the encoder as it is: same size and format, nothing to do.
    public func isPassThrough(for frame: Frame) -> Bool {
        frame.width == width && frame.height == height && frame.pixelFormat == format
    }

    /// The previous output frame when its buffers are free again, a new one otherwise. The encoder takes
    /// its own reference to a frame it is sent (libx264 copies the picture and lets go), so by the next
    /// call the buffers are usually ours alone; `av_frame_make_writable` checks, and allocates if not.
    /// Reusing saves a fresh allocation, and its page faults, per frame and rendition.
    private func reusableFrame() throws(FFmpegError) -> Frame {
        if let recycled {
            try check(av_frame_make_writable(recycled.pointer), "av_frame_make_writable")
            return recycled
        }
        let frame = try Frame.video(width: width, height: height, format: format)
        recycled = frame
        return frame
    }

    /// The frame at the target size (the same `Frame` object on every call: send it on before the next);
    /// timestamps are the caller's to set.
    public func scale(_ source: Frame) throws(FFmpegError) -> Frame {
        context = sws_getCachedContext(context, Int32(source.width), Int32(source.height),
                                       AVPixelFormat(rawValue: source.pixelFormat.rawValue),
                                       Int32(width), Int32(height), AVPixelFormat(rawValue: format.rawValue),
                                       SWS_BICUBIC, nil, nil, nil)
        guard let context else {
            throw FFmpegError(operation: "sws_getCachedContext(\(source.width)x\(source.height) \(source.pixelFormat) -> \(width)x\(height))",
                              message: "unsupported conversion")
        }
        let output = try reusableFrame()
        try check(sws_scale_frame(context, output.pointer, source.pointer), "sws_scale_frame")
        return output
    }
}
