"""The `http` kind: mutated raw HTTP/1.x requests against a running `liveladder run --http`.

A case is one connection: 1–4 (pipelined) requests, sent at once or trickled, sometimes half-closed, drawn
from its own `random.Random("liveladder-fuzz:http:<seed>:<index>")`. The bytes never depend on the port or
the run (Host says `127.0.0.1`), so `--generate-only` twice gives the same files and `--case http-S-I`
replays one alone. Python standard library only.

The oracles per response (see README.md, "http"): a well-formed status line or a close within the bound;
no 5xx but `/livez`/`/readyz`'s documented 503; with a token, nothing but the public endpoints' answers
and 401 (or the parser's own 4xx) without the exact token; a 4xx body the server wrote is its JSON error.
"""

from __future__ import annotations

import json
import re
import socket
import time

TOKEN = "fuzz-T0ken_7f3a9c"
HOST = b"127.0.0.1"
RENDITIONS = ["360p", "240p"]  # the derived ladder of fixtures/cfr30-640x360.mp4
PUBLIC = {"/metrics", "/livez", "/readyz"}
ROUTES = {"/metrics": "GET", "/livez": "GET", "/readyz": "GET", "/v1/status": "GET", "/v1/events": "GET",
          "/v1/stop": "POST"}
BOUND = 5.0
# What a request may have odd: drawn per request (0–3 of them), the rest stays well-formed.
DIMENSIONS = ["target", "target", "method", "version", "auth", "auth", "headers", "body", "order", "line"]  # seconds a response (or a close) may take once the client has said everything

# ---------------------------------------------------------------------------------------------------
# Making a case
# ---------------------------------------------------------------------------------------------------

METHODS_ODD = [b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"TRACE", b"CONNECT", b"HEAD", b"get", b"post", b"Get",
               b"G\x00ET", b"GE T", b"", b"\xff\xfe", b"GET\t", b"PRI", b"M-SEARCH", b"BREW"]


def _long(rng, unit, lo, hi):
    return unit * rng.randint(lo, hi)


def choose_method(rng, proper, notes, odd):
    r = rng.random()
    if not odd:
        return (proper, True) if r < 0.8 else (rng.choice([b"GET", b"POST"]), True)
    if r < 0.80:
        m = rng.choice(METHODS_ODD)
        notes.append(f"method {m[:20]!r}")
        return m, m in (b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"HEAD", b"TRACE", b"BREW", b"M-SEARCH")
    m = _long(rng, rng.choice([b"A", b"GET", b"X"]), 300, 30000)
    notes.append(f"method very long ({len(m)} bytes)")
    return m, False


def restart_name(rng, notes, odd):
    """A name for /v1/renditions/{name}/restart, and whether the target stays a plain one."""
    if not odd:
        return rng.choice(RENDITIONS).encode(), True
    odd = rng.choice([b"..", b"../360p", b"%2e%2e", b"%2e%2e%2f360p", b"360p%2f..", b"", b"%00", b"360p%00",
                      b"%ff", b"%", b"%zz", b"%33%36%30p", b"360P", b"360p%20", b" 360p", b"1080p", b"none",
                      "\u00e9t\u00e9".encode(), "%E2%98%83".encode(), b"\xe2\x98\x83", b"\xff", b";x", b"360p;x",
                      b"360p?x=1", b"360p#f", b"*", b"%2F", b"a" * 10240, b"%41" * 3000, b"\x00", b"\r",
                      b"360p\x7f"])
    notes.append(f"rendition name {odd[:40]!r}{f' ({len(odd)} bytes)' if len(odd) > 40 else ''}")
    return odd, odd.isascii() and re.fullmatch(rb"[A-Za-z0-9%._~-]*", odd) is not None


