#!/usr/bin/env python3
"""The push kind: a hostile origin on loopback for `liveladder run --push URL` (README.md, "push").

A case draws (from random.Random("liveladder-fuzz:push:S:I")) the run's flags and, per origin, a behaviour
script. The script decides each request's answer from (method, path, attempt number at that method and
path) alone, through its own seeded RNG, so the same request gets the same answer whatever the lanes'
interleaving; only the outage windows and the delays are about time. The origin records every request
(method, path, body SHA-256, arrival) and every answer (what was sent, whether the client could take it as
a 2xx), and keeps the bodies it acknowledged; `judge` runs the oracles over that record and the local output.

Standard library only. `python3 tools/fuzz/pushfuzz.py serve --case push-S-I [--target N]` runs a case's
origin alone (port printed) for a run started by hand.
"""
import hashlib
import json
import os
import random
import re
import select
import signal
import socket
import sys
import threading
import time

PREFIX = "/live/"
SECRET = "Bearer fuzz-secret-7f3a9c"  # sent with --push-header; must never show in stdout/stderr/events

# What the script draws per request. "ok" is a clean 2xx; the rest are hostile.
STATUSES_OK = [200, 201, 204]
STATUSES_RETRY = [408, 429, 500, 502, 503, 507]
STATUSES_REFUSE = [301, 400, 403, 404, 405, 413]
HOSTILE = ["retry-status", "refuse-status", "delay", "close-before", "close-mid-status", "garbage", "huge-headers",
           "drip", "cl-short", "cl-long", "chunked-endless", "stall", "continue-odd", "no-read", "close-after-ok",
           "processing-102"]
# Behaviours whose outcome (not only whether a request goes) depends on time: never in the CI set.
TIMED = {"delay", "drip", "chunked-endless", "stall"}
KINDS = ["init", "segment", "part", "playlist", "master", "delete"]


def path_kind(method, path):
    if method == "DELETE":
        return "delete"
    name = path.rsplit("/", 1)[-1]
    if name == "master.m3u8":
        return "master"
    if name.endswith(".m3u8"):
        return "playlist"
    if name.startswith("init"):
        return "init"
    if re.match(r"segment-\d+\.\d+\.", name):
        return "part"
    return "segment"


# ---------------------------------------------------------------------------------------------------
# Drawing a case
# ---------------------------------------------------------------------------------------------------

def draw_script(rng, timed=True):
    """One origin's behaviour: how often it is clean, which hostile behaviours it has, per-kind rules, outages."""
    script = {"key": rng.getrandbits(48), "p_ok": round(rng.choice([1.0, 0.9, 0.75, 0.5, 0.3]), 2),
              "close": rng.choice([0.0, 0.0, 0.2, 0.6]),  # answers with Connection: close
              "hostile": {}, "rules": {}, "outages": [], "max_delay": 0.0}
    choices = [h for h in HOSTILE if timed or h not in TIMED]
    for h in rng.sample(choices, rng.randint(1, 4)):
        script["hostile"][h] = rng.randint(1, 5)
    if "delay" in script["hostile"]:
        script["max_delay"] = rng.choice([0.3, 1.0, 3.0])
    if rng.random() < 0.3:
        # A kind of file the origin always (or for its first attempts) answers the same way.
        kind = rng.choice(KINDS)
        status = rng.choice(STATUSES_REFUSE + STATUSES_RETRY + STATUSES_OK)
        script["rules"][kind] = {"status": status, "first": rng.choice([1, 2, 1000])}
    if timed and rng.random() < 0.3:
        start = 0.0
        for _ in range(rng.randint(1, 2)):
            start += round(rng.uniform(0, 4), 1)
            length = round(rng.choice([0.5, 1.5, 3, 6, 10]) * rng.uniform(0.8, 1.2), 1)
            script["outages"].append([start, length])
            start += length
    return script


def describe(script):
    bits = [f"ok {script['p_ok']}"]
    bits += [f"{h}x{w}" for h, w in sorted(script["hostile"].items())]
    bits += [f"{k}:{r['status']}<{r['first']}" for k, r in sorted(script["rules"].items())]
    bits += [f"outage {a}+{b}s" for a, b in script["outages"]]
    if script["close"]:
        bits.append(f"close {script['close']}")
    return "origin[" + " ".join(bits) + "]"


def deterministic(script):
    return not script["outages"] and not (set(script["hostile"]) & TIMED)


