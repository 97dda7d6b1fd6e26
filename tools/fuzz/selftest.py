#!/usr/bin/env python3
"""Checks of the harness itself (no liveladder binary, no ffmpeg): classification, signatures, determinism.

  python3 tools/fuzz/selftest.py
"""

import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import configs  # noqa: E402
import fuzz  # noqa: E402
import httpfuzz  # noqa: E402
import originfuzz  # noqa: E402
import pushfuzz  # noqa: E402
import media  # noqa: E402
import suites  # noqa: E402


def result(code=0, sig=None, stdout="", stderr="", timed_out=False, mem_killed=False, cpu=0.0, seconds=1.0,
           peak=0):
    return {"argv": ["liveladder"], "code": code, "signal": sig, "timed_out": timed_out, "mem_killed": mem_killed,
            "seconds": seconds, "cpu": cpu, "peak_rss": peak, "stdout": stdout, "stderr": stderr}


class ClassifierTests(unittest.TestCase):
    def setUp(self):
        self.c = fuzz.Classifier({"run": {0, 3, 4, 5, 6, 7, 8, 9, 10, 64}, "check": {0, 1, 3, 4, 7, 64}},
                                 "root:x:0:0:root:/root:/bin/bash")

    def classes(self, r, command="run"):
        return sorted({c for c, _ in self.c.binary_step(r, command, "/case")})

    def test_clean_error(self):
        self.assertEqual(self.classes(result(3, stderr="liveladder: error: line 2: bad\n")), [])

    def test_log_lines_before_the_error_are_fine(self):
        r = result(8, stderr="2026-12-01 warning liveladder: x\nliveladder: error: boom\n")
        self.assertEqual(self.classes(r), [])

    def test_multi_line_error(self):
        self.assertEqual(self.classes(result(4, stderr="liveladder: error: a\nmore of it\n")), ["error-not-one-line"])
        self.assertEqual(self.classes(result(4, stderr="liveladder: error: a\nliveladder: error: b\n")),
                         ["error-not-one-line"])
        self.assertEqual(self.classes(result(64, stderr="Error: Missing '--input'\nUsage: ...\n")),
                         ["error-not-one-line"])

    def test_undocumented_exit(self):
        self.assertEqual(self.classes(result(1, stderr="liveladder: error: the run did not finish\n")),
                         ["undocumented-exit"])
        self.assertEqual(self.classes(result(8, stderr="liveladder: error: x\n"), "check"), ["undocumented-exit"])

    def test_check_exit_1(self):
        self.assertEqual(self.classes(result(1, stdout="MP1 x\n", stderr="liveladder: 1 rule failures\n"), "check"), [])

    def test_crash_and_sanitizer(self):
        r = result(None, 4, stderr="*** Swift runtime failure: Not enough bits ***\nThread 5 crashed:\n"
                                   "  0 [inlined] [system] 0x01 Swift runtime failure: x in liveladder at //<gen>\n"
                                   "  1                    0x02 Foo.bar(_:) + 12 in liveladder at /src/Foo.swift:3:4\n")
        found = self.c.binary_step(r, "run", "/case")
        self.assertEqual([c for c, _ in found], ["crash"])
        self.assertIn("Not enough bits @ Foo.bar(_:) in liveladder", found[0][1])
        asan = result(1, stderr="==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6\n"
                                "    #0 0x55 in av_opt_next (/lib/libavutil.so+0x1)\n")
        self.assertEqual(self.classes(asan), ["crash"])

    def test_hang_and_leak(self):
        self.assertEqual(self.classes(result(None, timed_out=True, cpu=0.0)), ["hang"])
        sig = self.c.binary_step(result(None, timed_out=True, cpu=5, seconds=5, peak=2 << 30), "run", "")[0][1]
        self.assertEqual(sig, "hang run (timeout, busy, memory over 1 GiB)")
        r = result(1, stdout='MP1 /etc/passwd: found "root:x:0:0:root:/root:/bin/bash"\n',
                   stderr="liveladder: 1 rule failures\n")
        self.assertEqual(self.classes(r, "check"), ["leak"])

    def test_normalize(self):
        self.assertEqual(fuzz.normalize('MV6 a/90p/index.m3u8 #3: 29.97 "x1" h264 0xdead', ""),
                         'MV6 a/Np/index.m3u8 #N: N "…" h264 N')


