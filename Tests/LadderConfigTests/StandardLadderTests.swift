import XCTest
@testable import LadderConfig

/// The ladder derived when the config lists no renditions.
final class StandardLadderTests: XCTestCase {
    private func ladder(_ source: SourceVideo) throws -> [ResolvedRendition] {
        try LadderConfig.defaults.resolve(for: source)
    }

    func test1080pSourceGetsTheTopFourRungs() throws {
        XCTAssertEqual(try ladder(SourceVideo(width: 1920, height: 1080)), [
            .expect("1080p", 1920, 1080, 5_000_000),
            .expect("720p", 1280, 720, 3_000_000),
            .expect("480p", 854, 480, 1_400_000),
            .expect("360p", 640, 360, 800_000),
        ])
    }

    func test720pSourceStartsAt720p() throws {
        XCTAssertEqual(try ladder(SourceVideo(width: 1280, height: 720)), [
            .expect("720p", 1280, 720, 3_000_000),
            .expect("480p", 854, 480, 1_400_000),
            .expect("360p", 640, 360, 800_000),
            .expect("240p", 426, 240, 400_000),
        ])
    }

    func test360pSourceGetsTwoRungs() throws {
        XCTAssertEqual(try ladder(SourceVideo(width: 640, height: 360)), [
            .expect("360p", 640, 360, 800_000),
            .expect("240p", 426, 240, 400_000),
        ])
    }

    func testOddAspectWidthsRoundToTheNearestEven() throws {
        // 1000/562 = 1.7794: 480 → 854.09, 360 → 640.57, 240 → 427.05.
        XCTAssertEqual(try ladder(SourceVideo(width: 1000, height: 562)), [
            .expect("480p", 854, 480, 1_400_000),
            .expect("360p", 640, 360, 800_000),
            .expect("240p", 428, 240, 400_000),
        ])
    }

    func testSourceBelow240LinesGetsOneRenditionAtItsOwnSize() throws {
        XCTAssertEqual(try ladder(SourceVideo(width: 320, height: 180)), [.expect("180p", 320, 180, 300_000)])
    }

    func testSmallOddSourceIsRoundedDownNeverUp() throws {
        XCTAssertEqual(try ladder(SourceVideo(width: 321, height: 179)), [.expect("178p", 320, 178, 300_000)])
    }

    func testPeakAndBufferFollowTheTarget() throws {
        let top = try XCTUnwrap(try ladder(SourceVideo(width: 1920, height: 1080)).first)
        XCTAssertEqual(top.maxBitrate, 5_500_000)
        XCTAssertEqual(top.bufferSize, 11_000_000)
        XCTAssertEqual(top.preset, "veryfast")
        XCTAssertEqual(top.profile, "high")
        XCTAssertNil(top.tune)
    }

    func testAnamorphicPALUsesTheDisplayAspect() throws {
        // 720x576 at 64:45 displays as 1024x576 (16:9).
        XCTAssertEqual(try ladder(SourceVideo(width: 720, height: 576, sarNum: 64, sarDen: 45)), [
            .expect("480p", 854, 480, 1_400_000),
            .expect("360p", 640, 360, 800_000),
            .expect("240p", 426, 240, 400_000),
        ])
    }

    func testAnamorphicHDVBecomesSquarePixel1080p() throws {
        // 1440x1080 at 4:3 displays as 1920x1080.
        XCTAssertEqual(try ladder(SourceVideo(width: 1440, height: 1080, sarNum: 4, sarDen: 3)), [
            .expect("1080p", 1920, 1080, 5_000_000),
            .expect("720p", 1280, 720, 3_000_000),
            .expect("480p", 854, 480, 1_400_000),
            .expect("360p", 640, 360, 800_000),
        ])
    }

    func testSmallAnamorphicSourceUsesItsDisplayWidth() throws {
        // 352x200 at 12:11 displays as 384x200.
        XCTAssertEqual(try ladder(SourceVideo(width: 352, height: 200, sarNum: 12, sarDen: 11)), [
            .expect("200p", 384, 200, 300_000),
        ])
    }

    func testNeverUpscales() throws {
        for source in [SourceVideo(width: 3840, height: 2160), SourceVideo(width: 1024, height: 576), SourceVideo(width: 426, height: 240)] {
            for rendition in try ladder(source) {
                XCTAssertLessThanOrEqual(rendition.height, source.height, "\(source)")
                XCTAssertLessThanOrEqual(rendition.width, source.width, "\(source)")
            }
        }
        XCTAssertEqual(try ladder(SourceVideo(width: 3840, height: 2160)).map(\.name), ["1080p", "720p", "480p", "360p"])
    }

    func testExtremeAspectHasNoStandardLadder() {
        assertConfigError(
            "source: 16384x240 has no standard ladder (frame sides allowed 2 to 8192); list renditions in the config"
        ) { () throws(ConfigError) in
            try LadderConfig.defaults.resolve(for: SourceVideo(width: 16384, height: 240))
        }
    }
}
