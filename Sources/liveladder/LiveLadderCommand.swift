import ArgumentParser
import FFmpegKit
import Foundation

@main
struct LiveLadderCommand: AsyncParsableCommand {
    init() {
        // FFmpeg's own log stays off stderr (errors are one line); `run --verbose` turns it back on.
        FFmpegLog.configure(echo: nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "liveladder",
        abstract: "Transcode an input into an IDR-aligned H.264/AAC HLS bitrate ladder.",
        discussion: "Exit codes: 0 ok, 1 check failed, 3 bad config, 4 bad input, 5 no video stream, 6 unsupported codec, 7 bad output folder, 8 processing failed, 9 live input lost, 10 every video rendition failed, 64 bad command line.",
        subcommands: [RunCommand.self, ProbeCommand.self, CheckCommand.self]
    )
}

/// Prints one line on stderr and exits with the documented code.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("liveladder: error: \(message)\n".utf8))
    exit(code)
}
