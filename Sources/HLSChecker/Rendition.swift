import Foundation
import HLSModel

/// One playlist entry with what is known about it.
struct MediaEntry: Sendable {
    /// Media sequence number.
    var number: Int
    var segment: MediaSegment
    /// The `EXTINF` duration and `EXT-X-PROGRAM-DATE-TIME` value as written, for precision and format checks.
    var durationText: String
    var programDateTimeText: String?
    /// Where the URI leads inside the output folder, or why it is not followed (URI1).
    var target: OutputFolder.Target
    var outcome: SegmentOutcome = .gap

    /// A GAP entry's stand-in file as probed, when one is on disk: players that fetch GAP URIs anyway
    /// play it, so S6 and S7 follow it. nil when the file is absent or the entry is no GAP.
    var standIn: SegmentOutcome?

    /// What a player gets at this entry, for the rules that follow the byte stream from one segment to
    /// the next (S6, S7).
    var played: Played {
        if case .refused = outcome { return .unknown }  // never opened, GAP or not
        if segment.gap {
            guard let standIn else { return .skipped }
            return standIn.facts.map(Played.facts) ?? .unknown
        }
        return facts.map(Played.facts) ?? .unknown
    }

    enum Played {
        case facts(SegmentFacts)
        /// A GAP entry without a file: a player goes from the segment before to the one after.
        case skipped
        /// Missing, unreadable or refused: nothing to follow across.
        case unknown
    }

    /// The segment file's path (real, when it exists); empty for a refused URI.
    var path: String { target.path ?? "" }

    var facts: SegmentFacts? { outcome.facts }
    var location: (Int, String) { (number, segment.uri) }
}

/// One media playlist of the ladder (a video variant or an alternate audio rendition) with its segments.
struct Rendition: Sendable {
    enum Role: Sendable, Equatable {
        case video
        case audio(groupID: String)
    }

    /// The URI as the master writes it: how the report names the playlist.
    var name: String
    var role: Role
    /// The playlist file's real path inside the output folder.
    var path: String
    var text: String
    var playlist: MediaPlaylist
    var entries: [MediaEntry]
    /// The last non-blank line, to check that `#EXT-X-ENDLIST` really ends the playlist.
    var lastLine: String
    var firstLine: String
    /// fMP4: the init segment's bytes (nil when missing) and what it declares.
    var initPath: String?
    var initBytes: [UInt8]?
    var initFacts: InitSegmentFacts?
    /// Set once segments are probed (see `measureFrames`).
    var frameDuration: Double = 1.0 / 30
    /// "One frame" in this rendition's tolerances: a video frame, or for audio-only renditions one AAC
    /// frame plus one video frame of the ladder (an audio cut can only land on an AAC frame boundary).
    var tolerance: Double = 1.0 / 30

    var isVideo: Bool { role == .video }
    var groupID: String? { if case .audio(let id) = role { return id } else { return nil } }
    var probedEntries: [MediaEntry] { entries.filter { $0.facts != nil } }

    func segmentLocation(_ entry: MediaEntry) -> Location {
        .segment(name, entry.number, entry.segment.uri)
    }

    /// The rendition's clock: video for video renditions, audio for audio-only ones.
    func timing(_ entry: MediaEntry) -> StreamTiming? {
        isVideo ? entry.facts?.video?.timing : entry.facts?.audio?.timing
    }

    /// Where this entry's media ends: the last presentation time plus one frame (one packet for audio).
    func mediaEnd(_ entry: MediaEntry) -> Double? {
        guard let timing = timing(entry) else { return nil }
        if isVideo { return timing.lastPresentation + frameDuration }
        let packet = timing.lastPresentationDuration > 0
            ? timing.lastPresentationDuration : (entry.facts?.audio?.frameDuration ?? 0)
        return timing.lastPresentation + packet
    }

    /// Fills `frameDuration` from the segments: the median of the per-segment frame spacing, so one
    /// damaged segment does not skew the tolerance every other check uses.
    mutating func measureFrames(ladderVideoFrame: Double?) {
        let videoFacts = entries.compactMap { $0.facts?.video }
        let measured = videoFacts.compactMap(\.measuredFrameDuration).sorted()
        if !measured.isEmpty {
            frameDuration = measured[measured.count / 2]
        } else if let rate = videoFacts.compactMap(\.declaredFrameRate).first, rate > 0 {
            frameDuration = 1 / rate
        }
        if isVideo {
            tolerance = frameDuration
        } else {
            let audioFrame = entries.compactMap { $0.facts?.audio?.frameDuration }.first ?? 1024.0 / 48000
            frameDuration = ladderVideoFrame ?? frameDuration
            tolerance = audioFrame + frameDuration
        }
    }

    /// MPEG-TS timestamps are 33-bit and wrap every 26.5 hours. Each TS segment is read on its own, so a
    /// long live stream would seem to jump back by 2^33 ticks; shift each segment by whole wrap periods to
    /// continue the previous one.
    mutating func unwrapTransportStreamClock() {
        var previousEnd: Double?
        for index in entries.indices {
            guard var facts = entries[index].facts, facts.container == .transportStream,
                  let start = timing(entries[index])?.start else { continue }
            if let previousEnd {
                let offset = (previousEnd - start) / Clock.transportStreamWrap
                let periods = offset.rounded()
                if periods != 0 {
                    facts = facts.shifted(by: periods * Clock.transportStreamWrap)
                    entries[index].outcome = .probed(facts)
                }
            }
            previousEnd = mediaEnd(entries[index])
        }
    }
}

enum Clock {
    /// 2^33 ticks of the 90 kHz MPEG-TS clock, in seconds.
    static let transportStreamWrap = Double(1 << 33) / 90_000
    /// Rounding slack for comparisons at a tolerance's exact edge: two ticks of the 90 kHz clock.
    static let slack = 2.0 / 90_000

    /// `a − b`, folded into one wrap period for TS clocks compared across renditions.
    static func difference(_ a: Double, _ b: Double) -> Double {
        let raw = a - b
        return raw - (raw / transportStreamWrap).rounded() * transportStreamWrap
    }
}
