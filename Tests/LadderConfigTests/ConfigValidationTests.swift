import XCTest
@testable import LadderConfig

/// Range and consistency rules, checked on parsed YAML and on configs built in code.
final class ConfigValidationTests: XCTestCase {
    func testSegmentDurationRange() throws {
        XCTAssertNoThrow(try LadderConfig.parse(yaml: "segmentDuration: 0.5\n"))
        XCTAssertNoThrow(try LadderConfig.parse(yaml: "segmentDuration: 30\n"))
        assertParseError("segmentDuration: 0.25\n", "segmentDuration: 0.25 is out of range (allowed 0.5 to 30 seconds)")
        assertParseError("segmentDuration: 31\n", "segmentDuration: 31 is out of range (allowed 0.5 to 30 seconds)")
        assertParseError("segmentDuration: -2\n", "segmentDuration: -2 is out of range (allowed 0.5 to 30 seconds)")
    }

    func testNamesAreFolderSafe() {
        assertParseError(
            singleRendition("name: 7 20p", "height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: \"7 20p\" is not a valid folder name (use letters, digits, _ and -)"
        )
        assertParseError(
            singleRendition("name: ../720p", "height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: \"../720p\" is not a valid folder name (use letters, digits, _ and -)"
        )
        assertParseError(
            singleRendition("name: \"\"", "height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: \"\" is not a valid folder name (use letters, digits, _ and -)"
        )
    }

    func testAudioIsAReservedName() {
        assertParseError(
            singleRendition("name: audio", "height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: \"audio\" is reserved for the fMP4 audio rendition"
        )
        assertParseError(
            singleRendition("name: Audio", "height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: \"Audio\" is reserved for the fMP4 audio rendition"
        )
    }

    func testNamesAreUnique() {
        let yaml = """
            renditions:
              - {name: 720p, height: 720, videoBitrate: 3000k}
              - {name: 480p, height: 480, videoBitrate: 1400k}
              - {name: 720p, height: 720, videoBitrate: 2500k}
            """
        assertParseError(yaml, "renditions[2].name: \"720p\" is used twice")
    }

    func testNamesAreUniqueIgnoringCase() {
        let yaml = """
            renditions:
              - {name: 720p, height: 720, videoBitrate: 3000k}
              - {name: 720P, height: 720, videoBitrate: 2500k}
            """
        assertParseError(
            yaml,
            "renditions[1].name: \"720P\" is used twice (renditions[0] is \"720p\"; names are compared ignoring case)"
        )
    }

    func testASizeIsRequired() {
        assertParseError(singleRendition("name: 720p", "videoBitrate: 3000k"), "renditions[0]: give width or height (or both)")
    }

    func testSizesMustBeEven() {
        assertParseError(
            singleRendition("name: 720p", "width: 1279", "videoBitrate: 3000k"),
            "renditions[0].width: 1279 must be even (H.264 4:2:0 needs even sizes)"
        )
        assertParseError(
            singleRendition("name: 720p", "width: 1280", "height: 719", "videoBitrate: 3000k"),
            "renditions[0].height: 719 must be even (H.264 4:2:0 needs even sizes)"
        )
    }

    func testSizesMustBeInRange() {
        assertParseError(
            singleRendition("name: 720p", "width: 0", "videoBitrate: 3000k"),
            "renditions[0].width: 0 is out of range (allowed 2 to 8192)"
        )
        assertParseError(
            singleRendition("name: 720p", "height: 8194", "videoBitrate: 3000k"),
            "renditions[0].height: 8194 is out of range (allowed 2 to 8192)"
        )
        assertParseError(
            singleRendition("name: 720p", "height: -720", "videoBitrate: 3000k"),
            "renditions[0].height: -720 is out of range (allowed 2 to 8192)"
        )
    }

    func testVideoBitrateRange() {
        XCTAssertNoThrow(try LadderConfig.parse(yaml: singleRendition("name: a", "height: 240", "videoBitrate: 50k")))
        XCTAssertNoThrow(try LadderConfig.parse(yaml: singleRendition("name: a", "height: 2160", "videoBitrate: 100M")))
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 20k"),
            "renditions[0].videoBitrate: 20k is out of range (allowed 50k to 100M)"
        )
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 101M"),
            "renditions[0].videoBitrate: 101000k is out of range (allowed 50k to 100M)"
        )
    }

    func testMaxBitrateMustNotBeBelowTheTarget() {
        let yaml = """
            renditions:
              - {name: 1080p, height: 1080, videoBitrate: 5M}
              - {name: 720p, height: 720, videoBitrate: 3000k, maxBitrate: 2000k}
            """
        assertParseError(yaml, "renditions[1].maxBitrate: 2000k is below videoBitrate 3000k")
        XCTAssertNoThrow(
            try LadderConfig.parse(yaml: singleRendition("name: a", "height: 720", "videoBitrate: 3M", "maxBitrate: 3M"))
        )
    }

    func testMaxBitrateRange() {
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "maxBitrate: 200M"),
            "renditions[0].maxBitrate: 200000k is out of range (allowed 50k to 100M)"
        )
    }

    func testEncoderOptionsMustBeKnown() {
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "preset: turbo"),
            "renditions[0].preset: \"turbo\" is not an x264 preset (use ultrafast, superfast, veryfast, faster, fast,"
                + " medium, slow, slower, veryslow or placebo)"
        )
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "profile: high10"),
            "renditions[0].profile: \"high10\" is not an H.264 profile (use baseline, main or high)"
        )
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "tune: fast"),
            "renditions[0].tune: \"fast\" is not an x264 tune (use film, animation, grain, stillimage, fastdecode,"
                + " zerolatency, psnr or ssim)"
        )
    }

    func testEveryListedEncoderOptionIsAccepted() throws {
        for preset in X264Options.presets {
            XCTAssertNoThrow(try RenditionSpec(name: "a", height: 720, videoBitrate: 3_000_000, preset: preset).validate(at: "r"))
        }
        for profile in X264Options.profiles {
            XCTAssertNoThrow(try RenditionSpec(name: "a", height: 720, videoBitrate: 3_000_000, profile: profile).validate(at: "r"))
        }
        for tune in X264Options.tunes {
            XCTAssertNoThrow(try RenditionSpec(name: "a", height: 720, videoBitrate: 3_000_000, tune: tune).validate(at: "r"))
        }
    }

    func testAudioRanges() {
        XCTAssertNoThrow(try LadderConfig.parse(yaml: "audio:\n  bitrate: 32k\n"))
        XCTAssertNoThrow(try LadderConfig.parse(yaml: "audio:\n  bitrate: 512k\n"))
        assertParseError("audio:\n  bitrate: 16k\n", "audio.bitrate: 16k is out of range (allowed 32k to 512k)")
        assertParseError("audio:\n  bitrate: 640k\n", "audio.bitrate: 640k is out of range (allowed 32k to 512k)")
        assertParseError("audio:\n  sampleRate: 22050\n", "audio.sampleRate: 22050 is not supported (use 44100 or 48000)")
    }

    func testConfigsBuiltInCodeGetTheSameMessages() {
        let config = LadderConfig(renditions: [RenditionSpec(name: "720p", width: 1279, videoBitrate: 3_000_000)])
        assertConfigError("renditions[0].width: 1279 must be even (H.264 4:2:0 needs even sizes)") { () throws(ConfigError) in
            try config.validate()
        }
        assertConfigError("renditions: must list at least one rendition") { () throws(ConfigError) in
            try LadderConfig(renditions: []).validate()
        }
    }
}
