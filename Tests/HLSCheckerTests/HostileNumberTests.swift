@testable import HLSChecker
import Foundation
import XCTest

/// Numbers from a hostile output (playlist values, box sizes) give rule failures, never a trap. Each of
/// these used to crash `check` with an arithmetic overflow or an index out of range.
final class HostileNumberTests: XCTestCase {
    private func ladder() throws -> URL { try ladderCopy(.transportStream) }

    /// The report names `rule` at `location` with a message containing `text`.
    private func assertReports(_ report: CheckReport, _ rule: String, at location: String, _ text: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        let found = report.failures.contains { $0.rule == rule && $0.location.hasPrefix(location) && $0.message.contains(text) }
        XCTAssertTrue(found, "expected \(rule) at \(location) saying \(text), got:\n"
                      + report.failures.map(\.description).joined(separator: "\n"), file: file, line: line)
    }

    func testHugeEXTINFIsAnMP3ParseFailure() throws {
        let directory = try ladder()
        try directory.replaceFirst("v0/index.m3u8", "#EXTINF:2.000000,", with: "#EXTINF:9300000000000000.000,")
        assertReports(try check(directory), "MP3", at: "v0/index.m3u8", "is out of range (0.001…86400 s)")
    }

    func testDenormalEXTINFIsAnMP3ParseFailure() throws {
        let directory = try ladder()
        let denormal = "0." + String(repeating: "0", count: 323) + "49"
        try directory.replaceFirst("v1/index.m3u8", "#EXTINF:2.000000,", with: "#EXTINF:\(denormal),")
        assertReports(try check(directory), "MP3", at: "v1/index.m3u8", "is out of range (0.001…86400 s)")
    }

    func testHugeTargetDurationIsAnMP2ParseFailure() throws {
        let directory = try ladder()
        try directory.replaceFirst("v0/index.m3u8", "#EXT-X-TARGETDURATION:2", with: "#EXT-X-TARGETDURATION:9300000000000000")
        assertReports(try check(directory), "MP2", at: "v0/index.m3u8", "is out of range (1…86400)")
    }

    func testMediaSequenceNearIntMaxIsAnMP5ParseFailure() throws {
        let directory = try ladder()
        try directory.editText("v0/index.m3u8") {
            $0.replacingOccurrences(of: "#EXT-X-TARGETDURATION:2\n", with: "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:\(Int.max - 1)\n")
        }
        assertReports(try check(directory), "MP5", at: "v0/index.m3u8", "is out of range (0…9007199254740992)")
    }

    func testDiscontinuitySequenceNearIntMaxIsAnMP6ParseFailure() throws {
        let directory = try ladder()
        try directory.editText("v1/index.m3u8") {
            $0.replacingOccurrences(of: "#EXT-X-TARGETDURATION:2\n",
                                    with: "#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY-SEQUENCE:\(Int.max)\n")
        }
        assertReports(try check(directory), "MP6", at: "v1/index.m3u8", "is out of range (0…9007199254740992)")
    }

