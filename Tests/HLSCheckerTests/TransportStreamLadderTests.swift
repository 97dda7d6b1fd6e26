import Foundation
import HLSChecker
import HLSModel
import XCTest

/// A known-good MPEG-TS ladder passes; each mutation fails exactly the rule it breaks.
final class TransportStreamLadderTests: XCTestCase {
    private func ladder() throws -> URL { try ladderCopy(.transportStream) }

    func testKnownGoodLadderPasses() throws {
        let report = try check(ladder())
        assertPasses(report)
        XCTAssertEqual(report.checkedPlaylists, 2)
        XCTAssertEqual(report.checkedSegments, 6)
    }

    func testMasterFilePathWorksLikeTheFolder() throws {
        let directory = try ladder()
        assertPasses(try HLSCheck.run(path: directory.appendingPathComponent("master.m3u8").path))
    }

    // MARK: Master

    func testMissingAverageBandwidthIsMV2NotACrash() throws {
        let directory = try ladder()
        try directory.editText("master.m3u8") {
            $0.replacingOccurrences(of: #"AVERAGE-BANDWIDTH=\d+,"#, with: "", options: .regularExpression)
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV2"])
    }

    func testBandwidthBelowPeakFailsMV3() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[0].bandwidth = master.variants[0].bandwidth * 9 / 10
        }
        assertFailsOnly(try check(directory), ["MV3"])
    }

