import HLSModel
import XCTest

final class MultivariantPlaylistTests: XCTestCase {
    func testDefaults() {
        let playlist = MultivariantPlaylist(variants: [])
        XCTAssertTrue(playlist.independentSegments)
        XCTAssertEqual(playlist.audioRenditions, [])
    }

    func testVersionIs3() {
        XCTAssertEqual(GoldenPlaylists.ladder.version, 3)
        XCTAssertEqual(MultivariantPlaylist(variants: []).version, 3)
    }

    func testDeclaredVersionReportsWhatTheTextClaims() {
        XCTAssertEqual(MultivariantPlaylist.declaredVersion(in: GoldenPlaylists.ladderText), 3)
        XCTAssertNil(MultivariantPlaylist.declaredVersion(in: "#EXTM3U\n"))
    }
}
