"""The http kind's `origin` variant: mutated raw HTTP/1.x requests against `liveladder run --serve` (the built-in
HLS origin, docs/delivery.md).

A case (`http-origin-S-I`, drawn from `random.Random("liveladder-fuzz:http-origin:S:I")`) is one connection of
1–4 (pipelined) requests, like the worker variants' (httpfuzz.py), aimed at the origin's resources. The bytes
never depend on the run but for placeholders the harness fills in just before sending, from the live playlist
it reads then (`@E@` the live edge's media sequence number, `@E+1@`…`@E+3@`, `@S@` the oldest segment of the
window, `@O@` one that has left it); `request.bin` keeps the placeholders, and `httpfuzz.py send` fills them
in the same way against the server it is given.

The oracles (README.md, "http", origin variant): a status line within 5 s (9 s for a blocking playlist reload);
only the documented statuses (200, 204, 206, 400, 404, 405, 416; 503 only for a blocked reload; the parser's
own body-less 400); CORS on every answer the responder made; never a byte of an unpublished file; a 206 whose
Content-Range is the one asked for and whose body is exactly those bytes of the file; a 200 for a segment with
the file's bytes; `_HLS_msn` = edge + 1 answered 200 within 3.5 s, edge + 3 answered 400 at once.
"""

from __future__ import annotations

import os
import re
import socket
import time

import httpfuzz

RENDITIONS = ["360p", "240p"]
BLOCK_BOUND = 9.0     # 3 × the 2 s target duration (the 503 deadline) + margin
NEXT_BOUND = 3.5      # edge + 1: one segment (2 s) + margin
AT_ONCE = 1.0         # a refusal (400) needs no wait
PLANTED = b"LIVELADDER-FUZZ-PLANTED-7c1e9a"  # the content of files the harness plants in the output folder
PLANTS = ["fuzz-planted.txt", "360p/fuzz-planted.ts", "240p/segment-999999.ts"]
LINKS = {"360p/passwd.ts": "/etc/passwd", "link.m3u8": "/etc/passwd"}
# Filled in per rendition: `@360p:E+1@` (make_request names the rendition its target is for).
PLACEHOLDER = re.compile(rb"@(?:(360p|240p):)?(E|E\+1|E\+2|E\+3|S|O|N\+2|N\+3|PM|PN|PN\+1|HM|HN|H3|LIM|LIM\+1)@")
# The parts flavour (ll): `--segment-format fmp4 --part-duration 0.5`. Its extra placeholders: N the newest
# MSN (the segment in progress when it lists a part, else the edge), PM/PN the newest listed part (msn, index),
# HM/HN the EXT-X-PRELOAD-HINT's part, H3 = HM + 3, LIM the advance-part limit (ceil(3 / PART-TARGET)).
LL_ARGS = ["--segment-format", "fmp4", "--part-duration", "0.5"]
NEXT_PART_BOUND = 1.5  # _HLS_part = newest + 1: one part (0.52 s) + the encoder's latency + margin


def is_ll(index):
    """The flavour of origin case `oI`: odd I run against the parts server (even ones keep their old bytes)."""
    return int(str(index).lstrip("o")) % 2 == 1
DIMENSIONS = ["target", "target", "query", "query", "range", "method", "version", "headers", "body", "line"]

# ---------------------------------------------------------------------------------------------------
# Making a case
# ---------------------------------------------------------------------------------------------------


def real_resource(rng, ext="ts"):
    """(path, kind): kind is master, playlist, segment or old (a segment that has left the window)."""
    r = rng.random()
    rend = rng.choice(RENDITIONS)
    if r < 0.2:
        return "/master.m3u8", "master"
    if r < 0.55:
        return f"/{rend}/index.m3u8", "playlist"
    if r < 0.9:
        return f"/{rend}/segment-@S@.{ext}", "segment"
    return f"/{rend}/segment-@O@.{ext}", "old"


ODD_PATHS = [
    "/../master.m3u8", "/360p/../master.m3u8", "/360p/../../../../etc/passwd", "/../../../../../etc/passwd",
    "/%2e%2e/master.m3u8", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/360p/%2e%2e/%2e%2e/etc/passwd",
    "/360p/..%2f..%2f..%2fetc%2fpasswd", "/%2E%2E/%2E%2E/etc/passwd", "/..%5c..%5cetc%5cpasswd",
    "/master.m3u8%00", "/master.m3u8%00.ts", "/360p/index.m3u8%00", "//master.m3u8", "/360p//index.m3u8",
    "//etc/passwd", "/360p\\index.m3u8", "/360p%5cindex.m3u8", "/\\etc\\passwd", "/.liveladder",
    "/%2eliveladder", "/360p/../.liveladder", "/./.liveladder", "/fuzz-planted.txt", "/360p/fuzz-planted.ts",
    "/240p/segment-999999.ts", "/360p/passwd.ts", "/link.m3u8", "/360p/segment-@S@.ts.tmp", "/360p/", "/360p",
    "/", "/./master.m3u8", "/360p/./index.m3u8", "/MASTER.M3U8", "/master.m3u8/", "/%6daster.m3u8",
    "/360p%2findex.m3u8", "http://127.0.0.1/master.m3u8", "http://evil.example/360p/index.m3u8",
    "http://127.0.0.1/../etc/passwd", "*", "127.0.0.1:80", "", "master.m3u8", "/etc/passwd",
    "/proc/self/environ", "/dev/zero", "/360p/segment--1.ts", "/360p/segment-99999999999999999999.ts",
    "/360p/segment-@E+1@.ts", "/360p/index.m3u8#frag", "/master.m3u8;x", "/%C0%AE%C0%AE/master.m3u8",
    "/%ff", "/%", "/%zz", "/360p/s\u00e9gment-1.ts", "/\u00fcn\u00efc\u00f8d\u00e9.m3u8",
    "/\u2603/index.m3u8", "/360p/index.m3u8\u202e", "/" + "a" * 1023, "/" + "a" * 1024, "/" + "a" * 65536,
    "/360p/" + "%2e" * 400, "/" + "../" * 400 + "etc/passwd", "/" + "%2e%2e/" * 300 + "etc/passwd",
    "/360p/index.m3u8 ", "/ master.m3u8",
]