class DeterminismTests(unittest.TestCase):
    def test_media_mutations_repeat(self):
        data = bytes(range(256)) * 200
        a = media.mutate(data, "ts", fuzz.case_rng("inputs", 3, 7))
        b = media.mutate(data, "ts", fuzz.case_rng("inputs", 3, 7))
        self.assertEqual(a, b)

    def test_config_mutations_repeat(self):
        for i in range(50):
            self.assertEqual(configs.mutate(fuzz.case_rng("configs", 1, i)), configs.mutate(fuzz.case_rng("configs", 1, i)))

    def test_case_ids(self):
        self.assertEqual(fuzz.parse_case_id("inputs-1-42"), ("inputs", 1, 42))
        self.assertEqual(fuzz.parse_case_id("suites-20261201-3"), ("suites", 20261201, 3))
        self.assertEqual(fuzz.parse_case_id("configs-special-fifo"), ("configs", None, "special-fifo"))

    def test_mp4_walk(self):
        # moov > trak > mdia > minf > stbl > stsd > mp4a > esds, built by hand.
        def box(t, payload):
            return (8 + len(payload)).to_bytes(4, "big") + t + payload
        asc = bytes([0x12, 0x10])
        esds = box(b"esds", b"\0\0\0\0" + bytes([3, 25, 0, 1, 0, 4, 17, 0x40, 0x15]) + bytes(12) + bytes([5, 2]) + asc)
        mp4a = box(b"mp4a", bytes(28) + esds)
        stsd = box(b"stsd", b"\0\0\0\0\0\0\0\1" + mp4a)
        tree = box(b"moov", box(b"trak", box(b"mdia", box(b"minf", box(b"stbl", stsd)))))
        found = media.find(tree, b"esds")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0].path(), "moov/trak/mdia/minf/stbl/stsd/mp4a/esds")
        buf = bytearray(tree)
        note = media.m_mp4_esds(buf, random.Random(1))
        self.assertTrue(note.startswith("esds"))


