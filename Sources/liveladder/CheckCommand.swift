import ArgumentParser
import Foundation
import HLSChecker

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an output folder (or master.m3u8) against the HLS rules; one line per failed rule.")

    @Argument(help: "Output folder or master playlist.")
    var path: String

    @Flag(name: .long, help: "Check as a live stream (default: inferred from the playlists).")
    var live = false

    func run() throws {
        let report: CheckReport
        do {
            report = try HLSCheck.run(path: path, options: CheckOptions(live: live ? true : nil))
        } catch {
            fail("\(error)", code: 4)
        }
        for failure in report.failures { print(failure.description) }
        if report.passed {
            print("ok: \(report.checkedPlaylists) playlists, \(report.checkedSegments) segments, every rule holds")
        } else {
            FileHandle.standardError.write(Data("liveladder: \(report.failures.count) rule failures\n".utf8))
            throw ExitCode(1)
        }
    }
}
