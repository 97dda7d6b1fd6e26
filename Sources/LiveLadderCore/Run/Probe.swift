import FFmpegKit

/// `liveladder probe`: the input's streams as libavformat sees them.
public enum Probe {
    public static func inspect(_ input: String) throws -> InputInfo {
        try InputOpener.open(input, options: [:]).info
    }
}
