internal import CFFmpeg

/// Owns one `AVCodecContext` and frees it exactly once, in `deinit`.
///
/// `Decoder` and `Encoder` hold one of these instead of the raw pointer so that an initializer that
/// throws halfway (a codec that refuses its parameters, x264 out of memory) never frees the context
/// itself: Swift runs a class's `deinit` when its initializer throws after every stored property is set,
/// so a free in a `catch` block plus one in `deinit` is a double free. With one owner there is one free,
/// whichever way initialization ends.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init(_ codec: UnsafePointer<AVCodec>, name: String) throws(FFmpegError) {
        pointer = try allocated(avcodec_alloc_context3(codec), "avcodec_alloc_context3(\(name))")
    }

    deinit {
        var owned: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&owned)
    }
}
