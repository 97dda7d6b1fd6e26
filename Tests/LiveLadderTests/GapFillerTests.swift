import Foundation
import XCTest
import FFmpegKit
@testable import LiveLadderCore

/// The stand-in segment at a GAP entry's URI, read back with libavformat.
final class GapFillerTests: XCTestCase {
    private let frameTicks: Int64 = 3000
    private let audio = AudioEncoderSettings(sampleRate: 48_000, channels: .stereo, bitRate: 128_000, globalHeader: true)

    private func settings(globalHeader: Bool, width: Int = 426) -> VideoEncoderSettings {
        VideoEncoderSettings(width: width, height: 240, frameRate: Rational(30, 1), bitRate: 400_000, maxRate: 440_000,
                             bufferSize: 800_000, gopSize: 61, preset: "veryfast", profile: "high", tune: nil,
                             globalHeader: globalHeader, threads: 1)
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = try temporaryFolder(self) + "-" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testTransportStreamStandInCoversTheSpanWithBlackAndSilence() throws {
        let video = settings(globalHeader: false)
        let filler = GapFiller(format: .mpegts, video: .init(settings: video, frameTicks: frameTicks, extradata: []),
                               audio: audio, log: { XCTFail("unexpected: \($0)") })
        // Segment 3 of a 2 s grid starting at 10 s: [16 s, 18 s).
        let bytes = try filler.segment(startPTS: 1_440_000, durationTicks: 180_000)
        let facts = try SegmentFacts.read(write(bytes, "gap.ts"))
        XCTAssertTrue(facts.firstVideoIsIDR)
        XCTAssertEqual(facts.videoPackets, 60)
        XCTAssertEqual(facts.firstVideoPTS, 1_440_000)
        XCTAssertEqual(facts.lastVideoPTS, 1_440_000 + 59 * frameTicks)
        XCTAssertEqual(facts.width, 426)
        XCTAssertEqual(facts.height, 240)
        // 2 s of 1024-sample AAC frames at 48 kHz, none before the span.
        XCTAssertEqual(facts.audioPackets, 94)
        XCTAssertEqual(facts.firstAudioPTS, 1_440_000)
    }

    /// 4 s of the program's AAC packets (silence here, but encoded on the program's own grid from 0).
    private func programAudio() throws -> [Packet] {
        let chain = try AudioChain(settings: audio, origin: 0)
        return try chain.pushSilence(4 * 48_000) + chain.finish(videoEndSamples: 4 * 48_000)
    }

    func testStandInCarriesTheProgramsAudioWhenAllOfItIsThere() throws {
        let filler = GapFiller(format: .mpegts, video: .init(settings: settings(globalHeader: false), frameTicks: frameTicks, extradata: []),
                               audio: audio, log: { XCTFail("unexpected: \($0)") })
        let span = try programAudio().filter { ($0.pts ?? 0) >= 90_000 && ($0.pts ?? 0) < 270_000 }
        let facts = try SegmentFacts.read(write(try filler.segment(startPTS: 90_000, durationTicks: 180_000, audio: span), "gap.ts"))
        // The program's frames sit on its own grid (every 1920 ticks from 0), not at the span's start.
        XCTAssertEqual(facts.firstAudioPTS, 90_240)
        XCTAssertEqual(facts.audioPackets, span.count)
        XCTAssertEqual(facts.videoPackets, 60)
    }

    func testStandInFallsBackToSilenceWhenTheProgramsAudioHasAHole() throws {
        var span = try programAudio().filter { ($0.pts ?? 0) >= 90_000 && ($0.pts ?? 0) < 270_000 }
        span.remove(at: 40)
        XCTAssertFalse(GapFiller.covers(span, start: 90_000, end: 270_000))
        // Nor when its start is missing.
        XCTAssertFalse(GapFiller.covers(Array(span.dropFirst(5)), start: 90_000, end: 270_000))
        let filler = GapFiller(format: .mpegts, video: nil, audio: audio, log: { XCTFail("unexpected: \($0)") })
        let facts = try SegmentFacts.read(write(try filler.segment(startPTS: 90_000, durationTicks: 180_000, audio: span), "gap.ts"))
        // Silence on the program's own AAC grid (frames of 1920 ticks from the origin, 0 here): the first
        // frame that starts in the span is frame 47, at 90,240; the last is frame 140. Exactly the frames a
        // sibling has for this span, so the stand-in neither overlaps nor leaves a hole (rule S7).
        XCTAssertEqual(facts.firstAudioPTS, 90_240, "silence, from the first program frame in the span")
        XCTAssertEqual(facts.audioPackets, 94)
    }

    func testSilenceFollowsTheProgramsGridAt44100() throws {
        let audio44 = AudioEncoderSettings(sampleRate: 44_100, channels: .stereo, bitRate: 128_000, globalHeader: true)
        let origin: Int64 = 900_000
        let grid = AudioGrid(origin: origin, sampleRate: 44_100, frameSize: 1024)
        let filler = GapFiller(format: .mpegts, video: nil, audio: audio44, audioOrigin: origin, log: { XCTFail("unexpected: \($0)") })
        let start: Int64 = 1_080_000, end: Int64 = 1_260_000
        let path = try write(try filler.segment(startPTS: start, durationTicks: end - start), "gap44.ts")
        let pts = try runProcess("/usr/bin/ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "packet=pts",
                                                       "-of", "csv=p=0", path]).stdout
            .split(whereSeparator: \.isNewline).compactMap { Int64($0.trimmingCharacters(in: .punctuationCharacters)) }
        let first = grid.firstFrame(atOrAfter: start), last = grid.firstFrame(atOrAfter: end)
        // Every frame of the grid that starts in the span, at the very tick the program's chain gives it.
        XCTAssertEqual(pts, (first..<last).map { grid.pts($0) })
    }

