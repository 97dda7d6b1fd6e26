import HLSModel
import XCTest

final class MediaPlaylistRenderTests: XCTestCase {
    func testGoldenPlaylistsRenderExactly() {
        for (name, playlist, text) in GoldenPlaylists.mediaPlaylists {
            XCTAssertEqual(playlist.render(), text, name)
        }
    }

    func testMinimalPlaylistWritesOnlyTheRequiredHeader() {
        let text = MediaPlaylist(targetDuration: 4, independentSegments: false).render()
        XCTAssertEqual(text, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n")
    }

    func testUsesLFLineEndingsAndATrailingNewline() {
        for (_, playlist, _) in GoldenPlaylists.mediaPlaylists {
            let text = playlist.render()
            XCTAssertFalse(text.contains("\r"))
            XCTAssertTrue(text.hasSuffix("\n"))
            XCTAssertFalse(text.hasSuffix("\n\n"))
        }
    }

    func testEndListIsTheLastLine() {
        let text = GoldenPlaylists.vodTS.render()
        XCTAssertTrue(text.hasSuffix("segment2.ts\n#EXT-X-ENDLIST\n"))
    }

    func testMapURIIsQuoted() {
        let text = MediaPlaylist(targetDuration: 4, map: "init_720p.mp4").render()
        XCTAssertTrue(text.contains("\n#EXT-X-MAP:URI=\"init_720p.mp4\"\n"))
    }

    func testRenderingIsDeterministic() {
        var generator = PlaylistGenerator(seed: 42)
        for _ in 0..<20 {
            let playlist = generator.mediaPlaylist()
            XCTAssertEqual(playlist.render(), playlist.render())
        }
    }
}
