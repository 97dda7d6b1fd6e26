internal import CFFmpeg

/// The versions of the libraries this binary runs with, read at run time (for `--version` and bug reports).
public enum LibraryVersions {
    /// FFmpeg's own version string, e.g. `5.1.6-0+deb12u1`.
    public static var ffmpeg: String { String(cString: av_version_info()) }

    /// libavcodec's version as major.minor.micro.
    public static var libavcodec: String {
        let version = avcodec_version()
        return "\(version >> 16).\((version >> 8) & 0xff).\(version & 0xff)"
    }

    /// libx264's banner, e.g. `core 164 r3095 baee400`, or nil when this FFmpeg has no libx264.
    ///
    /// libx264 exposes its build only in its header (not installed here) and in the user-data SEI it writes
    /// into its first frame, so one black 16x16 frame is encoded and the banner read from that SEI. This is
    /// the library really loaded, not the one a header was compiled against.
    public static func x264() -> String? {
        var settings = VideoEncoderSettings(width: 16, height: 16, frameRate: Rational(25, 1), bitRate: 100_000,
                                            maxRate: 100_000, bufferSize: 100_000, gopSize: 1, preset: "ultrafast",
                                            profile: "high", globalHeader: false, threads: 1)
        settings.lowLatency = true
        guard let encoder = try? Encoder(video: settings),
              let frame = try? Frame.video(width: 16, height: 16, format: .yuv420p) else { return nil }
        try? frame.fillBlack()
        frame.pointer.pointee.pts = 0
        guard (try? encoder.send(frame)) != nil, (try? encoder.send(nil)) != nil,
              let packets = try? encoder.drain() else { return nil }
        for packet in packets {
            let bytes = packet.bytes
            let text = String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7f ? $0 : 0x0a }, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("x264 - core ") {
                // "x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - Copyleft …"
                let banner = line.dropFirst("x264 - ".count)
                return String(banner.components(separatedBy: " - ").first ?? String(banner))
            }
        }
        return nil
    }
}
