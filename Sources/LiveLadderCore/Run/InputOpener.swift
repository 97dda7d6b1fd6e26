import Foundation
import FFmpegKit

/// Opens the input and turns FFmpeg's failures into the one-line errors and exit codes users see.
enum InputOpener {
    static func open(_ input: String, options: [String: String]) throws -> MediaInput {
        try open(InputSource(input: input, options: options, listen: false), interrupt: nil)
    }

    /// Opens `source`; with `interrupt`, the open (and a listen input's wait for its publisher) gives up
    /// when the guard says so. Once connected, probing the streams gets `probeTime` seconds of its own.
    /// What FFmpeg's RTMP server says, only as a warning, when a publisher's app or stream key is not the
    /// one in the URL it listens on (rtmpproto.c): it accepts the publisher all the same.
    static let rtmpKeyMismatch = ["App field don't match up", "Unexpected stream"]

    /// Opens `source`; with `interrupt`, the open (and a listen input's wait for its publisher) gives up
    /// when the guard says so. Once connected, probing the streams gets `probeTime` seconds of its own.
    ///
    /// An RTMP listener takes only a publisher of the app and stream key of its URL: FFmpeg accepts any and
    /// warns, so such a publisher is dropped here, reported through `refused`, and the listener waits for
    /// the next one. The stream key is what keeps a channel private (docs/live.md).
    static func open(_ source: InputSource, interrupt: InterruptGuard?, probeTime: Double? = nil,
                     refused: ((String) -> Void)? = nil) throws -> MediaInput {
        guard source.isRTMPListener else { return try openOnce(source, interrupt: interrupt, probeTime: probeTime) }
        while true {
            FFmpegLog.watch(for: rtmpKeyMismatch)
            let opened = Result { try openOnce(source, interrupt: interrupt, probeTime: probeTime) }
            let mismatches = FFmpegLog.takeWatched()
            guard !mismatches.isEmpty else { return try opened.get() }
            if interrupt?.isCancelled == true { return try opened.get() }
            // Dropping the input closes the publisher's connection; the port is listened on again.
            refused?("refused an RTMP publisher to \(source.url): \(mismatches.joined(separator: "; "))")
        }
    }

    private static func openOnce(_ source: InputSource, interrupt: InterruptGuard?, probeTime: Double?) throws -> MediaInput {
        let url = source.url
        let options = source.options
        let isPlainPath = source.kind == .file && !url.hasPrefix("file:")
        if isPlainPath {
            guard FileManager.default.fileExists(atPath: url) else {
                throw LiveLadderError(.badInput, "input not found: \(url)")
            }
            // Opening a FIFO with no writer blocks for good (no timeout reaches open(2)), and a device or a
            // folder is no media file.
            if let type = (try? FileManager.default.attributesOfItem(atPath: url))?[.type] as? FileAttributeType, type != .typeRegular {
                let kind = type == .typeDirectory ? "a folder" : type == .typeCharacterSpecial || type == .typeBlockSpecial ? "a device" : type == .typeSocket ? "a socket" : "a FIFO (named pipe)"
                throw LiveLadderError(.badInput, "input \(url) is \(kind), not a media file; to read a stream from a pipe, give it on standard input (-i - < \(url))")
            }
            guard FileManager.default.isReadableFile(atPath: url) else {
                throw LiveLadderError(.badInput, "cannot read input \(url): permission denied")
            }
        }
        _ = FFmpegLog.takeLastError()
        do {
            return try MediaInput(url: url, options: options, interrupt: interrupt,
                                  opened: { if let probeTime { interrupt?.arm(seconds: probeTime) } })
        } catch {
            // What the demuxer logged ("moov atom not found") says more than the error code's text.
            let detail = FFmpegLog.takeLastError() ?? error.message
            if error.isNotFound { throw LiveLadderError(.badInput, "input not found: \(url)") }
            if error.isPermissionDenied { throw LiveLadderError(.badInput, "cannot read input \(url): permission denied") }
            if error.isOptionNotFound {
                let name = error.option.map { "--input-option \($0)" } ?? "--input-option"
                throw LiveLadderError(.badConfig, "\(name): not an option of \(url)'s protocol or format (see `ffmpeg -h demuxer=…` / `-h protocol=…`)")
            }
            if detail.hasPrefix("Error setting option") {
                // FFmpeg's own words name the option and the value: "Error setting option timeout to value abc."
                throw LiveLadderError(.badConfig, "--input-option: \(detail) (\(url))")
            }
            if error.isInterrupted {
                throw LiveLadderError(.badInput, "input \(url) did not answer in time (\(detail))")
            }
            if error.isConnectionRefused {
                let listenHint = source.kind == .pull && ["rtmp", "srt", "tcp"].contains(source.scheme)
                    ? "; to wait for a publisher to connect instead, add --listen" : ""
                throw LiveLadderError(.badInput, "cannot connect to \(url): connection refused; is the source running?\(listenHint)")
            }
            if error.isAddressInUse {
                throw LiveLadderError(.badInput, "cannot listen on \(url): the address is already in use; stop the other listener or pick another port")
            }
            if error.isInvalidData || error.isEndOfFile {
                throw LiveLadderError(.badInput, "input \(url) is not a media file FFmpeg can read, or is truncated (\(detail))")
            }
            throw LiveLadderError(.badInput, "cannot open input \(url): \(error.description) (\(detail))")
        }
    }

    /// The video stream to transcode, checked for a decoder.
    static func videoStream(of input: MediaInput) throws -> StreamInfo {
        guard let index = input.bestStream(.video) else {
            let kinds = input.streams.map { "\($0.kind.rawValue) (\($0.codec))" }.joined(separator: ", ")
            throw LiveLadderError(.noVideo, "input \(input.url) has no video stream (it has: \(kinds.isEmpty ? "no streams" : kinds)); LiveLadder needs video")
        }
        let stream = input.streams[index]
        guard stream.decodable else {
            throw LiveLadderError(.unsupportedCodec, "input \(input.url): \(describe(stream)) cannot be decoded by this FFmpeg build")
        }
        return stream
    }

    /// The audio stream to transcode, if any. An audio stream FFmpeg cannot decode is an error, not silence.
    static func audioStream(of input: MediaInput) throws -> StreamInfo? {
        guard let index = input.bestStream(.audio) else { return nil }
        let stream = input.streams[index]
        guard stream.decodable else {
            throw LiveLadderError(.unsupportedCodec, "input \(input.url): \(describe(stream)) cannot be decoded by this FFmpeg build; remove the audio stream or convert it")
        }
        return stream
    }

    /// "video codec h264", or "the video codec (unknown to FFmpeg)" when the container names none FFmpeg knows.
    private static func describe(_ stream: StreamInfo) -> String {
        stream.codec == "none" ? "the \(stream.kind.rawValue) codec (unknown to FFmpeg)" : "\(stream.kind.rawValue) codec \(stream.codec)"
    }
}
