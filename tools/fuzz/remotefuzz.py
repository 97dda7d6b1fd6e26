#!/usr/bin/env python3
"""`liveladder check http://…` against a hostile server: the playlists kind's mutated output folders,
served by a server that also misbehaves per request (wrong or no Content-Type, 404, 500, a short body,
a huge Content-Length, slow answers, redirects inside and outside the stream, playlists that change
between reloads). Standard library only.

    tools/fuzz/remotefuzz.py --binary .build-rcheck/debug/liveladder --seed 1 --count 40
    tools/fuzz/remotefuzz.py --ci                      # 8 fast cases of seed 20261201, debug build

Oracles per case (a finding otherwise):
Half the --duration cases serve the playlists without ENDLIST (so the poll runs), and half of those
alternate every media playlist with its pristine copy between reloads.

- exit status 0, 1 or 4; no signal; done within the duration + 40 s;
- exit 4: stdout empty, stderr exactly one line `liveladder: error: …`;
- exit 0/1: every stdout line is `ok: …` or `RULE location: message` (no control characters); stderr is
  the poll line (with --duration) and, for 1, `liveladder: N rule failures`;
- nothing requested outside the case's base path (`/<case>/`, no `..` or `%2e` segment), and nothing at
  all from the sentinel server that out-of-stream redirects point to.
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import playlists  # noqa: E402  (the playlists kind's folder mutators)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "fixtures", "cfr30-640x360.mp4")
LINE = re.compile(r"^(ok: .*|[A-Z][A-Z0-9]* \S.*: .*)$")


class State:
    """What the server serves: per case, its folder, the pristine copy and its misbehaviour."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cases: dict[str, dict] = {}
        self.requests: list[str] = []
        self.sentinel_hits: list[str] = []


STATE = State()


