import XCTest
@testable import LadderConfig

/// Matching an explicit ladder to a source.
final class LadderResolutionTests: XCTestCase {
    private let hd = SourceVideo(width: 1920, height: 1080)

    private func config(_ renditions: RenditionSpec..., allowUpscale: Bool = false) -> LadderConfig {
        LadderConfig(allowUpscale: allowUpscale, renditions: renditions)
    }

    func testOnlyHeightTakesWidthFromTheSourceAspect() throws {
        let resolved = try config(
            RenditionSpec(name: "540p", height: 540, videoBitrate: 2_000_000),
            RenditionSpec(name: "480p", height: 480, videoBitrate: 1_400_000)
        ).resolve(for: hd)
        XCTAssertEqual(resolved.map(\.width), [960, 854])
        XCTAssertEqual(resolved.map(\.height), [540, 480])
    }

    func testOnlyWidthTakesHeightFromTheSourceAspect() throws {
        let resolved = try config(
            RenditionSpec(name: "a", width: 1280, videoBitrate: 3_000_000),
            RenditionSpec(name: "b", width: 854, videoBitrate: 1_400_000)
        ).resolve(for: hd)
        XCTAssertEqual(resolved.map(\.height), [720, 480])  // 480.375 rounds to 480
    }

    func testFilledSidesRoundToTheNearestEvenOnAnOddAspect() throws {
        let source = SourceVideo(width: 1000, height: 562)
        let resolved = try config(
            RenditionSpec(name: "a", height: 240, videoBitrate: 400_000),
            RenditionSpec(name: "b", width: 640, videoBitrate: 800_000)
        ).resolve(for: source)
        XCTAssertEqual(resolved.map(\.width), [428, 640])   // 427.05
        XCTAssertEqual(resolved.map(\.height), [240, 360])  // 359.68
    }

    func testBothSidesAreKeptAsWritten() throws {
        let resolved = try config(RenditionSpec(name: "square", width: 720, height: 720, videoBitrate: 2_000_000))
            .resolve(for: hd)
        XCTAssertEqual(resolved.first?.width, 720)
        XCTAssertEqual(resolved.first?.height, 720)
    }

    func testKeepsTheOrderGiven() throws {
        let resolved = try config(
            RenditionSpec(name: "low", height: 360, videoBitrate: 800_000),
            RenditionSpec(name: "high", height: 1080, videoBitrate: 5_000_000),
            RenditionSpec(name: "mid", height: 720, videoBitrate: 3_000_000)
        ).resolve(for: hd)
        XCTAssertEqual(resolved.map(\.name), ["low", "high", "mid"])
    }

    func testCarriesEncoderSettingsAndFillsThePeak() throws {
        let resolved = try config(
            RenditionSpec(name: "a", height: 720, videoBitrate: 3_000_000, preset: "fast", profile: "main", tune: "film"),
            RenditionSpec(name: "b", height: 480, videoBitrate: 1_400_000, maxBitrate: 2_000_000)
        ).resolve(for: hd)
        XCTAssertEqual(resolved, [
            ResolvedRendition(
                name: "a", width: 1280, height: 720, videoBitrate: 3_000_000, maxBitrate: 3_300_000,
                preset: "fast", profile: "main", tune: "film"
            ),
            ResolvedRendition(name: "b", width: 854, height: 480, videoBitrate: 1_400_000, maxBitrate: 2_000_000),
        ])
        XCTAssertEqual(resolved.map(\.bufferSize), [6_600_000, 4_000_000])
    }

    func testRefusesUpscaling() {
        let ladder = config(RenditionSpec(name: "1080p", width: 1920, height: 1080, videoBitrate: 5_000_000))
        assertConfigError(
            "renditions[0]: 1920x1080 is larger than the 1280x720 source; lower it or set allowUpscale: true"
        ) { () throws(ConfigError) in
            try ladder.resolve(for: SourceVideo(width: 1280, height: 720))
        }
    }

