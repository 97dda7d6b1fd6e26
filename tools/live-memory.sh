#!/usr/bin/env bash
# Long accelerated live run: does LiveLadder's memory stay flat? Runs
#   liveladder run --input fixtures/cfr30-640x360.mp4 --loop --playlist-type live --output DIR
# (as fast as the CPU allows, continuous timeline, sliding 6-segment window, old segments deleted) for
# MINUTES minutes of wall time, samples VmRSS and VmHWM from /proc/PID/status every INTERVAL seconds into
# a CSV, and reports the peak RSS (VmHWM) at BASELINE_MINUTES and at the end, and their ratio
# (target: the end within 5 % of the baseline). Then runs the same ladder with the ffmpeg CLI
# (-stream_loop -1 … -f hls -hls_flags delete_segments+program_date_time -hls_list_size 6) for the same
# time, sampled the same way, and prints both.
#
#   tools/live-memory.sh                               # release build, 30 min per tool (about 1 hour)
#   NICE=19 tools/live-memory.sh &                     # the same in the background on a shared machine
#   MINUTES=1 COMPARE=0 LIVELADDER=.build/debug/liveladder tools/live-memory.sh   # quick check
#
# Environment:
#   MINUTES           wall-clock minutes per tool (default 30)
#   BASELINE_MINUTES  when the baseline peak is read (default 5; when MINUTES < 2 x BASELINE_MINUTES it
#                     becomes MINUTES / 2, so short runs still print a ratio)
#   INTERVAL          seconds between samples (default 10)
#   COMPARE           1 (default) also runs the ffmpeg CLI afterwards; 0 runs LiveLadder only
#   NICE              run both tools under `nice -n NICE` (0..19; default: not niced)
#   FIXTURE           input file (default fixtures/cfr30-640x360.mp4)
#   BENCH_DIR         work dir (default /tmp/liveladder-bench; this script uses $BENCH_DIR/live-memory/)
#   LIVELADDER        path to a liveladder binary; when unset, builds
#                     `swift build -c release --product liveladder --scratch-path .build-bench`
#
# Exit status: 0 when every run lasted the whole time and kept publishing (whether or not the target is
# met: this is a measurement, not a test); 1 when a tool died early or published nothing; 2 on bad usage.
# See docs/benchmarks.md.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

MINUTES="${MINUTES:-30}"
BASELINE_MINUTES="${BASELINE_MINUTES:-5}"
INTERVAL="${INTERVAL:-10}"
COMPARE="${COMPARE:-1}"
NICE="${NICE:-}"
FIXTURE="${FIXTURE:-$root/fixtures/cfr30-640x360.mp4}"
BENCH_DIR="${BENCH_DIR:-/tmp/liveladder-bench}"
LIVELADDER="${LIVELADDER:-}"

die() { echo "live-memory: $*" >&2; exit 1; }
usage() { echo "live-memory: $*" >&2; exit 2; }
say() { echo "live-memory: $*"; }

