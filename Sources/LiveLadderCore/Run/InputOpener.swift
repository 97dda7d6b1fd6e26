import Foundation
import FFmpegKit

/// Opens the input and turns FFmpeg's failures into the one-line errors and exit codes users see.
enum InputOpener {
    static func open(_ input: String, options: [String: String]) throws -> MediaInput {
        try open(InputSource(input: input, options: options, listen: false), interrupt: nil)
    }

    /// Opens `source`; with `interrupt`, the open (and a listen input's wait for its publisher) gives up
    /// when the guard says so. Once connected, probing the streams gets `probeTime` seconds of its own.
    static func open(_ source: InputSource, interrupt: InterruptGuard?, probeTime: Double? = nil) throws -> MediaInput {
        let url = source.url
        let options = source.options
        let isPlainPath = source.kind == .file && !url.hasPrefix("file:")
        if isPlainPath {
            guard FileManager.default.fileExists(atPath: url) else {
                throw LiveLadderError(.badInput, "input not found: \(url)")
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
                throw LiveLadderError(.badInput, "cannot connect to \(url): connection refused; is the source running?")
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
