#!/usr/bin/env bash
# Times the example regression suite (fixtures/regress/suite.yaml): wall and CPU seconds of the whole
# `liveladder regress`, and how much of it is the quality metrics (regress's own "of which quality"
# figure, the time spent in QualityMeter), median of RUNS runs.
#
#   tools/regress-time.sh                                  # release build in .build-bench, 3 runs
#   LIVELADDER=.build/debug/liveladder tools/regress-time.sh
#   RUNS=5 SUITE=path/to/suite.yaml tools/regress-time.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
RUNS="${RUNS:-3}"
SUITE="${SUITE:-$root/fixtures/regress/suite.yaml}"
export PATH="/opt/swift/usr/bin:$PATH"

die() { echo "regress-time: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ -f "$SUITE" ]] || die "no suite at $SUITE"
if [[ -z "${LIVELADDER:-}" ]]; then
    (cd "$root" && swift build -c release --scratch-path .build-bench --product liveladder >/dev/null) || die "release build failed"
    LIVELADDER="$root/.build-bench/release/liveladder"
fi
[[ -x "$LIVELADDER" ]] || die "no executable at $LIVELADDER"

walls=(); cpus=(); qualities=()
for run in $(seq 1 "$RUNS"); do
    log="$(mktemp)"
    /usr/bin/time -f '%e %U %S' -o "$log.time" "$LIVELADDER" regress "$SUITE" > "$log" || die "run $run: regress failed: $(tail -3 "$log")"
    read -r wall user sys < "$log.time"
    quality="$(sed -n 's/.*of which quality \([0-9.]*\) s.*/\1/p' "$log" | tail -1)"
    [[ -n "$quality" ]] || die "run $run: no total line in the output"
    walls+=("$wall"); cpus+=("$(python3 -c "print(round($user + $sys, 2))")"); qualities+=("$quality")
    echo "run $run: wall ${wall} s, cpu $(python3 -c "print(round($user + $sys, 2))") s, quality ${quality} s"
    rm -f "$log" "$log.time"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
wall="$(median "${walls[@]}")"; cpu="$(median "${cpus[@]}")"; quality="$(median "${qualities[@]}")"
echo "median of $RUNS: wall $wall s, cpu $cpu s, quality $quality s ($(python3 -c "print(round(100 * $quality / $wall))") % of wall)"
