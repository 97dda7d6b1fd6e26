import Foundation
import HLSModel
import LiveLadderCore
@testable import LiveLadderPush
import Logging
import XCTest

/// An origin in memory whose answers a test scripts: it records every request in order.
final class ScriptedOrigin: PushTransport, @unchecked Sendable {
    struct Request: Equatable {
        let method: String
        let path: String
        let body: [UInt8]
    }

    private let lock = NSLock()
    private var log: [Request] = []
    private var stored: [String: [UInt8]] = [:]
    /// Decides each answer; nil lets the request through (201, stored).
    var answer: @Sendable (String, String) -> PushResponse? = { _, _ in nil }

    var requests: [Request] { lock.withLock { log } }
    var files: [String: [UInt8]] { lock.withLock { stored } }

    func send(method: String, url: URL, headers: [(name: String, value: String)], body: [UInt8]?, timeout: Duration) async -> PushResponse {
        let path = String(url.path.dropFirst("/live/".count))
        let scripted = lock.withLock { () -> PushResponse? in
            log.append(Request(method: method, path: path, body: body ?? []))
            return answer(method, path)
        }
        if let scripted { return scripted }
        lock.withLock {
            if method == "DELETE" { stored[path] = nil } else { stored[path] = body ?? [] }
        }
        return .status(method == "DELETE" ? 204 : 201)
    }

    func shutdown() async {}
}

/// Collects the run events a destination emits.
final class EventLog: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RunEvent] = []
    func observe(_ stamped: StampedEvent) { lock.withLock { events.append(stamped.event) } }
    var results: [PushResult] { lock.withLock { events.compactMap { if case .pushResult(let r) = $0 { r } else { nil } } } }
    var alertsSet: [Alert] { lock.withLock { events.compactMap { if case .alertSet(let a) = $0 { a } else { nil } } } }
    var alertsCleared: [Alert] { lock.withLock { events.compactMap { if case .alertCleared(let a) = $0 { a } else { nil } } } }
}

final class PushDestinationTests: XCTestCase {
    private func make(_ origin: ScriptedOrigin, segmentDuration: Double = 0.5) throws -> (PushDestination, EventLog) {
        let bus = RunEventBus()
        let log = EventLog()
        bus.add(log)
        let target = try PushTarget(url: "http://origin.test/live/", deleteOld: true)
        return (PushDestination(target: target, index: 1, transport: origin, events: bus, segmentDuration: segmentDuration,
                                logger: Logger(label: "test")), log)
    }