def choose_target(rng, notes, odd):
    """(target bytes, the route it means or None, whether it is a plain origin-form target)."""
    r = rng.random()
    if r < 0.12:
        name, plain = restart_name(rng, notes, odd and rng.random() < 0.8)
        return b"/v1/renditions/" + name + b"/restart", "restart", plain
    # /v1/stop stays rare: each accepted stop costs a restart of the server.
    base = rng.choice([r for r in ROUTES if r != "/v1/stop"] * 6 + ["/v1/stop"])
    if not odd:
        return base.encode(), base, True
    if r < 0.35:
        q = rng.choice([b"?segments=1", b"?segments=true", b"?segments=0", b"?_HLS_msn=5&_HLS_part=2",
                        b"?_HLS_msn=99999999999999999999999&_HLS_part=-1", b"?_HLS_skip=YES", b"?", b"?&&&==",
                        b"?a=%00", b"?x=" + b"%" * 100, b"?" + b"a=1&" * 2000, b"?segments=1#frag"])
        notes.append(f"query {q[:40]!r}")
        return base.encode() + q, base, b"#" not in q and b"\x00" not in q
    odd = rng.choice([
        lambda: base + "/", lambda: "/" + base, lambda: base.upper(), lambda: base + "/..",
        lambda: "/metrics/.." + base, lambda: "/livez/../v1/status", lambda: "/readyz/%2e%2e/v1/status",
        lambda: "/%2e%2e" + base, lambda: base.replace("/", "/./"), lambda: base + "%00",
        lambda: "/metrics%00/../v1/status", lambda: base + ";x", lambda: "/v1%2fstatus", lambda: "/%6detrics",
        lambda: "http://127.0.0.1" + base, lambda: "http://evil.example" + base, lambda: "*",
        lambda: "127.0.0.1:80", lambda: "", lambda: base[1:], lambda: "/" + "a" * 65536,
        lambda: base + "/" + "x" * 65536, lambda: "/\u00fcn\u00efc\u00f8d\u00e9", lambda: "/v1/st\u00e4tus",
        lambda: "/%C0%AE%C0%AE/v1/status", lambda: "\\v1\\status", lambda: base + "#x",
        lambda: "/v1/renditions/360p/restart/", lambda: "/v1/renditions//restart", lambda: "/v1/renditions/restart",
        lambda: "/v1/renditions/360p/../../stop", lambda: "/v1/renditions/%2e%2e/restart/../../stop",
    ])()
    raw = odd.encode("utf-8")
    notes.append(f"path {raw[:48]!r}{f' ({len(raw)} bytes)' if len(raw) > 48 else ''}")
    return raw, None, False


def choose_version(rng, notes, odd):
    r = rng.random()
    if not odd:
        return (b"HTTP/1.1", True) if r < 0.9 else (b"HTTP/1.0", True)
    v = rng.choice([b"HTTP/1.0", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/2", b"HTTP/0.9", b"HTTP/3.0", b"HTTP/1.2",
                    b"HTTP/9.9", b"http/1.1", b"HTTP/1.10", b"HTTP/01.1", b"HTTP/1", b"HTTP/", b"HTTPS/1.1",
                    b"", b"HTTP/1.1 extra", b"\x00", b"HTTP/1.1\x00"])
    notes.append(f"version {v!r}")
    return v, v == b"HTTP/1.0"


