import FFmpegKit
import Foundation
import HLSModel
import XCTest

/// Known-good HLS ladders made with the ffmpeg CLI from lavfi sources, fixed up where FFmpeg's hls muxer
/// does not meet HLS-RULES (its media playlists declare a higher EXT-X-VERSION than needed and its master
/// lacks AVERAGE-BANDWIDTH, FRAME-RATE and a big enough BANDWIDTH).
///
/// Each ladder is made once per test run; every test works on its own copy.
enum LadderFixture {
    enum Kind {
        /// Two renditions, audio muxed into each, no B-frames (FFmpeg's hls muxer cuts audio by DTS, so with
        /// B-frames each segment's audio would start two frames before its video and fail S3).
        case transportStream
        /// Two video renditions (High profile, with B-frames) and one alternate audio rendition.
        case fragmentedMP4
    }

    static let transportStream = Result { try make(.transportStream) }
    static let fragmentedMP4 = Result { try make(.fragmentedMP4) }

    /// A fresh copy of a known-good ladder, for a test to mutate.
    static func copy(_ kind: Kind) throws -> URL {
        let source = try (kind == .transportStream ? transportStream : fragmentedMP4).get()
        let target = temporaryDirectory("copy")
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    static func temporaryDirectory(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hlschecker-\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Encodes a ladder of `seconds` of test pattern and tone into a new folder. `extraArguments` go
    /// to ffmpeg's output options (e.g. `-output_ts_offset`).
    static func make(_ kind: Kind, seconds: Int = 6, extraArguments: [String] = []) throws -> URL {
        // Damaged segments are the point of many tests; libav's complaints about them are noise here.
        FFmpegLog.configure(echo: nil)
        let directory = temporaryDirectory(kind == .transportStream ? "ts" : "fmp4")
        var arguments = [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", String(seconds),
        ] + extraArguments
        switch kind {
        case .transportStream:
            arguments += ["-map", "0:v", "-map", "1:a", "-map", "0:v", "-map", "1:a",
                          "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0"]
        case .fragmentedMP4:
            arguments += ["-map", "0:v", "-map", "0:v", "-map", "1:a",
                          "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high"]
        }
        arguments += [
            "-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0",
            "-filter:v:0", "scale=320:180", "-b:v:0", "300k", "-filter:v:1", "scale=160:90", "-b:v:1", "150k",
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_flags", "independent_segments",
            "-master_pl_name", "ffmpeg-master.m3u8",
        ]
        switch kind {
        case .transportStream:
            arguments += ["-hls_segment_filename", "v%v/seg%d.ts", "-var_stream_map", "v:0,a:0 v:1,a:1"]
        case .fragmentedMP4:
            // With a var_stream_map FFmpeg names each init segment init_<n>.mp4.
            arguments += ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
                          "-hls_segment_filename", "v%v/seg%d.m4s",
                          "-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes"]
        }
        arguments.append("v%v/index.m3u8")
        try run("ffmpeg", arguments, in: directory)

        // FFmpeg declares version 6 (TS) or 7 (fMP4); the tags used need 3 and 6.
        let neededVersion = kind == .transportStream ? 3 : 6
        for name in (kind == .transportStream ? ["v0", "v1"] : ["v0", "v1", "v2"]) {
            let url = directory.appendingPathComponent("\(name)/index.m3u8")
            let text = try String(contentsOf: url, encoding: .utf8)
                .replacingOccurrences(of: #"#EXT-X-VERSION:\d+"#, with: "#EXT-X-VERSION:\(neededVersion)",
                                      options: .regularExpression)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try writeMaster(kind, in: directory)
        return directory
    }

    /// A master with the values HLS-RULES asks for, measured with HLSModel's helpers (not the checker's,
    /// so the two implementations check each other).
    static func writeMaster(_ kind: Kind, in directory: URL, adjust: (inout MultivariantPlaylist) -> Void = { _ in }) throws {
        let audio = kind == .fragmentedMP4
            ? AudioRendition(groupID: "aud", name: "English", language: "en", channels: "2", uri: "v2/index.m3u8")
            : nil
        let audioRates = try audio.map { try rates(of: $0.uri, in: directory) } ?? (peak: 0, average: 0)
        var variants: [VariantStream] = []
        for (name, width, height) in [("v0", 320, 180), ("v1", 160, 90)] {
            let uri = "\(name)/index.m3u8"
            let (peak, average) = try rates(of: uri, in: directory)
            variants.append(VariantStream(
                uri: uri, bandwidth: peak + audioRates.peak, averageBandwidth: average + audioRates.average,
                codecs: [try avcCodec(kind, rendition: name, in: directory), "mp4a.40.2"],
                width: width, height: height, frameRate: 30, audioGroup: audio?.groupID))
        }
        var master = MultivariantPlaylist(independentSegments: true, audioRenditions: audio.map { [$0] } ?? [],
                                          variants: variants)
        adjust(&master)
        try master.render().write(to: directory.appendingPathComponent("master.m3u8"), atomically: true, encoding: .utf8)
    }

    private static func rates(of uri: String, in directory: URL) throws -> (peak: Int, average: Int) {
        let url = directory.appendingPathComponent(uri)
        let playlist = try MediaPlaylist.parse(String(contentsOf: url, encoding: .utf8))
        let samples = try playlist.segments.map { segment in
            let file = url.deletingLastPathComponent().appendingPathComponent(segment.uri)
            let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as! Int
            return SegmentSample(bytes: size, duration: segment.duration)
        }
        return (Bandwidth.peak(samples, targetDuration: Double(playlist.targetDuration)), Bandwidth.average(samples))
    }

    /// `avc1.PPCCLL` from the bytes on disk: the first in-band SPS of a TS segment, or the init's avcC.
    private static func avcCodec(_ kind: Kind, rendition: String, in directory: URL) throws -> String {
        switch kind {
        case .transportStream:
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("\(rendition)/seg0.ts")))
            // The SPS is a few dozen bytes right after the first start code, so it never straddles TS packets.
            guard let start = (0..<bytes.count - 4).first(where: {
                bytes[$0] == 0 && bytes[$0 + 1] == 0 && bytes[$0 + 2] == 1 && bytes[$0 + 3] & 0x1F == 7
            }) else { throw FixtureError("no SPS in \(rendition)/seg0.ts") }
            return try unwrap(H264.codecString(sps: Array(bytes[start + 3..<start + 8])), "SPS")
        case .fragmentedMP4:
            let playlistURL = directory.appendingPathComponent("\(rendition)/index.m3u8")
            let playlist = try MediaPlaylist.parse(String(contentsOf: playlistURL, encoding: .utf8))
            let map = try unwrap(playlist.map, "EXT-X-MAP")
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("\(rendition)/\(map)")))
            guard let box = (0..<bytes.count - 4).first(where: { Array(bytes[$0..<$0 + 4]) == Array("avcC".utf8) })
            else { throw FixtureError("no avcC in \(rendition)/\(map)") }
            let sps = try unwrap(H264.spsFromAVCDecoderConfiguration(Array(bytes[(box + 4)...])), "avcC SPS")
            return try unwrap(H264.codecString(sps: sps), "SPS")
        }
    }

    static func run(_ tool: String, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(tool) failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    private static func unwrap<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw FixtureError("could not read the \(what)") }
        return value
    }
}

extension XCTestCase {
    /// A folder for this test only, removed when the test ends.
    func scratchDirectory(_ label: String) -> URL {
        let url = LadderFixture.temporaryDirectory(label)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A copy of a known-good ladder for this test to mutate, removed when the test ends.
    func ladderCopy(_ kind: LadderFixture.Kind) throws -> URL {
        let url = try LadderFixture.copy(kind)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Small edits the mutation tests make.
extension URL {
    func editText(_ relativePath: String, _ edit: (String) -> String) throws {
        let url = appendingPathComponent(relativePath)
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = edit(text)
        XCTAssertNotEqual(edited, text, "the edit of \(relativePath) changed nothing")
        try edited.write(to: url, atomically: true, encoding: .utf8)
    }

    func replaceFirst(_ relativePath: String, _ target: String, with replacement: String) throws {
        try editText(relativePath) { text in
            guard let range = text.range(of: target) else { return text }
            return text.replacingCharacters(in: range, with: replacement)
        }
    }
}
