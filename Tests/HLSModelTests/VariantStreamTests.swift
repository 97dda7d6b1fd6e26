@testable import HLSModel
import XCTest

final class VariantStreamTests: XCTestCase {
    private let hd = VariantStream(
        uri: "720p/index.m3u8", bandwidth: 3_500_000, averageBandwidth: 3_100_000,
        codecs: ["avc1.64001f", "mp4a.40.2"], width: 1280, height: 720, frameRate: 29.97, audioGroup: "aac")

    func testRendersTheMV2AttributesInOrder() {
        XCTAssertEqual(
            hd.attributeList.render(),
            #"BANDWIDTH=3500000,AVERAGE-BANDWIDTH=3100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aac""#)
    }

    func testOmitsAudioWhenNil() {
        var muxed = hd
        muxed.audioGroup = nil
        XCTAssertFalse(muxed.attributeList.render().contains("AUDIO="))
    }

    func testFrameRateHasExactlyThreeDecimals() {
        var variant = hd
        for (rate, text) in [(30.0, "30.000"), (30000.0 / 1001.0, "29.970"), (59.94, "59.940"), (23.976, "23.976")] {
            variant.frameRate = rate
            XCTAssertTrue(variant.attributeList.render().contains("FRAME-RATE=\(text),"), "\(rate)")
        }
    }

    func testReadsItsOwnAttributes() throws {
        XCTAssertEqual(try VariantStream(attributeList: hd.attributeList, uri: hd.uri), hd)
    }

    func testCodecListToleratesSpacesAndMayBeEmpty() throws {
        let spaced = try AttributeList(parsing: #"BANDWIDTH=1,AVERAGE-BANDWIDTH=1,CODECS="avc1.64001f, mp4a.40.2",RESOLUTION=2x2,FRAME-RATE=30"#)
        XCTAssertEqual(try VariantStream(attributeList: spaced, uri: "v").codecs, ["avc1.64001f", "mp4a.40.2"])
        var empty = hd
        empty.codecs = []
        XCTAssertEqual(try VariantStream(attributeList: empty.attributeList, uri: hd.uri).codecs, [])
    }

    func testEveryMV2AttributeIsRequired() throws {
        for name in ["BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS", "RESOLUTION", "FRAME-RATE"] {
            let attributes = AttributeList(hd.attributeList.attributes.filter { $0.name != name })
            assertAttributeError("\(name) is missing") { () throws(AttributeListError) in
                try VariantStream(attributeList: attributes, uri: "v")
            }
        }
    }

    func testNamesAMalformedAttribute() throws {
        let attributes = try AttributeList(
            parsing: #"BANDWIDTH=1,AVERAGE-BANDWIDTH=1,CODECS="a",RESOLUTION=1280by720,FRAME-RATE=30"#)
        assertAttributeError(#"RESOLUTION "1280by720" is not a decimal resolution (WIDTHxHEIGHT)"#) { () throws(AttributeListError) in
            try VariantStream(attributeList: attributes, uri: "v")
        }
    }
}
