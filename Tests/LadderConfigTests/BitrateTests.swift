import XCTest
@testable import LadderConfig

final class BitrateTests: XCTestCase {
    func testParsesPlainBitsAndSuffixes() {
        let table: [(String, Int)] = [
            ("800000", 800_000),
            ("3000k", 3_000_000),
            ("3000K", 3_000_000),
            ("128k", 128_000),
            ("3M", 3_000_000),
            ("3m", 3_000_000),
            ("2.5M", 2_500_000),
            ("2.3M", 2_300_000),
            ("0.5k", 500),
            ("1.25k", 1_250),
            ("1.0", 1),
            ("0", 0),
            ("0800k", 800_000),
        ]
        for (text, bits) in table {
            XCTAssertEqual(Bitrate.parse(text), bits, text)
        }
    }

    func testRefusesAnythingElse() {
        let refused = [
            "", "3 Mbps", "3Mbps", "3kbps", "-5k", "+5k", "abc", "k", "M", "1.5", "0.0005k",
            ".5M", "5.M", "1.2.3k", "3G", " 3000k", "3000k ", "1e6", "3_000k", "99999999999999999999",
        ]
        for text in refused {
            XCTAssertNil(Bitrate.parse(text), text.debugDescription)
        }
    }

    func testFormatsExactThousandsWithK() {
        XCTAssertEqual(Bitrate.format(3_000_000), "3000k")
        XCTAssertEqual(Bitrate.format(2_500_000), "2500k")
        XCTAssertEqual(Bitrate.format(128_000), "128k")
        XCTAssertEqual(Bitrate.format(1_500), "1500")
        XCTAssertEqual(Bitrate.format(2_750_001), "2750001")
        XCTAssertEqual(Bitrate.format(0), "0")
    }

    func testFormatRoundTripsThroughParse() {
        for bits in [0, 1, 999, 1_000, 50_000, 1_540_000, 2_750_001, 100_000_000] {
            XCTAssertEqual(Bitrate.parse(Bitrate.format(bits)), bits)
        }
    }
}
