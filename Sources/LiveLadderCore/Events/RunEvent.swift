import Foundation

/// Why the supervisor restarted a rendition: the `reason` label of `liveladder_rendition_restarts_total`.
public enum RestartReason: String, Sendable, CaseIterable, Codable {
    /// Scaling, encoding or muxing failed.
    case encoderError = "encoder-error"
    /// A segment, stand-in or playlist could not be written.
    case writeError = "write-error"
    /// The rendition took input but produced nothing for the stall timeout (the watchdog).
    case stall
    /// Its queue was full with nothing it could drop: it fell behind a live input.
    case fellBehind = "fell-behind"
    /// `POST /v1/renditions/{name}/restart`.
    case requested
}

/// How a rendition is doing, as the supervisor sees it.
public enum RenditionState: String, Sendable, Codable {
    case up
    case restarting
    case givenUp = "given-up"
}

/// The input as it was found when a session began. The URL never carries credentials.
public struct InputDescription: Sendable, Codable, Equatable {
    /// `rtmp`, `srt`, `udp`, `tcp`, `http`, `file`, `pipe` (stdin)…: the `protocol` metric label.
    public var `protocol`: String
    public var url: String
    /// 1 for the first session, +1 for each reconnect or loop.
    public var session: Int
    public var videoCodec: String?
    public var width: Int?
    public var height: Int?
    /// The frame rate the input declares.
    public var declaredFPS: Double?
    public var audioCodec: String?

    public init(`protocol`: String, url: String, session: Int, videoCodec: String? = nil, width: Int? = nil, height: Int? = nil, declaredFPS: Double? = nil, audioCodec: String? = nil) {
        self.protocol = `protocol`
        self.url = url
        self.session = session
        self.videoCodec = videoCodec
        self.width = width
        self.height = height
        self.declaredFPS = declaredFPS
        self.audioCodec = audioCodec
    }
}

/// One rendition of the resolved ladder, as configured.
public struct RenditionPlan: Sendable, Codable, Equatable {
    public var name: String
    /// nil for the audio rendition.
    public var width: Int?
    public var height: Int?
    public var videoBitrate: Int?
    public var maxBitrate: Int?
    public var preset: String?
    public var audioBitrate: Int?

    public init(name: String, width: Int? = nil, height: Int? = nil, videoBitrate: Int? = nil, maxBitrate: Int? = nil, preset: String? = nil, audioBitrate: Int? = nil) {
        self.name = name
        self.width = width
        self.height = height
        self.videoBitrate = videoBitrate
        self.maxBitrate = maxBitrate
        self.preset = preset
        self.audioBitrate = audioBitrate
    }
}

/// What the run set out to do, known before the input is opened: the `run.started` event. The ladder
/// depends on the source, so it follows in `ladder.resolved`.
public struct RunDescription: Sendable, Codable, Equatable {
    public var input: String
    public var output: String
    /// `vod`, `event` or `live`.
    public var playlistType: String
    /// `ts` or `fmp4`.
    public var segmentFormat: String
    public var segmentDuration: Double
    /// Whether the run waits for a publisher (`--listen`).
    public var listening: Bool
    /// Whether the input can wait for the pipeline (a file, stdin or HTTP pull not paced in real time).
    public var inputCanWait: Bool
    /// The `protocol` label of the input (`rtmp`, `srt`, `file`, `pipe`…).
    public var inputProtocol: String?

    public init(input: String, output: String, playlistType: String, segmentFormat: String, segmentDuration: Double, listening: Bool, inputCanWait: Bool, inputProtocol: String? = nil) {
        self.input = input
        self.output = output
        self.playlistType = playlistType
        self.segmentFormat = segmentFormat
        self.segmentDuration = segmentDuration
        self.listening = listening
        self.inputCanWait = inputCanWait
        self.inputProtocol = inputProtocol
    }
}

/// A segment (or a GAP entry) that reached a rendition's playlist.
public struct SegmentPublication: Sendable, Codable, Equatable {
    public var rendition: String
    public var number: Int
    public var duration: Double
    /// Bytes of the segment file; 0 for a GAP entry.
    public var bytes: Int
    public var gap: Bool
    public var discontinuity: Bool
    /// Seconds from the segment's last input frame arriving to its playlist being written, when known.
    public var readyLatency: Double?

    public init(rendition: String, number: Int, duration: Double, bytes: Int, gap: Bool, discontinuity: Bool, readyLatency: Double? = nil) {
        self.rendition = rendition
        self.number = number
        self.duration = duration
        self.bytes = bytes
        self.gap = gap
        self.discontinuity = discontinuity
        self.readyLatency = readyLatency
    }
}

/// A condition someone should look at, set and later cleared under the same `id`.
public struct Alert: Sendable, Codable, Equatable {
    /// Stable for one condition on one subject (`encoder-behind/360p`), so a `cleared` matches its `set`.
    public var alertId: String
    /// `input-framerate-low`, `keyframe-interval-long`, `encoder-behind`, `input-lost`.
    public var code: String
    /// `input`, or a rendition name.
    public var subject: String
    public var message: String

    public init(alertId: String, code: String, subject: String, message: String) {
        self.alertId = alertId
        self.code = code
        self.subject = subject
        self.message = message
    }
}

