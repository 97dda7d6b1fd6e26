import HLSModel
import XCTest

final class H264NALUnitsTests: XCTestCase {
    private typealias Sample = H264Samples

    func testNALTypeIsTheLowFiveBits() {
        XCTAssertEqual(H264.nalType(0x67), 7)
        XCTAssertEqual(H264.nalType(0x68), 8)
        XCTAssertEqual(H264.nalType(0x65), 5)
        XCTAssertEqual(H264.nalType(0x25), 5)
        XCTAssertEqual(H264.nalType(0x41), 1)
        XCTAssertEqual(H264.nalType(0x09), 9)
        XCTAssertTrue(H264.isIDR(0x65))
        XCTAssertFalse(H264.isIDR(0x41))
    }

    func testSplitsAnnexBOnFourAndThreeByteStartCodes() {
        let bytes = [0, 0, 0, 1] + Sample.accessUnitDelimiter + [0, 0, 1] + Sample.highSPS + [0, 0, 0, 1] + Sample.pps
            + [0, 0, 1] + Sample.idrSlice
        let units = H264.annexBNALUnits(bytes).map(Array.init)
        XCTAssertEqual(units, [Sample.accessUnitDelimiter, Sample.highSPS, Sample.pps, Sample.idrSlice])
    }

    func testSlicesStartAtTheNALHeaderAndKeepOriginalIndices() {
        let bytes = Sample.annexB([Sample.highSPS, Sample.pps])
        let units = H264.annexBNALUnits(bytes)
        XCTAssertEqual(units.map(\.startIndex), [4, 4 + Sample.highSPS.count + 4])
        XCTAssertEqual(units.first?.first, 0x67)
    }

    func testIgnoresBytesBeforeTheFirstStartCodeAndTrailingZeros() {
        let bytes: [UInt8] = [0xAA, 0xBB, 0, 0, 1] + Sample.pps + [0, 0] + [0, 0, 0, 1] + Sample.nonIDRSlice + [0, 0]
        XCTAssertEqual(H264.annexBNALUnits(bytes).map(Array.init), [Sample.pps, Sample.nonIDRSlice])
    }

    func testKeepsEmulationPreventionBytesInsideUnits() {
        // 00 00 03 inside the SPS is not a start code.
        XCTAssertEqual(H264.annexBNALUnits(Sample.annexB([Sample.highSPS])).map(Array.init), [Sample.highSPS])
    }

    func testAnnexBGarbageYieldsNothing() {
        XCTAssertEqual(H264.annexBNALUnits([]).count, 0)
        XCTAssertEqual(H264.annexBNALUnits([0, 0]).count, 0)
        XCTAssertEqual(H264.annexBNALUnits([0, 0, 1]).count, 0)
        XCTAssertEqual(H264.annexBNALUnits([0, 0, 1, 0, 0, 1]).count, 0)
        XCTAssertEqual(H264.annexBNALUnits([0x12, 0x34, 0x56]).count, 0)
    }

    func testSplitsLengthPrefixedSamples() {
        for lengthSize in [1, 2, 4] {
            let bytes = Sample.lengthPrefixed([Sample.sei, Sample.idrSlice], lengthSize: lengthSize)
            let units = H264.lengthPrefixedNALUnits(bytes, lengthSize: lengthSize).map(Array.init)
            XCTAssertEqual(units, [Sample.sei, Sample.idrSlice], "lengthSize \(lengthSize)")
        }
    }

    func testLengthPrefixedStopsAtATruncatedLength() {
        let whole = Sample.lengthPrefixed([Sample.sei, Sample.idrSlice])
        XCTAssertEqual(H264.lengthPrefixedNALUnits(Array(whole.dropLast())).map(Array.init), [Sample.sei])
        XCTAssertEqual(H264.lengthPrefixedNALUnits(Array(whole.prefix(Sample.sei.count + 6))).map(Array.init), [Sample.sei])
        XCTAssertEqual(H264.lengthPrefixedNALUnits([0xFF, 0xFF, 0xFF, 0xFF, 0x65]).count, 0)
        XCTAssertEqual(H264.lengthPrefixedNALUnits([0, 0]).count, 0)
    }

    func testLengthPrefixedSkipsEmptyUnitsAndRejectsBadLengthSizes() {
        let bytes: [UInt8] = [0, 0, 0, 0] + Sample.lengthPrefixed([Sample.pps])
        XCTAssertEqual(H264.lengthPrefixedNALUnits(bytes).map(Array.init), [Sample.pps])
        XCTAssertEqual(H264.lengthPrefixedNALUnits(bytes, lengthSize: 0).count, 0)
        XCTAssertEqual(H264.lengthPrefixedNALUnits(bytes, lengthSize: 8).count, 0)
    }

    func testFindsIDRInAnnexBAccessUnits() {
        let keyframe = Sample.annexB([Sample.accessUnitDelimiter, Sample.highSPS, Sample.pps, Sample.sei, Sample.idrSlice])
        let interframe = Sample.annexB([Sample.accessUnitDelimiter, Sample.nonIDRSlice])
        XCTAssertTrue(H264.containsIDR(annexB: keyframe))
        XCTAssertFalse(H264.containsIDR(annexB: interframe))
        XCTAssertFalse(H264.containsIDR(annexB: []))
        XCTAssertFalse(H264.containsIDR(annexB: Sample.idrSlice), "no start code: not Annex B")
    }

    func testFindsIDRInLengthPrefixedSamples() {
        XCTAssertTrue(H264.containsIDR(lengthPrefixed: Sample.lengthPrefixed([Sample.sei, Sample.idrSlice])))
        XCTAssertFalse(H264.containsIDR(lengthPrefixed: Sample.lengthPrefixed([Sample.nonIDRSlice])))
        XCTAssertTrue(H264.containsIDR(
            lengthPrefixed: Sample.lengthPrefixed([Sample.idrSlice], lengthSize: 2), lengthSize: 2))
        XCTAssertFalse(H264.containsIDR(lengthPrefixed: [0, 0, 0, 9, 0x65]), "truncated unit is not read")
    }

    func testRandomBytesNeverTrap() {
        var random = SeededGenerator(seed: 264)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in
                // Bias toward 0 and 1 so start codes and small lengths actually occur.
                [0, 0, 1, UInt8.random(in: 0...255, using: &random)][Int.random(in: 0...3, using: &random)]
            }
            _ = H264.annexBNALUnits(bytes)
            _ = H264.lengthPrefixedNALUnits(bytes, lengthSize: Int.random(in: 1...4, using: &random))
            _ = H264.containsIDR(annexB: bytes)
            _ = H264.containsIDR(lengthPrefixed: bytes)
        }
    }
}
