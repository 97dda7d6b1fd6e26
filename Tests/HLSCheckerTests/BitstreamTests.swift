@testable import HLSChecker
import XCTest

/// The byte-level readers, on hand-made input.
final class H264BitstreamTests: XCTestCase {
    /// x264 High@1.3 SPS header bytes: profile 100, no constraints, level 13.
    private let sps: [UInt8] = [0x67, 0x64, 0x00, 0x0D, 0xAC, 0xD9]
    private let pps: [UInt8] = [0x68, 0xEB, 0xE3]
    private let idr: [UInt8] = [0x65, 0x88, 0x84]

    func testAnnexBSplitsOnThreeAndFourByteStartCodes() {
        let stream: [UInt8] = [0, 0, 0, 1, 0x09, 0xF0] + [0, 0, 0, 1] + sps + [0, 0, 1] + pps + [0, 0, 1] + idr
        let units = H264Bitstream.annexBUnits(stream)
        XCTAssertEqual(units.map(H264Bitstream.type), [9, 7, 8, 5])
        XCTAssertEqual(Array(units[1]), sps, "the zero before a 4-byte start code belongs to no unit")
    }

    func testLengthPrefixedUnitsStopAtATruncatedLength() {
        let sample: [UInt8] = [0, 0, 0, 3] + pps + [0, 0, 0, 3] + idr + [0, 0, 0, 9, 0x41]
        XCTAssertEqual(H264Bitstream.lengthPrefixedUnits(sample, lengthSize: 4).map(H264Bitstream.type), [8, 5])
    }

    func testCodecStringIsProfileConstraintsLevelInHex() {
        XCTAssertEqual(H264Bitstream.codecString(sps: sps[...]), "avc1.64000d")
        XCTAssertEqual(H264Bitstream.codecString(sps: [0x67, 0x42, 0xC0, 0x1E][...]), "avc1.42c01e")
        XCTAssertNil(H264Bitstream.codecString(sps: pps[...]), "not an SPS")
    }

    func testDecoderConfigurationReadsParameterSetsAndLengthSize() throws {
        let avcC: [UInt8] = [1, 0x64, 0x00, 0x0D, 0xFF, 0xE1, 0, UInt8(sps.count)] + sps + [1, 0, UInt8(pps.count)] + pps
        let configuration = try XCTUnwrap(H264Bitstream.decoderConfiguration(avcC: avcC))
        XCTAssertEqual(configuration.lengthSize, 4)
        XCTAssertEqual(configuration.sequenceParameterSets.map(Array.init), [sps])
        XCTAssertEqual(configuration.pictureParameterSets.map(Array.init), [pps])
        XCTAssertNil(H264Bitstream.decoderConfiguration(avcC: Array(avcC.prefix(10))), "truncated SPS")
    }
}

final class ContainerStructureTests: XCTestCase {
    /// One 188-byte TS packet with `pid` and `payload` (padded with 0xFF).
    private func packet(pid: Int, start: Bool = true, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x47, UInt8(pid >> 8) | (start ? 0x40 : 0), UInt8(pid & 0xFF), 0x10]
        bytes += payload
        return bytes + Array(repeating: 0xFF, count: 188 - bytes.count)
    }

    /// A PAT naming program 1 on PMT PID 0x1000 (CRC not checked).
    private var pat: [UInt8] {
        packet(pid: 0, [0x00, 0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00, 0, 0, 0, 0])
    }
    private var pmt: [UInt8] { packet(pid: 0x1000, [0x00, 0x02]) }
    private var sdt: [UInt8] { packet(pid: 0x11, [0x00, 0x42]) }
    private var video: [UInt8] { packet(pid: 0x100, [0x00, 0x00, 0x01, 0xE0]) }

    func testPATThenPMTPasses() {
        XCTAssertEqual(TransportStreamPackets.problems(in: pat + pmt + video), [])
    }

    func testServiceInformationBeforeThePATIsAllowed() {
        // libavformat's mpegts muxer writes the SDT first at every segment start.
        XCTAssertEqual(TransportStreamPackets.problems(in: sdt + pat + pmt + video), [])
    }

    func testMediaBeforeThePATFailsS1() {
        XCTAssertEqual(TransportStreamPackets.problems(in: video + pat + pmt).map(\.rule), ["S1"])
        XCTAssertEqual(TransportStreamPackets.problems(in: pat + video + pmt).map(\.rule), ["S1"])
    }

    func testPartialPacketFailsMP12() {
        XCTAssertEqual(TransportStreamPackets.problems(in: pat + pmt + video.prefix(100)).map(\.rule), ["MP12"])
    }

    private func box(_ type: String, _ payload: [UInt8] = []) -> [UInt8] {
        let size = 8 + payload.count
        return [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            + Array(type.utf8) + payload
    }

    func testMediaSegmentBoxOrder() {
        let fragment = box("moof") + box("mdat", [1, 2, 3])
        XCTAssertEqual(FragmentedSegment.problems(in: box("styp") + box("sidx") + fragment, initTracks: nil), [])
        XCTAssertEqual(FragmentedSegment.problems(in: box("mdat") + box("moof"), initTracks: nil).map(\.rule), ["S4"])
        XCTAssertEqual(FragmentedSegment.problems(in: box("moof") + box("moof") + box("mdat"), initTracks: nil).map(\.rule), ["S4"])
    }

    func testBoxRunningPastTheEndFailsMP12() {
        let cut = Array((box("moof") + box("mdat", Array(repeating: 0, count: 50))).dropLast(10))
        XCTAssertEqual(FragmentedSegment.problems(in: cut, initTracks: nil).map(\.rule), ["MP12"])
    }

    func testInitSegmentNeedsFtypAndMoovWithTracks() {
        XCTAssertEqual(InitSegmentFacts(bytes: box("ftyp")).problems.map(\.rule), ["S4"])
        XCTAssertEqual(InitSegmentFacts(bytes: box("ftyp") + box("moov")).problems.map(\.rule), ["S4"])
    }
}