    func testSpanThatIsNotAWholeNumberOfFramesRoundsToTheNearestFrame() throws {
        let filler = GapFiller(format: .mpegts, video: .init(settings: settings(globalHeader: false), frameTicks: frameTicks, extradata: []),
                               audio: nil, log: { XCTFail("unexpected: \($0)") })
        // 2.016 s: a span stitched over a 16 ms hole in the input.
        let facts = try SegmentFacts.read(write(try filler.segment(startPTS: 900_000, durationTicks: 181_441), "gap.ts"))
        XCTAssertEqual(facts.videoPackets, 60)
        XCTAssertEqual(facts.audioPackets, 0)
    }

    func testFragmentedMP4StandInDecodesWithTheRenditionsInitSegment() throws {
        let video = settings(globalHeader: true)
        let encoder = try Encoder(video: video)
        // The rendition's init segment, as its segmenter writes it.
        let muxer = try MemoryMuxer(format: .fragmentedMP4)
        try muxer.addStream(for: encoder)
        try muxer.writeHeader()
        let initPath = try write(muxer.takeBytes(), "init.mp4")
        let filler = GapFiller(format: .fragmentedMP4, video: .init(settings: video, frameTicks: frameTicks, extradata: encoder.extradata),
                               audio: nil, log: { XCTFail("unexpected: \($0)") })
        let segment = try write(try filler.segment(startPTS: 1_080_000, durationTicks: 90_000), "gap.m4s")
        let facts = try SegmentFacts.read(segment, initSegment: initPath)
        XCTAssertTrue(facts.firstVideoIsIDR)
        XCTAssertEqual(facts.videoPackets, 30)
        XCTAssertEqual(facts.firstVideoPTS, 1_080_000)
    }

    func testFragmentedMP4StandInIsRefusedWhenTheSPSWouldDiffer() throws {
        let other = try Encoder(video: settings(globalHeader: true, width: 320))
        let filler = GapFiller(format: .fragmentedMP4,
                               video: .init(settings: settings(globalHeader: true), frameTicks: frameTicks, extradata: other.extradata),
                               audio: nil, log: { _ in })
        XCTAssertThrowsError(try filler.segment(startPTS: 0, durationTicks: 90_000)) { error in
            XCTAssertTrue("\(error)".contains("SPS/PPS"), "\(error)")
        }
    }

    /// A stand-in that cannot be written is reported and skipped: the GAP entry is valid without it.
    func testUnwritableStandInIsLoggedNotThrown() throws {
        var messages: [String] = []
        let filler = GapFiller(format: .mpegts, video: nil, audio: audio, log: { messages.append($0) })
        let path = try temporaryFolder(self) + "/no/such/folder/segment-4.ts"
        filler.fill(number: 4, startPTS: 0, durationTicks: 90_000, path: path, write: { try AtomicFile.write($0, to: $1) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(messages[0].contains("GAP segment 4"), messages[0])
    }
}