    func testAverageBandwidthOffByMoreThanTenPercentFailsMV4() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[1].averageBandwidth = master.variants[1].averageBandwidth * 12 / 10
        }
        assertFailsOnly(try check(directory), ["MV4"])
    }

    func testWrongAVCCodecFailsMV5() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[0].codecs[0] = "avc1.640028"
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV5"])
        assertFails(report, "MV5", at: "master.m3u8 variant 1")
    }

    func testMissingAudioCodecFailsMV5() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[1].codecs.removeLast()
        }
        assertFailsOnly(try check(directory), ["MV5"])
    }

    func testWrongResolutionFailsMV6() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[1].width = 192
            master.variants[1].height = 108
        }
        assertFailsOnly(try check(directory), ["MV6"])
    }

    func testWrongFrameRateFailsMV6() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[0].frameRate = 29.97
        }
        assertFailsOnly(try check(directory), ["MV6"])
    }

    func testMissingIndependentSegmentsFailsMV7() throws {
        let directory = try ladder()
        try directory.replaceFirst("master.m3u8", "#EXT-X-INDEPENDENT-SEGMENTS\n", with: "")
        assertFailsOnly(try check(directory), ["MV7"])
    }

    // MARK: Media playlists

    func testWrongDeclaredVersionFailsMP1() throws {
        let directory = try ladder()
        try directory.replaceFirst("v1/index.m3u8", "#EXT-X-VERSION:3", with: "#EXT-X-VERSION:6")
        let report = try check(directory)
        assertFailsOnly(report, ["MP1"])
        assertFails(report, "MP1", at: "v1/index.m3u8")
    }

    func testTargetDurationTooSmallFailsMP2() throws {
        let directory = try ladder()
        try directory.replaceFirst("v0/index.m3u8", "#EXT-X-TARGETDURATION:2", with: "#EXT-X-TARGETDURATION:1")
        let report = try check(directory)
        assertFails(report, "MP2", at: "v0/index.m3u8 #0")
        // The shorter target also shrinks the MV3 window, and MP4 bounds EXTINF by it: nothing else.
        XCTAssertTrue(Set(report.failedRules).isSubset(of: ["MP2", "MP4", "MV3"]), "\(report.failures)")
    }

    func testWrongEXTINFFailsMP3() throws {
        let directory = try ladder()
        try directory.editText("v0/index.m3u8") { text in
            var lines = text.components(separatedBy: "\n")
            let second = lines.indices.filter { lines[$0].hasPrefix("#EXTINF") }[1]
            lines[second] = "#EXTINF:2.100000,"
            return lines.joined(separator: "\n")
        }
        let report = try check(directory)
        assertFails(report, "MP3", at: "v0/index.m3u8 #1 (seg1.ts)")
    }

    func testDriftBelowOneFramePerSegmentStillFailsMP3() throws {
        // Each EXTINF 20 ms long: within a frame (33 ms) alone, but the sum drifts past one frame.
        let directory = try ladder()
        try directory.editText("v0/index.m3u8") {
            $0.replacingOccurrences(of: "#EXTINF:2.000000,", with: "#EXTINF:2.020000,")
        }
        let report = try check(directory)
        assertFails(report, "MP3", at: "v0/index.m3u8 #1")
        XCTAssertTrue(report.failures.contains { $0.message.contains("drifts") }, "\(report.failures)")
    }

    func testEXTINFWithoutMillisecondsFailsMP3() throws {
        let directory = try ladder()
        try directory.editText("v1/index.m3u8") { $0.replacingOccurrences(of: "#EXTINF:2.000000,", with: "#EXTINF:2,") }
        assertFailsOnly(try check(directory), ["MP3"])
    }

    func testMissingEndListOnVODFailsMP11() throws {
        let directory = try ladder()
        try directory.replaceFirst("v0/index.m3u8", "#EXT-X-ENDLIST\n", with: "")
        assertFailsOnly(try check(directory), ["MP11"])
    }

    func testSameSegmentListedTwiceFailsMP5() throws {
        let directory = try ladder()
        try directory.replaceFirst("v1/index.m3u8", "seg2.ts", with: "../v0/seg2.ts")
        let report = try check(directory)
        assertFails(report, "MP5", at: "v1/index.m3u8 #2")
    }

    // MARK: Segments

    func testDeletedSegmentFailsMP12() throws {
        let directory = try ladder()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("v1/seg1.ts"))
        let report = try check(directory)
        assertFails(report, "MP12", at: "v1/index.m3u8 #1 (seg1.ts)")
    }

    func testMissingMediaPlaylistFailsMP12() throws {
        let directory = try ladder()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("v1/index.m3u8"))
        let report = try check(directory)
        assertFails(report, "MP12", at: "v1/index.m3u8")
        XCTAssertEqual(report.checkedPlaylists, 1)
    }

    func testHalfWrittenSegmentFailsMP12() throws {
        let directory = try ladder()
        let url = directory.appendingPathComponent("v0/seg1.ts")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2 + 100).write(to: url)
        assertFails(try check(directory), "MP12", at: "v0/index.m3u8 #1 (seg1.ts)")
    }

    func testSegmentCutAtAPacketBoundaryLeavesAHoleFailsMP6() throws {
        // A whole number of TS packets, so only the timeline shows the missing second half.
        let directory = try ladder()
        let url = directory.appendingPathComponent("v0/seg1.ts")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2 / 188 * 188).write(to: url)
        let report = try check(directory)
        assertFails(report, "MP6", at: "v0/index.m3u8 #2")
        assertFails(report, "MP3", at: "v0/index.m3u8 #1")
    }

    func testSegmentFromAnotherRenditionFailsMV6() throws {
        let directory = try ladder()
        let target = directory.appendingPathComponent("v1/seg1.ts")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: directory.appendingPathComponent("v0/seg1.ts"), to: target)
        let report = try check(directory)
        assertFails(report, "MV6", at: "v1/index.m3u8 #1 (seg1.ts)")
        assertFails(report, "MP6", at: "v1/index.m3u8 #1")
    }

    func testSegmentNotStartingWithAnIDRFailsS1() throws {
        // The same encode with keyframes every 4 s, cut every 2 s regardless (split_by_time): its
        // seg1.ts starts with a P frame at the very timestamps the good ladder's seg1.ts has.
        let directory = try ladder()
        let other = scratchDirectory("non-idr")
        try LadderFixture.run("ffmpeg", [
            "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "6",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0", "-b:v", "300k",
            "-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*4)", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-f", "hls", "-hls_time", "2", "-hls_flags", "split_by_time", "-hls_playlist_type", "vod",
            "-hls_segment_filename", "seg%d.ts", "index.m3u8",
        ], in: other)
        let target = directory.appendingPathComponent("v0/seg1.ts")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: other.appendingPathComponent("seg1.ts"), to: target)
        let report = try check(directory)
        assertFails(report, "S1", at: "v0/index.m3u8 #1 (seg1.ts)")
    }

    func testSegmentNotStartingWithPATFailsS1() throws {
        // Drop the segment's leading PSI packets: the file then starts with a PES packet.
        let directory = try ladder()
        let url = directory.appendingPathComponent("v1/seg2.ts")
        let bytes = [UInt8](try Data(contentsOf: url))
        let firstMedia = stride(from: 0, to: bytes.count, by: 188).first { offset in
            let pid = Int(bytes[offset + 1] & 0x1F) << 8 | Int(bytes[offset + 2])
            return pid >= 0x100
        }!
        try Data(bytes[firstMedia...]).write(to: url)
        assertFails(try check(directory), "S1", at: "v1/index.m3u8 #2 (seg2.ts)")
    }

    func testTimestampsGoingBackwardsFailS5() throws {
        // The playlist lists seg2 before seg1: the third segment starts before the second one's end.
        let directory = try ladder()
        try directory.editText("v0/index.m3u8") { text in
            text.replacingOccurrences(of: "seg1.ts", with: "SWAP")
                .replacingOccurrences(of: "seg2.ts", with: "seg1.ts")
                .replacingOccurrences(of: "SWAP", with: "seg2.ts")
        }
        let report = try check(directory)
        assertFails(report, "S5", at: "v0/index.m3u8 #2 (seg1.ts)")
        assertFails(report, "S2", at: "v1/index.m3u8 #1")
    }

    func testDiscontinuityExcusesATimestampJump() throws {
        // The same reordering, announced: S5 and MP6 accept it, but MP7 wants it in every rendition.
        let directory = try ladder()
        try directory.editText("v0/index.m3u8") { text in
            text.replacingOccurrences(of: "#EXTINF:2.000000,\nseg1.ts", with: "#EXT-X-DISCONTINUITY\n#EXTINF:2.000000,\nSWAP")
                .replacingOccurrences(of: "#EXTINF:2.000000,\nseg2.ts", with: "#EXT-X-DISCONTINUITY\n#EXTINF:2.000000,\nseg1.ts")
                .replacingOccurrences(of: "SWAP", with: "seg2.ts")
        }
        let report = try check(directory)
        XCTAssertFalse(report.failedRules.contains("S5"), "\(report.failures)")
        XCTAssertFalse(report.failedRules.contains("MP6"), "\(report.failures)")
        assertFails(report, "MP7", at: "v1/index.m3u8 #1")
    }

    // MARK: Errors

    func testMissingMasterThrowsCheckError() throws {
        let directory = scratchDirectory("empty")
        XCTAssertThrowsError(try check(directory)) { error in
            let message = String(describing: error)
            XCTAssertTrue(error is CheckError)
            XCTAssertTrue(message.contains("master.m3u8"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
        XCTAssertThrowsError(try HLSCheck.run(path: directory.appendingPathComponent("nope.m3u8").path)) { error in
            XCTAssertTrue(String(describing: error).contains("no such file"), "\(error)")
        }
    }

    func testMediaPlaylistGivenAsMasterThrowsCheckError() throws {
        let directory = try ladder()
        XCTAssertThrowsError(try HLSCheck.run(path: directory.appendingPathComponent("v0/index.m3u8").path)) { error in
            XCTAssertTrue(String(describing: error).contains("media playlist"), "\(error)")
        }
    }

    func testNotAPlaylistThrowsCheckError() throws {
        let directory = scratchDirectory("junk")
        try "hello".write(to: directory.appendingPathComponent("master.m3u8"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try check(directory)) { error in
            XCTAssertTrue(String(describing: error).contains("not an HLS playlist"), "\(error)")
        }
    }
}

/// A long live stream's 33-bit MPEG-TS clock wraps every 26.5 hours; that is not a jump backwards.
final class TransportStreamClockWrapTests: XCTestCase {
    func testClockWrapInsideTheLadderPasses() throws {
        // Starts 65 s before the wrap: libavformat reads the segments before the wrap with their raw
        // 33-bit values and the later ones relative to the wrap, so the checker has to unwrap.
        let directory = try LadderFixture.make(.transportStream, seconds: 8, extraArguments: ["-output_ts_offset", "95379"])
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let report = try check(directory)
        assertPasses(report)
        XCTAssertEqual(report.checkedSegments, 8)
    }
}
