import Foundation
import LadderConfig

/// What became of one case.
public struct CaseResult: Sendable {
    public var name: String
    public var checks: [CaseCheck] = []
    /// Why the case could not run (exit 2), or nil.
    public var error: String?
    /// Reported, never failed: the tools that made the golden and this run differ.
    public var notes: [String] = []
    /// `--update`: the golden's changes, one line each.
    public var goldenChanges: [String] = []
    public var seconds: Double = 0
    public var qualitySeconds: Double = 0

    public var failures: [String] { checks.compactMap(\.failure) }
    public var passed: Bool { error == nil && failures.isEmpty }
}

public struct RegressOptions: Sendable {
    public var update = false
    public var only: String?
    /// Leave each case's output folder in the workspace (it is said where).
    public var keep = false
    public init(update: Bool = false, only: String? = nil, keep: Bool = false) {
        self.update = update
        self.only = only
        self.keep = keep
    }
}

/// `liveladder regress`: every case of a suite (or `--only` one), run deterministically, checked,
/// summarized and compared with its golden — or, with `--update`, written as the new golden with what
/// changed. Problems that stop the suite before any case runs (an unknown case, a golden that does not
/// parse or is missing) are thrown as one line.
public enum RegressRun {
    public enum ExitCode: Int32 { case passed = 0, regression = 1, couldNotRun = 2 }

    public static func prepare(_ suite: RegressionSuite, options: RegressOptions) throws(CaseError) -> [(RegressionCase, OutputSummary?)] {
        var cases = suite.cases
        if let only = options.only {
            cases = cases.filter { $0.name == only }
            guard !cases.isEmpty else {
                throw CaseError("\(suite.path): no case \(only.debugDescription) (the suite has \(suite.cases.map(\.name).joined(separator: ", ")))")
            }
        }
        return try cases.map { regressionCase throws(CaseError) in
            let path = goldenPath(regressionCase, in: suite)
            guard FileManager.default.fileExists(atPath: path) else {
                guard options.update else {
                    throw CaseError("\(path): no golden for case \(regressionCase.name); run liveladder regress \(suite.path) --update to make it, review it and commit it")
                }
                return (regressionCase, nil)
            }
            // Bounded and non-blocking, like a config file: a FIFO or a device is refused, not waited on.
            let text: String
            do throws(ConfigError) {
                text = try ConfigFile.text(atPath: path, limit: 16 << 20, what: "a golden summary", fileKind: "a golden",
                                       expected: "a JSON file written by regress --update")
            } catch {
                throw CaseError(error.message)
            }
            do {
                return (regressionCase, try SummaryJSON.decode(Data(text.utf8)))
            } catch {
                throw CaseError("\(path): the golden does not parse (\(GoldenError.describe(error))); restore it from version control or rewrite it with --update")
            }
        }
    }

    /// Runs the prepared cases in order, calling `report` with each case's lines as soon as it is done.
    public static func run(_ suite: RegressionSuite, _ prepared: [(RegressionCase, OutputSummary?)], options: RegressOptions,
                           workspace: String, interrupt: RegressInterrupt = RegressInterrupt(),
                           report: (CaseResult) -> Void) -> [CaseResult] {
        var results: [CaseResult] = []
        for (regressionCase, golden) in prepared {
            var result = CaseResult(name: regressionCase.name)
            // After an interrupt the remaining cases are reported as not run, so JUnit and the exit code
            // (2) say the suite is incomplete.
            guard !interrupt.interrupted else {
                result.error = "not run: the suite was interrupted (SIGINT/SIGTERM)"
                report(result)
                results.append(result)
                continue
            }
            let started = Date()
            do {
                let output = try CaseRunner.run(regressionCase, workspace: workspace, keep: options.keep, interrupt: interrupt)
                result.qualitySeconds = output.qualitySeconds
                result.checks.append(CaseCheck(name: "check: HLS rules", status: output.ruleFailures.isEmpty ? .passed
                    : .failed("liveladder check: " + output.ruleFailures.prefix(3).map(\.description).joined(separator: "; ")
                              + (output.ruleFailures.count > 3 ? " (and \(output.ruleFailures.count - 3) more)" : ""))))
                if let golden {
                    if golden.tools != output.summary.tools { result.notes.append(versionNote(golden.tools, output.summary.tools)) }
                    let comparison = GoldenComparison.compare(output.summary, golden: golden, case: regressionCase)
                    if options.update {
                        result.goldenChanges = SummaryDiff.changes(from: golden, to: output.summary).map(\.line)
                    } else {
                        result.checks += comparison
                    }
                } else {
                    result.goldenChanges = ["new golden"]
                }
                if options.update, output.ruleFailures.isEmpty, !interrupt.interrupted {
                    try writeGolden(output.summary, to: goldenPath(regressionCase, in: suite))
                }
            } catch {
                result.error = "\(error)"
            }
            result.seconds = Date().timeIntervalSince(started)
            report(result)
            results.append(result)
        }
        return results
    }

    public static func exitCode(_ results: [CaseResult]) -> ExitCode {
        if results.contains(where: { $0.error != nil }) { return .couldNotRun }
        return results.allSatisfy(\.passed) ? .passed : .regression
    }

    /// The case's line, plus its notes and (with --update) the golden's changes indented below.
    public static func lines(_ result: CaseResult, update: Bool) -> [String] {
        let timing = String(format: "%.1f s, quality %.1f s", result.seconds, result.qualitySeconds)
        var lines: [String]
        if let error = result.error {
            lines = ["ERROR \(result.name): \(error)"]
        } else if !result.failures.isEmpty {
            lines = ["FAIL  \(result.name): " + result.failures.joined(separator: "; ")]
        } else if update {
            lines = ["\(result.goldenChanges.isEmpty ? "same " : "UPDATED") \(result.name) (\(timing))"]
            let shown = result.goldenChanges.prefix(40)
            lines += shown.map { "  \($0)" }
            if result.goldenChanges.count > shown.count { lines.append("  … and \(result.goldenChanges.count - shown.count) more") }
        } else {
            lines = ["PASS  \(result.name) (\(result.checks.count) checks, \(timing))"]
        }
        lines += result.notes.map { "  note: \($0)" }
        return lines
    }

    static func goldenPath(_ regressionCase: RegressionCase, in suite: RegressionSuite) -> String {
        URL(fileURLWithPath: suite.goldens).appendingPathComponent(regressionCase.goldenName).path
    }

    private static func versionNote(_ golden: ToolVersions, _ now: ToolVersions) -> String {
        var parts: [String] = []
        if golden.liveladder != now.liveladder { parts.append("LiveLadder \(golden.liveladder) → \(now.liveladder)") }
        if golden.ffmpeg != now.ffmpeg { parts.append("FFmpeg \(golden.ffmpeg) → \(now.ffmpeg)") }
        if golden.x264 != now.x264 { parts.append("x264 \(golden.x264 ?? "none") → \(now.x264 ?? "none")") }
        return "the golden was made with other tools (\(parts.joined(separator: ", "))); reported, not failed"
    }

    /// Written beside the old one and renamed over it, so an interrupted update never leaves half a golden.
    private static func writeGolden(_ summary: OutputSummary, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(URL(fileURLWithPath: path).lastPathComponent).\(getpid()).tmp")
        try Data(try SummaryJSON.encode(summary).utf8).write(to: temporary)
        if rename(temporary.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CaseError("cannot write the golden \(path): \(reason)")
        }
    }
}

/// DecodingError's own description is several lines of context; this is the one line that matters.
enum GoldenError {
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
