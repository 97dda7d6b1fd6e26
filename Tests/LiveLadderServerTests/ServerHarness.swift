import Foundation
import Logging
import ServiceLifecycle
import XCTest
@testable import LiveLadderCore
@testable import LiveLadderServer

/// A `WorkerHTTPServer` on a free loopback port over a synthetic bus, as RunCommand will wire it.
final class ServerHarness: @unchecked Sendable {
    let bus = RunEventBus()
    let status = RunStatusModel()
    let metrics = MetricsObserver(build: BuildInfo(version: "0.9.0", ffmpeg: "5.1.6", x264: "core 164"))
    let server: WorkerHTTPServer
    let commands = RecordingCommands()
    private var group: ServiceGroup?
    private var task: Task<Void, Error>?
    private(set) var port = 0

    init(token: String? = "s3cret", host: String = "127.0.0.1", heartbeat: Double = 15) {
        var configuration = HTTPServerConfiguration(host: host, port: 0, token: token)
        configuration.heartbeatSeconds = heartbeat
        server = WorkerHTTPServer(configuration: configuration, metrics: metrics, status: status, bus: bus, source: "liveladder://test/1")
        bus.add(status)
        bus.add(metrics)
    }

    func start() async throws {
        // As RunCommand will: the server as one service of a ServiceGroup, stopped by a graceful shutdown.
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        self.group = group
        task = Task { try await group.run() }
        guard let port = await server.boundPort(), port > 0 else { throw RawHTTP.Failure(description: "the server did not listen") }
        self.port = port
    }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = await task?.result
    }

    func get(_ path: String, token: String? = nil, method: String = "GET") async throws -> RawResponse {
        let port = self.port
        let headers = token.map { ["Authorization": "Bearer \($0)"] } ?? [:]
        return try await offPool { try RawHTTP.request(port: port, method: method, path: path, headers: headers) }
    }
}

extension ServerHarness {
    func expect(_ path: String, token: String? = nil, method: String = "GET", status: Int, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = try await get(path, token: token, method: method)
        XCTAssertEqual(response.status, status, "\(method) \(path) \(message)", file: file, line: line)
    }
}

/// Records the commands the server passed on.
final class RecordingCommands: WorkerCommands, @unchecked Sendable {
    private let lock = NSLock()
    private var restarts: [String] = []
    private var stops = 0

    func restart(rendition: String) -> RestartRequest {
        lock.withLock { restarts.append(rendition) }
        switch rendition {
        case "720p": return .accepted
        case "360p": return .notRunning("it is restarting already")
        default: return .unknown
        }
    }

    func requestStop() { lock.withLock { stops += 1 } }

    var restarted: [String] { lock.withLock { restarts } }
    var stopped: Int { lock.withLock { stops } }
}

/// The JSON of an error body.
struct ErrorBody: Decodable, Equatable {
    let error: String
    let status: Int
}

func decodeError(_ response: RawResponse, file: StaticString = #filePath, line: UInt = #line) -> ErrorBody? {
    let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body.utf8))
    XCTAssertNotNil(body, "an error body {error, status}: \(response.body)", file: file, line: line)
    XCTAssertEqual(body?.status, response.status, file: file, line: line)
    XCTAssertEqual(response.headers["content-type"], "application/json", file: file, line: line)
    return body
}