def choose_target(rng, notes, odd, ext="ts"):
    """(target bytes, the resource kind it names or None, whether it is plain)."""
    path, kind = real_resource(rng, ext)
    if not odd:
        return path, kind, True
    odd_path = rng.choice(ODD_PATHS)
    notes.append(f"path {odd_path[:48]!r}{f' ({len(odd_path)} chars)' if len(odd_path) > 48 else ''}")
    return odd_path, None, False


# (query, what the origin must do with it on a media playlist when the request is otherwise clean):
# now (200 at once), next (edge + 1: 200 within NEXT_BOUND), later (edge + 2: 200 or 503 within BLOCK_BOUND),
# far (edge + 3: 400 at once), bad (400 at once).
QUERIES = [
    ("?_HLS_msn=@E+1@", "next"), ("?_HLS_msn=@E+1@", "next"), ("?_HLS_msn=@E+2@", "later"),
    ("?_HLS_msn=@E+3@", "far"), ("?_HLS_msn=@E+3@", "far"), ("?_HLS_msn=@E@", "now"), ("?_HLS_msn=0", "now"),
    ("?_HLS_msn=@S@", "now"), ("?_HLS_msn=@E+1@&_HLS_skip=YES", "next"), ("?_HLS_msn=1&_HLS_msn=@E+3@", "far"),
    ("?_HLS_msn=@E+3@&_HLS_msn=1", "now"), ("?_HLS_msn=99999999999999999999", "bad"),
    ("?_HLS_msn=9223372036854775807", "bad"), ("?_HLS_msn=9223372036854775808", "bad"),
    ("?_HLS_msn=9999999999999999", "bad"), ("?_HLS_msn=-1", "bad"), ("?_HLS_msn=-0", None),
    ("?_HLS_msn=abc", "bad"), ("?_HLS_msn=1e3", "bad"), ("?_HLS_msn=0x10", "bad"), ("?_HLS_msn=+1", None),
    ("?_HLS_msn=%201", "bad"), ("?_HLS_msn=%31", "now"), ("?_HLS_msn=", "bad"), ("?_HLS_msn", None),
    ("?_HLS_msn=\u0661", "bad"), ("?_HLS_msn=1.5", "bad"), ("?_HLS_part=1", "bad"), ("?_HLS_part=0", "bad"),
    ("?_HLS_msn=@E@&_HLS_part=0", "bad"), ("?_HLS_msn=@E+1@&_HLS_part=99", "bad"), ("?_HLS_part=-1", "bad"),
    ("?_HLS_skip=YES", "now"), ("?_HLS_skip=v2", "now"), ("?_HLS_skip=NO", "bad"), ("?_HLS_skip=yes", "bad"),
    ("?_HLS_skip=", "bad"), ("?_HLS_skip=YES&_HLS_skip=NO", "bad"), ("?_HLS_skip=" + "Y" * 5000, "bad"),
    ("?_hls_msn=999999", "now"), ("?x=1&_HLS_msn=@E@", "now"), ("?", "now"), ("?&&&==", None),
    ("?_HLS_msn=@E+1@#frag", None), ("?" + "a=1&" * 2000, None), ("?_HLS_msn=" + "9" * 5000, "bad"),
    ("?_HLS_msn=%00", "bad"), ("?_HLS_msn=1%00", "bad"), ("?%5fHLS_msn=@E+3@", None),
]
BLOCKING = {"next", "later", "later-or-far"}


def choose_query(rng, notes, odd, ll=False):
    if not odd:
        return "", "now", True
    q, expect = rng.choice(QUERIES)
    if ll:
        # With parts, part 0 of the edge exists; edge + 3 may be the newest (in progress) + 2: held, not refused.
        # Or refused: between a segment's end and the next one's first part the playlist has no segment in
        # progress, and edge + 3 is then three past its last MSN (O2: 400). (http-origin-8-289.)
        expect = {"?_HLS_msn=@E@&_HLS_part=0": "now"}.get(q, expect)
        expect = "later-or-far" if expect == "far" else expect
    notes.append(f"query {q[:40]!r}{f' ({len(q)} chars)' if len(q) > 40 else ''}")
    # Raw non-ASCII in a target is refused by the parser (llhttp), so such a query is not a plain one.
    return q, expect, expect is not None and "#" not in q and q.isascii()


