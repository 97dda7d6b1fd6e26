import ArgumentParser
import Foundation
import LadderConfig
import FFmpegKit
import LiveLadderCore
import Logging

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Transcode an input into an HLS ladder: <output>/master.m3u8 and <output>/<rendition>/index.m3u8."
    )

    @Option(name: .long, help: "Input file path or URL.")
    var input: String

    @Option(name: .long, help: "Output folder.")
    var output: String

    @Option(name: .long, help: "Ladder config (YAML). Without it a default ladder is derived from the source.")
    var config: String?

    @Option(name: .long, help: "Segment duration in seconds (overrides the config).")
    var segmentDuration: Double?

    @Option(name: .long, help: "Segment container: ts or fmp4 (overrides the config).")
    var segmentFormat: String?

    @Option(name: .long, help: "Playlist type: vod (written once at the end) or event (appended as segments are made).")
    var playlistType: String = "vod"

    @Option(name: .long, help: "An FFmpeg input option KEY=VALUE (repeatable).")
    var inputOption: [String] = []

    @Flag(name: .long, help: "Replace a previous run's files in the output folder.")
    var overwrite = false

    @Flag(name: .long, help: "Log progress details.")
    var verbose = false

    func run() throws {
        var logger = Logger(label: "liveladder")
        logger.logLevel = verbose ? .debug : .warning
        FFmpegLog.configure(echo: verbose ? .info : nil)

        let options: RunOptions
        do {
            options = try makeOptions()
        } catch let error as ConfigError {
            fail(error.message, code: LiveLadderError.Kind.badConfig.rawValue)
        }
        do {
            let summary = try LadderRun(options: options, logger: logger).run()
            let names = summary.renditions.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: ", ")
            print("wrote \(options.output)/master.m3u8: \(summary.renditions.count) renditions (\(names))\(summary.hasAudio ? " + AAC audio" : ", no audio"), \(summary.videoFrames) frames")
            if summary.damagedPackets > 0 {
                print("skipped \(summary.damagedPackets) damaged packets")
            }
        } catch let error as LiveLadderError {
            fail(error.message, code: error.exitCode)
        }
    }

    private func makeOptions() throws -> RunOptions {
        var ladder = LadderConfig.defaults
        if let config { ladder = try LadderConfig.load(path: config) }
        var format: SegmentFormat?
        if let segmentFormat {
            guard let parsed = SegmentFormat(rawValue: segmentFormat) else {
                throw ConfigError("--segment-format: \"\(segmentFormat)\" is not a segment format (use ts or fmp4)")
            }
            format = parsed
        }
        ladder = try ladder.with(segmentDuration: segmentDuration, segmentFormat: format)
        guard let kind = PlaylistKind(rawValue: playlistType) else {
            throw ConfigError("--playlist-type: \"\(playlistType)\" is not a playlist type (use vod or event)")
        }
        var inputOptions: [String: String] = [:]
        for option in inputOption {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw ConfigError("--input-option: \"\(option)\" is not KEY=VALUE")
            }
            inputOptions[String(option[..<equals])] = String(option[option.index(after: equals)...])
        }
        return RunOptions(input: input, output: output, config: ladder, playlistKind: kind,
                          overwrite: overwrite, inputOptions: inputOptions)
    }
}
