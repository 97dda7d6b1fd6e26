import Foundation
import HLSModel
import Logging
import ServiceLifecycle
import XCTest
@testable import LiveLadderCore
@testable import LiveLadderServer

/// The built-in origin (`--serve`) over a store fed by hand, as the publishers feed it: blocking playlist
/// reload (HLS-RULES O1–O3), what it refuses (O5), and the headers players and CDNs read.
final class OriginTests: XCTestCase {
    private var store: OriginStore!
    private var server: OriginServer!
    private var group: ServiceGroup?
    private var task: Task<Void, Error>?
    private var port = 0
    private var folder = ""
    private let metrics = MetricsObserver(build: BuildInfo(version: "test", ffmpeg: "5.1", x264: "164"))

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("origin-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/360p", withIntermediateDirectories: true)
        // In the folder but never published: the origin must not serve it.
        try Data("owns: 360p\n".utf8).write(to: URL(fileURLWithPath: folder + "/.liveladder"))
        store = OriginStore(outputDirectory: folder, cachedSegments: 2)
        server = OriginServer(host: "127.0.0.1", port: 0, store: store, metrics: metrics.originMetrics())
        let group = ServiceGroup(configuration: .init(services: [server], logger: Logger(label: "test")))
        self.group = group
        task = Task { try await group.run() }
        guard let bound = await server.boundPort(), bound > 0 else { throw RawHTTP.Failure(description: "the origin did not listen") }
        port = bound
    }

    override func tearDown() async throws {
        await group?.triggerGracefulShutdown()
        _ = await task?.result
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Publishes segments `0..<count` of 360p (bytes on disk too, as the publisher writes them first) and
    /// the playlist naming them.
    private func publish(segments count: Int, target: Int = 2, endList: Bool = false, firstSequence: Int = 0) throws {
        var playlist = MediaPlaylist(targetDuration: target, mediaSequence: firstSequence, discontinuitySequence: 0)
        for number in firstSequence..<count {
            let bytes = [UInt8](repeating: UInt8(number % 256), count: 1000 + number)
            let uri = "segment-\(number).ts"
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/360p/" + uri))
            store.published("360p/" + uri, bytes: bytes, as: .segment(number: number))
            playlist.segments.append(MediaSegment(uri: uri, duration: Double(target)))
        }
        playlist.endList = endList
        store.published("360p/index.m3u8", bytes: Array(playlist.render().utf8), as: .mediaPlaylist(playlist))
    }

    private func get(_ path: String, method: String = "GET", headers: [String: String] = [:]) async throws -> RawResponse {
        let port = self.port
        return try await offPool { try RawHTTP.request(port: port, method: method, path: path, headers: headers) }
    }

    func testBlockingReloadAnswersOnceTheSegmentExists() async throws {
        try publish(segments: 2)
        let started = Date()
        let port = self.port
        async let held = offPool { try RawHTTP.request(port: port, path: "/360p/index.m3u8?_HLS_msn=2") }
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(store.blockedRequests, 1)
        let published = Date()
        try publish(segments: 3)
        let response = try await held
        let answered = Date()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.contains("segment-2.ts"), response.body)
        XCTAssertGreaterThanOrEqual(published.timeIntervalSince(started), 0.4)
        XCTAssertLessThan(answered.timeIntervalSince(published), 0.5, "answered at once when the segment appeared")
        XCTAssertTrue(response.body.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,HOLD-BACK=6.000"), response.body)
        XCTAssertEqual(store.wakeUpCounts.updates, 1)
        XCTAssertEqual(store.blockedRequests, 0)
    }

    func testDirectivesThatAreRefusedOrAnsweredAtOnce() async throws {
        try publish(segments: 5, firstSequence: 2)
        let bad = [
            "/360p/index.m3u8?_HLS_part=1": "_HLS_part needs _HLS_msn",
            "/360p/index.m3u8?_HLS_msn=7": "more than two segments past the live edge",
            "/360p/index.m3u8?_HLS_msn=abc": "is not a non-negative decimal integer",
            "/360p/index.m3u8?_HLS_msn=-1": "is not a non-negative decimal integer",
            "/360p/index.m3u8?_HLS_msn=99999999999999999999": "is not a non-negative decimal integer",
            "/360p/index.m3u8?_HLS_msn=4&_HLS_part=0": "this stream has no parts",
            "/360p/index.m3u8?_HLS_skip=MAYBE": "is not YES or v2",
        ]
        for (path, message) in bad {
            let response = try await get(path)
            XCTAssertEqual(response.status, 400, path)
            XCTAssertTrue(response.body.contains(message), "\(path): \(response.body)")
        }
        // An expired MSN (before the window) gets the whole playlist at once (O1).
        let expired = try await get("/360p/index.m3u8?_HLS_msn=0")
        XCTAssertEqual(expired.status, 200)
        XCTAssertTrue(expired.body.contains("#EXT-X-MEDIA-SEQUENCE:2"), expired.body)
        // _HLS_skip without CAN-SKIP-UNTIL: the full playlist (O3).
        let skip = try await get("/360p/index.m3u8?_HLS_skip=YES")
        XCTAssertEqual(skip.status, 200)
        XCTAssertFalse(skip.body.contains("EXT-X-SKIP"))
        // After ENDLIST every directive is ignored (O3).
        try publish(segments: 5, endList: true, firstSequence: 2)
        for path in ["/360p/index.m3u8?_HLS_msn=7", "/360p/index.m3u8?_HLS_part=1", "/360p/index.m3u8?_HLS_msn=6"] {
            let response = try await get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertTrue(response.body.hasSuffix("#EXT-X-ENDLIST\n"), response.body)
        }
    }

    func testABlockedRequestGets503AfterThreeTargetDurations() async throws {
        try publish(segments: 1, target: 1)
        let started = Date()
        let response = try await get("/360p/index.m3u8?_HLS_msn=2")
        let waited = Date().timeIntervalSince(started)
        XCTAssertEqual(response.status, 503)
        XCTAssertTrue(response.body.contains("within 3 × target duration"), response.body)
        XCTAssertGreaterThanOrEqual(waited, 2.9)
        XCTAssertLessThan(waited, 6)
        XCTAssertEqual(store.blockedRequests, 0, "a timed-out request leaves no waiter behind")
    }

    func testAThousandBlockedRequestsCostOneWakeUp() async throws {
        try publish(segments: 1)
        let store = self.store!
        let answers = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
            for _ in 0..<1000 {
                group.addTask { await store.waitForPlaylist("360p/index.m3u8", PlaylistRequest(msn: 1, part: nil, skip: false), timeout: 20) }
            }
            while store.blockedRequests < 1000 { try? await Task.sleep(for: .milliseconds(20)) }
            // A playlist that does not satisfy them wakes nobody.
            try? self.publish(segments: 1)
            XCTAssertEqual(store.wakeUpCounts.updates, 0)
            try? self.publish(segments: 2)
            var all: [Bool] = []
            for await answer in group { all.append(answer) }
            return all
        }
        XCTAssertEqual(answers.count, 1000)
        XCTAssertTrue(answers.allSatisfy { $0 })
        XCTAssertEqual(store.wakeUpCounts.updates, 1)
        XCTAssertEqual(store.wakeUpCounts.requests, 1000)
        // And over HTTP: 1,000 players blocked at once (a connection each), all answered by one update.
        let port = self.port
        // Both ends of every connection live in this process: 2,000 descriptors. Raise the soft limit to
        // the hard one if need be; a machine that allows fewer runs fewer players and says so.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 2_300, limit.rlim_max > limit.rlim_cur {
            limit.rlim_cur = min(limit.rlim_max, 4_096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let players = limit.rlim_cur >= 2_300 ? 1000 : max(50, (Int(limit.rlim_cur) - 300) / 2)
        if players < 1000 { print("OriginTests: only \(players) players: the descriptor limit is \(limit.rlim_cur)") }
        let responses = try await withThrowingTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<players {
                group.addTask { try await offPool { try RawHTTP.request(port: port, path: "/360p/index.m3u8?_HLS_msn=2").status } }
            }
            let deadline = Date().addingTimeInterval(20)
            while store.blockedRequests < players, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(store.blockedRequests, players)
            try self.publish(segments: 3)
            var all: [Int] = []
            for try await status in group { all.append(status) }
            return all
        }
        XCTAssertEqual(responses, Array(repeating: 200, count: players))
        XCTAssertEqual(store.wakeUpCounts.updates, 2, "one wake-up for the 1,000 HTTP requests")
        XCTAssertEqual(store.wakeUpCounts.requests, 1000 + players)
    }

    func testNothingButWhatWasPublishedIsServed() async throws {
        try publish(segments: 1)
        for path in ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/360p/%2e%2e/.liveladder", "/.liveladder", "//etc/passwd",
                     "/360p/../360p/segment-0.ts", "/360p/./segment-0.ts", "/360p/segment-0.ts%00", "/360p\\segment-0.ts",
                     "/360p/segment-9.ts", "/etc/passwd", "/" + String(repeating: "a", count: 5000)] {
            let response = try await get(path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertFalse(response.body.contains("root:"), path)
        }
        let post = try await get("/360p/segment-0.ts", method: "POST")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers["allow"], "GET, HEAD, OPTIONS")
    }

    func testHeadersRangesHeadAndCORS() async throws {
        try publish(segments: 4)
        store.published("master.m3u8", bytes: Array("#EXTM3U\n".utf8), as: .master)
        let segment = try await get("/360p/segment-3.ts")
        XCTAssertEqual(segment.status, 200)
        XCTAssertEqual(segment.headers["content-type"], "video/mp2t")
        XCTAssertEqual(segment.headers["cache-control"], "public, max-age=31536000, immutable")
        XCTAssertEqual(segment.headers["access-control-allow-origin"], "*")
        XCTAssertEqual(segment.headers["content-length"], "1003")
        // Pushed out of the 2-segment memory cache: read back from the folder, same bytes.
        let old = try await get("/360p/segment-0.ts")
        XCTAssertEqual(old.status, 200)
        XCTAssertEqual(old.headers["content-length"], "1000")
        let playlist = try await get("/360p/index.m3u8")
        XCTAssertEqual(playlist.headers["content-type"], "application/vnd.apple.mpegurl")
        XCTAssertEqual(playlist.headers["cache-control"], "no-cache")
        let master = try await get("/master.m3u8")
        XCTAssertEqual(master.body, "#EXTM3U\n")
        let range = try await get("/360p/segment-3.ts", headers: ["Range": "bytes=10-19"])
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.headers["content-range"], "bytes 10-19/1003")
        XCTAssertEqual(range.headers["content-length"], "10")
        let suffix = try await get("/360p/segment-3.ts", headers: ["Range": "bytes=-3"])
        XCTAssertEqual(suffix.headers["content-range"], "bytes 1000-1002/1003")
        let outside = try await get("/360p/segment-3.ts", headers: ["Range": "bytes=5000-"])
        XCTAssertEqual(outside.status, 416)
        XCTAssertEqual(outside.headers["content-range"], "bytes */1003")
        let head = try await get("/360p/segment-3.ts", method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], "1003")
        XCTAssertEqual(head.body, "")
        let preflight = try await get("/360p/segment-3.ts", method: "OPTIONS")
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.headers["access-control-allow-methods"], "GET, HEAD, OPTIONS")
        // A segment that left the window (removed) is gone from the origin too.
        store.removed("360p/segment-3.ts")
        let removed = try await get("/360p/segment-3.ts")
        XCTAssertEqual(removed.status, 404)
    }

    func testByteRangeParsing() {
        XCTAssertEqual(ByteRange.parse("bytes=0-0", length: 10), .part(0..<1))
        XCTAssertEqual(ByteRange.parse("bytes=5-", length: 10), .part(5..<10))
        XCTAssertEqual(ByteRange.parse("bytes=5-100", length: 10), .part(5..<10))
        XCTAssertEqual(ByteRange.parse("bytes=-20", length: 10), .part(0..<10))
        XCTAssertEqual(ByteRange.parse("bytes=10-", length: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-0", length: 10), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-1,3-4", length: 10), .whole)
        XCTAssertEqual(ByteRange.parse("bytes=9-3", length: 10), .whole)
        XCTAssertEqual(ByteRange.parse("bytes=99999999999999999999-", length: 10), .whole)
        XCTAssertEqual(ByteRange.parse("items=0-1", length: 10), .whole)
    }

    func testPartDirectivesOnAStreamWithParts() {
        var playlist = MediaPlaylist(targetDuration: 2, mediaSequence: 10, segments: [
            MediaSegment(uri: "s10.m4s", duration: 2, parts: (0..<4).map { MediaPart(uri: "s10.\($0).m4s", duration: 0.5, independent: $0 == 0) }),
        ])
        playlist.partTarget = 0.5
        playlist.inProgress = SegmentInProgress(parts: [MediaPart(uri: "s11.0.m4s", duration: 0.5, independent: true)])
        func decide(_ msn: Int, _ part: Int?) -> BlockingReload.Decision {
            BlockingReload.decide(PlaylistRequest(msn: msn, part: part, skip: false), playlist: playlist)
        }
        XCTAssertEqual(decide(11, 0), .answer(delta: false))
        XCTAssertEqual(decide(11, 1), .wait)
        XCTAssertEqual(decide(10, 3), .answer(delta: false))
        // Past the last part of 10 means part 0 of 11, which exists.
        XCTAssertEqual(decide(10, 4), .answer(delta: false))
        XCTAssertEqual(decide(12, 0), .wait)
        XCTAssertEqual(decide(14, 0), .refuse(.badRequest("_HLS_msn=14 is more than two segments past the live edge (11)")))
        // The advance-part limit with 0.5 s parts: 3 ÷ 0.5 = 6.
        XCTAssertEqual(decide(11, 6), .wait)
        XCTAssertEqual(decide(11, 7), .refuse(.badRequest("_HLS_part=7 is past the advance-part limit (6)")))
    }

    func testMetricsCountRequestsBytesAndHeldReloads() async throws {
        try publish(segments: 2)
        let before = String(decoding: metrics.exposition(eventsDropped: 0), as: UTF8.self)
        XCTAssertTrue(before.contains("liveladder_origin_requests_total{resource=\"segment\",status=\"2xx\"} 0"), before)
        XCTAssertTrue(before.contains("# HELP liveladder_origin_bytes_served_total "), before)
        _ = try await get("/360p/segment-1.ts")
        _ = try await get("/360p/segment-1.ts")
        _ = try await get("/nope")
        let port = self.port
        async let held = offPool { try RawHTTP.request(port: port, path: "/360p/index.m3u8?_HLS_msn=2") }
        while store.blockedRequests < 1 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))
        try publish(segments: 3)
        let answer = try await held
        XCTAssertEqual(answer.status, 200)
        let after = String(decoding: metrics.exposition(eventsDropped: 0), as: UTF8.self)
        XCTAssertTrue(after.contains("liveladder_origin_requests_total{resource=\"segment\",status=\"2xx\"} 2"), after)
        XCTAssertTrue(after.contains("liveladder_origin_requests_total{resource=\"other\",status=\"4xx\"} 1"), after)
        XCTAssertTrue(after.contains("liveladder_origin_requests_total{resource=\"playlist\",status=\"2xx\"} 1"), after)
        let expected = 2 * 1001 + answer.body.utf8.count
        XCTAssertTrue(after.contains("liveladder_origin_bytes_served_total \(expected)\n"), "two 1001-byte segments, then the playlist: \(after)")
        XCTAssertTrue(after.contains("liveladder_origin_blocked_wait_seconds_count 1"), after)
        XCTAssertTrue(after.contains("liveladder_origin_blocked_wait_seconds_bucket{le=\"0.1\"} 0"), "held over 0.2 s: \(after)")
    }

    /// O4: a request for the part the preload hint names is held until the part is complete, then served
    /// whole; a part nobody hinted at is a 404 at once.
    func testAPreloadHintedPartIsHeldUntilItIsComplete() async throws {
        var playlist = MediaPlaylist(targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0,
                                     segments: [MediaSegment(uri: "segment-0.m4s", duration: 2)])
        playlist.partTarget = 0.5
        playlist.serverControl = ServerControl(canBlockReload: true, partHoldBack: 1.5)
        playlist.inProgress = SegmentInProgress(parts: [MediaPart(uri: "segment-1.0.m4s", duration: 0.5, independent: true)])
        playlist.preloadHint = PreloadHint(uri: "segment-1.1.m4s")
        store.published("360p/segment-1.0.m4s", bytes: [1, 2, 3], as: .part(number: 1, index: 0))
        store.published("360p/index.m3u8", bytes: Array(playlist.render().utf8), as: .mediaPlaylist(playlist))
        let notHinted = try await get("/360p/segment-1.2.m4s")
        XCTAssertEqual(notHinted.status, 404)
        let port = self.port
        async let held = offPool { try RawHTTP.request(port: port, path: "/360p/segment-1.1.m4s") }
        while store.blockedRequests < 1 { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(300))
        let published = Date()
        store.published("360p/segment-1.1.m4s", bytes: Array("part one".utf8), as: .part(number: 1, index: 1))
        let answer = try await held
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.body, "part one")
        XCTAssertEqual(answer.headers["cache-control"], "public, max-age=31536000, immutable")
        XCTAssertLessThan(Date().timeIntervalSince(published), 0.5)
        XCTAssertEqual(store.blockedRequests, 0)
    }
}
