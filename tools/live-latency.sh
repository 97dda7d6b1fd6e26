#!/usr/bin/env bash
# Measures segment-ready latency of a live 720p/360p HLS ladder fed by a realtime RTMP publisher, for
# LiveLadder and for the ffmpeg CLI doing the same ladder, in two modes: the default x264 settings
# (preset veryfast) and `tune: zerolatency` on both renditions. Prints p50/p95 per tool and mode, and
# whether LiveLadder meets the targets (p95 <= 0.5 s default, <= 0.15 s zerolatency).
#
#   tools/live-latency.sh                        # release build, 40 s feed, both modes, both tools (~3.5 min)
#   DURATION=12 LIVELADDER=.build/debug/liveladder tools/live-latency.sh   # quick check, prebuilt binary
#
# Segment-ready latency of one segment = when a playlist listing it first exists on disk
#                                      - when the segment's last input frame arrived at ingest.
# Two measurements:
#   segment log   LiveLadder only: its own --segment-log figure (publishedAt - inputCompletedAt;
#                 inputCompletedAt is taken after demuxing and decoding).
#   playlist poll both tools, the same external way: the media playlists are polled every POLL_MS ms and
#                 each segment's first listing is timed; its last frame is taken to arrive at
#                 T_pub + (segment end + offset - 1 frame), where T_pub is when the publisher
#                 (ffmpeg -re) starts pacing (its "Stream mapping:" log line), the segment end is the sum
#                 of the EXTINFs so far, and offset is the tool's timeline shift against the source,
#                 found by matching a segment's first picture with the source frames (0 for LiveLadder,
#                 -1 frame for the ffmpeg CLI on this feed).
#
# Environment:
#   DURATION   feed length in seconds (default 40; at least 6)
#   MODES      which modes to run (default "default zerolatency")
#   COMPARE    1 (default) also runs the ffmpeg CLI; 0 runs LiveLadder only
#   TAIL_WAIT  seconds to wait after the publisher ends before stopping LiveLadder (default 4)
#   POLL_MS    playlist polling interval in ms (default 20)
#   BENCH_DIR  work dir: cached source, outputs, logs (default /tmp/liveladder-bench; this script uses
#              $BENCH_DIR/live-latency/ plus the cached source)
#   LIVELADDER path to a liveladder binary; when unset, builds
#              `swift build -c release --product liveladder --scratch-path .build-bench`
#   PYTHON     python3 interpreter for the statistics (default: python3 on PATH)
#
# Exit status: 0 when every run produced segments in both renditions (whether or not the targets are
# met: this is a measurement, not a test); 1 when a run failed; 2 on bad usage. See docs/benchmarks.md.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

DURATION="${DURATION:-40}"
MODES="${MODES:-default zerolatency}"
COMPARE="${COMPARE:-1}"
TAIL_WAIT="${TAIL_WAIT:-4}"
POLL_MS="${POLL_MS:-20}"
BENCH_DIR="${BENCH_DIR:-/tmp/liveladder-bench}"
LIVELADDER="${LIVELADDER:-}"
PYTHON="${PYTHON:-$(command -v python3 || true)}"

die() { echo "live-latency: $*" >&2; exit 1; }
usage() { echo "live-latency: $*" >&2; exit 2; }
say() { echo "live-latency: $*"; }

