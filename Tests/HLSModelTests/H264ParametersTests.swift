import HLSModel
import XCTest

final class H264ParametersTests: XCTestCase {
    private typealias Sample = H264Samples

    // MV5: avc1.PPCCLL from the SPS the encoder really produced.

    func testCodecStringsOfRealProfiles() {
        XCTAssertEqual(H264.codecString(sps: Sample.highSPS), "avc1.64001f")
        XCTAssertEqual(H264.codecString(sps: Sample.baselineSPS), "avc1.42c01e")
        XCTAssertEqual(H264.codecString(sps: Sample.mainSPS), "avc1.4d4028")
        XCTAssertEqual(H264.codecString(sps: [0x67, 0x64, 0x00, 0x1F]), "avc1.64001f")
        XCTAssertEqual(H264.codecString(sps: [0x27, 0x64, 0x00, 0x0A]), "avc1.64000a")
    }

    func testCodecStringRejectsNonSPSAndShortInput() {
        XCTAssertNil(H264.codecString(sps: []))
        XCTAssertNil(H264.codecString(sps: [0x67, 0x64, 0x00]))
        XCTAssertNil(H264.codecString(sps: Sample.pps))
        XCTAssertNil(H264.codecString(sps: Sample.idrSlice))
        XCTAssertNil(H264.codecString(sps: [0xE7, 0x64, 0x00, 0x1F]), "forbidden_zero_bit set")
        XCTAssertNil(H264.codecString(sps: [0, 0, 0, 1] + Sample.highSPS), "start code is not a NAL header")
    }

    func testReadsTheFirstSPSFromAnAVCDecoderConfigurationRecord() {
        XCTAssertEqual(H264.spsFromAVCDecoderConfiguration(Sample.baselineAVCC), Sample.baselineSPS)
        let built = [0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE2, 0x00, UInt8(Sample.highSPS.count)] + Sample.highSPS
            + [0x00, UInt8(Sample.mainSPS.count)] + Sample.mainSPS + [0x01, 0x00, 0x06] + Sample.pps
        XCTAssertEqual(H264.spsFromAVCDecoderConfiguration(built), Sample.highSPS)
    }

    func testAVCDecoderConfigurationGarbageReturnsNil() {
        let record = Sample.baselineAVCC
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration([]))
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration([0x01, 0x42, 0xC0, 0x1E, 0xFF, 0xE1]))
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration([0x02] + record.dropFirst()), "version 2")
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration(Array(record.prefix(8 + 15))), "SPS cut short")
        var noSPS = record
        noSPS[5] = 0xE0
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration(noSPS), "zero SPS count")
        var zeroLength = record
        zeroLength[7] = 0
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration(zeroLength), "zero-length SPS")
        var notSPS = record
        notSPS[8] = 0x68
        XCTAssertNil(H264.spsFromAVCDecoderConfiguration(notSPS), "first parameter set is a PPS")
    }

    func testFindSPSInAnnexBExtradataOrKeyframe() {
        let extradata = Sample.annexB([Sample.highSPS, Sample.pps])
        XCTAssertEqual(H264.findSPS(in: extradata), Sample.highSPS)
        let keyframe = Sample.annexB([Sample.accessUnitDelimiter, Sample.mainSPS, Sample.pps, Sample.idrSlice], startCode: [0, 0, 1])
        XCTAssertEqual(H264.findSPS(in: keyframe), Sample.mainSPS)
        XCTAssertEqual(H264.findSPS(in: [0, 0, 0, 0, 1] + Sample.baselineSPS), Sample.baselineSPS, "leading zero bytes")
    }

    func testFindSPSInAVCC() {
        XCTAssertEqual(H264.findSPS(in: Sample.baselineAVCC), Sample.baselineSPS)
    }

    func testFindSPSReturnsNilForEverythingElse() {
        XCTAssertNil(H264.findSPS(in: []))
        XCTAssertNil(H264.findSPS(in: Sample.lengthPrefixed([Sample.highSPS])), "length-prefixed sample")
        XCTAssertNil(H264.findSPS(in: Sample.annexB([Sample.pps, Sample.idrSlice])), "Annex B without SPS")
        XCTAssertNil(H264.findSPS(in: [0, 1, 0x67, 0x64, 0x00, 0x1F]), "one zero is not a start code")
        XCTAssertNil(H264.findSPS(in: [0, 0, 0, 0]))
        XCTAssertNil(H264.findSPS(in: [0x01]))
    }

    func testFoundSPSGivesTheCodecString() {
        let extradata = Sample.annexB([Sample.highSPS, Sample.pps])
        XCTAssertEqual(H264.findSPS(in: extradata).flatMap(H264.codecString), "avc1.64001f")
        XCTAssertEqual(H264.findSPS(in: Sample.baselineAVCC).flatMap(H264.codecString), "avc1.42c01e")
    }

    func testRandomBytesNeverTrap() {
        var random = SeededGenerator(seed: 14_496)
        for _ in 0..<2_000 {
            var bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty, Bool.random(using: &random) { bytes[0] = 1 }  // exercise the avcC path
            _ = H264.findSPS(in: bytes)
            _ = H264.spsFromAVCDecoderConfiguration(bytes)
            _ = H264.codecString(sps: bytes)
        }
    }
}
