@testable import HLSModel
import XCTest

/// Numbers outside `PlaylistLimits` are refused with a one-line error naming the line, the tag and the
/// range, before anything computes with them (each of these used to parse, and trap later: `check` on
/// `Int(duration.rounded())`, `targetDuration * 1000`, `mediaSequence + index`, bits / a denormal duration).
final class PlaylistLimitsTests: XCTestCase {
    private let header = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"

    func testHugeAndTinyEXTINFAreOutOfRange() {
        let denormal = "0." + String(repeating: "0", count: 323) + "49"  // 4.9e-324 in HLS number syntax
        let cases = [
            ("9300000000000000", "9300000000000000"), ("86400.001", "86400.001"), ("0.0009", "0.0009"), ("0", "0"),
            (denormal, "0.0000000000000000000000…"), (String(repeating: "9", count: 400), "999999999999999999999999…"),
        ]
        for (duration, shown) in cases {
            assertMediaParseError(header + "#EXTINF:\(duration),\na.ts\n",
                                  "line 3: #EXTINF duration \"\(shown)\" is out of range (0.001…86400 s)")
        }
        // Exponent notation is not HLS syntax at all.
        assertMediaParseError(header + "#EXTINF:4.9e-324,\na.ts\n", "line 3: #EXTINF duration \"4.9e-324\" is not a number")
    }

    func testEXTINFAtTheLimitsParses() throws {
        let playlist = try MediaPlaylist.parse(
            "#EXTM3U\n#EXT-X-TARGETDURATION:86400\n#EXTINF:0.001,\na.ts\n#EXTINF:86400,\nb.ts\n")
        XCTAssertEqual(playlist.segments.map(\.duration), [0.001, 86_400])
        XCTAssertEqual(playlist.targetDuration, 86_400)
    }

    func testHeaderIntegersOutOfRange() {
        assertMediaParseError("#EXTM3U\n#EXT-X-TARGETDURATION:9300000000000000\n",
                              "line 2: #EXT-X-TARGETDURATION \"9300000000000000\" is out of range (1…86400)")
        assertMediaParseError("#EXTM3U\n#EXT-X-TARGETDURATION:0\n",
                              "line 2: #EXT-X-TARGETDURATION \"0\" is out of range (1…86400)")
        assertMediaParseError(header + "#EXT-X-MEDIA-SEQUENCE:\(Int.max)\n",
                              "line 3: #EXT-X-MEDIA-SEQUENCE \"\(Int.max)\" is out of range (0…9007199254740992)")
        assertMediaParseError(header + "#EXT-X-DISCONTINUITY-SEQUENCE:\(Int.max - 1)\n",
                              "line 3: #EXT-X-DISCONTINUITY-SEQUENCE \"\(Int.max - 1)\" is out of range (0…9007199254740992)")
        assertMediaParseError(header + "#EXT-X-MEDIA-SEQUENCE:99999999999999999999999\n",
                              "line 3: #EXT-X-MEDIA-SEQUENCE \"99999999999999999999999\" is out of range (0…9007199254740992)")
        assertMediaParseError("#EXTM3U\n#EXT-X-VERSION:99999999999999999999\n",
                              "line 2: #EXT-X-VERSION \"99999999999999999999\" is out of range (0…9007199254740992)")
    }

    func testLargestSequenceNumberParsesAndTheNextNumberIsExact() throws {
        let playlist = try MediaPlaylist.parse(header + "#EXT-X-MEDIA-SEQUENCE:9007199254740992\n#EXTINF:2,\na.ts\n")
        XCTAssertEqual(playlist.mediaSequence, 1 << 53)
        XCTAssertEqual(playlist.nextMediaSequence, (1 << 53) + 1)
    }

    func testNextMediaSequenceOfAHandBuiltPlaylistNeverTraps() {
        let playlist = MediaPlaylist(targetDuration: 2, mediaSequence: Int.max,
                                     segments: [MediaSegment(uri: "a.ts", duration: 2)])
        XCTAssertNil(playlist.nextMediaSequence)
        XCTAssertEqual(MediaPlaylist(targetDuration: 2, mediaSequence: 7).nextMediaSequence, 7)
    }

    func testVariantNumbersOutOfRange() {
        func variant(_ attributes: String) -> String { "#EXTM3U\n#EXT-X-STREAM-INF:\(attributes)\nv/index.m3u8\n" }
        let good = #"AVERAGE-BANDWIDTH=1,CODECS="avc1.64001f",FRAME-RATE=30.000"#
        assertMultivariantParseError(variant("BANDWIDTH=99999999999999999999,RESOLUTION=1x1," + good),
            "line 2: #EXT-X-STREAM-INF: BANDWIDTH \"99999999999999999999\" is out of range (0…1000000000000)")
        assertMultivariantParseError(variant("BANDWIDTH=1000000000001,RESOLUTION=1x1," + good),
            "line 2: #EXT-X-STREAM-INF: BANDWIDTH \"1000000000001\" is out of range (0…1000000000000)")
        assertMultivariantParseError(variant("BANDWIDTH=1,RESOLUTION=99999999999999999999x1," + good),
            "line 2: #EXT-X-STREAM-INF: RESOLUTION \"99999999999999999999x1\" is out of range (1…65535 pixels a side)")
        assertMultivariantParseError(variant("BANDWIDTH=1,RESOLUTION=0x720," + good),
            "line 2: #EXT-X-STREAM-INF: RESOLUTION \"0x720\" is out of range (1…65535 pixels a side)")
        assertMultivariantParseError(
            variant(#"BANDWIDTH=1,RESOLUTION=1x1,AVERAGE-BANDWIDTH=1,CODECS="avc1.64001f",FRAME-RATE=100000"#),
            "line 2: #EXT-X-STREAM-INF: FRAME-RATE \"100000\" is out of range (0.001…1000)")
    }

    func testAttributeIntegersAreBoundedByDefault() throws {
        let list = try AttributeList(parsing: "A=9007199254740993,B=9007199254740992")
        assertAttributeError(#"A "9007199254740993" is out of range (0…9007199254740992)"#) {
            () throws(AttributeListError) in try list.decimalInteger("A")
        }
        XCTAssertEqual(try list.decimalInteger("B"), 1 << 53)
        assertAttributeError(#"B "9007199254740992" is out of range (0…10)"#) {
            () throws(AttributeListError) in try list.decimalInteger("B", in: 0...10)
        }
    }

    func testDecimalTextTellsMalformedFromOutOfRange() {
        guard case .outOfRange = DecimalText.integer("99999999999999999999", in: 0...Int.max) else {
            return XCTFail("an Int overflow is out of range")
        }
        guard case .malformed = DecimalText.integer("+5", in: 0...Int.max) else { return XCTFail("+5 is malformed") }
        guard case .outOfRange = DecimalText.floatingPoint(Substring(String(repeating: "9", count: 400)), in: 0...1)
        else { return XCTFail("infinity is out of range") }
        guard case .value(let value) = DecimalText.floatingPoint("0.5", in: 0...1) else { return XCTFail("0.5 fits") }
        XCTAssertEqual(value, 0.5)
    }
}
