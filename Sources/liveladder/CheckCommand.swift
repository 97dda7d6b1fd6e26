import ArgumentParser
import Foundation
import HLSChecker
import HLSRemoteCheck

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an output folder, master.m3u8 or served stream (http/https URL) against the HLS rules; one line per failed rule.")

    @Argument(help: "Output folder, master playlist, or the http:// or https:// URL of a served master playlist.")
    var path: String

    @Flag(name: .long, help: "Check as a live stream (default: inferred from the playlists).")
    var live = false

    @Option(name: .long, help: "With --live and a URL: poll the stream like a player for this many seconds (1…3600) first.")
    var duration: Double?

    func validate() throws {
        guard let duration else { return }
        // A folder is checked as it is now: polling files would test the file system, not a server.
        guard RemoteCheck.isURL(path) else {
            throw ValidationError("--duration: polling is for a served stream; pass its http:// or https:// URL")
        }
        guard live else { throw ValidationError("--duration: polling needs --live") }
        guard RemoteCheck.durationRange.contains(duration) else {
            throw ValidationError("--duration: \(duration) is out of range (1…3600 s)")
        }
    }

    func run() async throws {
        let report: CheckReport
        var pollSummary: String?
        do {
            if RemoteCheck.isURL(path) {
                let result = try await RemoteCheck.run(url: path, options: RemoteCheckOptions(live: live, duration: duration))
                report = result.report
                pollSummary = result.pollSummary
            } else {
                report = try HLSCheck.run(path: path, options: CheckOptions(live: live ? true : nil))
            }
        } catch {
            fail("\(error)", code: 4)
        }
        for failure in report.failures { print(failure.description) }
        // What the poll did goes to stderr, so stdout stays the same report lines as a folder check's.
        if let pollSummary { FileHandle.standardError.write(Data("liveladder: \(pollSummary)\n".utf8)) }
        if report.passed {
            print("ok: \(report.checkedPlaylists) playlists, \(report.checkedSegments) segments, every rule holds")
        } else {
            FileHandle.standardError.write(Data("liveladder: \(report.failures.count) rule failures\n".utf8))
            throw ExitCode(1)
        }
    }
}
