/// Where the worker interface listens, and the token it asks for.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// An IP address or a host name to bind (`127.0.0.1`, `::1`, `0.0.0.0`…), without brackets.
    public var host: String
    /// 1–65535; 0 binds any free port (tests), which `WorkerHTTPServer.boundPort()` then tells.
    public var port: Int
    /// When set, every path but `/metrics`, `/livez` and `/readyz` needs `Authorization: Bearer <token>`.
    public var token: String?
    /// A keep-alive connection with no request for this long is closed (a response in progress, such
    /// as an event stream, is never cut by it).
    public var idleTimeoutSeconds: Int = 60
    /// Events one `/v1/events` client may have waiting; past that its oldest are dropped and counted in
    /// `liveladder_events_dropped_total`.
    public var eventStreamCapacity: Int = 1024
    /// The `: keep-alive` comment on an event stream, so proxies and clients see a quiet stream is alive.
    public var heartbeatSeconds: Double = 15

    public init(host: String = "127.0.0.1", port: Int, token: String? = nil) {
        self.host = host
        self.port = port
        self.token = token
    }

    /// Whether the server is reachable from this machine only.
    public var isLoopback: Bool { Self.isLoopback(host) }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Reads `--http` (and `--http-token` / `LIVELADDER_HTTP_TOKEN`): `9090` (on 127.0.0.1), `HOST:PORT`,
    /// or `[IPv6]:PORT`. A host beyond loopback needs a token: the commands and the run's details would
    /// otherwise be open to the network.
    /// `flag` names the option in messages; `requireToken: false` (the origin's `--serve`, which players
    /// reach without a token) accepts any host.
    public static func parse(listen: String, token: String?, flag: String = "--http", requireToken: Bool = true) throws -> HTTPServerConfiguration {
        let text = listen.trimmingCharacters(in: .whitespaces)
        let host: String
        let portText: Substring
        if text.allSatisfy(\.isNumber) {
            host = "127.0.0.1"
            portText = Substring(text)
        } else if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw HTTPConfigurationError("\(flag) \(listen): write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9090")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw HTTPConfigurationError("\(flag) \(listen): expected PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9090")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw HTTPConfigurationError("\(flag) \(listen): write an IPv6 address in brackets, e.g. [::1]:9090")
            }
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "[" || $0 == "]" }) else {
            throw HTTPConfigurationError("\(flag) \(listen): the host is missing or malformed (e.g. 127.0.0.1:9090)")
        }
        guard let port = Int(portText), (1...65535).contains(port), portText.allSatisfy(\.isNumber) else {
            throw HTTPConfigurationError("\(flag) \(listen): the port must be a number from 1 to 65535")
        }
        if let token {
            guard !token.isEmpty else {
                throw HTTPConfigurationError("--http-token (or LIVELADDER_HTTP_TOKEN): the token is empty; give a secret of at least one character, or leave both out")
            }
            guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                throw HTTPConfigurationError("--http-token (or LIVELADDER_HTTP_TOKEN): the token must be printable ASCII without spaces (it is sent in an Authorization header)")
            }
        }
        if requireToken, token == nil, !isLoopback(host) {
            throw HTTPConfigurationError("\(flag) \(listen): listening beyond loopback needs a token: pass --http-token TOKEN or set LIVELADDER_HTTP_TOKEN")
        }
        return HTTPServerConfiguration(host: host, port: port, token: token)
    }
}

/// A refused `--http` / `--http-token`: one line naming the flag and what to do.
public struct HTTPConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) { self.description = description }
}
