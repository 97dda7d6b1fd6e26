import Foundation
import HLSChecker
import HLSModel

/// One media playlist of the stream as the master names it, and where it lives.
struct MediaPlaylistSource: Sendable {
    /// The URI as the master writes it, which names the playlist in every report line.
    let name: String
    let url: URL
    /// Its path in the mirror; the directory its own URIs are resolved against.
    let mirrorPath: String
}

/// Fetches one snapshot of a served stream into the mirror folder: the master, every media playlist,
/// every init segment, segment and part they list. The folder rules then run on the mirror.
///
/// Only what a URI accepted by `StreamAddress` names is fetched; a refused URI is left to the folder
/// check, which reports it as URI1 from the same text. What cannot be fetched is an MP12 failure here
/// (the playlist lists something a player cannot download), with the URL and the answer.
struct SnapshotMirror {
    let address: StreamAddress
    let fetcher: StreamFetcher
    let log: RemoteFailureLog
    /// Locations this mirror reported as not downloadable, so the folder check's "missing" line for the
    /// same place (the file is absent from the mirror) is not reported a second time.
    private(set) var undownloadable: Set<String> = []
    /// Segment bytes fetched, for the report's count.
    private(set) var fetchedMedia = 0

    init(address: StreamAddress, fetcher: StreamFetcher, log: RemoteFailureLog) {
        self.address = address
        self.fetcher = fetcher
        self.log = log
    }

    /// The media playlists the master names (video variants, then audio renditions), with accepted URIs.
    func mediaPlaylists(of master: MasterPlaylist) -> [MediaPlaylistSource] {
        var wanted = master.variants.compactMap(\.uri)
        wanted += master.audioMedia.compactMap(\.uri)
        var seen: Set<String> = []
        return wanted.compactMap { uri in
            guard case .success(let target) = address.resolve(uri, from: address.mirror.root),
                  seen.insert(target.path).inserted else { return nil }
            return MediaPlaylistSource(name: uri, url: target.url, mirrorPath: target.path)
        }
    }

