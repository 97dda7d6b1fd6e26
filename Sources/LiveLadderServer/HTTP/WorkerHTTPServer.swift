import Hummingbird
import LiveLadderCore
import Logging
import ServiceLifecycle

/// The worker interface over HTTP/1.1 (Hummingbird 2): `/metrics`, `/livez`, `/readyz`, `/v1/status`,
/// `/v1/events` and the commands `POST /v1/renditions/{name}/restart` and `POST /v1/stop`
/// (docs/operations.md).
///
/// A swift-service-lifecycle `Service`: run it in the same `ServiceGroup` as the pipeline so SIGTERM
/// drains both. It only reads what observers keep (`MetricsObserver`, `RunStatusModel`) and the bus's
/// bounded streams, so no client, however slow, reaches the pipeline's threads.
public final class WorkerHTTPServer: Service, Sendable {
    public let configuration: HTTPServerConfiguration
    private let responder: WorkerResponder
    private let commandSlot: CommandSlot
    private let port = PortPromise()
    private let logger: Logger

    /// - Parameters:
    ///   - commands: the pipeline's commands; nil until it exists (`setCommands`), meanwhile 409.
    ///   - version: what `/v1/status` reports.
    ///   - source: the CloudEvents `source` of `/v1/events`.
    public init(configuration: HTTPServerConfiguration, metrics: MetricsObserver, status: RunStatusModel, bus: RunEventBus,
                commands: (any WorkerCommands)? = nil, version: String = LiveLadderVersion.version,
                source: String = CloudEvent.defaultSource, origin: OriginStore? = nil,
                logger: Logger = Logger(label: "liveladder.http")) {
        self.configuration = configuration
        self.commandSlot = CommandSlot(commands)
        self.logger = logger
        var responder = WorkerResponder(configuration: configuration, metrics: metrics, status: status, bus: bus,
                                        commands: commandSlot, version: version, source: source, streamDrops: DropCounter())
        // `--serve` on `--http`'s address: one server, the origin behind every path the interface does not have.
        responder.origin = origin.map { OriginResponder(store: $0, metrics: metrics.originMetrics()) }
        self.responder = responder
    }

    /// Hands the server the pipeline's commands once it exists (thread-safe; nil takes them away again).
    public func setCommands(_ commands: (any WorkerCommands)?) {
        commandSlot.current = commands
    }

    /// The port it listens on, once it does (the real one when configured with 0); nil if `run` ended
    /// without listening (the address was taken, say).
    public func boundPort() async -> Int? {
        await port.value
    }

    /// Why the server did not listen, once `boundPort()` said nil.
    public var listenFailure: String? { port.failure }

    public func run() async throws {
        try await Self.serve(responder: responder, host: configuration.host, port: configuration.port,
                             idleTimeout: configuration.idleTimeoutSeconds, promise: port, logger: logger)
    }

    /// Runs a Hummingbird application for `responder` until graceful shutdown, fulfilling `promise` with
    /// the port once it listens (or nil and the reason if it cannot). Shared with the origin (`OriginServer`).
    static func serve<Responder: HTTPResponder>(responder: Responder, host: String, port: Int, idleTimeout: Int,
                                                promise: PortPromise, logger: Logger) async throws
        where Responder.Context == BasicRequestContext {
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeout)))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in promise.fulfill(channel.localAddress?.port) },
            logger: logger
        )
        do {
            // Hummingbird's graceful shutdown waits for every response in flight, and an event stream to
            // a client that stops reading never ends: after `Self.shutdownGrace` the server is cancelled,
            // which closes what is left, so no client can hold the process up.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await app.run()
                    return true
                }
                group.addTask {
                    try await gracefulShutdown()
                    try await Task.sleep(for: .seconds(Self.shutdownGrace))
                    return false
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
            // The shutdown timer, or the group cancelled: the server is down either way.
        } catch {
            promise.fulfill(nil, failure: Self.reason(error))
            throw error
        }
        promise.fulfill(nil)
    }

    /// How long a graceful shutdown waits for responses in flight before closing them.
    static let shutdownGrace: Double = 3

    /// "Address already in use" rather than NIO's whole description of the failed call.
    static func reason(_ error: Error) -> String {
        let text = "\(error)"
        for known in ["Address already in use", "Permission denied", "Cannot assign requested address", "Address family not supported"]
            where text.contains(known) { return known }
        return text
    }
}
