import Foundation
import XCTest

/// What a real player does with redundant variants (docs/redundancy.md): two live runs of the same
/// feed into folders A and B, served over HTTP, A's master naming B's copies as backups
/// (`--backup-base-url http://127.0.0.1:PORT/B`); then instance A dies.
///
/// Verified with the installed players (GStreamer 1.22 hlsdemux2, FFmpeg 5.1's HLS demuxer, VLC 3, and
/// Chromium 156's built-in player in `ChromiumBackupTests` below): none fails over to a backup variant. A playlist that stops updating is reloaded forever; a playlist that
/// answers 404 ends playback. This test pins GStreamer's behaviour, so that a player update that starts
/// failing over shows up here (and the docs can say so).
final class BackupFailoverTests: XCTestCase {
    func testGStreamerPlaysAMasterWithBackupsButDoesNotFailOverWhenThePrimaryDies() throws {
        let work = (try temporaryFolder(self, "failover") as NSString).deletingLastPathComponent
        let port = freePort()
        let server = try FailoverServer(root: work, port: port)
        func run(_ name: String, _ extra: [String]) throws -> Background {
            try Background(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--realtime", "--loop",
                                             "--playlist-type", "live", "--segment-duration", "1",
                                             "--output", work + "/" + name] + extra, log: work + "/\(name).log")
        }
        let a = try run("A", ["--backup-base-url", "http://127.0.0.1:\(port)/B"])
        let b = try run("B", [])
        XCTAssertTrue(eventually(timeout: 30) {
            FileManager.default.fileExists(atPath: work + "/A/master.m3u8") && FileManager.default.fileExists(atPath: work + "/B/master.m3u8")
        }, a.output + b.output)
        let master = try String(contentsOfFile: work + "/A/master.m3u8", encoding: .utf8)
        XCTAssertTrue(master.contains("\nhttp://127.0.0.1:\(port)/B/360p/index.m3u8\n"), master)

        let player = try Background("/usr/bin/gst-launch-1.0", [
            "playbin3", "uri=http://127.0.0.1:\(port)/A/master.m3u8", "video-sink=fakesink", "audio-sink=fakesink",
        ], log: work + "/gst.log", environment: ["GST_DEBUG": "hlsdemux2:4,adaptivedemux2:4", "GST_DEBUG_NO_COLOR": "1"])
        XCTAssertTrue(eventually(timeout: 20) { server.requests().contains { $0.path.hasPrefix("/A/") && $0.path.hasSuffix(".ts") } },
                      "the player fetched no segment from A: \(player.output.suffix(2000))")
        Thread.sleep(forTimeInterval: 3)
        XCTAssertTrue(player.process.isRunning, "the player plays the master with backups: \(player.output.suffix(2000))")

        // A dies: its folder stops updating. The player keeps reloading A's stale playlist.
        a.signal(SIGKILL)
        let killed = Date()
        Thread.sleep(forTimeInterval: 6)
        XCTAssertTrue(player.process.isRunning, player.output.suffix(2000).description)
        XCTAssertTrue(server.requests().contains { $0.time > killed && $0.path.hasPrefix("/A/") && $0.path.hasSuffix("index.m3u8") && $0.status == 200 })

        // Then the server answers 404 for A's playlists: the player gives up with an error instead of
        // trying the backup.
        server.takeDown("A")
        let down = Date()
        let status = player.wait(timeout: 30)
        XCTAssertNotNil(status, "GStreamer kept running after A's playlists went 404: did it learn to fail over? Update docs/redundancy.md")
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(player.output.contains("Could not update playlist"), player.output.suffix(2000).description)
        let toB = server.requests().filter { $0.path.hasPrefix("/B/") }
        XCTAssertTrue(toB.isEmpty, "the player fetched from B: \(toB.prefix(5)); failover works, update docs/redundancy.md")
        XCTAssertTrue(server.requests().contains { $0.time > down && $0.path.hasPrefix("/A/") && $0.status == 404 })
        b.signal(SIGTERM)
        b.wait(timeout: 10)
    }
}

