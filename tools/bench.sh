#!/usr/bin/env bash
# Benchmarks LiveLadder against the equivalent single ffmpeg CLI command on the
# same 3-rung HLS ladder (720p/480p/360p, libx264 veryfast, 2 s TS segments,
# AAC-LC 128k), interleaving the runs, and prints median wall time, CPU time
# (user+sys) and peak RSS per tool plus the LiveLadder/ffmpeg ratios against
# the targets (wall <= 0.9x, CPU <= 1.0x, RSS <= 1.2x).
#
#   tools/bench.sh                                   # release build, 60 s source, 3 runs each
#   DURATION=10 RUNS=1 tools/bench.sh                # quick check
#   LIVELADDER=.build/debug/liveladder tools/bench.sh   # use a prebuilt binary, skip the build
#   LADDER=passthrough tools/bench.sh                # pass-through top rung (docs/passthrough.md):
#       interleaves (a) LiveLadder with the 720p rung copied (passthrough: true) and 480p/360p encoded,
#       (b) LiveLadder with the whole ladder encoded, (c) ffmpeg with -c:v:0 copy plus the same two
#       encodes; prints the medians, pass-through/encoded CPU (target <= 0.65x) and pass-through vs ffmpeg.
#
# Environment:
#   RUNS       runs per tool (default 3)
#   DURATION   source length in seconds (default 60)
#   BENCH_DIR  work dir: cached source, ladder.yaml, outputs, logs (default /tmp/liveladder-bench)
#   LADDER     unset (the standard comparison) or `passthrough`
#   LIVELADDER path to a liveladder binary; when unset, builds
#              `swift build -c release --product liveladder --scratch-path .build-bench`
#
# Exit status: 0 when every run succeeded and produced a master playlist with
# 3 variants (whether or not the targets are met: this is a measurement, not a
# test); 1 when a run failed or its output is incomplete; 2 on bad usage.
# See docs/benchmarks.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

RUNS="${RUNS:-3}"
DURATION="${DURATION:-60}"
BENCH_DIR="${BENCH_DIR:-/tmp/liveladder-bench}"
LIVELADDER="${LIVELADDER:-}"
MODE="${LADDER:-standard}"

