import Foundation
import HLSModel
import FFmpegKit

/// Writes one rendition's files: each segment (atomically), then its media playlist (atomically), so a
/// playlist never lists a segment that is not complete on disk (rule MP12). Runs on the rendition's thread.
///
/// Segment numbers the rendition missed while it restarted are listed as `EXT-X-GAP` entries with the
/// numbers and durations ingest gave every rendition (`SegmentRegistry`), so playlists stay aligned; a
/// stand-in segment (`GapFiller`) is written at each GAP entry's URI for players that fetch it anyway.
///
/// Called from the rendition's thread; `lock` also keeps out a stale thread of a worker the watchdog gave
/// up on.
///
/// Live playlists keep a sliding window: a segment that leaves it advances MEDIA-SEQUENCE (and
/// DISCONTINUITY-SEQUENCE when it carried a discontinuity), and its file is deleted only after the
/// RFC 8216 §6.2.2 grace: its own duration plus the longest playlist that listed it (rule MP10).
final class RenditionPublisher: SegmentSink {
    let name: String
    let directory: String
    private let segmentExtension: String
    private let kind: PlaylistKind
    private let listSize: Int
    private let master: MasterPublisher
    private let segmentLog: SegmentLog?
    private let registry: SegmentRegistry
    private let filler: GapFiller?
    private let events: RunEventBus?
    private let destinations: [any PublishDestination]
    private let lock = NSLock()
    private var lastNumber: Int?
    private var failWrite = false
    /// Gap numbers whose stand-in was written ahead (`prepareGaps`).
    private var prepared: Set<Int> = []
    private(set) var playlist: MediaPlaylist
    /// Files that left the window, and when they may go.
    private var pendingDeletions: [(path: String, due: Date)] = []
    /// TS only: continuity counters carried across every segment the rendition writes (rule S6).
    private var continuity: TSContinuity?
    private var longestPlaylist: Double = 0
    /// LL-HLS: the shared live edges (for rendition reports) and the renditions this one reports on.
    private let edges: LiveEdges?
    private let reportedSiblings: [String]
    /// The segment the listed in-progress parts belong to, and how many parts each segment had (their
    /// files go with the segment's).
    private var inProgressNumber: Int?
    private var partCounts: [Int: Int] = [:]
    /// The playlist continues a previous run's (`resume`): its numbering is already set.
    private var resumedPlaylist = false
    /// GAP entries that are not this run's rendition losses: spans the whole ladder missed (epoch lock:
    /// an outage, a crashed process's downtime), and those a resumed playlist already had (the crashed
    /// process's, which its own exit reported).
    private var filledGaps = 0

    init(name: String, outputDirectory: String, format: SegmentFormatChoice, kind: PlaylistKind, listSize: Int,
         targetDuration: Int, master: MasterPublisher, segmentLog: SegmentLog?, registry: SegmentRegistry,
         filler: GapFiller?, events: RunEventBus? = nil, destinations: [any PublishDestination] = [],
         partTarget: Double? = nil, edges: LiveEdges? = nil, reportedSiblings: [String] = []) throws {
        self.destinations = destinations
        self.edges = edges
        self.reportedSiblings = reportedSiblings
        self.registry = registry
        self.events = events
        self.filler = filler
        self.name = name
        self.directory = outputDirectory + "/" + name
        self.segmentExtension = format == .ts ? "ts" : "m4s"
        self.continuity = format == .ts ? TSContinuity() : nil
        self.kind = kind
        self.listSize = listSize
        self.master = master
        self.segmentLog = segmentLog
        playlist = MediaPlaylist(targetDuration: targetDuration, mediaSequence: 0,
                                 discontinuitySequence: kind == .vod ? nil : 0,
                                 playlistType: kind.playlistType,
                                 independentSegments: true, map: nil, segments: [], endList: false)
        if let partTarget {
            // LL-HLS (HLS-RULES LL1, LL5): a fixed PART-TARGET, and a hold-back of at least three parts,
            // rounded up to the three decimals it is written with.
            playlist.partTarget = partTarget
            playlist.serverControl = ServerControl(canBlockReload: true, partHoldBack: (3 * partTarget * 1000).rounded(.up) / 1000)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LiveLadderError(.badOutput, "cannot create \(directory): \(OutputFolder.reason(error))")
        }
    }

