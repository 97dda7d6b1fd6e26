import Foundation
import HLSChecker
import XCTest

/// fMP4 mode: two video renditions with B-frames and one alternate audio rendition.
final class FragmentedMP4LadderTests: XCTestCase {
    private func ladder() throws -> URL { try ladderCopy(.fragmentedMP4) }

    func testKnownGoodLadderPasses() throws {
        let report = try check(ladder())
        assertPasses(report)
        XCTAssertEqual(report.checkedPlaylists, 3)
        XCTAssertEqual(report.checkedSegments, 10)
    }

    func testPlaylistWithoutMapFailsS4() throws {
        let directory = try ladder()
        try directory.editText("v1/index.m3u8") {
            $0.replacingOccurrences(of: #"#EXT-X-MAP:[^\n]*\n"#, with: "", options: .regularExpression)
        }
        let report = try check(directory)
        assertFails(report, "S4", at: "v1/index.m3u8")
        // Without EXT-X-MAP version 3 would do, so MP1 notices the now too high version 6 as well.
        assertFailsOnly(report, ["S4", "MP1"])
    }

    func testMissingInitSegmentFailsMP12() throws {
        let directory = try ladder()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("v0/init_0.mp4"))
        let report = try check(directory)
        assertFails(report, "MP12", at: "v0/index.m3u8")
        XCTAssertEqual(report.checkedSegments, 7)
    }

    func testHalfWrittenSegmentFailsMP12() throws {
        let directory = try ladder()
        let url = directory.appendingPathComponent("v1/seg1.m4s")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 1000).write(to: url)
        assertFails(try check(directory), "MP12", at: "v1/index.m3u8 #1 (seg1.m4s)")
    }

    func testFragmentThatDoesNotContinueTheTimelineFailsS4() throws {
        // seg2's fragment in seg1's place: its tfdt jumps a whole segment ahead of seg0's end.
        let directory = try ladder()
        let target = directory.appendingPathComponent("v0/seg1.m4s")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: directory.appendingPathComponent("v0/seg2.m4s"), to: target)
        let report = try check(directory)
        assertFails(report, "S4", at: "v0/index.m3u8 #1 (seg1.m4s)")
        assertFails(report, "S5", at: "v0/index.m3u8 #2 (seg2.m4s)")
        assertFails(report, "S2", at: "v1/index.m3u8 #1")
    }

    func testWrongCodecsFromTheInitSegmentFailMV5() throws {
        // Each variant names the other's SPS.
        let directory = try ladder()
        try LadderFixture.writeMaster(.fragmentedMP4, in: directory) { master in
            let first = master.variants[0].codecs[0]
            master.variants[0].codecs[0] = master.variants[1].codecs[0]
            master.variants[1].codecs[0] = first
        }
        let report = try check(directory)
        assertFailsOnly(report, ["MV5"])
        XCTAssertEqual(report.failures.count, 2, "\(report.failures)")
    }

    func testAudioGroupMustBeDefaultAndAutoselectFailsMV8() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.fragmentedMP4, in: directory) { master in
            master.audioRenditions[0].autoselect = false
        }
        assertFailsOnly(try check(directory), ["MV8"])
    }

    func testWrongChannelCountFailsMV8() throws {
        let directory = try ladder()
        try LadderFixture.writeMaster(.fragmentedMP4, in: directory) { master in
            master.audioRenditions[0].channels = "6"
        }
        assertFailsOnly(try check(directory), ["MV8"])
    }

    func testBandwidthWithoutTheAudioPeakFailsMV3() throws {
        // The video peak alone is not enough when the variant plays with alternate audio.
        let directory = try ladder()
        let audio = try check(directory).failures  // still passing here
        XCTAssertEqual(audio, [])
        try LadderFixture.writeMaster(.fragmentedMP4, in: directory) { master in
            master.variants[1].bandwidth -= 40_000  // less than the ~66 kbit/s the audio adds
        }
        assertFailsOnly(try check(directory), ["MV3"])
    }
}
