/// MP12, S1, S3, S4, S5, MP3 (durations) and MP6 (continuity): each rendition's segments, one after the
/// other.
enum SegmentRules {
    static func check(_ context: CheckContext, _ log: inout FailureLog) {
        for rendition in context.renditions {
            checkReadable(rendition, &log)
            checkInitSegment(rendition, &log)
            if rendition.isVideo { checkKeyframes(rendition, &log) }
            checkDurations(rendition, &log)
            checkContinuity(rendition, &log)
            checkTimestampOrder(rendition, &log)
            checkAudioSync(rendition, context, &log)
        }
    }

    // MARK: MP12 and container findings

    private static func checkReadable(_ rendition: Rendition, _ log: inout FailureLog) {
        for entry in rendition.entries {
            switch entry.outcome {
            case .unusable(let reason):
                log.add("MP12", rendition.segmentLocation(entry), reason)
            case .refused(let reason):
                log.add("URI1", rendition.segmentLocation(entry), "the URI \(reason); it is not opened")
            case .probed(let facts):
                for problem in facts.structureProblems {
                    log.add(problem.rule, rendition.segmentLocation(entry), problem.message)
                }
                if facts.video == nil, facts.audio == nil {
                    log.add("MP12", rendition.segmentLocation(entry), "holds no audio or video packet")
                }
            case .gap, .needsInitSegment:
                break
            }
        }
    }

    // MARK: S4 (init), S1 (parameter sets in the init)

    private static func checkInitSegment(_ rendition: Rendition, _ log: inout FailureLog) {
        let here = Location.playlist(rendition.name)
        let fragmented = rendition.entries.contains {
            if case .needsInitSegment = $0.outcome { return true }
            return $0.facts?.container == .fragmentedMP4
        }
        if rendition.playlist.map == nil {
            if fragmented { log.add("S4", here, "fMP4 segments but no EXT-X-MAP naming their init segment") }
            return
        }
        guard let facts = rendition.initFacts else { return }  // missing: MP12 already said so
        for problem in facts.problems { log.add(problem.rule, here, "init segment: \(problem.message)") }
        let kinds = Set(facts.tracks.values)
        if rendition.isVideo, !facts.tracks.isEmpty, !kinds.contains("vide") {
            log.add("S4", here, "the init segment declares no video track")
        }
        if !rendition.isVideo, !facts.tracks.isEmpty, !kinds.contains("soun") {
            log.add("S4", here, "the init segment declares no audio track")
        }
        if rendition.probedEntries.contains(where: { $0.facts?.video?.configurationHasParameterSets == false }) {
            log.add("S1", here, "the init segment's avcC carries no SPS/PPS")
        }
    }

    // MARK: S1

    private static func checkKeyframes(_ rendition: Rendition, _ log: inout FailureLog) {
        for entry in rendition.probedEntries {
            let here = rendition.segmentLocation(entry)
            guard let video = entry.facts?.video else {
                log.add("S1", here, "a video rendition's segment carries no video")
                continue
            }
            guard video.codec == "h264" else { continue }
            let types = video.firstPacketUnitTypes.sorted().map(String.init).joined(separator: ",")
            if !video.firstPacketIsKeyframe || !video.firstPacketUnitTypes.contains(H264Bitstream.idrSlice) {
                log.add("S1", here, "the first video frame is not an IDR (NAL types \(types), keyframe flag \(video.firstPacketIsKeyframe))")
            }
            if entry.facts?.container == .transportStream,
               !video.firstPacketUnitTypes.isSuperset(of: [H264Bitstream.sequenceParameterSet, H264Bitstream.pictureParameterSet]) {
                log.add("S1", here, "the first video frame carries no in-band SPS and PPS (NAL types \(types))")
            }
        }
    }

    // MARK: MP3