RANGES = [
    "bytes=0-99", "bytes=0-0", "bytes=100-", "bytes=1000-1999", "bytes=-500", "bytes=-1", "bytes=0-",
    "bytes=0-1,5-9", "bytes=0-10, 20-30", "bytes=9-0", "bytes=0-99999999999999", "bytes=99999999-",
    "bytes=99999999-99999999", "bytes=-0", "bytes=", "bytes=-", "bytes=abc", "bytes=1-abc", "items=0-5",
    "bytes = 0-5", "Bytes=0-5", "bytes=00000000000000000001-2", "bytes=-99999999999", "bytes=0-9223372036854775807",
    "bytes=9223372036854775807-", "bytes=18446744073709551616-", "bytes=-9223372036854775808", "bytes=\u0661-5",
    "bytes=0-5\x00", "bytes=" + "0-1," * 2000 + "0-1", "bytes=1-2-3", "bytes=--5", "bytes=5--", "bytes=\t0-5",
]


def choose_range(rng, notes, odd):
    if not odd:
        return []
    if rng.random() < 0.12:
        pair = [rng.choice(RANGES), rng.choice(RANGES)]
        notes.append(f"two Range headers {pair[0][:20]!r} / {pair[1][:20]!r}")
        return [b"Range: " + p.encode("utf-8") for p in pair]
    value = rng.choice(RANGES)
    notes.append(f"range {value[:40]!r}")
    return [b"Range: " + value.encode("utf-8")]


METHODS = [b"PUT", b"DELETE", b"POST", b"PATCH", b"OPTIONS", b"OPTIONS", b"HEAD", b"HEAD", b"TRACE", b"CONNECT",
           b"get", b"head", b"options", b"Get", b"PROPFIND", b"BREW", b"G\x00ET", b"", b"\xff\xfe"]
DOCUMENTED_METHODS = {b"GET", b"HEAD", b"OPTIONS"}


def choose_method(rng, notes, odd):
    """(method, whether it is a well-formed token the parser passes on)."""
    if not odd:
        return (b"GET", True) if rng.random() < 0.85 else (b"HEAD", True)
    m = rng.choice(METHODS)
    notes.append(f"method {m[:20]!r}")
    return m, m in (b"PUT", b"DELETE", b"POST", b"PATCH", b"OPTIONS", b"HEAD", b"TRACE", b"PROPFIND")  # not BREW: llhttp refuses it


def make_request(rng, notes, ll=False):
    odd = set(rng.sample(DIMENSIONS, rng.choice([0, 1, 1, 1, 2, 2, 3])))
    path, resource, plain_target = choose_target(rng, notes, "target" in odd, "m4s" if ll else "ts")
    query, expect, plain_query = ("", "now", True)
    if resource == "playlist" and rng.random() < 0.25:
        # The blocking reload itself, alone, so its timing is judged (QUERIES holds them among 50 others).
        query, expect = rng.choice([("?_HLS_msn=@E+1@", "next"), ("?_HLS_msn=@E+2@", "later"), ("?_HLS_msn=@E+3@", "far")])
        if ll and expect == "far":
            query = "?_HLS_msn=@N+3@"
        notes.append(f"query {query!r}")
        plain_query, odd = True, set()
    elif resource == "playlist" and rng.random() < 0.6:
        # The directives are the playlist's own input: drawn for most playlist requests, and a blocking one
        # mostly comes with nothing else odd, so its timing and answer are judged.
        query, expect, plain_query = choose_query(rng, notes, True, ll)
        if expect in BLOCKING | {"far"} and rng.random() < 0.7:
            odd = set()
    elif "query" in odd:
        query, expect, plain_query = choose_query(rng, notes, True, ll)
    method, plain_method = choose_method(rng, notes, "method" in odd)
    if method in (b"PUT", b"DELETE", b"POST", b"PATCH") and "body" not in odd and rng.random() < 0.7:
        odd.add("body")  # the write methods mostly come with bodies
    version, plain_version = httpfuzz.choose_version(rng, notes, "version" in odd)
    lines = [b"Host: " + httpfuzz.HOST, b"User-Agent: liveladder-fuzz", b"Accept: */*"]
    if rng.random() < 0.3:
        lines.append(b"Origin: https://player.example")
    ranges = choose_range(rng, notes, "range" in odd or resource in ("segment", "old") and rng.random() < 0.4)
    lines += ranges
    # A control byte (NUL) in a header value is the parser's to refuse (http-origin-2-466): not a clean head.
    clean_head = not any(b < 0x20 and b != 0x09 for r in ranges for b in r)
    if "headers" in odd:
        clean_head = httpfuzz.header_damage(rng, lines, notes) and clean_head
    body_lines, body, framed = httpfuzz.choose_body(rng, method, notes, "body" in odd)
    lines += body_lines
    rendition = "240p" if "240p" in path else "360p"
    target = re.sub(r"@(E|E\+1|E\+2|E\+3|S|O|N\+2|N\+3|PM|PN|PN\+1|HM|HN|H3|LIM|LIM\+1)@", rf"@{rendition}:\1@",
                    path + query).encode("utf-8")
    head = method + b" " + target + b" " + version if version else method + b" " + target
    if "line" in odd:
        head = rng.choice([b"", b"\r\n" + head, b" " + head, head.replace(b" ", b"  ", 1), head + b" "])
        notes.append("request line spacing")
        plain_target = False
    raw = head + b"\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n" + body
    clean = plain_target and plain_query and plain_method and plain_version and clean_head and framed
    blocking = expect in BLOCKING | PART_BLOCKING and resource in ("playlist", None) and method in (b"GET", b"HEAD", b"get",
                                                                                      b"head", b"Get")
    return raw, {"method": method.decode("latin-1")[:40], "target": target.decode("latin-1")[:200],
                 "target_len": len(target), "route": resource, "resource": resource, "expect": expect,
                 "blocking": blocking, "range": ranges[0].decode("latin-1")[7:] if len(ranges) == 1 else
                 (None if not ranges else "several"), "framed": framed and clean_head, "clean": clean,
                 "head_method": method in (b"HEAD", b"CONNECT"), "canonical_auth": True, "carries_token": False}


