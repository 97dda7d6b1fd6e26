import Foundation
import XCTest
import FFmpegKit
import HLSModel
import LadderConfig
import Logging
@testable import LiveLadderCore

/// The run's one event stream says what the output holds: every published segment, GAP and byte, in
/// order, from `run.started` to the last progress sample.
final class RunEventTests: XCTestCase {
    /// Collects every event, in delivery order.
    private final class Recorder: RunObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var list: [StampedEvent] = []
        func observe(_ event: StampedEvent) { lock.withLock { list.append(event) } }
        var events: [StampedEvent] { lock.withLock { list } }
    }

    private func run(_ options: RunOptions) throws -> (summary: RunSummary, events: [StampedEvent]) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        FFmpegLog.configure(echo: nil)
        let bus = RunEventBus()
        let recorder = Recorder()
        bus.add(recorder)
        let summary = try LadderRun(options: options, logger: logger, events: bus).run()
        return (summary, recorder.events)
    }

    private func segments(_ events: [StampedEvent]) -> [SegmentPublication] {
        events.compactMap { if case .segmentPublished(let segment) = $0.event { return segment } else { return nil } }
    }

    func testEventsAgreeWithTheOutputFolder() throws {
        let folder = try temporaryFolder(self)
        var options = RunOptions(input: Repo.fixture("cfr30-640x360.mp4"), output: folder, config: try LadderConfig.defaults.with(segmentDuration: 1, segmentFormat: .ts), playlistKind: .event)
        options.listSize = 6
        let (summary, events) = try run(options)

        XCTAssertEqual(events.map(\.sequence), Array(1...events.count), "numbered in delivery order")
        XCTAssertEqual(events.first?.event.type, "run.started")
        let types = events.map(\.event.type)
        XCTAssertLessThan(types.firstIndex(of: "input.connected")!, types.firstIndex(of: "ladder.resolved")!)
        XCTAssertLessThan(types.firstIndex(of: "ladder.resolved")!, types.firstIndex(of: "segment.published")!)
        XCTAssertEqual(types.last, "run.progress", "the last sample comes after the last segment")

        let published = segments(events)
        for rendition in summary.renditions.map(\.name) {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(rendition)/index.m3u8", encoding: .utf8))
            let mine = published.filter { $0.rendition == rendition }
            XCTAssertEqual(mine.filter { !$0.gap }.count, playlist.segments.filter { !$0.gap }.count, rendition)
            XCTAssertEqual(mine.filter(\.gap).count, 0, rendition)
            XCTAssertEqual(mine.map(\.number), Array(playlist.mediaSequence..<(playlist.mediaSequence + playlist.segments.count)), rendition)
            let bytes = try playlist.segments.reduce(0) { total, segment in
                total + ((try FileManager.default.attributesOfItem(atPath: "\(folder)/\(rendition)/\(segment.uri)"))[.size] as! Int)
            }
            XCTAssertEqual(mine.reduce(0) { $0 + $1.bytes }, bytes, "\(rendition): event bytes equal the files' sizes")
            for (event, entry) in zip(mine, playlist.segments) {
                XCTAssertEqual(event.duration, entry.duration, accuracy: 0.0005, "\(rendition) \(event.number)")
            }
        }
        guard case .progress(let last)? = events.last?.event else { return XCTFail("no final sample") }
        XCTAssertEqual(last.videoFrames, summary.videoFrames)
        XCTAssertEqual(last.sessions, 1)
        XCTAssertFalse(last.inputConnected, "the file ended")
        let size = try FileManager.default.attributesOfItem(atPath: Repo.fixture("cfr30-640x360.mp4"))[.size] as! Int
        XCTAssertGreaterThan(last.inputBytes, Int64(size) / 2, "bytes read are counted")
        XCTAssertLessThanOrEqual(last.inputBytes, Int64(size) + 65_536)
        for rendition in last.renditions where rendition.name != "audio" {
            XCTAssertEqual(rendition.itemsEncoded, summary.videoFrames, "\(rendition.name) encoded every picture")
            XCTAssertEqual(rendition.framesDropped, 0)
            XCTAssertEqual(rendition.state, .up)
        }
    }

    func testARestartIsAFailedThenRestartedPairWithItsReasonAndGaps() throws {
        let folder = try temporaryFolder(self)
        setenv("LIVELADDER_FAULTS", "240p:encoder-error@1.5", 1)
        defer { unsetenv("LIVELADDER_FAULTS") }
        var options = RunOptions(input: Repo.fixture("cfr30-640x360.mp4"), output: folder,
                                 config: try LadderConfig.defaults.with(segmentDuration: 1, segmentFormat: .ts), playlistKind: .live)
        options.realtime = true
        options.listSize = 100
        let (summary, events) = try run(options)
        let failures = events.compactMap { event -> (String, RestartReason)? in
            if case .renditionFailed(let name, let reason, _, _) = event.event { return (name, reason) } else { return nil }
        }
        XCTAssertEqual(failures.map(\.0), ["240p"])
        XCTAssertEqual(failures.map(\.1), [.encoderError])
        let restarted = events.compactMap { event -> (String, Int)? in
            if case .renditionRestarted(let name, let reason, let number) = event.event, reason == .encoderError { return (name, number) } else { return nil }
        }
        XCTAssertEqual(restarted.map(\.0), ["240p"])
        XCTAssertEqual(summary.restarts, 1)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/240p/index.m3u8", encoding: .utf8))
        let gaps = segments(events).filter { $0.rendition == "240p" && $0.gap }
        XCTAssertGreaterThan(gaps.count, 0)
        XCTAssertEqual(gaps.map(\.number), playlist.segments.enumerated().filter { $0.element.gap }.map { playlist.mediaSequence + $0.offset })
        XCTAssertEqual(restarted.first?.1, gaps.last.map { $0.number + 1 }, "it resumes right after its last GAP")
        XCTAssertTrue(segments(events).filter { $0.rendition == "360p" }.allSatisfy { !$0.gap }, "the sibling lost nothing")
    }

    func testStatusModelReadinessFollowsPublishedSegments() {
        let status = RunStatusModel(started: Date(timeIntervalSince1970: 1000))
        let t0 = Date(timeIntervalSince1970: 1000)
        func at(_ seconds: Double, _ event: RunEvent, _ sequence: Int) {
            status.observe(StampedEvent(sequence: sequence, time: t0.addingTimeInterval(seconds), event: event))
        }
        XCTAssertEqual(status.readiness(now: t0).reasons, ["starting"])
        at(0, .runStarted(RunDescription(input: "rtmp://0.0.0.0/live/***", output: "/o", playlistType: "live", segmentFormat: "ts",
                                         segmentDuration: 2, listening: true, inputCanWait: false)), 1)
        XCTAssertEqual(status.state, "awaiting-input")
        at(1, .inputConnected(InputDescription(protocol: "rtmp", url: "rtmp://0.0.0.0/live/***", session: 1)), 2)
        at(1, .ladderResolved([RenditionPlan(name: "360p", width: 640, height: 360), RenditionPlan(name: "240p", width: 426, height: 240)]), 3)
        XCTAssertFalse(status.readiness(now: t0.addingTimeInterval(1)).ok)
        at(3, .segmentPublished(SegmentPublication(rendition: "360p", number: 0, duration: 2, bytes: 1000, gap: false, discontinuity: false)), 4)
        at(3, .segmentPublished(SegmentPublication(rendition: "240p", number: 0, duration: 2, bytes: 500, gap: false, discontinuity: false)), 5)
        XCTAssertEqual(status.readiness(now: t0.addingTimeInterval(3.5)), HealthCheck(ok: true, reasons: []))
        XCTAssertEqual(status.state, "streaming")
        // 1.5 × 2 s after the last segment, a rendition that published nothing makes the run not ready.
        at(5, .segmentPublished(SegmentPublication(rendition: "360p", number: 1, duration: 2, bytes: 1000, gap: false, discontinuity: false)), 6)
        at(5, .renditionFailed(rendition: "240p", reason: .stall, error: "stalled", backoff: 0.5), 7)
        XCTAssertEqual(status.state, "recovering")
        let notReady = status.readiness(now: t0.addingTimeInterval(6.1))
        XCTAssertFalse(notReady.ok)
        XCTAssertEqual(notReady.reasons.count, 1)
        XCTAssertTrue(notReady.reasons[0].hasPrefix("240p: no segment for 3.1 s"), notReady.reasons[0])
        at(6.5, .renditionRestarted(rendition: "240p", reason: .stall, number: 3), 8)
        at(7, .segmentPublished(SegmentPublication(rendition: "240p", number: 3, duration: 2, bytes: 500, gap: false, discontinuity: false)), 9)
        at(7, .segmentPublished(SegmentPublication(rendition: "360p", number: 3, duration: 2, bytes: 500, gap: false, discontinuity: false)), 10)
        XCTAssertTrue(status.readiness(now: t0.addingTimeInterval(7.2)).ok)
        status.markStopping()
        XCTAssertEqual(status.readiness(now: t0.addingTimeInterval(7.2)).reasons, ["stopping"])
        let report = status.status(version: "test", now: t0.addingTimeInterval(7.2))
        XCTAssertEqual(report.renditions.map(\.measured.segments), [3, 2])
        XCTAssertEqual(report.renditions.map(\.measured.outputBytes), [2500, 1000])
        XCTAssertEqual(report.renditions.map(\.restarts), [0, 1])
        XCTAssertEqual(report.input?.url, "rtmp://0.0.0.0/live/***")
    }

    func testURLsLoseTheirCredentials() {
        XCTAssertEqual(InputSource.redact("rtmp://0.0.0.0:1935/live/s3cret"), "rtmp://0.0.0.0:1935/live/***")
        XCTAssertEqual(InputSource.redact("srt://host:9000?mode=caller&passphrase=abcdefghij&latency=200"),
                       "srt://host:9000?mode=caller&passphrase=***&latency=200")
        XCTAssertEqual(InputSource.redact("http://user:pw@origin.example/live.m3u8?token=t"), "http://***@origin.example/live.m3u8?token=***")
        XCTAssertEqual(InputSource.redact("udp://239.0.0.1:5000"), "udp://239.0.0.1:5000")
        XCTAssertEqual(InputSource.redact("/media/clip.mp4"), "/media/clip.mp4")
    }

    func testAlertsAreSetOnceAndClearedUnderTheSameId() {
        let bus = RunEventBus()
        let recorder = Recorder()
        let alerts = AlertRules(events: bus)
        bus.add(alerts)
        bus.add(recorder)
        bus.emit(.runStarted(RunDescription(input: "udp://x", output: "/o", playlistType: "live", segmentFormat: "ts",
                                            segmentDuration: 2, listening: false, inputCanWait: false)))
        bus.emit(.inputConnected(InputDescription(protocol: "udp", url: "udp://x", session: 1, declaredFPS: 30)))
        bus.emit(.inputLost(reason: "no data for 5 s"))
        bus.emit(.inputLost(reason: "no data for 5 s"))
        bus.emit(.inputRecovered(InputDescription(protocol: "udp", url: "udp://x", session: 2, declaredFPS: 30)))
        bus.emit(.inputLost(reason: "no data for 5 s"))
        alerts.finish()
        let changes = recorder.events.compactMap { event -> String? in
            switch event.event {
            case .alertSet(let alert): return "set \(alert.alertId)"
            case .alertCleared(let alert): return "cleared \(alert.alertId)"
            default: return nil
            }
        }
        XCTAssertEqual(changes, ["set input-lost", "cleared input-lost", "set input-lost", "cleared input-lost"])
    }
}
