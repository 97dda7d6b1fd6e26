import Foundation
import XCTest
@testable import LadderConfig

final class ConfigLoadingTests: XCTestCase {
    private let fullExample = """
        segmentDuration: 4
        segmentFormat: fmp4
        allowUpscale: true
        renditions:
          - name: 720p
            width: 1280
            height: 720
            videoBitrate: 3000k
            maxBitrate: 3300k
            preset: fast
            profile: main
            tune: zerolatency
          - name: 360p
            height: 360
            videoBitrate: 0.8M
        audio:
          bitrate: 96k
          sampleRate: 44100
          channels: keep
        """

    func testParsesEveryKey() throws {
        let config = try LadderConfig.parse(yaml: fullExample)
        XCTAssertEqual(config, LadderConfig(
            segmentDuration: 4,
            segmentFormat: .fmp4,
            allowUpscale: true,
            renditions: [
                RenditionSpec(
                    name: "720p", width: 1280, height: 720, videoBitrate: 3_000_000, maxBitrate: 3_300_000,
                    preset: "fast", profile: "main", tune: "zerolatency"
                ),
                RenditionSpec(name: "360p", height: 360, videoBitrate: 800_000),
            ],
            audio: AudioSettings(bitrate: 96_000, sampleRate: 44_100, channels: .keep)
        ))
    }

    func testEmptyFileMeansDefaults() throws {
        XCTAssertEqual(try LadderConfig.parse(yaml: ""), .defaults)
        XCTAssertEqual(try LadderConfig.parse(yaml: "# nothing set\n"), .defaults)
        XCTAssertEqual(try LadderConfig.parse(yaml: "---\n"), .defaults)
        XCTAssertEqual(try LadderConfig.parse(yaml: "~\n"), .defaults)
    }

    func testParseValidatesRanges() {
        assertParseError("segmentDuration: 45\n", "segmentDuration: 45 is out of range (allowed 0.5 to 30 seconds)")
    }

    func testLoadReadsAFile() throws {
        try withFile(fullExample) { path in
            XCTAssertEqual(try LadderConfig.load(path: path), try LadderConfig.parse(yaml: fullExample))
        }
    }

    func testLoadPrefixesSyntaxErrorsWithThePath() throws {
        try withFile("segmentDuration: 2\nsegmentFormat: ts\n  audio: x\n") { path in
            assertConfigError("\(path): line 3: mapping values are not allowed in this context") { () throws(ConfigError) in
                try LadderConfig.load(path: path)
            }
        }
    }

    func testLoadPrefixesKeyErrorsWithThePath() throws {
        try withFile("segmentFormat: mkv\n") { path in
            assertConfigError("\(path): segmentFormat: \"mkv\" is not a segment format (use ts or fmp4)") {
                () throws(ConfigError) in try LadderConfig.load(path: path)
            }
        }
    }

    func testLoadOfAMissingFileNamesPathAndReason() {
        let path = "/nonexistent/liveladder/config.yaml"
        assertConfigError("\(path): cannot read the file (No such file or directory)") { () throws(ConfigError) in
            try LadderConfig.load(path: path)
        }
    }

    private func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ladder-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        try body(url.path)
    }
}