def regular_file(path: str) -> bool:
    try:
        return os.path.isfile(path) and not os.path.islink(path)
    except OSError:
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sentinel_port = 0

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(name == "Content-Length" for name, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        with STATE.lock:
            STATE.requests.append(self.path)
        path = self.path.split("?", 1)[0]
        parts = path.split("/")
        case = STATE.cases.get(parts[1]) if len(parts) > 2 else None
        if case is None:
            return self.answer(404)
        rel = urllib.parse.unquote("/".join(parts[2:]))
        rng = case["rng"]
        with STATE.lock:
            roll = rng.random()
            count = case["counts"].get(rel, 0) + 1
            case["counts"][rel] = count
        source = case["folder"]
        # A media playlist alternates with its pristine copy between reloads: changes, rewinds, growth.
        if rel.endswith(".m3u8") and rel != "master.m3u8" and case["alternate"] and count % 2 == 0:
            source = case["pristine"]
        full = os.path.normpath(os.path.join(source, rel))
        if not full.startswith(source + os.sep) or not regular_file(full):
            return self.answer(404)
        with open(full, "rb") as f:
            body = f.read(8 << 20)
        if case["make_live"] and rel.endswith(".m3u8"):
            # Served as live: without ENDLIST and PLAYLIST-TYPE, so --live --duration really polls it.
            body = b"\n".join(line for line in body.split(b"\n")
                              if not line.startswith((b"#EXT-X-ENDLIST", b"#EXT-X-PLAYLIST-TYPE")))
        kind = ("application/vnd.apple.mpegurl" if rel.endswith(".m3u8") else
                "video/mp2t" if rel.endswith(".ts") else "video/mp4")
        faults = case["faults"] if rel != "master.m3u8" else case["master_faults"]
        if "slow" in faults and roll < 0.3:
            time.sleep(rng.random() * 0.4)
        if "status" in faults and roll < 0.15:
            return self.answer(rng.choice([404, 500, 503, 403, 204]))
        if "redirect-out" in faults and roll < 0.2:
            return self.answer(302, headers=[("Location", f"http://127.0.0.1:{Handler.sentinel_port}/x/{rel}")])
        if "redirect-up" in faults and roll < 0.2:
            return self.answer(301, headers=[("Location", "/../../etc/passwd")])
        if "redirect-loop" in faults and roll < 0.2:
            return self.answer(307, headers=[("Location", self.path)])
        if "type" in faults and roll < 0.5:
            kind = rng.choice([None, "text/plain", "text/html; charset=utf-8", "", "application/octet-stream"])
        headers = [("Content-Type", kind)] if kind is not None else []
        if "cache" in faults:
            headers.append(("Cache-Control", rng.choice(["max-age=999999999999999999999", "max-age=-1", "immutable",
                                                          "no-store", "max-age=nan", "max-age=60", "s-maxage=5"])))
        if "short" in faults and roll < 0.2 and len(body) > 10:
            # Content-Length says more than is sent, then the connection closes.
            self.send_response(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        if "huge-length" in faults and roll < 0.1:
            headers.append(("Content-Length", "9223372036854775807"))
            self.send_response(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return
        return self.answer(200, body, headers)

    do_HEAD = do_GET


class Sentinel(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        with STATE.lock:
            STATE.sentinel_hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(handler) -> Server:
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def make_bases(binary: str, out: str) -> dict[str, str]:
    bases = {}
    for name, extra in [("ts", []), ("fmp4", ["--segment-format", "fmp4"])]:
        folder = os.path.join(out, "seeds", "remote-" + name)
        if not os.path.isfile(os.path.join(folder, "master.m3u8")):
            subprocess.run([binary, "run", "-i", FIXTURE, "-o", folder, "--segment-duration", "1", "--overwrite"] + extra,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bases[name] = folder
    return bases


FAULTS = ["slow", "status", "redirect-out", "redirect-up", "redirect-loop", "type", "cache", "short", "huge-length"]


def run_case(binary: str, bases: dict[str, str], out: str, port: int, seed: int, index: int, ci: bool) -> list[str]:
    case_id = f"remote-{seed}-{index}"
    rng = random.Random(f"liveladder-fuzz:remote:{seed}:{index}")
    base = bases[rng.choice(["ts", "fmp4"])]
    work = os.path.join(out, "cases", case_id)
    shutil.rmtree(work, ignore_errors=True)
    folder, pristine = os.path.join(work, "served"), os.path.join(work, "pristine")
    shutil.copytree(base, folder, symlinks=True)
    shutil.copytree(base, pristine, symlinks=True)
    notes = playlists.mutate_dir(folder, rng) if rng.random() < 0.85 else ["unmutated"]
    faults = set(rng.sample(FAULTS, rng.choice([0, 1, 1, 2, 3])))
    master_faults = faults if rng.random() < 0.2 else set()
    live = rng.random() < (0.5 if ci else 0.4)
    duration = rng.choice([1, 1, 2]) if live else None
    with STATE.lock:
        STATE.cases[case_id] = {"folder": os.path.realpath(folder), "pristine": os.path.realpath(pristine),
                                "rng": random.Random(f"liveladder-fuzz:remote-server:{seed}:{index}"),
                                "faults": faults, "master_faults": master_faults, "alternate": live and rng.random() < 0.5,
                                "make_live": live and rng.random() < 0.7,
                                "counts": {}}
        STATE.requests.clear()
        STATE.sentinel_hits.clear()
    url = f"http://127.0.0.1:{port}/{case_id}/master.m3u8"
    args = [binary, "check", url] + (["--live", "--duration", str(duration)] if live else rng.choice([[], [], ["--live"]]))
    limit = (duration or 0) + 40
    findings = []
    started = time.time()
    try:
        result = subprocess.run(args, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return [f"{case_id}: hang (over {limit} s): {' '.join(args)}"]
    elapsed = time.time() - started
    stdout = result.stdout.decode("utf-8", "replace")
    stderr = result.stderr.decode("utf-8", "replace")
    status = result.returncode
    if status < 0 or status not in (0, 1, 4):
        findings.append(f"exit {status}: {stderr.strip()[:300]}")
    if status == 4:
        if stdout or stderr.count("\n") != 1 or not stderr.startswith("liveladder: error: "):
            findings.append(f"exit 4 without exactly one error line: {stderr[:300]!r} / {stdout[:200]!r}")
    elif status in (0, 1):
        for line in stdout.splitlines():
            if not LINE.match(line) or any(ord(c) < 0x20 for c in line):
                findings.append(f"malformed report line: {line[:300]!r}")
                break
        for line in stderr.splitlines():
            if not (line.startswith("liveladder: polled ") or re.match(r"^liveladder: \d+ rule failures$", line)):
                findings.append(f"unexpected stderr line: {line[:300]!r}")
                break
    with STATE.lock:
        requests, hits = list(STATE.requests), list(STATE.sentinel_hits)
    # A redirected master moves the stream's base (a player follows it), so the base path oracle holds
    # only when the master could not be redirected.
    master_moves = bool(master_faults & {"redirect-up", "redirect-out"})
    for path in requests:
        decoded = urllib.parse.unquote(path.split("?", 1)[0])
        if master_moves and not path.startswith(f"/{case_id}/"):
            continue
        if not path.startswith(f"/{case_id}/") or "/../" in decoded or decoded.endswith("/..") or "%2e" in path.lower():
            findings.append(f"requested outside the stream: {path[:200]}")
            break
    if hits and "redirect-out" not in master_faults:
        findings.append(f"fetched from the sentinel (a redirect out of the stream was followed): {hits[:3]}")
    tag = "FINDING" if findings else "ok"
    print(f"{tag} {case_id} exit={status} {elapsed:.1f}s faults={sorted(faults)} live={duration} {'; '.join(notes)[:160]}")
    return [f"{case_id}: {f} ({' '.join(args)})" for f in findings]


CI_SEED, CI_COUNT = 20261201, 8


def campaign(binary: str, out: str, seed: int, indices) -> list[str]:
    """Runs the cases `indices` of `seed`; returns the findings (one line each)."""
    os.makedirs(out, exist_ok=True)
    bases = make_bases(binary, out)
    server, sentinel = start(Handler), start(Sentinel)
    Handler.sentinel_port = sentinel.server_address[1]
    try:
        findings = []
        for index in indices:
            findings += run_case(binary, bases, out, server.server_address[1], seed, index, seed == CI_SEED)
        return findings
    finally:
        server.shutdown()
        sentinel.shutdown()


def ci(binary: str, out: str) -> list[str]:
    """The fixed CI set, for `fuzz.py --ci`."""
    return campaign(binary, out, CI_SEED, range(CI_COUNT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.environ.get("LIVELADDER", os.path.join(ROOT, ".build-rcheck/debug/liveladder")))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--out", default=os.path.join(ROOT, "tools/fuzz/out"))
    parser.add_argument("--case", help="one case, remote-SEED-INDEX")
    parser.add_argument("--ci", action="store_true", help="8 fast cases of seed 20261201")
    options = parser.parse_args()
    if options.ci:
        options.seed, options.count = CI_SEED, CI_COUNT
    if options.case:
        _, seed, index = options.case.rsplit("-", 2)
        indices, options.seed = [int(index)], int(seed)
    else:
        indices = range(options.count)
    findings = campaign(options.binary, options.out, options.seed, indices)
    print(f"{len(indices)} cases, {len(findings)} findings")
    for finding in findings:
        print("  " + finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