# The parts flavour's own requests: (target, resource, expect). Playlist directives on parts (expect:
# nextpart = 200 within NEXT_PART_BOUND listing that part; limit = the advance-part limit itself, held: 200 or
# 503; bad/far = 400 at once; later = 200 or 503; now = 200 at once) and the part files (resource part: 200 with
# the file's bytes; hint: the preload-hinted part, not yet published when asked; hint3: a hint 3 segments ahead).
PART_REQUESTS = [
    ("/{r}/index.m3u8?_HLS_msn=@PM@&_HLS_part=@PN+1@", "playlist", "nextpart"),
    ("/{r}/index.m3u8?_HLS_msn=@PM@&_HLS_part=@PN+1@", "playlist", "nextpart"),
    ("/{r}/index.m3u8?_HLS_msn=@PM@&_HLS_part=@PN+1@&_HLS_skip=YES", "playlist", "nextpart"),
    ("/{r}/index.m3u8?_HLS_msn=@PM@&_HLS_part=@LIM@", "playlist", "limit"),
    ("/{r}/index.m3u8?_HLS_msn=@PM@&_HLS_part=@LIM+1@", "playlist", "bad"),
    ("/{r}/index.m3u8?_HLS_msn=@N+2@&_HLS_part=@LIM+1@", "playlist", "bad"),
    ("/{r}/index.m3u8?_HLS_msn=@N+2@&_HLS_part=0", "playlist", "later"),
    ("/{r}/index.m3u8?_HLS_msn=@N+3@&_HLS_part=0", "playlist", "far"),
    ("/{r}/index.m3u8?_HLS_msn=@O@&_HLS_part=0", "playlist", "now"),
    ("/{r}/index.m3u8?_HLS_msn=@O@&_HLS_part=@LIM@", "playlist", "now"),
    ("/{r}/index.m3u8?_HLS_msn=@S@&_HLS_part=0", "playlist", "now"),
    ("/{r}/index.m3u8?_HLS_part=@PN+1@", "playlist", "bad"),
    ("/{r}/segment-@PM@.@PN@.m4s", "part", None), ("/{r}/segment-@PM@.@PN@.m4s", "part", None),
    ("/{r}/segment-@PM@.0.m4s", "part", None),
    ("/{r}/segment-@HM@.@HN@.m4s", "hint", None), ("/{r}/segment-@HM@.@HN@.m4s", "hint", None),
    ("/{r}/segment-@H3@.@HN@.m4s", "hint3", None),
]
PART_BLOCKING = {"nextpart", "limit"}
PART_RANGES = ["bytes=0-99", "bytes=0-0", "bytes=100-", "bytes=-500", "bytes=0-", "bytes=99999999-",
               "bytes=0-1,5-9", "bytes=-0", "bytes=9-0"]


def make_part_request(rng, notes):
    """One clean GET/HEAD for a part or a part directive (the parts flavour)."""
    rendition = rng.choice(RENDITIONS)
    path, resource, expect = rng.choice(PART_REQUESTS)
    target = re.sub(r"@([^@/]+)@", rf"@{rendition}:\1@", path.format(r=rendition))
    method = b"GET" if rng.random() < 0.85 else b"HEAD"
    notes.append(f"part request {path.split('/', 2)[2][:48]!r}")
    lines = [b"Host: " + httpfuzz.HOST, b"User-Agent: liveladder-fuzz", b"Accept: */*"]
    ranges = []
    if resource == "part" and rng.random() < 0.4:
        value = rng.choice(PART_RANGES)
        notes.append(f"range {value!r}")
        ranges = [b"Range: " + value.encode()]
    lines += ranges
    raw = method + b" " + target.encode() + b" HTTP/1.1\r\n" + b"".join(l + b"\r\n" for l in lines) + b"\r\n"
    return raw, {"method": method.decode(), "target": target, "target_len": len(target), "route": resource,
                 "resource": resource, "expect": expect if resource == "playlist" else "now",
                 "blocking": expect in BLOCKING | PART_BLOCKING, "range": ranges[0].decode()[7:] if ranges else None,
                 "framed": True, "clean": True, "head_method": method == b"HEAD", "canonical_auth": True,
                 "carries_token": False, "part_directive": resource == "playlist"}


