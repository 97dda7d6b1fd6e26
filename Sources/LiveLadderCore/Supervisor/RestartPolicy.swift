import Foundation

/// When a failed rendition may start again, and when it has failed too often. Exponential backoff
/// (0.5 s doubling up to 30 s, back to the start after a healthy minute) within a budget (5 restarts in
/// 5 minutes); past the budget the rendition is given up. The policy is ours: swift-service-lifecycle
/// gives graceful shutdown but no restarts.
struct RestartPolicy: Sendable {
    var initialBackoff: Double = 0.5
    var maximumBackoff: Double = 30
    var healthyReset: Double = 60
    var budget = 5
    var budgetWindow: Double = 300

    /// What the supervisor remembers of one rendition's failures.
    struct History: Sendable {
        var failures: [Date] = []
        var backoff: Double?
        var lastStart: Date?
    }

    enum Decision: Equatable, Sendable {
        case restart(after: Double)
        case giveUp
    }

    func decide(_ history: inout History, at now: Date) -> Decision {
        if let start = history.lastStart, now.timeIntervalSince(start) >= healthyReset { history.backoff = nil }
        history.failures = history.failures.filter { now.timeIntervalSince($0) < budgetWindow } + [now]
        guard history.failures.count <= budget else { return .giveUp }
        let backoff = history.backoff.map { min($0 * 2, maximumBackoff) } ?? initialBackoff
        history.backoff = backoff
        return .restart(after: backoff)
    }
}