/// Chromium's built-in HLS player (headless, Debian's `chromium` 156) with the same pair of runs. It
/// does not fail over either: it sorts the variants by BANDWIDTH and, among equal ones, takes the one
/// listed last — the backup. Within a second of starting it leaves A's lowest variant for B's copy of
/// the top one and plays B from then on, so A's death does not touch it, while the death of the copy it
/// plays (B) stalls it for good: it reloads B's playlist and never asks A again.
final class ChromiumBackupTests: XCTestCase {
    func testChromiumPlaysTheBackupFromTheStartSoItKeepsPlayingWhenAStopsUpdatingAndAnswers404() throws {
        let pair = try RunPair(self)
        let chromium = try ChromiumPlayer(url: "http://127.0.0.1:\(pair.port)/A/master.m3u8", work: pair.work)
        defer { chromium.stop() }
        XCTAssertTrue(eventually(timeout: 25) { (chromium.ticks().last?.time ?? 0) > 3 }, chromium.output.suffix(3000).description)
        let requests = pair.server.requests()
        // Not failover: it moved to B's copy while A was alive and well.
        XCTAssertTrue(requests.contains { $0.path.hasPrefix("/B/360p/") && $0.path.hasSuffix(".ts") },
                      "Chromium stayed on A while A was alive: \(requests.suffix(10))")
        XCTAssertTrue(requests.contains { $0.path.hasPrefix("/A/") && $0.path.hasSuffix("index.m3u8") }, "it started with A's master")

        // A dies: its folder stops updating.
        pair.a.signal(SIGKILL)
        let killed = Date()
        let timeAtDeath = chromium.ticks().last?.time ?? 0
        Thread.sleep(forTimeInterval: 8)
        // Then the server answers 404 for A's playlists.
        pair.server.takeDown("A")
        Thread.sleep(forTimeInterval: 5)

        let time = chromium.ticks().last?.time ?? 0
        XCTAssertGreaterThanOrEqual(time - timeAtDeath, 10, "media time \(timeAtDeath) at A's death, \(time) 13 s later: \(chromium.ticks().suffix(5))")
        let after = pair.server.requests().filter { $0.time > killed }
        XCTAssertGreaterThanOrEqual(after.filter { $0.path.hasPrefix("/B/") && $0.path.hasSuffix(".ts") && $0.status == 200 }.count, 10,
                                    "B's segments after A's death: \(after.suffix(10))")
        XCTAssertEqual(after.filter { $0.path.hasPrefix("/A/") }.map(\.path), [], "Chromium went back to A")
        XCTAssertEqual(chromium.events().filter { $0.name == "error" }.map(\.detail), [])
    }

    func testChromiumStallsWhenTheCopyItPlaysDiesAndNeverTriesTheOtherOne() throws {
        let pair = try RunPair(self)
        let chromium = try ChromiumPlayer(url: "http://127.0.0.1:\(pair.port)/A/master.m3u8", work: pair.work)
        defer { chromium.stop() }
        XCTAssertTrue(eventually(timeout: 25) { (chromium.ticks().last?.time ?? 0) > 3 }, chromium.output.suffix(3000).description)
        XCTAssertTrue(pair.server.requests().contains { $0.path.hasPrefix("/B/360p/") && $0.path.hasSuffix(".ts") })

        // B, the copy Chromium plays, dies; A, named first in the master, is alive.
        pair.b.signal(SIGKILL)
        let killed = Date()
        Thread.sleep(forTimeInterval: 8)
        let stalled = chromium.ticks().last?.time ?? 0
        pair.server.takeDown("B")
        let down = Date()
        Thread.sleep(forTimeInterval: 6)

        let time = chromium.ticks().last?.time ?? 0
        XCTAssertLessThan(time - stalled, 0.5, "media time moved on after B's death (\(stalled) → \(time)): did Chromium learn to fail over? Update docs/redundancy.md")
        XCTAssertTrue(chromium.events().contains { $0.name == "waiting" || $0.name == "stalled" }, chromium.events().description)
        let after = pair.server.requests().filter { $0.time > killed }
        XCTAssertEqual(after.filter { $0.path.hasPrefix("/A/") }.map(\.path), [], "Chromium tried A: failover works, update docs/redundancy.md")
        XCTAssertGreaterThanOrEqual(after.filter { $0.time > down && $0.path == "/B/360p/index.m3u8" && $0.status == 404 }.count, 3,
                                    "it keeps reloading B's playlist: \(after.suffix(10))")
    }
}

/// Two live runs of the same feed into `A` and `B` next to each other, served by a `FailoverServer`;
/// A's master names B's copies as backups.
final class RunPair {
    let work: String
    let port: UInt16
    let server: FailoverServer
    let a: Background
    let b: Background

    init(_ test: XCTestCase) throws {
        work = (try temporaryFolder(test, "failover") as NSString).deletingLastPathComponent
        port = freePort()
        server = try FailoverServer(root: work, port: port)
        let work = work
        func run(_ name: String, _ extra: [String]) throws -> Background {
            try Background(Repo.executable, ["run", "--input", Repo.fixture("cfr30-640x360.mp4"), "--realtime", "--loop",
                                             "--playlist-type", "live", "--segment-duration", "1",
                                             "--output", work + "/" + name] + extra, log: work + "/\(name).log")
        }
        a = try run("A", ["--backup-base-url", "http://127.0.0.1:\(port)/B"])
        b = try run("B", [])
        let (a, b) = (a, b)
        // Three segments in both, so that a player starting at the live edge has something to hold back.
        func segments(_ name: String) -> Int {
            ((try? String(contentsOfFile: work + "/\(name)/360p/index.m3u8", encoding: .utf8)) ?? "").components(separatedBy: "#EXTINF:").count - 1
        }
        guard eventually(timeout: 30, { segments("A") >= 3 && segments("B") >= 3 }) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the runs did not start: \(a.output) \(b.output)"])
        }
        let master = try String(contentsOfFile: work + "/A/master.m3u8", encoding: .utf8)
        XCTAssertTrue(master.contains("\nhttp://127.0.0.1:\(port)/B/360p/index.m3u8\n"), master)
    }

    deinit {
        for run in [a, b] {
            run.signal(SIGTERM)
            run.wait(timeout: 10)
        }
    }
}

