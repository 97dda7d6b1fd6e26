import Foundation
import XCTest

/// `--overwrite` removes what a previous LiveLadder run wrote, as its marker lists it, and nothing else.
final class OverwriteTests: XCTestCase {
    private let manager = FileManager.default

    private func write(_ text: String, _ path: String) throws {
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testOverwriteLeavesEverythingThePreviousRunDidNotWrite() throws {
        let out = try temporaryFolder(self)
        let first = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", out)
        XCTAssertEqual(first.status, 0, first.stderr)
        // Someone else's things beside and inside the run's folders.
        try write("#EXTM3U\n", out + "/other-stream/index.m3u8")
        try write("keep\n", out + "/other-stream/segment-0.ts")
        try write("my notes\n", out + "/notes.txt")
        try write("keep\n", out + "/360p/README.txt")
        try write("#EXTM3U\n", out + "/audio-archive/index.m3u8")

        let second = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", out, "--overwrite")
        XCTAssertEqual(second.status, 0, second.stderr)
        for kept in ["other-stream/index.m3u8", "other-stream/segment-0.ts", "notes.txt", "360p/README.txt", "audio-archive/index.m3u8"] {
            XCTAssertTrue(manager.fileExists(atPath: out + "/" + kept), "\(kept) was deleted")
        }
        try assertChecks(out)
    }

    func testFolderWithoutAMarkerLosesNothingAndCollisionsAreRefused() throws {
        let out = try temporaryFolder(self)
        // Another tool's output, named as this ladder's renditions would be: not LiveLadder's (no marker).
        try write("#EXTM3U\n#EXT-X-ENDLIST\n", out + "/360p/index.m3u8")
        try write("#EXTM3U\n", out + "/master.m3u8")
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", out, "--overwrite")
        XCTAssertEqual(result.status, 7, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("which no LiveLadder run there wrote"), result.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/360p/index.m3u8", encoding: .utf8), "#EXTM3U\n#EXT-X-ENDLIST\n")
        XCTAssertEqual(try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8), "#EXTM3U\n")
    }

    func testUnrelatedFilesWithoutAMarkerStayAndTheRunGoesAhead() throws {
        let out = try temporaryFolder(self)
        try write("my notes\n", out + "/notes.txt")
        try write("#EXTM3U\n", out + "/elsewhere/index.m3u8")
        let result = try liveladder("run", "-i", Repo.fixture("noaudio-480x270.mp4"), "-o", out, "--overwrite")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8), "my notes\n")
        XCTAssertEqual(try String(contentsOfFile: out + "/elsewhere/index.m3u8", encoding: .utf8), "#EXTM3U\n")
    }
}
