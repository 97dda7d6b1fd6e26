import Foundation
import XCTest
import HLSChecker
import HLSModel

/// Inputs that misbehave: random byte damage, timestamps that jump and wrap, bad options and addresses.
final class DamagedInputTests: XCTestCase {
    private func data(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func testRandomByteDamageInTransportStreamKeepsAConformantOutput() throws {
        var bytes = [UInt8](try data(Repo.fixture("cfr30-640x360.ts")))
        // Deterministic damage: 300 bytes overwritten past the first second, sync bytes included.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let index = 60_000 + Int(state >> 33) % (bytes.count - 60_000)
            bytes[index] = UInt8(truncatingIfNeeded: state >> 13)
        }
        let folder = try temporaryFolder(self)
        let input = folder + "-damaged.ts"
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let result = try liveladder("run", "--input", input, "--output", folder, "--playlist-type", "event")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("damaged packets skipped"), result.stdout)
        try assertChecks(folder)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        XCTAssertGreaterThan(playlist.segments.reduce(0) { $0 + $1.duration }, 5, "output continued past the damage")
        XCTAssertTrue(playlist.endList)
    }

    /// Parts of the same clip with timestamp offsets that jump forward, back to zero, and across the
    /// 33-bit MPEG-TS wrap, concatenated into one stream.
    func testTimestampJumpsAndWrapKeepOneContinuousTimeline() throws {
        let folder = try temporaryFolder(self)
        var joined = Data()
        var frames = 0
        for (index, offset) in ["0", "1000", "0", "95440"].enumerated() {
            let part = folder + "-part\(index).ts"
            let result = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-i", Repo.fixture("cfr30-640x360.mp4"),
                                                            "-t", index == 3 ? "6" : "3", "-c", "copy", "-output_ts_offset", offset,
                                                            "-f", "mpegts", part])
            XCTAssertEqual(result.status, 0, result.stderr)
            joined.append(try data(part))
            let count = try runProcess("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "v", "-count_packets",
                                                            "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", part])
            // One line per program the stream is in; the first count is the stream's.
            frames += count.stdout.split(separator: "\n").compactMap { Int($0) }.first ?? 0
        }
        let input = folder + "-jumps.ts"
        try joined.write(to: URL(fileURLWithPath: input))
        let result = try liveladder("run", "--input", input, "--output", folder, "--playlist-type", "event")
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertChecks(folder)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        // Every picture, stitched into one timeline: no hole, no rewind, no discontinuity needed. Where the
        // splices leave a hole of a frame or two, the last picture is repeated, so a few more may come out.
        let total = playlist.segments.reduce(0) { $0 + $1.duration }
        XCTAssertGreaterThanOrEqual(total, Double(frames) / 30 - 0.001)
        XCTAssertLessThanOrEqual(total, Double(frames + 6) / 30)
        XCTAssertFalse(playlist.segments.contains(where: \.discontinuity))
        XCTAssertTrue(result.stdout.contains("timestamp jumps stitched"), result.stdout)
        var previous: Int64 = 0
        var written = 0
        for segment in playlist.segments {
            let facts = try SegmentFacts.read(folder + "/360p/" + segment.uri)
            written += facts.videoPackets
            let first = try XCTUnwrap(facts.firstVideoPTS)
            XCTAssertGreaterThan(first, previous, "\(segment.uri): timestamps only go forward")
            previous = try XCTUnwrap(facts.lastVideoPTS)
        }
        XCTAssertGreaterThanOrEqual(written, frames, "every frame of every part")
        XCTAssertLessThanOrEqual(written, frames + 6, "only a few repeated")
    }

    func testUnknownInputOptionIsAConfigError() throws {
        let out = try temporaryFolder(self)
        let result = try liveladder("run", "--input", Repo.fixture("cfr30-640x360.ts"), "--output", out, "--input-option", "no_such_option=1")
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("--input-option no_such_option"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
    }

    /// One audio frame libswresample refuses (here all of them: 31 channels) is skipped and counted, and the
    /// run carries on with silence in its place, instead of ending with exit 8.
    func testAudioFramesTheResamplerRefusesAreSkippedNotFatal() throws {
        let out = try temporaryFolder(self)
        let result = try liveladder("run", "-i", Repo.fixture("bad/audio-31-channels.mp4"), "-o", out)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertNotNil(result.stdout.range(of: #"[1-9]\d* damaged packets? skipped"#, options: .regularExpression), result.stdout)
        try assertChecks(out)
    }

    func testBadInputOptionValueIsAConfigError() throws {
        let out = try temporaryFolder(self)
        let result = try liveladder("run", "--input", "rtmp://127.0.0.1:\(freePort())/live/x", "--listen", "--output", out,
                                    "--input-option", "timeout=soon")
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("timeout") && result.stderr.contains("soon"), result.stderr)
    }

    func testUnreachablePullURL() throws {
        let out = try temporaryFolder(self)
        let url = "http://127.0.0.1:\(freePort())/live/index.m3u8"
        let result = try liveladder("run", "--input", url, "--output", out)
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertTrue(result.stderr.contains("cannot connect to \(url)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/master.m3u8"))
    }

    func testPortAlreadyInUse() throws {
        let port = freePort()
        // Hold the port with a listening socket of our own.
        let fd = listeningSocket(port: port)
        defer { close(fd) }
        XCTAssertGreaterThanOrEqual(fd, 0)
        let out = try temporaryFolder(self)
        let result = try liveladder("run", "--input", "rtmp://127.0.0.1:\(port)/live/stream", "--listen", "--output", out)
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertTrue(result.stderr.contains("already in use"), result.stderr)
    }

    func testLoopAndRealtimeNeedAFile() throws {
        let out = try temporaryFolder(self)
        let result = try liveladder("run", "--input", "udp://127.0.0.1:\(freePort())", "--loop", "--output", out)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("--loop"), result.stderr)
    }
}