    func testRefusesUpscalingInOneDirectionOnly() {
        let ladder = config(
            RenditionSpec(name: "720p", height: 720, videoBitrate: 3_000_000),
            RenditionSpec(name: "wide", width: 1920, height: 360, videoBitrate: 2_000_000)
        )
        assertConfigError(
            "renditions[1]: 1920x360 is larger than the 1280x720 source; lower it or set allowUpscale: true"
        ) { () throws(ConfigError) in
            try ladder.resolve(for: SourceVideo(width: 1280, height: 720))
        }
    }

    func testAllowUpscaleLetsLargerRenditionsThrough() throws {
        let ladder = config(RenditionSpec(name: "1080p", height: 1080, videoBitrate: 5_000_000), allowUpscale: true)
        let resolved = try ladder.resolve(for: SourceVideo(width: 1280, height: 720))
        XCTAssertEqual(resolved.first?.width, 1920)
        XCTAssertEqual(resolved.first?.height, 1080)
    }

    func testAllowUpscaleFromYAML() throws {
        let yaml = "allowUpscale: true\nrenditions:\n  - {name: 1080p, height: 1080, videoBitrate: 5M}\n"
        let resolved = try LadderConfig.parse(yaml: yaml).resolve(for: SourceVideo(width: 640, height: 360))
        XCTAssertEqual(resolved.first.map { "\($0.width)x\($0.height)" }, "1920x1080")
    }

    func testSourceHeightOnAnOddSourceIsNotAnUpscale() throws {
        // 1000x563 at full width gives 562.99... lines → 564; the source itself rounds to 1000x564.
        let resolved = try config(RenditionSpec(name: "full", width: 1000, videoBitrate: 3_000_000))
            .resolve(for: SourceVideo(width: 1000, height: 563))
        XCTAssertEqual(resolved.first?.height, 564)
    }

    func testAnamorphicSourceIsJudgedByItsDisplaySize() throws {
        let pal = SourceVideo(width: 720, height: 576, sarNum: 64, sarDen: 45)
        let full = try config(RenditionSpec(name: "576p", height: 576, videoBitrate: 2_000_000)).resolve(for: pal)
        XCTAssertEqual(full.first?.width, 1024)

        let ntsc = SourceVideo(width: 720, height: 480, sarNum: 8, sarDen: 9)
        assertConfigError(
            "renditions[0]: 720x480 is larger than the 720x480 (640x480 displayed) source; lower it or set allowUpscale: true"
        ) { () throws(ConfigError) in
            try config(RenditionSpec(name: "480p", width: 720, height: 480, videoBitrate: 1_400_000)).resolve(for: ntsc)
        }
        let fitted = try config(RenditionSpec(name: "480p", height: 480, videoBitrate: 1_400_000)).resolve(for: ntsc)
        XCTAssertEqual(fitted.first?.width, 640)
    }

    func testFilledSideOutsideH264LimitsIsRefused() {
        let ladder = config(RenditionSpec(name: "tall", width: 2, videoBitrate: 400_000), allowUpscale: true)
        assertConfigError(
            "renditions[0]: 2x0 (keeping the 1920x200 source's aspect) is out of range (allowed 2 to 8192);"
                + " give both width and height"
        ) { () throws(ConfigError) in
            try ladder.resolve(for: SourceVideo(width: 1920, height: 200))
        }
    }

    func testResolveValidatesConfigsBuiltInCode() {
        let ladder = config(RenditionSpec(name: "720p", height: 719, videoBitrate: 3_000_000))
        assertConfigError("renditions[0].height: 719 must be even (H.264 4:2:0 needs even sizes)") { () throws(ConfigError) in
            try ladder.resolve(for: hd)
        }
        assertConfigError("renditions[0]: give width or height (or both)") { () throws(ConfigError) in
            try config(RenditionSpec(name: "720p", videoBitrate: 3_000_000)).resolve(for: hd)
        }
    }

    func testResolveRefusesAnUnusableSource() {
        assertConfigError("source: 0x0 is not a frame size the ladder can use (2 to 16384 a side)") {
            () throws(ConfigError) in try LadderConfig.defaults.resolve(for: SourceVideo(width: 0, height: 0))
        }
    }
}
