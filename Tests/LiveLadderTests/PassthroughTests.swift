import Foundation
import XCTest
import FFmpegKit
import HLSModel

/// The pass-through top rung (docs/passthrough.md) on real output: the copy is the source's bytes, every
/// rendition cuts at the same source IDRs, the master tells the copy's true rate and codec, and a source
/// whose keyframes do not fit the grid is refused (a file) or encoded from the next boundary on (live).
final class PassthroughTests: XCTestCase {
    /// A 320x180 ladder: the source copied, plus one encoded rung.
    private func config(format: String = "ts") throws -> String {
        let path = try temporaryFolder(self, "ladder.yaml")
        try """
        segmentDuration: 2
        segmentFormat: \(format)
        renditions:
          - name: source
            passthrough: true
            videoBitrate: 500k
          - name: 144p
            height: 144
            videoBitrate: 200k
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func run(_ fixture: String, format: String = "ts", _ extra: [String] = []) throws -> (String, ProcessResult) {
        let out = try temporaryFolder(self)
        let result = try liveladder(["run", "--input", Repo.fixture(fixture), "--output", out, "--config", try config(format: format)] + extra)
        return (out, result)
    }

    /// The NAL units of an Annex B stream, without start codes or the zero bytes before them.
    private func nalUnits(_ bytes: [UInt8]) -> [[UInt8]] {
        var units: [[UInt8]] = []
        var start: Int?
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let start { units.append(Array(bytes[start..<index])) }
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        if let start { units.append(Array(bytes[start...])) }
        return units.map { unit in Array(unit.reversed().drop { $0 == 0 }.reversed()) }
    }

    /// The video elementary stream of `input` (files or concatenated segments) as ffmpeg copies it out, Annex B.
    private func annexB(_ input: String) throws -> [UInt8] {
        let out = try temporaryFolder(self, "video.h264")
        let result = try runProcess("/usr/bin/ffmpeg", ["-v", "error", "-i", input, "-map", "0:v", "-c", "copy",
                                                        "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-y", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
    }

    private func concatenated(_ out: String, _ rendition: String) throws -> String {
        let output = try Output(out)
        let playlist = try output.media(rendition + "/index.m3u8")
        var bytes = Data()
        if let map = playlist.map { bytes += try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(rendition)/\(map)")) }
        for segment in playlist.segments { bytes += try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(rendition)/\(segment.uri)")) }
        let path = try temporaryFolder(self, rendition + (playlist.map == nil ? ".ts" : ".mp4"))
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Per-packet hashes and sizes of the video, `ffmpeg -c copy -f framemd5` (timestamps left out).
    private func packetHashes(_ input: String) throws -> [String] {
        let result = try runProcess("/usr/bin/ffmpeg", ["-v", "error", "-i", input, "-map", "0:v", "-c", "copy", "-f", "framemd5", "-"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            line.split(separator: ",").suffix(2).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ",")
        }
    }

    func testCopiedRungIsBitIdenticalToTheSourceInTS() throws {
        let (out, result) = try run("gop2s-320x180.ts")
        XCTAssertEqual(result.status, 0, result.stderr)
        let source = try packetHashes(Repo.fixture("gop2s-320x180.ts"))
        XCTAssertEqual(source.count, 240)
        XCTAssertEqual(try packetHashes(try concatenated(out, "source")), source)
    }

    /// fMP4 stores the same NAL units length-prefixed: back in Annex B they are the source's, unit by unit.
    func testCopiedRungCarriesTheSourceNALUnitsInFMP4() throws {
        let (out, result) = try run("gop2s-320x180.ts", format: "fmp4")
        XCTAssertEqual(result.status, 0, result.stderr)
        let source = nalUnits(try annexB(Repo.fixture("gop2s-320x180.ts")))
        let copied = nalUnits(try annexB(try concatenated(out, "source")))
        // mp4toannexb puts the init segment's SPS and PPS before the first IDR; the source has its own there.
        XCTAssertEqual(copied.filter { $0.first.map { $0 & 0x1f } == 1 || $0.first.map { $0 & 0x1f } == 5 },
                       source.filter { $0.first.map { $0 & 0x1f } == 1 || $0.first.map { $0 & 0x1f } == 5 })
        XCTAssertEqual(source.filter { $0.first.map { $0 & 0x1f } == 5 }.count, 4)
        try assertChecks(out)
    }

    func testEveryRenditionCutsAtTheSameSourceIDRAndTheMasterTellsTheCopysRate() throws {
        let (out, result) = try run("gop2s-320x180.ts")
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertChecks(out)
        let output = try Output(out)
        let copied = try output.segments("source/index.m3u8")
        let encoded = try output.segments("144p/index.m3u8")
        XCTAssertEqual(copied.count, 4)
        XCTAssertEqual(copied.map(\.facts.firstVideoPTS), encoded.map(\.facts.firstVideoPTS))
        XCTAssertEqual(copied.compactMap(\.facts.firstVideoPTS), (0..<4).map { 900_000 + Int64($0) * 180_000 })
        XCTAssertTrue(copied.allSatisfy(\.facts.firstVideoIsIDR) && encoded.allSatisfy(\.facts.firstVideoIsIDR))
        XCTAssertEqual(copied.first?.facts.width, 320)

        let variant = try XCTUnwrap(output.master.variants.first { $0.uri == "source/index.m3u8" })
        let samples = try copied.map { entry in
            SegmentSample(bytes: try Data(contentsOf: URL(fileURLWithPath: "\(out)/source/\(entry.segment.uri)")).count,
                          duration: entry.segment.duration)
        }
        XCTAssertGreaterThanOrEqual(variant.bandwidth, Bandwidth.peak(samples, targetDuration: 2))
        XCTAssertEqual(variant.width, 320)
        XCTAssertEqual(variant.height, 180)
        // CODECS is the source's own SPS.
        let input = try MediaInput(url: Repo.fixture("gop2s-320x180.ts"))
        var sps: [UInt8]?
        while sps == nil, let packet = try input.read() {
            if input.streams[packet.streamIndex].kind == .video { sps = H264.findSPS(in: packet.bytes) }
        }
        XCTAssertEqual(variant.codecs.first, try XCTUnwrap(sps.flatMap(H264.codecString)))
    }

    func testAFileWithTenSecondKeyframesIsRefusedBeforeAnythingIsWritten() throws {
        let (out, result) = try run("gop10s-320x180.ts")
        XCTAssertEqual(result.status, 3)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("passthrough cannot copy") && result.stderr.contains("keyframes are up to 10.0 s apart"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// Live (the file paced in real time): the rung encodes from the first boundary the source misses, after
    /// a discontinuity at the same number in every rendition, with the alert raised.
    func testLiveSourceWithTenSecondKeyframesFallsBackToEncoding() throws {
        let events = try temporaryFolder(self, "events.jsonl")
        let (out, result) = try run("gop10s-320x180.ts", ["--realtime", "--playlist-type", "event", "--events", events])
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertChecks(out)
        let output = try Output(out)
        for rendition in ["source", "144p"] {
            let playlist = try output.media(rendition + "/index.m3u8")
            XCTAssertEqual(playlist.segments.map(\.discontinuity), [false, true] + Array(repeating: false, count: playlist.segments.count - 2), rendition)
        }
        let log = try String(contentsOfFile: events, encoding: .utf8)
        XCTAssertTrue(log.contains("\"rendition.passthrough-fallback\""))
        XCTAssertTrue(log.contains("\"passthrough-fallback/source\""))
    }

    func testANonH264SourceIsRefused() throws {
        let source = try temporaryFolder(self, "mpeg2.ts")
        let made = try runProcess("/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=2",
                                                      "-c:v", "mpeg2video", "-y", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let out = try temporaryFolder(self)
        let result = try liveladder(["run", "--input", source, "--output", out, "--config", try config()])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("passthrough copies H.264 only"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// The supervisor's restart path: the copy fails, its missed segments are GAPs (with a stand-in an
    /// encoder at the source's size made), and it copies again from the next boundary, a source IDR at the
    /// same PTS as its sibling's.
    func testAFailedCopyRestartsAtTheNextSourceIDR() throws {
        let out = try temporaryFolder(self)
        let ladder = try Background(Repo.executable, ["run", "--input", Repo.fixture("gop2s-320x180.ts"), "--output", out, "--realtime",
                                                      "--playlist-type", "live", "--list-size", "20", "--config", try config()],
                                    log: out + ".stderr", environment: ["LIVELADDER_FAULTS": "source:encoder-error@2.5"])
        XCTAssertEqual(ladder.wait(timeout: 40), 0, ladder.output)
        try assertChecks(out)
        let output = try Output(out)
        let copied = try output.media("source/index.m3u8").segments
        let gaps = copied.indices.filter { copied[$0].gap }
        XCTAssertFalse(gaps.isEmpty)
        XCTAssertTrue(copied[(gaps.last! + 1)...].contains { !$0.gap }, "the copy resumes")
        for gap in gaps { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/source/\(copied[gap].uri)"), "a stand-in") }
        let after = try output.segments("source/index.m3u8").filter { !$0.segment.gap }
        let sibling = try output.segments("144p/index.m3u8")
        for entry in after {
            XCTAssertTrue(entry.facts.firstVideoIsIDR)
            XCTAssertEqual(entry.facts.firstVideoPTS, sibling.first { $0.segment.uri == entry.segment.uri }?.facts.firstVideoPTS)
        }
    }
}