/// Headless Chromium playing `url` in a `<video>` element of a local page. The page logs the media
/// time every half second and the media events to the console, which `--enable-logging=stderr` writes
/// to the log as `… "LL TICK <wall clock> <media time> <readyState> <error code>" …`.
final class ChromiumPlayer {
    struct Tick { let wall: Date; let time: Double; let readyState: Int; let error: Int }
    struct Event { let name: String; let wall: Date; let time: Double; let detail: String }

    static let path = "/usr/bin/chromium"
    private let process: Background

    init(url: String, work: String) throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.path), "\(Self.path) is not installed (apt-get install chromium)")
        let page = work + "/player.html"
        try Self.page(url).write(toFile: page, atomically: true, encoding: .utf8)
        process = try Background(Self.path, [
            "--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--enable-logging=stderr", "--v=0",
            "--no-first-run", "--user-data-dir=" + work + "/chromium-profile", "file://" + page,
        ], log: work + "/chromium.log")
    }

    var output: String { process.output }

    func stop() {
        process.signal(SIGTERM)
        if process.wait(timeout: 10) == nil {
            process.signal(SIGKILL)
            process.wait(timeout: 5)
        }
    }

    func ticks() -> [Tick] {
        lines("TICK").compactMap { fields in
            guard fields.count == 4, let wall = Double(fields[0]), let time = Double(fields[1]),
                  let readyState = Int(fields[2]), let error = Int(fields[3]) else { return nil }
            return Tick(wall: Date(timeIntervalSince1970: wall / 1000), time: time, readyState: readyState, error: error)
        }
    }

    func events() -> [Event] {
        lines("EV").compactMap { fields in
            guard fields.count >= 3, let wall = Double(fields[1]), let time = Double(fields[2]) else { return nil }
            return Event(name: fields[0], wall: Date(timeIntervalSince1970: wall / 1000), time: time,
                         detail: fields.dropFirst(3).joined(separator: " "))
        }
    }

    /// The fields of the console lines `LL <kind> …`.
    private func lines(_ kind: String) -> [[String]] {
        output.components(separatedBy: "\n").compactMap { line in
            guard let start = line.range(of: "\"LL \(kind) ") else { return nil }
            let rest = line[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return rest[..<end].split(separator: " ").map(String.init)
        }
    }

    private static func page(_ url: String) -> String {
        """
        <!doctype html><html><body>
        <video id="v" src="\(url)" autoplay muted></video>
        <script>
        const v = document.getElementById('v');
        const err = () => v.error ? v.error.code + ' ' + v.error.message.replace(/"/g, "'") : '0';
        for (const e of ['loadedmetadata', 'playing', 'waiting', 'stalled', 'error', 'ended', 'emptied', 'abort'])
          v.addEventListener(e, () => console.log('LL EV ' + e + ' ' + Date.now() + ' ' + v.currentTime.toFixed(3) + ' ' + err()));
        setInterval(() => console.log('LL TICK ' + Date.now() + ' ' + v.currentTime.toFixed(3) + ' ' + v.readyState + ' ' + (v.error ? v.error.code : 0)), 500);
        </script></body></html>
        """
    }
}

/// Serves `root` over HTTP (python3's http.server), logs every request with its time and status, and
/// answers 404 for the playlists of a folder that was taken down.
final class FailoverServer {
    struct Request { let time: Date; let status: Int; let path: String }

    private let root: String
    private let log: String
    private let process: Background

    init(root: String, port: UInt16) throws {
        self.root = root
        log = root + "/access.log"
        let script = root + "/failover-server.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = try Background("/usr/bin/env", ["python3", script, root, String(port), log], log: root + "/server.log")
        guard eventually(timeout: 10, { httpRequest("http://127.0.0.1:\(port)/nothing").status == 404 }) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "server did not start: \(process.output)"])
        }
    }

    deinit { process.signal(SIGTERM) }

    /// From now on `/<folder>/…/index.m3u8` answers 404.
    func takeDown(_ folder: String) {
        _ = FileManager.default.createFile(atPath: root + "/\(folder).down", contents: nil)
    }

    func requests() -> [Request] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count == 3, let time = Double(fields[0]), let status = Int(fields[1]) else { return nil }
            return Request(time: Date(timeIntervalSince1970: time), status: status, path: String(fields[2]))
        }
    }

    private static let script = #"""
import http.server, os, socketserver, sys, time
root, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        parts = path.split("/")
        file = os.path.join(root, *parts[1:])
        ok = len(parts) > 2 and ".." not in parts and os.path.isfile(file)
        if ok and path.endswith("index.m3u8") and os.path.exists(os.path.join(root, parts[1] + ".down")):
            ok = False
        with open(log, "a") as f:
            f.write("%.3f %d %s\n" % (time.time(), 200 if ok else 404, path))
        if not ok:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(file, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.apple.mpegurl" if path.endswith(".m3u8") else "video/mp2t")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

Server(("127.0.0.1", port), Handler).serve_forever()
"""#
}
