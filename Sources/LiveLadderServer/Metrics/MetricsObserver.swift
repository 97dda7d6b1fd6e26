import Foundation
import LiveLadderCore
import Metrics
// Only the registry: Prometheus' own Counter and Gauge would shadow swift-metrics' types used here.
import class Prometheus.PrometheusCollectorRegistry

/// The run's metrics, kept from its event stream and rendered in the Prometheus text format for
/// `GET /metrics`.
///
/// Metrics are made through swift-metrics (`Counter`, `Gauge`, `Recorder`) with an explicit factory over
/// this observer's own `PrometheusCollectorRegistry`; nothing is bootstrapped into `MetricsSystem`, so
/// several observers (tests) live in one process. The exposition is the registry's `emit(into:)`.
///
/// Series exist from `init` with their starting value, except two kinds: the per-rendition series exist
/// once `ladder.resolved` names the ladder (it depends on the source, so it is not known at startup),
/// and `liveladder_input_connected{protocol}` exists once the input is known (`input:` here, or
/// `run.started`). Labels come only from fixed sets (rendition, reason, protocol); never ids,
/// addresses or states.
///
/// `observe` runs on pipeline threads: it takes one short lock and updates atomics, nothing more.
/// `@unchecked Sendable`: every stored `var` is guarded by `lock`; the metric handles are thread-safe.
public final class MetricsObserver: RunObserver, @unchecked Sendable {
    /// The window of the measured rates (input fps, encode speed), as in `RunStatusModel`.
    static let window: Double = 10
    static let maxSamples = 64

    public let registry: PrometheusCollectorRegistry
    private let factory: CatalogMetricsFactory

    private let inputBytes: Counter
    private let inputSessions: Counter
    private let inputLossSeconds: FloatingPointCounter
    private let slateSeconds: FloatingPointCounter
    private let inputErrors: [String: Counter]
    private let inputFPS: Gauge
    private let slateActive: Gauge
    private let eventsDropped: Counter

    private struct Sample {
        let time: Date
        let videoFrames: Int
        let mediaSeconds: [String: Double]
    }

    private let lock = NSLock()
    private var inputConnected: (protocol: String, gauge: Gauge)?
    private var connected = false
    private var bytesMark = Watermark(), sessionsMark = Watermark(), lossMark = Watermark(), slateMark = Watermark()
    private var errorMarks: [String: Watermark] = [:]
    private var droppedEventsMark = Watermark()
    private var renditions: [String: RenditionMetrics] = [:]
    private var samples: [Sample] = []
    /// Per push target (its index), the handles made at its first result.
    private var pushes: [Int: PushMetrics] = [:]

    /// The `reason` label of `liveladder_input_errors_total`, and the snapshot field it counts.
    private static let inputErrorReasons: [(reason: String, value: @Sendable (RunSnapshot) -> Int)] = [
        ("damaged-packet", { $0.damagedPackets }),
        ("timestamp-jump", { $0.timestampJumps }),
        ("decode-error", { $0.decodeErrors }),
    ]

    /// - Parameters:
    ///   - build: the versions for `liveladder_build_info`.
    ///   - input: the `--input` argument, when known before `run.started`, so the input gauge exists at once.
    public init(build: BuildInfo, input: String? = nil) {
        let registry = PrometheusCollectorRegistry()
        let factory = CatalogMetricsFactory(registry: registry)
        self.registry = registry
        self.factory = factory
        Gauge(label: MetricCatalog.buildInfo.name,
              dimensions: [("version", build.version), ("ffmpeg", build.ffmpeg), ("x264", build.x264)],
              factory: factory).record(1)
        inputBytes = Counter(label: MetricCatalog.inputBytes.name, factory: factory)
        inputSessions = Counter(label: MetricCatalog.inputSessions.name, factory: factory)
        inputLossSeconds = FloatingPointCounter(label: MetricCatalog.inputLossSeconds.name, factory: factory)
        slateSeconds = FloatingPointCounter(label: MetricCatalog.slateSeconds.name, factory: factory)
        inputErrors = Dictionary(uniqueKeysWithValues: Self.inputErrorReasons.map { entry in
            (entry.reason, Counter(label: MetricCatalog.inputErrors.name, dimensions: [("reason", entry.reason)], factory: factory))
        })
        inputFPS = Gauge(label: MetricCatalog.inputFPS.name, factory: factory)
        inputFPS.record(0)
        slateActive = Gauge(label: MetricCatalog.slateActive.name, factory: factory)
        slateActive.record(0)
        eventsDropped = Counter(label: MetricCatalog.eventsDropped.name, factory: factory)
        if let input { lock.withLock { setInputProtocol(Self.inputProtocol(of: input)) } }
    }