    /// Each EXTINF against the segment's media, and the running sum against the media timeline. A
    /// segment's media lasts until the next segment's first frame when the two are continuous, else
    /// until its own last frame ends (then MP6 reports the jump, and MP3 only what EXTINF gets wrong).
    private static func checkDurations(_ rendition: Rendition, _ log: inout FailureLog) {
        let tolerance = rendition.tolerance + Clock.slack
        var run: (start: Double, declared: Double)?
        var previousEnd: Double?
        for (index, entry) in rendition.entries.enumerated() {
            guard let timing = rendition.timing(entry), let end = realEnd(of: index, in: rendition) else {
                run = nil  // a gap or an unreadable segment: the timeline cannot be followed across it
                previousEnd = nil
                continue
            }
            // A discontinuity, or a jump MP6/S5 report, starts a new timeline to follow.
            if entry.segment.discontinuity || previousEnd.map({ abs(timing.start - $0) > tolerance }) ?? true {
                run = nil
            }
            previousEnd = end
            let here = rendition.segmentLocation(entry)
            let real = end - timing.start
            if abs(entry.segment.duration - real) > tolerance {
                log.add("MP3", here, "EXTINF \(entry.durationText) but the media lasts \(seconds(real)) s")
                run = nil  // start afresh after the next segment: one wrong EXTINF is one failure
                continue
            }
            var current = run ?? (timing.start, 0)
            current.declared += entry.segment.duration
            let drift = current.declared - (end - current.start)
            if abs(drift) > tolerance {
                log.add("MP3", here, "the EXTINF sum drifts \(seconds(drift)) s from the media timeline (more than one frame)")
                run = nil
            } else {
                run = current
            }
        }
    }

    /// Where entry `index`'s media really ends: the next segment's start when it follows on within a frame.
    private static func realEnd(of index: Int, in rendition: Rendition) -> Double? {
        let entry = rendition.entries[index]
        guard let ownEnd = rendition.mediaEnd(entry) else { return nil }
        let nextIndex = index + 1
        guard nextIndex < rendition.entries.count else { return ownEnd }
        let next = rendition.entries[nextIndex]
        guard !next.segment.discontinuity, let nextStart = rendition.timing(next)?.start,
              abs(nextStart - ownEnd) <= rendition.tolerance + Clock.slack else { return ownEnd }
        return nextStart
    }

    // MARK: MP6 (continuity and parameters), S4 (tfdt continuity)

    private static func checkContinuity(_ rendition: Rendition, _ log: inout FailureLog) {
        let tolerance = rendition.tolerance + Clock.slack
        for (previous, entry) in zip(rendition.entries, rendition.entries.dropFirst()) where !entry.segment.discontinuity {
            guard let before = previous.facts, let after = entry.facts,
                  let last = rendition.timing(previous), let first = rendition.timing(entry),
                  let end = rendition.mediaEnd(previous) else { continue }
            let here = rendition.segmentLocation(entry)
            if first.start < last.lastPresentation - Clock.slack {
                continue  // going backwards: S5 reports it
            }
            if after.container == .fragmentedMP4 {
                // tfdt is a decode time: it must continue the previous fragment's decode timeline.
                let step = last.lastDecodeDuration > 0
                    ? last.lastDecodeDuration
                    : (rendition.isVideo ? rendition.frameDuration : before.audio?.frameDuration ?? 0)
                let jump = first.firstDecode - (last.lastDecode + step)
                if abs(jump) > tolerance {
                    log.add("S4", here, "tfdt \(seconds(first.firstDecode)) does not continue the previous segment's timeline (ends at \(seconds(last.lastDecode + step)))")
                }
            } else if abs(first.start - end) > tolerance {
                log.add("MP6", here, "starts at \(seconds(first.start)), \(seconds(first.start - end)) s from where the previous segment ends, without #EXT-X-DISCONTINUITY")
            }
            for change in parameterChanges(before, after) {
                log.add("MP6", here, "\(change) without #EXT-X-DISCONTINUITY")
            }
        }
    }

