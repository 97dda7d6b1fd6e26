import Foundation
import XCTest
import HLSModel

/// `liveladder run --http`: what Prometheus, a kubelet and a control plane see of a real live run, checked
/// against the output folder it wrote.
final class WorkerInterfaceTests: XCTestCase {
    /// Scrapes `/metrics` and `/readyz` every 0.3 s in the background.
    private final class Watcher: @unchecked Sendable {
        private let lock = NSLock()
        private var scrapes: [Scrape] = []
        private var ready: [(Date, Int)] = []
        private var running = true
        private let done = DispatchSemaphore(value: 0)

        init(port: UInt16) {
            Thread {
                while self.lock.withLock({ self.running }) {
                    let metrics = httpRequest("http://127.0.0.1:\(port)/metrics", timeout: 2)
                    if metrics.status == 200, let scrape = try? Scrape(text: metrics.body) { self.lock.withLock { self.scrapes.append(scrape) } }
                    if let status = httpRequest("http://127.0.0.1:\(port)/readyz", timeout: 2).status {
                        self.lock.withLock { self.ready.append((Date(), status)) }
                    }
                    Thread.sleep(forTimeInterval: 0.3)
                }
                self.done.signal()
            }.start()
        }

        func stop() {
            lock.withLock { running = false }
            done.wait()
        }

        var all: [Scrape] { lock.withLock { scrapes } }
        var readiness: [Int] { lock.withLock { ready.map(\.1) } }
        var latest: Scrape? { lock.withLock { scrapes.last } }
    }

    /// Collapses runs of equal values: [1, 1, 0, 0, 1] → [1, 0, 1].
    private func changes<T: Equatable>(_ values: [T]) -> [T] {
        values.reduce(into: []) { list, value in if list.last != value { list.append(value) } }
    }

    private func publish(_ url: String, _ log: String) throws -> Background {
        try Background.ffmpeg(["-re", "-i", Repo.fixture("cfr30-640x360.mp4"), "-c", "copy", "-f", "flv", url], log: log)
    }

