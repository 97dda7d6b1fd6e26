import HLSModel
import XCTest

final class MediaPlaylistParseTests: XCTestCase {
    // MARK: Golden inputs and round trips

    func testGoldenTextsParseToTheirValues() throws {
        for (name, playlist, text) in GoldenPlaylists.mediaPlaylists {
            XCTAssertEqual(try MediaPlaylist.parse(text), playlist, name)
        }
    }

    func testGoldenPlaylistsRoundTrip() throws {
        for (name, playlist, _) in GoldenPlaylists.mediaPlaylists {
            XCTAssertEqual(try MediaPlaylist.parse(playlist.render()), playlist, name)
        }
    }

    func testGeneratedPlaylistsRoundTrip() throws {
        var generator = PlaylistGenerator(seed: 8216)
        for index in 0..<200 {
            let playlist = generator.mediaPlaylist()
            XCTAssertEqual(try MediaPlaylist.parse(playlist.render()), playlist, "playlist \(index)")
        }
    }

    func testDamagedPlaylistsParseOrNameARealLine() {
        var mutator = PlaylistMutator(seed: 1_234)
        for (_, _, text) in GoldenPlaylists.mediaPlaylists {
            var damaged = text
            for _ in 0..<300 {
                damaged = mutator.mutate(damaged)
                do {
                    _ = try MediaPlaylist.parse(damaged)
                } catch {
                    let lineCount = damaged.split(omittingEmptySubsequences: false) { $0.isNewline }.count
                    XCTAssertTrue((1...max(1, lineCount)).contains(error.line), "\(error) in\n\(damaged)")
                }
            }
        }
    }

    // MARK: Odd but valid input

    func testAcceptsCRLFBlankLinesCommentsAndUnknownTags() throws {
        let text = [
            "#EXTM3U", "", "# written by hand", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:6",
            "#EXT-X-ALLOW-CACHE:NO", "#EXT-X-KEY:METHOD=AES-128,URI=\"https://k.example/key?a=1,b=2\",IV=0x01",
            "", "#EXTINF:6.006,", "#EXT-X-BYTERANGE:1000@0", "segment0.ts", "#EXT-X-ENDLIST", "",
        ].joined(separator: "\r\n")
        let playlist = try MediaPlaylist.parse(text)
        XCTAssertEqual(playlist, MediaPlaylist(
            targetDuration: 6, independentSegments: false,
            segments: [MediaSegment(uri: "segment0.ts", duration: 6.006)], endList: true))
    }

    func testAcceptsTitlesAMissingCommaAndIntegerDurations() throws {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,Intro, part 1\na.ts\n#EXTINF:9.5\nb.ts\n"
        XCTAssertEqual(try MediaPlaylist.parse(text).segments, [
            MediaSegment(uri: "a.ts", duration: 10),
            MediaSegment(uri: "b.ts", duration: 9.5),
        ])
    }

    func testAcceptsMapAttributesWithCommasInQuotesAndOtherAttributes() throws {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init,v1.mp4\",BYTERANGE=\"720@0\"\n"
        XCTAssertEqual(try MediaPlaylist.parse(text).map, "init,v1.mp4")
    }

    func testAcceptsTagsInAnyOrderAndSegmentTagsInAnyOrder() throws {
        let text = """
            #EXTM3U
            #EXT-X-ENDLIST
            #EXT-X-GAP
            #EXTINF:2,
            #EXT-X-PROGRAM-DATE-TIME:2026-11-26T22:45:26.123+01:00
            #EXT-X-DISCONTINUITY
            a.ts
            #EXT-X-TARGETDURATION:2
            """
        let playlist = try MediaPlaylist.parse(text)
        XCTAssertTrue(playlist.endList)
        XCTAssertEqual(playlist.segments, [MediaSegment(
            uri: "a.ts", duration: 2, discontinuity: true, gap: true,
            programDateTime: GoldenPlaylists.liveStart)])
    }

    func testAcceptsLowPrecisionAndZonedDates() throws {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26Z\n#EXTINF:2,\na.ts\n"
        XCTAssertEqual(
            try MediaPlaylist.parse(text).segments.first?.programDateTime,
            Date(timeIntervalSince1970: 1_795_729_526))
    }

