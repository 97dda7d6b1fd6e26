/// S2, MP5 (time spans), MP7, MP8 and S3 (alternate audio): the renditions against each other, segment
/// number by segment number, so a player can switch at any boundary.
enum AlignmentRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        let video = context.videoRenditions
        guard let reference = video.first else { return }
        for rendition in video.dropFirst() {
            checkStarts(rendition, against: reference, &log)
            checkDeclaredSpans(rendition, against: reference, &log)
            if context.finished { checkSegmentNumbers(rendition, against: reference, &log) }
        }
        for rendition in context.audioRenditions {
            checkAudioSpans(rendition, against: reference, &log)
            checkDeclaredSpans(rendition, against: reference, &log)
            // The whole-stream extent is measured against a video rendition that is real at both ends: one
            // that was restarting at the start or end lists gaps there, with no media to measure.
            let realAtBothEnds = { (candidate: Rendition) in
                candidate.entries.first.map { !$0.segment.gap } ?? false && candidate.entries.last.map { !$0.segment.gap } ?? false
            }
            if context.finished, realAtBothEnds(rendition), let whole = context.videoRenditions.first(where: realAtBothEnds) {
                checkAudioExtent(rendition, against: whole, &log)
            }
        }
        checkDiscontinuities(context.renditions, &log)
        checkGaps(context.renditions, &log)
    }

    private static func entries(_ rendition: Rendition) -> [Int: MediaEntry] {
        Dictionary(rendition.entries.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: S2

    /// Video renditions are cut from one source at the same frames, so segment n starts at the very same
    /// PTS; 1 ms absorbs the rounding of different fMP4 timescales.
    private static func checkStarts(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        let others = entries(reference)
        for entry in rendition.entries {
            guard let start = entry.facts?.video?.timing.start,
                  let sibling = others[entry.number], let siblingStart = sibling.facts?.video?.timing.start else { continue }
            let difference = Clock.difference(start, siblingStart)
            if abs(difference) > 0.001 {
                log.add("S2", rendition.segmentLocation(entry),
                        "starts at PTS \(seconds(start)) but \(reference.name) #\(entry.number) starts at \(seconds(siblingStart))")
            }
        }
    }

    // MARK: MP5

    /// Segment n's EXTINF says the same span in every rendition (within the larger of the two "frames").
    private static func checkDeclaredSpans(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        let others = entries(reference)
        let tolerance = max(rendition.tolerance, reference.tolerance) + Clock.slack
        for entry in rendition.entries {
            guard let sibling = others[entry.number] else { continue }
            if abs(entry.segment.duration - sibling.segment.duration) > tolerance {
                log.add("MP5", rendition.segmentLocation(entry),
                        "EXTINF \(entry.durationText) but \(reference.name) #\(entry.number) lasts \(sibling.durationText): segment n must span the same time in every rendition")
            }
        }
    }

    /// Audio can only be cut on AAC frame boundaries, so its segment n starts within one audio frame of
    /// the video's segment n.
    private static func checkAudioSpans(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        let others = entries(reference)
        for entry in rendition.entries {
            guard let audio = entry.facts?.audio, let sibling = others[entry.number],
                  let videoStart = sibling.facts?.video?.timing.start else { continue }
            let difference = Clock.difference(audio.timing.start, videoStart)
            if abs(difference) > audio.frameDuration + Clock.slack {
                log.add("MP5", rendition.segmentLocation(entry),
                        "audio starts \(seconds(difference)) s from \(reference.name) #\(entry.number)'s video (more than one audio frame)")
            }
        }
    }

    /// A finished ladder lists the same segment numbers in every video rendition.
    private static func checkSegmentNumbers(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        let mine = rendition.entries.map(\.number)
        let theirs = reference.entries.map(\.number)
        if mine.first != theirs.first || mine.last != theirs.last {
            log.add("MP5", .playlist(rendition.name),
                    "lists segments \(range(mine)) but \(reference.name) lists \(range(theirs))")
        }
    }

    private static func range(_ numbers: [Int]) -> String {
        guard let first = numbers.first, let last = numbers.last else { return "none" }
        return "#\(first)–#\(last)"
    }

    // MARK: S3 (alternate audio)

    /// Over the whole stream the alternate audio starts and ends within one AAC frame of the video.
    private static func checkAudioExtent(_ rendition: Rendition, against reference: Rendition, _ log: inout FailureLog) {
        guard let firstAudio = rendition.probedEntries.first, let lastAudio = rendition.probedEntries.last,
              let audio = firstAudio.facts?.audio, let audioStart = rendition.timing(firstAudio)?.start,
              let audioEnd = rendition.mediaEnd(lastAudio),
              let firstVideo = reference.probedEntries.first, let lastVideo = reference.probedEntries.last,
              let videoStart = reference.timing(firstVideo)?.start, let videoEnd = reference.mediaEnd(lastVideo)
        else { return }
        let frame = audio.frameDuration + Clock.slack
        if abs(Clock.difference(audioStart, videoStart)) > frame || abs(Clock.difference(audioEnd, videoEnd)) > frame {
            log.add("S3", .playlist(rendition.name),
                    "audio spans \(seconds(audioStart))–\(seconds(audioEnd)) s but \(reference.name)'s video spans \(seconds(videoStart))–\(seconds(videoEnd)) s (more than one audio frame apart)")
        }
    }

    // MARK: MP7

    private static func checkDiscontinuities(_ renditions: [Rendition], _ log: inout FailureLog) {
        guard let reference = renditions.first else { return }
        for rendition in renditions.dropFirst() {
            let others = entries(reference)
            for entry in rendition.entries {
                guard let sibling = others[entry.number],
                      sibling.segment.discontinuity != entry.segment.discontinuity else { continue }
                let which = entry.segment.discontinuity ? "has" : "lacks"
                log.add("MP7", rendition.segmentLocation(entry),
                        "\(which) #EXT-X-DISCONTINUITY, unlike \(reference.name) #\(entry.number)")
            }
        }
    }

    // MARK: MP8

    /// A GAP entry stands for a segment its siblings have: same number, same duration within a frame. A
    /// number that is GAP in every rendition, with one duration, is a span nothing was made for (an
    /// epoch-locked instance that was down, docs/redundancy.md): players skip it or take it from the other
    /// instance.
    private static func checkGaps(_ renditions: [Rendition], _ log: inout FailureLog) {
        let indexed = renditions.map(entries)
        for (position, rendition) in renditions.enumerated() {
            let siblings = renditions.indices.filter { $0 != position && renditions[$0].isVideo == rendition.isVideo }
            for entry in rendition.entries where entry.segment.gap {
                let here = rendition.segmentLocation(entry)
                let covering = siblings.compactMap { index in indexed[index][entry.number].map { (renditions[index], $0) } }
                guard !covering.isEmpty else { continue }  // a live window edge: nothing to compare with
                let real = covering.filter { !$0.1.segment.gap }
                for (sibling, other) in real.isEmpty ? covering : real {
                    let tolerance = max(rendition.tolerance, sibling.tolerance) + Clock.slack
                    if abs(other.segment.duration - entry.segment.duration) > tolerance {
                        log.add("MP8", here, "GAP entry lasts \(entry.durationText) but \(sibling.name) #\(entry.number) lasts \(other.durationText)")
                    }
                }
            }
        }
    }
}
