import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What one request to an origin gave.
public enum PushResponse: Sendable, Equatable {
    /// The origin answered with this status.
    case status(Int)
    /// No answer: refused, reset, timed out, TLS failure. The text says which.
    case failed(String)
}

/// Sends one request. `PushDestination` owns the retry and ordering policy; this only talks HTTP, so
/// tests can drive that policy with a transport of their own.
public protocol PushTransport: Sendable {
    func send(method: String, url: URL, headers: [(name: String, value: String)], body: [UInt8]?, timeout: Duration) async -> PushResponse
    func shutdown() async
}

/// async-http-client: persistent connections (a pool per origin, kept alive between requests), TLS
/// verified against the system's roots, no redirects followed (a PUT that is redirected was not stored).
public final class HTTPPushTransport: PushTransport {
    private let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(2)),
            connectionPool: .init(idleTimeout: .seconds(60)))
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func send(method: String, url: URL, headers: [(name: String, value: String)], body: [UInt8]?, timeout: Duration) async -> PushResponse {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let milliseconds = max(1, Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        let deadline = NIODeadline.now() + .milliseconds(milliseconds)
        do {
            let response = try await client.execute(request, deadline: deadline)
            // Read the answer to its end so the connection goes back to the pool. async-http-client's
            // deadline ends with the response head, so the body gets what is left of it: an origin that
            // sends a head and then an endless or dripping body would otherwise hold this request, and
            // the rendition's lane, forever. An answer that does not end in time did not arrive.
            try await Self.readToEnd(response.body, by: deadline)
            return .status(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed("no answer within \(milliseconds) ms")
        } catch is CancellationError {
            return .failed("cancelled")
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// Consumes `body` (nothing kept), or throws `deadlineExceeded` at `deadline`: cancelling the reading
    /// task ends async-http-client's body stream, which closes the connection.
    static func readToEnd(_ body: HTTPClientResponse.Body, by deadline: NIODeadline) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in body {}
            }
            group.addTask {
                let left = deadline - .now()
                if left.nanoseconds > 0 { try await Task.sleep(nanoseconds: UInt64(left.nanoseconds)) }
                throw HTTPClientError.deadlineExceeded
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// NIO's errors describe themselves at length and in their own terms; an alert or an event needs
    /// the cause in a few words. The common ones are named; anything else is its first line.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let known: [(String, String)] = [
            ("CERTIFICATE_VERIFY_FAILED", "TLS: the origin's certificate is not trusted (CERTIFICATE_VERIFY_FAILED)"),
            ("Connection refused", "connection refused"),
            ("connectTimeout", "no connection within 2 s"),
            ("Connection reset", "connection reset by the origin"),
            ("remoteConnectionClosed", "the origin closed the connection before answering"),
            ("Name or service not known", "the origin's host name does not resolve"),
            ("No address associated", "the origin's host name does not resolve"),
        ]
        if let match = known.first(where: { text.contains($0.0) }) { return match.1 }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(197)) + "…" : line
    }
}
