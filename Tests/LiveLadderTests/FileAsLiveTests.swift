import Foundation
import XCTest
import HLSChecker
import HLSModel

/// A file played as live: `--realtime` paces it, `--loop` repeats it on one continuous timeline.
final class FileAsLiveTests: XCTestCase {
    func testRealtimePacesTheFileAtItsNativeRate() throws {
        let folder = try temporaryFolder(self)
        let started = Date()
        let result = try liveladder("run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder,
                                    "--realtime", "--playlist-type", "event")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 0, result.stderr)
        // 6 s of media take about 6 s of wall clock, not the fraction a fast encode would.
        XCTAssertGreaterThan(elapsed, 5.5)
        try assertChecks(folder)
    }

    func testLoopRepeatsTheFileOnOneContinuousTimeline() throws {
        let folder = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder,
                                                      "--loop", "--playlist-type", "event"], log: folder + ".stderr")
        // Run until three loops (18 s of media) are out, then stop the process the hard way.
        XCTAssertTrue(eventually(timeout: 60) { FileManager.default.fileExists(atPath: folder + "/240p/segment-9.ts") })
        ladder.signal(SIGKILL)
        ladder.wait(timeout: 5)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/240p/index.m3u8", encoding: .utf8))
        XCTAssertGreaterThanOrEqual(playlist.segments.count, 9)
        XCTAssertFalse(playlist.endList, "a looped file never ends")
        XCTAssertFalse(playlist.segments.contains(where: \.discontinuity), "the loop is seamless")
        // Every segment but the newest is a whole 2 s: the loop points do not cut segments short.
        for segment in playlist.segments.dropLast() { XCTAssertEqual(segment.duration, 2, accuracy: 0.034, segment.uri) }
        var previousEnd: Int64?
        for segment in playlist.segments {
            let facts = try SegmentFacts.read(folder + "/240p/" + segment.uri)
            let start = try XCTUnwrap(facts.firstVideoPTS)
            if let previousEnd { XCTAssertEqual(start, previousEnd, "\(segment.uri) continues the timeline") }
            previousEnd = start + Int64(segment.duration * 90_000)
        }
        let report = try HLSCheck.run(path: folder)
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }
}

/// A pull input over HTTP: LiveLadder connects out, and the resource's end is the stream's end.
final class HTTPPullTests: XCTestCase {
    func testHTTPPullOfAFileEndsTheStreamWithEndList() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let server = try Background("/usr/bin/python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1",
                                                         "--directory", Repo.root.appendingPathComponent("fixtures").path],
                                    log: folder + ".server")
        XCTAssertTrue(eventually(timeout: 10) {
            (try? runProcess("/usr/bin/ffprobe", ["-v", "error", "http://127.0.0.1:\(port)/cfr30-640x360.ts"]))?.status == 0
        })
        let result = try liveladder("run", "--input", "http://127.0.0.1:\(port)/cfr30-640x360.ts", "--output", folder,
                                    "--playlist-type", "event")
        server.signal(SIGTERM)
        XCTAssertEqual(result.status, 0, result.stderr)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        XCTAssertTrue(playlist.endList)
        XCTAssertEqual(playlist.segments.count, 3)
        try assertChecks(folder)
    }
}

final class LiveOptionTests: XCTestCase {
    func testKeepAliveLeavesTheStreamOpenAtTheEndOfAFile() throws {
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder,
                                    "--playlist-type", "live", "--keep-alive")
        XCTAssertEqual(result.status, 0, result.stderr)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/240p/index.m3u8", encoding: .utf8))
        XCTAssertFalse(playlist.endList, "--keep-alive: no ENDLIST")
        XCTAssertEqual(playlist.segments.reduce(0) { $0 + $1.duration }, 6, accuracy: 0.001, "every segment closed cleanly")
        let report = try HLSCheck.run(path: folder, options: CheckOptions(live: true))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }

    func testUnreadableSlateImageIsRefusedBeforeAnyWork() throws {
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", folder,
                                    "--slate-image", Repo.fixture("bad/not-media.txt"))
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("--slate-image"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/master.m3u8"))
    }
}
