import Foundation
import XCTest
import HLSModel

/// Who may publish: an RTMP listener takes only its own app and stream key, and keeps listening after
/// refusing a stranger; an SRT listener with a passphrase takes only callers that know it.
final class IngestAccessTests: XCTestCase {
    private static let publish = ["-re", "-t", "4", "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy"]

    func testRTMPListenerRefusesAWrongStreamKeyAndTakesTheRightOne() throws {
        let port = freePort()
        let folder = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "-i", "rtmp://127.0.0.1:\(port)/live/s3cretKey", "--listen",
                                                      "-o", folder, "--input-timeout", "2", "--reconnect-window", "1"],
                                    log: folder + ".stderr")
        Thread.sleep(forTimeInterval: 0.5)
        for wrong in ["wrong/guess", "live/guess", "other/s3cretKey"] {
            let stranger = try Background.ffmpeg(Self.publish + ["-f", "flv", "rtmp://127.0.0.1:\(port)/\(wrong)"],
                                                 log: folder + ".stranger")
            XCTAssertNotEqual(stranger.wait(timeout: 20), 0, "a publisher to /\(wrong) is cut off")
            XCTAssertTrue(ladder.process.isRunning, "the listener keeps listening after refusing /\(wrong)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts"), "nothing of /\(wrong) is published")
        }
        let owner = try Background.ffmpeg(Self.publish + ["-f", "flv", "rtmp://127.0.0.1:\(port)/live/s3cretKey"], log: folder + ".owner")
        XCTAssertEqual(owner.wait(timeout: 30), 0, owner.output)
        XCTAssertEqual(ladder.wait(timeout: 20), 9, ladder.output)
        XCTAssertEqual(ladder.output.components(separatedBy: "refused an RTMP publisher").count - 1, 3, ladder.output)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        XCTAssertGreaterThanOrEqual(playlist.segments.count, 1, "the right key is published")
    }

    func testSRTListenerWithAPassphraseRefusesACallerWithoutIt() throws {
        let port = freePort()
        let folder = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "-i", "srt://127.0.0.1:\(port)?mode=listener&passphrase=longenoughsecret1",
                                                      "-o", folder, "--input-timeout", "2", "--reconnect-window", "1"],
                                    log: folder + ".stderr")
        Thread.sleep(forTimeInterval: 0.5)
        let stranger = try Background.ffmpeg(Self.publish + ["-f", "mpegts", "srt://127.0.0.1:\(port)?mode=caller&connect_timeout=2000"],
                                             log: folder + ".stranger")
        XCTAssertNotEqual(stranger.wait(timeout: 20), 0, "a caller without the passphrase is refused")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts"))
        let owner = try Background.ffmpeg(Self.publish + ["-f", "mpegts", "srt://127.0.0.1:\(port)?mode=caller&passphrase=longenoughsecret1"],
                                          log: folder + ".owner")
        XCTAssertEqual(owner.wait(timeout: 30), 0, owner.output)
        XCTAssertEqual(ladder.wait(timeout: 20), 9, ladder.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts"))
    }

    func testListenIsRefusedOnAFile() throws {
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "--listen", "-o", try temporaryFolder(self))
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("--listen") && result.stderr.contains("is a file"), result.stderr)
    }

    func testConnectionRefusedOnAnRTMPURLSuggestsListen() throws {
        let result = try liveladder("run", "-i", "rtmp://127.0.0.1:\(freePort())/live/x", "-o", try temporaryFolder(self))
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertTrue(result.stderr.contains("connection refused") && result.stderr.contains("--listen"), result.stderr)
    }

    func testAFIFOAsInputIsRefusedInsteadOfBlocking() throws {
        let folder = try temporaryFolder(self)
        let fifo = folder + "-input.ts"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let result = try liveladder("run", "-i", fifo, "-o", folder)
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertTrue(result.stderr.contains("FIFO") && result.stderr.contains("-i -"), result.stderr)
    }
}
