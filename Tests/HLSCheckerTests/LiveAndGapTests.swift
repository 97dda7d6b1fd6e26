import Foundation
import HLSChecker
import HLSModel
import XCTest

/// Live snapshots (no ENDLIST, no PLAYLIST-TYPE) and GAP entries, made from the TS ladder.
final class LiveAndGapTests: XCTestCase {
    private static let start = Date(timeIntervalSince1970: 1_795_000_000.25)

    /// The TS ladder as a live window: DISCONTINUITY-SEQUENCE and a PROGRAM-DATE-TIME on every segment.
    private func liveLadder(dates: (Int) -> Date = { LiveAndGapTests.start.addingTimeInterval(2 * Double($0)) }) throws -> URL {
        let directory = try ladderCopy(.transportStream)
        for name in ["v0", "v1"] {
            try rewrite(directory, "\(name)/index.m3u8") { playlist in
                playlist.playlistType = nil
                playlist.endList = false
                playlist.discontinuitySequence = 0
                for index in playlist.segments.indices { playlist.segments[index].programDateTime = dates(index) }
            }
        }
        return directory
    }

    private func rewrite(_ directory: URL, _ path: String, _ change: (inout MediaPlaylist) -> Void) throws {
        let url = directory.appendingPathComponent(path)
        var playlist = try MediaPlaylist.parse(String(contentsOf: url, encoding: .utf8))
        change(&playlist)
        try playlist.render().write(to: url, atomically: true, encoding: .utf8)
    }

    func testFirstWindowStillFillingIsNotShort() throws {
        let directory = try liveLadder()
        for name in ["v0", "v1"] {
            // MEDIA-SEQUENCE 0: nothing has been removed yet, so a short window is a stream just starting.
            try rewrite(directory, "\(name)/index.m3u8") { $0.segments.removeLast() }
        }
        assertPasses(try check(directory, live: true))
    }

    func testLiveWindowPasses() throws {
        let directory = try liveLadder()
        assertPasses(try check(directory))
        assertPasses(try check(directory, live: true))
    }

    func testLiveSegmentWithoutProgramDateTimeFailsMP9() throws {
        let directory = try liveLadder()
        try rewrite(directory, "v1/index.m3u8") { $0.segments[2].programDateTime = nil }
        let report = try check(directory)
        assertFailsOnly(report, ["MP9"])
        assertFails(report, "MP9", at: "v1/index.m3u8 #2")
    }

    func testProgramDateTimeInconsistentWithEXTINFFailsMP9() throws {
        let directory = try liveLadder { LiveAndGapTests.start.addingTimeInterval(2.1 * Double($0)) }
        assertFailsOnly(try check(directory), ["MP9"])
    }

    func testProgramDateTimeWithoutZoneFailsMP9() throws {
        let directory = try liveLadder()
        // HLSModel refuses a date without a zone, so the playlist cannot even be read.
        try directory.editText("v0/index.m3u8") { $0.replacingOccurrences(of: ".250Z", with: ".250") }
        assertFails(try check(directory), "MP9", at: "v0/index.m3u8")
    }

    func testShortLiveWindowFailsMP9() throws {
        let directory = try liveLadder()
        for name in ["v0", "v1"] {
            // A window that has slid (MEDIA-SEQUENCE > 0) and lost a segment too many.
            try rewrite(directory, "\(name)/index.m3u8") { $0.segments.removeLast(); $0.mediaSequence = 7 }
        }
        assertFails(try check(directory), "MP9", at: "v0/index.m3u8")
    }

    func testLivePlaylistWithoutDiscontinuitySequenceFailsMP6() throws {
        let directory = try liveLadder()
        try rewrite(directory, "v0/index.m3u8") { $0.discontinuitySequence = nil }
        assertFailsOnly(try check(directory), ["MP6"])
    }

