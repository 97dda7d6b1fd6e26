/// The versions `liveladder_build_info` reports. A plain value so this module needs no FFmpeg: the
/// executable fills it from `LiveLadderVersion.version`, `LibraryVersions.ffmpeg` and `.x264()`
/// (`BuildInfo.current()` in the liveladder target).
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    public var ffmpeg: String
    public var x264: String

    public init(version: String, ffmpeg: String, x264: String) {
        self.version = version
        self.ffmpeg = ffmpeg
        self.x264 = x264
    }
}
