import Foundation
import XCTest
import HLSChecker
import HLSModel

/// A publisher that leaves and comes back, one that goes silent without closing, and the slate.
final class InputLossTests: XCTestCase {
    private struct LoggedSegment {
        let rendition: String
        let number: Int
        let publishedAt: Date
        let discontinuity: Bool
    }

    private func segmentLog(_ path: String) throws -> [LoggedSegment] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let rendition = object["rendition"] as? String, let number = object["number"] as? Int,
                  let published = object["publishedAt"] as? Double, let discontinuity = object["discontinuity"] as? Bool
            else { return nil }
            return LoggedSegment(rendition: rendition, number: number,
                                 publishedAt: Date(timeIntervalSince1970: published), discontinuity: discontinuity)
        }
    }

    private func publish(_ url: String, folder: String, name: String, seconds: Double? = nil) throws -> Background {
        var arguments = ["-re", "-i", Repo.fixture("cfr30-640x360.mp4")]
        if let seconds { arguments += ["-t", String(seconds)] }
        return try Background.ffmpeg(arguments + ["-c", "copy", "-f", "flv", url], log: folder + "." + name)
    }

    /// Kills the publisher mid-stream (SIGKILL), starts another: returns the output folder and segment log.
    private func runOutage(slate: Bool) throws -> (folder: String, log: [LoggedSegment], killedAt: Date, returnedAt: Date) {
        let folder = try temporaryFolder(self)
        var slateArguments = ["--no-slate"]
        if slate {
            // A picture of another size and pixel format than the feed: every rendition scales and converts it.
            let image = folder + "-slate.png"
            let made = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                                          "smptebars=size=320x180", "-frames:v", "1", image])
            XCTAssertEqual(made.status, 0, made.stderr)
            slateArguments = ["--slate-image", image]
        }
        let url = "rtmp://127.0.0.1:\(freePort())/live/stream"
        let ladder = try Background(Repo.executable, ["run", "--input", url, "--listen", "--output", folder,
                                                      "--list-size", "20", "--input-timeout", "1", "--reconnect-window", "4",
                                                      "--segment-log", folder + ".log"] + slateArguments,
                                    log: folder + ".stderr")
        let watcher = LiveWatcher(folder: folder, renditions: LiveIngestTests.renditions, listSize: 20)
        Thread.sleep(forTimeInterval: 0.5)
        let first = try publish(url, folder: folder, name: "first")
        Thread.sleep(forTimeInterval: 4.5)
        first.signal(SIGKILL)
        let killedAt = Date()
        first.wait(timeout: 5)
        Thread.sleep(forTimeInterval: 3)
        watcher.publisherEnded()
        let returnedAt = Date()
        let second = try publish(url, folder: folder, name: "second")
        XCTAssertEqual(second.wait(timeout: 20), 0, second.output)
        XCTAssertEqual(ladder.wait(timeout: 20), 9, ladder.output)
        let violations = watcher.stop()
        XCTAssertEqual(violations, [], "live rules broken during the run")
        return (folder, try segmentLog(folder + ".log"), killedAt, returnedAt)
    }

    /// Exactly one discontinuity, at the same sequence number in every rendition, and no rewind.
    private func assertOneAlignedDiscontinuity(_ folder: String) throws {
        var positions: Set<Int> = []
        for name in LiveIngestTests.renditions {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(name)/index.m3u8", encoding: .utf8))
            let marked = playlist.segments.indices.filter { playlist.segments[$0].discontinuity }
            XCTAssertEqual(marked.count, 1, "\(name): one discontinuity")
            if let index = marked.first { positions.insert(playlist.mediaSequence + index) }
            XCTAssertEqual(playlist.segments.map(\.uri), playlist.segments.indices.map { "segment-\(playlist.mediaSequence + $0).ts" },
                           "\(name): numbers only go up, none skipped")
        }
        XCTAssertEqual(positions.count, 1, "the discontinuity sits at the same sequence number everywhere: \(positions)")
        let report = try HLSCheck.run(path: folder, options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }

    func testPublisherKilledAndBackGivesOneAlignedDiscontinuity() throws {
        let run = try runOutage(slate: false)
        try assertOneAlignedDiscontinuity(run.folder)
        // Without a slate nothing is produced while the publisher is away (beyond closing the segment in progress).
        let during = run.log.filter { $0.publishedAt > run.killedAt.addingTimeInterval(1.5) && $0.publishedAt < run.returnedAt }
        XCTAssertEqual(during.count, 0, "segments during the outage: \(during.map(\.number))")
    }

    /// The default: the outage is filled (frozen picture, then the slate) on the same encoders and timeline,
    /// so the output carries no discontinuity and no short segment, and FFmpeg reads it without a warning.
    func testSlateKeepsSegmentsComingDuringTheOutage() throws {
        let run = try runOutage(slate: true)
        for name in LiveIngestTests.renditions {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(run.folder)/\(name)/index.m3u8", encoding: .utf8))
            XCTAssertFalse(playlist.segments.contains(where: \.discontinuity), "\(name): an outage is no discontinuity")
            XCTAssertEqual(playlist.segments.map(\.uri), playlist.segments.indices.map { "segment-\(playlist.mediaSequence + $0).ts" })
            for segment in playlist.segments.dropLast() {
                XCTAssertEqual(segment.duration, 2, accuracy: 0.034, "\(name) \(segment.uri): no short segment at the loss or the return")
            }
        }
        let report = try HLSCheck.run(path: run.folder, options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
        try assertFFmpegReadsWithoutWarnings(run.folder + "/master.m3u8")
        for name in LiveIngestTests.renditions {
            let times = run.log.filter { $0.rendition == name }.map(\.publishedAt).sorted()
            // Slate segments come out during the outage, and production never pauses for longer than a
            // segment plus the time it takes to notice the loss.
            XCTAssertGreaterThanOrEqual(times.filter { $0 > run.killedAt && $0 < run.returnedAt }.count, 1, name)
            let pauses = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }
            // Before the last segment (closed when the second publisher's loss was noticed).
            let steady = pauses.dropLast()
            XCTAssertLessThan(steady.max() ?? 0, 2 + 1 + 0.8, "\(name): longest pause between segments \(steady.max() ?? 0) s")
        }
    }

    func testSilentPublisherIsDetectedWithinTheTimeout() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let ladder = try Background(Repo.executable, ["run", "--input", "tcp://127.0.0.1:\(port)", "--listen", "--output", folder,
                                                      "--input-timeout", "2", "--reconnect-window", "0.5"],
                                    log: folder + ".stderr")
        Thread.sleep(forTimeInterval: 0.5)
        let publisher = try Background.ffmpeg(["-re", "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy", "-f", "mpegts",
                                               "tcp://127.0.0.1:\(port)"], log: folder + ".publisher")
        XCTAssertTrue(eventually(timeout: 10) { FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts") })
        // The publisher freezes with its connection open: no EOF, just silence.
        publisher.signal(SIGSTOP)
        let stoppedAt = Date()
        let status = ladder.wait(timeout: 10)
        let detectedAfter = Date().timeIntervalSince(stoppedAt)
        publisher.signal(SIGKILL)
        XCTAssertEqual(status, 9, ladder.output)
        XCTAssertTrue(ladder.output.contains("was lost"), ladder.output)
        // 2 s input timeout + 0.5 s reconnect window, plus the frames still in flight.
        XCTAssertLessThan(detectedAfter, 2 + 0.5 + 1.5, "noticed after \(detectedAfter) s")
        // The segment in progress was closed cleanly and listed with its true duration.
        let report = try HLSCheck.run(path: folder, options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }
}
