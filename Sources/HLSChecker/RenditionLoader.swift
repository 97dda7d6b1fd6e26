import Foundation
import HLSModel

/// Reads the media playlists the master names and opens every segment they list, all through the
/// output folder (`OutputFolder`): nothing outside it is opened.
struct RenditionLoader {
    let folder: OutputFolder

    /// The playlists named by the master's variants and audio renditions, each once, in master order.
    /// A playlist that is refused (URI1), missing or does not parse becomes a failure and is left out.
    /// Backups whose URIs leave the folder (`Redundancy`) are not read at all.
    func loadPlaylists(_ master: MasterPlaylist, redundancy: Redundancy, log: inout FailureLog) -> [Rendition] {
        var renditions: [Rendition] = []
        var seenPaths: Set<[UInt8]> = []  // by path bytes: String keys compare canonically
        var wanted: [(uri: String, role: Rendition.Role)] = master.variants.enumerated().compactMap { index, variant in
            redundancy.skips(variant, at: index) ? nil : variant.uri.map { ($0, .video) }
        }
        for media in master.audioMedia where !redundancy.skips(media) {
            if let uri = media.uri { wanted.append((uri, .audio(groupID: media.groupID ?? ""))) }
        }
        for (uri, role) in wanted {
            switch folder.resolve(uri, from: folder.root) {
            case .refused(let reason):
                guard seenPaths.insert(Array(("refused:" + uri).utf8)).inserted else { continue }
                log.add("URI1", .playlist(uri), refusal(reason))
            case .file(let path):
                guard seenPaths.insert(Array(path.utf8)).inserted else { continue }
                if let rendition = load(uri: uri, path: path, role: role, log: &log) { renditions.append(rendition) }
            }
        }
        return renditions
    }

    private func load(uri: String, path: String, role: Rendition.Role, log: inout FailureLog) -> Rendition? {
        let location = Location.playlist(uri)
        let data: [UInt8]
        switch folder.read(path, limit: OutputFolder.playlistLimit) {
        case .bytes(let bytes):
            data = bytes
        case .missing:
            log.add("MP12", location, "the master lists this playlist but it is missing or unreadable")
            return nil
        case .refused(let reason):
            log.add("URI1", location, refusal(reason))
            return nil
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            log.add("MP12", location, "the playlist is not UTF-8 text")
            return nil
        }
        let playlist: MediaPlaylist
        do {
            playlist = try MediaPlaylist.parse(text)
        } catch {
            log.add(Self.rule(forParseError: error.message), location, "does not parse: \(error)")
            return nil
        }
        let raw = RawMediaLines(text)
        let directory = OutputFolder.directory(of: path)
        // mediaSequence ≤ 2^53 (PlaylistLimits) and index < the line count: the sum cannot overflow.
        let entries = playlist.segments.enumerated().map { index, segment in
            MediaEntry(number: playlist.mediaSequence + index, segment: segment,
                       durationText: index < raw.durations.count ? raw.durations[index] : "",
                       programDateTimeText: index < raw.programDateTimes.count ? raw.programDateTimes[index] : nil,
                       target: folder.resolve(segment.uri, from: directory))
        }
        var rendition = Rendition(name: uri, role: role, path: path, text: text, playlist: playlist, entries: entries,
                                  lastLine: raw.lastLine, firstLine: raw.firstLine)
        if let map = playlist.map {
            readInitSegment(map, from: directory, into: &rendition, log: &log)
        }
        return rendition
    }

    private func readInitSegment(_ map: String, from directory: String, into rendition: inout Rendition,
                                 log: inout FailureLog) {
        let location = Location.playlist(rendition.name)
        switch folder.resolve(map, from: directory) {
        case .refused(let reason):
            log.add("URI1", location, "EXT-X-MAP URI \"\(printable(map))\" \(reason); it is not opened")
        case .file(let path):
            rendition.initPath = path
            switch folder.read(path, limit: OutputFolder.mediaLimit) {
            case .bytes(let bytes) where !bytes.isEmpty:
                rendition.initBytes = bytes
                rendition.initFacts = InitSegmentFacts(bytes: bytes)
            case .bytes, .missing:
                log.add("MP12", location, "EXT-X-MAP names \(printable(map)), which is missing or empty")
            case .refused(let reason):
                log.add("URI1", location, "EXT-X-MAP URI \"\(printable(map))\" \(reason); it is not opened")
            }
        }
    }

