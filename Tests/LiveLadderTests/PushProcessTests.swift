import Foundation
import HLSModel
import XCTest

/// `liveladder run --push` against a real origin (nginx with WebDAV) on loopback: the origin's copy is
/// complete and passes `check`; an outage delays segments without ever listing one the origin lacks; a
/// refusing origin is an alert and exit 8, not endless retries; a stalled one does not hold up the local
/// output.
final class PushProcessTests: XCTestCase {
    func testAFileRunArrivesWholeAtTheOrigin() throws {
        let origin = try NginxOrigin(self)
        let folder = try temporaryFolder(self)
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--segment-format", "fmp4",
                                    "--push", origin.base, "--push-header", "X-Channel: one")
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try liveladder("check", origin.folder)
        XCTAssertEqual(report.status, 0, report.stdout + report.stderr)
        // Byte for byte the local output: every file, playlists included (nothing was missing, so no GAP).
        let local = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") && $0.contains(".") }
        XCTAssertGreaterThan(local.count, 10)
        for path in local where !path.contains(".liveladder") {
            XCTAssertEqual(FileManager.default.contents(atPath: origin.folder + "/" + path), FileManager.default.contents(atPath: folder + "/" + path), path)
        }
        // One PUT per file (no retries on a healthy origin); the master after every media playlist.
        let puts = origin.requests("PUT")
        let masterAt = try XCTUnwrap(puts.lastIndex(of: "/live/master.m3u8"))
        for playlist in puts.filter({ $0.hasSuffix("/index.m3u8") }) {
            XCTAssertLessThan(try XCTUnwrap(puts.firstIndex(of: playlist)), masterAt)
        }
        XCTAssertEqual(Set(puts.filter { !$0.hasSuffix(".m3u8") }).count, puts.filter { !$0.hasSuffix(".m3u8") }.count, "no media sent twice")
    }

    func testAnOutageDelaysSegmentsAndTheOriginNeverListsOneItLacks() throws {
        let origin = try NginxOrigin(self)
        let folder = try temporaryFolder(self)
        let events = folder + ".events"
        let http = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--push", origin.base, "--http", String(http),
                                                   "--events", events, "--events-segments"], log: folder + ".log")
        let playlist = origin.folder + "/360p/index.m3u8"
        XCTAssertTrue(eventually(timeout: 20) { FileManager.default.fileExists(atPath: playlist) }, run.output)
        // Watch the origin's copy: every listed segment is there, the sequence never goes back.
        let watcher = OriginWatcher(playlist: playlist)
        let watching = Thread { watcher.run() }
        watching.start()
        // 2 s segments: a 5 s outage is about 3 segments, which the buffer holds.
        Thread.sleep(forTimeInterval: 3)
        origin.stop()
        Thread.sleep(forTimeInterval: 5)
        try origin.start()
        Thread.sleep(forTimeInterval: 8)
        // The metrics saw it: segments delivered, and more requests than files (the outage's retries).
        let scrape = try Scrape(text: httpRequest("http://127.0.0.1:\(http)/metrics").body)
        let delivered = scrape.value("liveladder_push_files_total", ["target": "1", "kind": "segment", "outcome": "delivered"]) ?? 0
        let files = ["init", "segment", "playlist", "master"].reduce(0.0) { sum, kind in
            sum + (scrape.value("liveladder_push_files_total", ["target": "1", "kind": kind, "outcome": "delivered"]) ?? 0)
        }
        XCTAssertGreaterThan(delivered, 4)
        XCTAssertGreaterThan(scrape.value("liveladder_push_requests_total", ["target": "1"]) ?? 0, files, "retries are requests too")
        XCTAssertEqual(scrape.value("liveladder_push_files_total", ["target": "1", "kind": "segment", "outcome": "lost"]), 0)
        XCTAssertGreaterThan(scrape.value("liveladder_push_latency_seconds_count", ["target": "1", "kind": "segment"]) ?? 0, 4)
        run.signal(SIGTERM)
        let status = run.wait(timeout: 30)
        watcher.stop()
        XCTAssertEqual(watcher.problems, [], "the origin's playlist named segments it did not have, or went back")
        XCTAssertGreaterThan(watcher.snapshots, 10)
        XCTAssertEqual(status, 0, run.output)
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
        let results = lines.filter { $0.contains("\"push.result\"") }
        let late = results.filter { $0.contains("\"kind\":\"segment\"") && $0.contains("\"outcome\":\"delivered\"") && !$0.contains("\"attempts\":1,") }
        XCTAssertFalse(late.isEmpty, "segments made during the 5 s outage were retried and arrived late")
        XCTAssertFalse(results.contains { $0.contains("\"outcome\":\"lost\"") }, "a 5 s outage is shorter than the buffer: nothing lost")
        XCTAssertTrue(lines.contains { $0.contains("\"alert.set\"") && $0.contains("push-failing") })
        XCTAssertTrue(lines.contains { $0.contains("\"alert.cleared\"") && $0.contains("push-failing") })
        let report = try liveladder("check", origin.folder)
        XCTAssertEqual(report.status, 0, report.stdout + report.stderr)
    }

    func testARefusingOriginIsAnAlertAndExit8NotEndlessRetries() throws {
        let origin = try NginxOrigin(self, refuse: true)
        let folder = try temporaryFolder(self)
        let events = folder + ".events"
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--push", origin.base, "--events", events)
        XCTAssertEqual(result.status, 8, result.stderr)
        XCTAssertTrue(result.stderr.contains("push to \(origin.base):") && result.stderr.contains("refused"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
        XCTAssertEqual(try liveladder("check", folder).status, 0, "the local output is complete")
        let text = try String(contentsOfFile: events, encoding: .utf8)
        XCTAssertTrue(text.contains("\"code\":\"push-refused\""), text)
        // Each file was tried once: as many PUTs as files published, far from a retry loop.
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".ts") || $0.hasSuffix(".m3u8") }.count
        let puts = origin.requests("PUT").count
        XCTAssertGreaterThan(puts, 0)
        XCTAssertLessThanOrEqual(puts, files + 8, "refused files are not retried (\(puts) PUTs for \(files) files)")
    }

    func testAStalledOriginDoesNotHoldUpTheLocalOutput() throws {
        // Accepts connections (the kernel completes the handshake) and never answers.
        let port = freePort()
        let listener = listeningSocket(port: port, backlog: 64)
        defer { close(listener) }
        XCTAssertGreaterThanOrEqual(listener, 0)
        let folder = try temporaryFolder(self)
        let plain = try temporaryFolder(self, "plain")
        let clock = ContinuousClock()
        let alone = clock.measure { _ = try? liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", plain) }
        var result: ProcessResult?
        let pushed = clock.measure {
            result = try? liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--push", "http://127.0.0.1:\(port)/live/")
        }
        let run = try XCTUnwrap(result)
        XCTAssertEqual(run.status, 8, run.stderr)
        XCTAssertTrue(run.stderr.contains("not sent (still queued at the end"), run.stderr)
        XCTAssertEqual(try liveladder("check", folder).status, 0, "the local output is complete")
        // The encode took as long as without the push; only the bounded drain (≤ 30 s) came on top.
        XCTAssertLessThan(pushed, alone * 3 + .seconds(30), "alone \(alone), with a stalled origin \(pushed)")
        for name in ["360p/index.m3u8", "master.m3u8"] {
            XCTAssertEqual(FileManager.default.contents(atPath: folder + "/" + name)?.isEmpty, false, name)
        }
    }

    func testLowLatencyPartsReachTheOrigin() throws {
        let origin = try NginxOrigin(self)
        let folder = try temporaryFolder(self)
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--segment-format", "fmp4", "--part-duration", "0.5",
                                                   "--push", origin.base], log: folder + ".log")
        let playlist = origin.folder + "/360p/index.m3u8"
        XCTAssertTrue(eventually(timeout: 20) {
            (try? MediaPlaylist.parse(String(contentsOfFile: playlist, encoding: .utf8)))?.segments.count ?? 0 >= 3
        }, run.output)
        let shown = try MediaPlaylist.parse(String(contentsOfFile: playlist, encoding: .utf8))
        let parts = shown.segments.flatMap(\.parts) + (shown.inProgress?.parts ?? [])
        XCTAssertFalse(parts.isEmpty, "the origin's playlist lists parts")
        for part in parts { XCTAssertTrue(FileManager.default.fileExists(atPath: origin.folder + "/360p/" + part.uri), part.uri) }
        // A complete segment's parts, concatenated, are the segment's bytes on the origin too (LL4).
        let whole = try XCTUnwrap(shown.segments.last { !$0.parts.isEmpty })
        let joined = try whole.parts.reduce(Data()) { $0 + (try Data(contentsOf: URL(fileURLWithPath: origin.folder + "/360p/" + $1.uri))) }
        XCTAssertEqual(joined, try Data(contentsOf: URL(fileURLWithPath: origin.folder + "/360p/" + whole.uri)))
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 30), 0, run.output)
        let report = try liveladder("check", origin.folder)
        XCTAssertEqual(report.status, 0, report.stdout + report.stderr)
    }

    /// https:// origins are verified: one with a self-signed certificate gets nothing, says why, exit 8.
    func testAnUntrustedCertificateIsNeverSentAFile() throws {
        let work = try temporaryFolder(self, "tls")
        try FileManager.default.createDirectory(atPath: work + "/www", withIntermediateDirectories: true)
        // Accepts every PUT it is sent (it would store it), over TLS.
        let server = try UntrustedHTTPSServer(work: work, root: work + "/www", server: """
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_PUT(self):
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    with open(ROOT + "/log", "a") as log: log.write(self.path + "\\n")
                    self.send_response(201); self.send_header("Content-Length", "0"); self.end_headers()
            server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
            """)
        let port = server.port
        defer { withExtendedLifetime(server) {} }
        XCTAssertTrue(eventually(timeout: 10) {
            guard let probe = try? BlockedClients.open(port: port, count: 1) else { return false }
            probe.forEach { close($0) }
            return true
        }, "the TLS server did not start")
        let folder = try temporaryFolder(self)
        let events = folder + ".events"
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--push", "https://127.0.0.1:\(port)/live/",
                                    "--events", events)
        XCTAssertEqual(result.status, 8, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/www/log"), "no file reached an origin whose certificate is not trusted")
        let text = try String(contentsOfFile: events, encoding: .utf8)
        XCTAssertTrue(text.contains("TLS: the origin's certificate is not trusted"), String(text.suffix(2000)))
        XCTAssertEqual(try liveladder("check", folder).status, 0, "the local output is complete")
    }

    /// `--push-delete`: segments that left the window are deleted from the origin after the RFC grace, and
    /// the origin's playlist never names one it deleted.
    func testOldSegmentsAreDeletedFromTheOrigin() throws {
        let origin = try NginxOrigin(self)
        let folder = try temporaryFolder(self)
        // 1 s segments, 3 in the window: a segment leaves after about 3 s and is deleted its duration plus
        // the longest playlist (4 s) later.
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--segment-duration", "1", "--list-size", "3",
                                                   "--push", origin.base, "--push-delete"], log: folder + ".log")
        let playlist = origin.folder + "/360p/index.m3u8"
        XCTAssertTrue(eventually(timeout: 20) { FileManager.default.fileExists(atPath: playlist) }, run.output)
        let watcher = OriginWatcher(playlist: playlist)
        Thread { watcher.run() }.start()
        XCTAssertTrue(eventually(timeout: 20) { origin.requests("DELETE").contains("/live/360p/segment-0.ts") }, run.output)
        Thread.sleep(forTimeInterval: 1)
        watcher.stop()
        XCTAssertEqual(watcher.problems, [], "the origin's playlist named a deleted segment")
        XCTAssertFalse(FileManager.default.fileExists(atPath: origin.folder + "/360p/segment-0.ts"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/360p/segment-0.ts"), "deleted locally first")
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 30), 0, run.output)
        let report = try liveladder("check", origin.folder)
        XCTAssertEqual(report.status, 0, report.stdout + report.stderr)
    }

    func testBadPushFlagsAreOneLineAndExit64() throws {
        let folder = try temporaryFolder(self)
        for (arguments, expected) in [
            (["--push", "ftp://origin/live/"], "ftp: is not supported"),
            (["--push", "http://user:pw@origin/live/"], "carries credentials"),
            (["--push", "http://origin/live/", "--push-method", "PATCH"], "is not supported (use PUT or POST)"),
            (["--push-header", "X: 1"], "need --push URL"),
            (["--push", "http://origin/live/", "--push-header", "Bad Header"], "has no ':'"),
            (["--push", "http://origin/a/", "--push", "http://origin/a"], "given twice"),
        ] {
            let result = try liveladder(["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("pw@"), result.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/master.m3u8"), "nothing ran")
    }
}

