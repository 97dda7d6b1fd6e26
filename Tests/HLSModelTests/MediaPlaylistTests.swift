import HLSModel
import XCTest

final class MediaPlaylistTests: XCTestCase {
    func testDefaultsMatchALiveTSPlaylist() {
        let playlist = MediaPlaylist(targetDuration: 2)
        XCTAssertEqual(playlist.mediaSequence, 0)
        XCTAssertNil(playlist.discontinuitySequence)
        XCTAssertNil(playlist.playlistType)
        XCTAssertTrue(playlist.independentSegments)
        XCTAssertNil(playlist.map)
        XCTAssertEqual(playlist.segments, [])
        XCTAssertFalse(playlist.endList)
    }

    // MP1: EXT-X-VERSION high enough for every tag used and not higher than needed.

    func testVersionIs3ForDecimalDurationsOnly() {
        let playlist = MediaPlaylist(targetDuration: 2, segments: [MediaSegment(uri: "a.ts", duration: 2.002)])
        XCTAssertEqual(playlist.version, 3)
        XCTAssertEqual(MediaPlaylist(targetDuration: 2).version, 3)
    }

    func testVersionIs6WithAnInitializationSection() {
        XCTAssertEqual(MediaPlaylist(targetDuration: 2, map: "init.mp4").version, 6)
    }

    func testVersionIs8WhenAnySegmentIsAGap() {
        let segments = [MediaSegment(uri: "a.ts", duration: 2), MediaSegment(uri: "b.ts", duration: 2, gap: true)]
        XCTAssertEqual(MediaPlaylist(targetDuration: 2, segments: segments).version, 8)
        XCTAssertEqual(MediaPlaylist(targetDuration: 2, map: "init.mp4", segments: segments).version, 8)
    }

    func testOtherTagsDoNotRaiseTheVersion() {
        let playlist = MediaPlaylist(
            targetDuration: 2, mediaSequence: 9, discontinuitySequence: 3, playlistType: .event,
            segments: [MediaSegment(uri: "a.ts", duration: 2, discontinuity: true, programDateTime: Date())],
            endList: true)
        XCTAssertEqual(playlist.version, 3)
    }

    func testDeclaredVersionReportsWhatTheTextClaims() {
        XCTAssertEqual(MediaPlaylist.declaredVersion(in: GoldenPlaylists.liveWindowText), 8)
        XCTAssertEqual(MediaPlaylist.declaredVersion(in: "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"), 7)
        XCTAssertNil(MediaPlaylist.declaredVersion(in: "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"))
    }

    func testDeclaredVersionCanDisagreeWithTheNeededVersion() throws {
        let text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n"
        XCTAssertEqual(MediaPlaylist.declaredVersion(in: text), 3)
        XCTAssertEqual(try MediaPlaylist.parse(text).version, 6)
    }

    func testPlaylistTypeRawValuesAreTheTagValues() {
        XCTAssertEqual(PlaylistType.vod.rawValue, "VOD")
        XCTAssertEqual(PlaylistType.event.rawValue, "EVENT")
    }
}