    /// Opens every segment of every rendition, and the stand-in file of every GAP entry that has one
    /// (`MediaEntry.standIn`). Segments are independent, so they are read in parallel: a 60-segment,
    /// 4-rendition ladder is 240 demuxer opens.
    func probeSegments(_ renditions: inout [Rendition]) {
        for r in renditions.indices {
            for e in renditions[r].entries.indices {
                if case .refused(let reason) = renditions[r].entries[e].target {
                    renditions[r].entries[e].outcome = .refused(reason)
                }
            }
        }
        let jobs: [(rendition: Int, entry: Int)] = renditions.enumerated().flatMap { r, rendition in
            rendition.entries.indices.filter { rendition.entries[$0].target.path != nil }.map { (r, $0) }
        }
        // nil: the file is missing.
        let results = ResultSlots<SegmentOutcome?>(count: jobs.count)
        let inputs = renditions.map { ($0.initBytes, $0.initFacts?.tracks) }
        let paths = jobs.map { renditions[$0.rendition].entries[$0.entry].path }
        let names = jobs.map { renditions[$0.rendition].entries[$0.entry].segment.uri }
        let folder = folder
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (initBytes, initTracks) = inputs[jobs[index].rendition]
            let outcome: SegmentOutcome?
            switch folder.read(paths[index], limit: OutputFolder.mediaLimit) {
            case .bytes(let bytes):
                outcome = SegmentProbe.probe(segment: bytes, initSegment: initBytes, initTracks: initTracks,
                                             name: names[index])
            case .missing:
                outcome = nil
            case .refused(let reason):
                outcome = .refused(reason)
            }
            results.set(index, outcome)
        }
        for (index, job) in jobs.enumerated() {
            let outcome = results.value(index) ?? nil
            if renditions[job.rendition].entries[job.entry].segment.gap {
                // Not fetched for the segment rules (clients must not fetch a GAP); kept for S6 and S7. A
                // refused GAP URI is still URI1.
                if case .refused? = outcome { renditions[job.rendition].entries[job.entry].outcome = outcome! }
                renditions[job.rendition].entries[job.entry].standIn = outcome
            } else {
                renditions[job.rendition].entries[job.entry].outcome = outcome ?? .unusable("the file is missing")
            }
        }
    }

    private func refusal(_ reason: String) -> String {
        "the URI \(reason); it is not opened"
    }

    /// Which rule a media playlist's parse error breaks, from the tag the parser names.
    static func rule(forParseError message: String) -> String {
        let rules: [(String, String)] = [
            ("EXTM3U", "MP1"), ("EXT-X-VERSION", "MP1"), ("EXT-X-TARGETDURATION", "MP2"),
            ("EXT-X-PROGRAM-DATE-TIME", "MP9"), ("EXT-X-MAP", "S4"), ("EXT-X-MEDIA-SEQUENCE", "MP5"),
            ("EXT-X-DISCONTINUITY", "MP6"), ("EXT-X-PLAYLIST-TYPE", "MP11"), ("EXT-X-GAP", "MP8"), ("EXTINF", "MP3"),
        ]
        return rules.first { message.contains($0.0) }?.1 ?? "MP12"
    }
}

/// `text` with control characters escaped, so a hostile URI cannot break a report line or a terminal.
package func printable(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            result += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// Per-segment lines as written, which HLSModel normalises away: the `EXTINF` duration text (for its
/// precision) and the `EXT-X-PROGRAM-DATE-TIME` text (for its format), in segment order.
package struct RawMediaLines {
    package var durations: [String] = []
    package var programDateTimes: [String?] = []
    package var firstLine = ""
    package var lastLine = ""

    package init(_ text: String) {
        var pendingDate: String?
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .map { String($0).trimmingBlanks }
        firstLine = lines.first ?? ""
        lastLine = lines.last { !$0.isEmpty } ?? ""
        for line in lines where !line.isEmpty {
            if line.hasPrefix("#EXTINF:") {
                durations.append(String(line.dropFirst("#EXTINF:".count).prefix { $0 != "," }))
            } else if line.hasPrefix("#EXT-X-PROGRAM-DATE-TIME:") {
                pendingDate = String(line.dropFirst("#EXT-X-PROGRAM-DATE-TIME:".count))
            } else if !line.hasPrefix("#") {
                programDateTimes.append(pendingDate)
                pendingDate = nil
            }
        }
    }
}

/// Fixed slots written from `concurrentPerform` workers, one slot per job.
///
/// `@unchecked Sendable`: every access to `values` holds `lock`.
private final class ResultSlots<Value>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        defer { lock.unlock() }
        values[index] = value
    }

    func value(_ index: Int) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        return values[index]
    }
}
