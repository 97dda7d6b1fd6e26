import Foundation
import Hummingbird
import LiveLadderCore

/// JSON bodies, all through `CloudEvent.makeEncoder()` (sorted keys, RFC 3339 dates) so the status, the
/// health checks and the events say dates and numbers the same way.
enum JSONResponse {
    struct ErrorBody: Encodable {
        let error: String
        let status: Int
    }

    static func make(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        let data = (try? CloudEvent.makeEncoder().encode(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Every error: `{"error": "...", "status": N}`.
    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        make(ErrorBody(error: message, status: status.code), status: status, headers: headers)
    }
}
