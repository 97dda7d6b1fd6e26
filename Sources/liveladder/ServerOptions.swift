import ArgumentParser
import FFmpegKit
import Foundation
import LiveLadderCore
import LiveLadderServer

/// `--http` and `--http-token`: the worker interface (metrics, health, status, events, commands).
/// Include with `@OptionGroup var server: ServerOptions` and start a `WorkerHTTPServer` when
/// `configuration()` is not nil.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("http"), help: ArgumentHelp(
        "Serve the worker interface (/metrics, /livez, /readyz, /v1/status, /v1/events, commands) on PORT (127.0.0.1), HOST:PORT or [IPv6]:PORT.",
        valueName: "addr:port"))
    var http: String?

    @Option(name: .customLong("http-token"), help: ArgumentHelp(
        "Bearer token every endpoint but /metrics, /livez and /readyz asks for; needed to listen beyond loopback (default: $LIVELADDER_HTTP_TOKEN).",
        valueName: "token"))
    var httpToken: String?

    @Option(name: .customLong("serve"), help: ArgumentHelp(
        "Serve the output to players (the built-in origin: blocking playlist reload, byte ranges, CORS) on PORT (127.0.0.1), HOST:PORT or [IPv6]:PORT.",
        valueName: "addr:port"))
    var serve: String?

    /// The environment variable read when `--http-token` is not given (a token on the command line shows
    /// in `ps`).
    static let tokenVariable = "LIVELADDER_HTTP_TOKEN"

    /// nil without `--http`. Throws `HTTPConfigurationError` (one line naming the flag) for a bad address,
    /// an empty token, or a non-loopback address without a token.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HTTPServerConfiguration? {
        guard let http else { return nil }
        let token = httpToken ?? environment[Self.tokenVariable]
        return try HTTPServerConfiguration.parse(listen: http, token: token)
    }

    func validate() throws {
        if httpToken != nil, http == nil {
            throw ValidationError("--http-token: given without --http; add --http ADDR:PORT to serve the worker interface")
        }
        // An address or token that is refused is a configuration error (exit 3), said by `run`.
    }
}

extension BuildInfo {
    /// The versions this binary runs with, for `liveladder_build_info` (x264's is read by encoding one
    /// frame, so call this once).
    static func current() -> BuildInfo {
        BuildInfo(version: LiveLadderVersion.version, ffmpeg: LibraryVersions.ffmpeg, x264: LibraryVersions.x264() ?? "none")
    }
}
