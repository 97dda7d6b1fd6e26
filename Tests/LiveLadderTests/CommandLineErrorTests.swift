import Foundation
import XCTest

/// Bad input, bad config and bad output folders give one clear line on stderr and their documented exit code.
final class CommandLineErrorTests: XCTestCase {
    private func assertFails(_ result: ProcessResult, code: Int32, mentioning needles: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, code, "stderr: \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr, got: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("liveladder: error: "), result.stderr, file: file, line: line)
        for needle in needles {
            XCTAssertTrue(result.stderr.contains(needle), "\(needle) not in: \(result.stderr)", file: file, line: line)
        }
    }

    private func assertNothingWritten(_ folder: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/master.m3u8"), "no master after a failed run", file: file, line: line)
    }

    func testMissingInput() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", "/nonexistent/clip.mp4", "--output", out), code: 4,
                    mentioning: ["input not found", "/nonexistent/clip.mp4"])
        assertNothingWritten(out)
    }

    func testTextFileIsNotMedia() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("bad/not-media.txt"), "--output", out), code: 4,
                    mentioning: ["not-media.txt", "not a media file"])
        assertNothingWritten(out)
    }

    func testTruncatedFile() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("bad/truncated.mp4"), "--output", out), code: 4,
                    mentioning: ["truncated.mp4", "truncated"])
        assertNothingWritten(out)
    }

    func testAudioOnlyInputHasNoVideo() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("bad/audio-only.m4a"), "--output", out), code: 5,
                    mentioning: ["no video stream", "audio (aac)"])
        assertNothingWritten(out)
    }

    func testUndecodableVideoCodec() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("bad/undecodable-video.nut"), "--output", out), code: 6,
                    mentioning: ["undecodable-video.nut", "video codec", "cannot be decoded"])
        assertNothingWritten(out)
    }

    /// An AAC AudioSpecificConfig naming an object type the decoder refuses makes `avcodec_open2` fail
    /// after the codec context was allocated: one clean error, not a double free.
    func testAudioDecoderThatRefusesItsConfigurationIsExitSix() throws {
        let out = try temporaryFolder(self)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Repo.fixture("cfr30-640x360.mp4"))))
        for objectType: UInt8 in [0, 31] {
            let patched = try XCTUnwrap(MP4Patching.settingAACObjectType(objectType, in: original))
            let input = out + "-aot\(objectType).mp4"
            try Data(patched).write(to: URL(fileURLWithPath: input))
            assertFails(try liveladder("run", "--input", input, "--output", out), code: 6,
                        mentioning: [input, "audio stream 1 (aac)", "avcodec_open2", "cannot be decoded"])
            assertNothingWritten(out)
        }
    }

    func testBadConfigNamesKeyAndReason() throws {
        let folder = try temporaryFolder(self, "cfg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = folder + "/ladder.yaml"
        try """
            renditions:
              - name: hd
                height: 720
                videoBitrate: 3000k
              - name: sd
                height: 360
                videoBitrate: 3 Mbps
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let out = folder + "/out"
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--config", config),
                    code: 3, mentioning: ["renditions[1].videoBitrate", "\"3 Mbps\" is not a bitrate"])
        assertNothingWritten(out)
    }

    func testUpscaleRefusedBeforeAnyWork() throws {
        let folder = try temporaryFolder(self, "cfg")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = folder + "/ladder.yaml"
        try "renditions:\n  - name: hd\n    height: 720\n    videoBitrate: 3000k\n".write(toFile: config, atomically: true, encoding: .utf8)
        let out = folder + "/out"
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--config", config),
                    code: 3, mentioning: ["renditions[0]", "larger than", "allowUpscale"])
        assertNothingWritten(out)
    }

    func testBadSegmentFormatFlag() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--segment-format", "mkv"),
                    code: 3, mentioning: ["--segment-format", "mkv"])
    }

    func testUnwritableOutputFolder() throws {
        let folder = try temporaryFolder(self, "blocker")
        // A regular file where the output folder's parent should be: no permission trick needed (tests run as root).
        try "x".write(toFile: folder, atomically: true, encoding: .utf8)
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", folder + "/out"),
                    code: 7, mentioning: ["cannot create output folder", folder])
    }

    func testAnotherRunsFilesAreRefusedWithoutOverwrite() throws {
        let out = try temporaryFolder(self)
        let first = try liveladder("run", "--input", Repo.fixture("noaudio-480x270.mp4"), "--output", out)
        XCTAssertEqual(first.status, 0, first.stderr)
        let masterBefore = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        let second = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out)
        // The folder holds another configuration's run (another ladder): refused, naming the way out.
        assertFails(second, code: 7, mentioning: ["another configuration", "--overwrite"])
        // Nothing of the first run was touched.
        XCTAssertEqual(try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8), masterBefore)

        let third = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--overwrite")
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8).contains("360p/index.m3u8"))
        // The first run's 240p folder was replaced, not merged: only this run's segments are in it.
        let segments = try FileManager.default.contentsOfDirectory(atPath: out + "/240p").filter { $0.hasSuffix(".ts") }
        XCTAssertEqual(segments.count, 3)
        try assertChecks(out)
    }

    func testProbePrintsStreamsAsJSON() throws {
        let result = try liveladder("probe", Repo.fixture("mono44k-640x360.mp4"))
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let streams = try XCTUnwrap(json?["streams"] as? [[String: Any]])
        XCTAssertEqual(streams.count, 2)
        XCTAssertEqual(streams[0]["codec"] as? String, "h264")
        XCTAssertEqual(streams[0]["width"] as? Int, 640)
        XCTAssertEqual(streams[1]["sampleRate"] as? Int, 44_100)
        XCTAssertEqual(streams[1]["channels"] as? Int, 1)
    }

    func testProbeOfMissingInput() throws {
        assertFails(try liveladder("probe", "/nonexistent.ts"), code: 4, mentioning: ["input not found"])
    }

    /// Epoch lock needs a live input, a known frame rate, whole frames per segment and a past epoch.
    func testEpochLockIsRefusedWhereItCannotLock() throws {
        let out = try temporaryFolder(self)
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--epoch-lock"), code: 3,
                    mentioning: ["epoch lock: needs a live input"])
        assertFails(try liveladder("run", "--input", Repo.fixture("ntsc2997-640x360.mp4"), "--output", out, "--epoch-lock",
                                   "--realtime", "--playlist-type", "event"), code: 3,
                    mentioning: ["59.94 frames at 29.970 fps", "2.002 s (60 frames)"])
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--epoch-lock",
                                   "--realtime", "--playlist-type", "event", "--epoch", "2999-01-01T00:00:00Z"), code: 3,
                    mentioning: ["epoch lock: the epoch 2999-01-01T00:00:00.000Z is in the future"])
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--epoch", "2026-01-01T00:00:00Z"),
                    code: 3, mentioning: ["--epoch: an epoch needs epoch lock"])
        assertFails(try liveladder("run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--output", out, "--epoch-lock", "--deterministic",
                                   "--playlist-type", "event"), code: 3, mentioning: ["cannot be combined with --deterministic"])
        assertNothingWritten(out)
    }
}
