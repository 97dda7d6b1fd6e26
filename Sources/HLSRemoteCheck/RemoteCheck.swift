import Foundation
import HLSChecker
import HLSModel

/// `liveladder check http://…/master.m3u8 [--live --duration S]`: a served stream against HLS-RULES.md.
///
/// The stream is fetched like a player fetches it, into a private temporary folder that mirrors its URIs,
/// and the folder rules (`HLSCheck.run`) run on that mirror, so every rule the folder check knows applies
/// to what the server really serves. With a duration, the media playlists are polled for that long first
/// (LivePoller, OriginProbes) and the rules that need time, headers or the origin's answers are checked;
/// the last snapshot then goes through the folder rules. docs/check.md, "Over HTTP".
public enum RemoteCheck {
    /// `--duration` in seconds.
    public static let durationRange = 1.0...3600.0

    /// Whether `argument` is meant as a URL (and not as a folder or file path).
    public static func isURL(_ argument: String) -> Bool {
        let lowered = argument.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    /// Checks the stream whose master playlist is at `url`.
    ///
    /// Throws only when the master cannot be read at all (a bad URL, no connection, not 200, not a
    /// multivariant playlist); every other problem is a failure in the report.
    public static func run(url text: String, options: RemoteCheckOptions = .init()) async throws(RemoteCheckError) -> RemoteCheckResult {
        if let duration = options.duration, !durationRange.contains(duration) {
            throw RemoteCheckError("--duration \(duration) is out of range (\(Int(durationRange.lowerBound))…\(Int(durationRange.upperBound)) s)")
        }
        let given: (origin: String, basePath: String, masterName: String, url: URL)
        switch StreamAddress.parse(text) {
        case .success(let parsed): given = parsed
        case .failure(let error): throw RemoteCheckError(error.message)
        }
        let workspace = try makeWorkspace()
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let fetcher = StreamFetcher()
        let result: Result<RemoteCheckResult, RemoteCheckError>
        do throws(RemoteCheckError) {
            result = .success(try await check(given, shownAs: text, workspace: workspace, fetcher: fetcher, options: options))
        } catch {
            result = .failure(error)
        }
        await fetcher.shutdown()
        return try result.get()
    }

    private static func check(_ given: (origin: String, basePath: String, masterName: String, url: URL), shownAs text: String,
                              workspace: String, fetcher: StreamFetcher, options: RemoteCheckOptions) async throws(RemoteCheckError) -> RemoteCheckResult {
        let log = RemoteFailureLog()
        guard let folder = OutputFolder(directory: workspace) else {
            throw RemoteCheckError("cannot open a temporary folder for the check in \(NSTemporaryDirectory())")
        }
        // The master may be redirected anywhere (a player follows); its final URL is the stream's base.
        let masterAnswer: FetchedResource
        do {
            masterAnswer = try await fetcher.get(given.url, limit: OutputFolder.playlistLimit) { StreamAddress.parse($0.absoluteString).isSuccess }
        } catch {
            throw RemoteCheckError("\(text): \(error)")
        }
        guard masterAnswer.status == 200 else {
            throw RemoteCheckError("\(text) answered \(masterAnswer.status); pass the URL of a served master playlist")
        }
        guard case .success(let final) = StreamAddress.parse(masterAnswer.url.absoluteString) else {
            throw RemoteCheckError("\(text) redirects to \(masterAnswer.url.absoluteString), which check cannot read")
        }
        guard let masterText = String(validating: masterAnswer.body, as: UTF8.self), let master = MasterPlaylist(text: masterText) else {
            throw RemoteCheckError("\(text) is not an HLS playlist (no #EXTM3U line)")
        }
        if master.variants.isEmpty, masterText.contains("#EXTINF") {
            throw RemoteCheckError("\(text) is a media playlist; pass the multivariant (master) playlist's URL")
        }
        let address = StreamAddress(origin: final.origin, basePath: final.basePath, masterName: final.masterName,
                                    masterURL: final.url, mirror: folder)
        if let problem = HeaderRules.contentTypeProblem(masterAnswer.contentType, kind: .playlist) {
            log.add("O5", final.masterName, problem)
        }
        var mirror = SnapshotMirror(address: address, fetcher: fetcher, log: log)
        let masterPath = folder.root + "/" + final.masterName
        mirror.store(Array(masterText.utf8), at: masterPath, for: final.masterName)
        let sources = mirror.mediaPlaylists(of: master)

        if options.live, let duration = options.duration {
            await poll(sources, for: duration, address: address, fetcher: fetcher, log: log, mirror: &mirror)
        }

        // The last snapshot, through every folder rule.
        let playlists = await mirror.fetchPlaylists(sources)
        for source in sources {
            guard let fetched = playlists[source.name] else { continue }
            await mirror.mirrorMedia(of: source, text: fetched.text, playlist: fetched.playlist)
        }
        let report: CheckReport
        do {
            report = try HLSCheck.run(path: masterPath, options: CheckOptions(live: options.live ? true : nil))
        } catch {
            throw RemoteCheckError(rewrite("\(error)", folder: folder, address: address))
        }
        let remote = log.finished()
        let folderFailures = report.failures.filter { failure in
            // The file of a resource that could not be downloaded is absent from the mirror: already said.
            !(mirror.undownloadable.contains(failure.location) && (failure.message.contains("missing") || failure.message.contains("unreadable")))
        }.map {
            RuleFailure(rule: $0.rule, location: HLSChecker.printable(rewrite($0.location, folder: folder, address: address)),
                        message: HLSChecker.printable(rewrite($0.message, folder: folder, address: address)))
        }
        let merged = CheckReport(failures: remote + folderFailures, checkedPlaylists: report.checkedPlaylists,
                                 checkedSegments: report.checkedSegments)
        return RemoteCheckResult(report: merged, statistics: log.counted, polled: options.live ? options.duration : nil)
    }

    /// `--live --duration S`: every media playlist polled for S seconds, the origin probed first.
    private static func poll(_ sources: [MediaPlaylistSource], for duration: Double, address: StreamAddress,
                             fetcher: StreamFetcher, log: RemoteFailureLog, mirror: inout SnapshotMirror) async {
        let first = await mirror.fetchPlaylists(sources)
        let tolerances = LiveTolerances()
        let probes = OriginProbes(address: address, fetcher: fetcher, log: log, tolerances: tolerances)
        let started: [(MediaPlaylistSource, MediaPlaylist)] = sources.compactMap { source in
            first[source.name]?.playlist.map { (source, $0) }
        }
        for (source, playlist) in started { await probes.run(source, playlist) }
        let deadline = ContinuousClock.now + .seconds(duration)
        await withTaskGroup(of: Void.self) { group in
            for (source, playlist) in started {
                let poller = LivePoller(source: source, address: address, fetcher: fetcher, log: log, tolerances: tolerances)
                group.addTask { await poller.run(first: playlist, until: deadline) }
            }
        }
    }

    /// A private folder (0700) for the mirror, removed when the check ends.
    private static func makeWorkspace() throws(RemoteCheckError) -> String {
        let path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("liveladder-check-" + UUID().uuidString).path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw RemoteCheckError("cannot create a temporary folder for the check in \(NSTemporaryDirectory()): \(error.localizedDescription)")
        }
        return path
    }

