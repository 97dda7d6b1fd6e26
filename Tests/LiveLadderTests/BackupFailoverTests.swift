import Foundation
import XCTest

/// What a real player does with redundant variants (docs/redundancy.md): two live runs of the same
/// feed into folders A and B, served over HTTP, A's master naming B's copies as backups
/// (`--backup-base-url http://127.0.0.1:PORT/B`); then instance A dies.
///
/// Verified with the installed players (GStreamer 1.22 hlsdemux2, FFmpeg 5.1's HLS demuxer, VLC 3): none
/// fails over to a backup variant. A playlist that stops updating is reloaded forever; a playlist that
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