def make_case(rng, ll=False):
    notes = []
    n = 1 if rng.random() < 0.75 else rng.randint(2, 4)
    if n > 1:
        notes.append(f"pipelined x{n}")
    requests, infos = [], []
    for _ in range(n):
        raw, info = make_part_request(rng, notes) if ll and rng.random() < 0.5 else make_request(rng, notes, ll)
        requests.append(raw)
        infos.append(info)
    wire = b"".join(requests)
    chunks, shutdown, framed = httpfuzz.frame(wire, infos, rng, notes)
    made = {"variant": "origin", "requests": infos, "wire": wire, "chunks": chunks, "shutdown": shutdown,
            "framed": framed, "notes": notes}
    if ll:
        made["flavour"] = "ll"
        notes.insert(0, "parts flavour")
    return made


# ---------------------------------------------------------------------------------------------------
# The live state and the placeholders
# ---------------------------------------------------------------------------------------------------

def live_state(port, rendition="360p"):
    """{'edge', 'sequence', 'count'} of a media playlist as the origin serves it now, or None."""
    status, _, body = httpfuzz.simple_get(port, f"/{rendition}/index.m3u8", timeout=5)
    if status != 200 or not isinstance(body, bytes):
        return None
    m = re.search(rb"#EXT-X-MEDIA-SEQUENCE:(\d+)", body)
    count = body.count(b"#EXTINF:")
    seq = int(m.group(1)) if m else 0
    state = {"edge": seq + count - 1, "sequence": seq, "count": count}
    state.update(part_state(body))
    return state


PART_URI = re.compile(rb'#EXT-X-PART:[^\n]*URI="segment-(\d+)\.(\d+)\.m4s"')
HINT_URI = re.compile(rb'#EXT-X-PRELOAD-HINT:[^\n]*URI="segment-(\d+)\.(\d+)\.m4s"')
PART_TARGET = re.compile(rb"#EXT-X-PART-INF:PART-TARGET=([0-9.]+)")


def part_state(body):
    """The parts a media playlist lists: {'part': (msn, index) of the newest, 'hint': (msn, index),
    'part_target': float}, only the keys the playlist has."""
    state = {}
    parts = [(int(a), int(b)) for a, b in PART_URI.findall(body)]
    if parts:
        state["part"] = max(parts)
    hint = HINT_URI.search(body)
    if hint:
        state["hint"] = (int(hint.group(1)), int(hint.group(2)))
    target = PART_TARGET.search(body)
    if target:
        state["part_target"] = float(target.group(1))
    return state


def part_satisfied(body, msn, part):
    """BlockingReload.isSatisfied as documented (docs/delivery.md): does this playlist list part `part` of
    segment `msn`, where a part past the last of a complete `msn` means part 0 of `msn + 1`?"""
    seq = re.search(rb"#EXT-X-MEDIA-SEQUENCE:(\d+)", body)
    last = int(seq.group(1)) + body.count(b"#EXTINF:") - 1 if seq else -1
    parts = [(int(a), int(b)) for a, b in PART_URI.findall(body)]
    if b"#EXT-X-ENDLIST" in body:
        return True
    if any(m == msn and i >= part for m, i in parts) or any(m > msn for m, _ in parts):
        return True
    if last < msn:
        return False
    of_msn = [i for m, i in parts if m == msn]
    # A complete msn: unlisted parts (expired) say nothing; past its last part means the next segment.
    return not of_msn or part <= max(of_msn) or last > msn


