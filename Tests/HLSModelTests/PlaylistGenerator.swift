import Foundation
import HLSModel

/// Builds varied but reproducible playlists for round-trip tests. Every value stays inside what the
/// round-trip guarantee covers: durations of 0.001 s or more with at most six decimals, whole-millisecond dates, frame rates
/// with at most three decimals, and strings without quotes or line breaks.
struct PlaylistGenerator {
    private var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func mediaPlaylist() -> MediaPlaylist {
        let segmentCount = Int.random(in: 0...12, using: &random)
        var milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &random)  // 1970 to 2100
        let withDates = Bool.random(using: &random)
        let lowLatency = Bool.random(using: &random)
        var segments: [MediaSegment] = []
        for index in 0..<segmentCount {
            // PlaylistLimits.segmentDuration: at least a millisecond.
            let microseconds = Int.random(in: 1_000...12_000_000, using: &random)
            let date = withDates ? Date(timeIntervalSince1970: Double(milliseconds) / 1000) : nil
            segments.append(MediaSegment(
                uri: "chunk_\(index)_\(random.next() % 1000).\(Bool.random(using: &random) ? "ts" : "m4s")",
                duration: Double(microseconds) / 1_000_000,
                discontinuity: Int.random(in: 0..<5, using: &random) == 0,
                gap: Int.random(in: 0..<6, using: &random) == 0,
                programDateTime: date,
                parts: lowLatency ? parts(prefix: "chunk_\(index)") : []))
            milliseconds += Int64(microseconds / 1000) + Int64.random(in: 0...5, using: &random)
        }
        var playlist = MediaPlaylist(
            targetDuration: Int.random(in: 1...12, using: &random),
            mediaSequence: Int.random(in: 0...1_000_000, using: &random),
            discontinuitySequence: Bool.random(using: &random) ? Int.random(in: 0...50, using: &random) : nil,
            playlistType: [nil, .vod, .event][Int.random(in: 0...2, using: &random)],
            independentSegments: Bool.random(using: &random),
            map: Bool.random(using: &random) ? "init_\(random.next() % 100).mp4" : nil,
            segments: segments,
            endList: Bool.random(using: &random))
        guard lowLatency else { return playlist }
        // Part durations with at most five decimals, server-control values with at most three: what
        // the renderer writes.
        playlist.partTarget = Double(Int.random(in: 10_000...200_000, using: &random)) / 100_000
        playlist.serverControl = ServerControl(
            canBlockReload: Bool.random(using: &random),
            partHoldBack: Double(Int.random(in: 100...6_000, using: &random)) / 1000,
            holdBack: Bool.random(using: &random) ? Double(Int.random(in: 1_000...40_000, using: &random)) / 1000 : nil,
            canSkipUntil: Bool.random(using: &random) ? Double(Int.random(in: 1_000...80_000, using: &random)) / 1000 : nil)
        playlist.skippedSegments = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...100, using: &random) : nil
        if Bool.random(using: &random) {
            playlist.inProgress = SegmentInProgress(parts: parts(prefix: "next"), discontinuity: Int.random(in: 0..<4, using: &random) == 0)
        }
        if !playlist.endList, Bool.random(using: &random) {
            playlist.preloadHint = PreloadHint(kind: Bool.random(using: &random) ? .part : .map, uri: "hint_\(random.next() % 100).m4s")
        }
        playlist.renditionReports = (0..<Int.random(in: 0...3, using: &random)).map { index in
            RenditionReport(uri: "../r\(index)/index.m3u8", lastMediaSequence: Int.random(in: 0...1_000_000, using: &random),
                            lastPart: Bool.random(using: &random) ? Int.random(in: 0...20, using: &random) : nil)
        }
        return playlist
    }

    private mutating func parts(prefix: String) -> [MediaPart] {
        (0..<Int.random(in: 1...6, using: &random)).map { index in
            MediaPart(uri: "\(prefix).part\(index).m4s", duration: Double(Int.random(in: 100...200_000, using: &random)) / 100_000,
                      independent: index == 0 || Int.random(in: 0..<5, using: &random) == 0,
                      gap: Int.random(in: 0..<10, using: &random) == 0)
        }
    }

    mutating func multivariantPlaylist() -> MultivariantPlaylist {
        let audio = (0..<Int.random(in: 0...2, using: &random)).map { index in
            AudioRendition(
                groupID: "aac\(index)",
                name: "audio, track \(index)",  // a comma inside quotes must survive
                language: Bool.random(using: &random) ? "en" : nil,
                isDefault: Bool.random(using: &random),
                autoselect: Bool.random(using: &random),
                channels: String(Int.random(in: 1...6, using: &random)),
                uri: "audio\(index)/index.m3u8")
        }
        let variants = (0..<Int.random(in: 0...5, using: &random)).map { index in
            VariantStream(
                uri: "v\(index)/index.m3u8",
                bandwidth: Int.random(in: 100_000...20_000_000, using: &random),
                averageBandwidth: Int.random(in: 100_000...20_000_000, using: &random),
                codecs: Bool.random(using: &random) ? ["avc1.64001f", "mp4a.40.2"] : ["avc1.42c01e"],
                width: Int.random(in: 16...3840, using: &random),
                height: Int.random(in: 16...2160, using: &random),
                frameRate: Double(Int.random(in: 1_000...120_000, using: &random)) / 1000,
                audioGroup: audio.isEmpty ? nil : audio[Int.random(in: 0..<audio.count, using: &random)].groupID)
        }
        return MultivariantPlaylist(
            independentSegments: Bool.random(using: &random),
            audioRenditions: audio,
            variants: variants)
    }
}
