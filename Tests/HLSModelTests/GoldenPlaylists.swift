import Foundation
import HLSModel

/// Playlist values and the exact text they must render to. The texts are written out by hand from
/// HLS-RULES.md and the brief, not captured from the renderer, so they check it rather than echo it.
enum GoldenPlaylists {
    /// 2026-11-26T21:45:26.123Z. Dates are built from whole milliseconds since 1970, the values the parser
    /// produces, rather than by adding intervals (which can land a few ulps off).
    static let liveStart = Date(timeIntervalSince1970: 1_795_729_526.123)

    // MARK: (a) VOD, MPEG-TS segments, finished

    static let vodTS = MediaPlaylist(
        targetDuration: 6,
        playlistType: .vod,
        segments: [
            MediaSegment(uri: "segment0.ts", duration: 6.006),
            MediaSegment(uri: "segment1.ts", duration: 6.006),
            MediaSegment(uri: "segment2.ts", duration: 2.002),
        ],
        endList: true)

    static let vodTSText = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:6
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXTINF:6.006000,
        segment0.ts
        #EXTINF:6.006000,
        segment1.ts
        #EXTINF:2.002000,
        segment2.ts
        #EXT-X-ENDLIST

        """

    // MARK: (b) event, fMP4 segments with an init segment

    static let eventFMP4 = MediaPlaylist(
        targetDuration: 4,
        discontinuitySequence: 0,
        playlistType: .event,
        map: "init.mp4",
        segments: [
            MediaSegment(uri: "segment0.m4s", duration: 4),
            MediaSegment(uri: "segment1.m4s", duration: 3.966667),
        ])

    static let eventFMP4Text = """
        #EXTM3U
        #EXT-X-VERSION:6
        #EXT-X-TARGETDURATION:4
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-DISCONTINUITY-SEQUENCE:0
        #EXT-X-PLAYLIST-TYPE:EVENT
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:4.000000,
        segment0.m4s
        #EXTINF:3.966667,
        segment1.m4s

        """

    // MARK: (c) live sliding window after an input loss and a rendition restart

    static let liveWindow = MediaPlaylist(
        targetDuration: 2,
        mediaSequence: 120,
        discontinuitySequence: 2,
        segments: [
            MediaSegment(uri: "v0/120.ts", duration: 2.002, programDateTime: liveStart),
            MediaSegment(uri: "v0/121.ts", duration: 2.002, programDateTime: Date(timeIntervalSince1970: 1_795_729_528.125)),
            MediaSegment(
                uri: "v0/122.ts", duration: 2, discontinuity: true,
                programDateTime: Date(timeIntervalSince1970: 1_795_729_540.5)),
            MediaSegment(
                uri: "v0/123.ts", duration: 2, gap: true,
                programDateTime: Date(timeIntervalSince1970: 1_795_729_542.5)),
            MediaSegment(uri: "v0/124.ts", duration: 2, programDateTime: Date(timeIntervalSince1970: 1_795_729_544.5)),
        ])

    static let liveWindowText = """
        #EXTM3U
        #EXT-X-VERSION:8
        #EXT-X-TARGETDURATION:2
        #EXT-X-MEDIA-SEQUENCE:120
        #EXT-X-DISCONTINUITY-SEQUENCE:2
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:26.123Z
        #EXTINF:2.002000,
        v0/120.ts
        #EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:28.125Z
        #EXTINF:2.002000,
        v0/121.ts
        #EXT-X-DISCONTINUITY
        #EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:40.500Z
        #EXTINF:2.000000,
        v0/122.ts
        #EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:42.500Z
        #EXT-X-GAP
        #EXTINF:2.000000,
        v0/123.ts
        #EXT-X-PROGRAM-DATE-TIME:2026-11-26T21:45:44.500Z
        #EXTINF:2.000000,
        v0/124.ts

        """

    // MARK: (d) multivariant: three variants sharing one audio group

    static let ladder = MultivariantPlaylist(
        audioRenditions: [
            AudioRendition(groupID: "aac", name: "audio", language: "und", channels: "2", uri: "audio/index.m3u8"),
        ],
        variants: [
            VariantStream(
                uri: "1080p/index.m3u8", bandwidth: 6_500_000, averageBandwidth: 5_800_000,
                codecs: ["avc1.640028", "mp4a.40.2"], width: 1920, height: 1080, frameRate: 29.97, audioGroup: "aac"),
            VariantStream(
                uri: "720p/index.m3u8", bandwidth: 3_500_000, averageBandwidth: 3_100_000,
                codecs: ["avc1.64001f", "mp4a.40.2"], width: 1280, height: 720, frameRate: 29.97, audioGroup: "aac"),
            VariantStream(
                uri: "360p/index.m3u8", bandwidth: 900_000, averageBandwidth: 800_000,
                codecs: ["avc1.42c01e", "mp4a.40.2"], width: 640, height: 360, frameRate: 25, audioGroup: "aac"),
        ])

    static let ladderText = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="audio",LANGUAGE="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/index.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=6500000,AVERAGE-BANDWIDTH=5800000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080,FRAME-RATE=29.970,AUDIO="aac"
        1080p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3500000,AVERAGE-BANDWIDTH=3100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,AUDIO="aac"
        720p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.42c01e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=25.000,AUDIO="aac"
        360p/index.m3u8

        """

    static let mediaPlaylists: [(name: String, playlist: MediaPlaylist, text: String)] = [
        ("VOD TS", vodTS, vodTSText),
        ("event fMP4", eventFMP4, eventFMP4Text),
        ("live window", liveWindow, liveWindowText),
    ]
}