def advance_limit(target):
    return -(-3 // target) if target < 1 else 3  # ceil(3 / PART-TARGET)


def values_of(states):
    """{'360p:E+1': …} from each rendition's live state."""
    values = {}
    for rendition, state in states.items():
        for name, value in (("E", state["edge"]), ("E+1", state["edge"] + 1), ("E+2", state["edge"] + 2),
                            ("E+3", state["edge"] + 3), ("S", state["sequence"]), ("O", max(0, state["sequence"] - 3))):
            values[f"{rendition}:{name}"] = value
        if "part" in state or "hint" in state or "part_target" in state:
            pm, pn = state.get("part", (state["edge"], 0))
            hm, hn = state.get("hint", (pm, pn + 1))
            newest = max(state["edge"], pm)
            limit = int(advance_limit(state.get("part_target", 0.5)))
            for name, value in (("N+2", newest + 2), ("N+3", newest + 3), ("PM", pm), ("PN", pn), ("PN+1", pn + 1),
                                ("HM", hm), ("HN", hn), ("H3", hm + 3), ("LIM", limit), ("LIM+1", limit + 1)):
                values[f"{rendition}:{name}"] = value
    return values


def fill(m, values):
    return str(values[f"{(m.group(1) or b'360p').decode()}:{m.group(2).decode()}"]).encode()


def resolve(case, states):
    """Fills the placeholders in: (the chunks as sent, the values used)."""
    values = values_of(states)
    out = []
    for data, pause in case["chunks"]:
        out.append([data, pause])
    # A placeholder may be split over pieces: substitute on the whole wire, then cut it where the pieces were.
    wire = b"".join(d for d, _ in out)
    new, mapping, pos = b"", {}, 0
    for m in PLACEHOLDER.finditer(wire):
        for i in range(pos, m.start()):
            mapping[i] = len(new) + i - pos
        new += wire[pos:m.start()]
        for i in range(m.start(), m.end()):
            mapping[i] = len(new)
        new += fill(m, values)
        pos = m.end()
    for i in range(pos, len(wire) + 1):
        mapping[i] = len(new) + i - pos
    new += wire[pos:]
    chunks, start = [], 0
    offset = 0
    for data, pause in out:
        offset += len(data)
        end = mapping[offset]
        chunks.append((new[start:end], pause))
        start = end
    return chunks, values


def exchange(port, case):
    """httpfuzz.exchange with the placeholders filled in from the live playlist read just before, and that
    playlist read again after the answers (so a segment published in between is known)."""
    before = {r: live_state(port, r) for r in RENDITIONS}
    if None in before.values():
        return {"responses": [], "closed": False, "timed_out": False, "problem": None, "send_error": None,
                "connect_error": "no live playlist before the case"}
    chunks, values = resolve(case, before)
    blocking = sum(1 for r in case["requests"] if r["blocking"])
    bound = httpfuzz.BOUND + BLOCK_BOUND * blocking if blocking else httpfuzz.BOUND
    result = httpfuzz.exchange(port, dict(case, chunks=chunks), bound=bound)
    result["before"], result["values"] = before, values
    result["after"] = {r: live_state(port, r) for r in RENDITIONS}
    result["sent"] = b"".join(d for d, _ in chunks)
    return result


def plant(out):
    """Files in the output folder that were never published, for the leak oracle; removed again before check."""
    for rel in PLANTS:
        with open(os.path.join(out, rel), "wb") as f:
            f.write(PLANTED + b" " + rel.encode() + b"\n")
    for rel, to in LINKS.items():
        path = os.path.join(out, rel)
        if not os.path.lexists(path):
            os.symlink(to, path)


def unplant(out):
    for rel in PLANTS + list(LINKS):
        try:
            os.unlink(os.path.join(out, rel))
        except FileNotFoundError:
            pass


def secrets(out):
    """Byte strings that must never be in a body: planted files, the marker's content, /etc/passwd's first line."""
    found = [PLANTED]
    try:
        with open("/etc/passwd", "rb") as f:
            line = f.readline().strip()
            if line:
                found.append(line)
    except OSError:
        pass
    try:
        with open(os.path.join(out, ".liveladder"), "rb") as f:
            marker = f.read().strip()
            if len(marker) >= 8:
                found.append(marker)
    except OSError:
        pass
    return found


# ---------------------------------------------------------------------------------------------------
# Oracles
# ---------------------------------------------------------------------------------------------------

STATUSES = {200, 204, 206, 400, 404, 405, 416}
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)$")


