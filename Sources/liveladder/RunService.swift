import Foundation
import LiveLadderCore
import ServiceLifecycle

/// `liveladder run` as a swift-service-lifecycle service: the ServiceGroup turns SIGINT/SIGTERM into a
/// graceful shutdown, which asks the run to stop (it finishes its segments and playlists and returns).
/// The pipeline itself is blocking C work, so it runs on a thread of its own, off the cooperative pool.
/// Restarts are not the group's business: renditions restart inside the run (see docs/supervision.md).
///
/// When the pipeline returns, this service says how the run ended on the event stream (alerts cleared,
/// `run.summary`, `run.stopped`) and ends the stream, so the observers beside it (the events file, the
/// HTTP server's event streams) write the last events before the group shuts them down.
///
/// `@unchecked Sendable`: `ending` is written once by the pipeline thread before the continuation
/// resumes, and read only after `run()` returned.
final class RunService: Service, @unchecked Sendable {
    let ladder: LadderRun
    let status: RunStatusModel
    let alerts: AlertRules
    /// Called when shutdown begins (SIGTERM, SIGINT, `POST /v1/stop`): systemd's STOPPING=1.
    let onStopping: @Sendable () -> Void
    /// Waits for what must be up before the pipeline starts (the HTTP server listening); an ending
    /// means it is not, and the run does not start.
    let gate: @Sendable () async -> RunEnding?
    /// Once the pipeline returned: waits for the push targets to deliver what it published, and says
    /// what they did not (nil: all delivered). A run whose origins miss files does not exit 0.
    let drain: @Sendable () async -> String?
    private(set) var ending: RunEnding?

    init(ladder: LadderRun, status: RunStatusModel, alerts: AlertRules, onStopping: @escaping @Sendable () -> Void = {},
         drain: @escaping @Sendable () async -> String? = { nil }, gate: @escaping @Sendable () async -> RunEnding? = { nil }) {
        self.ladder = ladder
        self.status = status
        self.alerts = alerts
        self.onStopping = onStopping
        self.drain = drain
        self.gate = gate
    }

    func run() async throws {
        if let refused = await gate() {
            _ = await drain()  // nothing was published; this shuts the push client down
            report(refused)
            ending = refused
            return
        }
        await withGracefulShutdownHandler {
            var ending = await withCheckedContinuation { (continuation: CheckedContinuation<RunEnding, Never>) in
                let thread = Thread { [ladder] in
                    let outcome = Result { try ladder.run() }
                    continuation.resume(returning: RunEnding(outcome, stoppedBySignal: ladder.wasStopped))
                }
                thread.name = "pipeline"
                thread.stackSize = 8 << 20
                thread.start()
            }
            if let undelivered = await drain(), ending.code == 0 {
                ending = RunEnding(refused: undelivered, code: LiveLadderError.Kind.processing.rawValue)
            }
            report(ending)
            self.ending = ending
        } onGracefulShutdown: { [ladder, status, onStopping] in
            // Not ready from this moment, before the drain: traffic moves away while segments finish.
            status.markStopping()
            onStopping()
            ladder.stop()
        }
    }

    private func report(_ ending: RunEnding) {
        let events = ladder.events
        alerts.finish()
        let report = status.status(version: LiveLadderVersion.version)
        events.emit(.runSummary(RunReport(
            exitCode: ending.code, error: ending.error, counters: report.counters ?? RunSnapshot(),
            segments: Dictionary(uniqueKeysWithValues: report.renditions.map { ($0.name, $0.measured.segments) }),
            gaps: Dictionary(uniqueKeysWithValues: report.renditions.map { ($0.name, $0.measured.gaps) }),
            outputBytes: Dictionary(uniqueKeysWithValues: report.renditions.map { ($0.name, $0.measured.outputBytes) }))))
        events.emit(.runStopped(exitCode: ending.code, reason: ending.error ?? (ending.summary == nil ? "stopped before the input opened" : "finished")))
        events.finish()
    }
}

/// How a run ended, as the process reports it: the exit code, the one error line, or the summary.
struct RunEnding: Sendable {
    let code: Int32
    let error: String?
    let summary: RunSummary?
    /// Stopped while still waiting for the input to open: nothing was written, nothing failed.
    let stoppedBeforeInput: String?

    /// A run that could not start, with its one line and code.
    init(refused message: String, code: Int32) {
        (self.code, error, summary, stoppedBeforeInput) = (code, message, nil, nil)
    }

    init(_ outcome: Result<RunSummary, Error>, stoppedBySignal: Bool) {
        switch outcome {
        case .success(let summary):
            (code, error, self.summary, stoppedBeforeInput) = (0, nil, summary, nil)
        case .failure(let failure as LiveLadderError) where stoppedBySignal && failure.kind == .badInput:
            (code, error, summary, stoppedBeforeInput) = (0, nil, nil, failure.message)
        case .failure(let failure as LiveLadderError):
            (code, error, summary, stoppedBeforeInput) = (failure.exitCode, failure.message, nil, nil)
        case .failure(let failure):
            // Anything else that ends a run is a failure during it: one line, the documented code.
            (code, error, summary, stoppedBeforeInput) = (LiveLadderError.Kind.processing.rawValue, "\(failure)", nil, nil)
        }
    }
}