[[ $# -eq 0 ]] || usage "no arguments expected; configure with MINUTES, BASELINE_MINUTES, INTERVAL, COMPARE, NICE, FIXTURE, BENCH_DIR, LIVELADDER (see the header of $0)"
[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || usage "MINUTES must be a positive whole number (got '$MINUTES')"
[[ "$BASELINE_MINUTES" =~ ^[1-9][0-9]*$ ]] || usage "BASELINE_MINUTES must be a positive whole number (got '$BASELINE_MINUTES')"
[[ "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || usage "INTERVAL must be a positive whole number of seconds (got '$INTERVAL')"
[[ "$COMPARE" == 0 || "$COMPARE" == 1 ]] || usage "COMPARE must be 0 or 1 (got '$COMPARE')"
[[ -z "$NICE" || ( "$NICE" =~ ^[0-9]+$ && "$NICE" -le 19 ) ]] || usage "NICE must be 0..19 (got '$NICE')"
[[ -s "$FIXTURE" ]] || usage "FIXTURE '$FIXTURE' not found"
FIXTURE="$(cd "$(dirname "$FIXTURE")" && pwd)/$(basename "$FIXTURE")"
command -v ffmpeg >/dev/null 2>&1 || die "'ffmpeg' not found (run tools/setup.sh)"

TOTAL=$(( MINUTES * 60 ))
BASELINE=$(( BASELINE_MINUTES * 60 ))
baseline_note=""
if (( TOTAL < 2 * BASELINE )); then
  BASELINE=$(( TOTAL / 2 ))
  baseline_note=" (BASELINE_MINUTES=$BASELINE_MINUTES does not fit a ${MINUTES} min run: baseline at ${BASELINE} s instead)"
fi
BASELINE=$(( (BASELINE + INTERVAL - 1) / INTERVAL * INTERVAL )) # on a sample
PREFIX=()
if [[ -n "$NICE" ]]; then PREFIX=(nice -n "$NICE"); fi

mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"
WORK="$BENCH_DIR/live-memory"

# --- 1. liveladder binary -----------------------------------------------------

# shellcheck source=lib/find-liveladder.sh
source "$here/lib/find-liveladder.sh"
find_liveladder .build-bench "${PREFIX[@]}"

rm -rf "$WORK"
mkdir -p "$WORK"

# --- 2. the commands ------------------------------------------------------------

# The ladder LiveLadder derives by default for a 640x360 source (360p 800k, 240p 400k; maxrate 1.1x,
# bufsize 2x maxrate, veryfast, High, GOP ceil(2 s x 30 fps) + 1), written out so that both tools surely
# make the same ladder.
SEG=2
GOP=$(( SEG * 30 + 1 ))
LADDER="$WORK/ladder.yaml"
cat >"$LADDER" <<EOF
segmentDuration: $SEG
segmentFormat: ts
renditions:
  - name: 360p
    width: 640
    height: 360
    videoBitrate: 800k
  - name: 240p
    width: 426
    height: 240
    videoBitrate: 400k
audio:
  bitrate: 128k
  sampleRate: 48000
  channels: stereo
EOF

LL_OUT="$WORK/liveladder"
FF_OUT="$WORK/ffmpeg"
LL_CMD=("${PREFIX[@]}" "$LIVELADDER" run --input "$FIXTURE" --loop --playlist-type live --list-size 6
  --output "$LL_OUT" --config "$LADDER" --overwrite)
FF_CMD=("${PREFIX[@]}" ffmpeg -nostdin -hide_banner -nostats -loglevel warning -y
  -stream_loop -1 -i "$FIXTURE"
  -filter_complex "[0:v:0]split=2[s0][s1];[s0]scale=640:360[v0];[s1]scale=426:240[v1]"
  -map "[v0]" -map "[v1]" -map a:0 -map a:0
  -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p
  -b:v:0 800k -maxrate:v:0 880k -bufsize:v:0 1760k
  -b:v:1 400k -maxrate:v:1 440k -bufsize:v:1 880k
  -g "$GOP" -sc_threshold 0 -forced-idr 1 -force_key_frames "expr:gte(t,n_forced*${SEG})"
  -c:a aac -b:a 128k -ar 48000 -ac 2
  -f hls -hls_time "$SEG" -hls_list_size 6 -hls_flags delete_segments+program_date_time
  -hls_segment_type mpegts -hls_segment_filename "$FF_OUT/%v/segment-%d.ts"
  -master_pl_name master.m3u8
  -var_stream_map "v:0,a:0,name:360p v:1,a:1,name:240p"
  "$FF_OUT/%v/index.m3u8")

quote_cmd() {
  local w out="" q="'"
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=,+%@-]+$ ]]; then out+="$w "; else out+="'${w//$q/$q\\$q$q}' "; fi
  done
  echo "${out% }"
}

CHILD=""
cleanup() { if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then kill -TERM "$CHILD" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 3. runs ----------------------------------------------------------------------

CLK_TCK=$(getconf CLK_TCK)
failed=0

# segments_made DIR -> segments the first rendition's live playlist has published so far
segments_made() {
  local playlist="$1/360p/index.m3u8"
  if [[ -s "$playlist" ]]; then
    awk -F: '/^#EXT-X-MEDIA-SEQUENCE:/ { seq = $2 } /^[^#]/ && NF { n++ } END { print seq + n + 0 }' "$playlist" 2>/dev/null || echo 0
  else
    echo 0
  fi
}

# alive PID -> 0 while PID runs (a zombie, exited but not yet reaped, does not count)
alive() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

run_one() { # TOOL
  local tool="$1" out csv log pid start now elapsed next status stat rss hwm cpu threads segs files
  local -a cmd
  if [[ "$tool" == liveladder ]]; then cmd=("${LL_CMD[@]}"); out="$LL_OUT"; else cmd=("${FF_CMD[@]}"); out="$FF_OUT"; fi
  csv="$WORK/$tool.csv"
  log="$WORK/$tool.log"
  rm -rf "$out"
  mkdir -p "$out"
  echo "elapsed_s,vmrss_kb,vmhwm_kb,cpu_s,threads,segments,files" >"$csv"
  say "$tool: running ${MINUTES} min, sampling every ${INTERVAL} s into $csv"
  "${cmd[@]}" >"$log" 2>&1 &
  pid=$!
  CHILD=$pid
  start=$EPOCHREALTIME
  next=$INTERVAL
  while (( next <= TOTAL )); do
    now=$EPOCHREALTIME
    sleep "$(awk -v s="$start" -v n="$next" -v t="$now" 'BEGIN { d = s + n - t; if (d < 0) d = 0; printf "%.3f", d }')"
    alive "$pid" || break
    status="$(cat "/proc/$pid/status" 2>/dev/null)" || break
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || break
    rss=$(awk '/^VmRSS:/ { print $2 }' <<<"$status")
    hwm=$(awk '/^VmHWM:/ { print $2 }' <<<"$status")
    threads=$(awk '/^Threads:/ { print $2 }' <<<"$status")
    # utime + stime: fields 14 and 15, counted after the ")" that ends the command name
    cpu=$(awk -v tck="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / tck }' <<<"$stat")
    segs=$(segments_made "$out")
    files=$(find "$out" -name 'segment-*' 2>/dev/null | wc -l)
    echo "$next,$rss,$hwm,$cpu,$threads,$segs,$files" >>"$csv"
    if (( next % 60 == 0 )); then
      say "  $tool $(( next / 60 ))/${MINUTES} min: VmRSS $(( rss / 1024 )) MB, VmHWM $(( hwm / 1024 )) MB, ${segs} segments, ${files} segment files on disk"
    fi
    next=$(( next + INTERVAL ))
  done
  if ! alive "$pid"; then
    local rc=0
    wait "$pid" || rc=$?
    CHILD=""
    echo "live-memory: $tool exited early (exit $rc) after about $(( next - INTERVAL )) s; last lines of $log:" >&2
    tail -n 20 "$log" | sed 's/^/    /' >&2
    failed=1
    return
  fi
  # LiveLadder has no graceful stop yet: SIGTERM ends it where it is (the playlists stay valid, without
  # ENDLIST); ffmpeg finishes its segments and writes ENDLIST on SIGTERM.
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  CHILD=""
  if (( $(segments_made "$out") == 0 )); then
    echo "live-memory: $tool published no segment; see $log" >&2
    failed=1
  fi
}

say "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${MINUTES} min per tool${NICE:+, nice $NICE}"
run_one liveladder
if [[ "$COMPARE" == 1 ]]; then run_one ffmpeg; fi

# --- 4. report ------------------------------------------------------------------------

echo
echo "== commands =="
echo "ladder config $LADDER:"
sed 's/^/  /' "$LADDER"
echo "liveladder:"
echo "  $(quote_cmd "${LL_CMD[@]}")"
if [[ "$COMPARE" == 1 ]]; then
  echo "ffmpeg:"
  echo "  $(quote_cmd "${FF_CMD[@]}")"
fi
if [[ -s "$LL_OUT/master.m3u8" ]]; then
  echo "liveladder master.m3u8 variants: $(grep -o 'RESOLUTION=[0-9x]*' "$LL_OUT/master.m3u8" | cut -d= -f2 | tr '\n' ' ')"
else
  echo "live-memory: WARNING: liveladder wrote no master.m3u8" >&2
fi

echo
echo "== memory over ${MINUTES} min of accelerated live output (samples every ${INTERVAL} s), $(nproc) cores =="
echo "baseline = the sample at ${BASELINE} s${baseline_note}"
printf '%-11s %8s %9s %9s %7s %9s %9s %11s %8s %9s %6s   %s\n' tool samples "HWM@base" "HWM@end" ratio \
  "RSS@base" "RSS@end" "RSS slope" "media" speed files "target (HWM end/base <= 1.05)"
printf '%-11s %8s %9s %9s %7s %9s %9s %11s %8s %9s %6s\n' "" "" MB MB "" MB MB "MB/h" s "x real" ""
for tool in liveladder ffmpeg; do
  csv="$WORK/$tool.csv"
  [[ -f "$csv" ]] || continue
  awk -F, -v tool="$tool" -v base="$BASELINE" '
    NR == 1 { next }
    {
      n++; t = $1; rss = $2; hwm = $3; segs = $6; files = $7
      if (t <= base) { base_hwm = hwm; base_rss = rss }
      if (t >= base) { sn++; sx += t; sy += rss; sxx += t * t; sxy += t * rss }
      last_t = t
    }
    END {
      if (n == 0) { printf "%-11s no samples\n", tool; exit }
      ratio = base_hwm > 0 ? hwm / base_hwm : 0
      slope = (sn > 1 && sn * sxx - sx * sx != 0) ? (sn * sxy - sx * sy) / (sn * sxx - sx * sx) : 0
      media = segs * 2
      verdict = tool == "liveladder" ? (base_hwm > 0 && ratio <= 1.05 ? "met" : "not met") : "(reference)"
      speed = last_t > 0 ? media / last_t : 0
      printf "%-11s %8d %9.1f %9.1f %7.3f %9.1f %9.1f %11.1f %8d %9.1f %6d   %s\n", tool, n,
        base_hwm / 1024, hwm / 1024, ratio, base_rss / 1024, rss / 1024, slope * 3600 / 1024, media,
        speed, files, verdict
    }' "$csv"
done
echo
echo "HWM = VmHWM (peak RSS so far), RSS = VmRSS, RSS slope = least-squares VmRSS trend from the baseline on,"
echo "media = seconds of output published (2 s x segments of the 360p playlist), files = segment files on disk at the end."
echo "CSV: $WORK/<tool>.csv; logs and outputs: $WORK"
exit "$failed"
