@testable import HLSModel
import XCTest

final class DecimalTextTests: XCTestCase {
    func testIntegerAcceptsOnlyPlainDigits() {
        XCTAssertEqual(DecimalText.integer("0"), 0)
        XCTAssertEqual(DecimalText.integer("120"), 120)
        XCTAssertEqual(DecimalText.integer("0007"), 7)
        for text in ["", "+5", "-5", "1.0", " 5", "5 ", "1e3", "0x10", "99999999999999999999"] {
            XCTAssertNil(DecimalText.integer(Substring(text)), "accepted \(text)")
        }
    }

    func testFloatingPointAcceptsDigitsWithAnOptionalFraction() {
        XCTAssertEqual(DecimalText.floatingPoint("2"), 2)
        XCTAssertEqual(DecimalText.floatingPoint("2.002"), 2.002)
        XCTAssertEqual(DecimalText.floatingPoint("2."), 2)
        XCTAssertEqual(DecimalText.floatingPoint("0.000001"), 0.000001)
    }

    func testFloatingPointRejectsWhatSwiftWouldAcceptButHLSDoesNot() {
        for text in ["", ".5", "1e3", "1E3", "nan", "inf", "infinity", "0x1p3", "-1", "+1", "1.2.3", "1,5", " 1", "abc"] {
            XCTAssertNil(DecimalText.floatingPoint(Substring(text)), "accepted \(text)")
        }
        XCTAssertNil(DecimalText.floatingPoint(Substring("9" + String(repeating: "9", count: 400))), "accepted infinity")
    }

    func testSignedFloatingPointAllowsOneLeadingMinus() {
        XCTAssertEqual(DecimalText.floatingPoint("-2.5", signed: true), -2.5)
        XCTAssertEqual(DecimalText.floatingPoint("2.5", signed: true), 2.5)
        XCTAssertNil(DecimalText.floatingPoint("--2", signed: true))
        XCTAssertNil(DecimalText.floatingPoint("-", signed: true))
        XCTAssertNil(DecimalText.floatingPoint("+2", signed: true))
    }

    func testFixedWritesExactlyTheRequestedDecimals() {
        XCTAssertEqual(DecimalText.fixed(2.002, decimals: 6), "2.002000")
        XCTAssertEqual(DecimalText.fixed(0, decimals: 6), "0.000000")
        XCTAssertEqual(DecimalText.fixed(10, decimals: 6), "10.000000")
        XCTAssertEqual(DecimalText.fixed(3.966667, decimals: 6), "3.966667")
        XCTAssertEqual(DecimalText.fixed(1234567.891, decimals: 6), "1234567.891000")
        XCTAssertEqual(DecimalText.fixed(29.97, decimals: 3), "29.970")
        XCTAssertEqual(DecimalText.fixed(30000.0 / 1001.0, decimals: 3), "29.970")
        XCTAssertEqual(DecimalText.fixed(59.94, decimals: 3), "59.940")
    }

    func testFixedRoundsToNearestAtTheLastDecimal() {
        XCTAssertEqual(DecimalText.fixed(2.0000004, decimals: 6), "2.000000")
        XCTAssertEqual(DecimalText.fixed(2.0000006, decimals: 6), "2.000001")
        XCTAssertEqual(DecimalText.fixed(1001.0 / 30000.0, decimals: 6), "0.033367")
    }

    func testEverySixDecimalValueSurvivesFixedThenParse() {
        var random = SeededGenerator(seed: 6)
        for _ in 0..<2_000 {
            let value = Double(Int.random(in: 0...100_000_000_000, using: &random)) / 1_000_000
            let text = DecimalText.fixed(value, decimals: 6)
            XCTAssertEqual(DecimalText.floatingPoint(Substring(text)), value, text)
        }
    }
}
