import FFmpegKit
import Foundation
import LadderConfig
import LiveLadderCore
import Logging
import Regression
import XCTest

/// `Summarizer` on real outputs: LiveLadder's own, and the ffmpeg CLI's `hls` muxer ladder of the same
/// fixture. The facts are checked against what the ladder must be (2 s segments of 60 frames at 30 fps,
/// IDR first) and against ffprobe's independent count of packets.
final class SummarizerTests: XCTestCase {
    private func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("liveladder-summary-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// LiveLadder's deterministic run of two rungs into `output`.
    private func liveLadderOutput(_ output: URL, format: SegmentFormat = .ts) throws {
        var config = try LadderConfig.parse(yaml: """
            renditions:
              - { name: 360p, width: 640, height: 360, videoBitrate: 800k }
              - { name: 240p, width: 426, height: 240, videoBitrate: 400k }
            """)
        config = try config.with(segmentDuration: 2, segmentFormat: format)
        var options = RunOptions(input: QualityFixtures.source.path, output: output.path, config: config, playlistKind: .vod)
        try options.makeDeterministic()
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let run = LadderRun(options: options, logger: logger)
        _ = try run.run()
        run.events.finish()
    }

    func testLiveLadderTransportStreamOutput() throws {
        let output = try folder().appendingPathComponent("out")
        try liveLadderOutput(output)
        let summary = try Summarizer.summarize(path: output.path, source: QualityFixtures.source.path)
        XCTAssertEqual(summary.master.variants.map(\.uri), ["360p/index.m3u8", "240p/index.m3u8"])
        XCTAssertEqual(summary.master.variants.map(\.resolution), ["640x360", "426x240"])
        XCTAssertEqual(summary.renditions.map(\.uri), ["360p/index.m3u8", "240p/index.m3u8"])
        for rendition in summary.renditions {
            XCTAssertEqual(rendition.playlistType, "VOD")
            XCTAssertEqual(rendition.segmentCount, 3)
            XCTAssertTrue(rendition.endList)
            XCTAssertEqual(rendition.video?.timescale, 90_000)
            XCTAssertEqual(rendition.video?.frames, 180)
            XCTAssertEqual(rendition.audio?.sampleRate, 48_000)
            // The boundaries on the source timeline: LiveLadder's origin is 10 s, segments are 2 s.
            XCTAssertEqual(rendition.segments.map { $0.video?.start }, [900_000, 1_080_000, 1_260_000])
            XCTAssertEqual(rendition.segments.map { $0.video?.duration }, [180_000, 180_000, 180_000])
            XCTAssertEqual(rendition.segments.map { $0.video?.frames }, [60, 60, 60])
            XCTAssertEqual(rendition.segments.map { $0.video?.idrFirst }, [true, true, true])
            XCTAssertEqual(rendition.segments.map { $0.video?.keyframes }, [[0], [0], [0]])
            XCTAssertEqual(rendition.averageBitrate, rendition.segments.reduce(0) { $0 + ($1.bytes ?? 0) } * 8 / 6 + 1, accuracy: 1)
            // ffprobe's own count of AAC frames in each segment, 1024 samples each.
            let directory = output.appendingPathComponent(rendition.uri).deletingLastPathComponent()
            for segment in rendition.segments {
                let frames = try ffprobePacketCount(directory.appendingPathComponent(segment.uri).path, stream: "a")
                XCTAssertEqual(segment.audio?.samples, frames * 1024, segment.uri)
                XCTAssertEqual(segment.bytes, try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(segment.uri).path)[.size] as? Int)
            }
            let quality = try XCTUnwrap(rendition.quality)
            XCTAssertEqual(quality.psnr.frames, 180)
            XCTAssertEqual(quality.unmatchedFrames, 0)
            XCTAssertGreaterThan(quality.psnr.mean, 30)
            XCTAssertGreaterThanOrEqual(quality.psnr.mean, quality.psnr.harmonicMean)
            XCTAssertGreaterThanOrEqual(quality.psnr.harmonicMean, quality.psnr.p5)
        }
        XCTAssertGreaterThan(summary.renditions[0].quality!.psnr.mean, summary.renditions[1].quality!.psnr.mean,
                             "the smaller rung, scaled back up, scores lower")
        // The JSON is stable and round-trips.
        let text = try SummaryJSON.encode(summary)
        XCTAssertEqual(text, try SummaryJSON.encode(try Summarizer.summarize(path: output.path, source: QualityFixtures.source.path)))
        XCTAssertEqual(try SummaryJSON.decode(Data(text.utf8)), summary)
    }

