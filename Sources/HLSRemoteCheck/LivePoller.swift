import Foundation
import HLSChecker
import HLSModel

/// Polls one media playlist for the length of a `--live` check, the way a player does, and checks what
/// only shows over time (docs/check.md, "Over HTTP: live").
///
/// Two tasks per playlist: the reload loop, which asks for the next playlist as soon as it has one (so its
/// timings are the server's, not the checker's), and a fetch worker, which downloads every segment and
/// part the moment it is first listed and compares a completed segment with its parts.
struct LivePoller: Sendable {
    let source: MediaPlaylistSource
    let address: StreamAddress
    let fetcher: StreamFetcher
    let log: RemoteFailureLog
    let tolerances: LiveTolerances

    /// Something newly listed, for the fetch worker.
    private enum Listed: Sendable {
        /// `keep`: a part, or a segment with parts, whose bytes the LL4 comparison needs.
        case resource(uri: String, number: Int?, kind: HeaderRules.Kind, targetDuration: Int, keep: Bool)
        /// A segment that completed with parts the worker fetched: compare them.
        case completed(number: Int, uri: String, parts: [String])
    }

    /// Polls until `deadline`; returns the number of reloads made.
    @discardableResult
    func run(first: MediaPlaylist, until deadline: ContinuousClock.Instant) async -> Int {
        let (stream, continuation) = AsyncStream.makeStream(of: Listed.self)
        return await withTaskGroup(of: Int.self) { group in
            group.addTask { await fetchWorker(stream); return 0 }
            group.addTask {
                let reloads = await reloadLoop(first: first, until: deadline, listed: continuation)
                continuation.finish()
                return reloads
            }
            var reloads = 0
            for await count in group { reloads += count }
            return reloads
        }
    }

    // MARK: Reloading