def draw_case(rng, clip, out, timed=True):
    """The run's flags and the origins' scripts. `timed=False` draws no time-dependent behaviour."""
    flavour = rng.choices(["vod-ts", "event-ts", "vod-fmp4", "event-fmp4", "ll"], [3, 2, 2, 2, 1])[0]
    if not timed and flavour == "ll":
        flavour = "event-fmp4"
    seg = rng.choice([1, 2]) if flavour != "ll" else 1
    flags = ["--segment-duration", str(seg)]
    if flavour.startswith("event"):
        flags += ["--playlist-type", "event"]
    if flavour.endswith("fmp4"):
        flags += ["--segment-format", "fmp4"]
    if flavour == "ll":
        flags += ["--part-duration", "0.5", "--segment-format", "fmp4", "--playlist-type", "event", "--realtime"]
    if rng.random() < 0.25:
        flags += ["--push-delete"]
    if rng.random() < 0.2:
        flags += ["--push-method", "POST"]
    events = rng.random() < 0.3
    targets = 2 if rng.random() < 0.2 else 1
    scripts = [draw_script(rng, timed) for _ in range(targets)]
    if targets == 2 and rng.random() < 0.5:
        scripts[1] = {"key": rng.getrandbits(48), "p_ok": 1.0, "close": 0.0, "hostile": {}, "rules": {},
                      "outages": [], "max_delay": 0.0}  # a clean twin: one failing origin must not harm the other
    made = {"flavour": flavour, "segment_duration": seg, "flags": flags, "events": events, "scripts": scripts,
            "clip": clip, "out": out}
    # Drawn last, so that the cases drawn before it came in keep their flags and scripts.
    if rng.random() < BAD_FLAG_SHARE:
        made["bad_flag"] = rng.randrange(len(BAD_FLAGS))
    else:
        # A bad --backup-base-url, from its own generator seeded by the case's state (not advancing it), so
        # the cases drawn before it existed keep every draw.
        side = random.Random(repr(rng.getstate()) + BACKUP_FLAG_SALT)
        if side.random() < BAD_FLAG_SHARE:
            made["bad_flag"] = len(BAD_FLAGS) + side.randrange(len(BACKUP_BAD_FLAGS))
    return made


# Bad --push flags (one in 12 cases): exit 64 (or 3) before anything runs, one line, and the credential each
# one carries is never repeated. {url} is the origin's good URL.
BAD_FLAG_SHARE = 1 / 12
# The salt of the --backup-base-url draw: chosen so that no pinned push case of ci-cases.txt draws one.
BACKUP_FLAG_SALT = ":backup-base-url:2"
BAD_FLAGS = [
    ["--push", "ftp://127.0.0.1:{port}/live/"],
    ["--push", "http://fuzz:fuzz-secret-u@127.0.0.1:{port}/live/"],
    ["--push", "http://fuzz:fuzz-secret-u@[::1/live/"],
    ["--push", "http://fuzz:fuzz-secret-u@/live/"],
    ["--push", "http://127.0.0.1:{port}/live/?k=fuzz-secret-q"],
    ["--push", "http://127.0.0.1:{port}/live/#fuzz-secret-f"],
    ["--push", "{url}", "--push-header", "Authorization Bearer fuzz-secret-h"],
    ["--push", "{url}", "--push-header", "Authorization Bearer fuzz-secret-h:x"],
    ["--push", "{url}", "--push-header", "Authorization: Bearer fuzz-secret-h\r\nX-Injected: 1"],
    ["--push", "{url}", "--push-header", "Host: fuzz-secret-h"],
    ["--push", "{url}", "--push-method", "GET"],
    ["--push-delete"],
    ["--push", "{url}"] * 5,
    ["--push", "http://127.0.0.1:0/live/"],
    ["--push", "http://127.0.0.1:99999/live/"],
    ["--push", "http://127.0.0.1:{port}/live/" + "a" * 3000],
    ["--push", ""],
    ["--push", "http://127.0.0.1:{port}/live/", "--push-method", "DELETE"],  # (was `put`: taken as PUT, fine)
]


