/// The version of LiveLadder, for `--version`, `liveladder_build_info` and `/v1/status`.
public enum LiveLadderVersion {
    public static let version = "0.10.0"
}

/// What the worker interface may ask of a running pipeline (`POST /v1/renditions/{name}/restart`,
/// `POST /v1/stop`).
public protocol WorkerCommands: AnyObject, Sendable {
    /// Restarts one rendition through the supervisor's own path (its siblings untouched).
    func restart(rendition: String) -> RestartRequest
    /// The same graceful stop as SIGTERM.
    func requestStop()
}

public enum RestartRequest: Sendable, Equatable {
    /// It restarts at the next segment boundary.
    case accepted
    /// There is no rendition of that name in the ladder.
    case unknown
    /// It is restarting already, was given up, or the ladder is not set up yet.
    case notRunning(String)
}
