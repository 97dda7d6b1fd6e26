import Foundation
import HLSModel
import LiveLadderCore
import Logging

/// One `--push` target: a `PublishDestination` that sends every published file to an external origin,
/// in order per rendition, without ever holding up the encoder, the local output or another destination.
///
/// - `published` (a rendition's thread) only queues, under a short lock, and wakes that rendition's lane.
/// - Each rendition, and the master, has a lane: a task that sends one item at a time over the shared
///   transport's persistent connections (`PushLane` keeps the order and the buffer bound).
/// - Retries back off from 100 ms to 1 s:
///   - media the origin answers with 5xx, 408 or 429 is retried for one segment duration, then it is a
///     GAP on this origin;
///   - media without an answer (refused, reset, timed out) is kept while the lane's buffer has room (3
///     segments): a short outage delays segments, a long one loses the oldest and resumes at the live edge;
///   - init segments and playlists are retried until they go, a newer playlist replacing an older one;
///   - a 4xx other than 408 and 429 is not retried: an alert (`push-refused`) is set, and a refused part
///     turns parts off for this origin (its playlists then carry no Low-Latency tags).
/// - Every outcome is a `push.result` event; metrics and the events file read those.
///
/// `@unchecked Sendable`: every stored `var` is guarded by `lock`.
public final class PushDestination: PublishDestination, @unchecked Sendable {
    public let target: PushTarget
    /// 1-based, in `--push` order: the `target` metric label.
    public let index: Int
    let transport: any PushTransport
    let events: RunEventBus?
    let logger: Logger
    /// Seconds: the retry bound of media, and the unit of the outage alert.
    let segmentDuration: Double
    /// Segments a lane holds while the origin does not answer.
    let bufferSegments: Int

    private let lock = NSLock()
    private var lanes: [String: PushLane] = [:]
    private var wakes: [String: AsyncStream<Void>.Continuation] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    private var partsAccepted = true
    private var deletesAccepted = true
    private var draining = false
    private var failingSince: ContinuousClock.Instant?
    /// The last 2xx: the drain goes on while the origin keeps answering.
    private var lastProgress = ContinuousClock.now
    private var alerts: [String: Alert] = [:]
    private var tally = PushTally()

    public init(target: PushTarget, index: Int, transport: any PushTransport, events: RunEventBus?, segmentDuration: Double,
                bufferSegments: Int = 3, logger: Logger) {
        self.target = target
        self.index = index
        self.transport = transport
        self.events = events
        self.segmentDuration = min(max(segmentDuration, 0.1), 60)
        self.bufferSegments = max(1, bufferSegments)
        self.logger = logger
    }

    // MARK: PublishDestination (called on the pipeline's threads: queue and return)

    public func published(_ path: String, bytes: [UInt8], as file: PublishedFile) {
        let work: PushItem.Work
        switch file {
        case .initSegment: work = .initSegment(bytes)
        case .segment(let number): work = .segment(number: number, bytes: bytes)
        case .part(let number, let index):
            guard lock.withLock({ partsAccepted }) else { return }
            work = .part(number: number, index: index, bytes: bytes)
        case .mediaPlaylist(let playlist): work = .mediaPlaylist(playlist)
        case .master: work = .master(bytes, names: Self.mediaPlaylists(named: bytes))
        }
        enqueue(PushItem(path: path, work: work, readyAt: .now))
    }

    public func removed(_ path: String) {
        let deleting = target.deleteOld && lock.withLock { deletesAccepted }
        if deleting {
            enqueue(PushItem(path: path, work: .delete, readyAt: .now))
        } else {
            // Gone locally before it was sent: it will never reach this origin.
            let lost = lock.withLock { lanes[Self.lane(of: path)]?.discardUnsent(path) ?? [] }
            for item in lost { report(item, .lost, attempts: 0, error: "deleted locally before it could be sent") }
        }
    }

    // MARK: The end of the run

