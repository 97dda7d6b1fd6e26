import Foundation
import XCTest

/// `liveladder check http://…`: a real run served by `--serve`, polled live; the same output over HTTP and
/// as a folder; and servers that break the rules on purpose (StreamServer).
final class RemoteCheckTests: XCTestCase {
    /// Every line of a report but its `ok:` summary: a served run must break no rule.
    private func unexpected(_ stdout: String) -> [Substring] {
        stdout.split(separator: "\n").filter { !$0.hasPrefix("ok: ") }
    }

    /// A count from the poll summary on stderr (`… 24 blocking reloads, …`).
    private func polled(_ stderr: String, _ what: String) -> Int {
        guard let range = stderr.range(of: #"(\d+) "# + what, options: .regularExpression) else { return -1 }
        return Int(stderr[range].split(separator: " ")[0]) ?? -1
    }

    private func startServedRun(_ folder: String, parts: Bool) throws -> (Background, String) {
        let port = freePort()
        var arguments = ["run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--realtime", "--loop",
                         "--playlist-type", "live", "--serve", String(port)]
        if parts { arguments += ["--segment-format", "fmp4", "--part-duration", "0.5"] }
        let run = try Background(Repo.executable, arguments, log: folder + ".log")
        let base = "http://127.0.0.1:\(port)"
        // Three segments in, so the window is worth checking.
        XCTAssertTrue(eventually(timeout: 30) {
            guard let text = Optional(httpRequest(base + "/360p/index.m3u8").body) else { return false }
            return text.components(separatedBy: "#EXTINF").count > 3
        }, run.output)
        return (run, base + "/master.m3u8")
    }

    func testALiveServedRunPassesALiveCheckOverHTTP() throws {
        // It really polled: blocking reloads for the next segment (about 3 per rendition in 6 s), and
        // fetched each new segment as it was listed.
        try assertLiveCheckPasses(parts: false, polled: [("blocking reloads", 4), ("segments and parts fetched when listed", 4)])
    }

    func testALiveServedRunWithPartsPassesALiveCheckOverHTTP() throws {
        // Parts timed (LL8) and completed segments compared with their parts (LL4) while polling:
        // 0.5 s parts in 3 renditions give about 30 gaps in 6 s.
        try assertLiveCheckPasses(parts: true, polled: [("part gaps timed", 10), ("segments compared with their parts", 3)])
    }

    /// A served run checked over HTTP for 6 s breaks no rule, and the poll summary shows at least these counts.
    private func assertLiveCheckPasses(parts: Bool, polled minimums: [(String, Int)], file: StaticString = #filePath, line: UInt = #line) throws {
        let folder = try temporaryFolder(self)
        let (run, url) = try startServedRun(folder, parts: parts)
        let result = try liveladder("check", url, "--live", "--duration", "6")
        XCTAssertEqual(unexpected(result.stdout), [], result.stdout + result.stderr, file: file, line: line)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr, file: file, line: line)
        for (what, minimum) in minimums {
            XCTAssertGreaterThanOrEqual(polled(result.stderr, what), minimum, result.stderr, file: file, line: line)
        }
        run.signal(SIGTERM)
        XCTAssertEqual(run.wait(timeout: 20), 0, run.output, file: file, line: line)
    }

    /// A finished output gives the same report over HTTP as from its folder: passing, and failing.
    func testAServedOutputAgreesWithTheFolderCheck() throws {
        let work = try temporaryFolder(self, "work")
        let folder = work + "/out"
        XCTAssertEqual(try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--segment-duration", "1").status, 0)
        let server = try StreamServer(folder: folder, work: work)
        let fromFolder = try liveladder("check", folder)
        // The mirror lives in $TMPDIR and is gone afterwards.
        let temporary = work + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        let overHTTP = try runProcess(Repo.executable, ["check", server.url("static")],
                                      environment: ProcessInfo.processInfo.environment.merging(["TMPDIR": temporary]) { $1 })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [], "the mirror folder was left behind")
        XCTAssertEqual(fromFolder.status, 0, fromFolder.stdout)
        XCTAssertEqual(overHTTP.status, 0, overHTTP.stdout + overHTTP.stderr)
        XCTAssertEqual(overHTTP.stdout, fromFolder.stdout)
        // One EXTINF off by 0.3 s: the same MP3/MP4 lines either way.
        let playlist = folder + "/360p/index.m3u8"
        let text = try String(contentsOfFile: playlist, encoding: .utf8)
        try text.replacingOccurrences(of: "#EXTINF:1.000000,\nsegment-2.ts", with: "#EXTINF:1.300000,\nsegment-2.ts")
            .write(toFile: playlist, atomically: true, encoding: .utf8)
        let brokenFolder = try liveladder("check", folder)
        let brokenHTTP = try liveladder("check", server.url("static"))
        XCTAssertEqual(brokenFolder.status, 1, brokenFolder.stdout)
        XCTAssertEqual(brokenHTTP.status, 1)
        XCTAssertEqual(brokenHTTP.stdout, brokenFolder.stdout)
        XCTAssertTrue(brokenHTTP.stdout.contains("360p/index.m3u8 #2 (segment-2.ts)"), brokenHTTP.stdout)
    }