    func testALiveRunsCountersFollowItsOutputThroughAFaultAndAPublisherDrop() throws {
        let folder = try temporaryFolder(self)
        let url = "rtmp://127.0.0.1:\(freePort())/live/stream"
        let http = freePort()
        let run = try Background(Repo.executable, ["run", "-i", url, "--listen", "-o", folder, "--playlist-type", "live", "--list-size", "100",
                                                   "--segment-duration", "2", "--input-timeout", "1", "--reconnect-window", "30",
                                                   "--no-slate", "--http", String(http), "--events", folder + ".events", "--events-segments"],
                                 log: folder + ".log", environment: ["LIVELADDER_FAULTS": "240p:encoder-error@3"])
        XCTAssertTrue(eventually(timeout: 15) { httpRequest("http://127.0.0.1:\(http)/livez", timeout: 1).status == 200 }, run.output)
        // Listening, nothing published yet: every series is already there, at 0.
        let before = try Scrape(text: httpRequest("http://127.0.0.1:\(http)/metrics").body)
        XCTAssertEqual(before.value("liveladder_input_connected", ["protocol": "rtmp"]), 0)
        XCTAssertEqual(before.value("liveladder_input_bytes_total"), 0)
        XCTAssertEqual(httpRequest("http://127.0.0.1:\(http)/readyz").status, 503, "not ready before the first segment")
        for family in ["liveladder_build_info", "liveladder_input_connected", "liveladder_input_bytes", "liveladder_input_sessions",
                       "liveladder_input_loss_seconds", "liveladder_input_errors", "liveladder_input_video_fps", "liveladder_slate_active",
                       "liveladder_slate_seconds", "liveladder_events_dropped"] {
            XCTAssertTrue(before.families.contains { $0.name == family && !$0.help.isEmpty }, "\(family) missing at startup")
        }
        for reason in ["damaged-packet", "timestamp-jump", "decode-error"] {
            XCTAssertEqual(before.value("liveladder_input_errors_total", ["reason": reason]), 0, reason)
        }
        let watcher = Watcher(port: http)

        let first = try publish(url, folder + ".first")
        XCTAssertEqual(first.wait(timeout: 30), 0, first.output)
        // The publisher left: no slate, so no playlist moves and readiness fails after 1.5 × 2 s.
        Thread.sleep(forTimeInterval: 5)
        let second = try publish(url, folder + ".second")
        XCTAssertEqual(second.wait(timeout: 30), 0, second.output)
        XCTAssertTrue(eventually(timeout: 10) { watcher.latest?.value("liveladder_input_connected", ["protocol": "rtmp"]) == 0 })
        Thread.sleep(forTimeInterval: 2)
        watcher.stop()
        let final = try Scrape(text: httpRequest("http://127.0.0.1:\(http)/metrics").body)

        // Every family is typed and explained; counters end in _total.
        for family in final.families {
            XCTAssertFalse(family.help.isEmpty, "\(family.name) has no HELP")
            if family.type == "counter" { XCTAssertTrue(final.text.contains("# TYPE \(family.name)_total counter"), family.name) }
        }

        // The counters equal what the folder holds.
        for rendition in ["360p", "240p"] {
            let playlist = try MediaPlaylist.parse(String(contentsOfFile: "\(folder)/\(rendition)/index.m3u8", encoding: .utf8))
            let published = playlist.segments.filter { !$0.gap }
            let bytes = try published.reduce(0) { total, segment in
                total + ((try FileManager.default.attributesOfItem(atPath: "\(folder)/\(rendition)/\(segment.uri)"))[.size] as! Int)
            }
            XCTAssertEqual(final.value("liveladder_segments_total", ["rendition": rendition]), Double(published.count), rendition)
            XCTAssertEqual(final.value("liveladder_gaps_total", ["rendition": rendition]), Double(playlist.segments.count - published.count), rendition)
            XCTAssertEqual(final.value("liveladder_output_bytes_total", ["rendition": rendition]), Double(bytes), rendition)
            XCTAssertEqual(final.value("liveladder_segment_duration_seconds_count", ["rendition": rendition]), Double(published.count), rendition)
            XCTAssertEqual(final.value("liveladder_write_errors_total", ["rendition": rendition]), 0, rendition)
        }
        XCTAssertGreaterThan(final.value("liveladder_gaps_total", ["rendition": "240p"]) ?? 0, 0, "the fault cost 240p a segment")
        XCTAssertEqual(final.value("liveladder_rendition_restarts_total", ["rendition": "240p", "reason": "encoder-error"]), 1)
        for reason in ["write-error", "stall", "fell-behind"] {
            XCTAssertEqual(final.value("liveladder_rendition_restarts_total", ["rendition": "240p", "reason": reason]), 0, reason)
            XCTAssertEqual(final.value("liveladder_rendition_restarts_total", ["rendition": "360p", "reason": reason]), 0, reason)
        }
        XCTAssertEqual(final.value("liveladder_input_sessions_total"), 2)
        XCTAssertGreaterThan(final.value("liveladder_input_loss_seconds_total") ?? 0, 4, "the outage between the publishers")
        let fixtureSize = try FileManager.default.attributesOfItem(atPath: Repo.fixture("cfr30-640x360.mp4"))[.size] as! Int
        XCTAssertGreaterThan(final.value("liveladder_input_bytes_total") ?? 0, 1.5 * Double(fixtureSize), "two publishes of the fixture")

        // The gauges followed the run: the faulted rendition alone went down and came back.
        let scrapes = watcher.all
        XCTAssertEqual(changes(scrapes.compactMap { $0.value("liveladder_rendition_up", ["rendition": "240p"]) }), [1, 0, 1])
        XCTAssertEqual(changes(scrapes.compactMap { $0.value("liveladder_rendition_up", ["rendition": "360p"]) }), [1])
        XCTAssertEqual(changes(scrapes.compactMap { $0.value("liveladder_input_connected", ["protocol": "rtmp"]) }), [0, 1, 0, 1, 0])
        let readiness = changes(watcher.readiness)
        XCTAssertTrue(readiness.count >= 3 && readiness.firstIndex(of: 200)! < readiness.lastIndex(of: 503)!,
                      "ready, then not while no playlist moved, then ready again: \(readiness)")
        XCTAssertTrue(readiness.dropFirst(readiness.firstIndex(of: 503) ?? 0).contains(200), "\(readiness)")
        let counts = scrapes.compactMap { $0.value("liveladder_segments_total", ["rendition": "360p"]) }
        XCTAssertEqual(counts, counts.sorted(), "a counter never goes back")

        // The dashboard only asks for metrics a real scrape has.
        let scrapeFile = folder + ".metrics"
        try final.text.write(toFile: scrapeFile, atomically: true, encoding: .utf8)
        let dashboard = try runProcess("/usr/bin/env", ["python3", Repo.tool("dashboard-metrics.py"),
                                                        Repo.root.appendingPathComponent("deploy/grafana/liveladder.json").path, scrapeFile])
        XCTAssertEqual(dashboard.status, 0, dashboard.stdout + dashboard.stderr)

        run.signal(SIGTERM)
        // Not ready from the moment the stop begins, before the drain.
        var afterStop: [Int] = []
        while run.process.isRunning {
            if let status = httpRequest("http://127.0.0.1:\(http)/readyz", timeout: 1).status { afterStop.append(status) }
        }
        // A request sent in the instant after kill(2) may be answered before the process has handled the
        // signal; from the first 503 on, it is never ready again, and that comes at once.
        XCTAssertLessThanOrEqual(afterStop.prefix { $0 == 200 }.count, 2, "\(afterStop)")
        XCTAssertFalse(afterStop.drop { $0 == 200 }.contains(200), "\(afterStop)")
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        XCTAssertTrue(run.output.contains("renditions restarted 1 time"), run.output)
        try assertChecks(folder)

        // The events: in order, every alert set is cleared, the summary agrees.
        let events = try String(contentsOfFile: folder + ".events", encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let ids = events.compactMap { ($0["id"] as? String).flatMap(Int.init) }
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, ids.count)
        let types = events.compactMap { $0["type"] as? String }
        XCTAssertEqual(types.first, "run.started")
        XCTAssertEqual(types.suffix(2), ["run.summary", "run.stopped"])
        for type in ["input.connected", "input.lost", "input.recovered", "ladder.resolved", "rendition.failed", "rendition.restarted", "alert.set", "alert.cleared"] {
            XCTAssertTrue(types.contains(type), "no \(type) in \(types)")
        }
        XCTAssertEqual(types.filter { $0 == "segment.published" }.count,
                       Int(["360p", "240p"].reduce(0.0) { $0 + (final.value("liveladder_segments_total", ["rendition": $1]) ?? 0) + (final.value("liveladder_gaps_total", ["rendition": $1]) ?? 0) }))
        var open: Set<String> = []
        for event in events {
            guard let data = event["data"] as? [String: Any], let id = data["alertId"] as? String else { continue }
            if event["type"] as? String == "alert.set" { XCTAssertTrue(open.insert(id).inserted, "\(id) set twice") }
            if event["type"] as? String == "alert.cleared" { XCTAssertNotNil(open.remove(id), "\(id) cleared without a set") }
        }
        XCTAssertTrue(open.isEmpty, "set without cleared: \(open)")
        let summary = try XCTUnwrap(events.first { $0["type"] as? String == "run.summary" }?["data"] as? [String: Any])
        XCTAssertEqual(summary["exitCode"] as? Int, 0)
        XCTAssertEqual((summary["segments"] as? [String: Int])?["240p"], Int(final.value("liveladder_segments_total", ["rendition": "240p"]) ?? -1))
        let renditions = try XCTUnwrap((summary["counters"] as? [String: Any])?["renditions"] as? [[String: Any]])
        XCTAssertEqual(renditions.first { $0["name"] as? String == "240p" }?["restarts"] as? Int, 1)
        XCTAssertFalse(try String(contentsOfFile: folder + ".events", encoding: .utf8).contains("/live/stream"), "the stream key is never shown")
    }

