#!/usr/bin/env python3
"""Measures delivery latency through the built-in origin (docs/delivery.md, "Measured").

Starts `liveladder run --realtime --loop` on a fixture (a live feed at its native rate) with `--serve`,
then acts like a low-latency player for DURATION seconds: it always asks for the next part
(`_HLS_msn=M&_HLS_part=N+1`, blocking reload) or, without parts, the next segment (`_HLS_msn=M+1`).

For each new part (or segment) it records:
- **ready latency**: when the client had the playlist listing it, minus the wall-clock time its media
  ends (its segment's PROGRAM-DATE-TIME plus the durations up to its end): how late the newest media is
  at a client that asks at once;
- **answer time**: when the client had the playlist, minus the part file's modification time on disk
  (written just before the playlist): how long the origin held the answer after the part existed.

Glass-to-glass estimate = the player's hold-back (PART-HOLD-BACK with parts, HOLD-BACK = 3 × target
without) + the median ready latency. Prints medians and 95th percentiles; runs with and without parts in
the same invocation (interleaved when RUNS > 1).

With WAITERS=N (e.g. 1000) a third configuration runs: parts again, with N more players on their own
persistent connections, all blocked on the same next part the measuring client asks for. It reports the
measuring client's ready latency beside the plain parts run (what those waiters add) and, from
`/metrics`, the requests each wake-up released (`liveladder_origin_woken_requests_total` over
`liveladder_origin_wakeups_total`).

    tools/ll-latency.py                                   # 0.333 s parts and no parts, 30 s each
    LIVELADDER=.build-bench/release/liveladder DURATION=60 PART=0.5 tools/ll-latency.py
    WAITERS=1000 tools/ll-latency.py
"""

import asyncio
import threading

import datetime
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("LIVELADDER", os.path.join(ROOT, ".build", "debug", "liveladder"))
FIXTURE = os.path.join(ROOT, "fixtures", "cfr30-640x360.mp4")
DURATION = float(os.environ.get("DURATION", "30"))
PART = os.environ.get("PART", "0.333")
RUNS = int(os.environ.get("RUNS", "1"))
WAITERS = int(os.environ.get("WAITERS", "0"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=15):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def parse_date(text):
    return datetime.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def edge(text):
    """(media sequence of the newest media, its part index or None, its URI, the wall time its media ends)."""
    lines = text.splitlines()
    sequence = int(next(l for l in lines if l.startswith("#EXT-X-MEDIA-SEQUENCE:")).split(":")[1])
    msn = sequence - 1
    date = None
    offset = 0.0
    newest = None
    parts_in_segment = -1
    for line in lines:
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            date = parse_date(line.split(":", 1)[1])
            offset = 0.0
            parts_in_segment = -1
        elif line.startswith("#EXT-X-PART:"):
            duration = float(re.search(r"DURATION=([0-9.]+)", line).group(1))
            uri = re.search(r'URI="([^"]+)"', line).group(1)
            offset += duration
            parts_in_segment += 1
            newest = (msn + 1, parts_in_segment, uri, date + offset if date else None)
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":")[1].split(",")[0])
            extinf = duration
        elif line and not line.startswith("#"):
            msn += 1
            end = (date + extinf) if date is not None else None
            if parts_in_segment < 0:
                newest = (msn, None, line, end)
            date = end
            offset = 0.0
            parts_in_segment = -1
    return newest


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))]


class Waiters:
    """`count` players in one asyncio thread, each on its own keep-alive connection, each asking for the
    target the measuring client sets (blocking reload) as soon as it changes."""

    def __init__(self, port, path, count):
        self.port, self.path, self.count = port, path, count
        self.loop = asyncio.new_event_loop()
        self.target = None
        self.changed = None
        self.answered = 0
        self.failed = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()
        self.thread.start()
        self.ready.wait(60)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.changed = asyncio.Condition()
        self.loop.run_until_complete(self._main())

    async def _main(self):
        connections = []
        for _ in range(self.count):
            connections.append(await asyncio.open_connection("127.0.0.1", self.port))
        self.ready.set()
        await asyncio.gather(*(self._player(r, w) for r, w in connections), return_exceptions=True)

    async def _player(self, reader, writer):
        seen = None
        while True:
            async with self.changed:
                await self.changed.wait_for(lambda: self.target != seen)
                seen = self.target
            if seen == "stop":
                writer.close()
                return
            writer.write(f"GET {self.path}?{seen} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *([0-9]+)", head).group(1))
            await reader.readexactly(length)
            if head.startswith(b"HTTP/1.1 200"):
                self.answered += 1
            else:
                self.failed += 1

    def set(self, query):
        async def update():
            async with self.changed:
                self.target = query
                self.changed.notify_all()
        asyncio.run_coroutine_threadsafe(update(), self.loop)

    def stop(self):
        self.set("stop")
        self.thread.join(10)


