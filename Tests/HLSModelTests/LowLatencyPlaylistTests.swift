import Foundation
import XCTest
import HLSModel

/// Low-Latency HLS in the playlist model: parts, the segment in progress, server control, the preload
/// hint, rendition reports and delta updates, rendered as the draft's examples write them and read back.
final class LowLatencyPlaylistTests: XCTestCase {
    private let text = """
        #EXTM3U
        #EXT-X-VERSION:6
        #EXT-X-TARGETDURATION:2
        #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.000,PART-HOLD-BACK=1.500
        #EXT-X-PART-INF:PART-TARGET=0.50000
        #EXT-X-MEDIA-SEQUENCE:10
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MAP:URI="init.mp4"
        #EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:20.000Z
        #EXT-X-PART:DURATION=0.50000,URI="segment-10.0.m4s",INDEPENDENT=YES
        #EXT-X-PART:DURATION=0.50000,URI="segment-10.1.m4s"
        #EXT-X-PART:DURATION=0.50000,URI="segment-10.2.m4s"
        #EXT-X-PART:DURATION=0.50000,URI="segment-10.3.m4s"
        #EXTINF:2.000000,
        segment-10.m4s
        #EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:22.000Z
        #EXT-X-PART:DURATION=0.50000,URI="segment-11.0.m4s",INDEPENDENT=YES
        #EXT-X-PART:DURATION=0.50000,URI="segment-11.1.m4s"
        #EXT-X-PRELOAD-HINT:TYPE=PART,URI="segment-11.2.m4s"
        #EXT-X-RENDITION-REPORT:URI="../240p/index.m3u8",LAST-MSN=11,LAST-PART=1

        """

    private var value: MediaPlaylist {
        let parts = (0..<4).map { MediaPart(uri: "segment-10.\($0).m4s", duration: 0.5, independent: $0 == 0) }
        var playlist = MediaPlaylist(targetDuration: 2, mediaSequence: 10, map: "init.mp4", segments: [
            MediaSegment(uri: "segment-10.m4s", duration: 2, programDateTime: Date(timeIntervalSince1970: 946_684_820), parts: parts),
        ])
        playlist.serverControl = ServerControl(canBlockReload: true, partHoldBack: 1.5, canSkipUntil: 12)
        playlist.partTarget = 0.5
        playlist.inProgress = SegmentInProgress(parts: [MediaPart(uri: "segment-11.0.m4s", duration: 0.5, independent: true),
                                                        MediaPart(uri: "segment-11.1.m4s", duration: 0.5)],
                                                programDateTime: Date(timeIntervalSince1970: 946_684_822))
        playlist.preloadHint = PreloadHint(uri: "segment-11.2.m4s")
        playlist.renditionReports = [RenditionReport(uri: "../240p/index.m3u8", lastMediaSequence: 11, lastPart: 1)]
        return playlist
    }

    func testRendersTheDraftsLayout() {
        XCTAssertEqual(value.render(), text)
    }

    func testParsesBackToTheValue() throws {
        XCTAssertEqual(try MediaPlaylist.parse(text), value)
    }

    func testDeltaUpdateNeedsVersion9() throws {
        var delta = value
        delta.skippedSegments = 1
        delta.segments = []
        XCTAssertEqual(delta.version, 9)
        let rendered = delta.render()
        XCTAssertTrue(rendered.contains("#EXT-X-VERSION:9\n"))
        XCTAssertTrue(rendered.contains("#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n"))
        XCTAssertEqual(try MediaPlaylist.parse(rendered), delta)
    }

    func testErrorsNameTheTagAndLine() {
        let cases: [(String, String)] = [
            ("#EXT-X-PART:URI=\"a.m4s\"", "#EXT-X-PART: DURATION is missing"),
            ("#EXT-X-PART:DURATION=0.5", "#EXT-X-PART: URI is missing"),
            ("#EXT-X-PART:DURATION=99999999,URI=\"a\"", "#EXT-X-PART: DURATION"),
            ("#EXT-X-PART-INF:PART-TARGET=-1", "#EXT-X-PART-INF: PART-TARGET"),
            ("#EXT-X-SKIP:SKIPPED-SEGMENTS=99999999999999999999", "#EXT-X-SKIP: SKIPPED-SEGMENTS"),
            ("#EXT-X-PRELOAD-HINT:TYPE=BOGUS,URI=\"a\"", "#EXT-X-PRELOAD-HINT: TYPE \"BOGUS\" is not PART or MAP"),
            ("#EXT-X-RENDITION-REPORT:URI=\"a\"", "#EXT-X-RENDITION-REPORT: LAST-MSN is missing"),
            ("#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1e400", "#EXT-X-SERVER-CONTROL: PART-HOLD-BACK"),
        ]
        for (line, expected) in cases {
            let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n\(line)\n#EXTINF:2,\na.ts\n"
            XCTAssertThrowsError(try MediaPlaylist.parse(playlist), line) { error in
                let parseError = error as? PlaylistParseError
                XCTAssertEqual(parseError?.line, 3, line)
                XCTAssertTrue(parseError?.message.hasPrefix(expected) == true, "\(line): \(String(describing: parseError?.message))")
            }
        }
    }

    func testADiscontinuityBeforeTheSegmentInProgressBelongsToIt() throws {
        let playlist = try MediaPlaylist.parse("""
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXTINF:2,
            a.m4s
            #EXT-X-DISCONTINUITY
            #EXT-X-PART:DURATION=0.5,URI="b.0.m4s",INDEPENDENT=YES
            """)
        XCTAssertEqual(playlist.inProgress, SegmentInProgress(parts: [MediaPart(uri: "b.0.m4s", duration: 0.5, independent: true)], discontinuity: true))
        XCTAssertThrowsError(try MediaPlaylist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-DISCONTINUITY\n"))
    }
}
