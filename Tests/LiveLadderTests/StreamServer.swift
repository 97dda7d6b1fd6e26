import Foundation
import XCTest

/// A small HTTP server (python3's http.server, started by the test) that serves a finished TS output
/// folder as it is (`/static/…`) or as a fake live stream that misbehaves on purpose
/// (`/<scenario>/…`), for `check http://…`. Every request path is appended to `requests`, so a test can
/// prove what was never fetched.
final class StreamServer {
    let port: UInt16
    let requests: String
    private let process: Background

    /// Serves `folder` (a TS output with 1 s segments) on a free loopback port.
    init(folder: String, work: String) throws {
        port = freePort()
        requests = work + "/requests.log"
        let script = work + "/stream-server.py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: requests, contents: nil)
        process = try Background("/usr/bin/env", ["python3", script, folder, String(port), requests], log: work + "/server.log")
        let base = "http://127.0.0.1:\(port)"
        guard eventually(timeout: 10, { httpRequest(base + "/static/master.m3u8").status == 200 }) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "stream server did not start: \(process.output)"])
        }
    }

    func url(_ scenario: String) -> String { "http://127.0.0.1:\(port)/\(scenario)/master.m3u8" }

    var requestedPaths: [String] {
        ((try? String(contentsOfFile: requests, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit { process.signal(SIGTERM) }

    /// Scenarios (the first path segment):
    /// - static: the folder's files as they are, with the right content types;
    /// - good: a live window of 4 segments that gains one per second (segment K is file K mod n);
    /// - rewind: like good, but every second reload's media sequence is 2 lower;
    /// - missing: like good, but every third segment answers 404;
    /// - climb: like good, plus URIs that leave the stream (`../secret.ts`, `%2e%2e/secret.ts`, another host);
    /// - wrongtype: like good, but segments are served as text/plain;
    /// - stale: the same live window forever, never ENDLIST;
    /// - noblock: like good, but claims CAN-BLOCK-RELOAD=YES and answers every `_HLS_` request at once with
    ///   200, and lets caches keep its playlists 30 s.
    private static let script = #"""
import http.server, os, socketserver, sys, threading, time
folder, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
start = time.time()
lock = threading.Lock()
reloads = {}

def segments(rendition):
    lines = open(os.path.join(folder, rendition, "index.m3u8")).read().splitlines()
    return [l for l in lines if l and not l.startswith("#")]

def live_playlist(scenario, rendition):
    files = segments(rendition)
    head = 5 if scenario == "stale" else 5 + int(time.time() - start)
    with lock:
        count = reloads.get((scenario, rendition), 0) + 1
        reloads[(scenario, rendition)] = count
    if scenario == "rewind" and count % 2 == 0:
        head -= 2
    text = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:%d" % head,
            "#EXT-X-DISCONTINUITY-SEQUENCE:0"]
    if scenario == "noblock":
        text += ["#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,HOLD-BACK=3"]
    if scenario == "climb":
        text += ["#EXTINF:1.000000,", "../../secret.ts", "#EXTINF:1.000000,", "%2e%2e/secret.ts",
                 "#EXTINF:1.000000,", "http://other.invalid/secret.ts"]
    for k in range(head, head + 4):
        text += ["#EXTINF:1.000000,", "segment-%d.ts" % k]
    return ("\n".join(text) + "\n").encode()

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, content_type, cache=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if cache:
            self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        path, _, query = self.path.partition("?")
        parts = path.split("/")
        if len(parts) < 3 or ".." in parts or (query and not path.endswith("/index.m3u8")):
            return self.send(404, b"", None)
        scenario, rest = parts[1], "/".join(parts[2:])
        if rest == "master.m3u8":
            body = open(os.path.join(folder, "master.m3u8"), "rb").read()
            return self.send(200, body, "application/vnd.apple.mpegurl")
        if scenario == "static":
            path = os.path.join(folder, rest)
            if not os.path.isfile(path):
                return self.send(404, b"", None)
            kind = "application/vnd.apple.mpegurl" if rest.endswith(".m3u8") else "video/mp2t"
            return self.send(200, open(path, "rb").read(), kind)
        rendition = parts[2]
        if rest.endswith("/index.m3u8"):
            cache = "public, max-age=30" if scenario == "noblock" else None
            return self.send(200, live_playlist(scenario, rendition), "application/vnd.apple.mpegurl", cache)
        name = parts[-1]
        if not (name.startswith("segment-") and name.endswith(".ts")):
            return self.send(404, b"", None)
        number = int(name[len("segment-"):-len(".ts")])
        if scenario == "missing" and number % 3 == 0:
            return self.send(404, b"", None)
        files = segments(rendition)
        body = open(os.path.join(folder, rendition, files[number % len(files)]), "rb").read()
        return self.send(200, body, "text/plain" if scenario == "wrongtype" else "video/mp2t")

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

Server(("127.0.0.1", port), Handler).serve_forever()
"""#
}
