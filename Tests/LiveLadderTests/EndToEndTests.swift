import Foundation
import XCTest
import FFmpegKit
import HLSModel
import LadderConfig
import Logging
@testable import LiveLadderCore

/// Whole runs on every fixture, in both containers, with the output read back independently.
final class EndToEndTests: XCTestCase {
    struct Fixture {
        let file: String
        let frames: Int
        let hasAudio: Bool
        let ladder: [String]
    }

    static let fixtures = [
        Fixture(file: "cfr30-640x360.mp4", frames: 180, hasAudio: true, ladder: ["360p", "240p"]),
        Fixture(file: "ntsc2997-640x360.mp4", frames: 180, hasAudio: true, ladder: ["360p", "240p"]),
        Fixture(file: "odd-1000x562.mp4", frames: 150, hasAudio: true, ladder: ["480p", "360p", "240p"]),
        Fixture(file: "noaudio-480x270.mp4", frames: 180, hasAudio: false, ladder: ["240p"]),
        Fixture(file: "mono44k-640x360.mp4", frames: 180, hasAudio: true, ladder: ["360p", "240p"]),
        Fixture(file: "surround51-640x360.mp4", frames: 180, hasAudio: true, ladder: ["360p", "240p"]),
        Fixture(file: "cfr30-640x360.ts", frames: 180, hasAudio: true, ladder: ["360p", "240p"]),
    ]

    func testEveryFixtureInTransportStream() throws {
        for fixture in Self.fixtures { try runAndVerify(fixture, format: .ts) }
    }

    func testEveryFixtureInFragmentedMP4() throws {
        for fixture in Self.fixtures where fixture.file.hasSuffix(".mp4") { try runAndVerify(fixture, format: .fmp4) }
    }

    func testOddSourceWidthsRoundToEven() throws {
        let output = try run(Self.fixtures[2], format: .ts)
        XCTAssertEqual(output.master.variants.map { "\($0.width)x\($0.height)" }, ["854x480", "640x360", "428x240"])
    }

    func testEventPlaylistsAreWrittenAsTheyGrowAndEndWithEndList() throws {
        let output = try run(Self.fixtures[0], format: .ts, kind: .event)
        let playlist = try output.media("360p/index.m3u8")
        XCTAssertEqual(playlist.playlistType, .event)
        XCTAssertEqual(playlist.discontinuitySequence, 0)
        XCTAssertTrue(playlist.endList)
        XCTAssertEqual(playlist.segments.count, 3)
        try assertChecks(output.folder)
    }

    func testSurroundKeptAsFivePointOneInTheAudioRendition() throws {
        var config = LadderConfig.defaults
        config.segmentFormat = .fmp4
        config.audio.channels = .keep
        let output = try run(Self.fixtures[5], config: config)
        XCTAssertEqual(output.master.audioRenditions.first?.channels, "6")
        let audio = try SegmentFacts.read(output.folder + "/audio/segment-0.m4s", initSegment: output.folder + "/audio/init.mp4")
        XCTAssertGreaterThan(audio.audioPackets, 0)
        try assertChecks(output.folder)
    }

    func testConfiguredLadderAndSegmentDuration() throws {
        let config = try LadderConfig.parse(yaml: """
            segmentDuration: 1
            renditions:
              - name: small
                height: 180
                videoBitrate: 300k
              - name: tiny
                width: 256
                videoBitrate: 150k
                preset: ultrafast
                profile: baseline
            """)
        let output = try run(Self.fixtures[0], config: config)
        XCTAssertEqual(output.master.variants.map(\.uri), ["small/index.m3u8", "tiny/index.m3u8"])
        XCTAssertEqual(output.master.variants.map { "\($0.width)x\($0.height)" }, ["320x180", "256x144"])
        // Baseline profile (66 = 0x42) as the SPS says.
        XCTAssertTrue(output.master.variants[1].codecs[0].hasPrefix("avc1.42"), "\(output.master.variants[1].codecs)")
        let playlist = try output.media("small/index.m3u8")
        XCTAssertEqual(playlist.targetDuration, 1)
        XCTAssertEqual(playlist.segments.count, 6)
        let configured = Fixture(file: Self.fixtures[0].file, frames: 180, hasAudio: true, ladder: ["small", "tiny"])
        try verify(output, fixture: configured, format: .ts)
    }

    // MARK: - Helpers

    private func runAndVerify(_ fixture: Fixture, format: SegmentFormat) throws {
        let output = try run(fixture, format: format)
        try verify(output, fixture: fixture, format: format)
    }

