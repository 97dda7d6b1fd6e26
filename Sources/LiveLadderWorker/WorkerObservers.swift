import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle

/// Builds the observers `liveladder run` asks for, each already subscribed to the bus (so create them
/// before the pipeline emits its first event).
///
/// Put the returned services BEFORE the pipeline's service in the `ServiceGroup`, with
/// `successTerminationBehavior: .ignore`: the group shuts services down in reverse order, so the pipeline
/// is stopped first and emits its last events (`run.summary`, `run.stopped`) and calls `bus.finish()`;
/// then each observer, which has been reading until its stream ended, returns.
public enum WorkerObservers {
    /// - Parameters:
    ///   - events: `--events` (a path, or `-` for stdout), nil for none.
    ///   - includeSegments: `--events-segments`.
    ///   - quiet: `--quiet`: no banner, no progress line.
    ///   - isTerminal: whether stderr is a terminal; the progress line and banner only go to one.
    ///   - environment: for `NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`.
    /// - Returns: the services to run, and the systemd notifier (also among the services) for the CLI's
    ///   SIGTERM path to call `stopping()` on, when `NOTIFY_SOCKET` is set.
    /// - Throws: `WorkerSetupError` with a one-line message when the events file cannot be created or
    ///   is a folder (the CLI's exit 3).
    public static func make(events: String?, includeSegments: Bool, quiet: Bool, bus: RunEventBus, status: RunStatusModel,
                            banner: BannerInfo, isTerminal: Bool = Terminal.stderrIsTerminal,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "liveladder")) throws -> (services: [any Service], notifier: SystemdNotifier?) {
        var services: [any Service] = []
        if let events {
            services.append(try EventFileWriter(path: events, includeSegments: includeSegments, bus: bus, logger: logger))
        }
        if !quiet && isTerminal {
            services.append(ProgressLine(bus: bus, status: status, banner: banner, logger: logger))
        }
        var notifier: SystemdNotifier?
        do {
            notifier = try SystemdNotifier.fromEnvironment(environment, bus: bus, status: status, logger: logger)
        } catch {
            // systemd integration is a courtesy: a bad NOTIFY_SOCKET is said once, the run goes on.
            logger.warning("\(error); systemd is not notified")
        }
        if let notifier { services.append(notifier) }
        return (services, notifier)
    }
}