    /// Continues a previous run's playlist (after a crash): its window stays listed, numbers go on after
    /// it, and files of the previous run that had already left the window are deleted after the grace.
    func resume(from previous: MediaPlaylist) {
        lock.withLock {
            playlist.mediaSequence = previous.mediaSequence
            playlist.discontinuitySequence = previous.discontinuitySequence ?? 0
            playlist.segments = previous.segments
            playlist.map = previous.map
            resumedPlaylist = true
            filledGaps = previous.segments.filter(\.gap).count
            // The master's measured bit rates cover the whole playlist, the previous run's segments too.
            master.seed(rendition: name, samples: previous.segments.filter { !$0.gap }.compactMap { segment in
                (try? FileManager.default.attributesOfItem(atPath: directory + "/" + segment.uri))?[.size].flatMap { $0 as? Int }
                    .map { SegmentSample(bytes: $0, duration: segment.duration) }
            })
            // TS: the counters go on from the last file the previous run wrote, so a run that resumes the same
            // input session needs no discontinuity for them (rule S6).
            if continuity != nil, let last = previous.segments.last,
               let bytes = FileManager.default.contents(atPath: directory + "/" + last.uri) {
                continuity = TSContinuity.continuing(after: Array(bytes))
            }
            lastNumber = previous.segments.isEmpty ? nil : previous.mediaSequence + previous.segments.count - 1
            let window = previous.segments.reduce(0) { $0 + $1.duration }
            longestPlaylist = window
            let due = Date().addingTimeInterval(window + Double(playlist.targetDuration))
            let listed = Set(previous.segments.map(\.uri))
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() where file.hasPrefix("segment-") && !listed.contains(file) {
                pendingDeletions.append((directory + "/" + file, due))
            }
        }
    }

    func initSegment(_ bytes: [UInt8]) throws {
        try initSegment(bytes, while: { true })
    }

    /// Writes the init segment if `isCurrent()` still holds once the lock is taken (`GenerationSink`).
    func initSegment(_ bytes: [UInt8], while isCurrent: () -> Bool) throws {
        try lock.withLock {
            guard isCurrent() else { throw GenerationSink.Stale() }
            try write(bytes, to: directory + "/init.mp4", as: .initSegment)
            playlist.map = "init.mp4"
        }
    }

    /// The `write-error` test fault: the next file write fails as a full disk would.
    func failNextWrite() { lock.withLock { failWrite = true } }