    func testFragmentedMP4OutputHasAnAudioRendition() throws {
        let output = try folder().appendingPathComponent("out")
        try liveLadderOutput(output, format: .fmp4)
        let summary = try Summarizer.summarize(path: output.path)
        XCTAssertEqual(summary.renditions.map(\.role), ["video", "video", "audio"])
        let audio = summary.renditions[2]
        XCTAssertNil(audio.video)
        XCTAssertEqual(audio.audio?.timescale, 48_000)
        XCTAssertEqual(audio.initSegment, "init.mp4")
        XCTAssertNil(summary.renditions[0].audio)
        XCTAssertEqual(summary.renditions[0].segments.map { $0.video?.frames }, [60, 60, 60])
        XCTAssertEqual(summary.renditions[0].video?.timescale, 15_360)
        XCTAssertEqual(summary.renditions[0].segments.map { $0.video?.duration }, [30_720, 30_720, 30_720])
        XCTAssertNil(summary.renditions[0].quality, "no --source, no quality")
    }

    /// The ffmpeg CLI's own ladder (its `hls` muxer, `var_stream_map`) of the same fixture: summarize
    /// reads it, with the same fields and the same structure where the ladders agree.
    func testFFmpegCLILadderHasTheSameStructureFields() throws {
        let root = try folder()
        let output = root.appendingPathComponent("ffmpeg")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try QualityFixtures.ffmpeg([
            "-i", QualityFixtures.source.path,
            "-filter_complex", "[0:v]split=2[a][b];[b]scale=426:240[small]",
            "-map", "[a]", "-map", "[small]", "-map", "0:a", "-map", "0:a",
            "-c:v", "libx264", "-preset", "veryfast", "-b:v:0", "800k", "-b:v:1", "400k",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "96k",
            "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-master_pl_name", "master.m3u8",
            "-var_stream_map", "v:0,a:0 v:1,a:1", "-hls_segment_filename", "stream_%v/segment%d.ts", "stream_%v/index.m3u8",
        ], in: output)
        let theirs = try Summarizer.summarize(path: output.path, source: QualityFixtures.source.path)
        let ours = try { () throws -> OutputSummary in
            let mine = root.appendingPathComponent("liveladder")
            try liveLadderOutput(mine)
            return try Summarizer.summarize(path: mine.path, source: QualityFixtures.source.path)
        }()
        XCTAssertEqual(theirs.renditions.map(\.uri), ["stream_0/index.m3u8", "stream_1/index.m3u8"])
        for (their, our) in zip(theirs.renditions, ours.renditions) {
            XCTAssertEqual(their.segmentCount, our.segmentCount)
            XCTAssertEqual(their.segments.map { $0.video?.frames }, our.segments.map { $0.video?.frames })
            XCTAssertEqual(their.segments.map { $0.video?.duration }, our.segments.map { $0.video?.duration })
            XCTAssertEqual(their.segments.map { $0.video?.idrFirst }, [true, true, true])
            XCTAssertEqual(their.segments.map { $0.video?.keyframes }, our.segments.map { $0.video?.keyframes })
            XCTAssertEqual(their.video?.width, our.video?.width)
            XCTAssertEqual(their.video?.frames, 180)
            XCTAssertNotNil(their.quality)
            XCTAssertEqual(their.quality?.psnr.frames, 180)
        }
        // ffmpeg's timeline starts at 1.4 s, LiveLadder's at 10 s: both are reported as they are.
        // ffmpeg's first PTS is 1.4 s plus its B-frame delay.
        let theirStarts = theirs.renditions[0].segments.compactMap { $0.video?.start }
        XCTAssertTrue((126_000...140_000).contains(theirStarts[0]), "\(theirStarts)")
        XCTAssertEqual(zip(theirStarts, theirStarts.dropFirst()).map { $1 - $0 }, [180_000, 180_000])
        XCTAssertEqual(keyPaths(theirs.renditions[0]), keyPaths(ours.renditions[0]))
        XCTAssertEqual(keyPaths(theirs.renditions[0].segments[0]), keyPaths(ours.renditions[0].segments[0]))
        XCTAssertEqual(keyPaths(theirs.master.variants[0]).subtracting(["averageBandwidth", "frameRate"]),
                       keyPaths(ours.master.variants[0]).subtracting(["averageBandwidth", "frameRate"]),
                       "ffmpeg 5.1 writes no AVERAGE-BANDWIDTH or FRAME-RATE; every other field is there")
    }