    // MARK: Servers that break the rules

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: (server: StreamServer, work: String)?

    /// One server for the hostile scenarios, over one finished output with 1 s segments.
    private func hostileServer() throws -> StreamServer {
        try Self.lock.withLock {
            if let shared = Self.shared { return shared.server }
            let work = NSTemporaryDirectory() + "/liveladder-remote-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let folder = work + "/out"
            let made = try liveladder("run", "-i", Repo.fixture("cfr30-640x360.mp4"), "-o", folder, "--segment-duration", "1")
            XCTAssertEqual(made.status, 0, made.stderr)
            let server = try StreamServer(folder: folder, work: work)
            Self.shared = (server, work)
            return server
        }
    }

    private func liveCheck(_ scenario: String) throws -> (status: Int32, lines: [String]) {
        let server = try hostileServer()
        let result = try liveladder("check", server.url(scenario), "--live", "--duration", "4")
        return (result.status, result.stdout.split(separator: "\n").map(String.init))
    }

    /// The control: the fake live stream without a fault breaks none of the rules the faults below break.
    func testAFakeLiveStreamWithoutFaultsBreaksNoneOfTheHostileRules() throws {
        let (_, lines) = try liveCheck("good")
        let hostileRules = ["MP5 ", "MP6 ", "MP12 ", "O5 ", "URI1 ", "LIVE1 "]
        XCTAssertEqual(lines.filter { line in hostileRules.contains { line.hasPrefix($0) } }, [])
    }

    func testAMediaSequenceThatRewindsIsMP5() throws {
        let (status, lines) = try liveCheck("rewind")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(lines.contains { $0.hasPrefix("MP5 360p/index.m3u8: EXT-X-MEDIA-SEQUENCE went back from ") }, lines.joined(separator: "\n"))
    }

    func testASegmentListedButMissingIsMP12() throws {
        let (status, lines) = try liveCheck("missing")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(lines.contains { $0.hasPrefix("MP12 360p/index.m3u8 #") && $0.contains("listed but not downloadable: GET http://127.0.0.1:") && $0.hasSuffix(" answered 404") },
                      lines.joined(separator: "\n"))
    }