def auth_headers(rng, variant, notes, odd):
    """(header lines, whether the token is given exactly once in the canonical form, whether some
    header carries the token's bytes at all)."""
    right = f"Bearer {TOKEN}".encode()
    t = TOKEN.encode()
    if not odd:
        r = rng.random()
        if r < 0.55:
            return [b"Authorization: " + right], True, True
        if r < 0.85:
            return [], False, False
        notes.append("auth wrong token")
        return [b"Authorization: Bearer wrong-" + t[6:]], False, False
    forms = [
        (b"Authorization: bearer " + t, True), (b"Authorization: BEARER " + t, True),
        (b"authorization: Bearer " + t, True), (b"AUTHORIZATION: Bearer " + t, True),
        (b"Authorization:Bearer " + t, True), (b"Authorization:   Bearer " + t + b"   ", True),
        (b"Authorization: Bearer\t" + t, False), (b"Authorization: Bearer  " + t, False),
        (b"Authorization: Bearer " + t + b"x", False), (b"Authorization: Bearer " + t[:-1], False),
        (b"Authorization: Bearer " + t.upper(), False), (b"Authorization: Bearer " + t.swapcase(), False),
        (b"Authorization: Bearer " + t + b"\x00", False), (b"Authorization: Bearer " + b"\x00" + t, False),
        (b"Authorization: Bearer " + t + b", Bearer wrong", False), (b"Authorization: Bearer wrong, Bearer " + t, False),
        (b"Authorization: Basic ZnV6ejpmdXp6", False), (b"Authorization: Bearer", False),
        (b"Authorization: Bearer ", False), (b"Authorization: " + t, False), (b"Authorization: Token " + t, False),
        (b"Authorization: Bearer wrong-token", False), (b"Authorization: Bearer " + b"A" * len(t), False),
        (b"Authorization: Bearer " + t + b" " + t, False), (b"Authorization: Bearer=" + t, False),
        (b"Authorization : Bearer " + t, False), (b"Authorization: Bearer\r\n " + t, False),
        (b"Authorization: Bearer " + "\u0442\u043e\u043a\u0435\u043d".encode(), False),
        (b"Authorization: Bearer " + t[:8] + b"\xff" + t[9:], False),
        (b"Proxy-Authorization: Bearer " + t, False), (b"X-Authorization: Bearer " + t, False),
    ]
    r2 = rng.random()
    if r2 < 0.25:
        pair = rng.choice([(right, b"Bearer wrong"), (b"Bearer wrong", right), (right, right), (right, b""),
                           (b"", right), (b"Basic eDp4", right)])
        notes.append(f"duplicate Authorization {pair[0][:20]!r} / {pair[1][:20]!r}")
        return [b"Authorization: " + pair[0], b"Authorization: " + pair[1]], False, True
    line, canonical = rng.choice(forms)
    notes.append(f"auth {line[:60]!r}")
    return [line], canonical, t in line


def choose_body(rng, method, notes, odd):
    """(header lines, body bytes, whether the request is framed: its end is where the server will see it)."""
    r = rng.random()
    if not odd and r < 0.7:
        return [], b"", True
    data = rng.choice([b"", b"{}", b'{"x":1}', b"x" * rng.randint(1, 5000), bytes(rng.randrange(256) for _ in range(64))])
    if not odd:
        return [b"Content-Length: %d" % len(data)], data, True
    kind = rng.choice(["cl-short", "cl-long", "cl-huge", "cl-neg", "cl-junk", "cl-dup", "cl-te", "chunked",
                       "chunked-bad", "chunked-huge", "chunked-unterminated", "te-odd"])
    notes.append(f"body {kind}")
    if kind == "cl-short":  # declares less than is sent: the rest reads as the next request
        return [b"Content-Length: %d" % max(0, len(data) - rng.randint(1, 10))], data + b"trailing", False
    if kind == "cl-long":
        return [b"Content-Length: %d" % (len(data) + rng.randint(1, 100000))], data, False
    if kind == "cl-huge":
        return [b"Content-Length: " + rng.choice([b"9223372036854775807", b"99999999999999999999999999",
                                                   b"18446744073709551616", b"4294967296", b"1e9"])], data, False
    if kind == "cl-neg":
        return [b"Content-Length: -1"], data, False
    if kind == "cl-junk":
        return [b"Content-Length: " + rng.choice([b"abc", b"1,1", b" 1 ", b"0x10", b"", b"+5", b"1 2"])], data, False
    if kind == "cl-dup":
        return [b"Content-Length: %d" % len(data), b"Content-Length: %d" % (len(data) + 1)], data, False
    if kind == "cl-te":
        return [b"Content-Length: %d" % len(data), b"Transfer-Encoding: chunked"], data, False
    if kind == "chunked":
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in (data[:10], data[10:]) if c) + b"0\r\n\r\n"
        return [b"Transfer-Encoding: chunked"], chunks, True
    if kind == "chunked-bad":
        size = rng.choice([b"zz", b"-1", b"", b"1;", b" 5", b"0x5", b"5 5", b"\x00"])
        return [b"Transfer-Encoding: chunked"], size + b"\r\nhello\r\n0\r\n\r\n", False
    if kind == "chunked-huge":
        size = rng.choice([b"ffffffffffffffffff", b"7fffffffffffffff", b"ffffffff", b"10000000000000000"])
        return [b"Transfer-Encoding: chunked"], size + b"\r\nhello\r\n", False
    if kind == "chunked-unterminated":
        return [b"Transfer-Encoding: chunked"], b"5\r\nhello\r\n", False
    return [b"Transfer-Encoding: " + rng.choice([b"gzip", b"chunked, gzip", b"identity", b"xchunked", b"chunked\x00"])], \
        data, False


