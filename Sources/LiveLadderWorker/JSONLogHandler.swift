import Foundation
import Logging

/// `--log-format json`: one JSON object per line, for a log collector (journald with a JSON parser,
/// Loki, Vector…), with sorted keys so lines are stable:
/// `{"label":…,"level":…,"message":…,"metadata":{…},"source":…,"time":"2025-01-02T03:04:05.678Z"}`.
/// Metadata is the handler's, then the provider's, then the call's (later wins); values are strings,
/// or nested objects and arrays as they were given.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - write: takes one line with its newline; stderr by default (tests pass a collector).
    ///   - now: the clock, for tests.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = JSONLogHandler.writeToStderr,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let call = event.metadata { merged.merge(call) { $1 } }
        let record = Record(time: Self.timestamp(now()), level: event.level.rawValue, label: label,
                            message: event.message.description, metadata: merged.mapValues(Value.init), source: event.source)
        write(Self.encode(record) + "\n")
    }

    private struct Record: Encodable {
        let time: String
        let level: String
        let label: String
        let message: String
        let metadata: [String: Value]
        let source: String
    }

    private enum Value: Encodable {
        case string(String)
        case object([String: Value])
        case array([Value])

        init(_ value: Logger.Metadata.Value) {
            switch value {
            case .string(let text): self = .string(text)
            case .stringConvertible(let convertible): self = .string(convertible.description)
            case .dictionary(let dictionary): self = .object(dictionary.mapValues(Value.init))
            case .array(let array): self = .array(array.map(Value.init))
            }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .object(let object): try container.encode(object)
            case .array(let array): try container.encode(array)
            }
        }
    }

    private static func encode(_ record: Record) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A message is always encodable; the fallback only keeps the line a JSON object if that changes.
        return (try? encoder.encode(record)).flatMap { String(data: $0, encoding: .utf8) } ?? #"{"message":"unencodable log record"}"#
    }

    /// RFC 3339 in UTC with milliseconds, like the events file.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static let writeToStderr: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
