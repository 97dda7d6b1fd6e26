import AsyncHTTPClient
import Foundation

/// One HTTP answer as the checks see it: status, the headers they read, the body (bounded) and how long it
/// took from the request to the last body byte.
struct FetchedResource: Sendable {
    var status: Int
    var contentType: String?
    var cacheControl: String?
    var contentLength: Int?
    var body: [UInt8]
    /// Seconds from sending the request to having the whole body.
    var elapsed: Double
    /// The URL that answered, after redirects (always inside the stream's base path, see `StreamFetcher`).
    var url: URL
}

/// Why a request gave no answer at all.
enum FetchFailure: Error, Sendable, CustomStringConvertible {
    /// Connection refused, DNS, TLS verification, a time-out: the transport's own words.
    case transport(String)
    /// The body is larger than the limit for its kind.
    case tooLarge(Int)
    /// A redirect that leaves the stream's base path, or too many of them.
    case redirect(String)

    var description: String {
        switch self {
        case .transport(let text): text
        case .tooLarge(let limit): "the body is larger than the \(limit >> 20) MiB check reads for such a resource"
        case .redirect(let text): text
        }
    }
}

/// The one HTTP client of a remote check (AsyncHTTPClient over persistent connections, TLS verified with
/// the system's trust roots, no decompression).
///
/// Redirects are followed here rather than by the client, so each hop can be checked: at most
/// `maximumRedirects`, and for everything but the master only to a URL inside the stream's base path
/// (a player resolves a segment's URI against its playlist, and a redirect out of the stream would read
/// something the stream's URIs never named).
final class StreamFetcher: Sendable {
    static let maximumRedirects = 3
    /// Plain requests: a segment of 256 MiB at 50 Mbit/s still fits.
    static let requestTimeout = 60.0

    private let client: HTTPClient

    init() {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(30)),
            decompression: .disabled)
        configuration.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// GETs `url`, following at most `maximumRedirects` redirects that `allowRedirect` accepts, reading at
    /// most `limit` body bytes, giving up after `timeout` seconds.
    func get(_ url: URL, limit: Int, timeout: Double = requestTimeout,
             allowRedirect: @Sendable (URL) -> Bool) async throws(FetchFailure) -> FetchedResource {
        let started = ContinuousClock.now
        var current = url
        for _ in 0...Self.maximumRedirects {
            let response: HTTPClientResponse
            let body: [UInt8]
            do {
                var request = HTTPClientRequest(url: current.absoluteString)
                request.headers.add(name: "User-Agent", value: "liveladder-check")
                let remaining = max(0.1, timeout - started.duration(to: .now).seconds)
                response = try await client.execute(request, timeout: .milliseconds(Int64(remaining * 1000)))
                let declared = response.headers.first(name: "Content-Length").flatMap { Int($0) }
                if let declared, declared > limit { throw FetchFailure.tooLarge(limit) }
                body = Array(try await response.body.collect(upTo: limit).readableBytesView)
            } catch let failure as FetchFailure {
                throw failure
            } catch where String(describing: type(of: error)).contains("TooManyBytes") {
                // NIO's NIOTooManyBytesError, matched by name: this module does not import NIO itself.
                throw .tooLarge(limit)
            } catch {
                throw .transport(Self.describe(error))
            }
            let status = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(status) {
                guard let location = response.headers.first(name: "Location"),
                      let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                    throw .redirect("answered \(status) without a usable Location")
                }
                guard allowRedirect(next) else {
                    throw .redirect("redirects (\(status)) to \(next.absoluteString), outside the stream's base URL")
                }
                current = next
                continue
            }
            return FetchedResource(
                status: status,
                contentType: response.headers.first(name: "Content-Type"),
                cacheControl: response.headers[canonicalForm: "Cache-Control"].map(String.init).joined(separator: ", ")
                    .nilIfEmpty,
                contentLength: response.headers.first(name: "Content-Length").flatMap { Int($0) },
                body: body,
                elapsed: started.duration(to: .now).seconds,
                url: current)
        }
        throw .redirect("redirects more than \(Self.maximumRedirects) times")
    }

    /// A transport error in a few words: AsyncHTTPClient's and NIO's descriptions are type names.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout: return "no complete answer in time"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS: the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); check verifies certificates against the system's roots"
        }
        if text.contains("hostname") || text.contains("unableToValidateCertificate") {
            return "TLS: the server's certificate does not name this host"
        }
        if text.contains("handshakeFailed") || text.contains("NIOSSL") { return "the TLS handshake failed" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NIOConnectionError") || text.contains("unresolved") { return "cannot connect (\(text.prefix(120)))" }
        return text.split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) } ?? "request failed"
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