def header_damage(rng, lines, notes):
    """Mutates the header lines in place; returns whether the head is still a clean one."""
    kind = rng.choice(["drop-host", "dup-host", "huge-value", "many", "invalid-bytes", "folded", "no-colon",
                       "empty-name", "space-name", "bare-lf", "bare-cr", "long-name", "expect", "connection",
                       "upgrade", "nul-line"])
    notes.append(f"headers {kind}")
    if kind == "drop-host":
        lines[:] = [l for l in lines if not l.lower().startswith(b"host:")]
        return True
    if kind == "dup-host":
        lines.append(b"Host: " + rng.choice([b"127.0.0.1", b"evil.example", b""]))
    elif kind == "huge-value":
        lines.append(b"X-Fuzz: " + b"v" * rng.choice([100 * 1024, 1024 * 1024]))
    elif kind == "many":
        lines.extend(b"X-H%d: %d" % (i, i) for i in range(rng.choice([1100, 10000])))
    elif kind == "invalid-bytes":
        lines.append(b"X-Fuzz: " + rng.choice([b"\x00", b"\x7f", b"\xff\xfe", b"a\x01b", b"\x1b[31m"]))
    elif kind == "folded":
        lines.append(b"X-Fuzz: first")
        lines.append(rng.choice([b" continued", b"\tcontinued"]))
    elif kind == "no-colon":
        lines.append(b"NoColonHere")
    elif kind == "empty-name":
        lines.append(b": empty")
    elif kind == "space-name":
        lines.append(b"X Fuzz: x")
    elif kind == "bare-lf":
        lines.append(b"X-A: 1\nX-B: 2")
    elif kind == "bare-cr":
        lines.append(b"X-A: 1\rX-B: 2")
    elif kind == "long-name":
        lines.append(b"X" * 100000 + b": 1")
    elif kind == "expect":
        lines.append(rng.choice([b"Expect: 100-continue", b"Expect: 999-nonsense"]))
        return False
    elif kind == "connection":
        lines.append(rng.choice([b"Connection: close", b"Connection: keep-alive", b"Connection: upgrade, close",
                                 b"Connection: \xff"]))
        return lines[-1] != b"Connection: \xff"
    elif kind == "upgrade":
        lines.extend([b"Connection: Upgrade, HTTP2-Settings", b"Upgrade: h2c", b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"])
    elif kind == "nul-line":
        lines.append(b"\x00")
    return False


def make_request(rng, variant, notes):
    """One request: its bytes and what the oracles need to know about it."""
    # Mostly one or two things odd at a time, so most requests get past the parser to the router and auth.
    odd = set(rng.sample(DIMENSIONS, rng.choice([0, 1, 1, 1, 2, 2, 3])))
    target, route, plain_target = choose_target(rng, notes, "target" in odd)
    proper = b"POST" if route in ("restart", "/v1/stop") else b"GET"
    method, plain_method = choose_method(rng, proper, notes, "method" in odd)
    version, plain_version = choose_version(rng, notes, "version" in odd)
    lines = [b"Host: " + HOST, b"User-Agent: liveladder-fuzz", b"Accept: */*"]
    auth, canonical, carries = auth_headers(rng, variant, notes, "auth" in odd)
    lines += auth
    clean_head = True
    if "headers" in odd:
        clean_head = header_damage(rng, lines, notes) and clean_head
    body_lines, body, framed = choose_body(rng, method, notes, "body" in odd)
    lines += body_lines
    if "order" in odd:
        rng.shuffle(lines)
        notes.append("headers shuffled")
    head = method + b" " + target + b" " + version if version else method + b" " + target
    if "line" in odd:
        head = rng.choice([b"", b"\r\n" + head, b" " + head, head.replace(b" ", b"  ", 1), head + b" "])
        notes.append("request line spacing")
        plain_target = False
    raw = head + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + body
    clean = plain_target and plain_method and plain_version and clean_head and framed and not (
        route == "restart" and b"%" in target)
    return raw, {"method": method.decode("latin-1")[:40], "target": target.decode("latin-1")[:200],
                 "target_len": len(target), "route": route, "canonical_auth": canonical, "carries_token": carries,
                 "framed": framed and clean_head, "clean": clean,
                 # NIO (like llhttp) frames a response to HEAD or CONNECT without a body, whatever its status.
                 "head_method": method in (b"HEAD", b"CONNECT")}


def make_case(rng):
    """The connection of one case: {'variant', 'requests', 'chunks': [(bytes, pause)], 'shutdown', 'notes'}."""
    notes = []
    variant = "token" if rng.random() < 0.75 else "open"
    n = 1 if rng.random() < 0.75 else rng.randint(2, 4)
    if n > 1:
        notes.append(f"pipelined x{n}")
    requests, infos = [], []
    for _ in range(n):
        raw, info = make_request(rng, variant, notes)
        requests.append(raw)
        infos.append(info)
    wire = b"".join(requests)
    chunks, shutdown, framed = frame(wire, infos, rng, notes)
    return {"variant": variant, "requests": infos, "wire": wire, "chunks": chunks, "shutdown": shutdown,
            "framed": framed, "notes": notes}

def frame(wire, infos, rng, notes):
    """How a case's bytes go out: whole, split, trickled (slowloris) or truncated, and whether the client
    half-closes. Shared by the worker and origin variants (originfuzz.py); returns (chunks, shutdown, framed)."""
    # Stopping the run mid-batch is allowed but should stay rare (each stop costs a restart of the server).
    r = rng.random()
    if r < 0.10 and len(wire) < 4096:
        step = rng.choice([1, 2, 7])
        pause = rng.choice([0.005, 0.02])
        chunks = [(wire[i:i + step], pause) for i in range(0, len(wire), step)]
        # Keep a trickle within about two seconds.
        while len(chunks) * pause > 2.0 and step < len(wire):
            step *= 2
            chunks = [(wire[i:i + step], pause) for i in range(0, len(wire), step)]
        notes.append(f"slowloris {step} byte(s) every {pause * 1000:.0f} ms")
    elif r < 0.20:
        cuts = sorted(rng.sample(range(1, len(wire)), min(len(wire) - 1, rng.randint(1, 4)))) if len(wire) > 1 else []
        bounds = [0] + cuts + [len(wire)]
        chunks = [(wire[a:b], rng.choice([0.0, 0.05, 0.2])) for a, b in zip(bounds, bounds[1:])]
        notes.append(f"split in {len(chunks)}")
    else:
        chunks = [(wire, 0.0)]
    framed = all(i["framed"] for i in infos)
    shutdown = (not framed) or rng.random() < 0.15
    if shutdown:
        notes.append("half-closed")
    if rng.random() < 0.04:
        cut = rng.randrange(len(wire)) if wire else 0
        chunks = [(wire[:cut], 0.0)]
        shutdown = True
        notes.append(f"truncated at {cut} and half-closed")
        framed = False
    return chunks, shutdown, framed



# ---------------------------------------------------------------------------------------------------
# Talking to the server
# ---------------------------------------------------------------------------------------------------

STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5]\d\d)(?: [^\r\n]*)?\r\n")


