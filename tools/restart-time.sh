#!/usr/bin/env bash
# Measures how fast LiveLadder's supervisor brings a failed rendition back, for each injected fault kind
# (encoder-error, stall, write-error), on a realtime live ladder of the 640x360 fixture (renditions 360p
# and 240p, 2 s segments). The fault goes into 240p at FAULT_AT s of media time (mid-segment, default 7).
# Prints, per kind, the median restart time and the other figures below, a table, and the expected bound.
#
#   tools/restart-time.sh                                       # release build, 3 runs per kind (~5 min)
#   RUNS=1 LIVELADDER=.build-release/release/liveladder tools/restart-time.sh   # quick check, prebuilt
#
# Each run (24 s: the fixture looped 4 times, paced at its native rate with --realtime):
#   LIVELADDER_FAULTS="240p:<kind>@FAULT_AT" liveladder run --input in24.mp4 --output OUT --realtime
#       --playlist-type live --list-size 20 --segment-log SEGLOG --verbose --overwrite --stall-timeout 2
# --stall-timeout 2 (instead of the default 3 x segment duration = 6 s) keeps the stall case short; it is
# passed to every run but only matters for the stall.
#
# Times (wall clock, seconds; every stderr line is stamped with $EPOCHREALTIME as it arrives, because the
# log's own timestamp has only second resolution):
#   t0          wall time of media time 0: EXT-X-PROGRAM-DATE-TIME of segment 0 (the wall clock at ingest,
#               see docs/live.md), cross-checked against the segment log (inputCompletedAt - media time
#               of the segment's last frame)
#   injected    t0 + FAULT_AT: when the faulty media time passed at ingest
#   failed      the stamped "rendition 240p failed, restarting ..." line. For encoder-error it is the
#               failure itself; for write-error it is the failing write (the segment in progress is
#               written when it closes, i.e. after the next boundary); for stall it is the watchdog's
#               detection, the failure itself being the hang at `injected`
#   failure     = failed (encoder-error, write-error), = injected (stall)
#   resumed     wall time of the start (media time, from its PROGRAM-DATE-TIME) of 240p's first real
#               segment after the failure: the boundary at which the rendition came back
#   published   publishedAt of that segment in the segment log
# Columns: detect = failed - injected; resume = resumed - failure; restart = published - failure (the
# restart time); from fault = published - injected.
# Expected bound (the supervisor waits the backoff, then restarts at the next boundary):
#   resume  <= segment duration + backoff (+ stall timeout for stall; the watchdog polls every 0.1 s,
#              and measures from the rendition's last progress)
#   restart <= that + one segment duration (the first segment must be encoded in full) + publish latency
# Also: sibling lost = 360p segment numbers missing from the segment log + GAP entries in 360p's playlist
# (must be 0); GAPs = EXT-X-GAP entries in 240p's playlist; check = `liveladder check` on the final output.
#
# Environment:
#   RUNS       runs per fault kind (default 3)
#   LIVELADDER path to a liveladder binary; when unset, builds
#              `swift build -c release --product liveladder --scratch-path .build-release` from the repo root
#              (or --scratch-path .build-restart when another build holds .build-release's lock)
#   FAULT_AT   media time of the fault in seconds (default 7; keep it mid-segment, 1..14)
#   WORK_DIR   work dir: cached 24 s input, outputs, logs (default /tmp/liveladder-restart)
#   PYTHON     python3 for the analysis (default: python3 on PATH)
#
# Exit status: 0 when every run exited 0, restarted 240p, passed `liveladder check` and the sibling lost
# nothing (a restart slower than the bound is reported, not failed: this is a measurement); 1 otherwise;
# 2 on bad usage. See docs/benchmarks.md.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

RUNS="${RUNS:-3}"
LIVELADDER="${LIVELADDER:-}"
FAULT_AT="${FAULT_AT:-7}"
WORK_DIR="${WORK_DIR:-/tmp/liveladder-restart}"
PYTHON="${PYTHON:-$(command -v python3 || true)}"

