import Foundation
import XCTest
@testable import LiveLadderCore
@testable import LiveLadderServer

final class MetricsObserverTests: XCTestCase {
    private let build = BuildInfo(version: "0.9.0", ffmpeg: "5.1.6", x264: "core 164")

    private func scrape(_ metrics: MetricsObserver, dropped: Int = 0) throws -> ParsedExposition {
        try ParsedExposition.parse(String(decoding: metrics.exposition(eventsDropped: dropped), as: UTF8.self))
    }

    private func makeBus() -> (RunEventBus, MetricsObserver) {
        let bus = RunEventBus()
        let metrics = MetricsObserver(build: build)
        bus.add(metrics)
        return (bus, metrics)
    }

    func testEveryFamilyHasHelpAndTypeAndCountersEndInTotal() throws {
        let (bus, metrics) = makeBus()
        bus.emit(RunEvents.started())
        bus.emit(RunEvents.resolved())
        let parsed = try scrape(metrics)
        let lines = parsed.text.split(separator: "\n")
        var families = Set<String>()
        for line in lines where !line.hasPrefix("#") {
            var name = String(line.prefix { $0 != "{" && $0 != " " })
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && MetricCatalog.byName[name] == nil {
                name.removeLast(suffix.count)
            }
            families.insert(name)
        }
        XCTAssertEqual(families, Set(MetricCatalog.all.map(\.name)), "every catalogued family is exported, and nothing else")
        for family in MetricCatalog.all {
            XCTAssertTrue(lines.contains { $0 == "# HELP \(family.name) \(family.help)" }, "HELP of \(family.name)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("# TYPE \(family.name) ") }, "TYPE of \(family.name)")
        }
        for line in lines where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts[3] == "counter" { XCTAssertTrue(parts[2].hasSuffix("_total"), "counter \(parts[2]) ends in _total") }
            else { XCTAssertFalse(parts[2].hasSuffix("_total"), "\(parts[2]) is a \(parts[3]) named like a counter") }
        }
        // The parser agrees on the types.
        XCTAssertEqual(parsed.families.first { $0.name == "liveladder_segment_duration_seconds" }?.type, "histogram")
        XCTAssertEqual(parsed.families.first { $0.name == "liveladder_segments" }?.type, "counter")
        XCTAssertTrue(parsed.families.allSatisfy { !$0.help.isEmpty })
    }

    func testSeriesExistAtStartupAndPerRenditionOnesOnceTheLadderIsResolved() throws {
        let (bus, metrics) = makeBus()
        let before = try scrape(metrics)
        XCTAssertEqual(before.value("liveladder_build_info", ["version": "0.9.0", "ffmpeg": "5.1.6", "x264": "core 164"]), 1)
        for name in ["liveladder_input_bytes_total", "liveladder_input_sessions_total", "liveladder_input_loss_seconds_total",
                     "liveladder_slate_seconds_total", "liveladder_input_video_fps", "liveladder_slate_active",
                     "liveladder_events_dropped_total"] {
            XCTAssertEqual(before.value(name), 0, name)
        }
        for reason in ["damaged-packet", "timestamp-jump", "decode-error"] {
            XCTAssertEqual(before.value("liveladder_input_errors_total", ["reason": reason]), 0, reason)
        }
        XCTAssertNil(before.value("liveladder_rendition_up", ["rendition": "720p"]))

        bus.emit(RunEvents.started(input: "srt://0.0.0.0:9000?mode=listener"))
        bus.emit(RunEvents.resolved())
        let after = try scrape(metrics)
        XCTAssertEqual(after.value("liveladder_input_connected", ["protocol": "srt"]), 0)
        for rendition in RunEvents.ladder {
            let labels = ["rendition": rendition]
            XCTAssertEqual(after.value("liveladder_rendition_up", labels), 1)
            for name in ["liveladder_frames_dropped_total", "liveladder_encode_speed_ratio", "liveladder_segments_total",
                         "liveladder_output_bytes_total", "liveladder_gaps_total", "liveladder_write_errors_total",
                         "liveladder_segment_duration_seconds_count", "liveladder_segment_ready_latency_seconds_count"] {
                XCTAssertEqual(after.value(name, labels), 0, "\(name){rendition=\(rendition)}")
            }
            XCTAssertNotNil(after.value("liveladder_playlist_age_seconds", labels))
            for reason in RestartReason.allCases {
                XCTAssertEqual(after.value("liveladder_rendition_restarts_total", ["rendition": rendition, "reason": reason.rawValue]), 0)
            }
        }
    }

