# Sourced by the measurement scripts (bench.sh, live-latency.sh, live-memory.sh, restart-time.sh): which
# liveladder binary they measure. Uses the caller's `root`, `die` and `say`.
#
#   find_liveladder SCRATCH [COMMAND PREFIX...]
#
# With LIVELADDER set, checks it is an executable and makes its path absolute. Otherwise builds a release
# binary into SCRATCH (git-ignored; the build runs under the prefix, e.g. `nice -n 19`) and points
# LIVELADDER at it.
find_liveladder() {
  local scratch="$1"
  shift
  if [[ -n "${LIVELADDER:-}" ]]; then
    [[ -x "$LIVELADDER" && -f "$LIVELADDER" ]] || die "LIVELADDER='$LIVELADDER' is not an executable file"
    LIVELADDER="$(cd "$(dirname "$LIVELADDER")" && pwd)/$(basename "$LIVELADDER")"
    say "using prebuilt $LIVELADDER"
    return
  fi
  local swift
  swift="$(command -v swift || true)"
  [[ -n "$swift" ]] || swift=/opt/swift/usr/bin/swift
  [[ -x "$swift" ]] || die "swift not found (PATH or /opt/swift/usr/bin)"
  local build=("$@" "$swift" build -c release --product liveladder --scratch-path "$scratch")
  say "building: (cd $root && ${build[*]})"
  (cd "$root" && "${build[@]}") || die "release build failed"
  LIVELADDER="$(cd "$root" && "${build[@]}" --show-bin-path)/liveladder"
  [[ -x "$LIVELADDER" ]] || die "build finished but $LIVELADDER is missing"
}
