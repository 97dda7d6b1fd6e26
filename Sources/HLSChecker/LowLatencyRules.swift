import Foundation
import HLSModel

/// LL1, LL2, LL3 (playlist order, and INDEPENDENT on each segment's first video part), LL5, LL6, LL7 and
/// LL8's window (HLS-RULES "Low-Latency HLS"), on one snapshot of the playlists. They apply only to a
/// stream that uses Low-Latency HLS at all (some part, PART-INF or SERVER-CONTROL).
///
/// Left to a checker that follows the stream over time or opens the parts: PART-TARGET never changing
/// (LL1 across reloads), the IDR behind each INDEPENDENT=YES (LL3), parts holding their segment's samples
/// (LL4), a hinted URI becoming that part (LL6), part timing (LL8) and delta updates equal to the full
/// playlist (LL9 beyond its version, which MP1 checks).
enum LowLatencyRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        guard context.renditions.contains(where: { usesLowLatency($0.playlist) }) else { return }
        for rendition in context.renditions {
            checkParts(rendition, &log)
            checkOrder(rendition, &log)
            checkServerControl(rendition, &log)
            checkPreloadHint(rendition, &log)
            checkPartWindow(rendition, &log)
        }
        checkSameEverywhere(context, &log)
        checkRenditionReports(context, &log)
    }

    static func usesLowLatency(_ playlist: MediaPlaylist) -> Bool {
        playlist.partTarget != nil || playlist.serverControl != nil || playlist.inProgress != nil
            || playlist.segments.contains { !$0.parts.isEmpty }
    }

    private static func allParts(_ playlist: MediaPlaylist) -> [[MediaPart]] {
        playlist.segments.map(\.parts) + (playlist.inProgress.map { [$0.parts] } ?? [])
    }

    // MARK: LL1, LL2, LL3 (INDEPENDENT)

    private static func checkParts(_ rendition: Rendition, _ log: inout FailureLog) {
        let here = Location.playlist(rendition.name)
        let groups = allParts(rendition.playlist)
        guard groups.contains(where: { !$0.isEmpty }) else { return }
        guard let target = rendition.playlist.partTarget else {
            log.add("LL1", here, "EXT-X-PART without EXT-X-PART-INF:PART-TARGET")
            return
        }
        let inProgress = rendition.playlist.inProgress != nil
        for (groupIndex, parts) in groups.enumerated() {
            let complete = !(inProgress && groupIndex == groups.count - 1)
            for (index, part) in parts.enumerated() {
                // Durations are written with five decimals; half a unit of the last is rounding, not excess.
                if part.duration > target + 0.000_005 {
                    log.add("LL2", here, "part \(printable(part.uri)) lasts \(part.duration) s, above PART-TARGET \(target)")
                }
                let exempt = part.independent || part.gap || (index + 1 < parts.count && parts[index + 1].gap)
                    || (complete && index == parts.count - 1)
                if !exempt, part.duration < 0.85 * target - 0.000_005 {
                    log.add("LL2", here, "part \(printable(part.uri)) lasts \(part.duration) s, under 85 % of PART-TARGET \(target)")
                }
            }
            // Every segment starts with an IDR (S1), so its first video part is independent.
            // A segment's parts are listed all or none, so the first listed is the segment's first.
            if rendition.isVideo, let first = parts.first, !first.independent, !first.gap {
                log.add("LL3", here, "part \(printable(first.uri)) starts a segment (an IDR) but is not INDEPENDENT=YES")
            }
        }
    }

    // MARK: LL3 (order)

    /// DISCONTINUITY, MAP and PROGRAM-DATE-TIME go before a segment's first EXT-X-PART: the model keeps
    /// them per segment, so the order is read from the text.
    private static func checkOrder(_ rendition: Rendition, _ log: inout FailureLog) {
        var inParts = false
        for (index, raw) in rendition.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#EXT-X-PART:") {
                inParts = true
            } else if line.hasPrefix("#EXTINF") {
                inParts = false
            } else if inParts, let tag = ["#EXT-X-DISCONTINUITY", "#EXT-X-MAP", "#EXT-X-PROGRAM-DATE-TIME"].first(where: { line.hasPrefix($0) }) {
                log.add("LL3", .playlist(rendition.name), "line \(index + 1): \(tag.dropFirst()) comes after the segment's first EXT-X-PART; it must come before it")
            }
        }
    }

    // MARK: LL5

    private static func checkServerControl(_ rendition: Rendition, _ log: inout FailureLog) {
        let here = Location.playlist(rendition.name)
        let playlist = rendition.playlist
        guard let control = playlist.serverControl else {
            if allParts(playlist).contains(where: { !$0.isEmpty }) {
                log.add("LL5", here, "parts without EXT-X-SERVER-CONTROL (CAN-BLOCK-RELOAD=YES, PART-HOLD-BACK)")
            }
            return
        }
        let target = Double(playlist.targetDuration)
        if !control.canBlockReload { log.add("LL5", here, "EXT-X-SERVER-CONTROL without CAN-BLOCK-RELOAD=YES") }
        if let partTarget = playlist.partTarget {
            switch control.partHoldBack {
            case nil: log.add("LL5", here, "no PART-HOLD-BACK; it must be at least 3 × PART-TARGET (\(3 * partTarget) s)")
            case let hold? where hold < 3 * partTarget - 0.0005:
                log.add("LL5", here, "PART-HOLD-BACK \(hold) is under 3 × PART-TARGET (\(3 * partTarget) s)")
            default: break
            }
        }
        if let hold = control.holdBack, hold < 3 * target - 0.0005 {
            log.add("LL5", here, "HOLD-BACK \(hold) is under 3 × EXT-X-TARGETDURATION (\(3 * target) s)")
        }
        if let skip = control.canSkipUntil, skip < 6 * target - 0.0005 {
            log.add("LL5", here, "CAN-SKIP-UNTIL \(skip) is under 6 × EXT-X-TARGETDURATION (\(6 * target) s)")
        }
    }

    /// LL1 and LL5 across the stream: the same PART-TARGET and EXT-X-SERVER-CONTROL in every playlist.
    private static func checkSameEverywhere(_ context: CheckContext, _ log: inout FailureLog) {
        guard let first = context.renditions.first else { return }
        for rendition in context.renditions.dropFirst() {
            if rendition.playlist.partTarget != first.playlist.partTarget {
                log.add("LL1", .playlist(rendition.name), "PART-TARGET \(rendition.playlist.partTarget.map { "\($0)" } ?? "absent") differs from \(first.name)'s \(first.playlist.partTarget.map { "\($0)" } ?? "absent")")
            }
            if rendition.playlist.serverControl != first.playlist.serverControl {
                log.add("LL5", .playlist(rendition.name), "EXT-X-SERVER-CONTROL differs from \(first.name)'s; it must be identical in every media playlist")
            }
        }
    }

    // MARK: LL6

    private static func checkPreloadHint(_ rendition: Rendition, _ log: inout FailureLog) {
        guard let hint = rendition.playlist.preloadHint else { return }
        if rendition.playlist.endList {
            log.add("LL6", .playlist(rendition.name), "EXT-X-PRELOAD-HINT \(printable(hint.uri)) in a playlist with EXT-X-ENDLIST")
        }
        let listed = Set(allParts(rendition.playlist).joined().map(\.uri))
        if hint.kind == .part, listed.contains(hint.uri) {
            log.add("LL6", .playlist(rendition.name), "EXT-X-PRELOAD-HINT names \(printable(hint.uri)), a part already listed; it must name the next part")
        }
    }

    // MARK: LL7

    private static func checkRenditionReports(_ context: CheckContext, _ log: inout FailureLog) {
        for rendition in context.renditions where !rendition.playlist.endList {
            let here = Location.playlist(rendition.name)
            let siblings = context.renditions.filter { $0.name != rendition.name && $0.isVideo == rendition.isVideo }
            let directory = OutputFolder.directory(of: rendition.path)
            for report in rendition.playlist.renditionReports {
                if report.uri.hasPrefix("/") || report.uri.contains("://") {
                    log.add("LL7", here, "EXT-X-RENDITION-REPORT URI \(printable(report.uri)) is not relative")
                }
                if rendition.playlist.partTarget != nil, report.lastPart == nil {
                    log.add("LL7", here, "EXT-X-RENDITION-REPORT for \(printable(report.uri)) has no LAST-PART")
                }
            }
            // Reports are owed by a stream with parts: a low-latency client switches renditions on them
            // (Apple's authoring spec). Blocking reload of whole segments alone does not call for them.
            guard rendition.playlist.partTarget != nil else { continue }
            let reported = Set(rendition.playlist.renditionReports.compactMap { context.folder.resolve($0.uri, from: directory).path })
            for sibling in siblings where !reported.contains(sibling.path) {
                log.add("LL7", here, "no EXT-X-RENDITION-REPORT for \(sibling.name)")
            }
        }
    }

    // MARK: LL8 (the window)

    /// Parts leave the playlist once their segment is more than 3 × target duration from the end.
    private static func checkPartWindow(_ rendition: Rendition, _ log: inout FailureLog) {
        let playlist = rendition.playlist
        guard !playlist.endList else { return }
        let limit = 3 * Double(playlist.targetDuration)
        var fromEnd = playlist.inProgress.map { $0.parts.reduce(0) { $0 + $1.duration } } ?? 0
        for segment in playlist.segments.reversed() {
            // How far the segment's end is from the live edge.
            let endFromEdge = fromEnd
            fromEnd += segment.duration
            if !segment.parts.isEmpty, endFromEdge > limit + 0.001 {
                log.add("LL8", .playlist(rendition.name), "\(printable(segment.uri)) still lists its parts, ending \(endFromEdge) s from the live edge: over 3 × target duration (\(limit) s)")
            }
        }
    }
}
