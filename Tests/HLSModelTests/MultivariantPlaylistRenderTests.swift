import HLSModel
import XCTest

final class MultivariantPlaylistRenderTests: XCTestCase {
    func testGoldenLadderRendersExactly() {
        XCTAssertEqual(GoldenPlaylists.ladder.render(), GoldenPlaylists.ladderText)
    }

    func testMinimalPlaylist() {
        let playlist = MultivariantPlaylist(independentSegments: false, variants: [])
        XCTAssertEqual(playlist.render(), "#EXTM3U\n#EXT-X-VERSION:3\n")
    }

    func testMuxedAudioVariantWithoutAudioGroup() {
        let playlist = MultivariantPlaylist(variants: [
            VariantStream(
                uri: "v0.m3u8", bandwidth: 1_200_000, averageBandwidth: 1_000_000,
                codecs: ["avc1.4d4028", "mp4a.40.2"], width: 854, height: 480, frameRate: 25),
        ])
        XCTAssertEqual(playlist.render(), """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=1200000,AVERAGE-BANDWIDTH=1000000,CODECS="avc1.4d4028,mp4a.40.2",RESOLUTION=854x480,FRAME-RATE=25.000
            v0.m3u8

            """)
    }

    func testMediaLinesComeBeforeVariantsAndEachURIFollowsItsTag() {
        let lines = GoldenPlaylists.ladder.render().split(separator: "\n")
        XCTAssertTrue(lines[3].hasPrefix("#EXT-X-MEDIA:"))
        for index in stride(from: 4, to: lines.count, by: 2) {
            XCTAssertTrue(lines[index].hasPrefix("#EXT-X-STREAM-INF:"))
            XCTAssertFalse(lines[index + 1].hasPrefix("#"))
        }
    }
}