    /// Waits until every lane is empty, as long as the origin keeps acknowledging: once `limit` passes
    /// with no 2xx, what is still in flight is cancelled and every unsent file is reported. (So a long
    /// file transcoded faster than the origin takes it still arrives whole, and a dead origin costs
    /// `limit`.) Clears this target's alerts. Returns what failed.
    public func drain(within limit: Duration) async -> PushTally {
        let running: [Task<Void, Never>] = lock.withLock {
            draining = true
            lastProgress = .now
            for wake in wakes.values { wake.yield() }
            return Array(tasks.values)
        }
        // A strong capture, not a weak one: the timer ends with the drain, and a weak reference's side
        // table is invisible to LeakSanitizer (tools/asan.sh would report it).
        let timer = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard !Task.isCancelled else { return }
                let stalled = self.lock.withLock { ContinuousClock.now - self.lastProgress >= limit }
                if stalled {
                    for task in self.lock.withLock({ Array(self.tasks.values) }) { task.cancel() }
                    return
                }
            }
        }
        for task in running { await task.value }
        timer.cancel()
        let leftovers: [PushItem] = lock.withLock {
            defer { for key in lanes.keys { lanes[key]?.clear() } }
            return lanes.values.flatMap(\.queue)
        }
        for item in leftovers { report(item, .unsent, attempts: 0, error: "still queued when the run ended") }
        let (cleared, tally) = lock.withLock { () -> ([Alert], PushTally) in
            defer { alerts.removeAll() }
            return (alerts.values.sorted { $0.alertId < $1.alertId }, self.tally)
        }
        for alert in cleared { events?.emit(.alertCleared(alert)) }
        return tally
    }

    // MARK: Lanes

    private func enqueue(_ item: PushItem) {
        let key = Self.lane(of: item.path)
        let (changes, start): ((givenUp: [PushItem], superseded: [PushItem]), AsyncStream<Void>?) = lock.withLock {
            guard !draining || tasks[key] != nil else { return (([], []), nil) }
            var lane = lanes[key] ?? PushLane(capacity: bufferSegments)
            let changes = lane.enqueue(item)
            lanes[key] = lane
            if let wake = wakes[key] {
                wake.yield()
                return (changes, nil)
            }
            let (stream, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            wakes[key] = wake
            return (changes, stream)
        }
        if let start {
            let task = Task { [self] in await runLane(key, wake: start) }
            lock.withLock { tasks[key] = task }
        }
        for lost in changes.givenUp {
            report(lost, .lost, attempts: 0, error: "the push buffer was full: the origin is failing or too far behind")
        }
        for old in changes.superseded { report(old, .superseded, attempts: 0) }
    }

    private func runLane(_ key: String, wake stream: AsyncStream<Void>) async {
        var wake = stream.makeAsyncIterator()
        while !Task.isCancelled {
            guard let item = lock.withLock({ lanes[key]?.next() }) else {
                if lock.withLock({ draining }) { return }
                guard await wake.next() != nil else { return }
                continue
            }
            await deliver(item, lane: key)
        }
        // Cancelled (the drain's time ran out): the item in flight did not go.
        if let item = lock.withLock({ lanes[key]?.inFlight }) {
            lock.withLock { lanes[key]?.finish(acknowledged: false) }
            report(item, .unsent, attempts: 0, error: "still being sent when the run's time to drain pushes ran out")
        }
    }

    /// Sends one item under its retry policy, then records what became of it.
    private func deliver(_ item: PushItem, lane key: String) async {
        let clock = ContinuousClock()
        let start = clock.now
        var attempts = 0
        var status: Int?
        var failure: String?
        var backoff = Duration.milliseconds(100)
        if case .part = item.work, !lock.withLock({ partsAccepted }) {
            // Queued before the origin refused a part: its segment will carry it.
            return conclude(item, lane: key, .superseded, attempts: 0, status: nil)
        }
        while true {
            guard !Task.isCancelled else { return }
            let body: [UInt8]
            switch await content(of: item, lane: key) {
            case .send(let bytes): body = bytes
            case .superseded: return conclude(item, lane: key, .superseded, attempts: attempts, status: status)
            case .withheld(let reason): return conclude(item, lane: key, .unsent, attempts: attempts, status: status, error: reason)
            }
            attempts += 1
            let response = await transport.send(method: item.work.isDelete ? "DELETE" : target.method.rawValue,
                                                url: target.url(for: item.path), headers: headers(for: item),
                                                body: item.work.isDelete ? nil : body, timeout: timeout(for: item))
            guard !Task.isCancelled else { return }
            switch response {
            case .status(let code) where (200..<300).contains(code):
                return conclude(item, lane: key, .delivered, attempts: attempts, status: code, latency: (clock.now - item.readyAt).seconds)
            case .status(let code) where item.work.isDelete && [404, 405, 410].contains(code):
                // Already gone, or an origin that does not delete: nothing to retry.
                if code == 405 { lock.withLock { deletesAccepted = false } }
                return conclude(item, lane: key, .delivered, attempts: attempts, status: code)
            case .status(let code) where code < 200 || (code >= 300 && code < 500 && code != 408 && code != 429):
                return conclude(item, lane: key, .refused, attempts: attempts, status: code,
                                error: "the origin answered \(code), which is not retried")
            case .status(let code):
                status = code
                failure = "the origin answered \(code)"
            case .failed(let reason):
                failure = reason
            }
            noteFailure(failure ?? "no answer")
            // From now on the lane holds only `bufferSegments` behind this item.
            let trimmed = lock.withLock { () -> [PushItem] in
                lanes[key]?.failing = true
                return lanes[key]?.trim() ?? []
            }
            for lost in trimmed {
                report(lost, .lost, attempts: 0, error: "\(failure ?? "no answer"); the push buffer (\(bufferSegments) segments) was full")
            }
            let elapsed = clock.now - start
            if item.work.isDelete, attempts >= 3 {
                return conclude(item, lane: key, .lost, attempts: attempts, status: status, error: failure)
            }
            if case .part(let number, _, _) = item.work, lock.withLock({ lanes[key]?.hasQueuedSegment(number) ?? false }) {
                // Its whole segment is published and waits behind it with the same bytes.
                return conclude(item, lane: key, .superseded, attempts: attempts, status: status, error: failure)
            }
            if item.isMedia {
                // An origin that answers but will not store it: one segment duration, then a GAP there.
                if case .status = response, elapsed.seconds >= segmentDuration {
                    return conclude(item, lane: key, .lost, attempts: attempts, status: status, error: failure)
                }
                // No answer at all: the item waits while newer media fits in the buffer behind it.
                if lock.withLock({ (lanes[key]?.queuedSegments ?? 0) >= bufferSegments }) {
                    return conclude(item, lane: key, .lost, attempts: attempts, status: status,
                                    error: "\(failure ?? "no answer"); the push buffer (\(bufferSegments) segments) filled up behind it")
                }
            } else if item.work.isPlaylist, lock.withLock({ lanes[key]?.newerPlaylistQueued ?? false }) {
                return conclude(item, lane: key, .superseded, attempts: attempts, status: status)
            }
            do { try await Task.sleep(for: backoff) } catch { return }
            backoff = min(backoff * 2, .seconds(1))
        }
    }

    private enum Content {
        case send([UInt8])
        /// A newer master waits behind this one.
        case superseded
        /// It cannot go without breaking PU1/PU2: the reason.
        case withheld(String)
    }

    /// What to send for `item` now: a playlist as this origin may show it, the master once every media
    /// playlist it names is on the origin (PU2).
    private func content(of item: PushItem, lane key: String) async -> Content {
        switch item.work {
        case .initSegment(let bytes), .segment(_, let bytes), .part(_, _, let bytes): return .send(bytes)
        case .delete: return .send([])
        case .mediaPlaylist(let local):
            return lock.withLock {
                guard let lane = lanes[key],
                      let shown = OriginPlaylist.rendered(local, folder: key, acknowledged: lane.acknowledged, partsAccepted: partsAccepted)
                else { return .withheld("its init segment is not on the origin") }
                return .send(Array(shown.render().utf8))
            }
        case .master(let bytes, let names):
            while !Task.isCancelled {
                let (ready, newer, hopeless) = lock.withLock {
                    let missing = names.filter { name in !(lanes[Self.lane(of: name)]?.acknowledged.contains(name) ?? false) }
                    // At the end, with the lanes of the missing playlists idle, nothing more will arrive.
                    let hopeless = draining && missing.allSatisfy { lanes[Self.lane(of: $0)]?.isIdle ?? true }
                    return (missing.isEmpty, lanes[key]?.newerPlaylistQueued ?? false, hopeless && !missing.isEmpty)
                }
                if ready { return .send(bytes) }
                if newer { return .superseded }
                if hopeless { return .withheld("the media playlists it names are not on the origin") }
                do { try await Task.sleep(for: .milliseconds(50)) } catch { break }
            }
            return .withheld("the media playlists it names were not on the origin in time")
        }
    }

    private func conclude(_ item: PushItem, lane key: String, _ outcome: PushResult.Outcome, attempts: Int, status: Int?,
                          latency: Double? = nil, error: String? = nil) {
        var changes: [RunEvent] = []
        lock.withLock {
            lanes[key]?.finish(acknowledged: outcome == .delivered)
            if outcome == .delivered, case .mediaPlaylist(let local) = item.work {
                lanes[key]?.prune(keeping: OriginPlaylist.named(by: local, folder: key, path: item.path))
            }
            if outcome == .delivered {
                failingSince = nil
                lastProgress = .now
                for id in alerts.keys.sorted() where id.hasPrefix("push-failing") || id.hasPrefix("push-refused") {
                    if let alert = alerts.removeValue(forKey: id) { changes.append(.alertCleared(alert)) }
                }
            }
            if outcome == .refused {
                if case .part = item.work, partsAccepted {
                    partsAccepted = false
                    logger.warning("push: \(target.redacted) refused a part (\(status.map(String.init) ?? "-")); parts are off for this origin, its playlists carry whole segments only")
                }
                let alert = Alert(alertId: "push-refused/\(index)", code: "push-refused", subject: "push-\(index)",
                                  message: "push to \(target.redacted): \(item.path) was refused (\(error ?? "refused")); check the origin's URL and permissions")
                if alerts[alert.alertId] == nil {
                    alerts[alert.alertId] = alert
                    changes.append(.alertSet(alert))
                }
            }
        }
        for change in changes { events?.emit(change) }
        // A refused part is not lost: its segment carries the same media.
        if case .part = item.work, outcome == .refused {
            report(item, .superseded, attempts: attempts, status: status, error: error)
        } else {
            report(item, outcome, attempts: attempts, status: status, latency: latency, error: error)
        }
    }

    /// A failed request: after one segment duration of nothing but failures, `push-failing` is set.
    private func noteFailure(_ reason: String) {
        let alert: Alert? = lock.withLock {
            let now = ContinuousClock.now
            let since = failingSince ?? now
            failingSince = since
            guard (now - since).seconds >= segmentDuration, alerts["push-failing/\(index)"] == nil else { return nil }
            let alert = Alert(alertId: "push-failing/\(index)", code: "push-failing", subject: "push-\(index)",
                              message: "push to \(target.redacted) has failed for \(String(format: "%.1f", (now - since).seconds)) s: \(reason); each rendition buffers \(bufferSegments) segments, older ones become GAPs there")
            alerts[alert.alertId] = alert
            return alert
        }
        if let alert {
            logger.warning("\(alert.message)")
            events?.emit(.alertSet(alert))
        }
    }

    private func report(_ item: PushItem, _ outcome: PushResult.Outcome, attempts: Int, status: Int? = nil,
                        latency: Double? = nil, error: String? = nil) {
        lock.withLock { tally.count(item, outcome) }
        events?.emit(.pushResult(PushResult(target: target.redacted, targetIndex: index, path: item.path, kind: item.kind,
                                            outcome: outcome, status: status, attempts: attempts, latency: latency, error: error)))
    }

    private func headers(for item: PushItem) -> [(name: String, value: String)] {
        item.work.isDelete ? target.headers : target.headers + [("Content-Type", item.contentType)]
    }

    /// One request's time: media and playlists get one segment duration (1 to 10 s), so an origin that
    /// accepts and never answers costs each attempt no more than that.
    private func timeout(for item: PushItem) -> Duration {
        .milliseconds(Int(min(max(segmentDuration, 1), 10) * 1000))
    }

    /// The lane of an output path: its rendition folder, or "" for the master.
    static func lane(of path: String) -> String {
        guard let slash = path.firstIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The media playlists a master names (relative paths), which must be on the origin before it: every
    /// URI line, and the `URI="…"` of its `EXT-X-MEDIA` tags. LiveLadder wrote the master, so a line scan
    /// is enough; it needs no validation the master parser would add.
    static func mediaPlaylists(named bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        var names: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if !line.hasPrefix("#") {
                names.insert(line)
            } else if line.hasPrefix("#EXT-X-MEDIA:"), let start = line.range(of: "URI=\"") {
                let rest = line[start.upperBound...]
                if let end = rest.firstIndex(of: "\"") { names.insert(String(rest[..<end])) }
            }
        }
        return names.sorted()
    }
}

/// What a target did not deliver, for the run's exit code and its last line.
public struct PushTally: Sendable, Equatable {
    /// Segments and init segments that are not on the origin. (A lost part is not counted: its segment
    /// carries the same media, and counts if it is lost too.)
    public var lostMedia = 0
    /// Files the origin refused (4xx), parts excepted.
    public var refused = 0
    /// Files still queued or in flight when the run ended (the last playlist among them, say).
    public var unsent = 0
    public var delivered = 0

    public var complete: Bool { lostMedia == 0 && refused == 0 && unsent == 0 }

    mutating func count(_ item: PushItem, _ outcome: PushResult.Outcome) {
        if case .delete = item.work { return }
        switch outcome {
        case .delivered: delivered += 1
        case .lost: if item.kind == "segment" || item.kind == "init" { lostMedia += 1 }
        case .refused: refused += 1
        case .unsent: unsent += 1
        case .superseded: break
        }
    }
}

extension PushItem.Work {
    var isDelete: Bool { if case .delete = self { true } else { false } }
    var isPlaylist: Bool {
        switch self {
        case .mediaPlaylist, .master: return true
        default: return false
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
