import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle

/// sd_notify for `Type=notify` units: `READY=1` once the pipeline is up, `STATUS=` as the state changes,
/// `WATCHDOG=1` while the run is alive, `STOPPING=1` when shutdown begins. Only when `NOTIFY_SOCKET` is
/// set. Nothing here may stall or fail the run: sends never wait, and a failed send is logged once.
///
/// `@unchecked Sendable`: the mutable state is guarded by `lock`.
public final class SystemdNotifier: Service, @unchecked Sendable {
    private let socket: NotifySocket
    private let stream: AsyncStream<StampedEvent>
    private let status: RunStatusModel
    private let logger: Logger
    private let drainTimeout: Duration
    /// Half of `WATCHDOG_USEC`, when the unit has a watchdog for this process.
    public let watchdogInterval: Duration?

    private let lock = NSLock()
    private var ready = false
    private var stoppingSent = false
    private var lastState: String?
    private var lastStatus: String?
    private var sendFailed = false
    private var beating = true

    /// The notifier for this process's environment, or nil when `NOTIFY_SOCKET` is not set (not run by
    /// systemd, or not `Type=notify`). Throws when the socket cannot be made; the CLI may log that and
    /// go on without it.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       bus: RunEventBus, status: RunStatusModel,
                                       logger: Logger = Logger(label: "liveladder.systemd")) throws -> SystemdNotifier? {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        let interval = SystemdStatus.watchdogInterval(usec: environment["WATCHDOG_USEC"], pid: environment["WATCHDOG_PID"],
                                                      ownPID: ProcessInfo.processInfo.processIdentifier)
        return try SystemdNotifier(socketPath: path, watchdogInterval: interval, bus: bus, status: status, logger: logger)
    }

    public init(socketPath: String, watchdogInterval: Duration?, bus: RunEventBus, status: RunStatusModel,
                logger: Logger = Logger(label: "liveladder.systemd"), drainTimeout: Duration = .seconds(5)) throws {
        socket = try NotifySocket(path: socketPath)
        self.watchdogInterval = watchdogInterval
        self.status = status
        self.logger = logger
        self.drainTimeout = drainTimeout
        stream = bus.stream(capacity: 256)
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if let watchdogInterval {
                group.addTask { [self] in await beat(every: watchdogInterval) }
            }
            await ObserverLoop.run(stream, name: "systemd notify", drainTimeout: drainTimeout, logger: logger,
                                   onShutdown: { [self] in stopping() }) { [self] event in
                handle(event)
            }
            group.cancelAll()
        }
    }

    /// Reads the stream until it ends, without the watchdog or a shutdown signal (tests, callers without
    /// a `ServiceGroup`).
    public func consume() async {
        for await event in stream { handle(event) }
    }

    /// `STOPPING=1`, once: from the CLI's SIGTERM path (so systemd knows at once, before the drain), on
    /// this service's graceful shutdown, and on `run.stopped`, whichever comes first.
    public func stopping() {
        let first = lock.withLock {
            defer { stoppingSent = true }
            return !stoppingSent
        }
        if first { send("STOPPING=1") }
    }

    func handle(_ stamped: StampedEvent) {
        switch stamped.event {
        case .runStarted(let run) where run.listening:
            // A listener is up once it listens: a publisher may take hours to come.
            markReady()
        case .segmentPublished(let segment) where !segment.gap:
            // Any other input is up once its first segment is out.
            markReady()
        case .runStopped:
            stopping()
        default:
            break
        }
        let report = status.status(version: LiveLadderVersion.version, now: stamped.time)
        let text = SystemdStatus.text(report)
        let isProgress = if case .progress = stamped.event { true } else { false }
        // Immediately when the state changes; otherwise the counts in the text are refreshed with the
        // progress samples (about once a second), not on every segment of every rendition.
        let changed: Bool = lock.withLock {
            guard report.state != lastState || (isProgress && text != lastStatus) else { return false }
            lastState = report.state
            lastStatus = text
            return true
        }
        if changed { send("STATUS=\(text)") }
    }

    private func markReady() {
        let first = lock.withLock {
            defer { ready = true }
            return !ready
        }
        if first { send("READY=1") }
    }

    /// `WATCHDOG=1` every `interval` while the status model says the run is alive; when it is not, the
    /// beat stops and systemd's `WatchdogSec` restarts the unit, as it should for a hung run.
    func beat(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let liveness = status.liveness()
            let changed: Bool = lock.withLock {
                defer { beating = liveness.ok }
                return beating != liveness.ok
            }
            if liveness.ok {
                if changed { logger.notice("the run is alive again; systemd watchdog beats resume") }
                send("WATCHDOG=1")
            } else if changed {
                logger.error("not alive (\(liveness.reasons.joined(separator: "; "))): systemd watchdog beats stop")
            }
        }
    }

    private func send(_ message: String) {
        guard let error = socket.send(message) else { return }
        let first = lock.withLock {
            defer { sendFailed = true }
            return !sendFailed
        }
        if first { logger.warning("systemd notify: cannot send \(message.split(separator: "=").first ?? ""): \(error) (further failures are not logged)") }
    }
}