[[ $# -eq 0 ]] || usage "no arguments expected; configure with DURATION, MODES, COMPARE, TAIL_WAIT, POLL_MS, BENCH_DIR, LIVELADDER (see the header of $0)"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 6 ]] || usage "DURATION must be a whole number of seconds >= 6 (got '$DURATION')"
[[ "$TAIL_WAIT" =~ ^[0-9]+$ ]] || usage "TAIL_WAIT must be a whole number of seconds (got '$TAIL_WAIT')"
[[ "$POLL_MS" =~ ^[1-9][0-9]*$ ]] || usage "POLL_MS must be a positive whole number (got '$POLL_MS')"
[[ "$COMPARE" == 0 || "$COMPARE" == 1 ]] || usage "COMPARE must be 0 or 1 (got '$COMPARE')"
for m in $MODES; do
  [[ "$m" == default || "$m" == zerolatency ]] || usage "MODES: unknown mode '$m' (use default and/or zerolatency)"
done
[[ -n "${MODES// /}" ]] || usage "MODES is empty"
(( BASH_VERSINFO[0] >= 5 )) || die "bash 5 or later needed (EPOCHREALTIME)"

for tool in ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run tools/setup.sh)"
done
[[ -n "$PYTHON" && -x "$PYTHON" ]] || die "python3 not found (set PYTHON)"
[[ -r /proc/net/tcp ]] || die "/proc/net/tcp not readable (needed to see when a listener is ready)"

mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
WORK="$BENCH_DIR/live-latency"

# --- 1. liveladder binary -----------------------------------------------------

# shellcheck source=lib/find-liveladder.sh
source "$here/lib/find-liveladder.sh"
find_liveladder .build-bench

# --- 2. source (cached) -------------------------------------------------------

# Keyframes every 1 s and no B-frames, like a live encoder set up for HLS: every packet is decodable on
# arrival, so "when the last frame of a segment arrived" is well defined for both tools.
FPS=30
SEG=2
SOURCE="$BENCH_DIR/live-source-1280x720p30-gop30-${DURATION}s.mp4"
GEN=(ffmpeg -nostdin -hide_banner -loglevel error -y
  -f lavfi -i "testsrc2=size=1280x720:rate=${FPS}:duration=${DURATION}"
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${DURATION}"
  -map 0:v -map 1:a
  -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p -profile:v high
  -g "$FPS" -keyint_min "$FPS" -sc_threshold 0 -bf 0
  -c:a aac -b:a 128k -ar 48000 -ac 2
  -movflags +faststart -t "$DURATION")
if [[ -s "$SOURCE" ]]; then
  say "cached source $SOURCE"
else
  say "generating ${DURATION} s source $SOURCE"
  partial="$BENCH_DIR/.live-source-partial.mp4"
  "${GEN[@]}" "$partial" || die "source generation failed"
  mv -f "$partial" "$SOURCE"
fi

rm -rf "$WORK"
mkdir -p "$WORK"
cat "$SOURCE" >/dev/null # warm the page cache for the publisher

# --- 3. helpers (python: polling and statistics) --------------------------------

POLLER="$WORK/poll.py"
cat >"$POLLER" <<'PY'
# poll.py OUT_DIR STOP_FILE INTERVAL_S RENDITION...
# Polls OUT_DIR/<rendition>/index.m3u8 and OUT_DIR/master.m3u8; prints one JSON line per segment the
# first time a playlist lists it, and per change of the master's variant count. Stops (after one last
# pass) once STOP_FILE exists.
import json, os, sys, time
out, stop, interval, rends = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
seen, last_key, master_variants = set(), {}, None

def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

def parse(text):
    seq, extinf, items, endlist = 0, None, [], False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            seq = int(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            extinf = float(line.split(":", 1)[1].split(",")[0])
        elif line == "#EXT-X-ENDLIST":
            endlist = True
        elif line and not line.startswith("#"):
            items.append((seq + len(items), line, extinf))
            extinf = None
    return items, endlist

def one_pass():
    global master_variants
    for r in rends:
        path = os.path.join(out, r, "index.m3u8")
        t = time.time()
        try:
            st = os.stat(path)
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            if last_key.get(r) == key:
                continue
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        last_key[r] = key
        items, endlist = parse(text)
        for seq, uri, extinf in items:
            if (r, seq) not in seen:
                seen.add((r, seq))
                emit({"kind": "segment", "rendition": r, "seq": seq, "uri": uri, "extinf": extinf,
                      "firstListed": t, "endlist": endlist})
    path = os.path.join(out, "master.m3u8")
    t = time.time()
    try:
        with open(path) as f:
            n = sum(1 for line in f if line.startswith("#EXT-X-STREAM-INF"))
    except OSError:
        return
    if n != master_variants:
        master_variants = n
        emit({"kind": "master", "variants": n, "at": t})

while True:
    start = time.time()
    stopping = os.path.exists(stop)
    one_pass()
    if stopping:
        break
    time.sleep(max(0.0, interval - (time.time() - start)))
PY

ANALYZE="$WORK/analyze.py"
cat >"$ANALYZE" <<'PY'
# analyze.py run MODE TOOL T_PUB FPS DURATION POLL_FILE SEGLOG|- RESULTS SOURCE OUT_DIR
#                                                    -> appends rows to RESULTS, prints a summary
# analyze.py table RESULTS                           -> the final table
import json, math, os, re, subprocess, sys

def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)

def stats(values):
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95),
            "max": max(values) if values else float("nan"), "min": min(values) if values else float("nan")}