def scrape(port, name, labels=""):
    text = fetch(f"http://127.0.0.1:{port}/metrics")
    match = re.search(rf"^{name}{re.escape(labels)} ([0-9.e+]+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def measure(parts, waiters=0):
    folder = tempfile.mkdtemp(prefix="ll-latency-")
    port = free_port()
    http = free_port()
    argv = [BINARY, "run", "-i", FIXTURE, "-o", os.path.join(folder, "out"), "--realtime", "--loop", "--playlist-type", "live",
            "--segment-format", "fmp4", "--serve", str(port), "--http", str(http), "--quiet"]
    if parts:
        argv += ["--part-duration", PART]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/360p/index.m3u8"
    try:
        deadline = time.time() + 30
        while True:
            try:
                text = fetch(base)
                break
            except Exception:
                if time.time() > deadline or process.poll() is not None:
                    raise SystemExit(f"ll-latency: the run did not serve: {process.stderr.read().decode() if process.poll() is not None else ''}")
                time.sleep(0.2)
        hold = re.search(r"PART-HOLD-BACK=([0-9.]+)", text) if parts else re.search(r"HOLD-BACK=([0-9.]+)", text)
        hold_back = float(hold.group(1)) if hold else 0.0
        current = edge(text)
        ready, answer = [], []
        crowd = Waiters(port, "/360p/index.m3u8", waiters) if waiters else None
        wake_ups = scrape(http, "liveladder_origin_wakeups_total"), scrape(http, "liveladder_origin_woken_requests_total")
        start = time.time()
        while time.time() - start < DURATION:
            msn, part, _, _ = current
            query = f"?_HLS_msn={msn}&_HLS_part={part + 1}" if part is not None else f"?_HLS_msn={msn + 1}"
            if crowd:
                crowd.set(query[1:])
            text = fetch(base + query)
            received = time.time()
            newest = edge(text)
            if newest[:2] == current[:2]:
                continue
            current = newest
            if newest[3] is not None and time.time() - start > 4:  # past the start-up burst
                ready.append(received - newest[3])
                path = os.path.join(folder, "out", "360p", newest[2])
                if os.path.exists(path):
                    answer.append(received - os.path.getmtime(path))
        # The pipeline's own segment-ready latency (last input frame → playlist written), which blocked
        # players must not change: the mean over the run, from the histogram.
        pipeline = scrape(http, "liveladder_segment_ready_latency_seconds_sum", '{rendition="360p"}') / max(
            1, scrape(http, "liveladder_segment_ready_latency_seconds_count", '{rendition="360p"}'))
        print(f"{'parts' if parts else 'segments'}{f'+{waiters}-waiters' if waiters else ''}: pipeline segment-ready latency mean {pipeline:.3f} s")
        woken = (scrape(http, "liveladder_origin_wakeups_total") - wake_ups[0],
                 scrape(http, "liveladder_origin_woken_requests_total") - wake_ups[1])
        if crowd:
            crowd.stop()
            print(f"waiters: {crowd.answered} answers, {crowd.failed} refused; {woken[1]:.0f} requests released by {woken[0]:.0f} wake-ups "
                  f"({woken[1] / max(woken[0], 1):.1f} per wake-up)")
        return hold_back, ready, answer
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    configurations = [("parts", True, 0), ("segments", False, 0)]
    if WAITERS:
        configurations.append((f"parts+{WAITERS}-waiters", True, WAITERS))
    results = {label: [] for label, _, _ in configurations}
    for _ in range(RUNS):
        for label, parts, waiters in configurations:
            results[label].append(measure(parts, waiters))
    for label, _, _ in configurations:
        hold_back = results[label][0][0]
        ready = [v for _, r, _ in results[label] for v in r]
        answer = [v for _, _, a in results[label] for v in a]
        if not ready:
            print(f"{label}: nothing measured")
            continue
        g2g = hold_back + statistics.median(ready)
        print(f"{label}{f' ({PART} s)' if label.startswith('parts') else ''}: {len(ready)} samples; ready latency p50 {statistics.median(ready):.3f} s, "
              f"p95 {percentile(ready, 0.95):.3f} s; answer after the file p50 {statistics.median(answer) * 1000:.1f} ms, "
              f"p95 {percentile(answer, 0.95) * 1000:.1f} ms; hold-back {hold_back:.3f} s; glass-to-glass estimate {g2g:.2f} s")
    print(json.dumps({k: [[h, len(r)] for h, r, _ in v] for k, v in results.items()}))


if __name__ == "__main__":
    main()