    private func run(_ fixture: Fixture, format: SegmentFormat = .ts, kind: PlaylistKind = .vod,
                     config: LadderConfig? = nil) throws -> Output {
        var ladder = config ?? LadderConfig.defaults
        if config == nil { ladder.segmentFormat = format }
        let folder = try temporaryFolder(self)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        FFmpegLog.configure(echo: nil)
        _ = try LadderRun(options: RunOptions(input: Repo.fixture(fixture.file), output: folder, config: ladder,
                                              playlistKind: kind), logger: logger).run()
        return try Output(folder)
    }

    /// The facts HLS-RULES.md asks for, read back from the files.
    private func verify(_ output: Output, fixture: Fixture, format: SegmentFormat,
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let context = "\(fixture.file) \(format)"
        let master = output.master
        XCTAssertEqual(master.variants.map(\.uri), fixture.ladder.map { "\($0)/index.m3u8" }, context, file: file, line: line)
        XCTAssertTrue(master.independentSegments, context, file: file, line: line)

        var starts: [[Int64]] = []
        var targetDurations = Set<Int>()
        for variant in master.variants {
            let playlist = try output.media(variant.uri)
            targetDurations.insert(playlist.targetDuration)
            XCTAssertEqual(playlist.playlistType, .vod, context)
            XCTAssertTrue(playlist.endList, context)
            XCTAssertEqual(playlist.map != nil, format == .fmp4, context)
            XCTAssertEqual(variant.codecs.contains("mp4a.40.2"), fixture.hasAudio, context)
            XCTAssertEqual(variant.audioGroup != nil, fixture.hasAudio && format == .fmp4, context)

            let segments = try output.segments(variant.uri)
            XCTAssertEqual(segments.reduce(0) { $0 + $1.facts.videoPackets }, fixture.frames, "\(context) \(variant.uri): every frame once")
            var previousEnd: Int64?
            for (index, (segment, facts)) in segments.enumerated() {
                let where_ = "\(context) \(variant.uri) \(segment.uri)"
                XCTAssertTrue(facts.firstVideoIsIDR, "\(where_): starts with an IDR")
                XCTAssertEqual(facts.width, variant.width, where_)
                XCTAssertEqual(facts.height, variant.height, where_)
                let start = try XCTUnwrap(facts.firstVideoPTS, where_)
                if let previousEnd { XCTAssertEqual(previousEnd, start, "\(where_): continues the previous segment") }
                // EXTINF is the real duration: to the next segment's first PTS, or past the last frame.
                let end: Int64
                if index + 1 < segments.count {
                    end = try XCTUnwrap(segments[index + 1].facts.firstVideoPTS)
                } else {
                    end = try XCTUnwrap(facts.lastVideoPTS) + Int64((90_000 / variant.frameRate).rounded())
                }
                XCTAssertEqual(segment.duration, Double(end - start) / 90_000, accuracy: 0.0011, "\(where_): EXTINF")
                previousEnd = end
                if fixture.hasAudio && format == .ts {
                    let audioStart = try XCTUnwrap(facts.firstAudioPTS, "\(where_): carries audio")
                    XCTAssertLessThanOrEqual(abs(audioStart - start), 1920, "\(where_): audio starts within one AAC frame of the video")
                }
            }
            starts.append(segments.compactMap(\.facts.firstVideoPTS))
            // A real player decodes every frame of this rendition (rule P1).
            let played = try play(output.folder + "/" + variant.uri)
            XCTAssertEqual(played.videoFrames, fixture.frames, "\(context) \(variant.uri): GStreamer frames")
            XCTAssertEqual(played.audioBuffers > 0, fixture.hasAudio && format == .ts, "\(context) \(variant.uri): GStreamer audio")
        }
        // Segment n starts at the same PTS in every rendition.
        XCTAssertEqual(Set(starts).count, 1, "\(context): aligned starts \(starts)")

        if fixture.hasAudio && format == .fmp4 {
            let audio = try output.media("audio/index.m3u8")
            targetDurations.insert(audio.targetDuration)
            XCTAssertEqual(audio.segments.count, starts.first?.count, context)
            XCTAssertEqual(master.audioRenditions.first?.uri, "audio/index.m3u8", context)
            XCTAssertGreaterThan(try play(output.folder + "/audio/index.m3u8").audioBuffers, 0, context)
        }
        XCTAssertEqual(targetDurations.count, 1, "\(context): one TARGETDURATION for all")
        try assertChecks(output.folder, file: file, line: line)
    }
}
