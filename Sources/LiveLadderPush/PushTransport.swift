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
        do {
            let response = try await client.execute(request, timeout: .milliseconds(milliseconds))
            // Read the answer to its end (an origin's error page, at most 64 KiB kept) so the connection
            // goes back to the pool.
            var kept = 0
            for try await chunk in response.body { kept = min(kept + chunk.readableBytes, 1 << 16) }
            return .status(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed("no answer within \(milliseconds) ms")
        } catch is CancellationError {
            return .failed("cancelled")
        } catch {
            return .failed(Self.describe(error))
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// NIO's errors describe themselves at length; the first line is what a log needs.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(197)) + "…" : line
    }
}
