@testable import HLSRemoteCheck
import HLSModel
import XCTest

/// The rules across reloads, one reload at a time, on playlists written by hand.
final class PlaylistHistoryTests: XCTestCase {
    private func playlist(sequence: Int, uris: [String], discontinuitySequence: Int = 0, target: Int = 2) -> MediaPlaylist {
        MediaPlaylist(targetDuration: target, mediaSequence: sequence, discontinuitySequence: discontinuitySequence,
                      segments: uris.map { MediaSegment(uri: $0, duration: 2) })
    }

    func testASteadySlidingWindowHasNoFindings() {
        var history = PlaylistHistory()
        XCTAssertEqual(history.observe(playlist(sequence: 0, uris: ["s0.ts", "s1.ts", "s2.ts"])), [])
        XCTAssertEqual(history.observe(playlist(sequence: 1, uris: ["s1.ts", "s2.ts", "s3.ts"])), [])
        XCTAssertEqual(history.observe(playlist(sequence: 1, uris: ["s1.ts", "s2.ts", "s3.ts"])), [], "unchanged is not a finding here")
    }

    func testMediaSequenceGoingBackIsMP5() {
        var history = PlaylistHistory()
        _ = history.observe(playlist(sequence: 5, uris: ["s5.ts", "s6.ts"]))
        let findings = history.observe(playlist(sequence: 4, uris: ["s4.ts", "s5.ts"]))
        XCTAssertEqual(findings.map(\.rule), ["MP5"])
        XCTAssertEqual(findings.first?.message, "EXT-X-MEDIA-SEQUENCE went back from 5 to 4")
    }

    func testAStaleCopyIsMP5() {
        var history = PlaylistHistory()
        _ = history.observe(playlist(sequence: 5, uris: ["s5.ts", "s6.ts", "s7.ts"]))
        let findings = history.observe(playlist(sequence: 5, uris: ["s5.ts", "s6.ts"]))
        XCTAssertEqual(findings.map(\.rule), ["MP5"])
        XCTAssertTrue(findings[0].message.hasPrefix("the playlist went back"), findings[0].message)
    }

    func testDiscontinuitySequenceGoingBackIsMP6() {
        var history = PlaylistHistory()
        _ = history.observe(playlist(sequence: 5, uris: ["s5.ts"], discontinuitySequence: 2))
        XCTAssertEqual(history.observe(playlist(sequence: 6, uris: ["s6.ts"], discontinuitySequence: 1)).map(\.rule), ["MP6"])
    }

    func testASegmentNumberKeepsItsURIAndDuration() {
        var history = PlaylistHistory()
        _ = history.observe(playlist(sequence: 0, uris: ["s0.ts", "s1.ts"]))
        var changed = playlist(sequence: 0, uris: ["s0.ts", "other.ts"])
        let findings = history.observe(changed)
        XCTAssertEqual(findings.map(\.rule), ["MP5"])
        XCTAssertEqual(findings.first?.segment?.number, 1)
        changed.segments[1] = MediaSegment(uri: "other.ts", duration: 1.5)
        XCTAssertEqual(history.observe(changed).map(\.rule), ["MP5"], "same URI, other EXTINF")
        // One URI, two numbers.
        XCTAssertEqual(history.observe(playlist(sequence: 1, uris: ["s0.ts", "other.ts"])).map(\.rule).first, "MP5")
    }

    func testTargetDurationAndPartTargetNeverChange() {
        var history = PlaylistHistory()
        var first = playlist(sequence: 0, uris: ["s0.ts"])
        first.partTarget = 0.5
        _ = history.observe(first)
        var next = playlist(sequence: 0, uris: ["s0.ts"], target: 3)
        next.partTarget = 0.6
        XCTAssertEqual(Set(history.observe(next).map(\.rule)), ["MP2", "LL1"])
    }

    func testAFinishedPlaylistNeverChanges() {
        var history = PlaylistHistory()
        var finished = playlist(sequence: 0, uris: ["s0.ts", "s1.ts"])
        finished.endList = true
        _ = history.observe(finished)
        var copy = history
        XCTAssertEqual(copy.observe(finished), [])
        var grown = playlist(sequence: 0, uris: ["s0.ts", "s1.ts", "s2.ts"])
        grown.endList = true
        XCTAssertEqual(history.observe(grown).map(\.rule), ["MP11"])
    }

    func testThePreloadHintBecomesTheNextPart() {
        var history = PlaylistHistory()
        var first = playlist(sequence: 0, uris: ["s0.m4s"])
        first.partTarget = 0.5
        first.inProgress = SegmentInProgress(parts: [MediaPart(uri: "s1.0.m4s", duration: 0.5, independent: true)])
        first.preloadHint = PreloadHint(uri: "s1.1.m4s")
        _ = history.observe(first)
        var good = first
        good.inProgress?.parts.append(MediaPart(uri: "s1.1.m4s", duration: 0.5))
        good.preloadHint = PreloadHint(uri: "s1.2.m4s")
        var copy = history
        XCTAssertEqual(copy.observe(good), [])
        var bad = first
        bad.inProgress?.parts.append(MediaPart(uri: "elsewhere.m4s", duration: 0.5))
        var ended = first
        ended.segments.append(MediaSegment(uri: "s1.m4s", duration: 0.5, parts: first.inProgress!.parts))
        ended.inProgress = SegmentInProgress(parts: [MediaPart(uri: "s2.0.m4s", duration: 0.5, independent: true)])
        var other = history
        XCTAssertEqual(other.observe(ended), [], "the segment ended where the hinted part would have begun")
        XCTAssertEqual(history.observe(bad).map(\.rule), ["LL6"])
    }

    func testWhatABlockingReloadAskedForIsThere() {
        var playlist = playlist(sequence: 10, uris: ["s10.m4s", "s11.m4s"])
        playlist.segments[1].parts = [MediaPart(uri: "s11.0.m4s", duration: 0.5), MediaPart(uri: "s11.1.m4s", duration: 0.5)]
        playlist.inProgress = SegmentInProgress(parts: [MediaPart(uri: "s12.0.m4s", duration: 0.5)])
        XCTAssertTrue(PlaylistHistory.satisfies(playlist, msn: 11, part: nil))
        XCTAssertFalse(PlaylistHistory.satisfies(playlist, msn: 12, part: nil))
        XCTAssertTrue(PlaylistHistory.satisfies(playlist, msn: 11, part: 1))
        XCTAssertTrue(PlaylistHistory.satisfies(playlist, msn: 11, part: 2), "past the last part is part 0 of the next")
        XCTAssertTrue(PlaylistHistory.satisfies(playlist, msn: 12, part: 0))
        XCTAssertFalse(PlaylistHistory.satisfies(playlist, msn: 12, part: 1))
        XCTAssertEqual(LivePoller.nextRequest(after: playlist).msn, 12)
        XCTAssertEqual(LivePoller.nextRequest(after: { var p = playlist; p.partTarget = 0.5; return p }()).part, 1)
    }
}
