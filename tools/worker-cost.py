#!/usr/bin/env python3
"""What the worker interface costs the pipeline, measured side by side in one run (never a timed test).

1. CPU: tools/bench.sh's ladder (720p/480p/360p, veryfast, 2 s TS) on its 60 s source, run plain and
   with `--http` scraped every second (/metrics, /readyz) plus `--events FILE --events-segments`,
   interleaved; prints the median CPU seconds (user+sys of the child) of each and the ratio
   (target <= 1.01).
2. Segment-ready latency of a live run (the same source paced with --realtime) with no HTTP client and
   with 200 idle connections plus one Server-Sent Events client that never reads; the figures are the
   run's own --segment-log latencies (last input frame -> playlist written); prints median and p95 of each
   and the ratio of medians.

    tools/worker-cost.py                          # release build via tools/bench.sh's binary finder
    LIVELADDER=.build/debug/liveladder RUNS=1 LIVE_SECONDS=12 tools/worker-cost.py   # quick check

Environment: RUNS (3), DURATION (60, source length), LIVE_SECONDS (30), BENCH_DIR (/tmp/liveladder-bench),
LIVELADDER (a binary; default .build-bench/release/liveladder, built when missing).
Exit status 0 when every run succeeded (whatever the figures), 1 when one failed.
"""
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(os.environ.get("RUNS", "3"))
DURATION = int(os.environ.get("DURATION", "60"))
LIVE_SECONDS = int(os.environ.get("LIVE_SECONDS", "30"))
BENCH = os.environ.get("BENCH_DIR", "/tmp/liveladder-bench")
WORK = os.path.join(BENCH, "worker-cost")


def die(message):
    print(f"worker-cost: {message}", file=sys.stderr)
    sys.exit(1)


def binary():
    path = os.environ.get("LIVELADDER")
    if path:
        return path
    path = os.path.join(ROOT, ".build-bench/release/liveladder")
    if not os.path.exists(path):
        subprocess.run(["swift", "build", "-c", "release", "--product", "liveladder", "--scratch-path", ".build-bench"],
                       cwd=ROOT, check=True)
    return path


def source():
    path = os.path.join(BENCH, f"source-1280x720p30-{DURATION}s.mp4")
    if not os.path.exists(path):
        os.makedirs(BENCH, exist_ok=True)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={DURATION}",
                        "-f", "lavfi", "-i", f"sine=frequency=440:beep_factor=4:sample_rate=48000:duration={DURATION}",
                        "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "medium", "-crf", "18",
                        "-pix_fmt", "yuv420p", "-g", "60", "-c:a", "aac", "-b:a", "192k", "-movflags", "+faststart",
                        "-t", str(DURATION), path], check=True)
    return path


LADDER = """segmentDuration: 2
segmentFormat: ts
renditions:
  - {name: 720p, width: 1280, height: 720, videoBitrate: 3000k, maxBitrate: 3300k, preset: veryfast, profile: high}
  - {name: 480p, width: 854, height: 480, videoBitrate: 1400k, maxBitrate: 1540k, preset: veryfast, profile: high}
  - {name: 360p, width: 640, height: 360, videoBitrate: 800k, maxBitrate: 880k, preset: veryfast, profile: high}
audio: {bitrate: 128k, sampleRate: 48000, channels: stereo}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Scraper(threading.Thread):
    """GET /metrics and /readyz once a second, as Prometheus and a kubelet would."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop, self.scrapes = port, threading.Event(), 0

    def run(self):
        while not self.stop.is_set():
            for path in ("/metrics", "/readyz"):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2).read()
                    self.scrapes += 1
                except Exception:
                    pass
            self.stop.wait(1)


def run(arguments, port=None, hostile=0):
    """Runs liveladder; returns (exit status, CPU seconds of the child, scrapes)."""
    start = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    scraper, sockets = None, []
    if port is not None:
        if not wait_for(port):
            process.kill()
            die("the HTTP server did not come up: " + process.stderr.read().decode()[-500:])
        scraper = Scraper(port)
        scraper.start()
        for _ in range(hostile):
            sockets.append(socket.create_connection(("127.0.0.1", port)))
        if hostile:
            # One SSE client that never reads: a tiny receive buffer, and nothing read from it.
            reader = socket.socket()
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            reader.connect(("127.0.0.1", port))
            reader.sendall(b"GET /v1/events?segments=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            sockets.append(reader)
    _, stderr = process.communicate()
    if scraper:
        scraper.stop.set()
    for s in sockets:
        s.close()
    end = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
    if process.returncode != 0:
        die(f"{' '.join(arguments[:6])}… exited {process.returncode}: {stderr.decode()[-500:]}")
    return cpu, scraper.scrapes if scraper else 0


def latencies(log):
    with open(log) as f:
        return [json.loads(line)["latency"] for line in f if '"latency"' in line]


def main():
    exe, clip = binary(), source()
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    ladder = os.path.join(WORK, "ladder.yaml")
    with open(ladder, "w") as f:
        f.write(LADDER)
    print(f"worker-cost: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, {RUNS} run(s) each, {DURATION} s source")

    plain, observed = [], []
    for i in range(RUNS):
        order = ["plain", "observed"] if i % 2 == 0 else ["observed", "plain"]
        for mode in order:
            out = os.path.join(WORK, f"cpu-{mode}-{i}")
            arguments = [exe, "run", "-i", clip, "-o", out, "--config", ladder]
            if mode == "plain":
                cpu, _ = run(arguments)
                plain.append(cpu)
            else:
                port = free_port()
                cpu, scrapes = run(arguments + ["--http", str(port), "--events", out + ".events", "--events-segments"], port=port)
                observed.append(cpu)
                print(f"worker-cost:   observed run {i}: {scrapes} scrapes")
            print(f"worker-cost: cpu {mode} run {i}: {cpu:.2f} s")
    a, b = statistics.median(plain), statistics.median(observed)
    print(f"worker-cost: CPU median plain {a:.2f} s, with --http (1 s scrape) + --events {b:.2f} s, ratio {b / a:.3f} (target <= 1.01)")

    quiet, busy = [], []
    for i in range(max(1, RUNS - 1)):
        for hostile in ([0, 200] if i % 2 == 0 else [200, 0]):
            out = os.path.join(WORK, f"live-{hostile}-{i}")
            port = free_port()
            arguments = [exe, "run", "-i", clip, "-o", out, "--config", ladder, "--realtime", "--playlist-type", "live",
                         "--segment-log", out + ".log", "--http", str(port)]
            trim = ["-t", str(LIVE_SECONDS)]
            short = os.path.join(WORK, f"clip-{LIVE_SECONDS}s.ts")
            if not os.path.exists(short):
                subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", clip, *trim, "-c", "copy", short], check=True)
            arguments[3] = short
            run(arguments, port=port, hostile=hostile)
            values = latencies(out + ".log")
            (busy if hostile else quiet).extend(values)
            print(f"worker-cost: live run {i} with {hostile} idle clients: {len(values)} segments, median latency {statistics.median(values):.3f} s")
    q, h = statistics.median(quiet), statistics.median(busy)
    p95 = lambda v: sorted(v)[int(0.95 * (len(v) - 1))]
    print(f"worker-cost: segment-ready latency median/p95: no clients {q:.3f}/{p95(quiet):.3f} s, "
          f"200 idle + 1 non-reading SSE client {h:.3f}/{p95(busy):.3f} s, ratio of medians {h / q:.3f}")


if __name__ == "__main__":
    main()
