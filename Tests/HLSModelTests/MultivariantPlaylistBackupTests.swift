import HLSModel
import XCTest

/// Redundant variants (RFC 8216 §6.2.4): `addingBackups(base:)` and the round trip of a master that lists
/// every variant twice.
final class MultivariantPlaylistBackupTests: XCTestCase {
    private let backupText = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac-backup",NAME="audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="https://b.example/live/audio/index.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=6500000,AVERAGE-BANDWIDTH=5800000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=29.970,AUDIO="aac"
        1080p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3500000,AVERAGE-BANDWIDTH=3100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aac"
        720p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO="aac"
        360p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=6500000,AVERAGE-BANDWIDTH=5800000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=29.970,AUDIO="aac-backup"
        https://b.example/live/1080p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3500000,AVERAGE-BANDWIDTH=3100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aac-backup"
        https://b.example/live/720p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO="aac-backup"
        https://b.example/live/360p/index.m3u8

        """

    func testBackupsFollowEveryPrimaryWithTheSameAttributesAndTheirOwnAudioGroup() {
        XCTAssertEqual(GoldenPlaylists.ladder.addingBackups(base: "https://b.example/live").render(), backupText)
    }

    func testAMasterWithBackupsRoundTrips() throws {
        let playlist = GoldenPlaylists.ladder.addingBackups(base: "../b")
        XCTAssertEqual(try MultivariantPlaylist.parse(playlist.render()), playlist)
        let parsed = try MultivariantPlaylist.parse(backupText)
        XCTAssertEqual(parsed.variants.count, 6)
        XCTAssertEqual(parsed.render(), backupText)
    }

    func testIdenticalVariantsWithTheSameURIStayTwoEntries() throws {
        // Duplicates are not merged: the model keeps what the text says, in order.
        var playlist = GoldenPlaylists.ladder
        playlist.variants.append(playlist.variants[0])
        let parsed = try MultivariantPlaylist.parse(playlist.render())
        XCTAssertEqual(parsed.variants, playlist.variants)
    }

    func testBackupOfATransportStreamLadderHasNoAudioGroup() {
        let ladder = MultivariantPlaylist(variants: [
            VariantStream(uri: "360p/index.m3u8", bandwidth: 900_000, averageBandwidth: 800_000,
                          codecs: ["avc1.42c01e", "mp4a.40.2"], width: 640, height: 360, frameRate: 25),
        ])
        let playlist = ladder.addingBackups(base: "http://127.0.0.1:8080/B")
        XCTAssertTrue(playlist.audioRenditions.isEmpty)
        XCTAssertEqual(playlist.variants.map(\.uri), ["360p/index.m3u8", "http://127.0.0.1:8080/B/360p/index.m3u8"])
        XCTAssertNil(playlist.variants[1].audioGroup)
    }

    func testAttributeDifferencesIgnoreOrderAndNameWhatDiffers() throws {
        let primary = try AttributeList(parsing: "BANDWIDTH=900000,RESOLUTION=640x360,AUDIO=\"aac\"")
        let reordered = try AttributeList(parsing: "RESOLUTION=640x360,AUDIO=\"aac\",BANDWIDTH=900000")
        XCTAssertEqual(primary.differences(from: reordered), [])
        let other = try AttributeList(parsing: "BANDWIDTH=800000,AUDIO=\"aac-backup\",FRAME-RATE=25.000")
        XCTAssertEqual(other.differences(from: primary), ["BANDWIDTH", "AUDIO", "FRAME-RATE", "RESOLUTION"])
        XCTAssertEqual(other.differences(from: primary, ignoring: ["AUDIO"]), ["BANDWIDTH", "FRAME-RATE", "RESOLUTION"])
    }
}
