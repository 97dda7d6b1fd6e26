import Foundation

/// `GET /livez` and `GET /readyz`: the answer, and why when it is no.
public struct HealthCheck: Sendable, Codable, Equatable {
    public var ok: Bool
    public var reasons: [String]
}

/// What `GET /v1/status` returns. Configured and measured values are separate fields; measured ones
/// name their window.
public struct RunStatusReport: Sendable, Codable {
    public struct Input: Sendable, Codable {
        public var `protocol`: String?
        public var url: String
        public var connected: Bool
        public var connectedSince: Date?
        public var session: Int
        public var videoCodec: String?
        public var width: Int?
        public var height: Int?
        public var declaredFPS: Double?
        public var measuredFPS: Double?
        public var keyframeIntervalSeconds: Double?
        public var bytes: Int64
    }

    public struct Measured: Sendable, Codable {
        /// Segment bits over segment media time, for the segments published in the window.
        public var bitrate: Int?
        public var windowSeconds: Double
        public var fps: Double?
        /// Media seconds encoded per wall second over the window.
        public var speedRatio: Double?
        public var lastSegmentNumber: Int?
        public var lastSegmentAt: Date?
        public var segments: Int
        public var gaps: Int
        /// Bytes of every segment it published (not GAP stand-ins).
        public var outputBytes: Int
        public var framesDropped: Int
    }

    public struct Rendition: Sendable, Codable {
        public var name: String
        public var state: RenditionState
        public var configured: RenditionPlan
        public var measured: Measured
        public var restarts: Int
        public var lastError: String?
    }

    /// `starting`, `awaiting-input`, `streaming`, `slate`, `recovering` or `stopping`.
    public var state: String
    public var version: String
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var run: RunDescription?
    public var input: Input?
    public var renditions: [Rendition]
    public var alerts: [Alert]
    /// Counters of the last sample.
    public var counters: RunSnapshot?
}

