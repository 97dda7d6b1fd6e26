import Foundation
import XCTest
import HLSChecker
import HLSModel

/// Real publishers on loopback: the ffmpeg CLI publishes a fixture in real time over RTMP, SRT, UDP and
/// stdin while LiveLadder runs live; snapshots taken during the run must satisfy the live rules.
final class LiveIngestTests: XCTestCase {
    static let renditions = ["360p", "240p"]
    /// 12 s of media: the fixture twice, so a 3-segment window slides.
    static let publishArguments = ["-re", "-stream_loop", "1", "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy"]

    private func startLadder(_ input: String, _ extra: [String], folder: String, stdin: Pipe? = nil) throws -> Background {
        try Background(Repo.executable, ["run", "--input", input, "--output", folder, "--list-size", "3",
                                         "--input-timeout", "2", "--segment-log", folder + ".log"] + extra,
                       log: folder + ".stderr", stdin: stdin)
    }

    /// Runs one live session end to end and asserts what the snapshots saw.
    private func assertLiveRun(input: String, ladderArguments: [String] = [], publish: [String]? = nil,
                               pipePublisher: [String]? = nil, expectEnd: Bool) throws {
        let folder = try temporaryFolder(self)
        var stdin: Pipe?
        var piped: Background?
        if let pipePublisher {
            let pipe = Pipe()
            piped = try Background.ffmpeg(pipePublisher, log: folder + ".publisher", stdout: pipe)
            stdin = pipe
        }
        let ladder = try startLadder(input, ladderArguments, folder: folder, stdin: stdin)
        let watcher = LiveWatcher(folder: folder, renditions: Self.renditions, listSize: 3)
        var publisher: Background?
        if let publish {
            Thread.sleep(forTimeInterval: 0.5)
            publisher = try Background.ffmpeg(publish, log: folder + ".publisher")
            XCTAssertEqual(publisher?.wait(timeout: 30), 0, publisher?.output ?? "")
        }
        XCTAssertEqual(piped?.wait(timeout: 30) ?? 0, 0)
        watcher.publisherEnded()
        if expectEnd {
            // A finite input (stdin) ends the stream: ENDLIST, exit 0.
            XCTAssertEqual(ladder.wait(timeout: 20), 0, ladder.output)
        } else {
            // A network publisher that leaves is waited for; with a 1 s window the run then ends with code 9.
            XCTAssertEqual(ladder.wait(timeout: 20), 9, ladder.output)
            XCTAssertTrue(ladder.output.contains("was lost and did not return"), ladder.output)
        }
        let violations = watcher.stop()
        XCTAssertEqual(violations, [], "live rules broken during the run")
        XCTAssertGreaterThan(watcher.checkedSnapshots, 2, "check ran on snapshots taken during the run")
        XCTAssertGreaterThan(watcher.leftCount, 0, "the window slid")
        for name in Self.renditions {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(name)/index.m3u8", encoding: .utf8))
            XCTAssertEqual(playlist.endList, expectEnd, name)
            XCTAssertGreaterThanOrEqual(playlist.mediaSequence + playlist.segments.count, 6, "\(name): 12 s of media made 6 segments")
            XCTAssertFalse(playlist.segments.contains(where: \.discontinuity), "\(name): one session, no discontinuity")
        }
        let report = try HLSCheck.run(path: folder, options: CheckOptions(live: !expectEnd))
        XCTAssertTrue(report.passed, report.failures.map(\.description).joined(separator: "\n"))
    }

    func testRTMPPublisher() throws {
        let port = freePort()
        let url = "rtmp://127.0.0.1:\(port)/live/stream"
        try assertLiveRun(input: url, ladderArguments: ["--listen", "--reconnect-window", "1"],
                          publish: Self.publishArguments + ["-f", "flv", url], expectEnd: false)
    }

    func testSRTPublisher() throws {
        let port = freePort()
        try assertLiveRun(input: "srt://127.0.0.1:\(port)?mode=listener", ladderArguments: ["--reconnect-window", "1"],
                          publish: Self.publishArguments + ["-f", "mpegts", "srt://127.0.0.1:\(port)?mode=caller"],
                          expectEnd: false)
    }

    func testUDPPublisher() throws {
        let port = freePort()
        try assertLiveRun(input: "udp://127.0.0.1:\(port)", ladderArguments: ["--reconnect-window", "1"],
                          publish: Self.publishArguments + ["-f", "mpegts", "udp://127.0.0.1:\(port)?pkt_size=1316"],
                          expectEnd: false)
    }

    func testStdinPublisherEndsTheStreamWithEndList() throws {
        try assertLiveRun(input: "-", pipePublisher: Self.publishArguments + ["-f", "mpegts", "-"], expectEnd: true)
    }
}