    /// Publishes `count` segments as a rendition does: init, then each segment followed by its playlist.
    private func publish(_ destination: PushDestination, segments range: Range<Int>, pause: Double = 0) {
        if range.lowerBound == 0 { destination.published("v/init.mp4", bytes: [0, 0], as: .initSegment) }
        var playlist = MediaPlaylist(targetDuration: 1, mediaSequence: 0, segments: [])
        playlist.map = "init.mp4"
        for n in 0..<range.upperBound {
            playlist.segments.append(MediaSegment(uri: "segment-\(n).m4s", duration: 0.5))
            guard range.contains(n) else { continue }
            destination.published("v/segment-\(n).m4s", bytes: [UInt8(n)], as: .segment(number: n))
            destination.published("v/index.m3u8", bytes: Array(playlist.render().utf8), as: .mediaPlaylist(playlist))
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
    }

    /// PU1 over the request log: every playlist the origin received names only segments it already
    /// stored, and not as GAPs when they are there.
    private func assertNoPlaylistAhead(_ origin: ScriptedOrigin, file: StaticString = #filePath, line: UInt = #line) {
        var have: Set<String> = []
        for request in origin.requests where request.method == "PUT" {
            if request.path.hasSuffix(".m3u8"), let text = String(validating: request.body, as: UTF8.self) {
                let playlist = try? MediaPlaylist.parse(text)
                for segment in playlist?.segments ?? [] where !segment.gap {
                    XCTAssertTrue(have.contains("v/" + segment.uri), "playlist names \(segment.uri) before the origin had it", file: file, line: line)
                }
                if let map = playlist?.map { XCTAssertTrue(have.contains("v/" + map), file: file, line: line) }
            }
            if origin.answer("PUT", request.path) == nil { have.insert(request.path) }
        }
    }

    func testEverythingArrivesInPublishingOrder() async throws {
        let origin = ScriptedOrigin()
        let (destination, log) = try make(origin)
        publish(destination, segments: 0..<5)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertTrue(tally.complete, "\(tally)")
        let paths = origin.requests.map(\.path)
        XCTAssertEqual(paths.first, "v/init.mp4")
        XCTAssertEqual(paths.filter { $0.hasSuffix(".m4s") }, (0..<5).map { "v/segment-\($0).m4s" })
        XCTAssertEqual(paths.last, "v/index.m3u8", "the newest playlist goes last")
        let last = try MediaPlaylist.parse(String(decoding: origin.files["v/index.m3u8"] ?? [], as: UTF8.self))
        XCTAssertEqual(last.segments.count, 5)
        XCTAssertFalse(last.segments.contains(where: \.gap))
        assertNoPlaylistAhead(origin)
        XCTAssertTrue(log.results.filter { $0.kind == "segment" }.allSatisfy { $0.outcome == .delivered && $0.latency != nil })
    }

    func testAShortOutageDelaysSegmentsAndLosesNone() async throws {
        let origin = ScriptedOrigin()
        let down = Date().addingTimeInterval(0.7)
        origin.answer = { _, _ in Date() < down ? .failed("Connection refused") : nil }
        let (destination, log) = try make(origin, segmentDuration: 0.3)
        // Published in real time (one 0.3 s segment every 0.3 s): the outage spans about two segments.
        publish(destination, segments: 0..<4, pause: 0.3)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertTrue(tally.complete, "nothing is lost to an outage shorter than the buffer: \(tally)")
        let stored = origin.files
        for n in 0..<4 { XCTAssertNotNil(stored["v/segment-\(n).m4s"], "segment \(n)") }
        XCTAssertTrue(log.results.contains { $0.attempts > 1 }, "the outage was retried through")
        let first = try XCTUnwrap(log.results.first { $0.path == "v/segment-0.m4s" })
        XCTAssertGreaterThan(first.latency ?? 0, 0.3, "segment 0, made during the outage, arrived late")
        XCTAssertEqual(log.alertsSet.map(\.code), ["push-failing"], "an outage longer than a segment is an alert")
        XCTAssertEqual(log.alertsCleared.map(\.code), ["push-failing"])
        assertNoPlaylistAhead(origin)
    }

    func testALongOutageGivesUpTheOldestAndResumesAtTheLiveEdge() async throws {
        let origin = ScriptedOrigin()
        let down = Date().addingTimeInterval(1.6)
        origin.answer = { _, _ in Date() < down ? .failed("Connection refused") : nil }
        let (destination, log) = try make(origin, segmentDuration: 0.5)
        publish(destination, segments: 0..<10, pause: 0.15)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertGreaterThan(tally.lostMedia, 0, "\(tally)")
        let last = try MediaPlaylist.parse(String(decoding: origin.files["v/index.m3u8"] ?? [], as: UTF8.self))
        XCTAssertEqual(last.segments.count, 10)
        XCTAssertFalse(last.segments.last?.gap ?? true, "the live edge is there")
        let lost = Set(log.results.filter { $0.outcome == .lost }.map(\.path))
        for segment in last.segments {
            XCTAssertEqual(segment.gap, lost.contains("v/" + segment.uri), segment.uri)
            XCTAssertEqual(segment.gap, origin.files["v/" + segment.uri] == nil, segment.uri)
        }
        assertNoPlaylistAhead(origin)
    }

    func testARefusingOriginRaisesAnAlertAndIsNotRetried() async throws {
        let origin = ScriptedOrigin()
        origin.answer = { _, _ in .status(403) }
        let (destination, log) = try make(origin)
        publish(destination, segments: 0..<3)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertFalse(tally.complete)
        XCTAssertGreaterThan(tally.refused, 0)
        XCTAssertTrue(log.results.allSatisfy { $0.attempts <= 1 }, "a 403 is never retried: \(log.results.map(\.attempts))")
        XCTAssertLessThanOrEqual(origin.requests.count, 7, "one request per file at most")
        XCTAssertEqual(log.alertsSet.map(\.code), ["push-refused"])
        XCTAssertEqual(log.alertsCleared.map(\.code), ["push-refused"], "the run's end clears it")
    }

    func testASegmentTheOriginKeepsFailingBecomesAGapThere() async throws {
        let origin = ScriptedOrigin()
        origin.answer = { method, path in path == "v/segment-1.m4s" ? .status(503) : nil }
        let (destination, log) = try make(origin, segmentDuration: 0.3)
        publish(destination, segments: 0..<3)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertEqual(tally.lostMedia, 1)
        let lost = try XCTUnwrap(log.results.first { $0.path == "v/segment-1.m4s" })
        XCTAssertEqual(lost.outcome, .lost)
        XCTAssertEqual(lost.status, 503)
        XCTAssertGreaterThan(lost.attempts, 1, "503 is retried")
        let last = try MediaPlaylist.parse(String(decoding: origin.files["v/index.m3u8"] ?? [], as: UTF8.self))
        XCTAssertEqual(last.segments.map(\.gap), [false, true, false])
        assertNoPlaylistAhead(origin)
    }

    func testAPartThatCannotGoGivesWayToItsSegment() async throws {
        let origin = ScriptedOrigin()
        origin.answer = { _, path in path == "v/segment-0.0.m4s" ? .failed("connection reset by the origin") : nil }
        let (destination, log) = try make(origin)
        destination.published("v/init.mp4", bytes: [0], as: .initSegment)
        destination.published("v/segment-0.0.m4s", bytes: [1], as: .part(number: 0, index: 0))
        try await Task.sleep(for: .milliseconds(300))
        publish(destination, segments: 0..<1)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertTrue(tally.complete, "the segment carries the part's media: \(tally)")
        XCTAssertEqual(log.results.first { $0.path == "v/segment-0.0.m4s" }?.outcome, .superseded)
        XCTAssertEqual(log.results.first { $0.path == "v/segment-0.m4s" }?.outcome, .delivered)
    }

    func testTheMasterWaitsForItsMediaPlaylists() async throws {
        let origin = ScriptedOrigin()
        let (destination, _) = try make(origin)
        let master = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nv/index.m3u8\n"
        destination.published("master.m3u8", bytes: Array(master.utf8), as: .master)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertTrue(origin.requests.isEmpty, "no master before v/index.m3u8 is on the origin")
        publish(destination, segments: 0..<1)
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertTrue(tally.complete)
        let paths = origin.requests.map(\.path)
        let masterAt = try XCTUnwrap(paths.firstIndex(of: "master.m3u8"))
        let playlistAt = try XCTUnwrap(paths.firstIndex(of: "v/index.m3u8"))
        XCTAssertGreaterThan(masterAt, playlistAt)
    }

    func testAStalledOriginIsCutOffAtTheDrainLimit() async throws {
        let origin = ScriptedOrigin()
        origin.answer = { _, _ in .failed("no answer within 500 ms") }
        let (destination, log) = try make(origin)
        publish(destination, segments: 0..<2)
        let started = ContinuousClock.now
        let tally = await destination.drain(within: .milliseconds(800))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4), "the drain is bounded")
        XCTAssertFalse(tally.complete)
        XCTAssertGreaterThan(tally.unsent, 0)
        XCTAssertTrue(log.results.contains { $0.outcome == .unsent && $0.kind == "playlist" })
    }

    func testDeletionsFollowTheLocalOnesAnd405IsTolerated() async throws {
        let origin = ScriptedOrigin()
        let (destination, _) = try make(origin)
        publish(destination, segments: 0..<2)
        try await Task.sleep(for: .milliseconds(300))
        destination.removed("v/segment-0.m4s")
        try await Task.sleep(for: .milliseconds(300))
        origin.answer = { method, _ in method == "DELETE" ? .status(405) : nil }
        destination.removed("v/segment-1.m4s")
        let tally = await destination.drain(within: .seconds(5))
        XCTAssertTrue(tally.complete, "a refused DELETE is not a delivery failure")
        XCTAssertEqual(origin.requests.filter { $0.method == "DELETE" }.map(\.path), ["v/segment-0.m4s", "v/segment-1.m4s"])
        XCTAssertNil(origin.files["v/segment-0.m4s"])
    }
}
