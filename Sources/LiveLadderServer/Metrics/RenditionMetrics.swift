import Foundation
import LiveLadderCore
import Metrics

/// The series of one rendition, every one created (at 0) when the ladder is resolved.
struct RenditionMetrics {
    let up: Gauge
    let restarts: [RestartReason: Counter]
    let framesDropped: Counter
    let speedRatio: Gauge
    let segments: Counter
    let outputBytes: Counter
    let gaps: Counter
    let segmentDuration: Recorder
    let readyLatency: Recorder
    let playlistAge: Gauge
    let writeErrors: Counter

    var droppedMark = Watermark()
    /// The last segment or GAP published, or the ladder's resolution before the first.
    var lastChange: Date

    init(name: String, factory: CatalogMetricsFactory, at time: Date) {
        let labels = [("rendition", name)]
        up = Gauge(label: MetricCatalog.renditionUp.name, dimensions: labels, factory: factory)
        restarts = Dictionary(uniqueKeysWithValues: RestartReason.allCases.map { reason in
            (reason, Counter(label: MetricCatalog.renditionRestarts.name, dimensions: labels + [("reason", reason.rawValue)], factory: factory))
        })
        framesDropped = Counter(label: MetricCatalog.framesDropped.name, dimensions: labels, factory: factory)
        speedRatio = Gauge(label: MetricCatalog.encodeSpeed.name, dimensions: labels, factory: factory)
        segments = Counter(label: MetricCatalog.segments.name, dimensions: labels, factory: factory)
        outputBytes = Counter(label: MetricCatalog.outputBytes.name, dimensions: labels, factory: factory)
        gaps = Counter(label: MetricCatalog.gaps.name, dimensions: labels, factory: factory)
        segmentDuration = Recorder(label: MetricCatalog.segmentDuration.name, dimensions: labels, aggregate: true, factory: factory)
        readyLatency = Recorder(label: MetricCatalog.segmentReadyLatency.name, dimensions: labels, aggregate: true, factory: factory)
        playlistAge = Gauge(label: MetricCatalog.playlistAge.name, dimensions: labels, factory: factory)
        writeErrors = Counter(label: MetricCatalog.writeErrors.name, dimensions: labels, factory: factory)
        lastChange = time
        up.record(1)
        speedRatio.record(0)
        playlistAge.record(0)
    }

    func updateAge(now: Date) {
        playlistAge.record(max(0, now.timeIntervalSince(lastChange)))
    }
}