class SuitesTests(unittest.TestCase):
    def setUp(self):
        self.c = fuzz.Classifier(fuzz.documented_codes(), "root:x")

    def classes(self, r, command="regress", junit=None):
        found = self.c.binary_step(r, command, "/case")
        if command == "regress":
            found += fuzz.regress_problems(r, junit, "/case")
        if command == "summarize":
            found += fuzz.summarize_problems(r)
        return sorted({c for c, _ in found})

    def test_the_same_seed_and_index_make_the_same_plan(self):
        for i in range(60):
            self.assertEqual(suites.mutate(fuzz.case_rng("suites", 1, i)), suites.mutate(fuzz.case_rng("suites", 1, i)))

    def test_regress_codes_and_shapes(self):
        total = "regress: 2 cases, 1 passed, 1 failed, 0 could not run (0.4 s, of which quality 0.1 s)\n"
        ok = "PASS  a (3 checks, 0.1 s, quality 0.0 s)\nFAIL  b: x dropped\n" + total
        self.assertEqual(self.classes(result(1, stdout=ok)), [])
        self.assertEqual(self.classes(result(0, stdout=ok)), ["regress-output-malformed"])  # totals say 1
        self.assertEqual(self.classes(result(3, stderr="liveladder: error: x\n")), ["undocumented-exit"])
        self.assertEqual(self.classes(result(2, stderr="liveladder: error: a\nliveladder: error: b\n")),
                         ["error-not-one-line"])
        self.assertEqual(self.classes(result(2, stderr="liveladder: error: s.yaml: no cases\n")), [])
        broken = "ERROR b: the run failed\nmore of the message\n" + total.replace("1 failed, 0", "0 failed, 1")
        self.assertEqual(self.classes(result(2, stdout=broken)), ["regress-output-malformed"])
        self.assertEqual(self.classes(result(2, stdout="PASS  a (1 checks)\n")), ["regress-output-malformed"])
        update = "UPDATED a (0.1 s, quality 0.0 s)\n  new golden\nsame  b (0.1 s)\n" + total.replace("1 passed, 1 failed", "2 passed, 0 failed")
        self.assertEqual(self.classes(result(0, stdout=update)), [])

    def test_junit_counts(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "j.xml")
            with open(path, "w") as f:
                f.write('<?xml version="1.0"?><testsuites tests="2" failures="1" errors="0" skipped="0">'
                        '<testsuite name="a" tests="2" failures="1" errors="0"><testcase name="x"/>'
                        '<testcase name="y"><failure message="m"/></testcase></testsuite></testsuites>')
            self.assertIsNone(fuzz.junit_problem(path, 1, 1, 0))
            self.assertIn("testsuites", fuzz.junit_problem(path, 2, 1, 0))
            with open(path, "w") as f:
                f.write('<testsuites tests="3" failures="1" errors="0" skipped="0"></testsuites>')
            self.assertIn("tests=3", fuzz.junit_problem(path, 0, 0, 0))
            os.remove(path)
            self.assertEqual(fuzz.junit_problem(path, 0, 0, 0), "no JUnit file written")

    def test_summarize_exit0_must_be_a_summary(self):
        good = '{"format": 1, "tools": {}, "master": {}, "renditions": []}'
        self.assertEqual(self.classes(result(0, stdout=good), "summarize"), [])
        self.assertEqual(self.classes(result(0, stdout="Master\n  x"), "summarize"), ["exit0-not-a-summary"])
        self.assertEqual(self.classes(result(0, stdout='{"format": 1}'), "summarize"), ["exit0-not-a-summary"])
        self.assertEqual(self.classes(result(8, stderr="liveladder: error: x\n"), "summarize"), ["undocumented-exit"])
        self.assertEqual(self.classes(result(4, stderr="liveladder: error: x\n"), "summarize"), [])


