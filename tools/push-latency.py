#!/usr/bin/env python3
"""Measures push latency to a real origin (docs/delivery.md, "Push measured").

Starts nginx with its WebDAV module on loopback (as the push tests do), then `liveladder run --realtime
--loop` on a fixture with `--push` to it and `--events --events-segments`, for DURATION seconds, with
and without Low-Latency parts (interleaved when RUNS > 1). From the `push.result` events it takes, per
kind (segment, part, playlist), the time from the file being complete locally to the origin's 2xx.

The floor in the same run: the same origin taking PUTs of files of each kind's median size from one
persistent Python `http.client` connection, one at a time (what any pusher must at least wait for).

Prints medians and 95th percentiles, and the ratio of LiveLadder's median to the floor's.

    tools/push-latency.py
    LIVELADDER=.build-bench/release/liveladder RUNS=3 DURATION=30 tools/push-latency.py
"""

import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("LIVELADDER", os.path.join(ROOT, ".build", "debug", "liveladder"))
FIXTURE = os.path.join(ROOT, "fixtures", "cfr30-640x360.mp4")
DURATION = float(os.environ.get("DURATION", "30"))
RUNS = int(os.environ.get("RUNS", "1"))
PART = os.environ.get("PART", "0.5")


sys.path.insert(0, os.path.join(ROOT, "tools", "lib"))
nginx_origin = __import__("nginx-origin")


def run(port, parts, work):
    out = tempfile.mkdtemp(dir=work)
    events = out + ".events"
    arguments = [BINARY, "run", "-i", FIXTURE, "-o", out, "--realtime", "--loop", "--playlist-type", "live",
                 "--push", f"http://127.0.0.1:{port}/live/{os.path.basename(out)}/", "--events", events, "--events-segments", "--quiet"]
    if parts:
        arguments += ["--segment-format", "fmp4", "--part-duration", PART]
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(DURATION)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode != 0:
        sys.exit(f"push-latency: the run exited {process.returncode}: {stderr.decode().strip()}")
    latencies, sizes = {}, {}
    with open(events) as f:
        for line in f:
            event = json.loads(line)
            if event["type"] != "push.result" or event["data"]["outcome"] != "delivered":
                continue
            data = event["data"]
            latencies.setdefault(data["kind"], []).append(data["latency"])
            path = os.path.join(out, data["path"])
            if os.path.exists(path):
                sizes.setdefault(data["kind"], []).append(os.path.getsize(path))
    return latencies, sizes


def floor(port, size, count=200):
    """One persistent connection, PUTs of `size` bytes one at a time: seconds each."""
    body = os.urandom(size)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for index in range(count):
        start = time.monotonic()
        connection.request("PUT", f"/live/floor/file-{index % 10}.bin", body=body)
        response = connection.getresponse()
        response.read()
        times.append(time.monotonic() - start)
        if response.status >= 300:
            sys.exit(f"push-latency: the floor's PUT got {response.status}")
    connection.close()
    return times


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main():
    if not shutil.which("nginx"):
        sys.exit("push-latency: nginx is not installed (tools/setup.sh installs nginx-light)")
    work = tempfile.mkdtemp(prefix="push-latency-")
    nginx, port = nginx_origin.start(os.path.join(work, "nginx"))
    results = {False: ({}, {}), True: ({}, {})}
    try:
        for _ in range(RUNS):
            for parts in (True, False):
                latencies, sizes = run(port, parts, work)
                for kind, values in latencies.items():
                    results[parts][0].setdefault(kind, []).extend(values)
                for kind, values in sizes.items():
                    results[parts][1].setdefault(kind, []).extend(values)
        print(f"{RUNS} run(s) of {DURATION:.0f} s each, nginx WebDAV on loopback, {BINARY}")
        print(f"{'setup':<22}{'kind':<10}{'files':>7}{'p50 ms':>9}{'p95 ms':>9}{'floor p50 ms':>14}{'ratio':>8}")
        for parts in (True, False):
            latencies, sizes = results[parts]
            for kind in ("segment", "part", "playlist"):
                values = latencies.get(kind)
                if not values:
                    continue
                size = int(statistics.median(sizes.get(kind) or [1000]))
                base = statistics.median(floor(port, size))
                median = statistics.median(values)
                setup = f"parts {PART} s (fMP4)" if parts else "no parts (TS)"
                print(f"{setup:<22}{kind:<10}{len(values):>7}{median * 1000:>9.1f}{p95(values) * 1000:>9.1f}{base * 1000:>14.2f}{median / base:>8.1f}")
    finally:
        nginx.terminate()
        nginx.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
