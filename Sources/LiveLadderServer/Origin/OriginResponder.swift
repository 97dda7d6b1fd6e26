import Foundation
import Hummingbird
import HLSModel

/// Answers players (`--serve`, HLS-RULES "Origin"): GET, HEAD and CORS preflight for what the run
/// published, blocking playlist reloads, single byte ranges, and the content types and caching players
/// and CDNs expect. Everything else is 404 (unknown), 405 (other methods) or 400 (malformed).
struct OriginResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: OriginStore
    let metrics: OriginMetrics?

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let (response, resource, bodyBytes) = await answer(request)
        metrics?.answered(resource: resource, status: Int(response.status.code), bodyBytes: bodyBytes)
        return response
    }

    /// The response, what kind of resource it was for (the metrics' label) and its body size.
    private func answer(_ request: Request) async -> (Response, String, Int) {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = "*"
        headers[.accessControlExposeHeaders] = "Content-Length, Content-Range, Accept-Ranges"
        switch request.method {
        case .get, .head:
            break
        case .options:
            headers[.accessControlAllowMethods] = "GET, HEAD, OPTIONS"
            headers[.accessControlAllowHeaders] = "Range"
            headers[.accessControlMaxAge] = "86400"
            return (Response(status: .noContent, headers: headers), "other", 0)
        default:
            headers[.allow] = "GET, HEAD, OPTIONS"
            return (text(.methodNotAllowed, "\(request.method.rawValue) is not served; use GET or HEAD", headers), "other", 0)
        }
        guard let path = Self.resourcePath(request.uri.path) else {
            return (text(.notFound, "no such resource", headers), "other", 0)
        }
        var found = store.file(path)
        if found == nil, let target = store.hinted(path) {
            // The part the playlist hints at: held until it is complete, then served whole (O4).
            let started = Date()
            let published = await store.waitForFile(path, timeout: 3 * Double(target))
            metrics?.held(seconds: Date().timeIntervalSince(started))
            guard published else {
                return (text(.serviceUnavailable, "the hinted part did not appear within 3 × target duration", headers), "segment", 0)
            }
            found = store.file(path)
        }
        guard var served = found else { return (text(.notFound, "no such resource", headers), "other", 0) }
        let resource = Self.label(served.kind)
        if served.kind == .mediaPlaylist {
            switch await playlist(path, request) {
            case .success(let bytes): served = OriginStore.Served(bytes: bytes, kind: .mediaPlaylist)
            case .failure(let status, let message): return (text(status, message, headers), resource, 0)
            }
        }
        headers[.contentType] = Self.contentType(path, served.kind)
        headers[.cacheControl] = served.kind == .masterPlaylist || served.kind == .mediaPlaylist
            ? "no-cache" : "public, max-age=31536000, immutable"
        headers[.acceptRanges] = "bytes"
        var bytes = served.bytes[...]
        var status = HTTPResponse.Status.ok
        if let range = request.headers[.range], served.kind == .segment || served.kind == .initSegment {
            switch ByteRange.parse(range, length: served.bytes.count) {
            case .whole:
                break
            case .part(let slice):
                bytes = served.bytes[slice]
                status = .partialContent
                headers[.contentRange] = "bytes \(slice.lowerBound)-\(slice.upperBound - 1)/\(served.bytes.count)"
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(served.bytes.count)"
                return (text(.rangeNotSatisfiable, "range \(range.prefix(40)) is outside the \(served.bytes.count) bytes", headers), resource, 0)
            }
        }
        headers[.contentLength] = String(bytes.count)
        if request.method == .head { return (Response(status: status, headers: headers), resource, 0) }
        return (Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))), resource, bytes.count)
    }

    private static func label(_ kind: OriginStore.Kind) -> String {
        switch kind {
        case .masterPlaylist: return "master"
        case .mediaPlaylist: return "playlist"
        case .initSegment: return "init"
        case .segment: return "segment"
        }
    }

    private enum PlaylistOutcome {
        case success([UInt8])
        case failure(HTTPResponse.Status, String)
    }

    /// A media playlist with its delivery directives: now, after blocking (O1), 400 (O2) or 503 (O2).
    private func playlist(_ path: String, _ request: Request) async -> PlaylistOutcome {
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let directives: PlaylistRequest
        switch PlaylistRequest.parse(query) {
        case .success(let parsed): directives = parsed
        case .failure(.badRequest(let why)): return .failure(.badRequest, why)
        }
        guard var state = store.playlist(path) else { return .failure(.notFound, "no such resource") }
        switch BlockingReload.decide(directives, playlist: state.playlist) {
        case .refuse(.badRequest(let why)):
            return .failure(.badRequest, why)
        case .wait:
            let timeout = 3 * Double(state.playlist.targetDuration)
            let started = Date()
            let satisfied = await store.waitForPlaylist(path, directives, timeout: timeout)
            metrics?.held(seconds: Date().timeIntervalSince(started))
            guard satisfied else {
                return .failure(.serviceUnavailable, "_HLS_msn=\(directives.msn ?? 0) did not appear within 3 × target duration (\(Int(timeout)) s)")
            }
            guard let now = store.playlist(path) else { return .failure(.notFound, "no such resource") }
            state = now
        case .answer:
            break
        }
        let delta = directives.skip && !state.playlist.endList
        return .success(delta ? state.deltaText ?? state.text : state.text)
    }

    private func text(_ status: HTTPResponse.Status, _ message: String, _ headers: HTTPFields) -> Response {
        var fields = headers
        fields[.contentType] = "text/plain; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    /// The path as published (`360p/segment-3.ts`), or nil for anything that could not be one: it is only
    /// ever looked up, never joined to a folder, but a traversal attempt is not worth a lookup either.
    static func resourcePath(_ raw: String) -> String? {
        guard raw.count <= 1024, raw.hasPrefix("/"), let decoded = raw.removingPercentEncoding else { return nil }
        let path = String(decoded.dropFirst())
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !path.contains("\0"), !path.contains("\\") else { return nil }
        return path
    }

    static func contentType(_ path: String, _ kind: OriginStore.Kind) -> String {
        switch kind {
        case .masterPlaylist, .mediaPlaylist: return "application/vnd.apple.mpegurl"
        case .initSegment, .segment:
            if path.hasSuffix(".ts") { return "video/mp2t" }
            return path.hasPrefix("audio/") ? "audio/mp4" : "video/mp4"
        }
    }
}

/// One `Range: bytes=…` header against a resource of `length` bytes (RFC 9110 §14.1.2). Several ranges
/// are answered with the whole resource, which the RFC allows.
enum ByteRange: Equatable {
    case whole
    case part(Range<Int>)
    case unsatisfiable

    static func parse(_ header: String, length: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), header.count <= 200 else { return .whole }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        // At most 15 digits: any real file's offsets, and no overflow below.
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.count <= 15, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
            return Int(text)
        }
        if first.isEmpty {
            guard let suffix = number(last) else { return .whole }
            guard suffix > 0, length > 0 else { return .unsatisfiable }
            return .part(max(0, length - suffix)..<length)
        }
        guard let start = number(first) else { return .whole }
        guard start < length else { return .unsatisfiable }
        if last.isEmpty { return .part(start..<length) }
        guard let end = number(last), end >= start else { return .whole }
        return .part(start..<min(end + 1, length))
    }
}
