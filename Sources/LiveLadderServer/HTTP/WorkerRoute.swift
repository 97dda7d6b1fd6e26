import Foundation
import Hummingbird

/// The worker interface's paths. Matched by hand rather than by Hummingbird's router so that a known path
/// asked with the wrong method answers 405 with an `Allow` header (the router answers 404), and so auth
/// can be decided per path before anything else runs.
enum WorkerRoute: Equatable {
    case metrics, livez, readyz, status, events, stop
    case restart(rendition: String)

    /// The route at `path` (no query), or nil for an unknown path.
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch Array(parts) {
        case ["metrics"]: self = .metrics
        case ["livez"]: self = .livez
        case ["readyz"]: self = .readyz
        case ["v1", "status"]: self = .status
        case ["v1", "events"]: self = .events
        case ["v1", "stop"]: self = .stop
        case let p where p.count == 4 && p[0] == "v1" && p[1] == "renditions" && p[3] == "restart" && !p[2].isEmpty:
            guard let name = String(p[2]).removingPercentEncoding, !name.isEmpty else { return nil }
            self = .restart(rendition: name)
        default: return nil
        }
    }

    var method: HTTPRequest.Method {
        switch self {
        case .stop, .restart: return .post
        case .metrics, .livez, .readyz, .status, .events: return .get
        }
    }

    /// Scrapers and orchestrator probes reach these without a token; they reveal no input URL or command.
    var isPublic: Bool {
        switch self {
        case .metrics, .livez, .readyz: return true
        case .status, .events, .stop, .restart: return false
        }
    }
}