class Response:
    def __init__(self, status, reason, headers, body, sse=False):
        self.status, self.reason, self.headers, self.body, self.sse = status, reason, headers, body, sse

    def header(self, name):
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def summary(self):
        return {"status": self.status, "headers": [f"{k}: {v}" for k, v in self.headers][:20],
                "body": self.body[:400].decode("utf-8", "replace"), "sse": self.sse}


def parse_responses(buf, closed, head_flags):
    """Responses found in buf: (list of Response, problem or None, complete: no partial response left).

    head_flags[i]: the i-th request was HEAD (its response has no body)."""
    out, pos = [], 0
    while pos < len(buf):
        end = buf.find(b"\r\n\r\n", pos)
        if end < 0:
            if closed or len(buf) - pos > 1 << 20:
                return out, f"response head cut off: {buf[pos:pos + 60]!r}", False
            return out, None, False
        m = STATUS_LINE.match(buf, pos)
        if not m:
            return out, f"not a status line: {buf[pos:pos + 60]!r}", False
        status = int(m.group(1))
        reason = buf[pos + len(b"HTTP/1.1 000"):buf.find(b"\r\n", pos)].decode("latin-1").strip()
        headers = []
        for line in buf[m.end():end].split(b"\r\n"):
            if b":" not in line or line[:1] in (b" ", b"\t"):
                return out, f"bad response header line {line[:60]!r}", False
            k, _, v = line.partition(b":")
            headers.append((k.decode("latin-1").strip().lower(), v.decode("latin-1").strip()))
        body_start = end + 4
        lookup = dict(headers)
        is_head = head_flags[len(out)] if len(out) < len(head_flags) else False
        if 100 <= status < 200:
            pos = body_start
            continue
        if "text/event-stream" in lookup.get("content-type", "") and status == 200:
            out.append(Response(status, reason, headers, buf[body_start:], sse=True))
            return out, None, True
        if is_head or status in (204, 304):
            out.append(Response(status, reason, headers, b""))
            pos = body_start
            continue
        if lookup.get("transfer-encoding", "").lower() == "chunked":
            body, p = b"", body_start
            while True:
                line_end = buf.find(b"\r\n", p)
                if line_end < 0:
                    return out, ("chunked response cut off" if closed else None), False
                try:
                    size = int(buf[p:line_end].split(b";")[0], 16)
                except ValueError:
                    return out, f"bad chunk size {buf[p:line_end][:30]!r}", False
                if len(buf) < line_end + 2 + size + 2:
                    return out, ("chunked response cut off" if closed else None), False
                body += buf[line_end + 2:line_end + 2 + size]
                p = line_end + 2 + size + 2
                if size == 0:
                    break
            out.append(Response(status, reason, headers, body))
            pos = p
            continue
        if "content-length" in lookup:
            try:
                length = int(lookup["content-length"])
            except ValueError:
                return out, f"bad Content-Length {lookup['content-length'][:30]!r}", False
            if len(buf) < body_start + length:
                return out, ("response body cut off" if closed else None), False
            out.append(Response(status, reason, headers, buf[body_start:body_start + length]))
            pos = body_start + length
            continue
        # Neither: the body runs to the close.
        if not closed:
            return out, None, False
        out.append(Response(status, reason, headers, buf[body_start:]))
        return out, None, True
    return out, None, True


