import Foundation
import HLSChecker
import HLSModel
import XCTest

/// LL1–LL8 on snapshots: the known-good fMP4 ladder's playlists rewritten as a Low-Latency HLS live edge
/// (0.5 s parts, server control, rendition reports), then broken one rule at a time.
final class LowLatencyRulesTests: XCTestCase {
    private let renditions = ["v0", "v1", "v2"]

    /// Rewrites every media playlist of a fresh copy with `edit`, after making it a good LL-HLS live edge.
    private func ladder(_ edit: (String, inout MediaPlaylist) -> Void = { _, _ in }) throws -> URL {
        let folder = try LadderFixture.copy(.fragmentedMP4)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        for name in renditions {
            let url = folder.appendingPathComponent("\(name)/index.m3u8")
            var playlist = try MediaPlaylist.parse(String(contentsOf: url, encoding: .utf8))
            playlist.endList = false
            playlist.playlistType = nil
            playlist.partTarget = 0.5
            playlist.serverControl = ServerControl(canBlockReload: true, partHoldBack: 1.5, canSkipUntil: 12)
            for index in playlist.segments.indices.suffix(2) {
                playlist.segments[index].parts = (0..<4).map {
                    MediaPart(uri: "part-\(index).\($0).m4s", duration: 0.5, independent: $0 == 0 && name != "v2" || name == "v2")
                }
            }
            playlist.preloadHint = PreloadHint(uri: "part-next.0.m4s")
            playlist.renditionReports = renditions.filter { $0 != name }.map {
                RenditionReport(uri: "../\($0)/index.m3u8", lastMediaSequence: playlist.mediaSequence + playlist.segments.count - 1, lastPart: 3)
            }
            edit(name, &playlist)
            try playlist.render().write(to: url, atomically: true, encoding: .utf8)
        }
        return folder
    }

    private func lowLatencyFailures(_ folder: URL) throws -> [RuleFailure] {
        try check(folder, live: true).failures.filter { $0.rule.hasPrefix("LL") }
    }

    private func assertOnly(_ rule: String, _ folder: URL, mentions text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let failures = try lowLatencyFailures(folder)
        XCTAssertFalse(failures.isEmpty, "expected \(rule)", file: file, line: line)
        XCTAssertEqual(Set(failures.map(\.rule)), [rule], failures.map(\.description).joined(separator: "\n"), file: file, line: line)
        XCTAssertTrue(failures.contains { $0.message.contains(text) }, failures.map(\.description).joined(separator: "\n"), file: file, line: line)
    }

    func testAGoodLiveEdgeHasNoLowLatencyFailures() throws {
        XCTAssertEqual(try lowLatencyFailures(try ladder()), [])
    }

    func testAPlaylistWithoutPartsIsNotHeldToTheRules() throws {
        XCTAssertEqual(try lowLatencyFailures(try LadderFixture.copy(.fragmentedMP4)), [])
    }

    func testLL1PartsWithoutPartTargetOrADifferentOne() throws {
        // 0.6 s also makes v1's 0.5 s parts short (LL2) and its PART-HOLD-BACK too small (LL5).
        let other = try lowLatencyFailures(try ladder { name, playlist in if name == "v1" { playlist.partTarget = 0.6 } })
        XCTAssertTrue(other.contains { $0.rule == "LL1" && $0.message.contains("PART-TARGET 0.6 differs from v0/index.m3u8's 0.5") }, "\(other)")
        let missing = try lowLatencyFailures(try ladder { name, playlist in if name == "v0" { playlist.partTarget = nil } })
        XCTAssertTrue(missing.contains { $0.rule == "LL1" && $0.message == "EXT-X-PART without EXT-X-PART-INF:PART-TARGET" }, "\(missing)")
    }