    /// The `protocol` label for an `--input` argument: `pipe` for stdin (`-`), the URL scheme
    /// (`rtmp`, `srt`, `udp`…) for a URL, `file` for a plain path or a `file:` URL.
    public static func inputProtocol(of input: String) -> String {
        if input == "-" || input == "pipe:" || input.hasPrefix("pipe:") { return "pipe" }
        if let range = input.range(of: "://") {
            let scheme = input[..<range.lowerBound]
            if !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
                return scheme.lowercased()
            }
        }
        return "file"
    }

    public func observe(_ stamped: StampedEvent) {
        lock.withLock { apply(stamped.event, at: stamped.time) }
    }

    /// Must hold `lock`.
    private func apply(_ event: RunEvent, at time: Date) {
        switch event {
        case .runStarted(let run):
            setInputProtocol(run.inputProtocol ?? Self.inputProtocol(of: run.input))
        case .ladderResolved(let plans):
            for plan in plans where renditions[plan.name] == nil {
                renditions[plan.name] = RenditionMetrics(name: plan.name, factory: factory, at: time)
            }
        case .inputConnected, .inputRecovered:
            setConnected(true)
        case .inputLost:
            setConnected(false)
        case .slateStarted:
            slateActive.record(1)
        case .slateEnded:
            slateActive.record(0)
        case .segmentPublished(let segment):
            guard var rendition = renditions[segment.rendition] else { return }
            if segment.gap {
                rendition.gaps.increment()
            } else {
                rendition.segments.increment()
                rendition.outputBytes.increment(by: max(0, segment.bytes))
                rendition.segmentDuration.record(segment.duration)
                if let latency = segment.readyLatency { rendition.readyLatency.record(latency) }
            }
            rendition.lastChange = time
            rendition.updateAge(now: time)
            renditions[segment.rendition] = rendition
        case .writeFailed(let name, _):
            renditions[name]?.writeErrors.increment()
        case .renditionFailed(let name, let reason, _, _):
            renditions[name]?.restarts[reason]?.increment()
            renditions[name]?.up.record(0)
        case .renditionRestarted(let name, _, _):
            renditions[name]?.up.record(1)
        case .renditionGivenUp(let name, _, _):
            renditions[name]?.up.record(0)
        case .progress(let snapshot):
            apply(snapshot, at: time)
        case .pushResult(let result):
            push(result)
        case .alertSet, .alertCleared, .runSummary, .runStopped, .passthroughFellBack:
            break
        }
    }

    /// Must hold `lock`. Counters advance by what the cumulative snapshot gained since the last one.
    private func apply(_ snapshot: RunSnapshot, at time: Date) {
        inputBytes.increment(by: Int(bytesMark.advance(to: Double(snapshot.inputBytes))))
        inputSessions.increment(by: Int(sessionsMark.advance(to: Double(snapshot.sessions))))
        inputLossSeconds.increment(by: lossMark.advance(to: snapshot.inputLossSeconds))
        slateSeconds.increment(by: slateMark.advance(to: snapshot.slateSeconds))
        for (reason, value) in Self.inputErrorReasons {
            inputErrors[reason]?.increment(by: Int(errorMarks[reason, default: Watermark()].advance(to: Double(value(snapshot)))))
        }
        slateActive.record(snapshot.slateActive ? 1 : 0)
        for item in snapshot.renditions {
            guard var rendition = renditions[item.name] else { continue }
            rendition.framesDropped.increment(by: Int(rendition.droppedMark.advance(to: Double(item.framesDropped))))
            renditions[item.name] = rendition
        }

        // Rates over the window, from its first sample to this one (the snapshot's own clock).
        samples.append(Sample(time: snapshot.time, videoFrames: snapshot.videoFrames,
                              mediaSeconds: Dictionary(snapshot.renditions.map { ($0.name, $0.mediaSeconds) }, uniquingKeysWith: { $1 })))
        samples.removeAll { snapshot.time.timeIntervalSince($0.time) > Self.window }
        // Samples come about once a second; a burst (or a clock that stands still) must not grow the window.
        if samples.count > Self.maxSamples { samples.removeFirst(samples.count - Self.maxSamples) }
        if let first = samples.first, case let wall = snapshot.time.timeIntervalSince(first.time), wall >= 0.5 {
            inputFPS.record(max(0, Double(snapshot.videoFrames - first.videoFrames) / wall))
            for item in snapshot.renditions {
                guard let rendition = renditions[item.name], let start = first.mediaSeconds[item.name] else { continue }
                rendition.speedRatio.record(max(0, (item.mediaSeconds - start) / wall))
            }
        }
        for rendition in renditions.values { rendition.updateAge(now: time) }
    }

    /// Must hold `lock`.
    private func setInputProtocol(_ name: String) {
        if let current = inputConnected, current.protocol == name { return }
        // One input per run: a different scheme (a second run.started) retires the old series to 0.
        inputConnected?.gauge.record(0)
        let gauge = Gauge(label: MetricCatalog.inputConnected.name, dimensions: [("protocol", name)], factory: factory)
        gauge.record(connected ? 1 : 0)
        inputConnected = (name, gauge)
    }

    /// Must hold `lock`.
    private func setConnected(_ value: Bool) {
        connected = value
        inputConnected?.gauge.record(value ? 1 : 0)
    }

    /// The exposition (Prometheus text format 0.0.4). `eventsDropped` is the total of events slow readers
    /// lost so far (`RunEventBus.droppedCount` plus any the HTTP server's own streams dropped); the
    /// playlist ages are brought up to `now`.
    public func exposition(eventsDropped dropped: Int, now: Date = Date()) -> [UInt8] {
        lock.withLock {
            eventsDropped.increment(by: Int(droppedEventsMark.advance(to: Double(dropped))))
            for rendition in renditions.values { rendition.updateAge(now: now) }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    /// The built-in origin's metrics, in this observer's registry (one per process: call once).
    /// Must hold `lock`.
    private func push(_ result: PushResult) {
        let metrics = pushes[result.targetIndex] ?? PushMetrics(target: result.targetIndex, factory: factory)
        pushes[result.targetIndex] = metrics
        metrics.record(result)
    }

    public func originMetrics() -> OriginMetrics {
        OriginMetrics(factory: factory)
    }
}
