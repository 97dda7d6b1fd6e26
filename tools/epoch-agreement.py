#!/usr/bin/env python3
"""Measures how well two epoch-locked LiveLadder instances agree (docs/redundancy.md).

One ffmpeg publisher sends the same MPEG-TS to two UDP ports in real time. Instance A starts, instance B
starts 3.7 s later, A is SIGKILLed a third of the way in and started again on its folder, and both are
stopped at the end. For every segment number both made (GAP entries and each one's last segment aside),
it compares the first video PTS (in frames), the EXTINF, PROGRAM-DATE-TIME (ms) and the discontinuity
sequence, and prints the worst differences per run and over all runs.

    tools/epoch-agreement.py                          # 3 runs of 40 s at 30 fps, debug build
    RUNS=5 DURATION=60 RATE=30000/1001 SEGMENT=2.002 LIVELADDER=.build-bench/release/liveladder tools/epoch-agreement.py

Environment: RUNS (3), DURATION seconds per run (40), RATE (30), SEGMENT seconds (2), FORMAT ts|fmp4 (ts),
LIVELADDER (default .build/debug/liveladder), WORK (a temporary folder).
Exit status: 0 when every run ran and all compared segments agreed, 1 otherwise, 2 on bad usage.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_int(name, default, low, high):
    text = os.environ.get(name, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        sys.exit(print(f"epoch-agreement: {name} must be a whole number from {low} to {high} (got {text!r})", file=sys.stderr) or 2)
    return int(text)


RUNS = env_int("RUNS", 3, 1, 100)
DURATION = env_int("DURATION", 40, 20, 3600)
RATE = os.environ.get("RATE", "30")
SEGMENT = os.environ.get("SEGMENT", "2")
FORMAT = os.environ.get("FORMAT", "ts")
BINARY = os.environ.get("LIVELADDER", os.path.join(ROOT, ".build/debug/liveladder"))
try:
    FPS = Fraction(RATE)
    assert 1 <= FPS <= 120 and 0.5 <= float(SEGMENT) <= 30 and FORMAT in ("ts", "fmp4")
except (ValueError, ZeroDivisionError, AssertionError):
    sys.exit(print("epoch-agreement: RATE is a frame rate (30, 30000/1001), SEGMENT 0.5 to 30 s, FORMAT ts or fmp4", file=sys.stderr) or 2)
if not os.access(BINARY, os.X_OK):
    sys.exit(print(f"epoch-agreement: no liveladder binary at {BINARY} (swift build, or set LIVELADDER)", file=sys.stderr) or 2)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_playlist(path):
    """(media sequence, discontinuity sequence, entries) of a media playlist: each entry is a dict."""
    sequence, discontinuities, entries, pending = 0, 0, [], {}
    with open(path, encoding="utf-8") as handle:
        for line in handle.read().splitlines():
            if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
                sequence = int(line.split(":", 1)[1])
            elif line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE:"):
                discontinuities = int(line.split(":", 1)[1])
            elif line == "#EXT-X-DISCONTINUITY":
                pending["discontinuity"] = True
            elif line == "#EXT-X-GAP":
                pending["gap"] = True
            elif line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
                pending["date"] = line.split(":", 1)[1]
            elif line.startswith("#EXTINF:"):
                pending["duration"] = float(line[8:].split(",")[0])
            elif line and not line.startswith("#"):
                pending["uri"] = line
                entries.append(pending)
                pending = {}
    return sequence, discontinuities, entries


def date_ms(text):
    from datetime import datetime
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def first_pts(folder, uri, init):
    data = b""
    if init:
        with open(os.path.join(folder, init), "rb") as handle:
            data += handle.read()
    with open(os.path.join(folder, uri), "rb") as handle:
        data += handle.read()
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts",
                          "-of", "json", "-i", "pipe:0"], input=data, capture_output=True, check=True).stdout
    values = [int(p["pts"]) for p in json.loads(out).get("packets", []) if "pts" in p]
    timebase = 90000 if FORMAT == "ts" else None
    if timebase is None:  # fMP4: the track's timescale, from ffprobe
        stream = json.loads(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                            "stream=time_base", "-of", "json", "-i", "pipe:0"], input=data,
                                           capture_output=True, check=True).stdout)["streams"][0]["time_base"]
        num, den = map(int, stream.split("/"))
        return Fraction(min(values) * num, den) if values else None
    return Fraction(min(values), 90000) if values else None


def describe(folder, rendition):
    path = os.path.join(folder, rendition, "index.m3u8")
    sequence, discontinuities, entries = parse_playlist(path)
    init = None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#EXT-X-MAP:"):
                init = line.split('URI="', 1)[1].split('"', 1)[0]
    described = {}
    for index, entry in enumerate(entries):
        if entry.get("discontinuity"):
            discontinuities += 1
        number = sequence + index
        described[number] = dict(entry, dsn=discontinuities, last=index == len(entries) - 1,
                                 pts=None if entry.get("gap") else first_pts(os.path.join(folder, rendition), entry["uri"], init))
    return described


def one_run(index, work):
    folder = os.path.join(work, f"run{index}")
    os.makedirs(folder)
    config = os.path.join(folder, "ladder.yaml")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(f"segmentDuration: {SEGMENT}\nsegmentFormat: {FORMAT}\nepochLock: true\nrenditions:\n"
                     "  - {name: 360p, width: 640, height: 360, videoBitrate: 800k, preset: veryfast}\n"
                     "  - {name: 180p, width: 320, height: 180, videoBitrate: 300k, preset: veryfast}\n")
    ports = (free_port(), free_port())

    def instance(name, port, log):
        return subprocess.Popen([BINARY, "run", "--input", f"udp://127.0.0.1:{port}", "--output", os.path.join(folder, name),
                                 "--config", config, "--playlist-type", "event", "--input-timeout", "3", "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, log), "w"))

    a = instance("a", ports[0], "a1.log")
    time.sleep(0.3)
    tee = "|".join(f"[f=mpegts:onfail=ignore]udp://127.0.0.1:{p}?pkt_size=1316" for p in ports)
    publisher = subprocess.Popen(["ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                                  f"testsrc2=size=640x360:rate={RATE}", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                                  "-t", str(DURATION + 5), "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                                  "-c:a", "aac", "-map", "0:v", "-map", "1:a", "-f", "tee", tee],
                                 stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "publisher.log"), "w"))
    time.sleep(3.7)
    b = instance("b", ports[1], "b.log")
    time.sleep(DURATION / 3)
    a.send_signal(signal.SIGKILL)
    a.wait()
    time.sleep(2.5)
    a = instance("a", ports[0], "a2.log")
    time.sleep(DURATION - DURATION / 3 - 6.5)
    for process in (a, b):
        process.send_signal(signal.SIGTERM)
    codes = [a.wait(timeout=30), b.wait(timeout=30)]
    publisher.terminate()
    publisher.wait()
    frame = 1 / FPS
    worst_frames, worst_ms, worst_duration, compared, disagreements = Fraction(0), 0, 0.0, 0, []
    for rendition in ("360p", "180p"):
        x, y = describe(os.path.join(folder, "a"), rendition), describe(os.path.join(folder, "b"), rendition)
        for number in sorted(set(x) & set(y)):
            p, q = x[number], y[number]
            if p.get("gap") or q.get("gap") or p["last"] or q["last"]:
                continue
            compared += 1
            frames = abs(p["pts"] - q["pts"]) / frame
            ms = abs(date_ms(p["date"]) - date_ms(q["date"]))
            worst_frames, worst_ms = max(worst_frames, frames), max(worst_ms, ms)
            worst_duration = max(worst_duration, abs(p["duration"] - q["duration"]))
            if frames or ms or p["dsn"] != q["dsn"] or abs(p["duration"] - q["duration"]) > 0.0005:
                disagreements.append(number)
    return dict(codes=codes, compared=compared, worst_frames=float(worst_frames), worst_ms=worst_ms,
                worst_duration=worst_duration, disagreements=len(disagreements))


def main():
    work = os.environ.get("WORK") or tempfile.mkdtemp(prefix="epoch-agreement-")
    results = []
    try:
        for index in range(RUNS):
            result = one_run(index, work)
            results.append(result)
            print(f"run {index + 1}: exit {result['codes']}, {result['compared']} segments compared, worst PTS difference "
                  f"{result['worst_frames']:g} frames, PDT {result['worst_ms']} ms, EXTINF {result['worst_duration']:.6f} s, "
                  f"{result['disagreements']} disagreeing", flush=True)
    finally:
        if not os.environ.get("WORK"):
            shutil.rmtree(work, ignore_errors=True)
    total = sum(r["compared"] for r in results)
    print(f"epoch-agreement: {RUNS} runs at {RATE} fps, {SEGMENT} s {FORMAT} segments: {total} segments compared; worst PTS "
          f"difference {max(r['worst_frames'] for r in results):g} frames, worst PDT difference "
          f"{max(r['worst_ms'] for r in results)} ms; runs with any disagreement: {sum(1 for r in results if r['disagreements'])}")
    ok = all(r["codes"] == [0, 0] and r["compared"] > 0 and not r["disagreements"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
