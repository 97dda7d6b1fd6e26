/// A problem with a ladder configuration, as a single line a person can act on.
///
/// The message names where the problem is — a key path such as `renditions[1].videoBitrate`,
/// a YAML line, a command-line flag or the config file — followed by what is wrong and, where
/// it helps, what to write instead:
///
///     renditions[1].videoBitrate: "3 Mbps" is not a bitrate (use 3000k, 3M or 3000000)
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The one-line explanation shown to the user.
    public let message: String

    /// Creates an error with the given one-line message.
    public init(_ message: String) {
        self.message = message
    }

    /// The message, so the error prints as the user should see it.
    public var description: String { message }

    /// Builds the standard `<where>: <what>` message.
    package init(at location: String, _ reason: String) {
        self.init("\(location): \(reason)")
    }

    /// The same error, located in a file: `load(path:)` adds the path so the user knows which file to fix.
    func inFile(_ path: String) -> ConfigError {
        ConfigError(at: path, message)
    }
}
