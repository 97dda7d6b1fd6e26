@testable import HLSModel
import XCTest

final class ProgramDateTimeTests: XCTestCase {
    private func date(_ secondsSince1970: Double) -> Date {
        Date(timeIntervalSince1970: secondsSince1970)
    }

    func testFormatsUTCWithMilliseconds() {
        XCTAssertEqual(ProgramDateTime.format(date(1_795_729_526.123)), "2026-11-26T21:45:26.123Z")
        XCTAssertEqual(ProgramDateTime.format(date(0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(ProgramDateTime.format(date(951_782_400)), "2000-02-29T00:00:00.000Z")
    }

    func testFormatsDatesBefore1970() {
        XCTAssertEqual(ProgramDateTime.format(date(-0.001)), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(ProgramDateTime.format(date(-2_203_891_200)), "1900-03-01T00:00:00.000Z")
    }

    func testRoundsToTheNearestMillisecond() {
        XCTAssertEqual(ProgramDateTime.format(date(1.0004)), "1970-01-01T00:00:01.000Z")
        XCTAssertEqual(ProgramDateTime.format(date(1.0006)), "1970-01-01T00:00:01.001Z")
        XCTAssertEqual(ProgramDateTime.format(date(59.9996)), "1970-01-01T00:01:00.000Z")
    }

    func testKeepsOutputWellFormedForUnrepresentableDates() {
        XCTAssertEqual(ProgramDateTime.format(date(.nan)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(ProgramDateTime.format(date(.infinity)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(ProgramDateTime.format(date(1e15)), "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(ProgramDateTime.format(date(-1e15)), "0000-01-01T00:00:00.000Z")
    }

    func testParsesWhatItFormats() {
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26T21:45:26.123Z"), date(1_795_729_526.123))
        XCTAssertEqual(ProgramDateTime.parse("1969-12-31T23:59:59.999Z"), date(-0.001))
    }

    func testParsesZoneOffsetsAndOtherPrecisions() {
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26T22:45:26.123+01:00"), date(1_795_729_526.123))
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26T16:15:26.123-0530"), date(1_795_729_526.123))
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26t21:45:26.123z"), date(1_795_729_526.123))
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26T21:45:26Z"), date(1_795_729_526))
        XCTAssertEqual(ProgramDateTime.parse("2026-11-26T21:45:26.1Z"), date(1_795_729_526.1))
        let micro = ProgramDateTime.parse("2026-11-26T21:45:26.123456Z")?.timeIntervalSince1970
        XCTAssertEqual(micro ?? 0, 1_795_729_526.123456, accuracy: 1e-6)
    }

    func testAcceptsALeapSecond() {
        XCTAssertEqual(ProgramDateTime.parse("2016-12-31T23:59:60Z"), ProgramDateTime.parse("2017-01-01T00:00:00Z"))
    }

    func testRejectsMalformedOrAmbiguousText() {
        let malformed = [
            "", "garbage", "2026-11-26T21:45:26.123",  // no zone: ambiguous
            "2026-11-26 21:45:26Z", "2026-11-26T21:45:26.Z", "2026-11-26T21:45:26.123Zjunk",
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T21:60:00Z", "2026-11-26T21:45:61Z",
            "2026-11-26T21:45:26+25:00", "26-11-26T21:45:26Z", "2026-1-26T21:45:26Z", "2026-11-26T21:45:26+1",
        ]
        for text in malformed {
            XCTAssertNil(ProgramDateTime.parse(Substring(text)), "accepted \(text)")
        }
    }

    func testAcceptsLeapDayInLeapYears() {
        XCTAssertEqual(ProgramDateTime.parse("2000-02-29T00:00:00Z"), date(951_782_400))
        XCTAssertNotNil(ProgramDateTime.parse("2024-02-29T12:00:00Z"))
    }

    func testEveryWholeMillisecondSurvivesFormatThenParse() {
        var random = SeededGenerator(seed: 8601)
        for _ in 0..<2_000 {
            let milliseconds = Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &random)
            let original = date(Double(milliseconds) / 1000)
            let text = ProgramDateTime.format(original)
            XCTAssertEqual(ProgramDateTime.parse(Substring(text)), original, text)
        }
    }
}
