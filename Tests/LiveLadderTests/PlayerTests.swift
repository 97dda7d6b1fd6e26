import Foundation
import XCTest
import LadderConfig
import Logging
@testable import LiveLadderCore

/// A real player decodes what LiveLadder writes: GStreamer's playbin3 (hlsdemux2 + libav decoders) plays
/// every rendition's playlist and the master, and every frame comes out (rule P1).
final class PlayerTests: XCTestCase {
    private func ladder(_ fixture: String, format: SegmentFormat) throws -> String {
        let folder = try temporaryFolder(self)
        var config = LadderConfig.defaults
        config.segmentFormat = format
        var logger = Logger(label: "test")
        logger.logLevel = .error
        _ = try LadderRun(options: RunOptions(input: Repo.fixture(fixture), output: folder, config: config), logger: logger).run()
        try assertChecks(folder)
        return folder
    }

    func testGStreamerDecodesEveryFrameOfEveryTransportStreamRendition() throws {
        for fixture in ["cfr30-640x360.mp4", "ntsc2997-640x360.mp4"] {
            let folder = try ladder(fixture, format: .ts)
            for rendition in ["360p", "240p"] {
                let played = try play(folder + "/\(rendition)/index.m3u8")
                XCTAssertEqual(played.videoFrames, 180, "\(fixture) \(rendition)")
                // 6 s of 48 kHz AAC plus the encoder's priming frame: ceil((6 × 48000 + 1024) / 1024).
                XCTAssertGreaterThanOrEqual(played.audioBuffers, 282, "\(fixture) \(rendition)")
            }
            XCTAssertEqual(try play(folder + "/master.m3u8").videoFrames, 180, "\(fixture) master")
        }
    }

    func testGStreamerDecodesEveryFrameOfEveryFragmentedMP4Rendition() throws {
        let folder = try ladder("odd-1000x562.mp4", format: .fmp4)
        for rendition in ["480p", "360p", "240p"] {
            XCTAssertEqual(try play(folder + "/\(rendition)/index.m3u8").videoFrames, 150, rendition)
        }
        XCTAssertGreaterThanOrEqual(try play(folder + "/audio/index.m3u8").audioBuffers, 282)
        let master = try play(folder + "/master.m3u8")
        XCTAssertEqual(master.videoFrames, 150)
        XCTAssertGreaterThanOrEqual(master.audioBuffers, 282)
    }

    func testGStreamerPlaysVideoOnlyOutput() throws {
        let folder = try ladder("noaudio-480x270.mp4", format: .ts)
        let played = try play(folder + "/master.m3u8")
        XCTAssertEqual(played.videoFrames, 180)
        XCTAssertEqual(played.audioBuffers, 0)
    }
}