    /// Report text names URLs, never the temporary mirror.
    private static func rewrite(_ text: String, folder: OutputFolder, address: StreamAddress) -> String {
        text.replacingOccurrences(of: folder.root + "/", with: address.origin + address.basePath)
            .replacingOccurrences(of: folder.root, with: address.origin + address.basePath)
    }
}

/// What a remote check found, and what it did.
public struct RemoteCheckResult: Sendable {
    /// The failures (remote rules first, then the folder rules on the last snapshot).
    public var report: CheckReport
    public var statistics: RemoteCheckStatistics
    /// Seconds polled, when polled.
    public var polled: Double?

    /// What the report's ok line adds for a polled stream, e.g.
    /// `polled 6 s: 3 reloads, 24 blocking reloads, 20 part gaps timed, 6 segments compared with their parts`.
    public var pollSummary: String? {
        guard let polled else { return nil }
        let s = statistics
        return "polled \(Int(polled)) s: \(s.reloads) reloads, \(s.blockingReloads) blocking reloads, "
            + "\(s.resourcesFetchedWhenListed) segments and parts fetched when listed, \(s.partGapsTimed) part gaps timed, "
            + "\(s.segmentsComparedWithParts) segments compared with their parts"
    }
}

/// Counts of what the remote checks did.
public struct RemoteCheckStatistics: Sendable, Equatable {
    public var reloads = 0
    public var blockingReloads = 0
    public var resourcesFetchedWhenListed = 0
    public var partGapsTimed = 0
    public var segmentsComparedWithParts = 0
}

public struct RemoteCheckOptions: Sendable {
    /// Check as a live stream (the folder rules' `live`), and with `duration`, poll it.
    public var live: Bool
    /// Seconds to poll (`--duration`); only with `live`.
    public var duration: Double?

    public init(live: Bool = false, duration: Double? = nil) {
        self.live = live
        self.duration = duration
    }
}

/// The stream could not be read at all, so nothing could be checked (exit 4).
public struct RemoteCheckError: Error, CustomStringConvertible, Sendable {
    public let message: String

    init(_ message: String) {
        self.message = RemoteFailureLog.printable(message)
    }

    public var description: String { message }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