/// The run as the worker interface reports it: built only from the event stream, so `/v1/status`,
/// `/readyz`, `/livez`, systemd and the progress line all say the same thing the metrics and the events
/// file say. It keeps what stays after a run ends (stats do not vanish with the stream).
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`.
public final class RunStatusModel: RunObserver, @unchecked Sendable {
    /// The window of measured rates.
    public static let window: Double = 10
    /// A sampler older than this means the run's threads are not getting anywhere.
    static let staleSample: Double = 5
    /// An ingest loop (or every rendition) idle this long while the run should be moving: not alive.
    static let idleLimit: Double = 30

    private struct RenditionRecord {
        var plan: RenditionPlan
        var state: RenditionState = .up
        var restarts = 0
        var lastError: String?
        var lastSegment: SegmentPublication?
        var lastSegmentAt: Date?
        var segments = 0
        var gaps = 0
        var bytes = 0
        var recent: [(at: Date, bytes: Int, duration: Double)] = []
    }

    private let lock = NSLock()
    private let started: Date
    private var description: RunDescription?
    private var input: InputDescription?
    private var connectedSince: Date?
    private var connected = false
    private var slateActive = false
    private var order: [String] = []
    private var renditions: [String: RenditionRecord] = [:]
    private var alerts: [String: Alert] = [:]
    private var samples: [RunSnapshot] = []
    private var stopping = false
    private var ended = false

    public init(started: Date = Date()) {
        self.started = started
    }

    /// SIGTERM or `POST /v1/stop`: `/readyz` says no at once, before the drain.
    public func markStopping() { lock.withLock { stopping = true } }

    public func observe(_ stamped: StampedEvent) {
        let now = stamped.time
        lock.withLock {
            switch stamped.event {
            case .runStarted(let run): description = run
            case .ladderResolved(let plans):
                for plan in plans where renditions[plan.name] == nil {
                    order.append(plan.name)
                    renditions[plan.name] = RenditionRecord(plan: plan)
                }
            case .inputConnected(let found), .inputRecovered(let found):
                input = found
                connected = true
                connectedSince = now
            case .inputLost:
                connected = false
                connectedSince = nil
            case .slateStarted: slateActive = true
            case .slateEnded: slateActive = false
            case .segmentPublished(let segment):
                guard var record = renditions[segment.rendition] else { return }
                if segment.gap {
                    record.gaps += 1
                } else {
                    record.segments += 1
                    record.bytes += segment.bytes
                    record.lastSegment = segment
                    record.lastSegmentAt = now
                    record.recent.append((now, segment.bytes, segment.duration))
                    record.recent.removeAll { now.timeIntervalSince($0.at) > Self.window }
                }
                renditions[segment.rendition] = record
            case .writeFailed(let name, let error):
                renditions[name]?.lastError = error
            case .renditionFailed(let name, _, let error, _):
                renditions[name]?.state = .restarting
                renditions[name]?.restarts += 1
                renditions[name]?.lastError = error
            case .renditionRestarted(let name, _, _):
                renditions[name]?.state = .up
                // A restarted rendition has had no segment since; readiness waits for its next one, but
                // from now, not from before it failed.
                renditions[name]?.lastSegmentAt = now
            case .renditionGivenUp(let name, _, let error):
                renditions[name]?.state = .givenUp
                renditions[name]?.lastError = error
            case .alertSet(let alert): alerts[alert.alertId] = alert
            case .alertCleared(let alert): alerts.removeValue(forKey: alert.alertId)
            case .progress(let snapshot):
                samples.append(snapshot)
                samples.removeAll { snapshot.time.timeIntervalSince($0.time) > Self.window + 1 }
                slateActive = snapshot.slateActive
            case .runSummary, .pushResult, .passthroughFellBack: break
            case .runStopped: ended = true
            }
        }
    }

    /// `starting` (setting up), `awaiting-input` (listening, or the input is lost with no slate),
    /// `streaming`, `slate` (the slate is on air), `recovering` (a rendition is restarting) or `stopping`.
    public var state: String { lock.withLock { currentState } }

    private var currentState: String {
        if stopping || ended { return "stopping" }
        if input == nil { return description == nil ? "starting" : "awaiting-input" }
        if slateActive { return "slate" }
        if !connected { return "awaiting-input" }
        if renditions.values.contains(where: { $0.state == .restarting }) { return "recovering" }
        return "streaming"
    }

    /// Ready: every rendition still in the ladder published within 1.5 × segment duration (or the slate
    /// is on air, which keeps them publishing). A rendition given up has left the master: it does not
    /// count, but the run is not ready when none is left.
    public func readiness(now: Date = Date()) -> HealthCheck {
        lock.withLock {
            if stopping || ended { return HealthCheck(ok: false, reasons: ["stopping"]) }
            guard let description else { return HealthCheck(ok: false, reasons: ["starting"]) }
            if renditions.isEmpty { return HealthCheck(ok: false, reasons: [input == nil ? "waiting for the input" : "setting up the ladder"]) }
            let limit = 1.5 * description.segmentDuration
            var reasons: [String] = []
            let active = order.compactMap { name in renditions[name].map { (name, $0) } }.filter { $0.1.state != .givenUp }
            if active.isEmpty { reasons.append("every rendition was given up") }
            for (name, record) in active {
                guard let last = record.lastSegmentAt else {
                    reasons.append("\(name): no segment published yet")
                    continue
                }
                let age = now.timeIntervalSince(last)
                if age > limit {
                    reasons.append("\(name): no segment for \(String(format: "%.1f", age)) s (limit \(String(format: "%.1f", limit)) s)\(record.state == .restarting ? ", restarting" : "")")
                }
            }
            return HealthCheck(ok: reasons.isEmpty, reasons: reasons)
        }
    }

    /// Alive: the sampler, the ingest loop and the supervisor's watchdog all moved recently. Losing the
    /// input is not failing: a restart cannot bring a publisher back.
    public func liveness(now: Date = Date()) -> HealthCheck {
        lock.withLock {
            guard let last = samples.last else {
                let uptime = now.timeIntervalSince(started)
                return uptime < Self.idleLimit ? HealthCheck(ok: true, reasons: [])
                    : HealthCheck(ok: false, reasons: ["no progress sample in \(Int(uptime)) s"])
            }
            if ended { return HealthCheck(ok: true, reasons: []) }
            var reasons: [String] = []
            let age = now.timeIntervalSince(last.time)
            if age > Self.staleSample { reasons.append("the last progress sample is \(String(format: "%.1f", age)) s old") }
            let renditionsMoved = samples.count > 1 && samples.first.map { first in
                zip(first.renditions, last.renditions).contains { $0.itemsEncoded != $1.itemsEncoded }
            } == true
            if last.ingestIdleSeconds > Self.idleLimit && !renditionsMoved {
                reasons.append("the ingest loop has been idle for \(Int(last.ingestIdleSeconds)) s")
            }
            if last.watchdogIdleSeconds > Self.staleSample {
                reasons.append("the supervisor's watchdog has been idle for \(Int(last.watchdogIdleSeconds)) s")
            }
            return HealthCheck(ok: reasons.isEmpty, reasons: reasons)
        }
    }

    /// The latest progress sample.
    public var latest: RunSnapshot? { lock.withLock { samples.last } }

    /// Measured rates over the window, from the first and last samples in it.
    private func rates(for name: String?) -> (fps: Double?, speed: Double?) {
        guard let last = samples.last, let first = samples.first(where: { last.time.timeIntervalSince($0.time) <= Self.window }),
              last.time.timeIntervalSince(first.time) >= 0.5 else { return (nil, nil) }
        let wall = last.time.timeIntervalSince(first.time)
        guard let name else { return (Double(last.videoFrames - first.videoFrames) / wall, nil) }
        guard let a = first.renditions.first(where: { $0.name == name }), let b = last.renditions.first(where: { $0.name == name }) else { return (nil, nil) }
        return (Double(b.itemsEncoded - a.itemsEncoded) / wall, (b.mediaSeconds - a.mediaSeconds) / wall)
    }

    /// The input's measured frame rate over the window.
    public var measuredInputFPS: Double? { lock.withLock { rates(for: nil).fps } }

    /// A rendition's media seconds encoded per wall second over the window.
    public func speedRatio(of rendition: String) -> Double? { lock.withLock { rates(for: rendition).speed } }

    /// Seconds since the rendition's playlist last changed (its last segment or GAP), nil before one.
    public func playlistAge(of rendition: String, now: Date = Date()) -> Double? {
        lock.withLock { renditions[rendition]?.lastSegmentAt.map { now.timeIntervalSince($0) } }
    }

    public var activeAlerts: [Alert] { lock.withLock { alerts.values.sorted { $0.alertId < $1.alertId } } }

    public func status(version: String, now: Date = Date()) -> RunStatusReport {
        lock.withLock {
            let last = samples.last
            let inputReport = description.map { run in
                RunStatusReport.Input(protocol: input?.protocol, url: input?.url ?? run.input, connected: connected,
                                      connectedSince: connectedSince, session: input?.session ?? 0,
                                      videoCodec: input?.videoCodec, width: input?.width, height: input?.height,
                                      declaredFPS: input?.declaredFPS, measuredFPS: rates(for: nil).fps,
                                      keyframeIntervalSeconds: last?.keyframeInterval, bytes: last?.inputBytes ?? 0)
            }
            let list = order.compactMap { name -> RunStatusReport.Rendition? in
                guard let record = renditions[name] else { return nil }
                let (fps, speed) = rates(for: name)
                let recent = record.recent.filter { now.timeIntervalSince($0.at) <= Self.window }
                let seconds = recent.reduce(0) { $0 + $1.duration }
                let bitrate = seconds > 0 ? Int(Double(recent.reduce(0) { $0 + $1.bytes }) * 8 / seconds) : nil
                let dropped = last?.renditions.first { $0.name == name }?.framesDropped ?? 0
                return .init(name: name, state: record.state, configured: record.plan,
                             measured: .init(bitrate: bitrate, windowSeconds: Self.window, fps: record.plan.width == nil ? nil : fps,
                                             speedRatio: speed, lastSegmentNumber: record.lastSegment?.number,
                                             lastSegmentAt: record.lastSegmentAt, segments: record.segments, gaps: record.gaps,
                                             outputBytes: record.bytes, framesDropped: dropped),
                             restarts: record.restarts, lastError: record.lastError)
            }
            return RunStatusReport(state: currentState, version: version, startedAt: started,
                                   uptimeSeconds: now.timeIntervalSince(started), run: description, input: inputReport,
                                   renditions: list, alerts: alerts.values.sorted { $0.alertId < $1.alertId }, counters: last)
        }
    }
}
