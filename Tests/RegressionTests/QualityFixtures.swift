import FFmpegKit
import Foundation
import XCTest

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Renditions of `fixtures/cfr30-640x360.mp4` (6 s, 30 fps, 180 pictures) made with the ffmpeg CLI, once
/// per test run, in one temporary folder.
enum QualityFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let source = repositoryRoot.appendingPathComponent("fixtures/cfr30-640x360.mp4")
    static let sourceFrames = 180

    static let directory = Result { () throws -> URL in
        FFmpegLog.configure(echo: nil)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("liveladder-quality-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = ["-i", source.path, "-map", "0:v", "-an"]
        let x264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
        try ffmpeg(input + ["-c", "copy", "-f", "mpegts", "identical.ts"], in: directory)
        try ffmpeg(input + x264 + ["-crf", "18", "-f", "mpegts", "crf18.ts"], in: directory)
        try ffmpeg(input + x264 + ["-crf", "40", "-f", "mpegts", "crf40.ts"], in: directory)
        try ffmpeg(input + x264 + ["-vf", "scale=320:180", "-crf", "23", "-f", "mpegts", "small.ts"], in: directory)
        // The same bitstream as crf40.ts, 10 s later (as LiveLadder's timeline starts).
        try ffmpeg(["-i", "crf40.ts", "-c", "copy", "-output_ts_offset", "10", "-f", "mpegts", "shifted.ts"], in: directory)
        // The same bitstream again, as one fragmented MP4 buffer: an init segment (moov) then fragments.
        try ffmpeg(["-i", "crf40.ts", "-c", "copy", "-f", "mp4",
                    "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "crf40.mp4"], in: directory)
        return directory
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.get().appendingPathComponent(name)))
    }

    static func path(_ name: String) throws -> String { try directory.get().appendingPathComponent(name).path }

    /// Runs the ffmpeg CLI in `directory`; returns its standard error (where filters print their summaries).
    @discardableResult
    static func ffmpeg(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-nostdin", "-y"] + arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("ffmpeg \(arguments) failed: \(message)") }
        return message
    }
}
