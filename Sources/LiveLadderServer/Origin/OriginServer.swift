import Hummingbird
import Logging
import ServiceLifecycle

/// `--serve ADDR:PORT`: the built-in origin, a swift-service-lifecycle service beside the pipeline, on a
/// port of its own. Players need no token, so it may listen beyond loopback; it only ever answers with
/// what the run published (`OriginStore`).
public final class OriginServer: Service, Sendable {
    public let host: String
    public let port: Int
    public let store: OriginStore
    private let promise = PortPromise()
    private let logger: Logger
    private let metrics: OriginMetrics?

    /// `metrics`: from the worker interface's `MetricsObserver` when `--http` runs too.
    public init(host: String, port: Int, store: OriginStore, metrics: OriginMetrics? = nil, logger: Logger = Logger(label: "liveladder.origin")) {
        self.metrics = metrics
        self.host = host
        self.port = port
        self.store = store
        self.logger = logger
    }

    /// The port it listens on, once it does; nil if it could not.
    public func boundPort() async -> Int? { await promise.value }

    public var listenFailure: String? { promise.failure }

    public func run() async throws {
        try await WorkerHTTPServer.serve(responder: OriginResponder(store: store, metrics: metrics), host: host, port: port,
                                         idleTimeout: 60, promise: promise, logger: logger)
    }

    /// `--serve`: `8080` (on 127.0.0.1), `HOST:PORT` or `[IPv6]:PORT`.
    public static func parse(listen: String) throws -> (host: String, port: Int) {
        // The worker interface's address syntax; a token is not asked for (players send none).
        let configuration = try HTTPServerConfiguration.parse(listen: listen, token: nil, flag: "--serve", requireToken: false)
        return (configuration.host, configuration.port)
    }
}
