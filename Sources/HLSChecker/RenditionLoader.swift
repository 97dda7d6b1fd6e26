import Foundation
import HLSModel

/// Reads the media playlists the master names and opens every segment they list.
struct RenditionLoader {
    let masterDirectory: URL

    /// The playlists named by the master's variants and audio renditions, each once, in master order.
    /// A playlist that is missing or does not parse becomes a failure and is left out.
    func loadPlaylists(_ master: MasterPlaylist, log: inout FailureLog) -> [Rendition] {
        var renditions: [Rendition] = []
        var seenPaths: Set<String> = []
        var wanted: [(uri: String, role: Rendition.Role)] = master.variants.compactMap { variant in
            variant.uri.map { ($0, .video) }
        }
        for media in master.audioMedia {
            if let uri = media.uri { wanted.append((uri, .audio(groupID: media.groupID ?? ""))) }
        }
        for (uri, role) in wanted {
            let path = resolve(uri, against: masterDirectory)
            guard seenPaths.insert(path).inserted else { continue }
            if let rendition = load(uri: uri, path: path, role: role, log: &log) { renditions.append(rendition) }
        }
        return renditions
    }

    private func load(uri: String, path: String, role: Rendition.Role, log: inout FailureLog) -> Rendition? {
        let location = Location.playlist(uri)
        guard let data = FileManager.default.contents(atPath: path) else {
            log.add("MP12", location, "the master lists this playlist but it is missing or unreadable")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
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
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let entries = playlist.segments.enumerated().map { index, segment in
            MediaEntry(number: playlist.mediaSequence + index, segment: segment,
                       durationText: index < raw.durations.count ? raw.durations[index] : "",
                       programDateTimeText: index < raw.programDateTimes.count ? raw.programDateTimes[index] : nil,
                       path: resolve(segment.uri, against: directory))
        }
        var rendition = Rendition(name: uri, role: role, path: path, text: text, playlist: playlist, entries: entries,
                                  lastLine: raw.lastLine, firstLine: raw.firstLine)
        if let map = playlist.map {
            let initPath = resolve(map, against: directory)
            rendition.initPath = initPath
            if let bytes = FileManager.default.contents(atPath: initPath), !bytes.isEmpty {
                rendition.initBytes = [UInt8](bytes)
                rendition.initFacts = InitSegmentFacts(bytes: rendition.initBytes!)
            } else {
                log.add("MP12", location, "EXT-X-MAP names \(map), which is missing or empty")
            }
        }
        return rendition
    }

    /// Opens every non-GAP segment of every rendition. Segments are independent, so they are read in
    /// parallel: a 60-segment, 4-rendition ladder is 240 demuxer opens.
    func probeSegments(_ renditions: inout [Rendition]) {
        let jobs: [(rendition: Int, entry: Int)] = renditions.enumerated().flatMap { r, rendition in
            rendition.entries.indices.filter { !rendition.entries[$0].segment.gap }.map { (r, $0) }
        }
        let results = ResultSlots<SegmentOutcome>(count: jobs.count)
        let inputs = renditions.map { ($0.initBytes, $0.initFacts?.tracks) }
        let paths = jobs.map { renditions[$0.rendition].entries[$0.entry].path }
        let names = jobs.map { renditions[$0.rendition].entries[$0.entry].segment.uri }
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (initBytes, initTracks) = inputs[jobs[index].rendition]
            let outcome: SegmentOutcome
            if let data = FileManager.default.contents(atPath: paths[index]) {
                outcome = SegmentProbe.probe(segment: [UInt8](data), initSegment: initBytes, initTracks: initTracks,
                                             name: names[index])
            } else {
                outcome = .unusable("the file is missing")
            }
            results.set(index, outcome)
        }
        for (index, job) in jobs.enumerated() {
            renditions[job.rendition].entries[job.entry].outcome = results.value(index) ?? .unusable("not probed")
        }
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

/// A segment or playlist URI as a file path. Only relative URIs and `file:` URLs name local files.
func resolve(_ uri: String, against directory: URL) -> String {
    if let url = URL(string: uri), url.scheme == "file" { return url.path }
    let decoded = uri.removingPercentEncoding ?? uri
    return URL(fileURLWithPath: decoded, relativeTo: directory).standardizedFileURL.path
}

/// Per-segment lines as written, which HLSModel normalises away: the `EXTINF` duration text (for its
/// precision) and the `EXT-X-PROGRAM-DATE-TIME` text (for its format), in segment order.
struct RawMediaLines {
    var durations: [String] = []
    var programDateTimes: [String?] = []
    var firstLine = ""
    var lastLine = ""

    init(_ text: String) {
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