# Bad --backup-base-url values (run, not push, but the same promise: exit 64 before anything runs, one line,
# no credential repeated). Their bad_flag numbers follow BAD_FLAGS'.
BACKUP_BAD_FLAGS = [
    ["--backup-base-url", "ftp://127.0.0.1:{port}/b/"],
    ["--backup-base-url", "http://fuzz:fuzz-secret-u@127.0.0.1:{port}/b/"],
    ["--backup-base-url", "https://fuzz-secret-u@b.example/live"],
    ["--backup-base-url", "http://fuzz:fuzz-secret-u@[::1/b"],
    ["--backup-base-url", "http://127.0.0.1:{port}/b/?k=fuzz-secret-q"],
    ["--backup-base-url", "http://127.0.0.1:{port}/b/#fuzz-secret-f"],
    ["--backup-base-url", "http://127.0.0.1:{port}/b\r\nX-Injected: 1"],
    ["--backup-base-url", ""],
    ["--backup-base-url", "//b.example/live"],
    ["--backup-base-url", "javascript:alert(1)"],
    ["--backup-base-url", "http:///live"],
    ["--backup-base-url", "http://127.0.0.1:99999/b"],
    ["--backup-base-url", "../b c"],
    ["--backup-base-url", "./"],
    ["--backup-base-url", "b\"quoted"],
    ["--backup-base-url", "http://127.0.0.1:{port}/" + "b" * 3000],
    ["--backup-base-url", "http://b\u00e9.example/b"],
    ["--backup-base-url", "../b//c"],
    ["--backup-base-url", "%zz/b"],
]


def bad_flag_args(number):
    """The arguments of bad flag `number` (BAD_FLAGS, then BACKUP_BAD_FLAGS)."""
    return BAD_FLAGS[number] if number < len(BAD_FLAGS) else BACKUP_BAD_FLAGS[number - len(BAD_FLAGS)]


def argv(case, binary, ports, folder):
    cmd = [binary, "run", "--input", case["clip"], "--output", case["out"], "--overwrite"] + case["flags"]
    if case.get("bad_flag") is not None:
        url = f"http://127.0.0.1:{ports[0]}{PREFIX}"
        cmd += [a.replace("{url}", url).replace("{port}", str(ports[0])) for a in bad_flag_args(case["bad_flag"])]
        ports = []
    for port in ports:
        cmd += ["--push", f"http://127.0.0.1:{port}{PREFIX}"]
    cmd += ["--push-header", f"Authorization: {SECRET}"]
    if case["events"]:
        cmd += ["--events", os.path.join(folder, "events.jsonl"), "--events-segments"]
    return cmd


def action(script, method, path, attempt, timeout):
    """The answer to the attempt-th request (0-based) of method at path: a dict."""
    r = random.Random(f"{script['key']}:{method}:{path}:{attempt}")
    kind = path_kind(method, path)
    rule = script["rules"].get(kind)
    close = r.random() < script["close"]
    if rule and attempt < rule["first"]:
        return {"do": "status", "status": rule["status"], "close": close, "delay": 0.0}
    if r.random() < script["p_ok"] or not script["hostile"]:
        return {"do": "status", "status": r.choice(STATUSES_OK), "close": close, "delay": 0.0}
    names = sorted(script["hostile"])
    h = r.choices(names, [script["hostile"][n] for n in names])[0]
    a = {"do": h, "close": close, "delay": 0.0, "status": r.choice(STATUSES_OK)}
    if h == "retry-status":
        a.update(do="status", status=r.choice(STATUSES_RETRY))
    elif h == "refuse-status":
        a.update(do="status", status=r.choice(STATUSES_REFUSE))
    elif h == "delay":
        a.update(do="status", delay=round(r.uniform(0, script["max_delay"]), 2),
                 status=r.choice(STATUSES_OK * 3 + STATUSES_RETRY + STATUSES_REFUSE))
    elif h in ("huge-headers", "continue-odd", "processing-102", "cl-short", "cl-long", "close-after-ok"):
        a["status"] = r.choice(STATUSES_OK * 2 + STATUSES_RETRY + STATUSES_REFUSE)
        a["variant"] = r.randint(0, 3)
    return a


# ---------------------------------------------------------------------------------------------------
# The origin
# ---------------------------------------------------------------------------------------------------

