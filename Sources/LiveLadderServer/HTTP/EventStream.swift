import Foundation
import Hummingbird
import LiveLadderCore
import ServiceLifecycle

/// `GET /v1/events`: the run's events as Server-Sent Events, one
/// `id: <sequence>\nevent: <type>\ndata: <CloudEvent JSON>\n\n` each, with a `: keep-alive` comment
/// every `heartbeat` seconds.
///
/// A client that reads slowly or not at all costs bounded memory and never holds up the pipeline: a
/// forwarding task drains the bus's stream at once (so the bus never waits), encodes each event and
/// offers it to this client's own buffer of `capacity` chunks, which keeps the newest and drops (and
/// counts) the oldest. Only the writing loop waits for the socket. There is no replay: an event emitted
/// before the client subscribed, or dropped while it lagged, is not sent again (the gap shows in `id`).
struct EventStream: Sendable {
    let bus: RunEventBus
    let source: String
    let capacity: Int
    let heartbeat: Double
    let includeSegments: Bool
    let drops: DropCounter

    private enum Chunk: Sendable {
        case event(String)
        case comment(String)

        var text: String {
            switch self {
            case .event(let text), .comment(let text): return text
            }
        }
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Subscribe now, before the head is sent: a client that has the head misses nothing after it.
        let events = bus.stream(capacity: capacity)
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await write(events, to: &writer)
        })
    }

    private func write(_ events: AsyncStream<StampedEvent>, to writer: inout any ResponseBodyWriter) async throws {
        let (chunks, sink) = AsyncStream<Chunk>.makeStream(bufferingPolicy: .bufferingNewest(capacity))
        // The first bytes say the subscription exists (a client may start emitting after it sees them).
        try await writer.write(ByteBuffer(string: ": connected\n\n"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                let encoder = CloudEvent.makeEncoder()
                for await stamped in events {
                    if !includeSegments, stamped.event.isPerFile { continue }
                    let json = CloudEvent(stamped, source: source).line(using: encoder)
                    let text = "id: \(stamped.sequence)\nevent: \(stamped.event.type)\ndata: \(json)\n\n"
                    if case .dropped(.event) = sink.yield(.event(text)) { drops.add(1) }
                }
                sink.finish()
            }
            group.addTask { [heartbeat] in
                while true {
                    try await Task.sleep(for: .milliseconds(Int(heartbeat * 1000)))
                    if case .terminated = sink.yield(.comment(": keep-alive\n\n")) { return }
                }
            }
            // The run's end (`RunEventBus.finish`) ends the stream after what is buffered, and so does a
            // graceful shutdown (SIGTERM through the ServiceGroup) — but a client that does not read would
            // hold its write, and with it the server's shutdown and the process, for ever. So the writing
            // runs in a task of its own that a shutdown cancels after `Self.drainGrace`, which interrupts a
            // write waiting for the socket and closes the connection.
            let box = WriterBox(writer)
            let writing = Task {
                for await chunk in chunks {
                    try await box.writer.write(ByteBuffer(string: chunk.text))
                }
            }
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await writing.value
                } onGracefulShutdown: {
                    sink.finish()
                    Task {
                        try? await Task.sleep(for: .seconds(Self.drainGrace))
                        writing.cancel()
                    }
                }
            } onCancel: {
                writing.cancel()
            }
            group.cancelAll()
            writer = box.writer
        }
        try await writer.finish(nil)
    }

    /// How long a shutting-down server gives an event stream to send what it holds.
    static let drainGrace: Double = 2
}

/// The response writer, handed to the writing task. `@unchecked Sendable`: only that task touches it
/// until it has ended, then only the handler again.
private final class WriterBox: @unchecked Sendable {
    var writer: any ResponseBodyWriter
    init(_ writer: any ResponseBodyWriter) { self.writer = writer }
}

/// Events the HTTP server's own per-client buffers dropped (added to `liveladder_events_dropped_total`).
///
/// `@unchecked Sendable`: `count` is guarded by `lock`.
final class DropCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add(_ n: Int) { lock.withLock { count += n } }
    var value: Int { lock.withLock { count } }
}
