import XCTest
@testable import LadderConfig

final class SourceShapeTests: XCTestCase {
    func testRoundsToTheNearestEvenNumberWithTiesGoingUp() {
        let table: [(numerator: Int, denominator: Int, even: Int)] = [
            (720, 1, 720),
            (721, 1, 722),      // 721 is a tie between 720 and 722
            (719, 1, 720),      // tie between 718 and 720
            (4270462, 10000, 428),  // 427.05 is nearer 428 than 426
            (4266667, 10000, 426),  // 426.67 is nearer 426 than 428
            (853_3333, 10000, 854),
            (1, 1, 2),
            (9, 10, 0),
        ]
        for row in table {
            XCTAssertEqual(roundedToEven(row.numerator, over: row.denominator), row.even, "\(row)")
        }
    }

    func testFillsMissingSidesFromTheDisplayAspect() throws {
        let hd = try SourceShape(SourceVideo(width: 1920, height: 1080))
        XCTAssertEqual(hd.width(forHeight: 720), 1280)
        XCTAssertEqual(hd.width(forHeight: 480), 854)   // 853.33
        XCTAssertEqual(hd.width(forHeight: 240), 426)   // 426.67
        XCTAssertEqual(hd.height(forWidth: 1280), 720)
        XCTAssertEqual(hd.height(forWidth: 854), 480)   // 480.375

        let odd = try SourceShape(SourceVideo(width: 1000, height: 562))
        XCTAssertEqual(odd.width(forHeight: 240), 428)  // 427.05
        XCTAssertEqual(odd.height(forWidth: 640), 360)  // 359.68
    }

    func testTieOnAFilledSideGoesUp() throws {
        let wide = try SourceShape(SourceVideo(width: 1000, height: 500))
        XCTAssertEqual(wide.height(forWidth: 202), 102)  // exactly 101
        XCTAssertEqual(wide.height(forWidth: 206), 104)  // exactly 103
    }

    func testAnamorphicSourcesUseTheirDisplayAspect() throws {
        let pal = try SourceShape(SourceVideo(width: 720, height: 576, sarNum: 64, sarDen: 45))
        XCTAssertEqual(pal.width(forHeight: 576), 1024)
        XCTAssertEqual(pal.height(forWidth: 1024), 576)
        XCTAssertEqual(pal.largestWidth, 1024)
        XCTAssertEqual(pal.largestHeight, 576)
        XCTAssertEqual(pal.description, "720x576 (1024x576 displayed)")
    }

    func testUnknownAspectMeansSquarePixels() throws {
        let unknown = try SourceShape(SourceVideo(width: 1280, height: 720, sarNum: 0, sarDen: 1))
        XCTAssertTrue(unknown.hasSquarePixels)
        XCTAssertEqual(unknown.description, "1280x720")
        XCTAssertEqual(unknown.width(forHeight: 360), 640)
    }

    func testAspectIsReduced() throws {
        let shape = try SourceShape(SourceVideo(width: 1280, height: 720, sarNum: 3, sarDen: 3))
        XCTAssertTrue(shape.hasSquarePixels)
        XCTAssertEqual(shape.source.sarNum, 1)
    }

    func testLargestFrameRoundsOddSourceSidesToEven() throws {
        let shape = try SourceShape(SourceVideo(width: 1279, height: 719))
        XCTAssertEqual(shape.largestWidth, 1280)
        XCTAssertEqual(shape.largestHeight, 720)
        XCTAssertEqual(shape.evenSizeNotAbove.width, 1278)
        XCTAssertEqual(shape.evenSizeNotAbove.height, 718)
    }

    func testRefusesUnusableSources() {
        assertConfigError("source: 0x720 is not a frame size the ladder can use (2 to 16384 a side)") {
            () throws(ConfigError) in try SourceShape(SourceVideo(width: 0, height: 720))
        }
        assertConfigError("source: 1920x1 is not a frame size the ladder can use (2 to 16384 a side)") {
            () throws(ConfigError) in try SourceShape(SourceVideo(width: 1920, height: 1))
        }
        assertConfigError("source: 32768x720 is not a frame size the ladder can use (2 to 16384 a side)") {
            () throws(ConfigError) in try SourceShape(SourceVideo(width: 32768, height: 720))
        }
        assertConfigError("source: sample aspect ratio 4294967296:3 is out of range") {
            () throws(ConfigError) in try SourceShape(SourceVideo(width: 1280, height: 720, sarNum: 1 << 32, sarDen: 3))
        }
    }
}
