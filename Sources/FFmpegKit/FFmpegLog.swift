internal import CFFmpeg

/// How much FFmpeg itself prints on stderr (its own log, libx264's statistics, demuxer warnings).
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

    public static func setLevel(_ level: Level) { av_log_set_level(level.av) }
}