TARGETS = {"default": 0.5, "zerolatency": 0.15}

def by_height(name):
    digits = "".join(c for c in name if c.isdigit())
    return (-int(digits) if digits else 0, name)

def fmt(s):
    return f"{s['n']:>3} segments, p50 {s['p50']:.3f} s, p95 {s['p95']:.3f} s, max {s['max']:.3f} s"

W, H = 160, 90

def gray_frames(args, count):
    """Up to `count` decoded frames, each scaled to WxH 8-bit gray."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *args, "-vf", f"scale={W}:{H}:flags=area,format=gray",
                          "-frames:v", str(count), "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    n = W * H
    return [raw[i * n:(i + 1) * n] for i in range(len(raw) // n)]

def content_offset(source, out, rend, starts, fps):
    """Which source frame a segment really starts with, against its start by the EXTINF sum, in frames
    (0: the tool's timeline is the source's). Matches the first frame of the latest full segment still on
    disk against source frames around its nominal start. Returns (offset, note) or (None, reason)."""
    folder = os.path.join(out, rend)
    try:
        names = os.listdir(folder)
    except OSError as e:
        return None, f"cannot list {folder}: {e}"
    numbers = [int(m.group(1)) for m in (re.fullmatch(r"segment-(\d+)\.ts", n) for n in names) if m]
    full = [n for n in numbers if n in starts and n + 1 in starts]
    if not full:
        return None, "no full segment left on disk"
    seq = max(full)
    k = round(starts[seq] * fps)
    lo = max(0, k - 5)
    try:
        src = gray_frames(["-ss", f"{max(0.0, lo / fps - 0.001):.4f}", "-i", source], 11)
        seg = gray_frames(["-i", os.path.join(folder, f"segment-{seq}.ts")], 1)
    except subprocess.CalledProcessError as e:
        return None, f"ffmpeg failed: {e.stderr.decode(errors='replace').strip()[:200]}"
    if not src or not seg:
        return None, "no frames decoded"
    mse = [sum((a - b) * (a - b) for a, b in zip(seg[0], f)) / len(f) for f in src]
    order = sorted(range(len(mse)), key=mse.__getitem__)
    best = order[0]
    if len(order) > 1 and mse[best] > 0.5 * mse[order[1]]:
        return None, f"segment {seq}: no clear match (MSE {mse[best]:.1f} vs {mse[order[1]]:.1f})"
    return lo + best - k, f"{rend} segment {seq} starts with source frame {lo + best} (EXTINF sum says {k})"

def run(mode, tool, t_pub, fps, duration, poll_file, seglog, results, source, out):
    t_pub, fps, duration = float(t_pub), float(fps), float(duration)
    frame = 1.0 / fps
    segs, masters = {}, []
    with open(poll_file) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec["kind"] == "segment":
                segs.setdefault(rec["rendition"], {})[rec["seq"]] = rec
            else:
                masters.append(rec)
    problems, external, per_seg, due, per_rend, last, notes = [], [], {}, {}, {}, [], []
    expected = math.ceil(duration / 2.0 - 1e-9)
    for rend, by_seq in sorted(segs.items(), key=lambda kv: by_height(kv[0])):
        starts, end = {}, 0.0
        for seq in range(0, max(by_seq) + 1):
            starts[seq] = end
            rec = by_seq.get(seq)
            end += rec["extinf"] if rec and rec["extinf"] is not None else 2.0
        # A tool may shift its timeline against the source (ffmpeg's CFR output of an FLV feed whose video
        # starts 21 ms after the audio does, by one frame): find out from the pictures.
        offset, note = content_offset(source, out, rend, starts, fps)
        if offset is None:
            problems.append(f"{rend}: timeline alignment unknown, assuming none ({note})")
            offset = 0
        else:
            notes.append(f"{note}: offset {offset:+d} frame(s)")
        end, missing, values = 0.0, 0, []
        for seq in range(0, max(by_seq) + 1):
            rec = by_seq.get(seq)
            if rec is None:
                missing += 1
                end += 2.0
                continue
            end += rec["extinf"] if rec["extinf"] is not None else 2.0
            # The segment's last frame is the one before its end, shifted by the tool's timeline offset;
            # ffmpeg -re sends it at T_pub + its media time.
            due[(rend, seq)] = t_pub + end + (offset - 1) * frame
            lat = rec["firstListed"] - due[(rend, seq)]
            external.append(lat)
            values.append(lat)
            per_seg[(rend, seq)] = lat
        per_rend[rend] = stats(values)
        last.append(f"{rend} #{max(by_seq)} {per_seg.get((rend, max(by_seq)), float('nan')):.3f} s")
        if missing:
            problems.append(f"{rend}: {missing} segment(s) never seen by the poller")
        if len(by_seq) < expected:
            problems.append(f"{rend}: {len(by_seq)} segments listed, expected {expected}")
        if abs(end - duration) > 0.25:
            problems.append(f"{rend}: the EXTINFs add up to {end:.3f} s, the feed is {duration:.0f} s")
    rows = [{"mode": mode, "tool": tool, "method": "playlist poll", **stats(external)}]
    pad = " " * 24
    summary = [f"{tool:<10} {mode:<11}  playlist poll: {fmt(rows[0])}"]
    for rend, st in per_rend.items():
        summary.append(f"{pad}{rend:>5}: {fmt(st)}")
    summary.append(f"{pad}last segment of each rendition (closed at the end of the feed): " + ", ".join(last))
    for note in notes:
        summary.append(f"{pad}timeline: {note}")
    if seglog != "-":
        internal, ingest, per_rend_int = [], [], {}
        with open(seglog) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if "latency" not in rec:
                    problems.append(f"segment log: {rec['rendition']} #{rec['number']} has no latency")
                    continue
                internal.append(rec["latency"])
                per_rend_int.setdefault(rec["rendition"], []).append(rec["latency"])
                d = due.get((rec["rendition"], rec["number"]))
                if d is not None:
                    ingest.append(rec["inputCompletedAt"] - d)
        s = {"mode": mode, "tool": tool, "method": "segment log", **stats(internal)}
        rows.insert(0, s)
        summary.insert(0, f"{tool:<10} {mode:<11}  segment log:   {fmt(s)}")
        for i, (rend, values) in enumerate(sorted(per_rend_int.items(), key=lambda kv: by_height(kv[0]))):
            summary.insert(1 + i, f"{pad}{rend:>5}: {fmt(stats(values))}")
        if ingest:
            summary.append(f"{pad}inputCompletedAt - when the last frame was due at ingest: median {pct(ingest, 50) * 1000:.0f} ms "
                           f"(min {min(ingest) * 1000:.0f}, max {max(ingest) * 1000:.0f}): demuxing + decoding, not in the segment log")
    if masters:
        first = masters[0]
        summary.append(f"{pad}master.m3u8 first seen {first['at'] - t_pub:.2f} s after the publisher started, "
                       f"{first['variants']} variant(s)" +
                       ("" if len(masters) == 1 else "; later " + ", ".join(str(m["variants"]) for m in masters[1:])))
        if masters[-1]["variants"] != 2:
            problems.append(f"master.m3u8 lists {masters[-1]['variants']} variants, expected 2")
    else:
        problems.append("master.m3u8 never appeared")
    for r in rows:
        r["problems"] = problems
    with open(results, "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print("\n".join(summary))
    for p in problems:
        print(f"{pad}WARNING: {p}")

def table(results):
    rows = [json.loads(l) for l in open(results) if l.strip()]
    print(f"{'mode':<12} {'tool':<11} {'measured by':<14} {'segs':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7}   target (LiveLadder p95)")
    for r in rows:
        target = TARGETS[r["mode"]]
        if r["tool"] == "liveladder":
            verdict = "met" if r["n"] and r["p95"] <= target else "not met"
            tgt = f"<= {target:.2f} s  {verdict}"
        else:
            tgt = "(reference)"
        print(f"{r['mode']:<12} {r['tool']:<11} {r['method']:<14} {r['n']:>4} {r['p50']:>7.3f} {r['p95']:>7.3f} {r['max']:>7.3f}   {tgt}")

if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:])
    elif sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit("usage")
PY

# free_port -> a loopback TCP port nobody listens on right now
free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# listening PORT -> 0 when something listens on 127.0.0.1:PORT or 0.0.0.0:PORT (without connecting: an
# RTMP listener accepts exactly one connection)
listening() {
  local hex
  hex=$(printf '%04X' "$1")
  grep -Eq "^ *[0-9]+: (0100007F|00000000):$hex 00000000:0000 0A" /proc/net/tcp
}

# wait_listening PORT PID LOG -> waits up to 60 s for the listener, fails if PID dies first
wait_listening() {
  local port="$1" pid="$2" log="$3" i
  for ((i = 0; i < 600; i++)); do
    listening "$port" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "live-latency: the listener (pid $pid) exited before listening; last lines of $log:" >&2
      tail -n 20 "$log" | sed 's/^/    /' >&2
      return 1
    fi
    sleep 0.1
  done
  echo "live-latency: nothing listens on port $port after 60 s; see $log" >&2
  return 1
}

# stop_pid PID SIGNAL GRACE -> signals PID (CONT: just waits), waits up to GRACE seconds, then SIGKILL;
# the exit status goes to STOP_RC. Not in $(...): only this shell can reap its children.
STOP_RC=0
stop_pid() {
  local pid="$1" sig="$2" grace="$3" i
  if kill -0 "$pid" 2>/dev/null; then kill "-$sig" "$pid" 2>/dev/null || true; fi
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "live-latency: pid $pid still running after ${grace} s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  STOP_RC=0
  wait "$pid" 2>/dev/null || STOP_RC=$?
}

# Background processes this script started; whatever is still running when it exits is stopped.
CHILDREN=()
cleanup() {
  local p
  for p in "${CHILDREN[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

quote_cmd() {
  local w out="" q="'"
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=,+%@-]+$ ]]; then out+="$w "; else out+="'${w//$q/$q\\$q$q}' "; fi
  done
  echo "${out% }"
}

# --- 4. the commands ------------------------------------------------------------

write_ladder() { # MODE FILE
  local name height rate
  {
    echo "segmentDuration: $SEG"
    echo "segmentFormat: ts"
    echo "renditions:"
    for rung in "720p 720 3000k" "360p 360 800k"; do
      read -r name height rate <<<"$rung"
      echo "  - name: $name"
      echo "    height: $height"
      echo "    videoBitrate: $rate"
      if [[ "$1" == zerolatency ]]; then echo "    tune: zerolatency"; fi
    done
  } >"$2"
}

# GOP as LiveLadder computes it: ceil(segmentDuration x fps) + 1; maxrate 1.1x, bufsize 2x maxrate.
GOP=$(( SEG * FPS + 1 ))
ff_cmd() { # MODE PORT OUT -> fills FF
  local tune=()
  [[ "$1" == zerolatency ]] && tune=(-tune zerolatency)
  FF=(ffmpeg -nostdin -hide_banner -nostats -loglevel warning -y
    -listen 1 -i "rtmp://127.0.0.1:$2/live/stream"
    -filter_complex "[0:v:0]split=2[s0][s1];[s0]scale=1280:720[v0];[s1]scale=640:360[v1]"
    -map "[v0]" -map "[v1]" -map a:0 -map a:0
    -c:v libx264 -preset veryfast "${tune[@]}" -profile:v high -pix_fmt yuv420p
    -b:v:0 3000k -maxrate:v:0 3300k -bufsize:v:0 6600k
    -b:v:1 800k -maxrate:v:1 880k -bufsize:v:1 1760k
    -g "$GOP" -sc_threshold 0 -forced-idr 1 -force_key_frames "expr:gte(t,n_forced*${SEG})"
    -c:a aac -b:a 128k -ar 48000 -ac 2
    -f hls -hls_time "$SEG" -hls_list_size 6
    -hls_flags delete_segments+program_date_time+independent_segments
    -hls_segment_type mpegts -hls_segment_filename "$3/%v/segment-%d.ts"
    -master_pl_name master.m3u8
    -var_stream_map "v:0,a:0,name:720p v:1,a:1,name:360p"
    "$3/%v/index.m3u8")
}

ll_cmd() { # MODE PORT OUT SEGLOG -> fills LL
  LL=("$LIVELADDER" run --input "rtmp://127.0.0.1:$2/live/stream" --listen --output "$3"
    --config "$WORK/ladder-$1.yaml" --playlist-type live --list-size 6 --segment-log "$4" --overwrite)
}

pub_cmd() { # PORT -> fills PUB
  PUB=(ffmpeg -nostdin -hide_banner -nostats -loglevel info -re -i "$SOURCE"
    -c copy -f flv "rtmp://127.0.0.1:$1/live/stream")
}

# --- 5. runs ------------------------------------------------------------------------

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
failed=0

run_one() { # MODE TOOL
  local mode="$1" tool="$2" port out log seglog poll stop publog pid poller rc t_pub pub_rc
  port=$(free_port)
  out="$WORK/$mode-$tool"
  log="$WORK/$mode-$tool.log"
  seglog="$WORK/$mode-$tool.segments.jsonl"
  poll="$WORK/$mode-$tool.poll.jsonl"
  stop="$WORK/$mode-$tool.stop"
  publog="$WORK/$mode-$tool.publisher.log"
  rm -rf "$out" "$stop"
  mkdir -p "$out"
  local -a cmd
  if [[ "$tool" == liveladder ]]; then
    ll_cmd "$mode" "$port" "$out" "$seglog"; cmd=("${LL[@]}")
  else
    ff_cmd "$mode" "$port" "$out"; cmd=("${FF[@]}"); seglog=-
  fi
  pub_cmd "$port"
  echo "$(quote_cmd "${cmd[@]}")" >"$WORK/$mode-$tool.cmd"
  say "$mode / $tool: port $port, feeding ${DURATION} s in real time ..."
  "${cmd[@]}" >"$log" 2>&1 &
  pid=$!
  CHILDREN+=("$pid")
  if ! wait_listening "$port" "$pid" "$log"; then
    stop_pid "$pid" TERM 2
    failed=1; return
  fi
  "$PYTHON" "$POLLER" "$out" "$stop" "$(awk -v ms="$POLL_MS" 'BEGIN { print ms / 1000 }')" 720p 360p >"$poll" &
  poller=$!
  CHILDREN+=("$poller")
  # The publisher's log lines, each stamped with the wall time it was read.
  if ! "${PUB[@]}" 2>&1 </dev/null | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$publog"; then
    echo "live-latency: the publisher failed; last lines of $publog:" >&2
    tail -n 5 "$publog" | sed 's/^/    /' >&2
    failed=1
  fi
  if [[ "$tool" == liveladder ]]; then
    sleep "$TAIL_WAIT"
    if ! kill -0 "$pid" 2>/dev/null; then
      rc=0; wait "$pid" || rc=$?
      echo "live-latency: liveladder exited by itself (exit $rc) before it was stopped; last lines of $log:" >&2
      tail -n 20 "$log" | sed 's/^/    /' >&2
      failed=1
    else
      stop_pid "$pid" TERM 5
    fi
  else
    # ffmpeg ends by itself once the publisher disconnects.
    stop_pid "$pid" CONT $(( TAIL_WAIT + 10 ))
    if [[ "$STOP_RC" -ne 0 ]]; then
      echo "live-latency: ffmpeg exit status $STOP_RC; last lines of $log:" >&2
      tail -n 20 "$log" | sed 's/^/    /' >&2
      failed=1
    fi
  fi
  touch "$stop"
  wait "$poller" || true
  t_pub=$(awk '/ Stream mapping:/ { print $1; exit }' "$publog")
  if [[ -z "$t_pub" ]]; then
    echo "live-latency: no 'Stream mapping:' line in $publog; cannot time the feed" >&2
    failed=1; return
  fi
  if [[ ! -s "$poll" ]]; then
    echo "live-latency: $tool published no segment; see $log" >&2
    failed=1; return
  fi
  "$PYTHON" "$ANALYZE" run "$mode" "$tool" "$t_pub" "$FPS" "$DURATION" "$poll" "$seglog" "$RESULTS" "$SOURCE" "$out" | sed 's/^/  /'
}

start_wall=$SECONDS
say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${DURATION} s feed, modes: $MODES"
for mode in $MODES; do
  write_ladder "$mode" "$WORK/ladder-$mode.yaml"
  run_one "$mode" liveladder
  if [[ "$COMPARE" == 1 ]]; then run_one "$mode" ffmpeg; fi
done

# --- 6. report ----------------------------------------------------------------------

echo
echo "== commands (work dir $WORK) =="
echo "source (generated once, cached):"
echo "  $(quote_cmd "${GEN[@]}" "$SOURCE")"
echo "publisher:"
pub_cmd PORT
echo "  $(quote_cmd "${PUB[@]}")"
for mode in $MODES; do
  echo "ladder config $WORK/ladder-$mode.yaml:"
  grep -v '^$' "$WORK/ladder-$mode.yaml" | sed 's/^/  /'
  for tool in liveladder ffmpeg; do
    if [[ -f "$WORK/$mode-$tool.cmd" ]]; then echo "$tool ($mode):"; sed 's/^/  /' "$WORK/$mode-$tool.cmd"; fi
  done
done
echo
echo "== segment-ready latency: ${DURATION} s 1280x720p30 RTMP feed (ffmpeg -re), 720p+360p, 2 s segments, $(nproc) cores =="
if [[ -s "$RESULTS" ]]; then
  "$PYTHON" "$ANALYZE" table "$RESULTS"
else
  echo "(no results)"
fi
echo
echo "segment log  = LiveLadder's --segment-log (publishedAt - inputCompletedAt, after demux and decode)."
echo "playlist poll = first listing seen by a ${POLL_MS} ms poller - (publisher start + segment end + timeline offset - 1 frame); same for both tools."
echo "outputs and logs: $WORK ($(( SECONDS - start_wall )) s)"
exit "$failed"
