import HLSModel
import XCTest

/// Redundant variants (RFC 8216 §6.2.4): `addingBackups(base:)` and the round trip of a master that lists
/// every variant twice.
final class MultivariantPlaylistBackupTests: XCTestCase {
    /// The golden ladder's text with backups, edited as text (not rendered by the code under test): the
    /// backup group's line after the primary's, then each STREAM-INF again naming `aac-backup`, with the
    /// URI under the base.
    private let backupText: String = {
        let lines = GoldenPlaylists.ladderText.split(separator: "\n").map(String.init)
        let media = lines.firstIndex { $0.hasPrefix("#EXT-X-MEDIA:") }!
        let backupMedia = lines[media].replacingOccurrences(of: "GROUP-ID=\"aac\"", with: "GROUP-ID=\"aac-backup\"")
            .replacingOccurrences(of: "URI=\"", with: "URI=\"https://b.example/live/")
        let variants = lines[(media + 1)...]
        let backups = variants.map { line in
            line.hasPrefix("#") ? line.replacingOccurrences(of: "AUDIO=\"aac\"", with: "AUDIO=\"aac-backup\"")
                : "https://b.example/live/" + line
        }
        return (lines[...media] + [backupMedia] + variants + backups).joined(separator: "\n") + "\n"
    }()

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