    func testURIsLeavingTheStreamAreURI1AndNeverFetched() throws {
        let server = try hostileServer()
        let (status, lines) = try liveCheck("climb")
        XCTAssertEqual(status, 1)
        for uri in ["../../secret.ts", "%2e%2e/secret.ts", "http://other.invalid/secret.ts"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("URI1 360p/index.m3u8") && $0.contains("(\(uri))") }, uri + "\n" + lines.joined(separator: "\n"))
        }
        XCTAssertEqual(server.requestedPaths.filter { $0.contains("secret") }, [], "fetched outside the stream")
    }

    func testSegmentsWithTheWrongContentTypeAreO5() throws {
        let (status, lines) = try liveCheck("wrongtype")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(lines.contains { $0.hasPrefix("O5 360p/index.m3u8 #") && $0.hasSuffix(": served as text/plain, expected video/mp2t") }, lines.joined(separator: "\n"))
    }

    func testALivePlaylistThatNeverChangesIsLIVE1() throws {
        let (status, lines) = try liveCheck("stale")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(lines.contains { $0.hasPrefix("LIVE1 360p/index.m3u8: the live playlist did not change for ") }, lines.joined(separator: "\n"))
    }

    /// A server that claims blocking reload but does not block, and lets caches keep a live playlist.
    func testAServerThatClaimsBlockingReloadButDoesNotHoldIsO1AndO2() throws {
        let (status, lines) = try liveCheck("noblock")
        let report = lines.joined(separator: "\n")
        XCTAssertEqual(status, 1)
        XCTAssertTrue(lines.contains("O2 360p/index.m3u8: _HLS_part without _HLS_msn was answered 200, not 400"), report)
        XCTAssertTrue(lines.contains { $0.hasPrefix("O2 360p/index.m3u8: _HLS_msn=") && $0.contains("more than two segments past the live edge, was answered 200") }, report)
        XCTAssertTrue(lines.contains { $0.hasPrefix("O1 360p/index.m3u8: a blocking reload (_HLS_msn=") && $0.hasSuffix("it must be held until that exists") }, report)
        XCTAssertTrue(lines.contains("O5 360p/index.m3u8: Cache-Control \"public, max-age=30\" lets caches keep a live playlist 30.0 s, more than 0.5 s"), report)
    }

    // MARK: Streams that cannot be read

    func testAStreamThatCannotBeReadIsExit4WithOneLine() throws {
        let server = try hostileServer()
        let closed = freePort()
        let cases: [(String, String)] = [
            ("http://127.0.0.1:\(closed)/live/master.m3u8", "liveladder: error: http://127.0.0.1:\(closed)/live/master.m3u8: connection refused\n"),
            ("http://127.0.0.1:\(server.port)/nothing/here", "liveladder: error: http://127.0.0.1:\(server.port)/nothing/here answered 404; pass the URL of a served master playlist\n"),
            ("http://127.0.0.1:\(server.port)/good/360p/index.m3u8", "liveladder: error: http://127.0.0.1:\(server.port)/good/360p/index.m3u8 is a media playlist; pass the multivariant (master) playlist's URL\n"),
            ("http://127.0.0.1:\(server.port)/static/360p/segment-0.ts", "liveladder: error: http://127.0.0.1:\(server.port)/static/360p/segment-0.ts is not an HLS playlist (no #EXTM3U line)\n"),
            ("http://127.0.0.1:\(server.port)/x/master.m3u8?token=1", "liveladder: error: http://127.0.0.1:\(server.port)/x/master.m3u8?token=1 has a query or fragment; pass the master playlist's plain URL\n"),
        ]
        for (url, expected) in cases {
            let result = try liveladder("check", url)
            XCTAssertEqual(result.status, 4, url)
            XCTAssertEqual(result.stderr, expected, url)
            XCTAssertEqual(result.stdout, "", url)
        }
    }

    /// https:// is verified: a self-signed certificate is refused (exit 4, one line), nothing is checked.
    func testAnUntrustedCertificateIsExit4() throws {
        let work = try temporaryFolder(self, "tls")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: work + "/site", withIntermediateDirectories: true)
        try "#EXTM3U\n".write(toFile: work + "/site/master.m3u8", atomically: true, encoding: .utf8)
        let server = try UntrustedHTTPSServer(work: work, root: work + "/site", server: """
            os.chdir(ROOT)
            server = http.server.HTTPServer(("127.0.0.1", PORT), http.server.SimpleHTTPRequestHandler)
            """)
        let port = server.port
        defer { withExtendedLifetime(server) {} }
        let url = "https://127.0.0.1:\(port)/master.m3u8"
        var result = try liveladder("check", url)
        let deadline = Date().addingTimeInterval(10)
        while result.stderr.contains("connection refused"), Date() < deadline {  // the server is still starting
            Thread.sleep(forTimeInterval: 0.2)
            result = try liveladder("check", url)
        }
        XCTAssertEqual(result.status, 4)
        XCTAssertEqual(result.stderr, "liveladder: error: \(url): TLS: the server's certificate is not trusted (CERTIFICATE_VERIFY_FAILED); check verifies certificates against the system's roots\n")
    }

    func testBadDurationsAreRefusedWithOneLine() throws {
        let cases: [([String], String)] = [
            (["http://127.0.0.1:1/master.m3u8", "--live", "--duration", "0"], "--duration: 0.0 is out of range (1…3600 s)"),
            (["http://127.0.0.1:1/master.m3u8", "--live", "--duration", "nan"], "--duration: nan is out of range (1…3600 s)"),
            (["http://127.0.0.1:1/master.m3u8", "--duration", "5"], "--duration: polling needs --live"),
            (["out/demo", "--live", "--duration", "5"], "--duration: polling is for a served stream; pass its http:// or https:// URL"),
        ]
        for (arguments, message) in cases {
            let result = try liveladder(["check"] + arguments)
            XCTAssertEqual(result.status, 64, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderr, "liveladder: error: \(message) (see liveladder check --help)\n")
        }
    }
}