    func testHugeVariantNumbersAreMV2() throws {
        let directory = try ladder()
        try directory.editText("master.m3u8") {
            $0.replacingOccurrences(of: #"AVERAGE-BANDWIDTH=\d+"#, with: "AVERAGE-BANDWIDTH=\(Int.max)", options: .regularExpression)
                .replacingOccurrences(of: "RESOLUTION=320x180", with: "RESOLUTION=99999999999999999999x180")
                .replacingOccurrences(of: "FRAME-RATE=30.000", with: "FRAME-RATE=99999999999999999999.000")
        }
        let report = try check(directory)
        assertReports(report, "MV2", at: "master.m3u8 variant 1", "AVERAGE-BANDWIDTH \"\(Int.max)\" is out of range")
        assertReports(report, "MV2", at: "master.m3u8 variant 1", "RESOLUTION \"99999999999999999999x180\" is out of range")
        assertReports(report, "MV2", at: "master.m3u8 variant 1", "FRAME-RATE \"99999999999999999999.000\" is out of range")
    }

    // MARK: Container numbers

    func testBoxClaimingAlmostInt64MaxBytesIsIncompleteNotAnOverflow() {
        // A 64-bit largesize just below Int64.max: `offset + size` used to overflow.
        var bytes: [UInt8] = [0, 0, 0, 16] + Array("ftyp".utf8) + Array(repeating: 0, count: 8)
        bytes += [0, 0, 0, 1] + Array("mdat".utf8) + [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0] + [1, 2, 3]
        let (boxes, complete) = ISOBoxes.boxes(bytes, in: 0..<bytes.count)
        XCTAssertEqual(boxes.map(\.type), ["ftyp"])
        XCTAssertFalse(complete)
        // A largesize with the top bit set reads as negative: also refused, not trusted.
        bytes[27] = 0x80
        bytes[20] = 0xFF
        XCTAssertFalse(ISOBoxes.boxes(bytes, in: 0..<bytes.count).complete)
    }

    func testEmptyTrackHeaderAtTheEndOfTheInitIsSkipped() {
        // moov > trak > tkhd with no payload, as the very last bytes: reading its version byte went past the end.
        let tkhd: [UInt8] = [0, 0, 0, 8] + Array("tkhd".utf8)
        let trak: [UInt8] = [0, 0, 0, 16] + Array("trak".utf8) + tkhd
        let moov: [UInt8] = [0, 0, 0, 24] + Array("moov".utf8) + trak
        let ftyp: [UInt8] = [0, 0, 0, 8] + Array("ftyp".utf8)
        let facts = InitSegmentFacts(bytes: ftyp + moov)
        XCTAssertTrue(facts.tracks.isEmpty)
        XCTAssertEqual(facts.problems.map(\.message), ["init segment's moov has no track"])
    }

    func testTimestampsAtTheEndsOfInt64AreFailuresNotTraps() throws {
        // tfdt with the top bit set reads as a timestamp near Int64.min; the next segment's is small and
        // positive, so their difference does not fit in an Int64.
        let directory = try ladderCopy(.fragmentedMP4)
        for segment in ["v2/seg1.m4s", "v0/seg1.m4s"] {
            let url = directory.appendingPathComponent(segment)
            var bytes = [UInt8](try Data(contentsOf: url))
            let tfdt = try XCTUnwrap((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == Array("tfdt".utf8) })
            XCTAssertEqual(bytes[tfdt + 4], 1, "a 64-bit tfdt")
            bytes.replaceSubrange(tfdt + 8..<tfdt + 16, with: [0x80, 0, 0, 0, 0, 0, 0x10, 0])
            try Data(bytes).write(to: url)
        }
        let report = try check(directory)
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.failures.allSatisfy { !$0.description.contains("\n") })
    }

    func testAnAudioTimescaleOfOneWithAHugeJumpIsAFailureNotATrap() throws {
        // mdhd timescale 1 makes one AAC frame 0.02 ticks; a tfdt 2^62 ticks on is 2·10^20 frames away,
        // more than an Int can count.
        let directory = try ladderCopy(.fragmentedMP4)
        let initURL = directory.appendingPathComponent("v2/init_2.mp4")
        var initBytes = [UInt8](try Data(contentsOf: initURL))
        let mdhd = try XCTUnwrap((0..<initBytes.count - 4).first { Array(initBytes[$0..<$0 + 4]) == Array("mdhd".utf8) })
        let timescale = mdhd + 4 + (initBytes[mdhd + 4] == 1 ? 20 : 12)
        initBytes.replaceSubrange(timescale..<timescale + 4, with: [0, 0, 0, 1])
        try Data(initBytes).write(to: initURL)
        let url = directory.appendingPathComponent("v2/seg1.m4s")
        var bytes = [UInt8](try Data(contentsOf: url))
        let tfdt = try XCTUnwrap((0..<bytes.count - 4).first { Array(bytes[$0..<$0 + 4]) == Array("tfdt".utf8) })
        bytes.replaceSubrange(tfdt + 8..<tfdt + 16, with: [0x40, 0, 0, 0, 0, 0, 0, 0])
        try Data(bytes).write(to: url)
        let report = try check(directory)
        XCTAssertTrue(report.failures.contains { $0.rule == "S7" && $0.location.hasPrefix("v2/index.m3u8 #1") },
                      report.failures.map(\.description).joined(separator: "\n"))
    }

    func testHugeMeasuredRatesAreFormattedNotTrapped() {
        XCTAssertEqual(bitsPerSecond(1234.4), "1234")
        XCTAssertEqual(bitsPerSecond(.infinity), "inf")
        XCTAssertEqual(bitsPerSecond(1e300), "1e+300")
    }
}
