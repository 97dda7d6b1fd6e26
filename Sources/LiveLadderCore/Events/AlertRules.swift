import Foundation

/// Turns what the run's events show into alerts: set once when a condition starts, cleared once under
/// the same id when it ends, and every alert still set is cleared when the run ends (`finish`), so a
/// consumer never holds a `set` without its `cleared`.
///
/// - `input-lost`: the input stopped delivering (cleared when a session delivers again).
/// - `input-framerate-low`: over the last 5 s the input delivered under 80 % of the frame rate it declares
///   (cleared at 90 %).
/// - `keyframe-interval-long`: the source's keyframes are more than two segment durations apart (cleared
///   at 1.5): after damage, decoding waits that long for a picture to resume on.
/// - `passthrough-fallback/<rung>`: the pass-through rung encodes instead of copying, for the rest of the
///   run (docs/passthrough.md); set when it falls back, cleared only when the run ends.
/// - `encoder-behind` (per rendition): on a live feed, the rendition sheds pictures or encodes slower than
///   real time over 5 s (cleared when it keeps up again: no shedding, speed ≥ 0.97).
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`; alerts are emitted outside it.
public final class AlertRules: RunObserver, @unchecked Sendable {
    static let span: Double = 5

    private let lock = NSLock()
    /// The bus holds its observers and this one emits into it: `RunEventBus.finish()` lets go of the
    /// observers, which ends that cycle.
    private let events: RunEventBus
    private var run: RunDescription?
    private var declaredFPS: Double?
    private var connected = false
    private var connectedAt: Date?
    private var samples: [RunSnapshot] = []
    private var active: [String: Alert] = [:]

    public init(events: RunEventBus) {
        self.events = events
    }

    public func observe(_ stamped: StampedEvent) {
        let changes: [RunEvent] = lock.withLock {
            var changes: [RunEvent] = []
            switch stamped.event {
            case .runStarted(let description): run = description
            case .inputConnected(let input), .inputRecovered(let input):
                declaredFPS = input.declaredFPS
                connected = true
                connectedAt = stamped.time
                samples.removeAll()
                clear("input-lost", into: &changes)
            case .inputLost(let reason):
                connected = false
                clear("input-framerate-low", into: &changes)
                set(Alert(alertId: "input-lost", code: "input-lost", subject: "input", message: "the input stopped delivering: \(reason)"), into: &changes)
            case .passthroughFellBack(let rendition, _, let reason):
                set(Alert(alertId: "passthrough-fallback/\(rendition)", code: "passthrough-fallback", subject: rendition,
                          message: "\(rendition) no longer copies the source: \(reason)"), into: &changes)
            case .progress(let snapshot):
                samples.append(snapshot)
                samples.removeAll { snapshot.time.timeIntervalSince($0.time) > Self.span }
                evaluate(snapshot, into: &changes)
            default: break
            }
            return changes
        }
        for change in changes { events.emit(change) }
    }

    /// Clears every alert still set: the run is over.
    public func finish() {
        let changes: [RunEvent] = lock.withLock {
            defer { active.removeAll() }
            return active.values.sorted { $0.alertId < $1.alertId }.map { .alertCleared($0) }
        }
        for change in changes { events.emit(change) }
    }

    private func evaluate(_ last: RunSnapshot, into changes: inout [RunEvent]) {
        guard let first = samples.first, last.time.timeIntervalSince(first.time) >= Self.span - 1.5 else { return }
        let wall = last.time.timeIntervalSince(first.time)
        if let declared = declaredFPS, declared > 0, connected, !last.slateActive,
           let since = connectedAt, last.time.timeIntervalSince(since) >= Self.span {
            let measured = Double(last.videoFrames - first.videoFrames) / wall
            if measured < 0.8 * declared {
                set(Alert(alertId: "input-framerate-low", code: "input-framerate-low", subject: "input",
                          message: String(format: "the input delivers %.1f fps, under the %.2f it declares", measured, declared)), into: &changes)
            } else if measured >= 0.9 * declared {
                clear("input-framerate-low", into: &changes)
            }
        }
        if let interval = last.keyframeInterval, let segment = run?.segmentDuration {
            if interval > 2 * segment {
                set(Alert(alertId: "keyframe-interval-long", code: "keyframe-interval-long", subject: "input",
                          message: String(format: "the source's keyframes are %.1f s apart (segments are %.1f s); after damage, decoding waits that long to resume", interval, segment)), into: &changes)
            } else if interval <= 1.5 * segment {
                clear("keyframe-interval-long", into: &changes)
            }
        }
        guard run?.inputCanWait == false else { return }
        for rendition in last.renditions {
            let id = "encoder-behind/\(rendition.name)"
            guard rendition.state == .up, let before = first.renditions.first(where: { $0.name == rendition.name }) else {
                clear(id, into: &changes)
                continue
            }
            let speed = (rendition.mediaSeconds - before.mediaSeconds) / wall
            // A live feed's media arrives in real time: a rendition that encodes less is falling behind.
            let feedSpeed = (last.mediaSeconds - first.mediaSeconds) / wall
            if rendition.shedding || (feedSpeed > 0.5 && speed < 0.9 * feedSpeed) {
                set(Alert(alertId: id, code: "encoder-behind", subject: rendition.name,
                          message: rendition.shedding ? "\(rendition.name) is behind the live input and drops pictures before its encoder"
                                                      : String(format: "\(rendition.name) encodes at %.2f× real time", speed)), into: &changes)
            } else if !rendition.shedding && speed >= 0.97 * feedSpeed {
                clear(id, into: &changes)
            }
        }
    }

    private func set(_ alert: Alert, into changes: inout [RunEvent]) {
        guard active[alert.alertId] == nil else { return }
        active[alert.alertId] = alert
        changes.append(.alertSet(alert))
    }

    private func clear(_ id: String, into changes: inout [RunEvent]) {
        guard let alert = active.removeValue(forKey: id) else { return }
        changes.append(.alertCleared(alert))
    }
}
