internal import CFFmpeg

/// A failed FFmpeg call: the call that failed, FFmpeg's error code and `av_strerror`'s text for it.
public struct FFmpegError: Error, CustomStringConvertible, Sendable {
    /// The failing call, with what it was called on, e.g. `avcodec_open2(libx264)`.
    public let operation: String
    /// FFmpeg's (negative) error code.
    public let code: Int32
    /// `av_strerror`'s text for `code`, or a more precise one.
    public internal(set) var message: String
    /// For an unknown option: its name.
    public internal(set) var option: String?

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = FFmpegError.text(for: code)
    }

    /// An error FFmpeg did not report with a code (a NULL from an allocator, a missing codec).
    public init(operation: String, message: String) {
        self.operation = operation
        self.code = 0
        self.message = message
    }

    public var description: String { "\(operation) failed: \(message)" }

    public var isEndOfFile: Bool { code == ll_averror_eof() }
    public var isInvalidData: Bool { code == ll_averror_invaliddata() }
    public var isNotFound: Bool { code == ll_averror(ENOENT) }
    public var isPermissionDenied: Bool { code == ll_averror(EACCES) || code == ll_averror(EPERM) }
    /// The interrupt callback asked the blocking call to give up.
    public var isInterrupted: Bool { code == ll_averror_exit() }
    public var isOutOfMemory: Bool { code == ll_averror(ENOMEM) }
    public var isOptionNotFound: Bool { code == ll_averror_option_not_found() }
    public var isAddressInUse: Bool { code == ll_averror(EADDRINUSE) }
    public var isConnectionRefused: Bool { code == ll_averror(ECONNREFUSED) }

    static func text(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        return buffer.withUnsafeMutableBufferPointer { pointer in
            String(cString: ll_err2str(code, pointer.baseAddress, pointer.count))
        }
    }
}

/// Turns a negative FFmpeg return value into a thrown `FFmpegError`; passes other values through.
@discardableResult
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(FFmpegError) -> Int32 {
    if result < 0 { throw FFmpegError(operation: operation(), code: result) }
    return result
}

/// Unwraps an allocator's result; FFmpeg allocators return NULL only when memory runs out.
func allocated<T>(_ pointer: T?, _ operation: String) throws(FFmpegError) -> T {
    guard let pointer else { throw FFmpegError(operation: operation, code: ll_averror(ENOMEM)) }
    return pointer
}

/// EAGAIN and EOF from the send/receive API are results, not errors.
enum SendReceiveStatus {
    case ok, needsInput, endOfStream
    init(_ result: Int32, _ operation: @autoclosure () -> String) throws(FFmpegError) {
        if result >= 0 { self = .ok }
        else if result == ll_averror_eagain() { self = .needsInput }
        else if result == ll_averror_eof() { self = .endOfStream }
        else { throw FFmpegError(operation: operation(), code: result) }
    }
}