    private func reloadLoop(first: MediaPlaylist, until deadline: ContinuousClock.Instant,
                            listed: AsyncStream<Listed>.Continuation) async -> Int {
        var history = PlaylistHistory()
        _ = history.observe(first)
        var current = first
        var seen: Set<String> = []
        announce(current, seen: &seen, listed: listed)
        var lastChange = ContinuousClock.now
        var stallReported = false
        var lastPart: (edge: PlaylistEdge, at: ContinuousClock.Instant)?
        var partGaps: [Double] = []
        var reloads = 0

        // A playlist with ENDLIST is still reloaded (plainly, every half target duration): it must not
        // change any more (MP11).
        while ContinuousClock.now < deadline {
            let targetDuration = Double(current.targetDuration)
            let partTarget = current.partTarget.map { min($0, targetDuration) }
            let blocking = current.serverControl?.canBlockReload == true && !current.endList
            let asked = blocking ? Self.nextRequest(after: current) : nil
            var url = source.url
            if let asked {
                let query = "_HLS_msn=\(asked.msn)" + (asked.part.map { "&_HLS_part=\($0)" } ?? "")
                url = URL(string: source.url.absoluteString + "?" + query) ?? source.url
            } else {
                // RFC 8216 §6.3.4 reloads after a target duration; polling faster (half of one, or a part)
                // only makes the observed update times closer to the real ones.
                let interval = partTarget ?? targetDuration / 2
                try? await Task.sleep(until: min(deadline, .now + .seconds(interval)))
                guard ContinuousClock.now < deadline else { break }
            }
            let holdLimit = 3 * targetDuration  // O2: the server answers 503 by then
            let timeout = asked == nil ? StreamFetcher.requestTimeout
                : min(holdLimit + tolerances.prompt(targetDuration), max(0.5, ContinuousClock.now.duration(to: deadline).seconds + 0.5))
            let resource: FetchedResource
            reloads += 1
            log.count(asked == nil ? \.reloads : \.blockingReloads)
            do {
                resource = try await fetcher.get(url, limit: OutputFolder.playlistLimit, timeout: timeout, allowRedirect: { address.contains($0) })
            } catch {
                if ContinuousClock.now >= deadline { break }  // cut off by the end of the check, not the server
                if asked != nil, case .transport = error {
                    log.add("O2", source.name, "a blocking reload (\(url.query ?? "")) got no answer in \(HeaderRules.format(timeout)) s; it must be answered, or 503 after 3 × target duration")
                } else {
                    log.add("MP12", source.name, "reload \(reloads): GET \(url.absoluteString) \(error)")
                }
                await pause(current, until: deadline)
                continue
            }
            let now = ContinuousClock.now
            if resource.status == 503, asked != nil {
                if resource.elapsed < holdLimit * tolerances.earliest503 {
                    log.add("O2", source.name, "a blocking reload (\(url.query ?? "")) was answered 503 after \(HeaderRules.format(resource.elapsed)) s, before 3 × target duration (\(HeaderRules.format(holdLimit)) s)")
                }
                checkStall(lastChange: lastChange, now: now, targetDuration: targetDuration, finished: current.endList, reported: &stallReported)
                await pause(current, until: deadline)
                continue
            }
            guard resource.status == 200 else {
                log.add("MP12", source.name, "reload \(reloads): GET \(url.absoluteString) answered \(resource.status)")
                await pause(current, until: deadline)
                continue
            }
            checkHeaders(resource, targetDuration: targetDuration, partTarget: partTarget)
            guard let text = String(validating: resource.body, as: UTF8.self) else {
                log.add("MP1", source.name, "reload \(reloads): the playlist is not UTF-8 text")
                await pause(current, until: deadline)
                continue
            }
            let playlist: MediaPlaylist
            do {
                playlist = try MediaPlaylist.parse(text)
            } catch {
                log.add("MP1", source.name, "reload \(reloads): \(error)")
                await pause(current, until: deadline)
                continue
            }
            for finding in history.observe(playlist) {
                log.add(finding.rule, source.name, segment: finding.segment, finding.message)
            }
            if let asked, !playlist.endList, !PlaylistHistory.satisfies(playlist, msn: asked.msn, part: asked.part) {
                log.add("O1", source.name, "a blocking reload (\(url.query ?? "")) was answered after \(HeaderRules.format(resource.elapsed)) s with a playlist that lists only up to \(PlaylistEdge(playlist)); it must be held until that exists")
                await pause(playlist, until: deadline)  // a server that does not hold must not be asked in a tight loop
            }
            let before = PlaylistEdge(current), after = PlaylistEdge(playlist)
            if after > before {
                checkStall(lastChange: lastChange, now: now, targetDuration: targetDuration, finished: current.endList, reported: &stallReported)
                lastChange = now
                stallReported = false
                // LL8: the time from one part to the next, measured only when this answer adds exactly the
                // part a blocking request waited for and the previous one was measured the same way.
                if let asked, asked.part != nil, partTarget != nil {
                    if let last = lastPart, Self.isNextPart(after, following: last.edge, in: playlist) {
                        partGaps.append(last.at.duration(to: now).seconds)
                    }
                    lastPart = (after, now)
                } else {
                    lastPart = nil
                }
            } else {
                checkStall(lastChange: lastChange, now: now, targetDuration: targetDuration, finished: current.endList, reported: &stallReported)
            }
            announce(playlist, seen: &seen, listed: listed, completedFrom: current)
            current = playlist
        }
        if let partTarget = current.partTarget { checkPartTiming(partGaps, partTarget: partTarget) }
        log.count(\.partGapsTimed, by: partGaps.count)
        return reloads
    }

    /// After a failed or early answer, wait as a player does before asking again (half a target duration,
    /// or a part), so a server that fails fast is not asked in a tight loop.
    private func pause(_ playlist: MediaPlaylist, until deadline: ContinuousClock.Instant) async {
        let interval = playlist.partTarget.map { min($0, Double(playlist.targetDuration)) } ?? Double(playlist.targetDuration) / 2
        try? await Task.sleep(until: min(deadline, .now + .seconds(interval)))
    }

    /// The blocking request a player sends next: the next part (LL-HLS) or the next segment.
    static func nextRequest(after playlist: MediaPlaylist) -> (msn: Int, part: Int?) {
        let edge = PlaylistEdge(playlist)
        guard playlist.partTarget != nil else { return (edge.sequence, nil) }
        return (edge.sequence, edge.parts)
    }

