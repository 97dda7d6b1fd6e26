import Foundation
import LiveLadderCore
import ServiceLifecycle

/// `liveladder run` as a swift-service-lifecycle service: the ServiceGroup turns SIGINT/SIGTERM into a
/// graceful shutdown, which asks the run to stop (it finishes its segments and playlists and returns).
/// The pipeline itself is blocking C work, so it runs on a thread of its own, off the cooperative pool.
/// Restarts are not the group's business: renditions restart inside the run (see docs/supervision.md).
///
/// `@unchecked Sendable`: `outcome` is written once by the pipeline thread before the continuation
/// resumes, and read only after `run()` returned.
final class RunService: Service, @unchecked Sendable {
    let ladder: LadderRun
    private(set) var outcome: Result<RunSummary, Error>?

    init(ladder: LadderRun) { self.ladder = ladder }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    outcome = Result { try ladder.run() }
                    continuation.resume()
                }
                thread.name = "pipeline"
                thread.stackSize = 8 << 20
                thread.start()
            }
        } onGracefulShutdown: { [ladder] in
            ladder.stop()
        }
    }
}
