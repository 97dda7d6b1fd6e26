import XCTest
@testable import LadderConfig

/// Structure and value-type errors, each with the key path of the offending node.
final class ConfigNodeReaderTests: XCTestCase {
    // MARK: Unknown keys

    func testUnknownTopLevelKey() {
        assertParseError(
            "colour: red\n",
            "colour: unknown key (allowed: segmentDuration, segmentFormat, partDuration, allowUpscale, renditions, audio, epochLock, epoch)"
        )
    }

    func testUnknownRenditionKey() {
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "colour: red"),
            "renditions[0].colour: unknown key (allowed: name, width, height, videoBitrate, maxBitrate, preset, profile, tune, passthrough)"
        )
    }

    func testUnknownAudioKey() {
        assertParseError("audio:\n  volume: 11\n", "audio.volume: unknown key (allowed: bitrate, sampleRate, channels)")
    }

    func testWrongCaseSuggestsTheKey() {
        assertParseError("SegmentDuration: 2\n", "SegmentDuration: unknown key (did you mean segmentDuration?)")
        assertParseError("audio:\n  samplerate: 48000\n", "audio.samplerate: unknown key (did you mean sampleRate?)")
    }

    func testOddKeysAreQuotedInThePath() {
        assertParseError(
            "\"audio.bitrate\": 128k\n",
            "\"audio.bitrate\": unknown key (allowed: segmentDuration, segmentFormat, partDuration, allowUpscale, renditions, audio, epochLock, epoch)"
        )
    }

    func testKeysMustBeScalars() {
        assertParseError("? [a, b]\n: 1\n", "top level: keys must be plain names, found a list as a key")
    }

    // MARK: Shapes

    func testTopLevelMustBeAMapping() {
        assertParseError(
            "- 720p\n- 480p\n",
            "top level: expected a mapping (keys: segmentDuration, segmentFormat, partDuration, allowUpscale, renditions, audio, epochLock, epoch), found a list"
        )
        assertParseError(
            "720p\n",
            "top level: expected a mapping (keys: segmentDuration, segmentFormat, partDuration, allowUpscale, renditions, audio, epochLock, epoch),"
                + " found a single value"
        )
    }

    func testRenditionsMustBeAList() {
        assertParseError("renditions:\n  name: 720p\n", "renditions: expected a list of renditions, found a mapping")
    }

    func testEachRenditionMustBeAMapping() {
        assertParseError(
            "renditions:\n  - 720p\n",
            "renditions[0]: expected a mapping (keys: name, width, height, videoBitrate, maxBitrate, preset, profile, tune, passthrough),"
                + " found a single value"
        )
        assertParseError("renditions:\n  -\n", "renditions[0]: no value given; set one or remove the key")
    }

    func testEmptyRenditionsAreRefused() {
        assertParseError("renditions: []\n", "renditions: must list at least one rendition")
        assertParseError("renditions:\n", "renditions: must list at least one rendition")
    }

    func testAudioMustBeAMapping() {
        assertParseError(
            "audio: 128k\n",
            "audio: expected a mapping (keys: bitrate, sampleRate, channels), found a single value"
        )
        assertParseError("audio:\n", "audio: no value given; set one or remove the key")
    }

    func testScalarKeysRefuseListsMappingsAndNothing() {
        assertParseError("segmentFormat: [ts]\n", "segmentFormat: expected a single value, found a list")
        assertParseError("segmentFormat: {a: b}\n", "segmentFormat: expected a single value, found a mapping")
        assertParseError("segmentFormat:\n", "segmentFormat: no value given; set one or remove the key")
        assertParseError("segmentFormat: ~\n", "segmentFormat: no value given; set one or remove the key")
    }

    // MARK: Values

    func testSegmentDuration() throws {
        XCTAssertEqual(try LadderConfig.parse(yaml: "segmentDuration: 0.5\n").segmentDuration, 0.5)
        XCTAssertEqual(try LadderConfig.parse(yaml: "segmentDuration: 6\n").segmentDuration, 6)
        XCTAssertEqual(try LadderConfig.parse(yaml: "segmentDuration: \"3\"\n").segmentDuration, 3)
        assertParseError("segmentDuration: 2s\n", "segmentDuration: \"2s\" is not a number of seconds (e.g. 2 or 0.5)")
        assertParseError("segmentDuration: .inf\n", "segmentDuration: \".inf\" is not a number of seconds (e.g. 2 or 0.5)")
        assertParseError("segmentDuration: 1e1\n", "segmentDuration: \"1e1\" is not a number of seconds (e.g. 2 or 0.5)")
    }

    func testSegmentFormat() throws {
        XCTAssertEqual(try LadderConfig.parse(yaml: "segmentFormat: ts\n").segmentFormat, .ts)
        XCTAssertEqual(try LadderConfig.parse(yaml: "segmentFormat: fmp4\n").segmentFormat, .fmp4)
        assertParseError("segmentFormat: mkv\n", "segmentFormat: \"mkv\" is not a segment format (use ts or fmp4)")
        assertParseError("segmentFormat: TS\n", "segmentFormat: \"TS\" is not a segment format (use ts or fmp4)")
    }

    func testMultiLineValuesStayOnOneLineInMessages() {
        assertParseError(
            "segmentFormat: |\n  ts\n  fmp4\n",
            "segmentFormat: \"ts\\nfmp4\\n\" is not a segment format (use ts or fmp4)"
        )
    }

    func testAllowUpscale() throws {
        XCTAssertTrue(try LadderConfig.parse(yaml: "allowUpscale: true\n").allowUpscale)
        XCTAssertFalse(try LadderConfig.parse(yaml: "allowUpscale: False\n").allowUpscale)
        assertParseError("allowUpscale: yes\n", "allowUpscale: \"yes\" is not true or false")
        assertParseError("allowUpscale: 1\n", "allowUpscale: \"1\" is not true or false")
    }

    func testRenditionNameIsTextWhateverYAMLTypeItLooksLike() throws {
        let config = try LadderConfig.parse(yaml: singleRendition("name: 1080", "height: 720", "videoBitrate: 3000k"))
        XCTAssertEqual(config.renditions?.first?.name, "1080")
    }

    func testRenditionDefaults() throws {
        let config = try LadderConfig.parse(yaml: singleRendition("name: 720p", "height: 720", "videoBitrate: 3000000"))
        XCTAssertEqual(config.renditions, [RenditionSpec(name: "720p", height: 720, videoBitrate: 3_000_000)])
        let spec = try XCTUnwrap(config.renditions?.first)
        XCTAssertNil(spec.width)
        XCTAssertNil(spec.maxBitrate)
        XCTAssertEqual(spec.preset, "veryfast")
        XCTAssertEqual(spec.profile, "high")
        XCTAssertNil(spec.tune)
    }

    func testMissingName() {
        assertParseError(
            singleRendition("height: 720", "videoBitrate: 3000k"),
            "renditions[0].name: missing; every rendition needs a name (its output folder, e.g. 720p)"
        )
    }

    func testMissingVideoBitrate() {
        assertParseError(
            singleRendition("name: 720p", "height: 720"),
            "renditions[0].videoBitrate: missing; give the target bitrate, e.g. 3000k"
        )
    }

    func testVideoBitrateThatIsNotABitrate() {
        let yaml = """
            renditions:
              - {name: 1080p, height: 1080, videoBitrate: 5M}
              - {name: 720p, height: 720, videoBitrate: 3 Mbps}
            """
        assertParseError(yaml, "renditions[1].videoBitrate: \"3 Mbps\" is not a bitrate (use 3000k, 3M or 3000000)")
    }

    func testMaxBitrateThatIsNotABitrate() {
        assertParseError(
            singleRendition("name: 720p", "height: 720", "videoBitrate: 3000k", "maxBitrate: lots"),
            "renditions[0].maxBitrate: \"lots\" is not a bitrate (use 3000k, 3M or 3000000)"
        )
    }

    func testSizesMustBeWholeNumbers() {
        assertParseError(
            singleRendition("name: 720p", "width: 1280px", "videoBitrate: 3000k"),
            "renditions[0].width: \"1280px\" is not a whole number of pixels"
        )
        assertParseError(
            singleRendition("name: 720p", "height: 720.5", "videoBitrate: 3000k"),
            "renditions[0].height: \"720.5\" is not a whole number of pixels"
        )
    }

    func testAudioValues() throws {
        let audio = try LadderConfig.parse(yaml: "audio:\n  bitrate: 64k\n  channels: mono\n").audio
        XCTAssertEqual(audio, AudioSettings(bitrate: 64_000, sampleRate: 48_000, channels: .mono))
        assertParseError("audio:\n  bitrate: loud\n", "audio.bitrate: \"loud\" is not a bitrate (use 128k or 128000)")
        assertParseError(
            "audio:\n  sampleRate: 48k\n",
            "audio.sampleRate: \"48k\" is not a sample rate in Hz (use 44100 or 48000)"
        )
        assertParseError(
            "audio:\n  channels: surround\n",
            "audio.channels: \"surround\" is not a channel layout (use mono, stereo or keep)"
        )
    }

    func testAnEmptyAudioMappingKeepsDefaults() throws {
        XCTAssertEqual(try LadderConfig.parse(yaml: "audio: {}\n").audio, AudioSettings())
    }
}