die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*"; }
usage() { echo "bench: $*" >&2; exit 2; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || usage "RUNS must be a positive integer (got '$RUNS')"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || usage "DURATION must be a positive whole number of seconds (got '$DURATION')"
[[ "$MODE" == standard || "$MODE" == passthrough ]] || usage "LADDER must be unset or passthrough (got '$MODE')"
[[ $# -eq 0 ]] || usage "no arguments expected; configure with RUNS, DURATION, BENCH_DIR, LIVELADDER (see the header of $0)"

# --- tools ------------------------------------------------------------------

for tool in ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (run tools/setup.sh)"
done

TIME=/usr/bin/time
if [[ ! -x "$TIME" ]]; then
  echo "bench: $TIME missing, installing the Debian package 'time'" >&2
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q time >/dev/null ||
    { DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get update -q >/dev/null &&
      DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q time >/dev/null; } ||
    die "could not install 'time'"
  [[ -x "$TIME" ]] || die "$TIME still missing after installing 'time'"
fi

mkdir -p "$BENCH_DIR"
BENCH_DIR="$(cd "$BENCH_DIR" && pwd)"

# --- 1. liveladder binary -----------------------------------------------------

# shellcheck source=lib/find-liveladder.sh
source "$here/lib/find-liveladder.sh"
find_liveladder .build-bench

# --- 2. source (cached) -------------------------------------------------------

SOURCE="$BENCH_DIR/source-1280x720p30-${DURATION}s.mp4"
# Pass-through copies the source's keyframes: a GOP of exactly the 2 s segment duration, no scene cuts.
KEYS=()
if [[ "$MODE" == passthrough ]]; then
  SOURCE="$BENCH_DIR/source-1280x720p30-${DURATION}s-gop2s.mp4"
  KEYS=(-keyint_min 60 -sc_threshold 0)
fi
GEN=(ffmpeg -nostdin -hide_banner -loglevel error -y
  -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=${DURATION}"
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${DURATION}"
  -map 0:v -map 1:a
  -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -profile:v high -g 60 "${KEYS[@]}"
  -c:a aac -b:a 192k -ar 48000 -ac 2
  -movflags +faststart -t "$DURATION")
if [[ -s "$SOURCE" ]]; then
  echo "bench: cached source $SOURCE"
else
  echo "bench: generating ${DURATION} s source $SOURCE"
  partial="$BENCH_DIR/.source-partial.mp4"
  "${GEN[@]}" "$partial" || die "source generation failed"
  mv -f "$partial" "$SOURCE"
fi

# --- 3. the two commands ------------------------------------------------------

# GOP as LiveLadder computes it: ceil(segmentDuration x fps) + 1.
SEG=2
FPS=30
GOP=$(( SEG * FPS + 1 ))

LADDER="$BENCH_DIR/ladder.yaml"
cat >"$LADDER" <<EOF
segmentDuration: $SEG
segmentFormat: ts
renditions:
  - name: 720p
    width: 1280
    height: 720
    videoBitrate: 3000k
    maxBitrate: 3300k
    preset: veryfast
    profile: high
  - name: 480p
    width: 854
    height: 480
    videoBitrate: 1400k
    maxBitrate: 1540k
    preset: veryfast
    profile: high
  - name: 360p
    width: 640
    height: 360
    videoBitrate: 800k
    maxBitrate: 880k
    preset: veryfast
    profile: high
audio:
  bitrate: 128k
  sampleRate: 48000
  channels: stereo
EOF

OUT_ROOT="$BENCH_DIR/out"
OUT="@OUT@" # placeholder in the printed/stored commands, replaced per run

LL_CMD=("$LIVELADDER" run --input "$SOURCE" --output "$OUT" --config "$LADDER" --segment-format ts --overwrite)

# One decode, split=3 + scale, three libx264 encodes with the same rate control,
# GOP and keyframe placement as LiveLadder; audio mapped into every variant
# (ffmpeg cannot share one AAC encode across var_stream_map variants, so it
# encodes the same audio three times).
# The two lower rungs' rate control, and GOP, keyframes, audio and HLS output: shared by both ffmpeg commands.
LOWER_RATES=(-b:v:1 1400k -maxrate:v:1 1540k -bufsize:v:1 3080k
  -b:v:2 800k -maxrate:v:2 880k -bufsize:v:2 1760k)
HLS_OUT=(-g "$GOP" -sc_threshold 0 -forced-idr 1 -force_key_frames "expr:gte(t,n_forced*${SEG})"
  -c:a aac -b:a 128k -ar 48000 -ac 2
  -f hls -hls_time "$SEG" -hls_playlist_type vod -hls_segment_type mpegts
  -hls_segment_filename "$OUT/%v/segment-%d.ts"
  -master_pl_name master.m3u8
  -var_stream_map "v:0,a:0,name:720p v:1,a:1,name:480p v:2,a:2,name:360p"
  "$OUT/%v/index.m3u8")
FF_CMD=(ffmpeg -nostdin -hide_banner -loglevel error -y
  -i "$SOURCE"
  -filter_complex "[0:v:0]split=3[s0][s1][s2];[s0]scale=1280:720[v0];[s1]scale=854:480[v1];[s2]scale=640:360[v2]"
  -map "[v0]" -map "[v1]" -map "[v2]" -map a:0 -map a:0 -map a:0
  -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p
  -b:v:0 3000k -maxrate:v:0 3300k -bufsize:v:0 6600k
  "${LOWER_RATES[@]}" "${HLS_OUT[@]}")

# Pass-through: the same ladder with its top rung copied, in LiveLadder and in the ffmpeg CLI.
PT_LADDER="$BENCH_DIR/ladder-passthrough.yaml"
sed '/^  - name: 720p$/,/^  - name: 480p$/{/^    width:/d;/^    height:/d;s/^    videoBitrate: 3000k$/    passthrough: true\n    videoBitrate: 3000k/}' "$LADDER" >"$PT_LADDER"
PT_CMD=("$LIVELADDER" run --input "$SOURCE" --output "$OUT" --config "$PT_LADDER" --segment-format ts --overwrite)
FFPT_CMD=(ffmpeg -nostdin -hide_banner -loglevel error -y
  -i "$SOURCE"
  -filter_complex "[0:v:0]split=2[s1][s2];[s1]scale=854:480[v1];[s2]scale=640:360[v2]"
  -map 0:v:0 -map "[v1]" -map "[v2]" -map a:0 -map a:0 -map a:0
  -c:v:0 copy -c:v:1 libx264 -c:v:2 libx264 -preset veryfast
  -profile:v:1 high -profile:v:2 high -pix_fmt:v:1 yuv420p -pix_fmt:v:2 yuv420p
  "${LOWER_RATES[@]}" "${HLS_OUT[@]}")

# command_of TOOL -> the name of the array holding TOOL's command
command_of() {
  case "$1" in
    liveladder | liveladder-full) echo LL_CMD ;;
    ffmpeg) echo FF_CMD ;;
    liveladder-pt) echo PT_CMD ;;
    ffmpeg-pt) echo FFPT_CMD ;;
  esac
}
if [[ "$MODE" == passthrough ]]; then TOOLS=(liveladder-pt liveladder-full ffmpeg-pt); else TOOLS=(liveladder ffmpeg); fi

