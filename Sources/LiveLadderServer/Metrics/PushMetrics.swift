import CoreMetrics
import LiveLadderCore

/// One push target's series, from its `push.result` events: files by kind and outcome, requests, and the
/// latency from a file being complete locally to the origin's 2xx. Every kind × outcome series exists
/// from the target's first result, so a rate over `lost` is 0, not "no data", before the first loss.
struct PushMetrics {
    static let kinds = ["init", "segment", "part", "playlist", "master", "delete"]
    private let files: [String: CoreMetrics.Counter]
    private let requests: CoreMetrics.Counter
    private let latency: [String: CoreMetrics.Timer]

    init(target: Int, factory: CatalogMetricsFactory) {
        let label = String(target)
        var files: [String: CoreMetrics.Counter] = [:]
        var latency: [String: CoreMetrics.Timer] = [:]
        for kind in Self.kinds {
            for outcome in PushResult.Outcome.allCases {
                files[kind + "/" + outcome.rawValue] = CoreMetrics.Counter(
                    label: MetricCatalog.pushFiles.name, dimensions: [("target", label), ("kind", kind), ("outcome", outcome.rawValue)], factory: factory)
            }
            latency[kind] = CoreMetrics.Timer(label: MetricCatalog.pushLatency.name, dimensions: [("target", label), ("kind", kind)], factory: factory)
        }
        self.files = files
        self.latency = latency
        requests = CoreMetrics.Counter(label: MetricCatalog.pushRequests.name, dimensions: [("target", label)], factory: factory)
    }

    func record(_ result: PushResult) {
        files[result.kind + "/" + result.outcome.rawValue]?.increment()
        if result.attempts > 0 { requests.increment(by: result.attempts) }
        if result.outcome == .delivered, let seconds = result.latency, seconds.isFinite, seconds >= 0 {
            latency[result.kind]?.recordNanoseconds(Int64(min(seconds, 3600) * 1e9))
        }
    }
}
