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