# subst_out DIR CMD... -> prints CMD with @OUT@ replaced by DIR, one word per line (NUL-separated)
subst_out() {
  local dir="$1"; shift
  local w
  for w in "$@"; do printf '%s\0' "${w//@OUT@/$dir}"; done
}

# quote_cmd WORD... -> one line a POSIX shell can run: plain words as they are,
# others in single quotes.
quote_cmd() {
  local w out="" q="'"
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_./:=,+%@-]+$ ]]; then out+="$w "; else out+="'${w//$q/$q\\$q$q}' "; fi
  done
  echo "${out% }"
}

# --- verification -------------------------------------------------------------

# verify_output DIR -> 0 when DIR/master.m3u8 lists exactly 3 variants whose
# media playlists exist, are complete (ENDLIST) and whose segments exist.
verify_output() {
  local dir="$1" master="$1/master.m3u8" n uri seg nseg
  [[ -s "$master" ]] || { echo "no master.m3u8"; return 1; }
  n=$(grep -c '^#EXT-X-STREAM-INF' "$master" || true)
  [[ "$n" -eq 3 ]] || { echo "master.m3u8 lists $n variants, expected 3"; return 1; }
  while IFS= read -r uri; do
    [[ -s "$dir/$uri" ]] || { echo "variant playlist $uri missing"; return 1; }
    grep -q '^#EXT-X-ENDLIST' "$dir/$uri" || { echo "$uri has no #EXT-X-ENDLIST"; return 1; }
    nseg=0
    while IFS= read -r seg; do
      [[ -s "$(dirname "$dir/$uri")/$seg" ]] || { echo "$uri: segment $seg missing"; return 1; }
      nseg=$((nseg + 1))
    done < <(grep -v '^#' "$dir/$uri" | grep -v '^[[:space:]]*$' | tr -d '\r')
    [[ $nseg -gt 0 ]] || { echo "$uri lists no segments"; return 1; }
  done < <(awk '/^#EXT-X-STREAM-INF/ { getline; print }' "$master" | tr -d '\r')
  return 0
}

# --- 4. interleaved runs ------------------------------------------------------

rm -rf "$OUT_ROOT"
mkdir -p "$OUT_ROOT"
RESULTS="$OUT_ROOT/results.txt" # tool run wall user sys maxrss_kb
: >"$RESULTS"

# Warm the page cache so the first run doesn't pay for reading the source.
cat "$SOURCE" >/dev/null

echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), ${RUNS} run(s) each, ${DURATION} s source"

run_one() { # tool index
  local tool="$1" i="$2" dir log tfile rc line reason
  dir="$OUT_ROOT/$tool-$i"
  log="$OUT_ROOT/$tool-$i.log"
  tfile="$OUT_ROOT/$tool-$i.time"
  rm -rf "$dir"
  mkdir -p "$dir"
  local -a cmd
  local -n words="$(command_of "$tool")"
  mapfile -d '' cmd < <(subst_out "$dir" "${words[@]}")
  printf 'bench: run %d/%d %-15s ... ' "$i" "$RUNS" "$tool"
  if "$TIME" -f "%e %U %S %M" -o "$tfile" "${cmd[@]}" >"$log" 2>&1; then rc=0; else rc=$?; fi
  line="$(tail -n 1 "$tfile" 2>/dev/null || true)"
  if [[ $rc -ne 0 ]]; then
    echo "FAILED (exit $rc)"
    echo "  command: $(quote_cmd "${cmd[@]}")" >&2
    echo "  $(head -n -1 "$tfile" 2>/dev/null | tr '\n' ' ')" >&2
    echo "  last lines of $log:" >&2
    tail -n 20 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
  if ! reason="$(verify_output "$dir")"; then
    echo "FAILED (output: $reason)"
    echo "  output dir: $dir, log: $log" >&2
    exit 1
  fi
  [[ "$line" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+$ ]] || die "unexpected /usr/bin/time output in $tfile: '$line'"
  read -r wall user sys rss <<<"$line"
  echo "$tool $i $wall $user $sys $rss" >>"$RESULTS"
  awk -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" \
    'BEGIN { printf "ok  wall %7.2f s  cpu %7.2f s  rss %7.1f MB\n", w, u + s, m / 1024 }'
}

for ((i = 1; i <= RUNS; i++)); do
  for tool in "${TOOLS[@]}"; do run_one "$tool" "$i"; done
done

# --- 5. report ----------------------------------------------------------------