    func testLL2PartDurations() throws {
        // Indexed from the end: the audio rendition may have a segment more than the video ones.
        try assertOnly("LL2", try ladder { _, playlist in playlist.segments[playlist.segments.count - 1].parts[1].duration = 0.52 }, mentions: "above PART-TARGET 0.5")
        try assertOnly("LL2", try ladder { _, playlist in playlist.segments[playlist.segments.count - 1].parts[1].duration = 0.4 }, mentions: "under 85 % of PART-TARGET")
        // The last part of a segment and the part before a GAP part may be short.
        XCTAssertEqual(try lowLatencyFailures(try ladder { _, playlist in
            let last = playlist.segments.count - 1
            playlist.segments[last].parts[3].duration = 0.2
            playlist.segments[last - 1].parts[2].gap = true
            playlist.segments[last - 1].parts[1].duration = 0.1
        }), [])
    }

    func testLL3IndependentFirstPartsAndTagOrder() throws {
        try assertOnly("LL3", try ladder { name, playlist in if name == "v0" { playlist.segments[playlist.segments.count - 1].parts[0].independent = false } },
                       mentions: "starts a segment (an IDR) but is not INDEPENDENT=YES")
        let folder = try ladder()
        let url = folder.appendingPathComponent("v1/index.m3u8")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: "#EXT-X-PART:DURATION=0.50000,URI=\"part-2.1.m4s\"",
                                         with: "#EXT-X-PART:DURATION=0.50000,URI=\"part-2.1.m4s\"\n#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:04.500Z")
        try text.write(to: url, atomically: true, encoding: .utf8)
        try assertOnly("LL3", folder, mentions: "EXT-X-PROGRAM-DATE-TIME comes after the segment's first EXT-X-PART")
    }

    func testLL5ServerControl() throws {
        try assertOnly("LL5", try ladder { _, playlist in playlist.serverControl?.partHoldBack = 1.0 }, mentions: "PART-HOLD-BACK 1.0 is under 3 × PART-TARGET")
        try assertOnly("LL5", try ladder { _, playlist in playlist.serverControl?.canSkipUntil = 6 }, mentions: "CAN-SKIP-UNTIL 6.0 is under 6 × EXT-X-TARGETDURATION")
        try assertOnly("LL5", try ladder { _, playlist in playlist.serverControl?.canBlockReload = false }, mentions: "without CAN-BLOCK-RELOAD=YES")
        try assertOnly("LL5", try ladder { name, playlist in if name == "v2" { playlist.serverControl?.holdBack = 7 } },
                       mentions: "EXT-X-SERVER-CONTROL differs from v0/index.m3u8's")
    }

    func testLL6PreloadHint() throws {
        try assertOnly("LL6", try ladder { _, playlist in
            playlist.preloadHint = PreloadHint(uri: playlist.segments[playlist.segments.count - 1].parts[3].uri)
        }, mentions: "a part already listed")
    }

    func testLL7RenditionReports() throws {
        try assertOnly("LL7", try ladder { name, playlist in if name == "v0" { playlist.renditionReports.removeFirst() } },
                       mentions: "no EXT-X-RENDITION-REPORT for v1/index.m3u8")
        try assertOnly("LL7", try ladder { name, playlist in if name == "v1" { playlist.renditionReports[0].lastPart = nil } },
                       mentions: "has no LAST-PART")
    }

    /// Blocking reload of whole segments (`--serve` without parts) owes no rendition reports.
    func testLL7AsksNoReportsOfAStreamWithoutParts() throws {
        let folder = try ladder { _, playlist in
            for index in playlist.segments.indices { playlist.segments[index].parts = [] }
            playlist.partTarget = nil
            playlist.preloadHint = nil
            playlist.renditionReports = []
            playlist.serverControl = ServerControl(canBlockReload: true, holdBack: 3 * Double(playlist.targetDuration))
        }
        XCTAssertEqual(try lowLatencyFailures(folder), [])
    }

    func testLL8PartsLeaveTheWindow() throws {
        try assertOnly("LL8", try ladder { _, playlist in
            playlist.segments[0].parts = (0..<4).map { MediaPart(uri: "old.\($0).m4s", duration: 0.5, independent: true) }
            playlist.inProgress = SegmentInProgress(parts: (0..<5).map { MediaPart(uri: "now.\($0).m4s", duration: 0.5, independent: $0 == 0) })
        }, mentions: "still lists its parts")
    }
}