KINDS=(encoder-error stall write-error)
SEG=2            # the default ladder's segment duration
BACKOFF=0.5      # RestartPolicy.initialBackoff (first restart)
STALL_TIMEOUT=2  # --stall-timeout for every run (default would be 3 x SEG = 6 s)
FAILING=240p
SIBLING=360p
FIXTURE="$root/fixtures/cfr30-640x360.mp4"

die() { echo "restart-time: $*" >&2; exit 1; }
usage() { echo "restart-time: $*" >&2; exit 2; }
say() { echo "restart-time: $*"; }

[[ $# -eq 0 ]] || usage "no arguments expected; configure with RUNS, LIVELADDER, FAULT_AT, WORK_DIR, PYTHON (see the header of $0)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || usage "RUNS must be a positive integer (got '$RUNS')"
[[ "$FAULT_AT" =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage "FAULT_AT must be a number of seconds (got '$FAULT_AT')"
awk -v f="$FAULT_AT" 'BEGIN { exit !(f >= 1 && f <= 14) }' || usage "FAULT_AT must be between 1 and 14 s (the input is 24 s; got '$FAULT_AT')"
if awk -v f="$FAULT_AT" -v s="$SEG" 'BEGIN { r = f - s * int(f / s); exit !(r < 0.1 || r > s - 0.1) }'; then
  say "warning: FAULT_AT=$FAULT_AT is on (or within 0.1 s of) a segment boundary; the brief asks for mid-segment"
fi
(( BASH_VERSINFO[0] >= 5 )) || die "bash 5 or later needed (EPOCHREALTIME)"
for tool in ffmpeg ffprobe timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run tools/setup.sh)"
done
[[ -n "$PYTHON" && -x "$PYTHON" ]] || die "python3 not found (set PYTHON)"
[[ -f "$FIXTURE" ]] || die "missing fixture $FIXTURE"

mkdir -p "$WORK_DIR"
WORK_DIR="$(cd "$WORK_DIR" && pwd)"

# --- 1. liveladder binary -----------------------------------------------------------

scratch=.build-release
if [[ -z "$LIVELADDER" ]]; then
  # Another engineer may be building in .build-release: SwiftPM keeps its pid in .lock while it runs.
  lockpid="$(cat "$root/$scratch/.lock" 2>/dev/null || true)"
  if [[ "$lockpid" =~ ^[0-9]+$ ]] && kill -0 "$lockpid" 2>/dev/null && [[ "$lockpid" != "$$" ]] \
    && tr '\0' ' ' <"/proc/$lockpid/cmdline" 2>/dev/null | grep -q swift; then
    say "a build (pid $lockpid) is running in $scratch; using .build-restart instead"
    scratch=.build-restart
  fi
fi
# shellcheck source=lib/find-liveladder.sh
source "$here/lib/find-liveladder.sh"
find_liveladder "$scratch"

# --- 2. input (cached): the fixture looped to 24 s ------------------------------------

INPUT="$WORK_DIR/in24.mp4"
GEN=(ffmpeg -nostdin -hide_banner -loglevel error -y -stream_loop 3 -i "$FIXTURE" -c copy)
if [[ -s "$INPUT" && "$INPUT" -nt "$FIXTURE" ]]; then
  say "cached input $INPUT"
else
  say "making the 24 s input $INPUT"
  "${GEN[@]}" "$WORK_DIR/.in24-partial.mp4" || die "input generation failed"
  mv -f "$WORK_DIR/.in24-partial.mp4" "$INPUT"
fi
FPS="$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$INPUT")"
[[ -n "$FPS" ]] || die "cannot read the frame rate of $INPUT"
cat "$INPUT" >/dev/null # page cache

rm -rf "$WORK_DIR/runs"
mkdir -p "$WORK_DIR/runs"

# --- 3. analysis (python) ---------------------------------------------------------------

ANALYZE="$WORK_DIR/analyze.py"
cat >"$ANALYZE" <<'PY'
# analyze.py run KIND RUN FAULT_AT SEG BACKOFF STALL_TIMEOUT FPS FAILING SIBLING OUT SEGLOG ERRLOG RC CHECK_RC RESULTS
#     -> appends one JSON row to RESULTS, prints the run's figures
# analyze.py table RESULTS SEG BACKOFF STALL_TIMEOUT    -> per-run rows, the table of medians, the bounds
import json, math, os, re, statistics, sys
from datetime import datetime
from fractions import Fraction

def parse_playlist(path):
    """[{number, extinf, pdt, gap}] in order; endlist flag."""
    items, cur, endlist = [], {}, False
    try:
        text = open(path).read()
    except OSError:
        return None, False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            v = line.split(":", 1)[1].replace("Z", "+00:00")
            cur["pdt"] = datetime.fromisoformat(v).timestamp()
        elif line == "#EXT-X-GAP":
            cur["gap"] = True
        elif line.startswith("#EXTINF:"):
            cur["extinf"] = float(line.split(":", 1)[1].split(",")[0])
        elif line == "#EXT-X-ENDLIST":
            endlist = True
        elif line and not line.startswith("#"):
            m = re.search(r"segment-(\d+)\.", line)
            items.append({"number": int(m.group(1)) if m else None, "extinf": cur.get("extinf"),
                          "pdt": cur.get("pdt"), "gap": cur.get("gap", False)})
            cur = {}
    return items, endlist

def run(kind, run_no, fault_at, seg, backoff, stall_timeout, fps, failing, sibling, out, seglog, errlog, rc, check_rc, results):
    fault_at, seg, backoff, stall_timeout = float(fault_at), float(seg), float(backoff), float(stall_timeout)
    frame = float(1 / Fraction(fps))
    rc, check_rc = int(rc), int(check_rc)
    problems, notes = [], []
    log = {}
    if os.path.exists(seglog):
        for line in open(seglog):
            if line.strip():
                r = json.loads(line)
                log.setdefault(r["rendition"], {})[r["number"]] = r
    fail_pl, fail_end = parse_playlist(os.path.join(out, failing, "index.m3u8"))
    sib_pl, sib_end = parse_playlist(os.path.join(out, sibling, "index.m3u8"))
    if fail_pl is None or sib_pl is None:
        problems.append("a media playlist is missing")
        fail_pl, sib_pl = fail_pl or [], sib_pl or []
    flog, slog = log.get(failing, {}), log.get(sibling, {})

    # t0: wall time of media time 0
    t0_pdt = next((i["pdt"] for i in sib_pl if i["number"] == 0 and i["pdt"] is not None), None)
    t0_log, end = None, 0.0
    for n in range(0, max(slog) + 1 if slog else 0):
        if n not in slog:
            break
        end += slog[n]["duration"]
        if "inputCompletedAt" in slog[n]:
            est = slog[n]["inputCompletedAt"] - (end - frame)
            t0_log = est if t0_log is None else min(t0_log, est)
    t0 = t0_pdt if t0_pdt is not None else t0_log
    if t0 is None:
        problems.append("cannot tell the wall time of media time 0 (no PROGRAM-DATE-TIME, no segment log)")
        t0 = float("nan")
    elif t0_pdt is not None and t0_log is not None:
        notes.append(f"t0 from PROGRAM-DATE-TIME; segment log says {(t0_log - t0_pdt) * 1000:+.0f} ms")
    injected = t0 + fault_at

    # stamped stderr lines
    failed_lines, gave_up = [], False
    for line in open(errlog, errors="replace"):
        stamp, _, text = line.rstrip("\n").partition(" ")
        if f"rendition {failing} failed" in text:
            if "giving it up" in text:
                gave_up = True
            failed_lines.append((float(stamp), text))
        elif f"rendition {sibling} failed" in text:
            problems.append(f"the sibling {sibling} failed too: {text.strip()[:160]}")
    failed = failed_lines[0][0] if failed_lines else float("nan")
    if not failed_lines:
        problems.append(f"no 'rendition {failing} failed' line on stderr: the fault did not fire")
    if len(failed_lines) > 1:
        problems.append(f"{failing} failed {len(failed_lines)} times (expected once)")
    if gave_up:
        problems.append(f"{failing} was given up")
    failure = injected if kind == "stall" else failed

    # the failing rendition: gaps and its first real segment after the failure
    gaps = [i["number"] for i in fail_pl if i["gap"]]
    unaccounted = [i["number"] for i in fail_pl if not i["gap"] and i["number"] not in flog]
    if unaccounted:
        problems.append(f"{failing}: segments {unaccounted} are listed but not in the segment log")
    if gaps:
        after = sorted(n for n in flog if n > gaps[0])
    else:
        after = sorted(n for n in flog if not math.isnan(failure) and flog[n]["publishedAt"] > failure)
    first = after[0] if after else None
    published = resumed = float("nan")
    if first is None:
        problems.append(f"{failing} published no segment after the failure")
    else:
        published = flog[first]["publishedAt"]
        pdt = next((i["pdt"] for i in fail_pl if i["number"] == first), None)
        if pdt is None:  # fall back to the sibling's durations
            pdt = t0 + sum(slog[n]["duration"] for n in range(first) if n in slog)
        resumed = pdt
        if flog[first].get("discontinuity"):
            notes.append(f"{failing} #{first} carries EXT-X-DISCONTINUITY")

    # the sibling: every number from 0 to the last one of either rendition, real and logged
    last = max([i["number"] for i in sib_pl + fail_pl if i["number"] is not None] + list(slog) + list(flog) + [-1])
    missing = [n for n in range(last + 1) if n not in slog]
    sib_gaps = [i["number"] for i in sib_pl if i["gap"]]
    sibling_lost = len(set(missing) | set(sib_gaps))
    if sibling_lost:
        problems.append(f"{sibling} lost segments: missing from the log {missing}, GAP in its playlist {sib_gaps}")
    if not sib_end or not fail_end:
        problems.append("a media playlist has no EXT-X-ENDLIST")
    if rc != 0:
        problems.append(f"liveladder exited {rc}")
    if check_rc != 0:
        problems.append(f"liveladder check exited {check_rc}")

    row = {"kind": kind, "run": int(run_no), "t0": t0, "injected": injected, "failed": failed, "failure": failure,
           "detect": failed - injected, "resume": resumed - failure, "restart": published - failure,
           "from_fault": published - injected, "first": first, "first_latency": published - (resumed + flog[first]["duration"]) if first is not None else float("nan"),
           "gaps": len(gaps), "gap_numbers": gaps, "sibling_lost": sibling_lost, "restarts": len(failed_lines),
           "segments": last + 1, "rc": rc, "check": check_rc == 0, "problems": problems, "notes": notes}
    with open(results, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(f"{kind} #{run_no}: injected t0+{fault_at:g} s; failed line {row['detect']:+.3f} s after; "
          f"{failing} back at #{first} (resume {row['resume']:.3f} s after the failure), published "
          f"{row['restart']:.3f} s after the failure ({row['from_fault']:.3f} s after the fault); "
          f"GAPs {gaps}; {sibling} lost {sibling_lost} of {last + 1}; check {'ok' if check_rc == 0 else 'FAILED'}")
    for n in notes:
        print(f"    note: {n}")
    for p in problems:
        print(f"    PROBLEM: {p}")

def bound(kind, seg, backoff, stall_timeout):
    return seg + backoff + (stall_timeout if kind == "stall" else 0.0)

def fmt(v):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"

def med(rows, key):
    v = [r[key] for r in rows if not (isinstance(r[key], float) and math.isnan(r[key]))]
    return statistics.median(v) if v else float("nan")

def table(results, seg, backoff, stall_timeout):
    seg, backoff, stall_timeout = float(seg), float(backoff), float(stall_timeout)
    rows = [json.loads(l) for l in open(results) if l.strip()]
    kinds = []
    for r in rows:
        if r["kind"] not in kinds:
            kinds.append(r["kind"])
    print("per run (s):")
    print(f"  {'kind':<13} {'run':>3} {'detect':>7} {'resume':>7} {'restart':>8} {'from fault':>10} {'1st seg':>7} {'GAPs':>4} {'sib lost':>8} {'check':>5}")
    for r in rows:
        print(f"  {r['kind']:<13} {r['run']:>3} {fmt(r['detect']):>7} {fmt(r['resume']):>7} {fmt(r['restart']):>8} "
              f"{fmt(r['from_fault']):>10} {('#' + str(r['first'])) if r['first'] is not None else '-':>7} {r['gaps']:>4} {r['sibling_lost']:>8} {'ok' if r['check'] else 'FAIL':>5}")
    print()
    print("medians (s):")
    hdr = (f"| {'fault kind':<13} | runs | detect | resume | restart time | from fault | bound (resume) | within | "
           f"GAPs (240p) | sibling lost | check |")
    print(hdr)
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
    for k in kinds:
        rs = [r for r in rows if r["kind"] == k]
        b = bound(k, seg, backoff, stall_timeout)
        resumes = [r["resume"] for r in rs]
        within = sum(1 for v in resumes if not math.isnan(v) and v <= b + 1e-9)
        restarts = [r["restart"] for r in rs if not math.isnan(r["restart"])]
        rng = f" ({min(restarts):.2f}–{max(restarts):.2f})" if len(restarts) > 1 else ""
        gaps = sorted(set(r["gaps"] for r in rs))
        print(f"| {k:<13} | {len(rs):>4} | {fmt(med(rs, 'detect')):>6} | {fmt(med(rs, 'resume')):>6} | "
              f"{fmt(med(rs, 'restart')) + rng:>12} | {fmt(med(rs, 'from_fault')):>10} | {b:>14.2f} | {within}/{len(rs)} | "
              f"{'/'.join(map(str, gaps)):>11} | {sum(r['sibling_lost'] for r in rs):>12} | "
              f"{sum(1 for r in rs if r['check'])}/{len(rs)} |")
    print()
    print(f"expected bound: resume <= segment duration + backoff = {seg:g} + {backoff:g} = {seg + backoff:g} s "
          f"(+ stall timeout {stall_timeout:g} s for stall = {seg + backoff + stall_timeout:g} s);")
    print(f"                restart time <= bound + one segment duration ({seg:g} s, the first segment must be encoded in full) "
          f"+ publish latency (median {statistics.median([r['first_latency'] for r in rows if not math.isnan(r['first_latency'])] or [float('nan')]):.2f} s here)")
    print("detect = failed line - fault's wall time; resume = failure -> the boundary where 240p came back; "
          "restart time = failure -> that segment's publishedAt; from fault = fault's wall time -> publishedAt.")
    print("failure = the stamped 'failed' line for encoder-error and write-error, the stall itself (fault's wall time) for stall.")
    bad = [r for r in rows if r["problems"]]
    slow = [r for r in rows if not math.isnan(r["resume"]) and r["resume"] > bound(r["kind"], seg, backoff, stall_timeout) + 1e-9]
    for r in slow:
        print(f"NOTE: {r['kind']} #{r['run']}: resume {r['resume']:.2f} s is over the bound {bound(r['kind'], seg, backoff, stall_timeout):g} s")
    for r in bad:
        for p in r["problems"]:
            print(f"PROBLEM: {r['kind']} #{r['run']}: {p}")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(*sys.argv[2:])
    elif sys.argv[1] == "table":
        table(*sys.argv[2:])
    else:
        sys.exit("usage")
PY

quote_cmd() {
  local w out="" q="'"
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=,+%@-]+$ ]]; then out+="$w "; else out+="'${w//$q/$q\\$q$q}' "; fi
  done
  echo "${out% }"
}

