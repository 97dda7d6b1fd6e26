import ArgumentParser
import Foundation
import Regression

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Run a regression suite: each case runs deterministically, is checked, summarized and compared with its golden.",
        discussion: "Exit codes: 0 every case passed, 1 a regression, 2 a case could not run (or the suite is unusable). docs/regress.md.")

    @Argument(help: "The suite file (YAML).")
    var suite: String

    @Flag(name: .long, help: "Rewrite the goldens from this run, printing what changed.")
    var update = false

    @Option(name: .long, help: "Write a JUnit XML report (one testcase per check) to this file.")
    var junit: String?

    @Option(name: .long, help: "Run only this case.")
    var only: String?

    @Flag(name: .long, help: "Keep each case's output folder (the path is printed).")
    var keep = false

    func run() throws {
        let couldNotRun = RegressRun.ExitCode.couldNotRun.rawValue
        let loaded: RegressionSuite
        do {
            loaded = try SuiteReader.load(path: suite)
        } catch {
            fail(error.message, code: couldNotRun)
        }
        let options = RegressOptions(update: update, only: only, keep: keep)
        let prepared: [(RegressionCase, OutputSummary?)]
        do {
            prepared = try RegressRun.prepare(loaded, options: options)
        } catch {
            fail("\(error)", code: couldNotRun)
        }
        let workspace = FileManager.default.temporaryDirectory
            .appendingPathComponent("liveladder-regress-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        do {
            try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        } catch {
            fail("cannot make a workspace in \(workspace): \(error)", code: couldNotRun)
        }
        defer { if !keep { try? FileManager.default.removeItem(atPath: workspace) } }
        // SIGINT/SIGTERM stop the running case cleanly and skip the rest; the workspace is still removed.
        let interrupt = RegressInterrupt()
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { interrupt.interrupt() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let results = RegressRun.run(loaded, prepared, options: options, workspace: workspace, interrupt: interrupt) { result in
            for line in RegressRun.lines(result, update: update) { print(line) }
        }
        let code = RegressRun.exitCode(results)
        let total = results.reduce(0) { $0 + $1.seconds }, quality = results.reduce(0) { $0 + $1.qualitySeconds }
        let failed = results.filter { $0.error == nil && !$0.passed }.count
        let errors = results.filter { $0.error != nil }.count
        print("regress: \(results.count) cases, \(results.filter(\.passed).count) passed, \(failed) failed, \(errors) could not run"
              + " (" + String(format: "%.1f s, of which quality %.1f s", total, quality) + ")" + (keep ? "; outputs kept in \(workspace)" : ""))
        if let junit {
            do {
                try Data(JUnitReport.render(suiteName: suite, results).utf8).write(to: URL(fileURLWithPath: junit))
            } catch {
                fail("cannot write the JUnit report \(junit): \(error.localizedDescription)", code: couldNotRun)
            }
        }
        if code != .passed { throw ExitCode(code.rawValue) }
    }
}
