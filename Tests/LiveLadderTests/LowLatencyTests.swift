import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HLSModel
import XCTest

/// LL-HLS parts (`--part-duration`, fMP4): what a run writes, and a live run's parts served by `--serve`
/// to a client that blocks on the next part.
final class LowLatencyTests: XCTestCase {
    func testPartsOfAFileRunHoldTheirSegmentsBytesAndPassCheck() throws {
        let output = try temporaryFolder(self)
        let result = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", output, "--segment-format", "fmp4",
                                    "--playlist-type", "event", "--part-duration", "0.5")
        XCTAssertEqual(result.status, 0, result.stderr)
        let check = try liveladder("check", output)
        XCTAssertEqual(check.status, 0, check.stdout)
        var targets: Set<String> = []
        for rendition in ["360p", "240p", "audio"] {
            let text = try String(contentsOfFile: "\(output)/\(rendition)/index.m3u8", encoding: .utf8)
            let playlist = try MediaPlaylist.parse(text)
            targets.insert(text.components(separatedBy: "\n").first { $0.hasPrefix("#EXT-X-PART-INF") } ?? "none")
            XCTAssertEqual(playlist.serverControl?.canBlockReload, true)
            XCTAssertEqual(playlist.segments.count, 3)
            XCTAssertNil(playlist.preloadHint, "no hint after ENDLIST")
            for (index, segment) in playlist.segments.enumerated() {
                XCTAssertFalse(segment.parts.isEmpty, "\(rendition) segment \(index) lists its parts (within 3 target durations of the end)")
                XCTAssertTrue(segment.parts[0].independent)
                if rendition != "audio" {
                    XCTAssertEqual(segment.parts.map(\.duration), [0.5, 0.5, 0.5, 0.5], rendition)
                    XCTAssertEqual(segment.parts.dropFirst().filter(\.independent).count, 0, "only the first video part starts with an IDR")
                }
                XCTAssertEqual(segment.parts.reduce(0) { $0 + $1.duration }, segment.duration, accuracy: 0.0001)
                // LL4: the parts, concatenated, are the segment's bytes.
                let joined = try segment.parts.reduce(Data()) { $0 + (try Data(contentsOf: URL(fileURLWithPath: "\(output)/\(rendition)/\($1.uri)"))) }
                XCTAssertEqual(joined, try Data(contentsOf: URL(fileURLWithPath: "\(output)/\(rendition)/\(segment.uri)")), "\(rendition) \(segment.uri)")
            }
        }
        XCTAssertEqual(targets.count, 1, "one PART-TARGET in every playlist: \(targets)")
        let ffmpeg = try runProcess("/usr/bin/env", ["ffmpeg", "-nostdin", "-hide_banner", "-v", "warning", "-i", output + "/master.m3u8", "-f", "null", "-"])
        XCTAssertEqual(ffmpeg.status, 0)
        XCTAssertEqual(ffmpeg.stderr, "")
    }

    func testOverwriteRemovesAPreviousRunsPartsAndNothingElse() throws {
        let output = try temporaryFolder(self)
        XCTAssertEqual(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", output, "--segment-format", "fmp4",
                                      "--playlist-type", "event", "--part-duration", "0.5").status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/360p/segment-2.3.m4s"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: output + "/360p/segment-2.3.m4s.notes"))
        try Data("mine".utf8).write(to: URL(fileURLWithPath: output + "/360p/segment-1.2.ts"))
        let again = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", output, "--overwrite")
        XCTAssertEqual(again.status, 0, again.stderr)
        let left = try FileManager.default.contentsOfDirectory(atPath: output + "/360p").sorted()
        XCTAssertFalse(left.contains { $0.hasSuffix(".m4s") }, "the previous run's parts and fMP4 segments went: \(left)")
        XCTAssertTrue(left.contains("segment-2.3.m4s.notes"))
        XCTAssertTrue(left.contains("segment-1.2.ts"), "not a name LiveLadder writes (no TS parts): kept")
    }

    func testPartDurationsThatCannotWorkAreRefused() throws {
        let output = try temporaryFolder(self)
        let input = Repo.fixture("cfr30-640x360.mp4")
        let cases: [([String], String)] = [
            (["--part-duration", "0.5"], "--part-duration: parts need segmentFormat fmp4 (LiveLadder cuts no TS parts)"),
            (["--part-duration", "0.5", "--segment-format", "fmp4"], "--part-duration: parts are for live and event playlists"),
            (["--part-duration", "1.5", "--segment-format", "fmp4", "--playlist-type", "event"], "--part-duration: 1.5 s is out of range (allowed 0.1 s to half the segment duration, 1 s)"),
            (["--part-duration", "nan", "--segment-format", "fmp4", "--playlist-type", "event"], "--part-duration: nan is not a duration in seconds"),
        ]
        for (flags, message) in cases {
            let result = try liveladder(["run", "--input", input, "--output", output] + flags)
            XCTAssertEqual(result.status, 3, "\(flags): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("liveladder: error: " + message), "\(flags): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        }
    }

    /// A live run with 0.5 s parts behind `--serve`: a client asking for the next part is held until it
    /// exists and then answered; parts arrive about one PART-TARGET apart; the live snapshot keeps every
    /// LL-HLS rule; FFmpeg plays it.
    /// A realtime RTMP feed with 0.5 s parts, served by `--serve`: blocking part requests, the live rules at
    /// every snapshot, FFmpeg and GStreamer playing from the origin.
    func testLivePartsOfAnRTMPFeedServedWithBlockingPartRequests() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let rtmp = "rtmp://127.0.0.1:\(freePort())/live/stream"
        let run = try Background(Repo.executable, ["run", "-i", rtmp, "--listen", "-o", folder, "--playlist-type", "live",
                                                   "--segment-format", "fmp4", "--part-duration", "0.5",
                                                   "--serve", String(port)], log: folder + ".log")
        Thread.sleep(forTimeInterval: 1)
        let publisher = try Background.ffmpeg(["-re", "-stream_loop", "-1", "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy",
                                               "-f", "flv", rtmp], log: folder + ".publisher.log")
        defer { publisher.signal(SIGTERM) }
        let base = "http://127.0.0.1:\(port)"
        XCTAssertTrue(eventually(timeout: 20) {
            httpRequest(base + "/360p/index.m3u8").status == 200 && httpRequest(base + "/master.m3u8").status == 200
        }, run.output + publisher.output)
        let renditions = try MultivariantPlaylist.parse(httpRequest(base + "/master.m3u8").body).variants.map { String($0.uri.prefix { $0 != "/" }) }
        let watcher = LiveWatcher(folder: folder, renditions: renditions, listSize: 6)
        var answers: [(Date, Int, Int)] = []
        var hints: Set<String> = []
        var asked = try edge(httpRequest(base + "/360p/index.m3u8").body)
        for _ in 0..<10 {
            // The part after the last one listed.
            let next = (asked.msn, asked.part + 1)
            let response = httpRequest(base + "/360p/index.m3u8?_HLS_msn=\(next.0)&_HLS_part=\(next.1)", timeout: 10)
            XCTAssertEqual(response.status, 200, response.body)
            let now = try edge(response.body)
            answers.append((Date(), now.msn, now.part))
            if let hint = try MediaPlaylist.parse(response.body).preloadHint { hints.insert(hint.uri) }
            XCTAssertTrue(now.msn > asked.msn || now.part > asked.part, "answered only once a later part exists: \(asked) → \(now)")
            asked = now
        }
        // Every hinted part is made: a request for it is held until it is complete, then answered (10
        // answers span more than a segment's 4 parts, so a hint after a segment's last part is among them).
        XCTAssertGreaterThan(hints.count, 5)
        for hint in hints.sorted() {
            XCTAssertEqual(httpRequest(base + "/360p/" + hint, timeout: 10).status, 200, "hinted \(hint), never made")
        }
        // Parts came about one PART-TARGET apart (0.52 s), not a segment apart.
        let gaps = zip(answers, answers.dropFirst()).map { $1.0.timeIntervalSince($0.0) }
        let median = gaps.sorted()[gaps.count / 2]
        XCTAssertLessThan(median, 1.0, "\(gaps)")
        XCTAssertGreaterThan(median, 0.2, "\(gaps)")
        let check = try liveladder("check", folder, "--live")
        XCTAssertFalse(check.stdout.components(separatedBy: "\n").contains { $0.hasPrefix("LL") }, check.stdout)

        let ffmpeg = try runProcess("/usr/bin/env", ["ffmpeg", "-nostdin", "-hide_banner", "-v", "warning", "-i", base + "/master.m3u8",
                                                     "-t", "3", "-f", "null", "-"])
        XCTAssertEqual(ffmpeg.status, 0, ffmpeg.stderr)
        XCTAssertEqual(ffmpeg.stderr, "", "FFmpeg warned while playing the LL stream from the origin")
        // GStreamer's playbin3 (hlsdemux2) plays it from the origin: still playing, no error, when cut off.
        let gstreamer = try runProcess("/usr/bin/timeout", ["6", "gst-launch-1.0", "playbin3", "uri=\(base)/master.m3u8",
                                                            "video-sink=fakesink", "audio-sink=fakesink"])
        XCTAssertEqual(gstreamer.status, 124, "played until cut off: \(gstreamer.stdout.suffix(400)) \(gstreamer.stderr.suffix(400))")
        XCTAssertTrue(gstreamer.stdout.contains("PLAYING"), String(gstreamer.stdout.suffix(400)))
        XCTAssertFalse((gstreamer.stdout + gstreamer.stderr).contains("ERROR"), String((gstreamer.stdout + gstreamer.stderr).suffix(600)))
        let violations = watcher.stop()
        XCTAssertEqual(violations, [], "a live rule broke at a snapshot")
        XCTAssertGreaterThan(watcher.checkedSnapshots, 3, "check ran on snapshots all through")
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        XCTAssertEqual(try liveladder("check", folder).status, 0)
    }

    /// The live edge a playlist shows: the in-progress segment and its last part, or the last segment's.
    private func edge(_ text: String) throws -> (msn: Int, part: Int) {
        let playlist = try MediaPlaylist.parse(text)
        let count = playlist.segments.count
        if let parts = playlist.inProgress?.parts, !parts.isEmpty { return (playlist.mediaSequence + count, parts.count - 1) }
        return (playlist.mediaSequence + count - 1, (playlist.segments.last?.parts.count ?? 1) - 1)
    }
}