    /// Before a restarted rendition goes on: a removed folder is made again, and segments of the window
    /// that went with it become gaps (players skip them; a sibling has them).
    func recover() throws {
        try lock.withLock {
            guard !FileManager.default.fileExists(atPath: directory) else { return }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LiveLadderError(.badOutput, "cannot create \(directory) again: \(OutputFolder.reason(error))")
            }
            for index in playlist.segments.indices where !playlist.segments[index].gap {
                playlist.segments[index].gap = true
            }
            // Their files went with the folder: stand-ins take their place (black and silence), in number
            // order, for players that fetch GAP entries anyway (FFmpeg 5.1 and GStreamer 1.22 do).
            for (offset, segment) in playlist.segments.enumerated() {
                let number = playlist.mediaSequence + offset
                guard !FileManager.default.fileExists(atPath: directory + "/" + segment.uri), let gap = registry.gap(number) else { continue }
                standIn(number, gap)
            }
        }
    }

    func segment(_ segment: CompletedSegment) throws {
        try self.segment(segment, while: { true })
    }

    /// Publishes `segment` if `isCurrent()` still holds once the lock is taken (`GenerationSink`).
    func segment(_ segment: CompletedSegment, while isCurrent: () -> Bool) throws {
        try lock.withLock {
            guard isCurrent() else { throw GenerationSink.Stale() }
            try publish(segment)
        }
    }

    /// Publishes `part` if `isCurrent()` still holds once the lock is taken (`GenerationSink`): its file,
    /// then the playlist listing it in the segment in progress, with the hint for the next part.
    func part(_ part: CompletedPart, while isCurrent: () -> Bool) throws {
        try lock.withLock {
            guard isCurrent() else { throw GenerationSink.Stale() }
            appendGaps(before: part.segmentNumber)
            if kind == .live { slideWindow() }
            let uri = partURI(part.segmentNumber, part.index)
            try write(part.bytes, to: directory + "/" + uri, as: .part(number: part.segmentNumber, index: part.index))
            if inProgressNumber != part.segmentNumber {
                inProgressNumber = part.segmentNumber
                playlist.inProgress = SegmentInProgress(parts: [], discontinuity: part.discontinuity,
                                                        programDateTime: kind == .vod ? nil : part.programDateTime)
            }
            playlist.inProgress?.parts.append(MediaPart(uri: uri, duration: part.duration, independent: part.independent))
            partCounts[part.segmentNumber] = part.index + 1
            // The hint names the part that comes next: after a segment's last part, the next segment's first
            // (a hint to a part never made would hold its requests until they time out).
            playlist.preloadHint = PreloadHint(uri: part.endsSegment ? partURI(part.segmentNumber + 1, 0)
                                                                     : partURI(part.segmentNumber, part.index + 1))
            edges?.update(name, LiveEdges.Edge(lastMediaSequence: part.segmentNumber, lastPart: part.index))
            // The live edge moved on by a part: an old segment's parts may now be past the limit (LL8).
            trimParts()
            try writePlaylist()
        }
    }

    func part(_ part: CompletedPart) throws {
        try self.part(part, while: { true })
    }

    private func partURI(_ number: Int, _ index: Int) -> String { "segment-\(number).\(index).\(segmentExtension)" }

    private func publish(_ segment: CompletedSegment) throws {
        let uri = uri(segment.number)
        // Stand-ins for the gaps before it first: TS continuity counters run in playlist order.
        appendGaps(before: segment.number)
        try writeMedia(segment.bytes, to: directory + "/" + uri, number: segment.number)
        lastNumber = segment.number
        // Its parts, listed while it was cut, now stand before its EXTINF.
        let parts = inProgressNumber == segment.number ? playlist.inProgress?.parts ?? [] : []
        if inProgressNumber == segment.number {
            playlist.inProgress = nil
            inProgressNumber = nil
        }
        playlist.segments.append(MediaSegment(uri: uri, duration: segment.duration, discontinuity: segment.discontinuity,
                                              programDateTime: kind == .vod ? nil : segment.programDateTime, parts: parts))
        if playlist.partTarget != nil {
            playlist.preloadHint = PreloadHint(uri: partURI(segment.number + 1, 0))
            edges?.update(name, LiveEdges.Edge(lastMediaSequence: segment.number, lastPart: parts.isEmpty ? nil : parts.count - 1))
            trimParts()
        }
        let sample = SegmentSample(bytes: segment.bytes.count, duration: segment.duration)
        if kind == .live { slideWindow() }
        // A VOD playlist never changes once it exists (rule MP11), so it is written once, at the end.
        if kind != .vod { try writePlaylist() }
        let publishedAt = Date()
        segmentLog?.record(rendition: name, segment: segment, bytes: segment.bytes.count, publishedAt: publishedAt)
        events?.emit(.segmentPublished(SegmentPublication(
            rendition: name, number: segment.number, duration: segment.duration, bytes: segment.bytes.count, gap: false,
            discontinuity: segment.discontinuity, readyLatency: segment.inputCompletedAt.map { publishedAt.timeIntervalSince($0) })))
        try master.published(rendition: name, sample: sample)
        deleteExpiredSegments(now: Date())
    }

    /// The end of the stream: the playlist gets its ENDLIST (after gaps for whatever it missed at the end).
    func finish() throws {
        try lock.withLock {
            if let last = registry.lastFinished { appendGaps(before: last + 1) }
            // After ENDLIST no part is coming (HLS-RULES LL6).
            playlist.preloadHint = nil
            playlist.inProgress = nil
            playlist.endList = true
            if kind == .live { slideWindow() }
            try writePlaylist()
        }
    }

    /// GAP entries in the playlist as it stands.
    /// GAP entries in the playlist as it stands that a rendition's restarts left (not spans the whole
    /// ladder missed).
    var gapCount: Int { lock.withLock { max(0, playlist.segments.filter(\.gap).count - filledGaps) } }

    /// Whether stand-ins carry audio (TS with audio, the fMP4 audio rendition).
    var standInsCarryAudio: Bool { filler?.carriesAudio ?? false }

    /// A restarted rendition resumes at segment `number`: stand-ins for the segments it missed before it
    /// are written now, with the program's audio it kept; the GAP entries are listed when its first
    /// segment is published.
    func prepareGaps(before number: Int, audio: RecentAudio) {
        lock.withLock {
            guard filler != nil, let first = firstMissing, first < number else { return }
            for next in first..<number where !prepared.contains(next) {
                guard let gap = registry.gap(next) else { continue }
                standIn(next, gap, audio: audio.packets(from: filler?.audioStart(forSegmentAt: gap.pts) ?? gap.pts, to: gap.pts + gap.durationTicks))
                prepared.insert(next)
            }
        }
    }

    /// Segments ingest made that this rendition did not: GAP entries, same numbers and durations.
    private func appendGaps(before number: Int) {
        if lastNumber == nil, !resumedPlaylist, playlist.segments.isEmpty, playlist.inProgress == nil {
            // A fresh playlist starts at its first entry's number: 0, or with epoch lock the grid index,
            // and (epoch lock) at the discontinuity sequence the input session gives every instance.
            playlist.mediaSequence = min(registry.first ?? number, number)
            if playlist.discontinuitySequence != nil, let base = registry.discontinuityBase { playlist.discontinuitySequence = base }
        }
        guard var first = firstMissing, first < number else { return }
        if kind == .live {
            // What a window keeps: --list-size segments, and at least three target durations (RFC 8216
            // §6.2.2), of the gaps' own length; and two to spare.
            let length = max(registry.gap(first)?.duration ?? Double(playlist.targetDuration), 0.1)
            let kept = max(listSize, Int((3 * Double(playlist.targetDuration) / length).rounded(.up))) + 2
            if number - first > kept { first = skipGaps(from: first, to: number - kept) }
        }
        for next in first..<number {
            if inProgressNumber == next {
                // Parts were listed for a segment that never completed (the rendition failed within it).
                playlist.inProgress = nil
                inProgressNumber = nil
            }
            if let gap = registry.gap(next) {
                if prepared.remove(next) == nil { standIn(next, gap) }
                if gap.filled { filledGaps += 1 }
                playlist.segments.append(MediaSegment(uri: uri(next), duration: gap.duration,
                                                      discontinuity: gap.discontinuity, gap: true,
                                                      programDateTime: kind == .vod ? nil : gap.date))
                events?.emit(.segmentPublished(SegmentPublication(rendition: name, number: next, duration: gap.duration, bytes: 0,
                                                                  gap: true, discontinuity: gap.discontinuity, readyLatency: nil)))
            }
            lastNumber = next
        }
    }

    /// Live: a run of GAP entries longer than the window (an epoch-locked process resumed after a long
    /// downtime) would leave the window again before any playlist listed it. So what is listed leaves now,
    /// the entries `first..<end` count as come and gone (media and discontinuity sequence; no stand-in, no
    /// event each, since no player can ever see them), and listing goes on from `end`. Returns `end`.
    /// Without this, a day's downtime meant 43,200 stand-ins per rendition before the first new segment.
    private func skipGaps(from first: Int, to end: Int) -> Int {
        let now = Date()
        while !playlist.segments.isEmpty { retireFirst(now: now) }
        playlist.inProgress = nil
        inProgressNumber = nil
        let discontinuities = (first..<end).reduce(0) { $0 + (registry.gap($1)?.discontinuity == true ? 1 : 0) }
        playlist.mediaSequence = end
        if discontinuities > 0 { playlist.discontinuitySequence = (playlist.discontinuitySequence ?? 0) + discontinuities }
        lastNumber = end - 1
        return end
    }

    /// The first segment number this rendition has not published (from the registry before its first).
    private var firstMissing: Int? { lastNumber.map { $0 + 1 } ?? registry.first }

    /// `firstMissing`, from another thread.
    var firstUnpublished: Int? { lock.withLock { firstMissing } }

    private func uri(_ number: Int) -> String { "segment-\(number).\(segmentExtension)" }

    private func standIn(_ number: Int, _ gap: SegmentRegistry.Gap, audio: [Packet] = []) {
        filler?.fill(number: number, startPTS: gap.pts, durationTicks: gap.durationTicks,
                     path: directory + "/" + uri(number), audio: audio, write: { try self.writeMedia($0, to: $1, number: number) })
    }

    /// Writes a segment or a stand-in; TS packets get the rendition's running continuity counters, which
    /// move on only once the file is written.
    private func writeMedia(_ bytes: [UInt8], to path: String, number: Int) throws {
        guard let continuity else { return try write(bytes, to: path, as: .segment(number: number)) }
        let (renumbered, next) = continuity.renumbered(bytes)
        try write(renumbered, to: path, as: .segment(number: number))
        self.continuity = next
    }

    /// The local file first (its failure is the rendition's), then every destination.
    private func write(_ bytes: [UInt8], to path: String, as file: PublishedFile) throws {
        do {
            if failWrite {
                failWrite = false
                throw AtomicFile.WriteError(path: path, reason: "No space left on device [LIVELADDER_FAULTS]")
            }
            try AtomicFile.write(bytes, to: path)
        } catch {
            events?.emit(.writeFailed(rendition: name, error: "\(error)"))
            throw error
        }
        guard !destinations.isEmpty else { return }
        let relative = name + "/" + (path.split(separator: "/").last.map(String.init) ?? path)
        for destination in destinations { destination.published(relative, bytes: bytes, as: file) }
    }

    private func slideWindow() {
        var window = playlist.segments.reduce(0) { $0 + $1.duration }
        longestPlaylist = max(longestPlaylist, window)
        let now = Date()
        // RFC 8216 §6.2.2: never remove a segment if the rest would last less than three target durations
        // (a short segment before a discontinuity can make --list-size segments too few for that).
        let minimum = 3 * Double(playlist.targetDuration)
        while playlist.segments.count > listSize, window - playlist.segments[0].duration >= minimum {
            window -= retireFirst(now: now)
        }
    }

    /// The first listed segment leaves the window: the sequences move on, and its files go after the grace
    /// (rule MP10). Returns its duration.
    @discardableResult
    private func retireFirst(now: Date) -> Double {
        let leaving = playlist.segments.removeFirst()
        playlist.mediaSequence += 1
        if leaving.discontinuity { playlist.discontinuitySequence = (playlist.discontinuitySequence ?? 0) + 1 }
        let due = now.addingTimeInterval(leaving.duration + longestPlaylist)
        pendingDeletions.append((directory + "/" + leaving.uri, due))
        let number = playlist.mediaSequence - 1
        for index in 0..<(partCounts.removeValue(forKey: number) ?? 0) {
            pendingDeletions.append((directory + "/" + partURI(number, index), due))
        }
        return leaving.duration
    }

    private func deleteExpiredSegments(now: Date) {
        while let first = pendingDeletions.first, first.due <= now {
            pendingDeletions.removeFirst()
            unlink(first.path)
            let relative = name + "/" + (first.path.split(separator: "/").last.map(String.init) ?? first.path)
            for destination in destinations { destination.removed(relative) }
        }
    }

    /// Parts leave the playlist once their segment ends more than 3 × target duration from the live edge
    /// (HLS-RULES LL8); their files stay until the segment's own go.
    private func trimParts() {
        let limit = 3 * Double(playlist.targetDuration)
        var fromEdge = playlist.inProgress.map { $0.parts.reduce(0) { $0 + $1.duration } } ?? 0
        for index in playlist.segments.indices.reversed() {
            if fromEdge > limit { playlist.segments[index].parts = [] }
            fromEdge += playlist.segments[index].duration
        }
    }

    private func writePlaylist() throws {
        if let edges, playlist.partTarget != nil {
            playlist.renditionReports = reportedSiblings.compactMap { sibling in
                edges.edge(of: sibling).map { RenditionReport(uri: "../\(sibling)/index.m3u8", lastMediaSequence: $0.lastMediaSequence, lastPart: $0.lastPart) }
            }
        }
        try write(Array(playlist.render().utf8), to: directory + "/index.m3u8", as: .mediaPlaylist(playlist))
    }
}
