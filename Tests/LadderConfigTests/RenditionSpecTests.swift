import XCTest
@testable import LadderConfig

final class RenditionSpecTests: XCTestCase {
    func testDefaultsMatchAnEntryWithOnlyTheRequiredKeys() {
        let spec = RenditionSpec(name: "720p", height: 720, videoBitrate: 3_000_000)
        XCTAssertNil(spec.width)
        XCTAssertNil(spec.maxBitrate)
        XCTAssertEqual(spec.preset, "veryfast")
        XCTAssertEqual(spec.profile, "high")
        XCTAssertNil(spec.tune)
    }

    func testEncoderOptionListsMatchLibx264() {
        XCTAssertEqual(X264Options.presets, [
            "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
        ])
        XCTAssertEqual(X264Options.profiles, ["baseline", "main", "high"])
        XCTAssertEqual(X264Options.tunes, [
            "film", "animation", "grain", "stillimage", "fastdecode", "zerolatency", "psnr", "ssim",
        ])
        XCTAssertTrue(X264Options.presets.contains(X264Options.defaultPreset))
        XCTAssertTrue(X264Options.profiles.contains(X264Options.defaultProfile))
    }
}
