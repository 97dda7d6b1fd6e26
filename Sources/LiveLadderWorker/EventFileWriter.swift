import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle

/// `--events PATH` (or `-` for stdout): one CloudEvents JSON object per line, each written as it comes.
///
/// It reads a bounded stream of the bus, so a slow disk or a stalled stdout reader never holds up the
/// pipeline: the bus drops the oldest undelivered events and counts them
/// (`RunEventBus.droppedCount`). A write failure is logged once; the run goes on without the file.
public final class EventFileWriter: Service, Sendable {
    public static let streamCapacity = 4096

    private let output: FileDescriptorOutput
    private let stream: AsyncStream<StampedEvent>
    private let includeSegments: Bool
    private let source: String
    private let logger: Logger
    private let drainTimeout: Duration
    /// Where it writes, for messages: the path, or `-`.
    public let destination: String

    /// Opens (creates or truncates) the file now, so a bad path is refused before the run starts, and
    /// subscribes to the bus now, so no event emitted before `run()` is missed.
    public init(path: String, includeSegments: Bool, bus: RunEventBus, source: String = CloudEvent.defaultSource,
                logger: Logger = Logger(label: "liveladder.events"), drainTimeout: Duration = .seconds(5)) throws {
        output = path == "-" ? .standardOutput() : try .create(path: path, flag: "--events")
        destination = path
        self.includeSegments = includeSegments
        self.source = source
        self.logger = logger
        self.drainTimeout = drainTimeout
        stream = bus.stream(capacity: Self.streamCapacity)
    }

    public func run() async throws {
        await ObserverLoop.run(stream, name: "events file", drainTimeout: drainTimeout, logger: logger) { [self] event in
            write(event)
        }
    }

    /// Reads the stream until it ends, without waiting for a shutdown signal (for tests and for callers
    /// that run it outside a `ServiceGroup`).
    public func consume() async {
        for await event in stream { write(event) }
    }

    private func write(_ event: StampedEvent) {
        // One encoder per line: JSONEncoder is not Sendable, and the cost is small next to the write.
        guard let line = EventLines.line(for: event, includeSegments: includeSegments, source: source,
                                         encoder: CloudEvent.makeEncoder()) else { return }
        if let error = output.write(line) {
            logger.error("--events \(destination): cannot write: \(error); no more events are written there")
        }
    }
}
