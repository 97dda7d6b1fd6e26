import Foundation
import XCTest
import HLSModel

/// A run that did not do all it was asked never exits 0: a full disk, a file that fails mid-way, a VOD
/// stopped by a signal. And a run that was only paused loses nothing.
final class RunOutcomeTests: XCTestCase {
    private func errorLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.hasPrefix("liveladder: error: ") }
    }

    /// A 20 s clip, so that a run can be paused or stopped part-way.
    private func longClip(_ folder: String) throws -> String {
        let clip = folder + "-long.mp4"
        let made = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
                                                      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                                                      "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                                                      "-c:a", "aac", "-shortest", clip])
        XCTAssertEqual(made.status, 0, made.stderr)
        return clip
    }

    func testMP4OnStandardInputIsAnInputErrorNotALostLiveInput() throws {
        let out = try temporaryFolder(self)
        // The fixture's index (moov) is at its end: a pipe cannot seek back to the media.
        let result = try runProcess("/bin/sh", ["-c", "'\(Repo.executable)' run -i - -o '\(out)' < '\(Repo.fixture("cfr30-640x360.mp4"))'"])
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertEqual(errorLines(result.stderr).count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("standard input") && result.stderr.contains("MPEG-TS"), result.stderr)
    }

    func testFullDiskFailsTheRunWithOneLineNamingTheFile() throws {
        let mount = try temporaryFolder(self, "small-disk")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=600k", "tmpfs", mount])
        try XCTSkipIf(mounted.status != 0, "cannot mount a small tmpfs here: \(mounted.stderr)")
        addTeardownBlock { _ = try? runProcess("/bin/umount", [mount]) }
        for format in ["ts", "fmp4"] {
            let out = mount + "/" + format
            let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", out, "--segment-format", format)
            XCTAssertEqual(result.status, 8, "\(format): \(result.stderr)")
            XCTAssertFalse(result.stdout.contains("wrote "), result.stdout)
            let errors = errorLines(result.stderr)
            XCTAssertEqual(errors.count, 1, result.stderr)
            XCTAssertTrue(errors.first?.contains("No space left on device") == true && errors.first?.contains(out) == true, result.stderr)
            // No playlist names a segment that is not on disk (GAP entries are never fetched).
            for folder in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] {
                guard let text = try? String(contentsOfFile: "\(out)/\(folder)/index.m3u8", encoding: .utf8) else { continue }
                let playlist = try MediaPlaylist.parse(text)
                for segment in playlist.segments where !segment.gap {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(folder)/\(segment.uri)"), "\(folder)/\(segment.uri) listed but missing")
                }
            }
            // The master names only renditions whose playlist exists.
            if let master = try? String(contentsOfFile: out + "/master.m3u8", encoding: .utf8) {
                for uri in master.split(separator: "\n").filter({ $0.hasSuffix("index.m3u8") && !$0.hasPrefix("#") }) {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(uri)"), "master names missing \(uri)")
                }
            }
        }
    }

    func testSignalDuringAFileTranscodeExitsElevenWithAPlayableOutput() throws {
        let out = try temporaryFolder(self)
        let clip = try longClip(out)
        let run = try Background(Repo.executable, ["run", "-i", clip, "-o", out, "--realtime"], log: out + "-run.log")
        XCTAssertTrue(eventually(timeout: 20) { FileManager.default.fileExists(atPath: out + "/360p") || FileManager.default.fileExists(atPath: out + "/180p") })
        Thread.sleep(forTimeInterval: 4)
        run.signal(SIGINT)
        let status = run.wait(timeout: 30)
        XCTAssertEqual(status, 11, run.output)
        XCTAssertEqual(errorLines(run.output).count, 1, run.output)
        XCTAssertTrue(run.output.contains("stopped by a signal before the end of") && run.output.contains("of media"), run.output)
        try assertChecks(out)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: out + "/180p/index.m3u8", encoding: .utf8))
        XCTAssertTrue(playlist.endList, "a VOD playlist stays complete and playable")
        XCTAssertLessThan(playlist.segments.reduce(0) { $0 + $1.duration }, 19)
    }

    /// SIGSTOP for longer than the stall timeout, as a CPU-limited container or a loaded host does: the
    /// watchdog counts only the time the process ran, so no rendition restarts and nothing is lost.
    func testAPausedFileTranscodeLosesNothing() throws {
        let out = try temporaryFolder(self)
        // The 6 s fixture four times over (24 s): a few seconds of work, long enough to pause it mid-way.
        let clip = out + "-24s.mp4"
        let made = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-y", "-stream_loop", "3", "-i", Repo.fixture("cfr30-640x360.mp4"),
                                                      "-c", "copy", clip])
        XCTAssertEqual(made.status, 0, made.stderr)
        let run = try Background(Repo.executable, ["run", "-i", clip, "-o", out, "--stall-timeout", "0.3", "--playlist-type", "event"],
                                 log: out + "-run.log")
        XCTAssertTrue(eventually(timeout: 20) { FileManager.default.fileExists(atPath: out + "/240p/index.m3u8") })
        var pausedWhileRunning = 0
        for _ in 0..<3 where run.process.isRunning {
            run.signal(SIGSTOP)
            Thread.sleep(forTimeInterval: 0.8)
            run.signal(SIGCONT)
            pausedWhileRunning += 1
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertGreaterThanOrEqual(pausedWhileRunning, 2, "the run ended before it could be paused")
        XCTAssertEqual(run.wait(timeout: 120), 0, run.output)
        XCTAssertFalse(run.output.contains("restart"), run.output)
        try assertChecks(out)
        for rendition in ["360p", "240p"] {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(out)/\(rendition)/index.m3u8", encoding: .utf8))
            XCTAssertFalse(playlist.segments.contains(where: \.gap), rendition)
            XCTAssertEqual(playlist.segments.reduce(0) { $0 + $1.duration }, 24, accuracy: 0.05, rendition)
        }
    }
}