    func testLivePeakMayExceedBandwidthByUpTo25Percent() throws {
        let directory = try liveLadder()
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[0].bandwidth = master.variants[0].bandwidth * 85 / 100
        }
        assertPasses(try check(directory))
        try LadderFixture.writeMaster(.transportStream, in: directory) { master in
            master.variants[0].bandwidth = master.variants[0].bandwidth * 75 / 100
        }
        assertFailsOnly(try check(directory), ["MV3"])
    }

    // MARK: GAP

    /// Rendition v1 could not produce segment 1: a GAP entry stands in for it, and its file is gone. Its
    /// muxer never wrote segment 1's packets, so segment 2's continuity counters go on from segment 0's.
    private func ladderWithGap(duration: Double = 2, keepFile: Bool = false) throws -> URL {
        let directory = try ladderCopy(.transportStream)
        if !keepFile {
            try FileManager.default.removeItem(at: directory.appendingPathComponent("v1/seg1.ts"))
            try TransportStreamEditor.renumber(
                [directory.appendingPathComponent("v1/seg2.ts")],
                continuingFrom: try TransportStreamEditor.lastCounters(directory.appendingPathComponent("v1/seg0.ts")))
        }
        try rewrite(directory, "v1/index.m3u8") { playlist in
            playlist.segments[1].gap = true
            playlist.segments[1].duration = duration
        }
        return directory
    }

    func testGapEntryIsNotFetchedAndPasses() throws {
        let report = try check(ladderWithGap())
        assertPasses(report)
        XCTAssertEqual(report.checkedSegments, 5)
    }

    func testGapEntryWithAnotherDurationThanItsSiblingFailsMP8() throws {
        let directory = try ladderWithGap(duration: 1.5)
        let report = try check(directory)
        assertFails(report, "MP8", at: "v1/index.m3u8 #1")
    }

    func testGapWithoutVersion8FailsMP1() throws {
        let directory = try ladderWithGap()
        try directory.replaceFirst("v1/index.m3u8", "#EXT-X-VERSION:8", with: "#EXT-X-VERSION:3")
        assertFailsOnly(try check(directory), ["MP1"])
    }

    // MARK: GAP and S6/S7

    func testSegmentAfterAMissingGapMustContinueTheCountersOfTheOneBefore() throws {
        // Players skip the GAP, so their demuxer goes from seg0 straight into seg2: its counters restarting
        // at 0 is a break there.
        let directory = try ladderWithGap()
        try TransportStreamEditor.renumber([directory.appendingPathComponent("v1/seg2.ts")], continuingFrom: [:])
        let report = try check(directory)
        assertFailsOnly(report, ["S6"])
        assertFails(report, "S6", at: "v1/index.m3u8 #2 (seg2.ts)")
        // (PAT, PMT and SDT restart on the counter seg0 ended on, with the same bytes: duplicates, allowed.)
        XCTAssertTrue(report.failures.contains { $0.message.hasPrefix("PID 256 continuity counter 0 after 3 in seg0.ts") },
                      "\(report.failures)")
    }

    func testAudioIsNotFollowedAcrossAMissingGap() throws {
        // The gap's two seconds of audio are not there, and need not be: no S7.
        let report = try check(ladderWithGap())
        XCTAssertFalse(report.failedRules.contains("S7"), "\(report.failures)")
    }

    func testAStandInThatContinuesTheStreamPasses() throws {
        // The GAP URI holds a file with the real counters and audio: part of the chain, still not "fetched".
        let report = try check(ladderWithGap(keepFile: true))
        assertPasses(report)
        XCTAssertEqual(report.checkedSegments, 5)
    }

    func testAStandInWhoseCountersRestartFailsS6() throws {
        // LiveLadder's stand-ins today: a fresh muxer per stand-in, every counter from 0.
        let directory = try ladderWithGap(keepFile: true)
        try TransportStreamEditor.renumber([directory.appendingPathComponent("v1/seg1.ts")], continuingFrom: [:])
        let report = try check(directory)
        assertFailsOnly(report, ["S6"])
        let lines = report.failures.map(\.description)
        XCTAssertTrue(lines.contains {
            $0.hasPrefix("S6 v1/index.m3u8 #1 (seg1.ts): PID 256 continuity counter 0 after 3 in seg0.ts")
                && $0.contains("(this GAP entry's stand-in)")
        }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("S6 v1/index.m3u8 #2 (seg2.ts):") && $0.contains("in seg1.ts (stand-in)") },
                      lines.joined(separator: "\n"))
    }

    func testAStandInRepeatingTheLastAACFrameFailsS7() throws {
        let directory = try ladderWithGap(keepFile: true)
        let before = try TransportStreamEditor.read(directory.appendingPathComponent("v1/seg0.ts"))
        let url = directory.appendingPathComponent("v1/seg1.ts")
        let audio = try XCTUnwrap(TransportStreamEditor.audioPID(before))
        let (pts, frame) = try XCTUnwrap(TransportStreamEditor.lastAudioFrame(before, pid: audio))
        try TransportStreamEditor.write(TransportStreamEditor.insertBeforeMedia(
            TransportStreamEditor.audioPES(pid: audio, pts: pts, payload: frame), into: try TransportStreamEditor.read(url)), to: url)
        try TransportStreamEditor.renumber([url, directory.appendingPathComponent("v1/seg2.ts")],
                                           continuingFrom: try TransportStreamEditor.lastCounters(directory.appendingPathComponent("v1/seg0.ts")))
        let report = try check(directory)
        XCTAssertFalse(report.failedRules.contains("S6"), "\(report.failures)")
        let lines = report.failures.map(\.description)
        XCTAssertTrue(lines.contains { $0.hasPrefix("S7 v1/index.m3u8 #1 (seg1.ts): first audio frame") && $0.contains("1 frame(s) repeated (this GAP entry's stand-in)") },
                      lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("S7 v1/index.m3u8 #1 (seg1.ts): carries 95 audio frames") }, lines.joined(separator: "\n"))
    }

    func testAGapWhoseURIIsRefusedIsURI1AndBreaksTheChain() throws {
        // Nothing is known of what players got there (check did not open it), so S6 does not guess that
        // seg0 runs straight into seg2.
        let directory = try ladderCopy(.transportStream)
        try rewrite(directory, "v1/index.m3u8") { playlist in
            playlist.segments[1].gap = true
            playlist.segments[1].uri = "../../elsewhere/seg1.ts"
        }
        let report = try check(directory)
        assertFailsOnly(report, ["URI1"])
        assertFails(report, "URI1", at: "v1/index.m3u8 #1 (../../elsewhere/seg1.ts)")
    }
}