# --- 4. runs: interleaved, one kind after the other, RUNS rounds ----------------------------

RESULTS="$WORK_DIR/results.jsonl"
: >"$RESULTS"
failed=0
start_wall=$SECONDS

ll_cmd() { # OUT SEGLOG -> fills LL
  LL=("$LIVELADDER" run --input "$INPUT" --output "$1" --realtime --playlist-type live --list-size 20
    --segment-log "$2" --verbose --overwrite --stall-timeout "$STALL_TIMEOUT")
}

say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $RUNS run(s) x ${#KINDS[@]} kinds of 24 s each; fault in $FAILING at ${FAULT_AT} s; --stall-timeout $STALL_TIMEOUT"
for ((i = 1; i <= RUNS; i++)); do
  for kind in "${KINDS[@]}"; do
    base="$WORK_DIR/runs/$kind-$i"
    out="$base.out"; seglog="$base.segments.jsonl"; errlog="$base.stderr"; stdout="$base.stdout"
    ll_cmd "$out" "$seglog"
    echo "LIVELADDER_FAULTS=$FAILING:$kind@$FAULT_AT $(quote_cmd "${LL[@]}")" >"$base.cmd"
    say "$kind #$i ..."
    # stderr lines are stamped with a microsecond wall time as they arrive; stdout goes to a file.
    set +e
    { LIVELADDER_FAULTS="$FAILING:$kind@$FAULT_AT" timeout -k 5 120 "${LL[@]}" 2>&1 >"$stdout" </dev/null; } \
      | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$errlog"
    rc=${PIPESTATUS[0]}
    set -e
    crc=0
    "$LIVELADDER" check "$out" >"$base.check" 2>&1 || crc=$?
    if [[ "$crc" -ne 0 ]]; then sed 's/^/    check: /' "$base.check" | head -n 10; fi
    if [[ "$rc" -ne 0 ]]; then
      echo "restart-time: liveladder exited $rc; last lines of $errlog:" >&2
      tail -n 10 "$errlog" | sed 's/^/    /' >&2
    fi
    "$PYTHON" "$ANALYZE" run "$kind" "$i" "$FAULT_AT" "$SEG" "$BACKOFF" "$STALL_TIMEOUT" "$FPS" "$FAILING" "$SIBLING" \
      "$out" "$seglog" "$errlog" "$rc" "$crc" "$RESULTS" | sed 's/^/  /' || failed=1
  done
done

# --- 5. report ----------------------------------------------------------------------------

echo
echo "== commands (work dir $WORK_DIR) =="
echo "input (made once, cached):"
echo "  $(quote_cmd "${GEN[@]}" "$INPUT")"
echo "each run (KIND = encoder-error | stall | write-error; --stall-timeout $STALL_TIMEOUT instead of the default 6 s to keep the stall case short):"
ll_cmd "$WORK_DIR/runs/KIND-N.out" "$WORK_DIR/runs/KIND-N.segments.jsonl"
echo "  LIVELADDER_FAULTS=$FAILING:KIND@$FAULT_AT $(quote_cmd "${LL[@]}")"
echo "  $(quote_cmd "$LIVELADDER" check "$WORK_DIR/runs/KIND-N.out")"
echo
echo "== restart time: fault in $FAILING at ${FAULT_AT} s, 24 s realtime 640x360p30 input, $SIBLING + $FAILING, ${SEG} s segments, backoff ${BACKOFF} s, --stall-timeout ${STALL_TIMEOUT}, $(nproc) cores =="
if [[ -s "$RESULTS" ]]; then
  "$PYTHON" "$ANALYZE" table "$RESULTS" "$SEG" "$BACKOFF" "$STALL_TIMEOUT" || failed=1
else
  echo "(no results)"; failed=1
fi
echo "outputs and logs: $WORK_DIR/runs ($(( SECONDS - start_wall )) s)"
exit "$failed"