/// Polls the origin's copy of a playlist and records every snapshot that names a segment the origin does
/// not have (not a GAP), or whose media sequence went back.
final class OriginWatcher: @unchecked Sendable {
    let playlist: String
    private let lock = NSLock()
    private var stopped = false
    private var found: [String] = []
    private var count = 0

    init(playlist: String) { self.playlist = playlist }

    var problems: [String] { lock.withLock { found } }
    var snapshots: Int { lock.withLock { count } }
    func stop() { lock.withLock { stopped = true } }

    func run() {
        var lastSequence = -1
        let folder = (playlist as NSString).deletingLastPathComponent
        while !lock.withLock({ stopped }) {
            if let data = FileManager.default.contents(atPath: playlist), let text = String(data: data, encoding: .utf8),
               let parsed = try? MediaPlaylist.parse(text) {
                var problems: [String] = []
                if parsed.mediaSequence < lastSequence { problems.append("media sequence went back: \(lastSequence) → \(parsed.mediaSequence)") }
                lastSequence = parsed.mediaSequence
                // Segments leave the window before they are deleted locally (and never are here: no
                // --push-delete), so every listed one must be there.
                for segment in parsed.segments where !segment.gap && !FileManager.default.fileExists(atPath: folder + "/" + segment.uri) {
                    problems.append("lists \(segment.uri), which the origin does not have")
                }
                lock.withLock {
                    found += problems
                    count += 1
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}
