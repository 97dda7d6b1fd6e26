import CoreMetrics
import Foundation

/// `--serve`'s counters: requests by resource and status class, body bytes, and how long blocking
/// reloads were held. Every series exists from the start, so a rate over them is never "no data".
///
/// `@unchecked Sendable`: the swift-metrics handles are thread-safe; the dictionary is only read after init.
public final class OriginMetrics: @unchecked Sendable {
    static let resources = ["playlist", "segment", "init", "master", "other"]
    static let classes = ["2xx", "4xx", "5xx"]
    private let requests: [String: CoreMetrics.Counter]
    private let bytes: CoreMetrics.Counter
    private let blocked: CoreMetrics.Timer
    private let wakeUps: CoreMetrics.Counter
    private let woken: CoreMetrics.Counter

    init(factory: CatalogMetricsFactory) {
        var requests: [String: CoreMetrics.Counter] = [:]
        for resource in Self.resources {
            for status in Self.classes {
                requests[resource + status] = CoreMetrics.Counter(label: MetricCatalog.originRequests.name,
                                                                  dimensions: [("resource", resource), ("status", status)], factory: factory)
            }
        }
        self.requests = requests
        bytes = CoreMetrics.Counter(label: MetricCatalog.originBytes.name, factory: factory)
        blocked = CoreMetrics.Timer(label: MetricCatalog.originBlockedWait.name, factory: factory)
        wakeUps = CoreMetrics.Counter(label: MetricCatalog.originWakeUps.name, factory: factory)
        woken = CoreMetrics.Counter(label: MetricCatalog.originWokenRequests.name, factory: factory)
    }

    /// A playlist update (or a hinted part) released `requests` blocked requests at once.
    func woke(requests: Int) {
        guard requests > 0 else { return }
        wakeUps.increment()
        woken.increment(by: requests)
    }

    func answered(resource: String, status: Int, bodyBytes: Int) {
        let statusClass = status >= 500 ? "5xx" : status >= 400 ? "4xx" : "2xx"
        requests[(Self.resources.contains(resource) ? resource : "other") + statusClass]?.increment()
        if bodyBytes > 0 { bytes.increment(by: bodyBytes) }
    }

    func held(seconds: Double) {
        blocked.recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }
}
