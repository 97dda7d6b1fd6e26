internal import CFFmpeg

/// Owns an `SwsContext` that turns decoded pictures into one rendition's size and pixel format. The
/// context is rebuilt if the source size or format changes mid-stream (a live publisher reconnecting).
public final class VideoScaler {
    private var context: OpaquePointer?
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

    /// A new frame at the target size; timestamps are the caller's to set.
    public func scale(_ source: Frame) throws(FFmpegError) -> Frame {
        context = sws_getCachedContext(context, Int32(source.width), Int32(source.height),
                                       AVPixelFormat(rawValue: source.pixelFormat.rawValue),
                                       Int32(width), Int32(height), AVPixelFormat(rawValue: format.rawValue),
                                       SWS_BICUBIC, nil, nil, nil)
        guard let context else {
            throw FFmpegError(operation: "sws_getCachedContext(\(source.width)x\(source.height) \(source.pixelFormat) -> \(width)x\(height))",
                              message: "unsupported conversion")
        }
        let output = try Frame.video(width: width, height: height, format: format)
        try check(sws_scale_frame(context, output.pointer, source.pointer), "sws_scale_frame")
        return output
    }
}