    func testMissingIndependentSegmentsTagReadsAsFalse() throws {
        XCTAssertFalse(try MediaPlaylist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n").independentSegments)
    }

    func testRepeatedFlagTagsAreHarmless() throws {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        XCTAssertTrue(try MediaPlaylist.parse(text).independentSegments)
    }

    // MARK: Every documented error

    func testRejectsAMissingHeader() {
        assertMediaParseError("", "line 1: expected #EXTM3U, found an empty playlist")
        assertMediaParseError("\n#EXTM3U\n", "line 1: expected #EXTM3U, found an empty line")
        assertMediaParseError("#EXT-X-TARGETDURATION:2\n", "line 1: expected #EXTM3U, found \"#EXT-X-TARGETDURATION:2\"")
    }

    func testRejectsAMissingTargetDurationOnTheLastLine() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:2,\na.ts\n\n", "line 4: no #EXT-X-TARGETDURATION in the playlist")
        assertMediaParseError("#EXTM3U\n", "line 1: no #EXT-X-TARGETDURATION in the playlist")
    }

    func testRejectsMalformedHeaderIntegers() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2.5\n", "line 2: #EXT-X-TARGETDURATION \"2.5\" is not a decimal integer")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION\n", "line 2: #EXT-X-TARGETDURATION \"\" is not a decimal integer")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-VERSION:three\n", "line 2: #EXT-X-VERSION \"three\" is not a decimal integer")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:-1\n",
            "line 3: #EXT-X-MEDIA-SEQUENCE \"-1\" is not a decimal integer")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY-SEQUENCE:x\n",
            "line 3: #EXT-X-DISCONTINUITY-SEQUENCE \"x\" is not a decimal integer")
    }

    func testRejectsRepeatedHeaderTags() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-TARGETDURATION:4\n",
            "line 3: #EXT-X-TARGETDURATION appears more than once")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"a.mp4\"\n#EXT-X-MAP:URI=\"b.mp4\"\n",
            "line 4: #EXT-X-MAP appears more than once")
    }

    func testRejectsAnUnknownPlaylistType() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:LIVE\n",
            "line 3: #EXT-X-PLAYLIST-TYPE \"LIVE\" is not VOD or EVENT")
    }

    func testRejectsABadMap() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:BYTERANGE=\"720@0\"\n", "line 3: #EXT-X-MAP: URI is missing")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\n",
            "line 3: #EXT-X-MAP: attribute URI has an unterminated quoted string")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=init.mp4\n",
            "line 3: #EXT-X-MAP: URI must be a quoted string, found init.mp4")
    }

    func testRejectsAMalformedDuration() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n\n#EXTINF:abc,\na.ts\n", "line 4: #EXTINF duration \"abc\" is not a number")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1,\na.ts\n", "line 3: #EXTINF duration \"-1\" is not a number")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:nan,\na.ts\n", "line 3: #EXTINF duration \"nan\" is not a number")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF\na.ts\n", "line 3: #EXTINF duration \"\" is not a number")
    }

    func testRejectsAMalformedProgramDateTime() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n#EXTINF:2,\na.ts\n",
            "line 3: #EXT-X-PROGRAM-DATE-TIME \"yesterday\" is not an ISO 8601 date-time with a time zone")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26.123\n#EXTINF:2,\na.ts\n",
            "line 3: #EXT-X-PROGRAM-DATE-TIME \"2026-11-26T21:45:26.123\" is not an ISO 8601 date-time with a time zone")
    }

    func testRejectsAURIWithoutEXTINF() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n", "line 3: URI \"a.ts\" has no preceding #EXTINF")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\nb.ts\n",
            "line 5: URI \"b.ts\" has no preceding #EXTINF")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\na.ts\n",
            "line 4: URI \"a.ts\" has no preceding #EXTINF")
    }

    func testRejectsTwoEXTINFsForOneURI() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXTINF:2,\na.ts\n",
            "line 4: #EXTINF appears again before the previous segment's URI")
    }

    func testRejectsSegmentTagsLeftWithoutASegment() {
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-ENDLIST\n", "line 3: #EXTINF is not followed by a URI")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\n",
            "line 3: #EXT-X-DISCONTINUITY is not followed by a URI")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-GAP\n", "line 3: #EXT-X-GAP is not followed by a URI")
        assertMediaParseError(
            "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26.123Z\n",
            "line 3: #EXT-X-PROGRAM-DATE-TIME is not followed by a URI")
    }

    func testErrorKeepsLineNumbersWithCRLF() {
        assertMediaParseError(
            "#EXTM3U\r\n\r\n#EXT-X-TARGETDURATION:2\r\n#EXTINF:abc,\r\na.ts\r\n",
            "line 4: #EXTINF duration \"abc\" is not a number")
    }
}