    private static func parameterChanges(_ before: SegmentFacts, _ after: SegmentFacts) -> [String] {
        var changes: [String] = []
        if let a = before.video, let b = after.video {
            if a.width > 0, b.width > 0, a.width != b.width || a.height != b.height {
                changes.append("the picture size changes from \(a.width)x\(a.height) to \(b.width)x\(b.height)")
            }
            if let x = a.codecString, let y = b.codecString, x != y { changes.append("the SPS changes from \(x) to \(y)") }
        }
        if let a = before.audio, let b = after.audio {
            if a.sampleRate != b.sampleRate || a.channels != b.channels || a.codec != b.codec {
                changes.append("the audio changes from \(a.codec) \(a.sampleRate) Hz \(a.channels) ch to \(b.codec) \(b.sampleRate) Hz \(b.channels) ch")
            }
        }
        if (before.video == nil) != (after.video == nil) || (before.audio == nil) != (after.audio == nil) {
            changes.append("the set of streams changes")
        }
        return changes
    }

    // MARK: S5

    private static func checkTimestampOrder(_ rendition: Rendition, _ log: inout FailureLog) {
        for entry in rendition.probedEntries {
            let here = rendition.segmentLocation(entry)
            for (kind, timing) in [("video", entry.facts?.video?.timing), ("audio", entry.facts?.audio?.timing)] {
                guard let timing else { continue }
                if let back = timing.decodeWentBackwards {
                    log.add("S5", here, "\(kind) timestamps go backwards inside the segment, from \(seconds(back.from)) to \(seconds(back.to))")
                }
            }
            if let repeated = entry.facts?.video?.timing.repeatedPresentation {
                log.add("S5", here, "two video frames share the presentation time \(seconds(repeated))")
            }
        }
        for (previous, entry) in zip(rendition.entries, rendition.entries.dropFirst()) where !entry.segment.discontinuity {
            guard let before = previous.facts, let after = entry.facts else { continue }
            for (kind, last, first) in [("video", before.video?.timing, after.video?.timing),
                                        ("audio", before.audio?.timing, after.audio?.timing)] {
                guard let last, let first else { continue }
                if first.firstDecode < last.lastDecode - Clock.slack || first.start < last.lastPresentation - Clock.slack {
                    log.add("S5", rendition.segmentLocation(entry),
                            "\(kind) starts at \(seconds(first.start)), before the previous segment's last frame at \(seconds(last.lastPresentation)), without #EXT-X-DISCONTINUITY")
                }
            }
        }
    }

    // MARK: S3 (muxed audio)

    /// In a TS rendition carrying audio and video, each segment carries its span's audio, starting within
    /// one AAC frame of the video; over the stream audio ends within one AAC frame of the video. (Start and
    /// end are compared rather than durations, so the AAC encoder's priming frame before the first video
    /// frame is not counted twice.)
    private static func checkAudioSync(_ rendition: Rendition, _ context: CheckContext, _ log: inout FailureLog) {
        guard rendition.isVideo, rendition.probedEntries.contains(where: { $0.facts?.audio != nil }) else { return }
        var lastPair: (video: Double, audio: Double, frame: Double, entry: MediaEntry)?
        for entry in rendition.probedEntries {
            guard let video = entry.facts?.video, let videoEnd = rendition.mediaEnd(entry) else { continue }
            let here = rendition.segmentLocation(entry)
            guard let audio = entry.facts?.audio else {
                log.add("S3", here, "carries no audio, while the rendition's other segments do")
                continue
            }
            let frame = audio.frameDuration
            let offset = audio.timing.start - video.timing.start
            if abs(offset) > frame + Clock.slack {
                log.add("S3", here, "first audio PTS is \(seconds(offset)) s from the first video PTS (more than one audio frame, \(seconds(frame)) s)")
            }
            let audioEnd = audio.timing.lastPresentation
                + (audio.timing.lastPresentationDuration > 0 ? audio.timing.lastPresentationDuration : frame)
            // Inside a segment the muxer's interleaving may leave up to a video frame of audio either side.
            if abs(audioEnd - videoEnd) > frame + rendition.frameDuration + Clock.slack {
                log.add("S3", here, "its audio ends \(seconds(audioEnd - videoEnd)) s from its video: the segment does not carry the audio of its span")
            }
            lastPair = (videoEnd, audioEnd, frame, entry)
        }
        if context.finished, let last = lastPair, abs(last.audio - last.video) > last.frame + Clock.slack {
            log.add("S3", .playlist(rendition.name),
                    "over the whole stream audio ends \(seconds(last.audio - last.video)) s from the video (more than one audio frame)")
        }
    }
}