    /// Whether the edge `after` is exactly one part past `before`.
    private static func isNextPart(_ after: PlaylistEdge, following before: PlaylistEdge, in playlist: MediaPlaylist) -> Bool {
        if after.sequence == before.sequence { return after.parts == before.parts + 1 }
        // The segment in progress completed with `before.parts` parts and the next one has its first part.
        guard after.sequence == before.sequence + 1, after.parts == 1 else { return false }
        let index = before.sequence - playlist.mediaSequence
        return index >= 0 && index < playlist.segments.count && playlist.segments[index].parts.count == before.parts
    }

    /// LIVE1: the playlist changes (a new segment or part) within 1.5 × target duration.
    private func checkStall(lastChange: ContinuousClock.Instant, now: ContinuousClock.Instant, targetDuration: Double,
                            finished: Bool = false, reported: inout Bool) {
        guard !finished else { return }  // LIVE1 is for live playlists
        let unchanged = lastChange.duration(to: now).seconds
        let limit = tolerances.stallLimit(targetDuration)
        guard unchanged > limit, !reported else { return }
        reported = true
        log.add("LIVE1", source.name, "the live playlist did not change for \(HeaderRules.format(unchanged)) s; it must gain a segment or part within 1.5 × target duration (\(HeaderRules.format(1.5 * targetDuration)) s, \(HeaderRules.format(limit)) s with the tolerance)")
    }

    /// LL8 over the whole poll: no gap between parts beyond the per-part limit, and a median near PART-TARGET.
    private func checkPartTiming(_ gaps: [Double], partTarget: Double) {
        let limit = tolerances.partGapLimit(partTarget)
        for (index, gap) in gaps.enumerated() where gap > limit {
            log.add("LL8", source.name, "part \(index + 2) of the poll appeared \(HeaderRules.format(gap)) s after the previous one; the limit is PART-TARGET \(HeaderRules.format(partTarget)) s, \(HeaderRules.format(limit)) s with the tolerance")
        }
        guard gaps.count >= 5 else { return }
        let median = gaps.sorted()[gaps.count / 2]
        if median > partTarget * tolerances.partMedianRatio {
            log.add("LL8", source.name, "parts appeared a median \(HeaderRules.format(median)) s apart over \(gaps.count) parts; PART-TARGET is \(HeaderRules.format(partTarget)) s (limit \(HeaderRules.format(partTarget * tolerances.partMedianRatio)) s)")
        }
    }

    private func checkHeaders(_ resource: FetchedResource, targetDuration: Double, partTarget: Double?) {
        if let problem = HeaderRules.contentTypeProblem(resource.contentType, kind: .playlist) {
            log.add("O5", source.name, problem)
        }
        if let problem = HeaderRules.playlistCachingProblem(resource.cacheControl, limit: partTarget ?? targetDuration / 2) {
            log.add("O5", source.name, problem)
        }
    }

    /// Hands what `playlist` lists for the first time to the fetch worker, and each segment that completed
    /// since `previous` with its parts.
    private func announce(_ playlist: MediaPlaylist, seen: inout Set<String>, listed: AsyncStream<Listed>.Continuation,
                          completedFrom previous: MediaPlaylist? = nil) {
        let kind: HeaderRules.Kind = playlist.map == nil ? .transportStream : .fragmentedMP4
        var listedNow: Set<String> = []
        func offer(_ uri: String, _ number: Int?, keep: Bool = false) {
            listedNow.insert(uri)
            if seen.insert(uri).inserted {
                listed.yield(.resource(uri: uri, number: number, kind: kind, targetDuration: playlist.targetDuration,
                                       keep: keep && kind == .fragmentedMP4))
            }
        }
        if let map = playlist.map { offer(map, nil) }
        let previousComplete = previous.map { $0.mediaSequence + $0.segments.count } ?? Int.max
        for (index, segment) in playlist.segments.enumerated() {
            let number = playlist.mediaSequence + index
            for part in segment.parts where !part.gap { offer(part.uri, number, keep: true) }
            if !segment.gap { offer(segment.uri, number, keep: !segment.parts.isEmpty) }
            if number >= previousComplete, !segment.parts.isEmpty, !segment.gap, !segment.parts.contains(where: \.gap) {
                listed.yield(.completed(number: number, uri: segment.uri, parts: segment.parts.map(\.uri)))
            }
        }
        let progressNumber = playlist.mediaSequence + playlist.segments.count
        for part in playlist.inProgress?.parts ?? [] where !part.gap { offer(part.uri, progressNumber, keep: true) }
        // Forget what left the playlist, so memory stays bounded however long the check runs.
        seen.formIntersection(listedNow)
    }