    private func keyPaths<T: Encodable>(_ value: T) -> Set<String> {
        guard let data = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return Set(object.keys)
    }

    private func ffprobePacketCount(_ path: String, stream: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffprobe", "-v", "error", "-select_streams", stream, "-count_packets",
                             "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // One line per stream section (ffprobe 5.1 prints the stream twice, with a blank line): the first.
        return text.split(separator: "\n").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? -1
    }

    // MARK: Untrusted outputs

    private func write(_ text: String, _ path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: path, atomically: true, encoding: .utf8)
    }

    private func assertRefused(_ folder: URL, mentions expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Summarizer.summarize(path: folder.path), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), "one line: \(error)", file: file, line: line)
        }
    }

    func testNothingOutsideTheFolderIsRead() throws {
        let root = try folder()
        let output = root.appendingPathComponent("out")
        try write("secret", root.appendingPathComponent("secret.ts"))
        try write("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n../secret.m3u8\n", output.appendingPathComponent("master.m3u8"))
        assertRefused(output, mentions: "outside the output folder")
        try write("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na/index.m3u8\n", output.appendingPathComponent("master.m3u8"))
        try write("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n../../secret.ts\n#EXT-X-ENDLIST\n", output.appendingPathComponent("a/index.m3u8"))
        assertRefused(output, mentions: "../../secret.ts climbs out of the output folder")
        try write("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n/etc/passwd\n#EXT-X-ENDLIST\n", output.appendingPathComponent("a/index.m3u8"))
        assertRefused(output, mentions: "/etc/passwd")
        try FileManager.default.createSymbolicLink(at: output.appendingPathComponent("a/link.ts"), withDestinationURL: root.appendingPathComponent("secret.ts"))
        try write("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nlink.ts\n#EXT-X-ENDLIST\n", output.appendingPathComponent("a/index.m3u8"))
        assertRefused(output, mentions: "symbolic link")
    }

    func testBrokenOutputsAreOneLineErrors() throws {
        let output = try folder().appendingPathComponent("out")
        assertRefused(output, mentions: "no such file or folder")
        try write("#EXTM3U\n#EXTINF:2,\nx.ts\n", output.appendingPathComponent("master.m3u8"))
        assertRefused(output, mentions: "is not a multivariant playlist")
        try write("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na/index.m3u8\n", output.appendingPathComponent("master.m3u8"))
        assertRefused(output, mentions: "a/index.m3u8 is missing")
        try write("#EXTM3U\n#EXT-X-TARGETDURATION:99999999999\n", output.appendingPathComponent("a/index.m3u8"))
        assertRefused(output, mentions: "a/index.m3u8 does not parse")
        try write("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nx.ts\n#EXT-X-ENDLIST\n", output.appendingPathComponent("a/index.m3u8"))
        assertRefused(output, mentions: "x.ts is missing")
        try write("not media at all, just text", output.appendingPathComponent("a/x.ts"))
        assertRefused(output, mentions: "x.ts does not open as media")
    }
}
