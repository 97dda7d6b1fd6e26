import Foundation
import Logging

/// `--log-format text|json`.
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's `StreamLogHandler` on stderr, as before.
    case text
    /// `JSONLogHandler`: one JSON object per line on stderr.
    case json

    /// The value of `--log-format`, or an error naming the allowed values in one line.
    public static func parse(_ value: String) throws -> LogFormat {
        guard let format = LogFormat(rawValue: value) else {
            throw WorkerSetupError("--log-format: \"\(value)\" is not a log format (allowed: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return format
    }
}

public enum LoggingSetup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    /// Installs the log handler for the whole process. swift-log allows one bootstrap per process (a
    /// second one traps), so a later call is ignored and returns false.
    @discardableResult
    public static func bootstrap(format: LogFormat, level: Logger.Level) -> Bool {
        let first = lock.withLock {
            defer { done = true }
            return !done
        }
        guard first else { return false }
        LoggingSystem.bootstrap { label in makeHandler(format: format, level: level, label: label) }
        return true
    }

    /// The handler `bootstrap` installs, for one label.
    public static func makeHandler(format: LogFormat, level: Logger.Level, label: String) -> any LogHandler {
        var handler: any LogHandler
        switch format {
        case .text: handler = StreamLogHandler.standardError(label: label)
        case .json: handler = JSONLogHandler(label: label)
        }
        handler.logLevel = level
        return handler
    }
}
