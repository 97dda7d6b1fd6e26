import ArgumentParser
import Foundation
import LadderConfig
import FFmpegKit
import LiveLadderCore
import LiveLadderServer
import LiveLadderWorker
import Logging
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Transcode an input into an HLS ladder: <output>/master.m3u8 and <output>/<rendition>/index.m3u8."
    )

    @Option(name: [.long, .customShort("i")], help: "Input file path or URL (- for stdin).")
    var input: String

    @Option(name: [.long, .customShort("o")], help: "Output folder.")
    var output: String

    @Option(name: .long, help: "Ladder config (YAML). Without it a default ladder is derived from the source.")
    var config: String?

    @Option(name: .long, parsing: .unconditional, help: "Segment duration in seconds (overrides the config).")
    var segmentDuration: Double?

    @Option(name: .long, help: "Segment container: ts or fmp4 (overrides the config).")
    var segmentFormat: String?

    @Option(name: .long, parsing: .unconditional, help: "Low-Latency HLS parts of this many seconds (fMP4, live or event playlists; e.g. 0.5), each its own fragment; serve them with --serve.")
    var partDuration: Double?

    @Flag(name: .long, help: "Lock the output to the wall clock: segment n covers [epoch + n x D, epoch + (n+1) x D), so two instances on the same live feed write interchangeable segments (docs/redundancy.md). Needs a live input and a segment duration of whole frames.")
    var epochLock = false

    @Option(name: .long, help: "The epoch of --epoch-lock, ISO 8601 with a zone (default 1970-01-01T00:00:00Z).")
    var epoch: String?

    @Option(name: .long, help: "Playlist type: vod (written once at the end), event (appended as segments are made) or live (a sliding window). Default: live for network inputs and stdin, vod for files.")
    var playlistType: String?

    @Option(name: .long, parsing: .unconditional, help: "Segments in a live playlist's window.")
    var listSize: Int = 6

    @Option(name: .long, help: "An FFmpeg input option KEY=VALUE (repeatable), e.g. rw_timeout, fifo_size, latency.")
    var inputOption: [String] = []

    @Flag(name: .long, help: "Wait for a publisher (RTMP/TCP listen=1, SRT mode=listener).")
    var listen = false

    @Flag(name: .long, help: "Read a file at its native rate, to simulate a live feed.")
    var realtime = false

    @Flag(name: .long, help: "Repeat a file forever with a continuous output timeline.")
    var loop = false

    @Option(name: .long, parsing: .unconditional, help: "Seconds without input data before the input counts as lost.")
    var inputTimeout: Double = 5

    @Option(name: .long, parsing: .unconditional, help: "Seconds to wait for a lost input to return (default: forever when listening, 30 when pulling).")
    var reconnectWindow: Double?

    @Flag(name: .long, help: "During a live input outage, keep every rendition going: the last picture, then a black slate, with silence (the default).")
    var slate = false

    @Flag(name: .long, help: "During a live input outage, produce nothing; the publisher's return starts a new session after a discontinuity.")
    var noSlate = false

    @Option(name: .long, help: "A PNG or JPEG picture for the slate (implies --slate).")
    var slateImage: String?

    @Flag(name: .long, help: "At the end of a file or stdin, leave the playlists live (no ENDLIST).")
    var keepAlive = false

    @Option(name: .long, help: "Write one JSON line per published segment (timings, sizes) to this file.")
    var segmentLog: String?

    @Option(name: .long, parsing: .unconditional, help: "Restart a rendition that takes input but produces nothing for this many seconds (default 3 x segment duration).")
    var stallTimeout: Double?

    @Option(name: .long, parsing: .unconditional, help: "Restarts a failing rendition may use within 5 minutes before it is given up.")
    var restartBudget: Int = 5

    @Flag(name: .long, help: "Deterministic: the same input, config and build give byte-identical segments (one encoder thread each, a fixed clock for PROGRAM-DATE-TIME, no restarts: a rendition failure fails the run).")
    var deterministic = false

    @Flag(name: [.long, .customShort("y")], help: "Replace a previous run's files in the output folder (only files a LiveLadder run wrote).")
    var overwrite = false

    @Flag(name: .long, help: "Log progress details.")
    var verbose = false

    @Option(name: .customLong("backup-base-url"), help: ArgumentHelp(
        "The other instance of a redundant pair: the master lists a backup of every variant at <url>/<rendition>/index.m3u8 with the same attributes (an http(s) URL or a relative path such as ../b).",
        valueName: "url"))
    var backupBaseURL: String?

    @OptionGroup(title: "Worker interface")
    var worker: WorkerOptions

    @OptionGroup(title: "Worker HTTP interface")
    var server: ServerOptions

    @OptionGroup(title: "Push to an origin")
    var push: PushOptions

    func validate() throws {
        _ = try parsedBackupBaseURL()
    }

    /// `--backup-base-url` checked: a refusal is one line naming the flag (exit 64, like every bad flag).
    private func parsedBackupBaseURL() throws -> BackupBaseURL? {
        guard let backupBaseURL else { return nil }
        do {
            return try BackupBaseURL(backupBaseURL)
        } catch {
            throw ValidationError("--backup-base-url: \(error.message)")
        }
    }

    func run() async throws {
        LoggingSetup.bootstrap(format: worker.format, level: verbose ? .debug : .warning)
        var logger = Logger(label: "liveladder")
        logger.logLevel = verbose ? .debug : .warning
        FFmpegLog.configure(echo: verbose ? .info : nil)

        let options: RunOptions
        do {
            options = try makeOptions()
        } catch let error as ConfigError {
            fail(error.message, code: LiveLadderError.Kind.badConfig.rawValue)
        }
        let services = RunServices(options: options, logger: logger, worker: worker, server: server, push: push)
        do {
            try await services.group.run()
        } catch where services.pipeline.ending != nil {
            // A service beside the pipeline failed (the HTTP server could not listen): the ending says how.
        }
        guard let ending = services.pipeline.ending else { fail("the run did not finish", code: LiveLadderError.Kind.processing.rawValue) }
        if let error = ending.error { fail(error, code: ending.code) }
        // With `--events -`, stdout is the event stream: the human summary goes to stderr.
        let print: (String) -> Void = worker.events == "-"
            ? { FileHandle.standardError.write(Data(($0 + "\n").utf8)) } : { Swift.print($0) }
        if let message = ending.stoppedBeforeInput {
            print("stopped before the input opened: \(message)")
            return
        }
        guard let summary = ending.summary else { return }
        let names = summary.renditions.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: ", ")
        print("wrote \(options.output)/master.m3u8: \(plural(summary.renditions.count, "rendition")) (\(names))\(summary.hasAudio ? " + AAC audio" : ", no audio"), \(summary.videoFrames) frames")
        if !summary.droppedUnderLoad.isEmpty {
            let list = summary.droppedUnderLoad.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("pictures dropped under load (behind the live input, no segment lost): \(list)")
        }
        if summary.restarts > 0 { print("renditions restarted \(plural(summary.restarts, "time"))") }
        if summary.damagedPackets > 0 || summary.timestampJumps > 0 || summary.slateFrames > 0 || summary.sessions > 1 {
            print("input: \(plural(summary.sessions, "session")), \(plural(summary.damagedPackets, "damaged packet")) skipped, \(plural(summary.timestampJumps, "timestamp jump")) stitched, \(plural(summary.slateFrames, "slate frame"))")
        }
    }

    /// A duration flag must be a finite number of seconds in `allowed`: NaN compares false with everything,
    /// so a plain `> 0` test would let `nan` through to the timers.
    private static func checkSeconds(_ value: Double, _ flag: String, allowed: ClosedRange<Double>) throws {
        guard value.isFinite, allowed.contains(value) else {
            throw ConfigError("\(flag): \(value) is not a duration in seconds (allowed \(plain(allowed.lowerBound)) to \(plain(allowed.upperBound)))")
        }
    }

    private func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
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
        if let partDuration { try Self.checkSeconds(partDuration, "--part-duration", allowed: 0.1...15) }
        ladder = try ladder.with(segmentDuration: segmentDuration, segmentFormat: format, partDuration: partDuration)
        ladder = try ladder.with(epochLock: epochLock, epoch: epoch)
        var kind: PlaylistKind?
        if let playlistType {
            guard let parsed = PlaylistKind(rawValue: playlistType) else {
                throw ConfigError("--playlist-type: \"\(playlistType)\" is not a playlist type (use vod, event or live)")
            }
            kind = parsed
        }
        try Self.checkSeconds(inputTimeout, "--input-timeout", allowed: 0.1...3600)
        if let reconnectWindow { try Self.checkSeconds(reconnectWindow, "--reconnect-window", allowed: 0...(366 * 86_400)) }
        if let stallTimeout { try Self.checkSeconds(stallTimeout, "--stall-timeout", allowed: 0.1...3600) }
        guard (3...100_000).contains(listSize) else {
            throw ConfigError("--list-size: \(listSize) is out of range (allowed 3 to 100000; a live window needs at least 3 segments, Apple asks for 6)")
        }
        var inputOptions: [String: String] = [:]
        for option in inputOption {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw ConfigError("--input-option: \"\(option)\" is not KEY=VALUE")
            }
            inputOptions[String(option[..<equals])] = String(option[option.index(after: equals)...])
        }
        var options = RunOptions(input: input, output: output, config: ladder, playlistKind: kind,
                                 overwrite: overwrite, inputOptions: inputOptions)
        options.listen = listen
        options.listSize = listSize
        options.realtime = realtime
        options.loop = loop
        options.inputTimeout = inputTimeout
        options.reconnectWindow = reconnectWindow
        if noSlate && (slate || slateImage != nil) {
            throw ConfigError("--no-slate: cannot be combined with --slate or --slate-image")
        }
        options.slate = !noSlate
        options.slateImage = slateImage
        options.keepAlive = keepAlive
        options.segmentLog = segmentLog
        options.stallTimeout = stallTimeout
        guard (0...10_000).contains(restartBudget) else { throw ConfigError("--restart-budget: \(restartBudget) is out of range (allowed 0 to 10000)") }
        options.restartBudget = restartBudget
        options.backupBaseURL = try parsedBackupBaseURL()
        if deterministic { try options.makeDeterministic() }
        return options
    }
}