    func testSegmentsRestartsAndGapsCountExactly() throws {
        let (bus, metrics) = makeBus()
        bus.emit(RunEvents.started())
        bus.emit(RunEvents.resolved())
        bus.emit(RunEvents.connected())
        for number in 0..<3 { bus.emit(RunEvents.segment("720p", number: number, duration: 2, latency: 0.3)) }
        bus.emit(.renditionFailed(rendition: "360p", reason: .stall, error: "no output for 10 s", backoff: 1))
        let down = try scrape(metrics)
        XCTAssertEqual(down.value("liveladder_segments_total", ["rendition": "720p"]), 3)
        XCTAssertEqual(down.value("liveladder_output_bytes_total", ["rendition": "720p"]), 3000)
        XCTAssertEqual(down.value("liveladder_segment_duration_seconds_count", ["rendition": "720p"]), 3)
        XCTAssertEqual(down.value("liveladder_segment_duration_seconds_sum", ["rendition": "720p"]), 6)
        XCTAssertEqual(down.value("liveladder_segment_duration_seconds_bucket", ["rendition": "720p", "le": "1.5"]), 0)
        XCTAssertEqual(down.value("liveladder_segment_duration_seconds_bucket", ["rendition": "720p", "le": "2.0"]), 3)
        XCTAssertEqual(down.value("liveladder_segment_ready_latency_seconds_bucket", ["rendition": "720p", "le": "0.5"]), 3)
        XCTAssertEqual(down.value("liveladder_rendition_restarts_total", ["rendition": "360p", "reason": "stall"]), 1)
        XCTAssertEqual(down.value("liveladder_rendition_restarts_total", ["rendition": "360p", "reason": "encoder-error"]), 0)
        XCTAssertEqual(down.value("liveladder_rendition_up", ["rendition": "360p"]), 0)
        XCTAssertEqual(down.value("liveladder_rendition_up", ["rendition": "720p"]), 1)
        XCTAssertEqual(down.value("liveladder_input_connected", ["protocol": "rtmp"]), 1)

        bus.emit(RunEvents.segment("360p", number: 3, gap: true))
        bus.emit(.renditionRestarted(rendition: "360p", reason: .stall, number: 4))
        bus.emit(.writeFailed(rendition: "720p", error: "No space left on device"))
        bus.emit(.inputLost(reason: "silent"))
        let up = try scrape(metrics)
        XCTAssertEqual(up.value("liveladder_rendition_up", ["rendition": "360p"]), 1)
        XCTAssertEqual(up.value("liveladder_gaps_total", ["rendition": "360p"]), 1)
        XCTAssertEqual(up.value("liveladder_segments_total", ["rendition": "360p"]), 0, "a GAP entry is not a segment")
        XCTAssertEqual(up.value("liveladder_write_errors_total", ["rendition": "720p"]), 1)
        XCTAssertEqual(up.value("liveladder_input_connected", ["protocol": "rtmp"]), 0)

        bus.emit(.renditionGivenUp(rendition: "360p", reason: .stall, error: "restart budget spent"))
        XCTAssertEqual(try scrape(metrics).value("liveladder_rendition_up", ["rendition": "360p"]), 0)
    }

