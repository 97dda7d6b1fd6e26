import Foundation
import LiveLadderCore
import Logging
import ServiceLifecycle

/// The `run()` every stream observer shares.
///
/// The last events of a run (`run.summary`, `run.stopped`) are emitted right before `bus.finish()`, and
/// a graceful shutdown usually begins before them (SIGTERM), so an observer that stopped at the signal
/// would lose exactly the events a control plane waits for. So: read until the stream ends, whatever
/// the signal says. Two more rules come from `ServiceGroup`:
/// - a service that returns while the group is shutting down *another* service makes the group throw
///   `serviceFinishedUnexpectedly`, so after the stream ends we still wait for our own shutdown signal
///   (or cancellation) before returning;
/// - the group signals services in reverse order and waits for each, so an observer listed after the
///   pipeline would be signalled first and wait for a stream the pipeline has not finished yet. The
///   observers must come before the pipeline in the group's list; if they do not, `drainTimeout` after
///   our signal we stop reading, log it, and let the group go on.
enum ObserverLoop {
    private enum Outcome: Sendable {
        case streamEnded
        case shutdownSignalled
        case cancelled
        case drainTimedOut
    }

    static func run(
        _ stream: AsyncStream<StampedEvent>, name: String, drainTimeout: Duration, logger: Logger,
        onShutdown: @escaping @Sendable () -> Void = {},
        body: @escaping @Sendable (StampedEvent) async -> Void
    ) async {
        await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                for await event in stream { await body(event) }
                return .streamEnded
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    return .shutdownSignalled
                } catch {
                    return .cancelled
                }
            }
            var streamEnded = false
            var signalled = false
            while let outcome = await group.next() {
                switch outcome {
                case .streamEnded:
                    streamEnded = true
                case .shutdownSignalled:
                    signalled = true
                    onShutdown()
                    if !streamEnded {
                        group.addTask {
                            try? await Task.sleep(for: drainTimeout)
                            return .drainTimedOut
                        }
                    }
                case .cancelled:
                    group.cancelAll()
                    return
                case .drainTimedOut:
                    guard !streamEnded else { continue }
                    logger.warning("\(name): the event stream did not end within \(drainTimeout) of shutdown (list the observers before the pipeline in the ServiceGroup); its last events are lost")
                    group.cancelAll()
                    return
                }
                if streamEnded && signalled {
                    group.cancelAll()
                    return
                }
            }
        }
    }
}
