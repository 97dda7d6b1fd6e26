import ArgumentParser
import LiveLadderWorker

/// The worker-interface options of `liveladder run` that observe the run: `@OptionGroup var worker: WorkerOptions`.
struct WorkerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write the run's events as CloudEvents JSON, one per line (- for stdout).", valueName: "path"))
    var events: String?

    @Flag(name: .long, help: "Also write one segment.published event per segment to --events.")
    var eventsSegments = false

    @Option(name: .long, help: ArgumentHelp("Log format on stderr: text or json.", valueName: "format"))
    var logFormat: String = LogFormat.text.rawValue

    @Flag(name: .long, help: "No banner and no progress line on a terminal.")
    var quiet = false

    /// The parsed `--log-format` (validated in `validate()`).
    var format: LogFormat { LogFormat(rawValue: logFormat) ?? .text }

    func validate() throws {
        do {
            _ = try LogFormat.parse(logFormat)
        } catch let error as WorkerSetupError {
            throw ValidationError(error.message)
        }
        if eventsSegments && events == nil {
            throw ValidationError("--events-segments needs --events PATH")
        }
    }
}