/// What became of one file sent to a push target (`--push`): the `push.result` event.
public struct PushResult: Sendable, Codable, Equatable {
    /// How a push ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The origin acknowledged it with a 2xx.
        case delivered
        /// Media the origin never got (retries ran out, or the buffer gave it up): a GAP there.
        case lost
        /// The origin refused it with a 4xx that is not retried (not 408 or 429).
        case refused
        /// Not sent: something newer replaced it (a later playlist; a segment over its parts).
        case superseded
        /// Not sent: still queued when the run ended and the pushes' time to drain ran out, or withheld (a
        /// playlist whose init segment, or a master whose playlists, the origin lacks).
        case unsent
    }

    /// The target's URL, without credentials: `http://origin:8080/live/`.
    public var target: String
    /// 1 for the first `--push`, 2 for the second: the `target` metric label (labels never hold addresses).
    public var targetIndex: Int
    /// Relative to the output: `360p/segment-3.ts`.
    public var path: String
    /// `init`, `segment`, `part`, `playlist`, `master`, `delete`.
    public var kind: String
    public var outcome: Outcome
    /// The last HTTP status the origin answered, if it answered at all.
    public var status: Int?
    /// Requests made for it (0 when it was never sent).
    public var attempts: Int
    /// Seconds from the file being complete locally to the origin's 2xx.
    public var latency: Double?
    /// Why it was not delivered, in the words of the last failure.
    public var error: String?

    public init(target: String, targetIndex: Int, path: String, kind: String, outcome: Outcome, status: Int? = nil, attempts: Int, latency: Double? = nil, error: String? = nil) {
        self.target = target
        self.targetIndex = targetIndex
        self.path = path
        self.kind = kind
        self.outcome = outcome
        self.status = status
        self.attempts = attempts
        self.latency = latency
        self.error = error
    }
}

/// The one typed stream of what happens in a run. The pipeline emits these through `RunEventBus`, and
/// every observer (metrics, the events file, status, readiness, systemd, the progress line) reads them;
/// none of them has a hook of its own in the pipeline.
public enum RunEvent: Sendable {
    case runStarted(RunDescription)
    /// The ladder chosen for this source, every encoder opened: the pipeline is about to run.
    case ladderResolved([RenditionPlan])
    /// The first input session began delivering.
    case inputConnected(InputDescription)
    /// The input stopped delivering (silent, closed or failed); `reason` says which.
    case inputLost(reason: String)
    /// A later session began delivering after a loss (or a looped file started over).
    case inputRecovered(InputDescription)
    case slateStarted
    case slateEnded(seconds: Double)
    case segmentPublished(SegmentPublication)
    /// A file write failed (what follows is a restart, or the rendition's end).
    case writeFailed(rendition: String, error: String)
    /// The rendition failed and will restart after `backoff` seconds.
    case renditionFailed(rendition: String, reason: RestartReason, error: String, backoff: Double)
    /// A restarted rendition produces again, from the segment boundary `number`.
    case renditionRestarted(rendition: String, reason: RestartReason, number: Int)
    /// The rendition spent its restart budget (or failed at the very end) and left the master.
    case renditionGivenUp(rendition: String, reason: RestartReason, error: String)
    /// The pass-through rung encodes from segment `number` on: the source's keyframes left the grid
    /// (docs/passthrough.md).
    case passthroughFellBack(rendition: String, number: Int, reason: String)
    case alertSet(Alert)
    case alertCleared(Alert)
    /// The counters, sampled about once a second and once more at the end.
    case progress(RunSnapshot)
    /// What the run did; also sent when it failed.
    case runSummary(RunReport)
    /// A file reached a push target, or did not.
    case pushResult(PushResult)
    /// The process is about to exit with this code.
    case runStopped(exitCode: Int32, reason: String)

    /// The CloudEvents `type`.
    public var type: String {
        switch self {
        case .runStarted: return "run.started"
        case .ladderResolved: return "ladder.resolved"
        case .inputConnected: return "input.connected"
        case .inputLost: return "input.lost"
        case .inputRecovered: return "input.recovered"
        case .slateStarted: return "slate.started"
        case .slateEnded: return "slate.ended"
        case .segmentPublished: return "segment.published"
        case .writeFailed: return "output.write-failed"
        case .renditionFailed: return "rendition.failed"
        case .renditionRestarted: return "rendition.restarted"
        case .renditionGivenUp: return "rendition.given-up"
        case .passthroughFellBack: return "rendition.passthrough-fallback"
        case .alertSet: return "alert.set"
        case .alertCleared: return "alert.cleared"
        case .progress: return "run.progress"
        case .runSummary: return "run.summary"
        case .pushResult: return "push.result"
        case .runStopped: return "run.stopped"
        }
    }

    /// One of the per-file events, which come many a second: `segment.published`, and a `push.result` that
    /// went as it should (delivered or superseded). Event streams carry them only on request.
    public var isPerFile: Bool {
        switch self {
        case .segmentPublished: return true
        case .pushResult(let result): return result.outcome == .delivered || result.outcome == .superseded
        default: return false
        }
    }

    /// The CloudEvents `subject`: the rendition it is about, or `input`.
    public var subject: String? {
        switch self {
        case .inputConnected, .inputLost, .inputRecovered, .slateStarted, .slateEnded: return "input"
        case .segmentPublished(let segment): return segment.rendition
        case .writeFailed(let rendition, _), .renditionFailed(let rendition, _, _, _),
             .renditionRestarted(let rendition, _, _), .renditionGivenUp(let rendition, _, _),
             .passthroughFellBack(let rendition, _, _):
            return rendition
        case .alertSet(let alert), .alertCleared(let alert): return alert.subject
        case .pushResult(let result): return result.path.split(separator: "/").first.map(String.init)
        case .runStarted, .ladderResolved, .progress, .runSummary, .runStopped: return nil
        }
    }
}

/// An event as the bus delivered it: numbered in emission order, and timed.
public struct StampedEvent: Sendable {
    /// 1, 2, 3… in the order the bus accepted them; the CloudEvents `id` (with the run's id).
    public let sequence: Int
    public let time: Date
    public let event: RunEvent
}