    /// Fetches every media playlist once, and again (up to 5 times) while live renditions end at different
    /// media sequence numbers: renditions publish one after another, and a snapshot that catches one a
    /// segment ahead would make the cross-rendition rules compare different windows.
    mutating func fetchPlaylists(_ sources: [MediaPlaylistSource]) async -> [String: (text: String, playlist: MediaPlaylist?)] {
        var result: [String: (text: String, playlist: MediaPlaylist?)] = [:]
        for attempt in 0..<5 {
            result = [:]
            for source in sources {
                if let (text, cacheControl) = await fetchPlaylist(source, report: attempt == 0) {
                    let playlist = try? MediaPlaylist.parse(text)
                    result[source.name] = (text, playlist)
                    if attempt == 0, let playlist, !playlist.endList,
                       let problem = HeaderRules.playlistCachingProblem(
                           cacheControl, limit: playlist.partTarget ?? Double(playlist.targetDuration) / 2) {
                        log.add("O5", source.name, problem)
                    }
                }
            }
            let live = result.values.compactMap(\.playlist).filter { !$0.endList }
            let edges = Set(live.map { $0.mediaSequence + $0.segments.count })
            if edges.count <= 1 { break }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return result
    }

    /// The playlist's text and Cache-Control, or nil (reported as MP12 when `report`) when it cannot be
    /// downloaded.
    private mutating func fetchPlaylist(_ source: MediaPlaylistSource, report: Bool) async -> (String, String?)? {
        let resource: FetchedResource
        let address = address  // the redirect check runs concurrently: a copy, not a capture of `self`
        do {
            resource = try await fetcher.get(source.url, limit: OutputFolder.playlistLimit, allowRedirect: { address.contains($0) })
        } catch {
            if report { notDownloadable(source.name, nil, source.url, "\(error)") }
            return nil
        }
        guard resource.status == 200 else {
            if report { notDownloadable(source.name, nil, source.url, "answered \(resource.status)") }
            return nil
        }
        if report, let problem = HeaderRules.contentTypeProblem(resource.contentType, kind: .playlist) {
            log.add("O5", source.name, problem)
        }
        guard let text = String(validating: resource.body, as: UTF8.self) else {
            store(resource.body, at: source.mirrorPath, for: source.name)  // as served: the folder rules say it is not UTF-8
            return nil
        }
        return (text, resource.cacheControl)
    }

    /// Writes the playlist text and fetches everything it lists into the mirror. Returns the bytes of every
    /// part fetched, by part URI, for the parts-versus-segment comparison (LL4).
    mutating func mirrorMedia(of source: MediaPlaylistSource, text: String, playlist: MediaPlaylist?) async {
        store(Array(text.utf8), at: source.mirrorPath, for: source.name)
        guard let playlist else { return }
        let directory = OutputFolder.directory(of: source.mirrorPath)
        let kind: HeaderRules.Kind = playlist.map == nil ? .transportStream : .fragmentedMP4
        var partBytes: [String: [UInt8]] = [:]
        if let map = playlist.map {
            await fetchMedia(map, number: nil, from: directory, in: source, kind: kind, playlist: playlist)
        }
        for (index, segment) in playlist.segments.enumerated() {
            let number = playlist.mediaSequence + index
            for part in segment.parts where !part.gap {
                if let bytes = await fetchMedia(part.uri, number: number, from: directory, in: source, kind: kind,
                                                playlist: playlist, store: false) {
                    partBytes[part.uri] = bytes
                }
            }
            // A GAP entry's URI is not fetched by players (MP8); the folder check skips it when absent.
            guard !segment.gap else { continue }
            let bytes = await fetchMedia(segment.uri, number: number, from: directory, in: source, kind: kind, playlist: playlist)
            if let bytes, !segment.parts.isEmpty {
                let parts = segment.parts.map { partBytes[$0.uri] }
                if parts.allSatisfy({ $0 != nil }) {
                    log.count(\.segmentsComparedWithParts)
                    if let problem = PartSamples.problem(parts: parts.map { $0! }, segment: bytes) {
                        log.add("LL4", source.name, segment: (number, segment.uri), problem)
                    }
                }
            }
        }
        for part in playlist.inProgress?.parts ?? [] where !part.gap {
            _ = await fetchMedia(part.uri, number: playlist.mediaSequence + playlist.segments.count, from: directory,
                                 in: source, kind: kind, playlist: playlist, store: false)
        }
    }

    /// Fetches one resource a playlist lists; nil when it is refused (left to URI1) or not downloadable.
    @discardableResult
    private mutating func fetchMedia(_ uri: String, number: Int?, from directory: String, in source: MediaPlaylistSource,
                                     kind: HeaderRules.Kind, playlist: MediaPlaylist, store keep: Bool = true) async -> [UInt8]? {
        guard case .success(let target) = address.resolve(uri, from: directory) else { return nil }
        let segment = number.map { ($0, uri) }
        let resource: FetchedResource
        let address = address
        do {
            resource = try await fetcher.get(target.url, limit: OutputFolder.mediaLimit, allowRedirect: { address.contains($0) })
        } catch {
            notDownloadable(source.name, segment, target.url, "\(error)")
            return nil
        }
        guard resource.status == 200 else {
            notDownloadable(source.name, segment, target.url, "answered \(resource.status)")
            return nil
        }
        if let expected = resource.contentLength, expected != resource.body.count {
            notDownloadable(source.name, segment, target.url, "sent \(resource.body.count) of \(expected) bytes")
            return nil
        }
        if let problem = HeaderRules.contentTypeProblem(resource.contentType, kind: kind) {
            log.add("O5", source.name, segment: segment, problem)
        }
        if let problem = HeaderRules.mediaCachingProblem(resource.cacheControl, minimum: 3 * Double(playlist.targetDuration)) {
            log.add("O5", source.name, segment: segment, problem)
        }
        fetchedMedia += 1
        if keep { store(resource.body, at: target.path, for: source.name) }
        return resource.body
    }

    private mutating func notDownloadable(_ playlist: String, _ segment: (Int, String)?, _ url: URL, _ why: String) {
        undownloadable.insert(segment.map { "\(playlist) #\($0.0) (\($0.1))" } ?? playlist)
        log.add("MP12", playlist, segment: segment, "listed but not downloadable: GET \(url.absoluteString) \(why)")
    }

    /// Writes `bytes` at `path` inside the mirror (created 0700 by `RemoteCheck`), making its folders.
    func store(_ bytes: [UInt8], at path: String, for playlist: String) {
        guard address.mirror.contains(path) else { return }
        let directory = OutputFolder.directory(of: path)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            log.add("MP12", playlist, "a resource could not be kept for the folder rules (\(error.localizedDescription))")
        }
    }
}
