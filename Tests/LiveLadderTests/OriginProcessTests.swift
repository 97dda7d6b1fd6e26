import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HLSModel
import XCTest

/// `liveladder run --serve` as a real process: the origin serves a live run to a client that blocks on
/// the next segment and to FFmpeg's HLS demuxer, refuses hostile paths, and a taken port stops the run
/// before it starts.
final class OriginProcessTests: XCTestCase {
    func testServesALiveRunWithBlockingReloadToFFmpeg() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--serve", String(port)], log: folder + ".log")
        let base = "http://127.0.0.1:\(port)"
        XCTAssertTrue(eventually(timeout: 20) { httpRequest(base + "/master.m3u8").status == 200 }, run.output)
        let first = httpRequest(base + "/360p/index.m3u8")
        XCTAssertEqual(first.status, 200)
        let playlist = try MediaPlaylist.parse(first.body)
        XCTAssertEqual(playlist.serverControl, ServerControl(canBlockReload: true, holdBack: 6))
        let next = playlist.mediaSequence + playlist.segments.count
        // Blocks until segment `next` exists (about one segment duration), then lists it.
        let started = Date()
        let blocked = httpRequest(base + "/360p/index.m3u8?_HLS_msn=\(next)", timeout: 10)
        let waited = Date().timeIntervalSince(started)
        XCTAssertEqual(blocked.status, 200)
        let after = try MediaPlaylist.parse(blocked.body)
        XCTAssertEqual(after.mediaSequence + after.segments.count - 1, next, "answered with the segment it waited for, not later")
        XCTAssertLessThan(waited, 4.5)
        // The same bytes as on disk for a listed segment.
        let uri = after.segments.last!.uri
        let served = try Data(contentsOf: URL(string: base + "/360p/" + uri)!)
        XCTAssertGreaterThan(served.count, 1000)
        XCTAssertEqual(served, FileManager.default.contents(atPath: folder + "/360p/" + uri))
        // Hostile paths: nothing outside what was published.
        for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.liveladder", "/360p/%2e%2e/.liveladder"] {
            XCTAssertEqual(httpRequest(base + path).status, 404, path)
        }
        // FFmpeg plays 4 s of the live stream from the origin with no warning at all.
        let ffmpeg = try runProcess("/usr/bin/env", ["ffmpeg", "-nostdin", "-hide_banner", "-v", "warning", "-i", base + "/master.m3u8",
                                                     "-t", "4", "-f", "null", "-"])
        XCTAssertEqual(ffmpeg.status, 0, ffmpeg.stderr)
        XCTAssertEqual(ffmpeg.stderr, "", "FFmpeg warned while playing from the origin")
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        let report = try liveladder("check", folder)
        XCTAssertEqual(report.status, 0, report.stdout)
    }

    /// `--serve` on `--http`'s address: one server; the worker interface keeps its token, players need none.
    func testTheOriginCanShareTheWorkerInterfacesPort() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--http", String(port), "--http-token", "s3cret",
                                                   "--serve", String(port)], log: folder + ".log")
        let base = "http://127.0.0.1:\(port)"
        XCTAssertTrue(eventually(timeout: 20) { httpRequest(base + "/master.m3u8").status == 200 }, run.output)
        XCTAssertEqual(httpRequest(base + "/360p/index.m3u8").status, 200)
        XCTAssertEqual(httpRequest(base + "/v1/status").status, 401, "the worker interface still asks for its token")
        XCTAssertEqual(httpRequest(base + "/v1/status", token: "s3cret").status, 200)
        let metrics = httpRequest(base + "/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.body.contains("liveladder_origin_requests_total{resource=\"playlist\",status=\"2xx\"}"), metrics.body)
        XCTAssertEqual(httpRequest(base + "/../.liveladder").status, 404)
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
    }

    /// 1,000 players blocked on the next part of a live LL-HLS run: every one is answered with that part,
    /// by one wake-up (the metrics count it), and the run goes on making parts at its pace.
    func testAThousandBlockedRequestsOnALiveRunCostOneWakeUp() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 1_500, limit.rlim_max > limit.rlim_cur {
            limit.rlim_cur = min(limit.rlim_max, 4_096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let players = limit.rlim_cur >= 1_300 ? 1000 : max(50, Int(limit.rlim_cur) - 300)
        let folder = try temporaryFolder(self)
        let port = freePort()
        let http = freePort()
        let run = try Background(Repo.executable, ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                                                   "--playlist-type", "live", "--segment-format", "fmp4", "--part-duration", "0.5",
                                                   "--serve", String(port), "--http", String(http)], log: folder + ".log")
        let base = "http://127.0.0.1:\(port)"
        XCTAssertTrue(eventually(timeout: 20) { httpRequest(base + "/360p/index.m3u8").status == 200 }, run.output)
        // Every connection open first, the requests sent together once the target is known.
        let sockets = try BlockedClients.open(port: port, count: players)
        let metrics = { try Scrape(text: httpRequest("http://127.0.0.1:\(http)/metrics").body) }
        let before = try metrics()
        let first = try MediaPlaylist.parse(httpRequest(base + "/360p/index.m3u8").body)
        let inProgress = first.inProgress?.parts.count ?? 0
        let msn = first.mediaSequence + first.segments.count
        // Three parts ahead (1.5 s; the advance-part limit is 5), so the requests are held.
        let perSegment = max(1, first.segments.last?.parts.count ?? 4)
        let ahead = inProgress + 3
        let (wantedMSN, wantedPart) = (msn + ahead / perSegment, ahead % perSegment)
        BlockedClients.send(sockets, path: "/360p/index.m3u8?_HLS_msn=\(wantedMSN)&_HLS_part=\(wantedPart)")
        let answers = BlockedClients.read(sockets, timeout: 15)
        let after = try metrics()
        XCTAssertEqual(answers.filter { $0.status == 200 }.count, players, "every blocked request is answered")
        let uri = "segment-\(wantedMSN).\(wantedPart).m4s"
        XCTAssertEqual(answers.filter { $0.body.contains(uri) }.count, players, "each answer lists the part it waited for")
        let times = answers.compactMap(\.at).sorted()
        XCTAssertEqual(times.count, players)
        let wakeUps = (after.value("liveladder_origin_wakeups_total") ?? 0) - (before.value("liveladder_origin_wakeups_total") ?? 0)
        let woken = (after.value("liveladder_origin_woken_requests_total") ?? 0) - (before.value("liveladder_origin_woken_requests_total") ?? 0)
        // On a loaded machine a few requests may be read only after the part exists: those are answered
        // at once, without a wake-up. The held ones are released together.
        XCTAssertGreaterThan(woken, Double(players) / 2, "the requests were held, then released")
        XCTAssertEqual(wakeUps, 1, "\(Int(woken)) held requests released by one playlist update")
        // The run kept making parts: the playlist has moved on past the awaited part.
        XCTAssertTrue(eventually(timeout: 5) {
            let now = (try? MediaPlaylist.parse(httpRequest(base + "/360p/index.m3u8").body))
            return (now?.mediaSequence ?? 0) + (now?.segments.count ?? 0) > wantedMSN
        })
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output)
        try assertChecks(folder)
    }

    func testATakenPortStopsTheRunBeforeItStarts() throws {
        let folder = try temporaryFolder(self)
        let port = freePort()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(holder, 1), 0)
        let result = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--serve", String(port))
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stderr, "liveladder: error: --serve 127.0.0.1:\(port): cannot listen there: Address already in use; choose another port\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "nothing written")
        let bad = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--serve", "localhost")
        XCTAssertEqual(bad.status, 3)
        XCTAssertTrue(bad.stderr.hasPrefix("liveladder: error: --serve localhost: expected PORT, HOST:PORT or [IPv6]:PORT"), bad.stderr)
    }
}