    // MARK: Fetching

    private func fetchWorker(_ stream: AsyncStream<Listed>) async {
        let directory = OutputFolder.directory(of: source.mirrorPath)
        // Fetched parts and segments with parts, until their comparison: a few segments' worth, since a
        // segment completes about when its parts are listed.
        var bytes: [String: [UInt8]] = [:]
        for await item in stream {
            switch item {
            case .resource(let uri, let number, let kind, let targetDuration, let keep):
                guard case .success(let target) = address.resolve(uri, from: directory) else { continue }  // URI1, at the end
                let segment = number.map { ($0, uri) }
                do {
                    let resource = try await fetcher.get(target.url, limit: OutputFolder.mediaLimit, allowRedirect: { address.contains($0) })
                    guard resource.status == 200 else {
                        log.add("MP12", source.name, segment: segment, "listed but not downloadable: GET \(target.url.absoluteString) answered \(resource.status)")
                        continue
                    }
                    if let expected = resource.contentLength, expected != resource.body.count {
                        log.add("MP12", source.name, segment: segment, "listed but GET \(target.url.absoluteString) sent \(resource.body.count) of \(expected) bytes")
                        continue
                    }
                    if let problem = HeaderRules.contentTypeProblem(resource.contentType, kind: kind) {
                        log.add("O5", source.name, segment: segment, problem)
                    }
                    if let problem = HeaderRules.mediaCachingProblem(resource.cacheControl, minimum: 3 * Double(targetDuration)) {
                        log.add("O5", source.name, segment: segment, problem)
                    }
                    log.count(\.resourcesFetchedWhenListed)
                    if keep { bytes[uri] = resource.body }
                } catch {
                    log.add("MP12", source.name, segment: segment, "listed but not downloadable: GET \(target.url.absoluteString) \(error)")
                }
            case .completed(let number, let uri, let parts):
                defer {
                    bytes[uri] = nil
                    for part in parts { bytes[part] = nil }
                }
                guard let segmentBytes = bytes[uri] else { continue }
                let partBytes = parts.compactMap { bytes[$0] }
                guard partBytes.count == parts.count else { continue }  // a part listed before the poll began
                log.count(\.segmentsComparedWithParts)
                if let problem = PartSamples.problem(parts: partBytes, segment: segmentBytes) {
                    log.add("LL4", source.name, segment: (number, uri), problem)
                }
            }
            // Parts whose segment left before completing (or never completed) must not pile up.
            if bytes.count > 256 { bytes.removeAll() }
        }
    }
}

/// The tolerances of the live rules, in one place (docs/check.md lists them). Timings are measured on the
/// checker's clock, over a network and on a machine that may be busy, so each limit is the rule's value
/// plus a margin; the margins are ratios of the stream's own durations where the rule is one.
struct LiveTolerances: Sendable {
    /// LIVE1: unchanged for more than 1.5 × target duration, plus this many target durations, plus 0.5 s.
    var stallMargin = 0.25
    /// LL8: a gap between two parts beyond 2 × PART-TARGET + 0.5 s, or a median gap beyond 1.25 × PART-TARGET.
    var partGapRatio = 2.0
    var partMedianRatio = 1.25
    /// O2: a 503 earlier than 90 % of 3 × target duration.
    var earliest503 = 0.9

    func stallLimit(_ targetDuration: Double) -> Double { (1.5 + stallMargin) * targetDuration + 0.5 }
    func partGapLimit(_ partTarget: Double) -> Double { partGapRatio * partTarget + 0.5 }
    /// O1/O2: "at once": within 1 s, or half a target duration when that is longer.
    func prompt(_ targetDuration: Double) -> Double { max(1.0, targetDuration / 2) }
}