# median TOOL FIELD (wall | cpu | rss_mb)
median() {
  awk -v tool="$1" -v field="$2" '
    $1 == tool {
      if (field == "wall") v = $3; else if (field == "cpu") v = $4 + $5; else v = $6 / 1024
      print v
    }' "$RESULTS" | sort -g | awk '{ a[NR] = $1 } END {
      if (NR == 0) { print "nan"; exit }
      if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2
    }'
}

if [[ "$MODE" == passthrough ]]; then
  echo
  echo "== commands (run $RUNS shown; run i writes to $OUT_ROOT/<tool>-i) =="
  echo "source (generated once, cached):"
  echo "  $(quote_cmd "${GEN[@]}" "$SOURCE")"
  for tool in "${TOOLS[@]}"; do
    declare -n words="$(command_of "$tool")"
    last=()
    mapfile -d '' last < <(subst_out "$OUT_ROOT/$tool-$RUNS" "${words[@]}")
    echo "$tool:"
    echo "  $(quote_cmd "${last[@]}")"
  done
  echo "pass-through ladder config $PT_LADDER:"
  sed 's/^/  /' "$PT_LADDER"
  echo
  echo "== per run (raw /usr/bin/time: wall user sys maxrss_kB) =="
  sed 's/^/  /' "$RESULTS"
  echo
  echo "== results: median of $RUNS run(s), ${DURATION} s 1280x720p30 source (GOP 2 s), $(nproc) cores =="
  printf '%-14s %15s %15s %15s\n' metric liveladder-pt liveladder-full ffmpeg-pt
  for field in wall cpu rss; do
    printf '%-14s %15.2f %15.2f %15.2f\n' "$field" "$(median liveladder-pt "$field")" "$(median liveladder-full "$field")" "$(median ffmpeg-pt "$field")"
  done
  awk -v pc="$(median liveladder-pt cpu)" -v fc="$(median liveladder-full cpu)" -v xc="$(median ffmpeg-pt cpu)" \
      -v pw="$(median liveladder-pt wall)" -v xw="$(median ffmpeg-pt wall)" -v pr="$(median liveladder-pt rss)" -v xr="$(median ffmpeg-pt rss)" '
    BEGIN {
      r = pc / fc
      printf "CPU pass-through / fully encoded: %.3f   <= 0.65x  %s\n", r, (r <= 0.65 ? "met" : "not met")
      printf "pass-through liveladder / ffmpeg: wall %.3f, CPU %.3f, peak RSS %.3f\n", pw / xw, pc / xc, pr / xr
    }'
  echo
  echo "outputs and logs: $OUT_ROOT"
  exit 0
fi

ll_wall=$(median liveladder wall); ff_wall=$(median ffmpeg wall)
ll_cpu=$(median liveladder cpu);   ff_cpu=$(median ffmpeg cpu)
ll_rss=$(median liveladder rss);   ff_rss=$(median ffmpeg rss)

echo
last_ll=(); last_ff=()
mapfile -d '' last_ll < <(subst_out "$OUT_ROOT/liveladder-$RUNS" "${LL_CMD[@]}")
mapfile -d '' last_ff < <(subst_out "$OUT_ROOT/ffmpeg-$RUNS" "${FF_CMD[@]}")
echo "== commands (run $RUNS shown; run i writes to $OUT_ROOT/<tool>-i) =="
echo "source (generated once, cached):"
echo "  $(quote_cmd "${GEN[@]}" "$SOURCE")"
echo "ladder config $LADDER:"
sed 's/^/  /' "$LADDER"
echo "liveladder:"
echo "  $(quote_cmd "${last_ll[@]}")"
echo "ffmpeg:"
echo "  $(quote_cmd "${last_ff[@]}")"
echo
echo "== per run (raw /usr/bin/time: wall user sys maxrss_kB) =="
sed 's/^/  /' "$RESULTS"
echo
echo "== results: median of $RUNS run(s), ${DURATION} s 1280x720p30 source, $(nproc) cores =="
awk -v lw="$ll_wall" -v fw="$ff_wall" -v lc="$ll_cpu" -v fc="$ff_cpu" -v lr="$ll_rss" -v fr="$ff_rss" '
  function row(name, l, f, target,   r, verdict) {
    r = (f > 0) ? l / f : 0
    verdict = (f > 0 && r <= target) ? "met" : "not met"
    printf "%-14s %12.2f %12.2f %10.3f   <= %.1fx  %s\n", name, l, f, r, target, verdict
  }
  BEGIN {
    printf "%-14s %12s %12s %10s   %s\n", "metric", "liveladder", "ffmpeg", "ratio", "target"
    row("wall s", lw, fw, 0.9)
    row("CPU s", lc, fc, 1.0)
    row("peak RSS MB", lr, fr, 1.2)
  }'
echo
echo "outputs and logs: $OUT_ROOT"
