import Foundation

/// The run's counters at one moment: cumulative since the run began, so an observer that missed a
/// sample loses no count (it takes the difference from the last one it saw).
public struct RunSnapshot: Sendable, Codable, Equatable {
    public struct Rendition: Sendable, Codable, Equatable {
        public var name: String
        public var state: RenditionState
        /// Pictures (or audio packets, for the audio rendition) handed to its encoder or segmenter.
        public var itemsEncoded: Int
        /// Media seconds its encoder has been given.
        public var mediaSeconds: Double
        /// Pictures that never reached its encoder: shed under load, or dropped while it restarted.
        public var framesDropped: Int
        /// Items waiting in its queue, and how many it holds.
        public var queueDepth: Int
        public var queueCapacity: Int
        /// Dropping pictures because it is behind a live input, right now.
        public var shedding: Bool
        public var restarts: Int
        public var lastError: String?

        public init(name: String, state: RenditionState, itemsEncoded: Int, mediaSeconds: Double, framesDropped: Int,
                    queueDepth: Int, queueCapacity: Int, shedding: Bool, restarts: Int, lastError: String?) {
            self.name = name
            self.state = state
            self.itemsEncoded = itemsEncoded
            self.mediaSeconds = mediaSeconds
            self.framesDropped = framesDropped
            self.queueDepth = queueDepth
            self.queueCapacity = queueCapacity
            self.shedding = shedding
            self.restarts = restarts
            self.lastError = lastError
        }
    }

    public var time: Date
    /// Whether an input session is delivering now.
    public var inputConnected: Bool
    public var inputBytes: Int64
    /// Input sessions so far: 1 once the first delivers, +1 per reconnect or loop.
    public var sessions: Int
    /// Real pictures from the input (not the slate).
    public var videoFrames: Int
    /// Output media time of the video so far (input pictures and slate).
    public var mediaSeconds: Double
    public var damagedPackets: Int
    public var timestampJumps: Int
    /// Audio frames the resampler refused (replaced by silence).
    public var decodeErrors: Int
    public var slateFrames: Int
    public var slateActive: Bool
    public var slateSeconds: Double
    /// Seconds with no input so far, counting the outage going on now.
    public var inputLossSeconds: Double
    /// Seconds between the input's last two keyframes, when seen.
    public var keyframeInterval: Double?
    /// Seconds since the ingest loop last showed it is alive (reading, or waiting in a blocking call that
    /// FFmpeg lets us interrupt).
    public var ingestIdleSeconds: Double
    /// Seconds since the supervisor's watchdog last looked.
    public var watchdogIdleSeconds: Double
    public var renditions: [Rendition]

    public init(time: Date = Date(), inputConnected: Bool = false, inputBytes: Int64 = 0, sessions: Int = 0, videoFrames: Int = 0,
                mediaSeconds: Double = 0, damagedPackets: Int = 0, timestampJumps: Int = 0, decodeErrors: Int = 0,
                slateFrames: Int = 0, slateActive: Bool = false, slateSeconds: Double = 0, inputLossSeconds: Double = 0,
                keyframeInterval: Double? = nil, ingestIdleSeconds: Double = 0, watchdogIdleSeconds: Double = 0,
                renditions: [Rendition] = []) {
        self.time = time
        self.inputConnected = inputConnected
        self.inputBytes = inputBytes
        self.sessions = sessions
        self.videoFrames = videoFrames
        self.mediaSeconds = mediaSeconds
        self.damagedPackets = damagedPackets
        self.timestampJumps = timestampJumps
        self.decodeErrors = decodeErrors
        self.slateFrames = slateFrames
        self.slateActive = slateActive
        self.slateSeconds = slateSeconds
        self.inputLossSeconds = inputLossSeconds
        self.keyframeInterval = keyframeInterval
        self.ingestIdleSeconds = ingestIdleSeconds
        self.watchdogIdleSeconds = watchdogIdleSeconds
        self.renditions = renditions
    }
}

/// What a run did, for the `run.summary` event: the last counters, and how it ended.
public struct RunReport: Sendable, Codable, Equatable {
    /// 0, or the documented exit code of the failure.
    public var exitCode: Int32
    /// The one error line, when it failed.
    public var error: String?
    public var counters: RunSnapshot
    /// Per rendition: segments and GAP entries published, segment bytes.
    public var segments: [String: Int]
    public var gaps: [String: Int]
    public var outputBytes: [String: Int]

    public init(exitCode: Int32, error: String?, counters: RunSnapshot, segments: [String: Int], gaps: [String: Int], outputBytes: [String: Int]) {
        self.exitCode = exitCode
        self.error = error
        self.counters = counters
        self.segments = segments
        self.gaps = gaps
        self.outputBytes = outputBytes
    }
}
