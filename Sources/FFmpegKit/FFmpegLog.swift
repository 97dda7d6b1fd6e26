internal import CFFmpeg
import Foundation

/// FFmpeg's own log (libavformat warnings, libx264's statistics, "moov atom not found"). LiveLadder's
/// errors are one line, so by default nothing FFmpeg says reaches stderr directly; instead the last error
/// line is kept, and callers fold it into their message (`FFmpegLog.lastError`). With `echo` on (the CLI's
/// `--verbose`) lines at or above the level are also printed.
public enum FFmpegLog {
    public enum Level: Sendable {
        case quiet, error, warning, info, debug
        var av: Int32 {
            switch self {
            case .quiet: return AV_LOG_QUIET
            case .error: return AV_LOG_ERROR
            case .warning: return AV_LOG_WARNING
            case .info: return AV_LOG_INFO
            case .debug: return AV_LOG_DEBUG
            }
        }
    }

    /// Routes FFmpeg's log through us. `echo`: also print lines at or above `level` on stderr.
    public static func configure(echo level: Level?) {
        state.withLock { $0.echoLevel = level?.av ?? AV_LOG_QUIET }
        // Warnings always reach the sink: some checks FFmpeg makes end in a warning only (`watch`).
        av_log_set_level(max(level?.av ?? AV_LOG_WARNING, AV_LOG_WARNING))
        ll_set_log_sink(sink)
    }

    /// Starts collecting the warnings and errors FFmpeg logs that contain one of `needles`, for checks
    /// FFmpeg makes but only warns about (an RTMP publisher whose app or stream name is not the one
    /// listened for). `takeWatched()` returns them and stops collecting.
    public static func watch(for needles: [String]) {
        state.withLock { state in
            state.needles = needles
            state.watched = []
        }
    }

    public static func takeWatched() -> [String] {
        state.withLock { state in
            defer { state.needles = []; state.watched = [] }
            return state.watched
        }
    }

    /// The last error FFmpeg logged (text only, without the "[mov @ 0x…]" prefix), and forgets it.
    public static func takeLastError() -> String? {
        state.withLock { state in
            defer { state.lastError = nil }
            return state.lastError
        }
    }

    private struct State {
        var echoLevel: Int32 = AV_LOG_QUIET
        var lastError: String?
        var needles: [String] = []
        var watched: [String] = []
    }

    private static let state = LockedState(State())

    private static let sink: ll_log_sink = { level, line in
        guard let line else { return }
        let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        let echo = state.withLock { state -> Bool in
            if level <= AV_LOG_ERROR { state.lastError = text }
            if level <= AV_LOG_WARNING, state.needles.contains(where: { text.contains($0) }), state.watched.count < 16 {
                state.watched.append(text)
            }
            return level <= state.echoLevel
        }
        if echo { FileHandle.standardError.write(Data("ffmpeg: \(text)\n".utf8)) }
    }
}

/// A value behind a lock, for the few process-wide things FFmpeg's C callbacks need.
final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