class Origin:
    """A threaded raw-socket HTTP/1.1 server on 127.0.0.1 that answers as its script says and records it all."""

    def __init__(self, script, timeout, store=None):
        self.script = script
        self.timeout = timeout  # the client's request timeout (one segment duration, 1–10 s)
        self.store = store  # folder for acknowledged bodies, or None
        self.lock = threading.Lock()
        self.seq = 0
        self.requests = []  # dicts: seq, t, method, path, sha, size, conn, answer...
        self.attempts = {}
        self.stop = threading.Event()
        self.conns = set()
        self.t0 = time.monotonic()
        self.first_request = None
        self.listener = self._listen(0)
        self.port = self.listener.getsockname()[1]
        self.outage_log = []
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        if script["outages"]:
            self.threads.append(threading.Thread(target=self._outages, daemon=True))
        for t in self.threads:
            t.start()

    def _listen(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        s.settimeout(0.2)
        return s

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def now(self):
        return round(time.monotonic() - self.t0, 3)

    def _outages(self):
        while self.first_request is None and not self.stop.is_set():
            time.sleep(0.05)
        if self.first_request is None:
            return  # stopped before any request (a bad-flag case)
        base = self.first_request
        for start, length in self.script["outages"]:
            while time.monotonic() < base + start and not self.stop.is_set():
                time.sleep(0.05)
            if self.stop.is_set():
                return
            with self.lock:
                old, self.listener = self.listener, None
                conns = list(self.conns)
            old.close()
            for c in conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.outage_log.append([self.now(), None])
            end = time.monotonic() + length
            while time.monotonic() < end and not self.stop.is_set():
                time.sleep(0.05)
            for _ in range(50):
                try:
                    s = self._listen(self.port)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                return
            with self.lock:
                self.listener = s
            self.outage_log[-1][1] = self.now()
            base = time.monotonic() - (start + length)  # later windows count from the first request

    def _accept(self):
        while not self.stop.is_set():
            with self.lock:
                s = self.listener
            if s is None:
                time.sleep(0.05)
                continue
            try:
                conn, _ = s.accept()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self):
        self.stop.set()
        with self.lock:
            conns = list(self.conns)
            if self.listener:
                self.listener.close()
        for c in conns:
            try:
                c.close()
            except OSError:
                pass

    # --- one connection ------------------------------------------------------------------------

    def _read_head(self, conn, buf):
        while b"\r\n\r\n" not in buf:
            if len(buf) > 1 << 20:
                return None, buf
            chunk = conn.recv(65536)
            if not chunk:
                return None, buf
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        return head, rest

    def _read_body(self, conn, headers, buf):
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return None, buf
                    buf += chunk
                line, _, buf = buf.partition(b"\r\n")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                while len(buf) < size + 2:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return None, buf
                    buf += chunk
                body += buf[:size]
                buf = buf[size + 2:]
                if size == 0:
                    return body, buf
        n = int(headers.get("content-length", "0") or 0)
        while len(buf) < n:
            chunk = conn.recv(65536)
            if not chunk:
                return None, buf
            buf += chunk
        return buf[:n], buf[n:]

    def _serve(self, conn):
        conn.settimeout(30)
        buf = b""
        try:
            while not self.stop.is_set():
                head, buf = self._read_head(conn, buf)
                if head is None:
                    return
                arrival = time.monotonic()
                if self.first_request is None:
                    self.first_request = arrival
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
                headers = {}
                for l in lines[1:]:
                    k, _, v = l.partition(":")
                    headers[k.strip().lower()] = v.strip()
                path = target[len(PREFIX):] if target.startswith(PREFIX) else target
                with self.lock:
                    attempt = self.attempts.get((method, path), 0)
                    self.attempts[(method, path)] = attempt + 1
                a = action(self.script, method, path, attempt, self.timeout)
                rec = {"seq": self.next_seq(), "t": self.now(), "method": method, "path": path, "attempt": attempt,
                       "conn": id(conn), "action": a["do"], "status": None, "ack": False, "clean": False,
                       "auth": headers.get("authorization") == SECRET, "ctype": headers.get("content-type")}
                with self.lock:
                    self.requests.append(rec)
                if a["do"] == "no-read":
                    # Answer before reading the body, then close.
                    self._send(conn, rec, self._response(a["status"], close=True), a["status"], clean=False)
                    return
                if headers.get("expect", "").lower() == "100-continue" and a["do"] != "continue-odd":
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                body, buf = self._read_body(conn, headers, buf)
                if body is None:
                    rec["note"] = "body cut short"
                    return
                rec["sha"] = hashlib.sha256(body).hexdigest()
                rec["size"] = len(body)
                if self.store:
                    name = os.path.join(self.store, f"{rec['seq']}.bin")
                    with open(name, "wb") as f:
                        f.write(body)
                    rec["stored"] = name
                if not self._answer(conn, rec, a, body):
                    return
        except (OSError, ValueError):
            return
        finally:
            with self.lock:
                self.conns.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _response(self, status, close=False, body=b"", extra=b"", length=None):
        reason = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently", 400: "Bad Request",
                  403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
                  413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable", 507: "Insufficient Storage"}.get(status, "X")
        head = f"HTTP/1.1 {status} {reason}\r\n".encode()
        if status == 301:
            head += b"Location: http://127.0.0.1:9/elsewhere/\r\n"
        if status in (503, 429):
            head += b"Retry-After: 1\r\n"
        if status != 204:
            head += f"Content-Length: {len(body) if length is None else length}\r\n".encode()
        if close:
            head += b"Connection: close\r\n"
        return head + extra + b"\r\n" + (body if status != 204 else b"")

    def _send(self, conn, rec, data, status, clean, delay=0.0):
        if delay:
            if self.stop.wait(delay):
                return False
        # Recorded before the bytes go: the client may act on them (and its next request be recorded by
        # another thread) before sendall returns here.
        rec["status"] = status
        rec["sent_seq"] = self.next_seq()
        rec["sent_t"] = self.now()
        rec["ack"] = status is not None and 200 <= status < 300
        # Clean: a well-framed answer sent at once, which the client must have read as this status. (Not one
        # sent after a delay: the client's timer starts before the request arrives, e.g. while it waits for a
        # connection through an outage, so a late answer may find it gone: push-4-76.)
        rec["clean"] = clean and delay == 0
        try:
            conn.sendall(data)
        except OSError:
            rec["clean"] = False  # it may or may not have arrived: still counted as a possible 2xx
            rec["note"] = "answer not fully sent"
            raise
        return True

    def _keep(self, rec, body):
        pass  # every body is stored when it has been read (_serve), before any answer goes

    def _answer(self, conn, rec, a, body):
        """Answers one read request; False when the connection is done."""
        do, status, close = a["do"], a["status"], a["close"]
        text = b"stored\n" if status in (200, 201) else (b"" if status == 204 else f"error {status}\n".encode())
        if do == "status":
            ok = self._send(conn, rec, self._response(status, close, text), status, clean=True, delay=a["delay"])
            self._keep(rec, body)
            return ok and not close
        if do == "close-before":
            rec["status"] = None
            return False
        if do == "close-mid-status":
            conn.sendall(b"HTTP/1.1 20")
            rec["status"] = None
            return False
        if do == "garbage":
            conn.sendall(random.Random(rec["seq"]).randbytes(300) + b"\r\n\r\n")
            return False
        if do == "huge-headers":
            size = [70_000, 300_000, 1 << 20, 8000][a["variant"]]
            extra = b"".join(b"X-Junk-%d: %s\r\n" % (i, b"a" * 990) for i in range(size // 1000))
            self._send(conn, rec, self._response(status, close, text, extra=extra), status, clean=size < 10_000)
            self._keep(rec, body)
            return not close
        if do == "close-after-ok":
            self._send(conn, rec, self._response(status, True, text), status, clean=True)
            self._keep(rec, body)
            return False
        if do == "continue-odd":
            pre = [b"HTTP/1.1 100 Continue\r\n\r\n" * 2, b"HTTP/1.1 100 Continue\r\nX-A: b\r\n\r\n",
                   b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"][a["variant"]]
            self._send(conn, rec, pre + self._response(status, close, text), status, clean=False)
            self._keep(rec, body)
            return not close
        if do == "processing-102":
            self._send(conn, rec, b"HTTP/1.1 102 Processing\r\n\r\n" + self._response(status, close, text), status,
                       clean=False)
            self._keep(rec, body)
            return not close
        if do == "cl-short":
            # Content-Length says more than is sent, then the connection closes.
            self._send(conn, rec, self._response(status, True, text, length=len(text) + 50), status, clean=False)
            self._keep(rec, body)
            return False
        if do == "cl-long":
            # More bytes than Content-Length says: the rest poisons a kept-alive connection.
            self._send(conn, rec, self._response(status, close, text, length=max(0, len(text) - 3)) + b"HTTP/1.1 999 junk\r\n\r\n",
                       status, clean=False)
            self._keep(rec, body)
            return not close
        if do == "drip":
            self._send(conn, rec, self._response(status, False, b"", length=10_000) if status != 204 else
                       b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n", status if status != 204 else 200, clean=False)
            self._hold(conn, rec, b"x")
            return False
        if do == "chunked-endless":
            rec.update(status=status, sent_seq=self.next_seq(), sent_t=self.now(), ack=200 <= status < 300, clean=False)
            conn.sendall(f"HTTP/1.1 {status} OK\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
            self._hold(conn, rec, b"1\r\nx\r\n")
            return False
        if do == "stall":
            self._hold(conn, rec, None)
            return False
        raise ValueError(f"unknown action {do}")

    def _hold(self, conn, rec, drip):
        """Keeps the answer going (a byte of drip every 0.3 s) or silent until the client goes; records when."""
        while not self.stop.wait(0.3):
            try:
                readable, _, _ = select.select([conn], [], [], 0)
                if readable and not conn.recv(1):
                    break
                if drip:
                    conn.sendall(drip)
            except OSError:
                break
        if not self.stop.is_set():
            rec["gone_t"] = self.now()

    def record(self):
        with self.lock:
            return {"port": self.port, "requests": [dict(r) for r in self.requests], "outages": self.outage_log,
                    "first_request": None if self.first_request is None else round(self.first_request - self.t0, 3)}


# ---------------------------------------------------------------------------------------------------
# Oracles
# ---------------------------------------------------------------------------------------------------

URI_ATTR = re.compile(r'URI="([^"]*)"')


def playlist_names(text):
    """(named, gaps): the URIs a media playlist names as present (segments, parts, the map), and the GAP ones."""
    named, gaps = [], []
    gap = False
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#EXT-X-GAP"):
            gap = True
        elif line.startswith("#EXT-X-MAP:") or line.startswith("#EXT-X-PART:"):
            m = URI_ATTR.search(line)
            if m and "GAP=YES" not in line:
                named.append(m.group(1))
        elif not line.startswith("#"):
            (gaps if gap else named).append(line)
            gap = False
    return named, gaps


def media_sequence(text):
    m = re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text)
    return int(m.group(1)) if m else 0


def local_files(out):
    files = {}
    for root, _, names in os.walk(out):
        for n in names:
            if n.startswith(".") or n.endswith(".tmp"):
                continue
            full = os.path.join(root, n)
            files[os.path.relpath(full, out)] = full
    return files


def judge(case, records, result, check, target_flavours=None, ci=False):
    """[(class, signature)] for one finished run: records[i] is origin i's record(), result run_bounded's."""
    found = []
    stderr, stdout = result["stderr"], result["stdout"]
    code = result["code"]
    seg = case["segment_duration"]
    limit = min(max(3 * seg + 2, 5), 30)
    if code is not None and code not in (0, 8) and not result.get("timed_out") and case.get("bad_flag") is None:
        found.append(("push-exit", f"push-exit {code}: {first_error(stderr)[:160]}"))
    if code == 8 and case.get("bad_flag") is None:
        err = first_error(stderr)
        if not err.startswith("liveladder: error:") or "push to" not in err:
            found.append(("push-error-line", f"push-error-line exit 8 without a 'push to' error: {err[:160]}"))
    texts = stdout + stderr
    events = os.path.join(os.path.dirname(case["out"]), "events.jsonl")
    if case["events"] and os.path.exists(events):
        with open(events, errors="replace") as f:
            texts += f.read()
    if "fuzz-secret" in texts:
        found.append(("secret-echoed", "secret-echoed: a credential (--push-header value, URL userinfo, query) shows "
                      f"in the output or events{' (bad flag ' + str(case['bad_flag']) + ')' if case.get('bad_flag') is not None else ''}"))
    if case.get("bad_flag") is not None:
        # Refused before anything runs: nothing else to judge (no output, no request).
        if code not in (3, 64) or result.get("timed_out"):
            found.append(("push-flag-exit", f"push-flag-exit: bad flag {case['bad_flag']} exited {code}: {first_error(stderr)[:120]}"))
        if any(rec["requests"] for rec in records):
            found.append(("push-flag-exit", f"push-flag-exit: bad flag {case['bad_flag']} still pushed"))
        return found
    if check is not None and check["code"] != 0:
        line = (check["stdout"].strip().splitlines() or check["stderr"].strip().splitlines() or [f"exit {check['code']}"])[0]
        found.append(("local-check-fails", f"local-check-fails: {re.sub(r'[0-9]+', 'N', line)[:160]}"))
    local = local_files(case["out"])
    for i, rec in enumerate(records):
        found += judge_origin(case, i, rec, local, code, result, limit, ci)
    if not ci and not result.get("timed_out") and code is not None:
        found += judge_drain(records, result, limit)
    return found


PART_NAME = re.compile(r"^(.*/segment-\d+)\.\d+(\.m4s)$")
LL_TAGS = ("#EXT-X-PART-INF", "#EXT-X-PART:", "#EXT-X-PRELOAD-HINT", "#EXT-X-RENDITION-REPORT", "#EXT-X-SERVER-CONTROL")


def as_origin_may_show(local, shown, folder, acked):
    """The local playlist as docs/delivery.md lets the origin's copy differ with exit 0: EXT-X-PART lines of
    parts the origin lacks left out (a segment keeps them only when the origin has all its parts), the
    preload hint only when the origin's copy has it, and no Low-Latency tags at all once a part was refused."""
    lines = []
    no_ll = "#EXT-X-PART-INF" not in shown
    for line in local.splitlines(True):
        if no_ll and line.startswith(LL_TAGS):
            continue
        if line.startswith("#EXT-X-PRELOAD-HINT") and line not in shown:
            continue
        if line.startswith("#EXT-X-PART:"):
            m = URI_ATTR.search(line)
            if m and os.path.normpath(os.path.join(folder, m.group(1))) not in acked and line not in shown:
                continue
        lines.append(line)
    # A segment keeps its parts only when every one of them is there: drop a partial set the origin left out.
    kept = "".join(lines)
    if kept != shown:
        kept = "".join(l for l in lines if not (l.startswith("#EXT-X-PART:") and l not in shown))
    return kept


def first_error(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    errs = [l for l in lines if l.startswith("liveladder: error:")]
    return (errs or lines or [""])[-1]


def read_stored(r):
    with open(r["stored"], "rb") as f:
        return f.read()


def judge_origin(case, i, rec, local, code, result, limit, ci):
    found = []
    tag = f"origin {i + 1}"
    reqs = sorted(rec["requests"], key=lambda r: r["seq"])
    acks = [r for r in reqs if r["ack"] and r["method"] != "DELETE"]
    # PU1 / PU2 / sequence numbers, in the order the origin acknowledged.
    acked_at = {}  # path -> first sent_seq of a 2xx
    for r in sorted(acks, key=lambda r: r["sent_seq"]):
        acked_at.setdefault(r["path"], r["sent_seq"])
    last_seq, last_count = {}, {}
    for r in sorted(acks, key=lambda r: r["sent_seq"]):
        kind = path_kind(r["method"], r["path"])
        if kind not in ("playlist", "master") or "stored" not in r:
            continue
        text = read_stored(r).decode("utf-8", "replace")
        folder = os.path.dirname(r["path"])
        if kind == "playlist":
            named, gaps = playlist_names(text)
            for uri in named:
                full = os.path.normpath(os.path.join(folder, uri))
                when = acked_at.get(full)
                if when is None or when > r["seq"]:
                    found.append(("push-order", f"push-order (PU1) {tag}: an acknowledged playlist names "
                                  f"{re.sub(r'[0-9]+', 'N', full)} before the origin acknowledged it"))
                    break
            msn, count = media_sequence(text), text.count("#EXTINF:")  # segments (parts and the map aside)
            if msn < last_seq.get(r["path"], -1) or (msn == last_seq.get(r["path"]) and count < last_count.get(r["path"], 0)
                                                      and "#EXT-X-PLAYLIST-TYPE:" in text):
                found.append(("sequence-back", f"sequence-back {tag}: a playlist acknowledged after a newer one "
                              f"(media sequence {last_seq.get(r['path'])} -> {msn}, entries {last_count.get(r['path'])} -> {count})"))
            last_seq[r["path"]], last_count[r["path"]] = msn, count
        else:
            for line in text.splitlines():
                line = line.strip()
                names = [line] if line and not line.startswith("#") else URI_ATTR.findall(line) if line.startswith("#EXT-X-MEDIA:") else []
                for name in names:
                    when = acked_at.get(name)
                    if when is None or when > r["seq"]:
                        found.append(("master-early", f"master-early (PU2) {tag}: the master went before "
                                      f"{re.sub(r'[0-9]+', 'N', name)} was acknowledged"))
                        break
    # PU4: a clean refusal (a 4xx other than 408/429, a 3xx) is never retried for the same item.
    refused = {}
    for r in reqs:
        kind = path_kind(r["method"], r["path"])
        if kind == "playlist" and case["flavour"] == "ll":
            # A new version can render for the origin exactly as the last one (the new part not acknowledged
            # there, or parts off): the same bytes, a different item. Not judged.
            continue
        item = (r["method"], r["path"], r.get("sha") if kind in ("playlist", "master") else None)
        if item in refused:
            found.append(("retried-refused", f"retried-refused (PU4) {tag}: a {kind} was sent again after "
                          f"{refused[item]}"))
            refused.pop(item)
            continue
        st = r["status"]
        if r["clean"] and st is not None and (300 <= st < 500 and st not in (408, 429)) and \
                r.get("sent_t", 1e9) - r["t"] < 0.25:
            if not (r["method"] == "DELETE" and st in (404, 405, 410)):
                refused[item] = st
    # Exit 0: every local file is on the origin with the same bytes (the last acknowledged playlist = local).
    if code == 0:
        last = {}
        for r in sorted(acks, key=lambda r: r["sent_seq"]):
            last[r["path"]] = r
        for rel, full in sorted(local.items()):
            got = last.get(rel)
            with open(full, "rb") as f:
                want = f.read()
            part = PART_NAME.match(rel)
            if got is None and part and part.group(1) + part.group(2) in last:
                continue  # a part superseded by its whole segment (docs/delivery.md): not sent, not listed
            if got is not None and "stored" in got and rel.endswith(".m3u8") and not rel.endswith("master.m3u8"):
                want = as_origin_may_show(want.decode("utf-8", "replace"), read_stored(got).decode("utf-8", "replace"),
                                          os.path.dirname(rel), last).encode()
            if got is None:
                found.append(("exit0-incomplete", f"exit0-incomplete {tag}: exit 0 but the origin never acknowledged "
                              f"{re.sub(r'[0-9]+', 'N', rel)}"))
                break
            if "stored" in got and read_stored(got) != want:  # (an answer sent before the body was read: no bytes)
                found.append(("exit0-incomplete", f"exit0-incomplete {tag}: exit 0 but the origin's last "
                              f"{re.sub(r'[0-9]+', 'N', rel)} differs from the local file"))
                break
    # A request the origin stalls or drips must not outlive the client's request timeout (one segment
    # duration, 1–10 s: docs/delivery.md), which is what keeps a lane moving in a live run.
    timeout = min(max(case["segment_duration"], 1), 10)
    for r in reqs:
        if r.get("action") in ("stall", "drip", "chunked-endless") and r.get("size") is not None:
            held = (r.get("gone_t") or result["end_t"]) - r["t"]
            if held > timeout + 3 and not ci:
                found.append(("timeout-ignored", f"timeout-ignored {tag}: a {r['action']} answer held the request past "
                              f"its timeout ({'until the run ended' if not r.get('gone_t') else 'then it was dropped'})"))
                r["held"] = round(held, 1)
                break
    return found


def judge_drain(records, result, limit):
    """The end: within the drain limit of the last 2xx of any origin (each target drains in parallel, the run
    waits for the last) or of the pipeline's end, plus slack for a request in flight and the exit."""
    progress = [r["sent_t"] for rec in records for r in rec["requests"] if r.get("sent_t") is not None and
                r["status"] is not None and
                (200 <= r["status"] < 300 or (r["method"] == "DELETE" and r["status"] in (404, 405, 410)))]
    end = result["end_t"]
    last = max([result.get("pipeline_t") or 0] + progress)
    if end > last + limit + 5 + 0.5 * limit:
        return [("slow-drain", f"slow-drain: the run ended {end - last:.0f} s after the last 2xx / the pipeline's "
                 f"end (limit {limit} s)")]
    return []


def main(argv_=None):
    import argparse
    p = argparse.ArgumentParser(description="run one push case's hostile origin by hand")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--case", required=True, help="push-S-I")
    s.add_argument("--target", type=int, default=1)
    s.add_argument("--store", default=None)
    s.add_argument("--log", default=None, help="write the origin's record (JSON) here on Ctrl-C")
    args = p.parse_args(argv_)
    _, seed, index = args.case.split("-")
    rng = random.Random(f"liveladder-fuzz:push:{seed}:{index}")
    case = draw_case(rng, "CLIP", "OUT")
    script = case["scripts"][args.target - 1]
    if args.store:
        os.makedirs(args.store, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    origin = Origin(script, min(max(case["segment_duration"], 1), 10), args.store)
    print(json.dumps({"port": origin.port, "flags": case["flags"], "script": script}), flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        origin.close()
        if args.log:
            with open(args.log, "w") as f:
                json.dump(origin.record(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
