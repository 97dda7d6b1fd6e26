import Foundation
import HLSModel

/// MP1, MP2, MP4, MP5 (URIs), MP6 (discontinuity sequence), MP9, MP11: what each media playlist says,
/// checked against itself and its siblings.
enum MediaPlaylistRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        let referenceTarget = context.renditions.first?.playlist.targetDuration
        for rendition in context.renditions {
            checkVersion(rendition, &log)
            checkTargetDuration(rendition, reference: (context.renditions.first?.name, referenceTarget), &log)
            checkDurationPrecision(rendition, &log)
            checkNominalDuration(rendition, &log)
            checkDiscontinuitySequence(rendition, context, &log)
            checkProgramDateTime(rendition, context, &log)
            checkEnd(rendition, context, &log)
        }
        checkUniqueURIs(context, &log)
    }

    // MARK: MP1

    private static func checkVersion(_ rendition: Rendition, _ log: inout FailureLog) {
        let here = Location.playlist(rendition.name)
        if rendition.firstLine != "#EXTM3U" {
            log.add("MP1", here, "first line is \"\(rendition.firstLine.prefix(40))\", not #EXTM3U")
        }
        let needed = rendition.playlist.version
        let reason = needed == 9 ? "EXT-X-SKIP" : needed == 8 ? "EXT-X-GAP" : needed == 6 ? "EXT-X-MAP" : "decimal EXTINF"
        switch MediaPlaylist.declaredVersion(in: rendition.text) {
        case nil:
            log.add("MP1", here, "no EXT-X-VERSION; \(reason) needs version \(needed)")
        case let declared? where declared < needed:
            log.add("MP1", here, "EXT-X-VERSION \(declared) is too low: \(reason) needs \(needed)")
        case let declared? where declared > needed:
            log.add("MP1", here, "EXT-X-VERSION \(declared) is higher than needed: the tags used need \(needed)")
        default:
            break
        }
    }

    // MARK: MP2

    private static func checkTargetDuration(_ rendition: Rendition, reference: (name: String?, target: Int?),
                                            _ log: inout FailureLog) {
        let target = rendition.playlist.targetDuration
        // EXTINF ≤ 86 400 s (HLSModel's PlaylistLimits), so rounding it to an Int, or to milliseconds below,
        // cannot overflow.
        for entry in rendition.entries where Int(entry.segment.duration.rounded()) > target {
            log.add("MP2", rendition.segmentLocation(entry),
                    "EXTINF \(entry.durationText) rounds to \(Int(entry.segment.duration.rounded())), above EXT-X-TARGETDURATION \(target)")
        }
        if let other = reference.target, let name = reference.name, other != target {
            log.add("MP2", .playlist(rendition.name),
                    "EXT-X-TARGETDURATION \(target) differs from \(name)'s \(other): it must be the same in every media playlist")
        }
    }

    // MARK: MP3 (precision)

    private static func checkDurationPrecision(_ rendition: Rendition, _ log: inout FailureLog) {
        for entry in rendition.entries {
            let fraction = entry.durationText.split(separator: ".", omittingEmptySubsequences: false)
            if fraction.count < 2 || fraction[1].count < 3 {
                log.add("MP3", rendition.segmentLocation(entry),
                        "EXTINF \(entry.durationText) is not written to the millisecond")
            }
        }
    }

    // MARK: MP4

    /// The configured duration is not written anywhere, so it is inferred as the most common duration (to
    /// the millisecond) among the segments that must have it: all but the last and those before a
    /// discontinuity.
    private static func checkNominalDuration(_ rendition: Rendition, _ log: inout FailureLog) {
        let entries = rendition.entries
        let target = Double(rendition.playlist.targetDuration)
        for entry in entries where entry.segment.duration > target + 0.5 {
            log.add("MP4", rendition.segmentLocation(entry),
                    "EXTINF \(entry.durationText) exceeds EXT-X-TARGETDURATION \(rendition.playlist.targetDuration) by more than 0.5 s")
        }
        let bound = entries.indices.dropLast().filter { !entries[$0 + 1].segment.discontinuity }.map { entries[$0] }
        var counts: [Int: Int] = [:]
        for entry in bound { counts[Int((entry.segment.duration * 1000).rounded()), default: 0] += 1 }
        // Ties (a short playlist) go to the duration nearest the target duration, which is what the
        // configured duration rounds to.
        let targetMilliseconds = rendition.playlist.targetDuration * 1000
        guard let nominal = counts.max(by: { a, b in
            (a.value, -abs(a.key - targetMilliseconds), a.key) < (b.value, -abs(b.key - targetMilliseconds), b.key)
        })?.key else { return }
        let configured = Double(nominal) / 1000
        for entry in bound where abs(entry.segment.duration - configured) > rendition.tolerance + Clock.slack {
            log.add("MP4", rendition.segmentLocation(entry),
                    "EXTINF \(entry.durationText) is not the configured duration \(String(format: "%.3f", configured)) within one frame (\(seconds(rendition.tolerance)) s)")
        }
    }

    // MARK: MP6 (discontinuity sequence)

    private static func checkDiscontinuitySequence(_ rendition: Rendition, _ context: CheckContext, _ log: inout FailureLog) {
        let playlist = rendition.playlist
        let growing = context.live || (playlist.playlistType == .event)
        if growing, playlist.discontinuitySequence == nil {
            log.add("MP6", .playlist(rendition.name), "live and event playlists must carry EXT-X-DISCONTINUITY-SEQUENCE")
        }
    }

    // MARK: MP9

    private static let dateFormat = try! NSRegularExpression(
        pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,}(Z|[+-]\d{2}:?\d{2})$"#)

    private static func checkProgramDateTime(_ rendition: Rendition, _ context: CheckContext, _ log: inout FailureLog) {
        let playlist = rendition.playlist
        // RFC 8216 §6.2.2: a server must not *remove* a segment if that leaves less than three target
        // durations. A stream that has removed nothing yet (MEDIA-SEQUENCE 0, no ENDLIST) is still filling
        // its first window, which is allowed to be short.
        if context.live && playlist.mediaSequence > 0 {
            let window = playlist.segments.reduce(0) { $0 + $1.duration }
            if window < 3 * Double(playlist.targetDuration) - Clock.slack {
                log.add("MP9", .playlist(rendition.name),
                        "the live window holds \(seconds(window)) s, less than 3 × the target duration (\(3 * playlist.targetDuration) s)")
            }
        }
        if context.live {
            for entry in rendition.entries where entry.segment.programDateTime == nil {
                log.add("MP9", rendition.segmentLocation(entry), "no EXT-X-PROGRAM-DATE-TIME on a live segment")
            }
        }
        for entry in rendition.entries {
            guard let text = entry.programDateTimeText else { continue }
            let range = NSRange(text.startIndex..., in: text)
            if dateFormat.firstMatch(in: text, range: range) == nil {
                log.add("MP9", rendition.segmentLocation(entry),
                        "EXT-X-PROGRAM-DATE-TIME \(text) is not ISO 8601 with milliseconds and a zone")
            }
        }
        // Wall clock and media clock advance together between discontinuities.
        let tolerance = rendition.tolerance + 0.001
        for (previous, entry) in zip(rendition.entries, rendition.entries.dropFirst()) where !entry.segment.discontinuity {
            guard let start = previous.segment.programDateTime, let next = entry.segment.programDateTime else { continue }
            let elapsed = next.timeIntervalSince(start)
            if abs(elapsed - previous.segment.duration) > tolerance {
                log.add("MP9", rendition.segmentLocation(entry),
                        "EXT-X-PROGRAM-DATE-TIME is \(seconds(elapsed)) s after the previous segment's, whose EXTINF is \(previous.durationText)")
            }
        }
    }

    // MARK: MP11

    private static func checkEnd(_ rendition: Rendition, _ context: CheckContext, _ log: inout FailureLog) {
        let playlist = rendition.playlist
        let here = Location.playlist(rendition.name)
        if !playlist.endList {
            if playlist.playlistType == .vod {
                log.add("MP11", here, "PLAYLIST-TYPE:VOD without #EXT-X-ENDLIST")
            } else if context.finished {
                log.add("MP11", here, "the stream is finished but this playlist has no #EXT-X-ENDLIST")
            }
        } else if rendition.lastLine != "#EXT-X-ENDLIST" {
            log.add("MP11", here, "#EXT-X-ENDLIST is not the last line")
        }
    }

    // MARK: MP5 (URIs)

    private static func checkUniqueURIs(_ context: CheckContext, _ log: inout FailureLog) {
        var firstUse: [[UInt8]: String] = [:]  // by path bytes: String keys compare canonically
        for rendition in context.renditions {
            for entry in rendition.entries where !entry.segment.gap {
                let here = "\(rendition.name) #\(entry.number)"
                if let earlier = firstUse[Array(entry.path.utf8)] {
                    log.add("MP5", rendition.segmentLocation(entry), "the same file as \(earlier): a URI names one segment only")
                } else {
                    firstUse[Array(entry.path.utf8)] = here
                }
            }
        }
    }
}