def expected_answers(case):
    """How many responses a pipelined case can expect: NIO's parser (llhttp) stops at a CONNECT request and
    takes what follows as tunnel bytes, so nothing after the first CONNECT is answered."""
    for i, req in enumerate(case["requests"]):
        if req["method"] == "CONNECT":
            return i + 1
    return len(case["requests"])


def exchange(port, case, bound=BOUND):
    """Sends the case's bytes; reads responses until each request had one, the server closed, or `bound`
    seconds passed after the last byte. Returns a dict with the responses and how it ended."""
    started = time.monotonic()
    result = {"responses": [], "closed": False, "timed_out": False, "problem": None, "send_error": None}
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=bound)
    except OSError as e:
        result["connect_error"] = f"{type(e).__name__}: {e}"
        return result
    buf = b""
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(0.2)
        for data, pause in case["chunks"]:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError) as e:
                result["send_error"] = type(e).__name__
                break
            except socket.timeout:
                # The server stopped reading (a full buffer): what it said before counts.
                result["send_error"] = "send blocked"
                break
            if pause:
                time.sleep(pause)
            # Read what is there without waiting: a server that answers early is fine.
            buf += _drain(s)
        if case["shutdown"] and not result["send_error"]:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        deadline = time.monotonic() + bound
        want = expected_answers(case)
        heads = [r["head_method"] for r in case["requests"]]
        while True:
            responses, problem, complete = parse_responses(buf, result["closed"], heads)
            if problem or result["closed"]:
                break
            if responses and responses[-1].sse:
                # An event stream: wait for its first comment, then leave.
                if b": connected" in responses[-1].body or time.monotonic() > deadline:
                    break
            elif complete and len(responses) >= want and not case["shutdown"]:
                break
            if time.monotonic() > deadline:
                result["timed_out"] = True
                break
            try:
                s.settimeout(max(0.01, min(0.5, deadline - time.monotonic())))
                data = s.recv(1 << 16)
                if not data:
                    result["closed"] = True
                buf += data
            except socket.timeout:
                pass
            except (ConnectionResetError, OSError):
                result["closed"] = True
                result["reset"] = True
            if len(buf) > 8 << 20:
                problem = "more than 8 MiB of response"
                break
        responses, problem2, _ = parse_responses(buf, True if result["closed"] else False, heads)
        result["responses"] = responses
        result["problem"] = problem or problem2
    finally:
        s.close()
    result["seconds"] = round(time.monotonic() - started, 3)
    result["raw_head"] = buf[:300].decode("latin-1")
    return result


