#!/usr/bin/env bash
# Measures the cost of quality metrics (QualityMeter: PSNR + SSIM, VMAF when the build has libvmaf) per
# minute of 720p, against the ffmpeg CLI doing psnr + ssim on the same pair, runs interleaved, and prints
# the medians of wall and CPU (user+sys) seconds and the QualityMeter/ffmpeg ratios.
#
#   tools/quality-cost.sh                      # 60 s 1280x720 30 fps, 3 runs each, debug build
#   RUNS=1 DURATION=10 tools/quality-cost.sh   # quick check
#   CONFIG=release tools/quality-cost.sh       # measure a release build (builds .build-quality-release)
#
# Environment:
#   RUNS      runs per tool (default 3)
#   DURATION  clip length in seconds (default 60); figures are scaled to one minute
#   WORK_DIR  where the clip and rendition are made and kept (default /tmp/liveladder-quality-cost)
#   CONFIG    debug (default) or release
#
# The source is testsrc2 encoded with libx264 crf 18; the rendition is the source re-encoded at 720p
# (libx264 veryfast, 3 Mb/s) into MPEG-TS. QualityMeter runs inside the gated test
# QualityBenchTests.testQualityCost (LIVELADDER_QUALITY_BENCH=1), which prints the time of
# `QualityMeter.measure` alone (not the test process start); ffmpeg's figures come from its -benchmark line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-60}"
WORK_DIR="${WORK_DIR:-/tmp/liveladder-quality-cost}"
CONFIG="${CONFIG:-debug}"
export PATH="/opt/swift/usr/bin:$PATH"

die() { echo "quality-cost: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive whole number of seconds (got '$DURATION')"
case "$CONFIG" in debug) scratch=.build-quality ;; release) scratch=.build-quality-release ;; *) die "CONFIG is debug or release" ;; esac

mkdir -p "$WORK_DIR"
source="$WORK_DIR/source-720p-${DURATION}s.mp4"
rendition="$WORK_DIR/rendition-720p-${DURATION}s.ts"
if [[ ! -s "$source" ]]; then
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1280x720:rate=30" -t "$DURATION" \
        -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$source"
fi
if [[ ! -s "$rendition" ]]; then
    ffmpeg -hide_banner -loglevel error -y -i "$source" -an -c:v libx264 -preset veryfast -b:v 3M \
        -maxrate 3M -bufsize 6M -pix_fmt yuv420p -f mpegts "$rendition"
fi

cd "$root"
build_flags=(--build-tests -c "$CONFIG" --scratch-path "$scratch")
[[ "$CONFIG" == release ]] && build_flags+=(-Xswiftc -enable-testing)
swift build "${build_flags[@]}" >"$WORK_DIR/build.log" 2>&1 || { cat "$WORK_DIR/build.log" >&2; die "the build failed"; }

meter_wall=(); meter_cpu=(); cli_wall=(); cli_cpu=()
graph="[0:v]scale=1280:720:flags=bicubic,format=yuv420p,split[d1][d2];[1:v]format=yuv420p,split[r1][r2];[d1][r1]psnr;[d2][r2]ssim"
for run in $(seq "$RUNS"); do
    line="$(LIVELADDER_QUALITY_BENCH=1 LIVELADDER_QUALITY_BENCH_SOURCE="$source" LIVELADDER_QUALITY_BENCH_RENDITION="$rendition" \
        swift test -c "$CONFIG" --skip-build --scratch-path "$scratch" --filter QualityBenchTests 2>&1 | grep '^quality-bench:')" \
        || die "the gated test printed no figures"
    wall="$(sed -E 's/.* wall=([0-9.]+).*/\1/' <<<"$line")"; cpu="$(sed -E 's/.* cpu=([0-9.]+).*/\1/' <<<"$line")"
    meter_wall+=("$wall"); meter_cpu+=("$cpu")
    echo "quality-cost: run $run QualityMeter: $line"
    bench="$(ffmpeg -hide_banner -nostdin -benchmark -i "$rendition" -i "$source" -lavfi "$graph" -f null - 2>&1 | grep '^bench: utime')" \
        || die "ffmpeg printed no -benchmark line"
    utime="$(sed -E 's/.*utime=([0-9.]+)s.*/\1/' <<<"$bench")"; stime="$(sed -E 's/.*stime=([0-9.]+)s.*/\1/' <<<"$bench")"
    rtime="$(sed -E 's/.*rtime=([0-9.]+)s.*/\1/' <<<"$bench")"
    cli_wall+=("$rtime"); cli_cpu+=("$(awk -v u="$utime" -v s="$stime" 'BEGIN { print u + s }')")
    echo "quality-cost: run $run ffmpeg CLI:   $bench"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
per_minute() { awk -v x="$1" -v d="$DURATION" 'BEGIN { printf "%.2f", x * 60 / d }'; }
mw="$(median "${meter_wall[@]}")"; mc="$(median "${meter_cpu[@]}")"
cw="$(median "${cli_wall[@]}")"; cc="$(median "${cli_cpu[@]}")"
echo "quality-cost: ${DURATION} s of 1280x720 30 fps, $RUNS runs each, $CONFIG build, $(nproc) CPUs; medians per minute of 720p:"
echo "quality-cost:   QualityMeter wall $(per_minute "$mw") s, CPU $(per_minute "$mc") s"
echo "quality-cost:   ffmpeg CLI   wall $(per_minute "$cw") s, CPU $(per_minute "$cc") s"
echo "quality-cost:   ratio        wall $(awk -v a="$mw" -v b="$cw" 'BEGIN { printf "%.2f", a / b }')x, CPU $(awk -v a="$mc" -v b="$cc" 'BEGIN { printf "%.2f", a / b }')x"
