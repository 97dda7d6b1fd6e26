import HLSModel
import XCTest

final class MultivariantPlaylistParseTests: XCTestCase {
    private let variantTag =
        #"#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000"#

    // MARK: Golden input and round trips

    func testGoldenTextParsesToItsValue() throws {
        XCTAssertEqual(try MultivariantPlaylist.parse(GoldenPlaylists.ladderText), GoldenPlaylists.ladder)
    }

    func testGoldenLadderRoundTrips() throws {
        XCTAssertEqual(try MultivariantPlaylist.parse(GoldenPlaylists.ladder.render()), GoldenPlaylists.ladder)
    }

    func testGeneratedPlaylistsRoundTrip() throws {
        var generator = PlaylistGenerator(seed: 4_342)
        for index in 0..<200 {
            let playlist = generator.multivariantPlaylist()
            XCTAssertEqual(try MultivariantPlaylist.parse(playlist.render()), playlist, "playlist \(index)")
        }
    }

    func testDamagedPlaylistsParseOrNameARealLine() {
        var mutator = PlaylistMutator(seed: 5_678)
        var damaged = GoldenPlaylists.ladderText
        for _ in 0..<500 {
            damaged = mutator.mutate(damaged)
            do {
                _ = try MultivariantPlaylist.parse(damaged)
            } catch {
                let lineCount = damaged.split(omittingEmptySubsequences: false) { $0.isNewline }.count
                XCTAssertTrue((1...max(1, lineCount)).contains(error.line), "\(error) in\n\(damaged)")
            }
        }
    }

    // MARK: Odd but valid input

    func testAcceptsCRLFBlankLinesCommentsAndUnknownTags() throws {
        let text = [
            "#EXTM3U", "", "# ladder", "#EXT-X-SESSION-DATA:DATA-ID=\"com.example.title\",VALUE=\"A, B\"",
            #"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",URI="subs/en.m3u8""#,
            #"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="Main, stereo",CHANNELS="2",URI="audio/index.m3u8""#,
            #"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8""#,
            variantTag, "", "# the URI may come after blank lines and comments", "360p/index.m3u8", "",
        ].joined(separator: "\r\n")
        XCTAssertEqual(try MultivariantPlaylist.parse(text), MultivariantPlaylist(
            independentSegments: false,
            audioRenditions: [AudioRendition(
                groupID: "aac", name: "Main, stereo", isDefault: false, autoselect: false, channels: "2",
                uri: "audio/index.m3u8")],
            variants: [VariantStream(
                uri: "360p/index.m3u8", bandwidth: 900_000, averageBandwidth: 800_000,
                codecs: ["avc1.42c01e", "mp4a.40.2"], width: 640, height: 360, frameRate: 25)]))
    }

    // MARK: Every documented error

    func testRejectsAMissingHeader() {
        assertMultivariantParseError("", "line 1: expected #EXTM3U, found an empty playlist")
        assertMultivariantParseError("360p.m3u8\n", "line 1: expected #EXTM3U, found \"360p.m3u8\"")
    }

    func testRejectsABadVersion() {
        assertMultivariantParseError("#EXTM3U\n#EXT-X-VERSION:3.0\n", "line 2: #EXT-X-VERSION \"3.0\" is not a decimal integer")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-VERSION:3\n", "line 3: #EXT-X-VERSION appears more than once")
    }

    func testRejectsABadAudioRendition() {
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"a\",URI=\"a.m3u8\"\n",
            "line 2: #EXT-X-MEDIA: CHANNELS is missing")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"a\",CHANNELS=\"2\",URI=\"a.m3u8\",DEFAULT=MAYBE\n",
            "line 2: #EXT-X-MEDIA: DEFAULT \"MAYBE\" is not YES or NO")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-MEDIA:GROUP-ID=\"aac\"\n", "line 2: #EXT-X-MEDIA: TYPE is missing")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\n", "line 2: #EXT-X-MEDIA: attribute GROUP-ID has an unterminated quoted string")
    }

    func testRejectsABadVariantOnItsTagLine() {
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=abc,AVERAGE-BANDWIDTH=1,CODECS=\"a\",RESOLUTION=2x2,FRAME-RATE=30\n\nv.m3u8\n",
            "line 2: #EXT-X-STREAM-INF: BANDWIDTH \"abc\" is not a decimal integer")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"a\",RESOLUTION=2x2,FRAME-RATE=30\nv.m3u8\n",
            "line 2: #EXT-X-STREAM-INF: AVERAGE-BANDWIDTH is missing")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,,\nv.m3u8\n",
            "line 2: #EXT-X-STREAM-INF: attribute name is empty")
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1,CODECS=\"a\",RESOLUTION=2x2,FRAME-RATE=fast\nv.m3u8\n",
            "line 2: #EXT-X-STREAM-INF: FRAME-RATE \"fast\" is not a decimal floating-point number")
    }

    func testRejectsAVariantWithoutURI() {
        assertMultivariantParseError(
            "#EXTM3U\n\(variantTag)\n\n", "line 2: #EXT-X-STREAM-INF is not followed by a URI")
        assertMultivariantParseError(
            "#EXTM3U\n\(variantTag)\n\(variantTag)\nv.m3u8\n",
            "line 3: #EXT-X-STREAM-INF appears again before the previous variant's URI")
    }

    func testRejectsAURIWithoutVariant() {
        assertMultivariantParseError(
            "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\nv.m3u8\n", "line 3: URI \"v.m3u8\" has no preceding #EXT-X-STREAM-INF")
        assertMultivariantParseError(
            "#EXTM3U\n\(variantTag)\na.m3u8\nb.m3u8\n", "line 4: URI \"b.m3u8\" has no preceding #EXT-X-STREAM-INF")
    }
}