def expected_range(header, length):
    """What RFC 9110 §14 makes of one Range value: ('part', start, end_inclusive), 'unsatisfiable' or None
    (not a single valid byte range: the server may ignore it)."""
    m = re.fullmatch(r"bytes=([0-9]*)-([0-9]*)", header or "")
    if not m or not (m.group(1) or m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if not first:
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return ("part", max(0, length - suffix), length - 1)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= length:
        return "unsatisfiable"
    end = min(int(last), length - 1) if last else length - 1
    return ("part", start, end)


def parser_answer(resp):
    """NIO's own refusal of an unparsable request: 400, Connection: close, no body, no CORS."""
    return resp.status == 400 and not resp.body and resp.header("access-control-allow-origin") is None


def segment_file(out, target):
    """The output folder's file a segment target names, if it is one of ours (`/360p/segment-N.ts`)."""
    m = re.fullmatch(r"/(360p|240p)/(segment-\d+(?:\.\d+)?\.(?:ts|m4s))(\?.*)?", target)
    return os.path.join(out, m.group(1), m.group(2)) if m else None


def judge(case, result, out, hidden, seen=None):
    """[(class, signature)] for one origin exchange. `out`: the output folder; `hidden`: secrets(out);
    `seen`: the server's state across its cases (the parts flavour's PART-TARGET)."""
    found = []
    seen = {} if seen is None else seen
    if result.get("connect_error"):
        return [("server-gone", f"server-gone: {httpfuzz._norm(result['connect_error'])}")]
    if result["problem"]:
        found.append(("malformed-response", f"malformed-response: {httpfuzz._norm(result['problem'])}"))
    want = httpfuzz.expected_answers(case)
    if result["timed_out"] and not result["responses"]:
        what = "half-closed" if case["shutdown"] else "framed" if case["framed"] else "unframed"
        kind = "blocking reload" if any(r["blocking"] for r in case["requests"]) else "request"
        found.append(("hang", f"hang origin: no status line and no close ({kind}, {what})"))
    elif result["timed_out"] and not case["shutdown"] and len(result["responses"]) < want and case["framed"]:
        found.append(("hang", f"hang origin: {len(result['responses'])} of {want} pipelined requests answered, "
                              f"then silence"))
    before, after = result.get("before") or {}, result.get("after") or {}
    # A segment published between the read before the case and the one after it: edge-relative answers may
    # then be those of the next edge.
    moved = any(not after.get(r) or not before.get(r) or after[r]["edge"] != before[r]["edge"] or
                after[r].get("part", (0,))[0] != before[r].get("part", (0,))[0] for r in RENDITIONS)
    single = len(case["requests"]) == 1 and not case["shutdown"] and len(case["chunks"]) == 1
    for i, resp in enumerate(result["responses"]):
        req = case["requests"][i] if i < len(case["requests"]) else case["requests"][-1]
        label = f"{req['method'][:10] or '(none)'} {req['resource'] or '(odd path)'}"
        for secret in hidden:
            if secret and secret in resp.body:
                found.append(("file-leak", f"file-leak: a {resp.status} body holds an unpublished file's bytes "
                                           f"for {label}"))
        if parser_answer(resp):
            # Only the first request: after an HTTP/1.0 one or `Connection: close` the rest need no answer, and a
            # truncated or unframed case may cut a clean request short.
            if req["clean"] and i == 0 and case["framed"] and not case["shutdown"]:
                found.append(("wrong-status", f"wrong-status: the parser refused a clean request ({label})"))
            continue
        blocked_503 = resp.status == 503 and req["expect"] in ("later", "later-or-far", "next", "far", "limit", "nextpart") and \
            req["resource"] in ("playlist", None)
        if resp.status not in STATUSES and not blocked_503:
            cls = "server-error" if resp.status >= 500 else "wrong-status"
            found.append((cls, f"{cls}: {resp.status} for {label}"))
        if resp.header("access-control-allow-origin") != "*":
            found.append(("no-cors", f"no-cors: {resp.status} without Access-Control-Allow-Origin: * for {label}"))
        if resp.status >= 400 and resp.body and not (resp.header("content-type") or "").startswith("text/plain"):
            found.append(("error-not-text", f"error-not-text: {resp.status} {resp.header('content-type')}"))
        if resp.status == 405 and resp.header("allow") != "GET, HEAD, OPTIONS":
            found.append(("wrong-status", f"wrong-status: 405 without Allow: GET, HEAD, OPTIONS"))
        m = req["method"]
        if req["clean"]:
            found += clean_expectations(req, resp, m, label, moved, single, result)
        if resp.status in (200, 206, 416) and req["resource"] in ("segment", "old", "part", "hint", "hint3") and m == "GET":
            found += segment_bytes(req, resp, out, result)
        if case.get("flavour") == "ll":
            found += part_expectations(req, resp, label, moved, single, result, seen)
    return found


def part_expectations(req, resp, label, moved, single, result, seen):
    """The parts flavour's oracles (README.md, "origin", parts flavour)."""
    found = []
    m, resource, seconds = req["method"], req["resource"], result.get("seconds", 0)
    if resource == "playlist" and resp.status == 200 and m == "GET" and resp.body.startswith(b"#EXTM3U"):
        target = PART_TARGET.search(resp.body)
        if not target:
            found.append(("wrong-body", "wrong-body: a media playlist of the parts flavour without EXT-X-PART-INF"))
        else:
            value = target.group(1).decode()
            if seen.setdefault("part_target", value) != value:
                found.append(("wrong-body", "wrong-body: PART-TARGET changed between playlist answers"))
    if not req["clean"] or m not in ("GET", "HEAD"):
        return found
    if resource == "part" and resp.status == 404:
        found.append(("wrong-status", "wrong-status: 404 for a part the playlist lists"))
    if resource == "hint3" and resp.status != 404 and not parser_answer(resp):
        found.append(("wrong-status", f"wrong-status: {resp.status} for the part 3 segments past the hint "
                                      f"(404 expected: not published)"))
    if not req.get("part_directive"):
        return found
    expect = req["expect"]
    if expect == "nextpart":
        if resp.status != 200:
            found.append(("directive", f"directive: {resp.status} for _HLS_part = the newest part + 1 (200 expected)"))
        elif single and seconds > NEXT_PART_BOUND:
            found.append(("directive", f"directive: the next part answered after more than {NEXT_PART_BOUND} s"))
        if resp.status == 200 and m == "GET":
            values = result.get("values") or {}
            r = "240p" if "/240p/" in req["target"] else "360p"
            want = (values.get(f"{r}:PM"), values.get(f"{r}:PN+1"))
            if None not in want and not part_satisfied(resp.body, *want):
                found.append(("directive", "directive: a held next-part request answered before its part was listed"))
    elif expect == "limit" and resp.status not in (200, 503):
        found.append(("directive", f"directive: {resp.status} for _HLS_part at the advance-part limit (200 or 503)"))
    return found


def clean_expectations(req, resp, method, label, moved, single, result):
    """What a clean request must get (a documented answer for each method and resource)."""
    found = []
    if method == "OPTIONS":
        if resp.status != 204:
            found.append(("wrong-status", f"wrong-status: {resp.status} for a clean OPTIONS"))
        return found
    if method not in ("GET", "HEAD"):
        if resp.status != 405:
            found.append(("wrong-status", f"wrong-status: {resp.status} for a clean {method}"))
        return found
    resource = req["resource"]
    if resource in ("master", "playlist", "segment") and resp.status == 404:
        found.append(("wrong-status", f"wrong-status: 404 for the published {resource}"))
    if resource != "playlist":
        return found
    expect = req["expect"]
    seconds = result.get("seconds", 0)
    # Timing is only meaningful for a lone request sent at once.
    if expect == "bad" and resp.status != 400:
        found.append(("directive", f"directive: {resp.status} for a malformed directive (400 expected)"))
    elif expect == "far" and not moved and (resp.status != 400 or single and seconds > AT_ONCE):
        found.append(("directive", f"directive: {resp.status} after {'>' if seconds > AT_ONCE else '<'}"
                                   f"{AT_ONCE:.0f} s for _HLS_msn = edge + 3 (400 at once expected)"))
    elif expect == "next" and resp.status != 200:
        found.append(("directive", f"directive: {resp.status} for _HLS_msn = edge + 1 (200 expected)"))
    elif expect == "next" and single and seconds > NEXT_BOUND:
        found.append(("directive", f"directive: edge + 1 answered after more than {NEXT_BOUND} s"))
    elif expect == "later" and resp.status not in (200, 503):
        found.append(("directive", f"directive: {resp.status} for _HLS_msn = edge + 2"))
    elif expect == "later-or-far" and resp.status not in (200, 503, 400):
        found.append(("directive", f"directive: {resp.status} for _HLS_msn = edge + 3 with parts (200, 503 or 400)"))
    elif expect == "now" and resp.status != 200:
        found.append(("directive", f"directive: {resp.status} for a playlist request that needs no wait"))
    elif expect == "now" and single and seconds > httpfuzz.BOUND:
        found.append(("directive", f"directive: a request that needs no wait was held"))
    if resp.status == 200 and method == "GET":
        if not resp.body.startswith(b"#EXTM3U"):
            found.append(("wrong-body", "wrong-body: a 200 playlist that is not a playlist"))
        elif expect in ("next", "later", "later-or-far") and not req.get("part_directive"):
            values = result.get("values") or {}
            rendition = "240p" if "/240p/" in req["target"] else "360p"
            want = values.get(f"{rendition}:{'E+1' if expect == 'next' else 'E+2'}")
            seq = re.search(rb"#EXT-X-MEDIA-SEQUENCE:(\d+)", resp.body)
            last = int(seq.group(1)) + resp.body.count(b"#EXTINF:") - 1 if seq else -1
            if want is not None and last < want and b"#EXT-X-ENDLIST" not in resp.body:
                found.append(("directive", f"directive: a blocking reload answered before its segment existed"))
    return found


def segment_bytes(req, resp, out, result):
    """A 200 or 206 for one of our segments: the file's bytes, and for 206 the range asked for."""
    found = []
    sent_target = _sent_target(result, req)
    path = segment_file(out, sent_target) if sent_target else None
    if not path:
        return found
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return found  # deleted since (the live window's grace): nothing to compare with
    if resp.status == 416:
        want = expected_range(req["range"], len(data)) if req["range"] != "several" else None
        if isinstance(want, tuple):
            found.append(("wrong-range", "wrong-range: 416 for a satisfiable range"))
        if resp.header("content-range") != f"bytes */{len(data)}":
            found.append(("wrong-range", f"wrong-range: 416 with Content-Range {(resp.header('content-range') or '')[:40]!r}"))
        return found
    if resp.status == 200:
        if resp.body != data:
            found.append(("wrong-body", f"wrong-body: a 200 segment differs from the file ({len(resp.body)} vs "
                                        f"{len(data)} bytes)"))
        return found
    cr = CONTENT_RANGE.match(resp.header("content-range") or "")
    if not cr:
        return [("wrong-range", f"wrong-range: 206 with Content-Range {(resp.header('content-range') or '')[:40]!r}")]
    a, b, total = int(cr.group(1)), int(cr.group(2)), int(cr.group(3))
    if total != len(data) or b < a or b >= total:
        found.append(("wrong-range", "wrong-range: Content-Range outside the file"))
    elif resp.body != data[a:b + 1]:
        found.append(("wrong-range", f"wrong-range: a 206 body is not the bytes Content-Range names "
                                     f"({len(resp.body)} bytes for {b - a + 1})"))
    want = expected_range(req["range"], len(data)) if req["range"] != "several" else None
    if want is None:
        pass
    elif want == "unsatisfiable":
        found.append(("wrong-range", "wrong-range: 206 for an unsatisfiable range"))
    elif (a, b) != want[1:]:
        found.append(("wrong-range", "wrong-range: 206 for another range than the one asked for"))
    return found


def _sent_target(result, req):
    """The request's target with the placeholders filled in as sent."""
    values = result.get("values") or {}
    try:
        return PLACEHOLDER.sub(lambda m: fill(m, values), req["target"].encode("latin-1")).decode("latin-1")
    except KeyError:
        return None
