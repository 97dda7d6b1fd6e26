import Foundation
import Hummingbird
import LiveLadderCore

/// Answers every request of the worker interface: auth, then the route, then the method.
struct WorkerResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let configuration: HTTPServerConfiguration
    let metrics: MetricsObserver
    let status: RunStatusModel
    let bus: RunEventBus
    let commands: CommandSlot
    let version: String
    let source: String
    let streamDrops: DropCounter
    /// `--serve` on the same address: every path that is not the worker interface's goes to the origin,
    /// which players reach without a token.
    var origin: OriginResponder? = nil

    private var token: BearerToken? { configuration.token.map(BearerToken.init) }

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let path = request.uri.path
        let route = WorkerRoute(path: path)
        if route == nil, let origin { return try await origin.respond(to: request, context: context) }
        // Auth before the route is told: without the token, an unknown path and a private one look alike.
        if route?.isPublic != true, let token, !token.accepts(authorization: request.headers[.authorization]) {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            return JSONResponse.error(.unauthorized, "this endpoint needs Authorization: Bearer <token> (--http-token)", headers: headers)
        }
        guard let route else { return JSONResponse.error(.notFound, "no such endpoint: \(path)") }
        guard request.method == route.method else {
            var headers = HTTPFields()
            headers[.allow] = route.method.rawValue
            return JSONResponse.error(.methodNotAllowed, "\(path) takes \(route.method.rawValue) only", headers: headers)
        }
        if route.method == .post, configuration.token == nil, !configuration.isLoopback {
            return JSONResponse.error(.forbidden, "commands without a token are taken only on a loopback address")
        }
        switch route {
        case .metrics:
            let bytes = metrics.exposition(eventsDropped: bus.droppedCount + streamDrops.value)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .livez:
            return health(status.liveness())
        case .readyz:
            return health(status.readiness())
        case .status:
            return JSONResponse.make(status.status(version: version), status: .ok)
        case .events:
            let segments = request.uri.queryParameters["segments"].map { $0 == "1" || $0 == "true" } ?? false
            return EventStream(bus: bus, source: source, capacity: configuration.eventStreamCapacity,
                               heartbeat: configuration.heartbeatSeconds, includeSegments: segments, drops: streamDrops).response()
        case .restart(let name):
            guard let commands = commands.current else {
                return JSONResponse.error(.conflict, "the pipeline is not running yet")
            }
            switch commands.restart(rendition: name) {
            case .accepted: return JSONResponse.make(Accepted(accepted: true, rendition: name), status: .accepted)
            case .unknown: return JSONResponse.error(.notFound, "no rendition named \(name) in the ladder")
            case .notRunning(let why): return JSONResponse.error(.conflict, "\(name): \(why)")
            }
        case .stop:
            guard let commands = commands.current else {
                return JSONResponse.error(.conflict, "the pipeline is not running yet")
            }
            // /readyz says no at once, before the drain.
            status.markStopping()
            commands.requestStop()
            return JSONResponse.make(Accepted(accepted: true, rendition: nil), status: .accepted)
        }
    }

    private func health(_ check: HealthCheck) -> Response {
        JSONResponse.make(check, status: check.ok ? .ok : .serviceUnavailable)
    }

    private struct Accepted: Encodable {
        let accepted: Bool
        let rendition: String?
    }
}