    func testSnapshotCountersAdvanceByDifferenceNeverTwiceNeverBackwards() throws {
        let (bus, metrics) = makeBus()
        bus.emit(RunEvents.started(input: "-"))
        bus.emit(RunEvents.resolved())
        let t0 = Date()
        bus.emit(RunEvents.progress(at: t0, bytes: 1000, videoFrames: 0, lossSeconds: 0.5, damaged: 1, mediaSeconds: 0, dropped: ["360p": 2]))
        bus.emit(RunEvents.progress(at: t0.addingTimeInterval(1), bytes: 3000, sessions: 2, videoFrames: 30, lossSeconds: 1.5,
                                    slateSeconds: 2, damaged: 1, jumps: 2, decodeErrors: 1, mediaSeconds: 2, dropped: ["360p": 5]))
        // The same sample again, then a lower one: nothing more is counted.
        bus.emit(RunEvents.progress(at: t0.addingTimeInterval(1), bytes: 3000, sessions: 2, videoFrames: 30, lossSeconds: 1.5,
                                    slateSeconds: 2, damaged: 1, jumps: 2, decodeErrors: 1, mediaSeconds: 2, dropped: ["360p": 5]))
        bus.emit(RunEvents.progress(at: t0.addingTimeInterval(1.5), bytes: 2000, sessions: 1, videoFrames: 30, lossSeconds: 1,
                                    damaged: 0, mediaSeconds: 2, dropped: ["360p": 1]))
        let parsed = try scrape(metrics, dropped: 7)
        XCTAssertEqual(parsed.value("liveladder_input_connected", ["protocol": "pipe"]), 0)
        XCTAssertEqual(parsed.value("liveladder_input_bytes_total"), 3000)
        XCTAssertEqual(parsed.value("liveladder_input_sessions_total"), 2)
        XCTAssertEqual(parsed.value("liveladder_input_loss_seconds_total"), 1.5)
        XCTAssertEqual(parsed.value("liveladder_slate_seconds_total"), 2)
        XCTAssertEqual(parsed.value("liveladder_input_errors_total", ["reason": "damaged-packet"]), 1)
        XCTAssertEqual(parsed.value("liveladder_input_errors_total", ["reason": "timestamp-jump"]), 2)
        XCTAssertEqual(parsed.value("liveladder_input_errors_total", ["reason": "decode-error"]), 1)
        XCTAssertEqual(parsed.value("liveladder_frames_dropped_total", ["rendition": "360p"]), 5)
        XCTAssertEqual(parsed.value("liveladder_frames_dropped_total", ["rendition": "720p"]), 0)
        XCTAssertEqual(parsed.value("liveladder_events_dropped_total"), 7)
        // 30 pictures and 2 media seconds over the 1.5 s window.
        XCTAssertEqual(parsed.value("liveladder_input_video_fps") ?? 0, 20, accuracy: 0.001)
        XCTAssertEqual(parsed.value("liveladder_encode_speed_ratio", ["rendition": "720p"]) ?? 0, 2 / 1.5, accuracy: 0.001)
        XCTAssertEqual(try scrape(metrics, dropped: 7).value("liveladder_events_dropped_total"), 7, "a scrape counts the same drops once")
    }

    func testPlaylistAgeFollowsTheLastSegmentAndGrowsAtScrape() throws {
        let (bus, metrics) = makeBus()
        bus.emit(RunEvents.started())
        bus.emit(RunEvents.resolved())
        bus.emit(RunEvents.segment("720p", number: 0))
        let now = Date()
        let early = try ParsedExposition.parse(String(decoding: metrics.exposition(eventsDropped: 0, now: now), as: UTF8.self))
        XCTAssertLessThan(early.value("liveladder_playlist_age_seconds", ["rendition": "720p"]) ?? 99, 1)
        let later = try ParsedExposition.parse(String(decoding: metrics.exposition(eventsDropped: 0, now: now.addingTimeInterval(30)), as: UTF8.self))
        XCTAssertEqual(later.value("liveladder_playlist_age_seconds", ["rendition": "720p"]) ?? 0, 30, accuracy: 1)
    }

    func testInputProtocolLabel() {
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "-"), "pipe")
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "fixtures/clip.mp4"), "file")
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "/abs/c:d.ts"), "file")
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "file:///x.mp4"), "file")
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "RTMP://host/app"), "rtmp")
        XCTAssertEqual(MetricsObserver.inputProtocol(of: "udp://239.0.0.1:1234"), "udp")
    }
}
