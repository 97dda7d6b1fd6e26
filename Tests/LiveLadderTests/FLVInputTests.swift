import Foundation
import XCTest
import HLSModel

/// RTMP and FLV carry millisecond timestamps: the most common live setup (OBS → RTMP → CMAF) must give
/// a constant frame rate, exact EXTINFs and no overlap at the common rates, in both containers.
final class FLVInputTests: XCTestCase {
    private func flv(rate: String, _ folder: String) throws -> String {
        let path = folder + "-\(rate.replacingOccurrences(of: "/", with: "_")).flv"
        let made = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=\(rate)",
                                                      "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "6", "-c:v", "libx264",
                                                      "-preset", "ultrafast", "-g", "60", "-c:a", "aac", "-f", "flv", path])
        XCTAssertEqual(made.status, 0, made.stderr)
        return path
    }

    private func assertConstantRate(_ out: String, fps: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        try assertChecks(out, file: file, line: line)
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        XCTAssertTrue(master.contains(String(format: "FRAME-RATE=%.3f", fps)), master, file: file, line: line)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: out + "/180p/index.m3u8", encoding: .utf8))
        // 2 s segments are a whole number of frames at 25/30/50 fps; at the NTSC rates the first frame at or
        // after each grid line starts a segment, so every segment but the last is within a frame of 2 s.
        for segment in playlist.segments.dropLast() {
            XCTAssertEqual(segment.duration, 2, accuracy: 1 / fps + 0.0005, "\(segment.uri)", file: file, line: line)
        }
    }

    /// Over stdin at every common rate, into TS and fMP4.
    func testFLVOnStandardInputAtTheCommonRates() throws {
        let folder = try temporaryFolder(self)
        for (rate, fps) in [("25", 25.0), ("30000/1001", 29.97), ("30", 30.0), ("50", 50.0), ("60000/1001", 59.94)] {
            let input = try flv(rate: rate, folder)
            for format in ["ts", "fmp4"] {
                let out = folder + "-\(format)-\(rate.replacingOccurrences(of: "/", with: "_"))"
                let result = try runProcess("/bin/sh", ["-c", "'\(Repo.executable)' run -i - -o '\(out)' --segment-format \(format) --playlist-type event < '\(input)'"])
                XCTAssertEqual(result.status, 0, "\(rate) \(format): \(result.stderr)")
                try assertConstantRate(out, fps: fps)
            }
        }
    }

    func testOBSStyleRTMPIntoFragmentedMP4() throws {
        let folder = try temporaryFolder(self)
        for (rate, fps) in [("30", 30.0), ("30000/1001", 29.97)] {
            let input = try flv(rate: rate, folder)
            let port = freePort()
            let out = folder + "-rtmp-\(rate.replacingOccurrences(of: "/", with: "_"))"
            let ladder = try Background(Repo.executable, ["run", "-i", "rtmp://127.0.0.1:\(port)/live/key", "--listen", "-o", out,
                                                          "--segment-format", "fmp4", "--input-timeout", "2", "--reconnect-window", "1",
                                                          "--playlist-type", "event"], log: out + ".stderr")
            Thread.sleep(forTimeInterval: 0.5)
            let publisher = try Background.ffmpeg(["-re", "-i", input, "-c", "copy", "-f", "flv", "rtmp://127.0.0.1:\(port)/live/key"],
                                                  log: out + ".publisher")
            XCTAssertEqual(publisher.wait(timeout: 30), 0, publisher.output)
            // The publisher leaves and does not return: exit 9 after the 1 s window, output kept.
            XCTAssertEqual(ladder.wait(timeout: 20), 9, ladder.output)
            try assertConstantRate(out, fps: fps)
        }
    }
}