    func testATokenGuardsEverythingButMetricsAndHealth() throws {
        let folder = try temporaryFolder(self)
        let http = freePort()
        let token = "s3cret-\(UUID().uuidString.prefix(6))"
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "event", "--http", "0.0.0.0:\(http)"],
                                 log: folder + ".log", environment: ["LIVELADDER_HTTP_TOKEN": token])
        let base = "http://127.0.0.1:\(http)"
        XCTAssertTrue(eventually(timeout: 15) { httpRequest(base + "/livez", timeout: 1).status == 200 }, run.output)
        XCTAssertEqual(httpRequest(base + "/metrics").status, 200, "Prometheus needs no credentials")
        XCTAssertNotEqual(httpRequest(base + "/readyz").status, 401)
        let anonymous = httpRequest(base + "/v1/status")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertTrue(anonymous.body.contains("\"error\""), anonymous.body)
        XCTAssertEqual(httpRequest(base + "/v1/status", token: "wrong").status, 401)
        XCTAssertEqual(httpRequest(base + "/v1/stop", method: "POST").status, 401)
        let status = httpRequest(base + "/v1/status", token: token)
        XCTAssertEqual(status.status, 200)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])
        XCTAssertNotNil(object["state"] as? String)
        XCTAssertEqual((object["renditions"] as? [[String: Any]])?.map { $0["name"] as? String }, ["360p", "240p"], status.body)
        XCTAssertEqual(httpRequest(base + "/nowhere", token: token).status, 404)
        XCTAssertEqual(httpRequest(base + "/metrics", method: "POST").status, 405)
        // The same graceful stop as SIGTERM: an event playlist ends with ENDLIST and the run exits 0.
        XCTAssertEqual(httpRequest(base + "/v1/stop", method: "POST", token: token).status, 202)
        XCTAssertNotEqual(httpRequest(base + "/readyz", timeout: 1).status, 200, "not ready once stopping")
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        XCTAssertTrue(try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8)).endList)
    }

    func testNonLoopbackWithoutATokenIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--http", "0.0.0.0:\(freePort())")
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("--http-token") && result.stderr.contains("LIVELADDER_HTTP_TOKEN"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
    }

    /// Runs the fixture in real time with `--http` and a segment log; `hostile` opens 200 idle connections
    /// and one event-stream client that never reads. Returns the run's segment-ready latencies.
    private func pacedRun(_ folder: String, hostile: Bool) throws -> [Double] {
        let http = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime",
                                                   "--playlist-type", "live", "--segment-log", folder + ".segments", "--http", String(http)],
                                 log: folder + ".log")
        XCTAssertTrue(eventually(timeout: 15) { httpRequest("http://127.0.0.1:\(http)/livez", timeout: 1).status == 200 }, run.output)
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        if hostile {
            for index in 0...200 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = http.bigEndian
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                XCTAssertEqual(connected, 0)
                if index == 200 {
                    // The last one asks for every event and never reads a byte of the answer.
                    var small: Int32 = 1024
                    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                    let request = Array("GET /v1/events?segments=1 HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                    XCTAssertEqual(send(fd, request, request.count, 0), request.count)
                }
                sockets.append(fd)
            }
            XCTAssertEqual(httpRequest("http://127.0.0.1:\(http)/metrics").status, 200, "still answers beside them")
        }
        // The clients are still there when the file ends: they must not hold up the end of the run.
        XCTAssertEqual(run.wait(timeout: 30), 0, run.output)
        return try String(contentsOfFile: folder + ".segments", encoding: .utf8).split(separator: "\n").compactMap {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["latency"] as? Double
        }
    }

    func testIdleAndNonReadingClientsDoNotDelaySegmentsOrTheEnd() throws {
        let folder = try temporaryFolder(self)
        let quiet = try pacedRun(folder + "-quiet", hostile: false)
        let busy = try pacedRun(folder + "-busy", hostile: true)
        XCTAssertEqual(busy.count, quiet.count, "every segment published")
        try assertChecks(folder + "-busy")
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        // A ratio in one run, generous for a shared machine: the measured figure is 1.01 (docs/benchmarks.md).
        XCTAssertLessThan(median(busy), 2 * median(quiet), "latency \(busy) vs \(quiet)")
    }

    func testTwoRestartsAtOnceNeverLeaveASegmentNoRenditionHas() throws {
        let folder = try temporaryFolder(self)
        let http = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime",
                                                   "--playlist-type", "live", "--list-size", "100", "--segment-duration", "1", "--http", String(http)],
                                 log: folder + ".log")
        let base = "http://127.0.0.1:\(http)"
        XCTAssertTrue(eventually(timeout: 15) { httpRequest(base + "/readyz", timeout: 1).status == 200 }, run.output)
        XCTAssertEqual(httpRequest(base + "/v1/renditions/360p/restart", method: "POST").status, 202)
        let second = httpRequest(base + "/v1/renditions/240p/restart", method: "POST")
        XCTAssertEqual(second.status, 409, second.body)
        XCTAssertTrue(second.body.contains("no other rendition is producing"), second.body)
        XCTAssertEqual(httpRequest(base + "/v1/renditions/1080p/restart", method: "POST").status, 404)
        XCTAssertEqual(run.wait(timeout: 30), 0, run.output)
        try assertChecks(folder)
        let playlist = try MediaPlaylist.parse(String(contentsOfFile: folder + "/360p/index.m3u8", encoding: .utf8))
        XCTAssertTrue(playlist.segments.contains(where: \.gap), "the accepted restart cost 360p a segment")
    }
}
