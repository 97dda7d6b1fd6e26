import CoreMetrics
import Prometheus

/// A swift-metrics factory over one `PrometheusCollectorRegistry` that registers each metric with the
/// HELP text (and histogram buckets) of `MetricCatalog`.
///
/// Why not `PrometheusMetricsFactory(registry:)` itself: it passes `help: ""` to the registry, which then
/// writes no `# HELP` line, and the registry refuses (traps on) a second registration of the same name
/// with a different HELP, so the text cannot be added afterwards either. This factory makes the same
/// registry calls with the catalogue's text; everything else (types, exposition) is swift-prometheus'.
/// It is a value given to each metric's `factory:`, never bootstrapped into `MetricsSystem`, so every
/// `MetricsObserver` (and every test) has its own registry.
struct CatalogMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    private func family(_ label: String) -> MetricCatalog.Family {
        // A name missing from the catalogue is a programming error; its HELP falls back to the name so the
        // exposition stays well formed (the tests check every family's HELP against the catalogue).
        MetricCatalog.byName[label] ?? MetricCatalog.Family(label, label)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: family(label).descriptor, labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: family(label).descriptor, labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let family = family(label)
        guard aggregate else { return registry.makeGauge(descriptor: family.descriptor, labels: dimensions) }
        return registry.makeValueHistogram(descriptor: family.descriptor, labels: dimensions, buckets: family.buckets ?? [1])
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: family(label).descriptor, labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let family = family(label)
        let buckets = (family.buckets ?? [1]).map { Duration.nanoseconds(Int64($0 * 1e9)) }
        return registry.makeDurationHistogram(descriptor: family.descriptor, labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
