import ArgumentParser
import LiveLadderCore
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
        discussion: "`liveladder --version` prints the version and the FFmpeg and x264 it runs with. Exit codes: 0 ok, 1 check failed or regress found a regression, 2 a regress case could not run, 3 bad config, 4 bad input, 5 no video stream, 6 unsupported codec, 7 bad output folder, 8 processing failed, 9 live input lost, 10 every video rendition failed, 11 VOD stopped before the end of its input, 64 bad command line.",
        subcommands: [RunCommand.self, ProbeCommand.self, CheckCommand.self, SummarizeCommand.self, RegressCommand.self]
    )
}

extension LiveLadderCommand {
    /// swift-argument-parser's own entry point, with LiveLadder's one-line errors and a `--version` that
    /// names the FFmpeg and x264 this binary really runs with (read at run time, so no static string).
    static func main() async {
        // FFmpeg's own log stays off stderr (errors are one line); `run --verbose` turns it back on.
        FFmpegLog.configure(echo: nil)
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            print(versionLine)
            return
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Help and clean exits keep the parser's behaviour (help on stdout, exit 0).
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            fail(CommandLineErrors.message(for: error, arguments: arguments), code: ExitCode.validationFailure.rawValue)
        }
    }

    static var version: String { LiveLadderVersion.version }

    static var versionLine: String {
        "liveladder \(version) (FFmpeg \(LibraryVersions.ffmpeg), libavcodec \(LibraryVersions.libavcodec), x264 \(LibraryVersions.x264() ?? "not available"))"
    }
}

/// Prints one line on stderr and exits with the documented code.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("liveladder: error: \(message)\n".utf8))
    exit(code)
}
