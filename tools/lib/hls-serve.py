#!/usr/bin/env python3
"""A throw-away static HTTP server for one HLS output folder, on 127.0.0.1 only.

    python3 tools/lib/hls-serve.py ROOT PORTFILE REQLOG REPORTS PAGE

Serves ROOT on a random port of 127.0.0.1 and writes the port to PORTFILE
(atomically, once listening). Every request is appended to REQLOG as
"METHOD STATUS PATH". GET /__player.html serves the file PAGE (from outside
ROOT); every POST body is appended as one line to REPORTS (the player page's
reports). HLS content types, no caching. Used by tools/player-matrix.sh and tools/player-gap.sh.
"""
import functools
import http.server
import os
import sys
import urllib.parse

root, portfile, reqlog, reports, page = sys.argv[1:6]


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map)
    extensions_map.update({".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t",
                           ".m4s": "video/iso.segment", ".mp4": "video/mp4",
                           ".html": "text/html"})

    def log_message(self, fmt, *args):
        pass

    def log_request(self, code="-", size="-"):
        with open(reqlog, "a") as f:
            f.write("%s %s %s\n" % (self.command, getattr(code, "value", code),
                                    urllib.parse.unquote(self.path.split("?")[0])))

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/__player.html":
            body = open(page, "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with open(reports, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()


http.server.ThreadingHTTPServer.daemon_threads = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
