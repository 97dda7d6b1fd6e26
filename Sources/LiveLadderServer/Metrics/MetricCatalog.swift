/// Every metric family LiveLadder exports: its name, its HELP text and, for histograms, its buckets.
///
/// The catalogue exists because swift-metrics' API carries a label and dimensions but no description,
/// and swift-prometheus' `PrometheusMetricsFactory` registers everything with an empty HELP (so no
/// `# HELP` line). `CatalogMetricsFactory` looks the HELP text up here by name, so the metrics are still
/// made through swift-metrics (`Counter(label:dimensions:factory:)`…) and rendered by the registry.
import Prometheus

enum MetricCatalog {
    struct Family: Sendable {
        let name: String
        let help: String
        /// Histogram buckets (upper bounds, seconds); nil for counters and gauges.
        let buckets: [Double]?

        init(_ name: String, _ help: String, buckets: [Double]? = nil) {
            self.name = name
            self.help = help
            self.buckets = buckets
        }

        /// The whole name as `metricName` (the registry joins the parts with `_`; ours is already whole).
        var descriptor: MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
    }

    static let buildInfo = Family("liveladder_build_info", "Always 1; the labels name the LiveLadder, FFmpeg and libx264 versions this process runs.")
    static let inputConnected = Family("liveladder_input_connected", "1 while an input session is delivering, 0 otherwise; protocol is the input URL's scheme (file, pipe, rtmp, srt...).")
    static let inputBytes = Family("liveladder_input_bytes_total", "Bytes read from the input, every session.")
    static let inputSessions = Family("liveladder_input_sessions_total", "Input sessions begun: the first delivery, then each reconnect or loop.")
    static let inputLossSeconds = Family("liveladder_input_loss_seconds_total", "Seconds with no input, the outage going on now included.")
    static let inputErrors = Family("liveladder_input_errors_total", "Input problems by reason: damaged-packet, timestamp-jump, decode-error (audio frames replaced by silence).")
    static let inputFPS = Family("liveladder_input_video_fps", "Input pictures per second, measured over the last 10 s (0 until measured).")
    static let slateSeconds = Family("liveladder_slate_seconds_total", "Seconds the slate has been on air.")
    static let slateActive = Family("liveladder_slate_active", "1 while the slate is on air.")
    static let renditionUp = Family("liveladder_rendition_up", "1 while the rendition produces; 0 while it restarts or once it is given up.")
    static let renditionRestarts = Family("liveladder_rendition_restarts_total", "Rendition restarts by reason (encoder-error, write-error, stall, fell-behind, requested).")
    static let framesDropped = Family("liveladder_frames_dropped_total", "Pictures that never reached the rendition's encoder: shed under load or dropped while it restarted.")
    static let encodeSpeed = Family("liveladder_encode_speed_ratio", "Media seconds encoded per wall second over the last 10 s (0 until measured).")
    static let segments = Family("liveladder_segments_total", "Segments published (GAP entries not counted).")
    static let outputBytes = Family("liveladder_output_bytes_total", "Bytes of the segments published.")
    static let gaps = Family("liveladder_gaps_total", "EXT-X-GAP entries published for segments the rendition missed.")
    static let segmentDuration = Family("liveladder_segment_duration_seconds", "EXTINF of the segments published (GAP entries not counted).",
                                        buckets: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12])
    static let segmentReadyLatency = Family("liveladder_segment_ready_latency_seconds", "Seconds from a segment's last input frame to its playlist being written.",
                                            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10])
    static let playlistAge = Family("liveladder_playlist_age_seconds", "Seconds since the rendition last published (since the ladder was resolved, before its first segment).")
    static let writeErrors = Family("liveladder_write_errors_total", "File writes that failed (a segment, stand-in or playlist).")
    static let eventsDropped = Family("liveladder_events_dropped_total", "Run events a slow reader (events file, Server-Sent Events client) lost because it fell behind.")

    static let all: [Family] = [
        buildInfo, inputConnected, inputBytes, inputSessions, inputLossSeconds, inputErrors, inputFPS, slateSeconds,
        slateActive, renditionUp, renditionRestarts, framesDropped, encodeSpeed, segments, outputBytes, gaps,
        segmentDuration, segmentReadyLatency, playlistAge, writeErrors, eventsDropped,
    ]

    // The built-in origin's (`--serve`): exported only when it runs.
    static let originRequests = Family("liveladder_origin_requests_total", "Requests the built-in origin (--serve) answered, by resource (playlist, segment, init, master, other) and status class (2xx, 4xx, 5xx).")
    static let originBytes = Family("liveladder_origin_bytes_served_total", "Body bytes the built-in origin sent (HEAD answers and refusals count 0).")
    static let originBlockedWait = Family("liveladder_origin_blocked_wait_seconds", "Seconds a blocking playlist reload (_HLS_msn) was held before its answer (or its 503).",
                                          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8])
    static let originWakeUps = Family("liveladder_origin_wakeups_total", "Playlist updates (or completed hinted parts) that released blocked requests: one per update however many it released.")
    static let originWokenRequests = Family("liveladder_origin_woken_requests_total", "Blocked requests released by those updates.")
    static let origin: [Family] = [originRequests, originBytes, originBlockedWait, originWakeUps, originWokenRequests]

    // Push to origins (`--push`): the series of a target exist from its first push result; `target` is
    // the 1-based position of its --push flag (labels never hold addresses).
    static let pushFiles = Family("liveladder_push_files_total", "Files sent to a push target by kind (init, segment, part, playlist, master, delete) and outcome (delivered, lost, refused, superseded, unsent).")
    static let pushRequests = Family("liveladder_push_requests_total", "HTTP requests made to a push target, retries included.")
    static let pushLatency = Family("liveladder_push_latency_seconds", "Seconds from a file being complete locally to the push target's 2xx, by kind.",
                                    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8])
    static let push: [Family] = [pushFiles, pushRequests, pushLatency]

    static let byName: [String: Family] = Dictionary(uniqueKeysWithValues: (all + origin + push).map { ($0.name, $0) })
}
