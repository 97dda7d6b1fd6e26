import Foundation
import HLSModel
import LiveLadderCore

/// The built-in origin's view of the output (`--serve`): a `PublishDestination`, so it learns of every
/// file once it is complete on disk, in publishing order, and never of anything else.
///
/// - Only published paths are served: a request names a key of `known`, or it is a 404. No request path
///   is ever joined to the output folder, so `..`, `%2e%2e`, absolute paths and symbolic links lead nowhere.
/// - The live edge is served from memory: the newest `cachedSegments` media files of each rendition, its
///   init segment and playlists. Older published files are read back from the output folder.
/// - Each media playlist is rendered once per update, with `EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES`
///   (and HOLD-BACK) added when the publisher's playlist has none: this server blocks, a plain folder
///   does not, so the files on disk do not claim it.
/// - Requests blocked on a future segment or part (`_HLS_msn`/`_HLS_part`) wait on one list per
///   rendition; a playlist update wakes exactly the ones it satisfies, once.
///
/// `@unchecked Sendable`: every field is guarded by `lock`.
public final class OriginStore: PublishDestination, @unchecked Sendable {
    public struct Served: Sendable {
        public let bytes: [UInt8]
        public let kind: Kind
    }

    public enum Kind: Sendable, Equatable {
        case masterPlaylist, mediaPlaylist, initSegment, segment
    }

    struct PlaylistState {
        var playlist: MediaPlaylist
        var text: [UInt8]
        var deltaText: [UInt8]?
    }

    private struct Waiter {
        let request: PlaylistRequest
        let continuation: CheckedContinuation<Bool, Never>
    }

    public let outputDirectory: String
    let cachedSegments: Int
    private let lock = NSLock()
    private var known: [String: Kind] = [:]
    private var cache: [String: [UInt8]] = [:]
    /// Per rendition folder, the cached media paths, oldest first.
    private var cachedOrder: [String: [String]] = [:]
    private var playlists: [String: PlaylistState] = [:]
    private var waiters: [String: [Int: Waiter]] = [:]
    /// Requests for a preload-hinted part, held until it is published (HLS-RULES O4), by path.
    private var fileWaiters: [String: [Int: CheckedContinuation<Bool, Never>]] = [:]
    private var cancelledEarly: Set<Int> = []
    private var nextWaiter = 0
    /// Playlist updates that woke at least one blocked request, and the requests they woke.
    private(set) var wakeUps = 0
    private(set) var wokenRequests = 0
    /// Where wake-ups are counted for `/metrics` (`attach`).
    private var metrics: OriginMetrics?

    /// Counts this store's wake-ups in `metrics` from now on.
    public func attach(_ metrics: OriginMetrics) {
        lock.withLock { self.metrics = metrics }
    }

    public init(outputDirectory: String, cachedSegments: Int = 8) {
        self.outputDirectory = outputDirectory
        self.cachedSegments = max(1, cachedSegments)
    }

    // MARK: PublishDestination

    public func published(_ path: String, bytes: [UInt8], as file: PublishedFile) {
        var woken: [CheckedContinuation<Bool, Never>] = []
        let metrics = lock.withLock {
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            if let held = fileWaiters.removeValue(forKey: path) { woken += held.values }
            switch file {
            case .master:
                known[path] = .masterPlaylist
                cache[path] = bytes
            case .initSegment:
                known[path] = .initSegment
                cache[path] = bytes
            case .segment, .part:
                known[path] = .segment
                cache[path] = bytes
                var order = cachedOrder[folder, default: []].filter { $0 != path }
                order.append(path)
                while order.count > cachedSegments { cache[order.removeFirst()] = nil }
                cachedOrder[folder] = order
            case .mediaPlaylist(let playlist):
                known[path] = .mediaPlaylist
                var served = playlist
                if served.serverControl == nil, !served.endList {
                    served.serverControl = ServerControl(canBlockReload: true, holdBack: 3 * Double(served.targetDuration))
                }
                let text = Array(served.render().utf8)
                cache[path] = text
                playlists[path] = PlaylistState(playlist: served, text: text, deltaText: Self.delta(of: served).map { Array($0.render().utf8) })
                // One pass over this rendition's blocked requests: the ones this update satisfies go.
                if var list = waiters[path] {
                    for (id, waiter) in list where served.endList || BlockingReload.isSatisfied(waiter.request, playlist: served) {
                        woken.append(waiter.continuation)
                        list[id] = nil
                    }
                    waiters[path] = list
                    if !woken.isEmpty {
                        wakeUps += 1
                        wokenRequests += woken.count
                    }
                }
            }
            return self.metrics
        }
        metrics?.woke(requests: woken.count)
        for continuation in woken { continuation.resume(returning: true) }
    }

    public func removed(_ path: String) {
        lock.withLock {
            known[path] = nil
            cache[path] = nil
        }
    }

    // MARK: Serving

