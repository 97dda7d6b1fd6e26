import Foundation
import XCTest
import HLSChecker

/// Every output a test makes must pass `liveladder check`'s rules, and FFmpeg's HLS demuxer must read its
/// master to the end with no warning at all: a continuity-counter break ("Packet corrupt"), a repeated
/// audio frame ("non monotonically increasing dts") or a bad timestamp is a defect even where no rule of
/// the checker names it yet.
func assertChecks(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let report = try HLSCheck.run(path: folder)
    XCTAssertTrue(report.passed, "check failed for \(folder):\n" + report.failures.map(\.description).joined(separator: "\n"),
                  file: file, line: line)
    try assertFFmpegReadsWithoutWarnings(folder + "/master.m3u8", file: file, line: line)
}

/// `ffmpeg -v warning -i <playlist> -f null -` prints nothing. A live playlist (no ENDLIST) is read from a
/// copy of the output whose media playlists end there: FFmpeg 5.1 would otherwise reload it for good, and
/// its `m3u8_hold_counters` option breaks loading the first segment.
func assertFFmpegReadsWithoutWarnings(_ playlist: String, file: StaticString = #filePath, line: UInt = #line) throws {
    guard FileManager.default.fileExists(atPath: playlist) else { return }
    var target = playlist
    if !isFinished(playlist) {
        let folder = (playlist as NSString).deletingLastPathComponent
        let copy = folder + "-ended-\(UUID().uuidString.prefix(6))"
        try FileManager.default.copyItem(atPath: folder, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let entries = FileManager.default.enumerator(atPath: copy)?.compactMap { $0 as? String } ?? []
        for entry in entries where entry.hasSuffix("index.m3u8") {
            let path = copy + "/" + entry
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "#EXT-X-ENDLIST\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        target = copy + "/" + (playlist as NSString).lastPathComponent
        return try readWithFFmpeg(target, file: file, line: line)
    }
    try readWithFFmpeg(target, file: file, line: line)
}

private func readWithFFmpeg(_ playlist: String, file: StaticString, line: UInt) throws {
    let arguments = ["-nostdin", "-hide_banner", "-v", "warning", "-live_start_index", "0",
                     "-i", playlist, "-map", "0", "-f", "null", "-"]
    let result = try runProcess("/usr/bin/ffmpeg", arguments)
    XCTAssertEqual(result.status, 0, "ffmpeg could not read \(playlist): \(result.stderr)", file: file, line: line)
    XCTAssertEqual(result.stderr, "", "ffmpeg warned reading \(playlist)", file: file, line: line)
}

/// Whether the first media playlist the master names has ENDLIST.
private func isFinished(_ master: String) -> Bool {
    guard let text = try? String(contentsOfFile: master, encoding: .utf8),
          let uri = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") && $0.hasSuffix(".m3u8") }),
          let media = try? String(contentsOfFile: (master as NSString).deletingLastPathComponent + "/" + uri, encoding: .utf8)
    else { return true }
    return media.contains("#EXT-X-ENDLIST")
}
