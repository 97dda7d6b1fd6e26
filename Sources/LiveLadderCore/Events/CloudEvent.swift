import Foundation

/// A run event as a CloudEvents 1.0 JSON object (structured mode): one line of the `--events` file, one
/// `data:` of `GET /v1/events`. The `data` of each type is a small fixed object, documented in
/// docs/operations.md.
public struct CloudEvent: Encodable {
    public static let specVersion = "1.0"
    public let event: StampedEvent
    /// Names this process: `liveladder://HOST/PID`, so ids from two workers never collide.
    public let source: String

    public init(_ event: StampedEvent, source: String) {
        self.event = event
        self.source = source
    }

    /// `liveladder://<host>/<pid>`.
    public static var defaultSource: String {
        "liveladder://\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)"
    }

    private enum Keys: String, CodingKey {
        case specversion, id, source, type, time, subject, datacontenttype, data
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(Self.specVersion, forKey: .specversion)
        try container.encode(String(event.sequence), forKey: .id)
        try container.encode(source, forKey: .source)
        try container.encode(event.event.type, forKey: .type)
        try container.encode(Self.timestamp(event.time), forKey: .time)
        try container.encodeIfPresent(event.event.subject, forKey: .subject)
        try container.encode("application/json", forKey: .datacontenttype)
        switch event.event {
        case .runStarted(let description): try container.encode(description, forKey: .data)
        case .ladderResolved(let renditions): try container.encode(["renditions": renditions], forKey: .data)
        case .inputConnected(let input), .inputRecovered(let input): try container.encode(input, forKey: .data)
        case .inputLost(let reason): try container.encode(["reason": reason], forKey: .data)
        case .slateStarted: try container.encode([String: String](), forKey: .data)
        case .slateEnded(let seconds): try container.encode(["seconds": seconds], forKey: .data)
        case .segmentPublished(let segment): try container.encode(segment, forKey: .data)
        case .writeFailed(let rendition, let error):
            try container.encode(["rendition": rendition, "error": error], forKey: .data)
        case .renditionFailed(let rendition, let reason, let error, let backoff):
            try container.encode(Failure(rendition: rendition, reason: reason, error: error, backoffSeconds: backoff), forKey: .data)
        case .renditionRestarted(let rendition, let reason, let number):
            try container.encode(Restarted(rendition: rendition, reason: reason, segment: number), forKey: .data)
        case .renditionGivenUp(let rendition, let reason, let error):
            try container.encode(Failure(rendition: rendition, reason: reason, error: error, backoffSeconds: nil), forKey: .data)
        case .passthroughFellBack(let rendition, let number, let reason):
            try container.encode(Fallback(rendition: rendition, segment: number, reason: reason), forKey: .data)
        case .alertSet(let alert), .alertCleared(let alert): try container.encode(alert, forKey: .data)
        case .progress(let snapshot): try container.encode(snapshot, forKey: .data)
        case .runSummary(let report): try container.encode(report, forKey: .data)
        case .pushResult(let result): try container.encode(result, forKey: .data)
        case .runStopped(let code, let reason): try container.encode(Stopped(exitCode: code, reason: reason), forKey: .data)
        }
    }

    private struct Failure: Encodable {
        let rendition: String
        let reason: RestartReason
        let error: String
        let backoffSeconds: Double?
    }

    private struct Restarted: Encodable {
        let rendition: String
        let reason: RestartReason
        let segment: Int
    }

    private struct Fallback: Encodable {
        let rendition: String
        let segment: Int
        let reason: String
    }

    private struct Stopped: Encodable {
        let exitCode: Int32
        let reason: String
    }

    /// RFC 3339 with milliseconds, UTC, as CloudEvents asks.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// The JSON encoder every event writer uses: sorted keys, dates as RFC 3339.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// One line of JSON, without the newline.
    public func line(using encoder: JSONEncoder) -> String {
        (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}