    /// The file at `path` (a key exactly as published), from memory or read back from the output folder.
    public func file(_ path: String) -> Served? {
        let (kind, cached) = lock.withLock { (known[path], cache[path]) }
        guard let kind else { return nil }
        if let cached { return Served(bytes: cached, kind: kind) }
        // Published and since pushed out of memory: the same file on disk (the key is one we wrote).
        guard let data = FileManager.default.contents(atPath: outputDirectory + "/" + path) else { return nil }
        return Served(bytes: [UInt8](data), kind: kind)
    }

    /// The media playlist at `path` as it stands, for a decision.
    func playlist(_ path: String) -> PlaylistState? {
        lock.withLock { playlists[path] }
    }

    /// Waits until a playlist update satisfies `request` (true), or `timeout` seconds pass (false).
    func waitForPlaylist(_ path: String, _ request: PlaylistRequest, timeout: Double) async -> Bool {
        await hold(timeout: timeout,
                   ready: { [self] in
                       playlists[path].map { $0.playlist.endList || BlockingReload.isSatisfied(request, playlist: $0.playlist) } ?? false
                   },
                   park: { [self] in waiters[path, default: [:]][$0] = Waiter(request: request, continuation: $1) },
                   unpark: { [self] in waiters[path]?.removeValue(forKey: $0)?.continuation })
    }

    /// Whether `path` is the part a media playlist's EXT-X-PRELOAD-HINT names now, and that playlist's
    /// target duration (how long a request for it may be held).
    func hinted(_ path: String) -> Int? {
        lock.withLock {
            for (playlistPath, state) in playlists {
                guard let hint = state.playlist.preloadHint, !state.playlist.endList else { continue }
                let folder = playlistPath.split(separator: "/").dropLast().joined(separator: "/")
                if (folder.isEmpty ? hint.uri : folder + "/" + hint.uri) == path { return state.playlist.targetDuration }
            }
            return nil
        }
    }

    /// Waits until `path` is published (true) or `timeout` seconds pass (false): a preload-hinted part is
    /// served whole once it is complete, never before (HLS-RULES O4).
    func waitForFile(_ path: String, timeout: Double) async -> Bool {
        await hold(timeout: timeout,
                   ready: { [self] in known[path] != nil },
                   park: { [self] in fileWaiters[path, default: [:]][$0] = $1 },
                   unpark: { [self] in fileWaiters[path]?.removeValue(forKey: $0) })
    }

    /// Holds a request until what it waits for exists (true) or `timeout` seconds pass (false). The three
    /// closures run under `lock`: `ready` answers at once; `park` stores the continuation where
    /// `published` resumes it; `unpark` takes it back out on the timeout (a cancellation), and nil means
    /// it was already resumed. A cancellation that comes before parking is remembered in `cancelledEarly`.
    private func hold(timeout: Double, ready: @escaping @Sendable () -> Bool,
                      park: @escaping @Sendable (Int, CheckedContinuation<Bool, Never>) -> Void,
                      unpark: @escaping @Sendable (Int) -> CheckedContinuation<Bool, Never>?) async -> Bool {
        let id = lock.withLock { () -> Int in
            nextWaiter += 1
            return nextWaiter
        }
        let parked: @Sendable () async -> Bool = { [self] in
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let answerNow = lock.withLock { () -> Bool? in
                        if cancelledEarly.remove(id) != nil { return false }
                        if ready() { return true }
                        park(id, continuation)
                        return nil
                    }
                    if let answerNow { continuation.resume(returning: answerNow) }
                }
            } onCancel: {
                let continuation = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
                    if let parked = unpark(id) { return parked }
                    cancelledEarly.insert(id)
                    return nil
                }
                continuation?.resume(returning: false)
            }
        }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await parked() }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Requests blocked right now, for the metrics and tests.
    public var blockedRequests: Int {
        lock.withLock { waiters.values.reduce(0) { $0 + $1.count } + fileWaiters.values.reduce(0) { $0 + $1.count } }
    }

    /// (updates that woke someone, requests woken) so far.
    public var wakeUpCounts: (updates: Int, requests: Int) { lock.withLock { (wakeUps, wokenRequests) } }

    /// A delta update (O3, LL9): the segments older than CAN-SKIP-UNTIL from the end left out. nil when the
    /// playlist advertises no skipping or nothing would be skipped.
    static func delta(of playlist: MediaPlaylist) -> MediaPlaylist? {
        guard let until = playlist.serverControl?.canSkipUntil, playlist.skippedSegments == nil else { return nil }
        var fromEnd = 0.0
        var keep = 0
        for segment in playlist.segments.reversed() {
            fromEnd += segment.duration
            if fromEnd > until { break }
            keep += 1
        }
        let skipped = playlist.segments.count - keep
        guard skipped > 0 else { return nil }
        var delta = playlist
        delta.skippedSegments = skipped
        delta.segments = Array(playlist.segments.suffix(keep))
        return delta
    }
}