class HttpTests(unittest.TestCase):
    def case(self, variant="token", **req):
        info = {"method": "GET", "target": "/v1/status", "target_len": 10, "route": "/v1/status",
                "canonical_auth": False, "carries_token": False, "framed": True, "clean": True, "head_method": False}
        info.update(req)
        return {"variant": variant, "requests": [info], "shutdown": False, "framed": True}

    def judge(self, case, raw, closed=True, timed_out=False):
        responses, problem, _ = httpfuzz.parse_responses(raw, closed, [False])
        result = {"responses": responses, "closed": closed, "timed_out": timed_out, "problem": problem}
        return sorted({c for c, _ in httpfuzz.judge(case, result)})

    @staticmethod
    def response(status, body, ctype="application/json"):
        return b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s" % (
            status, ctype.encode(), len(body), body)

    def test_the_same_seed_and_index_make_the_same_bytes(self):
        a = httpfuzz.make_case(fuzz.case_rng("http", 3, 17))
        b = httpfuzz.make_case(fuzz.case_rng("http", 3, 17))
        self.assertEqual((a["wire"], a["chunks"], a["notes"]), (b["wire"], b["chunks"], b["notes"]))
        self.assertNotEqual(a["wire"], httpfuzz.make_case(fuzz.case_rng("http", 3, 18))["wire"])

    def test_status_without_the_token_is_a_bypass(self):
        status = self.response(200, b'{"state":"running","renditions":[]}')
        self.assertEqual(self.judge(self.case(), status), ["auth-bypass"])
        self.assertEqual(self.judge(self.case(carries_token=True), status), ["auth-lenient"])
        self.assertEqual(self.judge(self.case(canonical_auth=True, carries_token=True), status), [])
        self.assertEqual(self.judge(self.case(variant="open"), status), [])

    def test_public_answers_and_401_are_fine_without_the_token(self):
        self.assertEqual(self.judge(self.case(), self.response(503, b'{"ok":false,"reasons":["x"]}')), [])
        self.assertEqual(self.judge(self.case(), self.response(200, b"# HELP a b\n", "text/plain")), [])
        self.assertEqual(self.judge(self.case(), self.response(401, b'{"error":"no","status":401}')), [])
        self.assertEqual(self.judge(self.case(), b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), [])

    def test_404_before_auth_and_odd_errors(self):
        self.assertEqual(self.judge(self.case(route=None), self.response(404, b'{"error":"no such endpoint: /x","status":404}')),
                         ["auth-order"])
        self.assertEqual(self.judge(self.case(), self.response(405, b'{"error":"/metrics takes GET only","status":405}')),
                         [])
        self.assertEqual(self.judge(self.case(variant="open"), self.response(400, b"oops", "text/plain")),
                         ["error-not-json"])
        self.assertEqual(self.judge(self.case(variant="open"), self.response(500, b'{"error":"x","status":500}')),
                         ["server-error"])
        self.assertEqual(self.judge(self.case(variant="open"), b"HTTP/1.1 OK\r\n\r\n"), ["malformed-response"])
        self.assertEqual(self.judge(self.case(), b"", closed=False, timed_out=True), ["hang"])
        self.assertEqual(self.judge(self.case(), b"", closed=True), [])

    def test_pipelined_and_chunked_responses_parse(self):
        raw = (self.response(200, b'{"ok":true,"reasons":[]}') +
               b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        responses, problem, complete = httpfuzz.parse_responses(raw, False, [False, False])
        self.assertEqual(([r.status for r in responses], problem, complete), ([200, 200], None, True))
        self.assertEqual(responses[1].body, b"abc")
        # A response to HEAD (or CONNECT) has no body whatever it declares.
        raw = b"HTTP/1.1 405 X\r\nContent-Length: 10\r\n\r\n" + self.response(200, b"{}")
        responses, problem, _ = httpfuzz.parse_responses(raw, False, [True, False])
        self.assertEqual([r.status for r in responses], [405, 200])


class OriginTests(unittest.TestCase):
    STATES = {"360p": {"edge": 10, "sequence": 5, "count": 6}, "240p": {"edge": 9, "sequence": 4, "count": 6}}

    def case(self, **req):
        info = {"method": "GET", "target": "/360p/index.m3u8", "target_len": 16, "route": "playlist",
                "resource": "playlist", "expect": "now", "blocking": False, "range": None, "framed": True,
                "clean": True, "head_method": False, "canonical_auth": True, "carries_token": False}
        info.update(req)
        return {"variant": "origin", "requests": [info], "shutdown": False, "framed": True, "chunks": [(b"x", 0)]}

    def judge(self, case, raw, out="/nonexistent", seconds=0.01, moved=False, hidden=(b"SECRET",)):
        responses, problem, _ = httpfuzz.parse_responses(raw, True, [False])
        after = {r: dict(s, edge=s["edge"] + (1 if moved else 0)) for r, s in self.STATES.items()}
        result = {"responses": responses, "closed": True, "timed_out": False, "problem": problem,
                  "seconds": seconds, "before": self.STATES, "after": after, "values": originfuzz.values_of(self.STATES)}
        return sorted({c for c, _ in originfuzz.judge(case, result, out, list(hidden))})

    @staticmethod
    def response(status, body, cors=True, extra=b"", ctype=b"text/plain"):
        return b"HTTP/1.1 %d X\r\n%sContent-Type: %s\r\n%sContent-Length: %d\r\n\r\n%s" % (
            status, b"Access-Control-Allow-Origin: *\r\n" if cors else b"", ctype, extra, len(body), body)

    def test_ids_rngs_and_placeholders(self):
        self.assertEqual(fuzz.parse_case_id("http-origin-2-17"), ("http", 2, "o17"))
        self.assertEqual(fuzz.case_id("http", 2, "o17"), "http-origin-2-17")
        a = originfuzz.make_case(fuzz.case_rng("http", 2, "o17"))
        self.assertEqual(a["wire"], originfuzz.make_case(fuzz.case_rng("http", 2, "o17"))["wire"])
        case = {"chunks": [(b"GET /240p/index.m3u8?_HLS_msn=@240", 0.1), (b"p:E+1@&x=@S@ HTTP/1.1", 0.0)]}
        chunks, _ = originfuzz.resolve(case, self.STATES)
        self.assertEqual(b"".join(c for c, _ in chunks), b"GET /240p/index.m3u8?_HLS_msn=10&x=5 HTTP/1.1")
        self.assertEqual([p for _, p in chunks], [0.1, 0.0])

    def test_ranges(self):
        self.assertEqual(originfuzz.expected_range("bytes=0-9", 100), ("part", 0, 9))
        self.assertEqual(originfuzz.expected_range("bytes=-10", 100), ("part", 90, 99))
        self.assertEqual(originfuzz.expected_range("bytes=50-999", 100), ("part", 50, 99))
        self.assertEqual(originfuzz.expected_range("bytes=100-", 100), "unsatisfiable")
        self.assertEqual(originfuzz.expected_range("bytes=-0", 100), "unsatisfiable")
        self.assertIsNone(originfuzz.expected_range("bytes=9-0", 100))
        self.assertIsNone(originfuzz.expected_range("bytes=0-1,3-4", 100))

    def test_oracles(self):
        playlist = self.response(200, b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:5\n" + b"#EXTINF:2,\ns\n" * 6,
                                 ctype=b"application/vnd.apple.mpegurl")
        self.assertEqual(self.judge(self.case(), playlist), [])
        self.assertEqual(self.judge(self.case(), self.response(200, b"#EXTM3U\n", cors=False)), ["no-cors"])
        self.assertEqual(self.judge(self.case(), self.response(200, b"#EXTM3U SECRET")), ["file-leak"])
        self.assertEqual(self.judge(self.case(route=None, resource=None, clean=False),
                                    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), [])
        self.assertEqual(self.judge(self.case(), self.response(500, b"x\n")), ["directive", "server-error"])
        self.assertEqual(self.judge(self.case(expect="far"), self.response(400, b"too far\n")), [])
        self.assertEqual(self.judge(self.case(expect="far"), playlist), ["directive"])
        self.assertEqual(self.judge(self.case(expect="far"), playlist, moved=True), [])
        self.assertEqual(self.judge(self.case(expect="next", blocking=True), playlist, seconds=1.5), ["directive"])
        ahead = self.response(200, b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:6\n" + b"#EXTINF:2,\ns\n" * 6)
        self.assertEqual(self.judge(self.case(expect="next", blocking=True), ahead, seconds=1.5), [])
        self.assertEqual(self.judge(self.case(expect="next", blocking=True), ahead, seconds=5), ["directive"])
        self.assertEqual(self.judge(self.case(expect="later", blocking=True), self.response(503, b"late\n")), [])
        self.assertEqual(self.judge(self.case(expect="now"), self.response(503, b"late\n")),
                         ["directive", "server-error"])
        self.assertEqual(self.judge(self.case(method="PUT"), self.response(405, b"no\n")), ["wrong-status"])
        self.assertEqual(self.judge(self.case(method="PUT"), self.response(405, b"no\n", extra=b"Allow: GET, HEAD, OPTIONS\r\n")), [])

    def test_segment_bytes_and_ranges(self):
        with tempfile.TemporaryDirectory() as out:
            os.makedirs(os.path.join(out, "360p"))
            with open(os.path.join(out, "360p", "segment-5.ts"), "wb") as f:
                f.write(bytes(range(100)))
            seg = self.case(target="/360p/segment-@360p:S@.ts", resource="segment", route="segment")
            self.assertEqual(self.judge(seg, self.response(200, bytes(range(100))), out), [])
            self.assertEqual(self.judge(seg, self.response(200, bytes(99)), out), ["wrong-body"])
            ranged = dict(seg, requests=[dict(seg["requests"][0], range="bytes=10-19")])
            good = self.response(206, bytes(range(10, 20)), extra=b"Content-Range: bytes 10-19/100\r\n")
            self.assertEqual(self.judge(ranged, good, out), [])
            short = self.response(206, bytes(range(10, 19)), extra=b"Content-Range: bytes 10-19/100\r\n")
            self.assertEqual(self.judge(ranged, short, out), ["wrong-range"])
            other = self.response(206, bytes(range(0, 10)), extra=b"Content-Range: bytes 0-9/100\r\n")
            self.assertEqual(self.judge(ranged, other, out), ["wrong-range"])
            refused = self.response(416, b"no\n", extra=b"Content-Range: bytes */100\r\n")
            self.assertEqual(self.judge(ranged, refused, out), ["wrong-range"])


class PushTests(unittest.TestCase):
    """The push kind's scripts and oracles over synthetic origin records (no binary, no sockets)."""

    def test_ids_and_scripts_are_reproducible(self):
        self.assertEqual(fuzz.parse_case_id("push-3-17"), ("push", 3, 17))
        self.assertEqual(fuzz.case_rng("push", 3, 17).random(), random.Random("liveladder-fuzz:push:3:17").random())
        a = pushfuzz.draw_case(random.Random("liveladder-fuzz:push:3:17"), "clip", "out")
        b = pushfuzz.draw_case(random.Random("liveladder-fuzz:push:3:17"), "clip", "out")
        self.assertEqual(a, b)
        for script in a["scripts"]:
            # The answer depends on (method, path, attempt) only, never on arrival order.
            self.assertEqual(pushfuzz.action(script, "PUT", "360p/segment-1.ts", 2, 1),
                             pushfuzz.action(script, "PUT", "360p/segment-1.ts", 2, 1))
        self.assertEqual(pushfuzz.path_kind("PUT", "360p/segment-3.1.m4s"), "part")
        self.assertEqual(pushfuzz.path_kind("PUT", "audio/init.mp4"), "init")
        self.assertEqual(pushfuzz.path_kind("DELETE", "360p/segment-3.ts"), "delete")

    def test_playlist_names_skip_gaps_and_hints(self):
        text = ('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1,\nsegment-0.m4s\n#EXT-X-GAP\n#EXTINF:1,\n'
                'segment-1.m4s\n#EXT-X-PART:DURATION=0.5,URI="segment-2.0.m4s"\n'
                '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="segment-2.1.m4s"\n')
        self.assertEqual(pushfuzz.playlist_names(text), (["init.mp4", "segment-0.m4s", "segment-2.0.m4s"], ["segment-1.m4s"]))

    def origin(self, folder, requests):
        for r in requests:
            if "body" in r:
                r["stored"] = os.path.join(folder, f"{r['seq']}.bin")
                with open(r["stored"], "wb") as f:
                    f.write(r.pop("body"))
        return {"requests": requests}

    def req(self, seq, path, status, body=b"x", method="PUT", clean=True, sha=None):
        return {"seq": seq, "sent_seq": seq + 0.5, "t": seq / 10, "sent_t": seq / 10, "method": method, "path": path, "status": status,
                "ack": status is not None and 200 <= status < 300, "clean": clean, "body": body,
                "sha": sha or str(hash(body))}

    def judge(self, folder, requests, code=8, flavour="vod-ts"):
        out = os.path.join(folder, "out")
        os.makedirs(os.path.join(out, "360p"), exist_ok=True)
        with open(os.path.join(out, "360p", "segment-0.ts"), "wb") as f:
            f.write(b"seg0")
        with open(os.path.join(out, "360p", "index.m3u8"), "wb") as f:
            f.write(b"#EXTM3U\n#EXTINF:1,\nsegment-0.ts\n#EXT-X-ENDLIST\n")
        case = {"segment_duration": 1, "events": False, "out": out, "flavour": flavour}
        res = {"code": code, "stdout": "", "stderr": "liveladder: error: push to http://x/: 1 file was refused\n",
               "end_t": 1.0, "pipeline_t": 0.5}
        check = {"code": 0, "stdout": "", "stderr": ""}
        return sorted({c for c, _ in pushfuzz.judge(case, [self.origin(folder, requests)], res, check)})

    def test_oracles(self):
        playlist = b"#EXTM3U\n#EXTINF:1,\nsegment-0.ts\n#EXT-X-ENDLIST\n"
        with tempfile.TemporaryDirectory() as d:
            # In order, all acknowledged, exit 0: clean.
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 201, b"seg0"),
                                            self.req(2, "360p/index.m3u8", 200, playlist)], code=0), [])
        with tempfile.TemporaryDirectory() as d:
            # The playlist before its segment's 2xx: PU1.
            self.assertEqual(self.judge(d, [self.req(1, "360p/index.m3u8", 200, playlist),
                                            self.req(2, "360p/segment-0.ts", 201, b"seg0")]), ["push-order"])
        with tempfile.TemporaryDirectory() as d:
            # A segment sent again after a clean 403: PU4; after a 503 it is fine.
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 403, b"seg0"),
                                            self.req(2, "360p/segment-0.ts", 201, b"seg0")]), ["retried-refused"])
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 503, b"seg0"),
                                            self.req(2, "360p/segment-0.ts", 201, b"seg0")]), [])
            # An unclean 403 (bad framing, late) may have been taken for no answer: not judged.
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 403, b"seg0", clean=False),
                                            self.req(2, "360p/segment-0.ts", 201, b"seg0")]), [])
        with tempfile.TemporaryDirectory() as d:
            # Exit 0 with the segment's bytes different on the origin, or a file missing there.
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 201, b"seg1"),
                                            self.req(2, "360p/index.m3u8", 200, playlist)], code=0), ["exit0-incomplete"])
            self.assertEqual(self.judge(d, [self.req(1, "360p/segment-0.ts", 201, b"seg0")], code=0), ["exit0-incomplete"])

    def test_bad_flag_cases(self):
        case = {"segment_duration": 1, "events": False, "out": "/nonexistent", "flavour": "vod-ts", "bad_flag": 6,
                "clip": "clip.mp4", "flags": []}
        argv = pushfuzz.argv(case, "liveladder", [1234], "/case")
        self.assertIn("Authorization Bearer fuzz-secret-h", argv)
        self.assertEqual(argv.count("--push"), 1)
        refused = {"code": 64, "stdout": "", "stderr": "liveladder: error: --push-header: a value has no ':'\n", "end_t": 0.1}
        self.assertEqual(pushfuzz.judge(case, [{"requests": []}], refused, None), [])
        echoed = dict(refused, stderr="liveladder: error: --push-header: \"Authorization Bearer fuzz-secret-h\" has no ':'\n")
        self.assertEqual(sorted({c for c, _ in pushfuzz.judge(case, [{"requests": []}], echoed, None)}), ["secret-echoed"])
        ran = dict(refused, code=0)
        self.assertEqual(sorted({c for c, _ in pushfuzz.judge(case, [{"requests": []}], ran, None)}), ["push-flag-exit"])

    def test_origin_may_drop_parts_it_lacks(self):
        local = ('#EXTM3U\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-PART:DURATION=0.5,URI="segment-0.0.m4s"\n'
                 '#EXTINF:1,\nsegment-0.m4s\n#EXT-X-ENDLIST\n')
        shown = '#EXTM3U\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXTINF:1,\nsegment-0.m4s\n#EXT-X-ENDLIST\n'
        self.assertEqual(pushfuzz.as_origin_may_show(local, shown, "360p", {"360p/segment-0.m4s": 1}), shown)
        no_ll = '#EXTM3U\n#EXTINF:1,\nsegment-0.m4s\n#EXT-X-ENDLIST\n'
        self.assertEqual(pushfuzz.as_origin_may_show(local, no_ll, "360p", {}), no_ll)
        # Anything else that differs still differs.
        self.assertNotEqual(pushfuzz.as_origin_may_show(local, no_ll.replace("1,", "2,"), "360p", {}), no_ll.replace("1,", "2,"))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        unittest.main(verbosity=1)
