import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle

/// What the banner says beyond what the events carry.
public struct BannerInfo: Sendable {
    public var version: String
    /// `host:port` of the worker interface, when it listens.
    public var httpAddress: String?

    public init(version: String = LiveLadderVersion.version, httpAddress: String? = nil) {
        self.version = version
        self.httpAddress = httpAddress
    }
}

/// The terminal's view of a run (only when stderr is a terminal, and not `--quiet`): a banner once the
/// ladder is known, then one status line rewritten in place on every progress sample (about once a
/// second), cleared at the end so the summary starts on a clean line.
///
/// Log lines written to stderr meanwhile land after the progress line's text; the next refresh starts
/// a fresh one after them, as with ffmpeg.
///
/// `@unchecked Sendable`: the mutable state is guarded by `lock` (it is only touched by the one task
/// that reads the stream, the lock just makes that checkable).
public final class ProgressLine: Service, @unchecked Sendable {
    private let stream: AsyncStream<StampedEvent>
    private let status: RunStatusModel
    private let banner: BannerInfo
    private let output: @Sendable (String) -> Void
    private let width: @Sendable () -> Int
    private let logger: Logger
    private let drainTimeout: Duration

    private let lock = NSLock()
    private var previous: RunSnapshot?
    private var shown = false

    /// - Parameters:
    ///   - output: where the text goes; stderr by default (tests pass a collector).
    ///   - width: the terminal's columns, asked at every refresh.
    public init(bus: RunEventBus, status: RunStatusModel, banner: BannerInfo,
                output: @escaping @Sendable (String) -> Void = ProgressLine.writeToStderr,
                width: @escaping @Sendable () -> Int = Terminal.stderrWidth,
                logger: Logger = Logger(label: "liveladder.progress"), drainTimeout: Duration = .seconds(5)) {
        self.status = status
        self.banner = banner
        self.output = output
        self.width = width
        self.logger = logger
        self.drainTimeout = drainTimeout
        stream = bus.stream(capacity: 256)
    }

    public func run() async throws {
        await ObserverLoop.run(stream, name: "progress line", drainTimeout: drainTimeout, logger: logger) { [self] event in
            handle(event)
        }
        finish()
    }

    /// Reads the stream until it ends, without waiting for a shutdown signal (tests, callers without a
    /// `ServiceGroup`).
    public func consume() async {
        for await event in stream { handle(event) }
        finish()
    }

    func handle(_ stamped: StampedEvent) {
        switch stamped.event {
        case .ladderResolved:
            let lines = ProgressFormat.banner(report: status.status(version: banner.version, now: stamped.time),
                                              version: banner.version, httpAddress: banner.httpAddress)
            let text = lines.map { $0 + "\n" }.joined()
            lock.withLock {
                output((shown ? ProgressFormat.clear : "") + text)
                shown = false
            }
        case .progress(let snapshot):
            let report = status.status(version: banner.version, now: stamped.time)
            lock.withLock {
                let inputSpeed = previous.flatMap { last -> Double? in
                    let wall = snapshot.time.timeIntervalSince(last.time)
                    return wall >= 0.5 ? (snapshot.mediaSeconds - last.mediaSeconds) / wall : nil
                }
                previous = snapshot
                output(ProgressFormat.refresh(ProgressFormat.line(report: report, inputSpeed: inputSpeed, width: width())))
                shown = true
            }
        case .runSummary, .runStopped:
            finish()
        default:
            break
        }
    }

    /// Clears the line, once: the CLI prints its summary after this.
    func finish() {
        lock.withLock {
            if shown { output(ProgressFormat.clear) }
            shown = false
        }
    }

    public static let writeToStderr: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }
}
