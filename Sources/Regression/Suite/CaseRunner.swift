import Foundation
import HLSChecker
import LiveLadderCore
import Logging

/// Why a case produced nothing to compare (exit 2): the run failed, or its output could not be read.
public struct CaseError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// SIGINT/SIGTERM during `regress`: the case that is running stops the way `liveladder run` does (its
/// segments finished, its folder removed as usual), and no further case starts.
///
/// `@unchecked Sendable`: both fields are guarded by `lock`; the signal handler and the runner share it.
public final class RegressInterrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var running: LadderRun?
    private var asked = false

    public init() {}

    public var interrupted: Bool { lock.withLock { asked } }

    public func interrupt() {
        let run = lock.withLock { () -> LadderRun? in
            asked = true
            return running
        }
        run?.stop()
    }

    /// Registers the case's run; an interrupt that came before it stops it at once.
    func started(_ run: LadderRun) {
        let stopNow = lock.withLock { () -> Bool in
            running = run
            return asked
        }
        if stopNow { run.stop() }
    }

    func finished() { lock.withLock { running = nil } }
}

/// What running one case gave.
public struct CaseOutput: Sendable {
    public var summary: OutputSummary
    /// `liveladder check`'s failures on the output (each one fails the case).
    public var ruleFailures: [RuleFailure]
    public var runSeconds: Double
    public var qualitySeconds: Double
}

/// Runs one case the way `liveladder run --deterministic` would, in this process, into a fresh folder
/// under `workspace`; checks the output; summarizes it with quality against the source. The folder is
/// removed afterwards unless `keep` is set (`regress --keep` leaves it for a look).
public enum CaseRunner {
    public static func run(_ regressionCase: RegressionCase, workspace: String, keep: Bool = false,
                           interrupt: RegressInterrupt = RegressInterrupt()) throws(CaseError) -> CaseOutput {
        let output = URL(fileURLWithPath: workspace).appendingPathComponent(regressionCase.name).path
        defer { if !keep { try? FileManager.default.removeItem(atPath: output) } }
        var options = RunOptions(input: regressionCase.source, output: output, config: regressionCase.ladder,
                                 playlistKind: regressionCase.playlistKind)
        options.listSize = regressionCase.listSize
        options.slate = false
        do {
            try options.makeDeterministic()
        } catch {
            throw CaseError("\(error)")
        }
        var logger = Logger(label: "liveladder.regress")
        logger.logLevel = .error
        let started = Date()
        let ladder = LadderRun(options: options, logger: logger)
        interrupt.started(ladder)
        defer { interrupt.finished() }
        do {
            let summary = try ladder.run()
            ladder.events.finish()
            // makeDeterministic gives no restart budget: a failing rendition is given up and the run
            // throws. This is the second line of defence.
            if summary.restarts > 0 { throw CaseError("the run restarted renditions \(summary.restarts) times; a deterministic case must not need restarts") }
        } catch let error as CaseError {
            throw error
        } catch {
            ladder.events.finish()
            if interrupt.interrupted { throw CaseError("interrupted (SIGINT/SIGTERM) while it ran") }
            let code = (error as? LiveLadderError)?.exitCode ?? 8
            throw CaseError("the run failed (exit \(code)): \(error)")
        }
        let runSeconds = Date().timeIntervalSince(started)
        let report: CheckReport
        do {
            report = try HLSCheck.run(path: output)
        } catch {
            throw CaseError("check could not read the output: \(error)")
        }
        var qualitySeconds = 0.0
        let summary: OutputSummary
        do {
            summary = try Summarizer.summarize(path: output, source: regressionCase.source, qualitySeconds: &qualitySeconds)
        } catch {
            throw CaseError("summarize failed: \(error)")
        }
        return CaseOutput(summary: summary, ruleFailures: report.failures, runSeconds: runSeconds,
                          qualitySeconds: qualitySeconds)
    }
}