def _drain(s):
    data = b""
    s.setblocking(False)
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    except (BlockingIOError, socket.timeout, OSError):
        pass
    finally:
        s.settimeout(0.2)
    return data


def simple_get(port, path, token=None, timeout=5.0):
    """(status, headers dict, body) of one clean request, or (None, {}, error text)."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return simple(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), timeout)


def simple_post(port, path, token=None, timeout=5.0):
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "Content-Length: 0"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return simple(port, ("\r\n".join(lines) + "\r\n\r\n").encode(), timeout)


def simple(port, raw, timeout):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(raw)
            buf = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                responses, problem, complete = parse_responses(buf, False, [False])
                if responses or problem:
                    break
                data = s.recv(1 << 16)
                if not data:
                    break
                buf += data
            responses, problem, _ = parse_responses(buf, True, [False])
            if responses:
                r = responses[0]
                return r.status, dict(r.headers), r.body
            return None, {}, problem or "no response"
    except OSError as e:
        return None, {}, f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------------------------------------------
# Oracles
# ---------------------------------------------------------------------------------------------------

def answer_kind(resp):
    """What a response is, by its content: metrics, health, status, events, accepted, error or other."""
    if resp.sse:
        return "events"
    ctype = resp.header("content-type") or ""
    if ctype.startswith("text/plain") and resp.body.startswith(b"# HELP"):
        return "metrics"
    try:
        doc = json.loads(resp.body) if resp.body else None
    except ValueError:
        return "other"
    if isinstance(doc, dict):
        if set(doc) == {"ok", "reasons"}:
            return "health"
        if set(doc) == {"error", "status"}:
            return "error"
        if doc.get("accepted") is True:
            return "accepted"
        return "status"
    return "other"


def error_path(resp):
    """The path a 404/405 JSON error names ('no such endpoint: P', 'P takes GET only')."""
    try:
        text = json.loads(resp.body)["error"]
    except (ValueError, KeyError, TypeError):
        return None
    m = re.match(r"no such endpoint: (.*)$", text) or re.match(r"(.*) takes (?:GET|POST) only$", text)
    return m.group(1) if m else None


def judge(case, result):
    """[(class, signature)] for one exchange."""
    found = []
    if result.get("connect_error"):
        return [("server-gone", f"server-gone: cannot connect ({result['connect_error'].split(':')[0]})")]
    if result["problem"]:
        found.append(("malformed-response", f"malformed-response: {_norm(result['problem'])}"))
    if result["timed_out"] and not result["responses"]:
        what = "half-closed" if case["shutdown"] else "framed" if case["framed"] else "unframed"
        found.append(("hang", f"hang http: no status line and no close within {BOUND:.0f} s ({what})"))
    elif result["timed_out"] and not case["shutdown"] and len(result["responses"]) < expected_answers(case) and \
            not result["responses"][-1].sse and case["framed"]:
        found.append(("hang", f"hang http: {len(result['responses'])} of {expected_answers(case)} pipelined "
                              f"requests answered, then silence"))
    for i, resp in enumerate(result["responses"]):
        req = case["requests"][i] if i < len(case["requests"]) else case["requests"][-1]
        kind = answer_kind(resp)
        route = req["route"]
        if resp.status >= 500 and not (resp.status == 503 and kind == "health"):
            found.append(("server-error", f"server-error: {resp.status} {kind} for {req['method'][:10]} "
                                          f"{_route_label(req)}"))
        if 400 <= resp.status < 500 and resp.body and kind != "error":
            found.append(("error-not-json", f"error-not-json: {resp.status} {resp.header('content-type')} body"))
        if 400 <= resp.status < 500 and kind == "error":
            doc = json.loads(resp.body)
            if doc.get("status") != resp.status or not isinstance(doc.get("error"), str) or "\n" in doc["error"]:
                found.append(("error-not-json", f"error-not-json: {resp.status} says status {doc.get('status')}"))
        if case["variant"] == "token":
            authorized = req["canonical_auth"]
            if not authorized and resp.status < 300 and kind not in ("metrics", "health"):
                cls = "auth-bypass" if not req["carries_token"] else "auth-lenient"
                found.append((cls, f"{cls}: {resp.status} {kind} for {req['method'][:10]} {_route_label(req)}"))
            if not authorized and resp.status == 409:
                cls = "auth-bypass" if not req["carries_token"] else "auth-lenient"
                found.append((cls, f"{cls}: 409 (a command reached the run) for {_route_label(req)}"))
            if not authorized and resp.status in (404, 405):
                path = error_path(resp)
                if path is not None and path not in PUBLIC:
                    cls = "auth-order" if not req["carries_token"] else "auth-lenient"
                    found.append((cls, f"{cls}: {resp.status} before auth for a non-public path"))
            if authorized and req["clean"] and resp.status == 401:
                found.append(("auth-refused", f"auth-refused: 401 with the exact token for {_route_label(req)}"))
        if req["clean"] and route and route != "restart" and resp.status in (404,):
            found.append(("wrong-status", f"wrong-status: 404 for the known route {route}"))
        if req["clean"] and route and resp.status == 200 and kind == "error":
            found.append(("wrong-status", f"wrong-status: 200 with an error body for {route}"))
    return found


def _route_label(req):
    if req["route"] == "restart":
        return "/v1/renditions/{name}/restart"
    return req["route"] or "(odd path)"


def _norm(text):
    text = re.sub(r"\d+", "N", text)
    return text[:120]


def restart_accepted(result):
    """Whether a response says the run took a restart command (the run then ends with GAP entries: exit 8)."""
    for resp in result["responses"]:
        if resp.status == 202 and answer_kind(resp) == "accepted":
            try:
                if json.loads(resp.body).get("rendition") is not None:
                    return True
            except ValueError:
                pass
    return False


def stop_accepted(case, result):
    """Whether a response says the run accepted POST /v1/stop (the server is going away)."""
    for resp in result["responses"]:
        if resp.status == 202 and answer_kind(resp) == "accepted":
            try:
                if json.loads(resp.body).get("rendition") is None:
                    return True
            except ValueError:
                pass
    return False


def main(argv=None):
    """`httpfuzz.py send --port P [--plan plan.json] request.bin`: replays a kept case against a server
    started by hand (the command the report prints), and prints what came back and what the oracles say."""
    import argparse
    p = argparse.ArgumentParser(description="replay one kept http fuzz case")
    sub = p.add_subparsers(dest="command", required=True)
    send = sub.add_parser("send")
    send.add_argument("--port", type=int, required=True)
    send.add_argument("--plan", help="the case's plan.json (chunks, pauses, half-close, what each request is)")
    send.add_argument("--out", help="origin cases: the server's output folder (for the segment and leak oracles)")
    send.add_argument("request")
    args = p.parse_args(argv)
    with open(args.request, "rb") as f:
        wire = f.read()
    plan = {"chunks": [[len(wire), 0.0]], "shutdown": False, "framed": True, "variant": "token",
            "requests": [{"method": "?", "target": "?", "route": None, "canonical_auth": False,
                          "carries_token": False, "framed": True, "clean": False, "head_method": False}]}
    if args.plan:
        with open(args.plan) as f:
            plan = json.load(f)
    chunks, pos = [], 0
    for size, pause in plan["chunks"]:
        chunks.append((wire[pos:pos + size], pause))
        pos += size
    case = dict(plan, chunks=chunks, wire=wire)
    if plan.get("variant") == "origin":
        import originfuzz  # the origin variant: placeholders filled in from the live playlist, its own oracles
        out = args.out or "/nonexistent"
        result = originfuzz.exchange(args.port, case)
        verdict = originfuzz.judge(case, result, out, originfuzz.secrets(out))
    else:
        result = exchange(args.port, case)
        verdict = judge(case, result)
    for r in result["responses"]:
        print(json.dumps(r.summary()))
    print(json.dumps({k: result.get(k) for k in ("closed", "timed_out", "problem", "send_error", "connect_error",
                                                   "seconds")}))
    for cls, sig in verdict:
        print(f"{cls}: {sig}")
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main())
