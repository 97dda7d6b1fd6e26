#!/usr/bin/env bash
# AddressSanitizer over LiveLadder, in its own build folder (.build-asan) so the normal build stays.
# FFmpeg misuse (double free, use after free, overflow) shows up here first.
#  1. The whole test suite with ASan. Leak detection is off there: XCTest keeps test cases and their
#     teardown blocks alive until exit, and every allocation in a test has XCTest frames, so no
#     suppression could tell those apart from a real leak.
#  2. The liveladder executable itself, with leak detection on, through run (TS and fMP4, also with a
#     rendition failing and restarting, with the HTTP worker interface scraped, pushing to nginx, epoch-
#     locked with backup variants, and with a pass-through rung),
#     check, regress and summarize: here a leaked AVFrame, AVPacket, filter graph or context fails the
#     script.
set -euo pipefail
cd "$(dirname "$0")/.."
# max_malloc_fill_size: ASan fills only the first 4 KiB of each allocation (0xbe); all of it, so the
# deterministic-run tests (byte-identical outputs, docs/regress.md) see the same fresh memory every time.
fill="max_malloc_fill_size=2147483647"
ASAN_OPTIONS="detect_leaks=0:$fill" swift test --sanitize=address --scratch-path .build-asan "$@"

swift build --sanitize=address --scratch-path .build-asan --product liveladder
bin="$(swift build --sanitize=address --scratch-path .build-asan --show-bin-path)/liveladder"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for format in ts fmp4; do
  for fixture in cfr30-640x360.mp4 mono44k-640x360.mp4 noaudio-480x270.mp4; do
    ASAN_OPTIONS="detect_leaks=1" "$bin" run --input "fixtures/$fixture" --output "$work/$format-$fixture" --segment-format "$format" >/dev/null
    ASAN_OPTIONS="detect_leaks=1" "$bin" check "$work/$format-$fixture" >/dev/null
  done
done
# A rendition that fails and restarts: fresh pipelines, stand-in segments at its GAP URIs.
for format in ts fmp4; do
  # An event output left with a GAP exits 8 by design; anything else (an ASan report exits 1) fails.
  status=0
  LIVELADDER_FAULTS="240p:encoder-error@1" ASAN_OPTIONS="detect_leaks=1" "$bin" run --input fixtures/cfr30-640x360.mp4 \
    --output "$work/$format-fault" --segment-format "$format" --realtime --playlist-type event >/dev/null 2>&1 || status=$?
  [[ "$status" -eq 8 ]] || { echo "asan: fault run exited $status, expected 8" >&2; exit 1; }
  grep -q EXT-X-GAP "$work/$format-fault/240p/index.m3u8"
  ASAN_OPTIONS="detect_leaks=1" "$bin" check "$work/$format-fault" >/dev/null
done
ASAN_OPTIONS="detect_leaks=1" "$bin" probe fixtures/cfr30-640x360.ts >/dev/null
# Fixture regression mode: the example suite (deterministic runs, check, summaries with libavfilter quality,
# golden comparison, JUnit), and summarize of an output with quality against its source.
ASAN_OPTIONS="detect_leaks=1:$fill" "$bin" regress fixtures/regress/suite.yaml --junit "$work/regress.xml" >/dev/null
ASAN_OPTIONS="detect_leaks=1" "$bin" summarize "$work/fmp4-cfr30-640x360.mp4" --source fixtures/cfr30-640x360.mp4 --json >/dev/null
# The worker interface: the HTTP server scraped while the run goes on, the events file written.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ASAN_OPTIONS="detect_leaks=1" "$bin" run --input fixtures/cfr30-640x360.mp4 --output "$work/http" --realtime \
  --http "$port" --events "$work/http.events" --events-segments >/dev/null 2>"$work/http.stderr" &
pid=$!
for _ in 1 2 3 4 5; do
  sleep 1
  python3 -c "import urllib.request
for path in ('/metrics', '/readyz', '/livez', '/v1/status', '/nowhere'):
    try: urllib.request.urlopen('http://127.0.0.1:$port' + path, timeout=2).read()
    except Exception: pass" || true
done
wait "$pid" || { echo "asan: the --http run failed:" >&2; cat "$work/http.stderr" >&2; exit 1; }
# The fuzz harness's CI set: mutated inputs, configs and playlists; an ASan report counts as a crash.
# (The http kind's RSS bound is for a normal build: ASan's quarantine holds freed memory; leaks are
# LeakSanitizer's to find at each server's exit.)
# Push to a real origin (nginx with its WebDAV module, when installed): the HTTP client, the lanes and the
# drain, with LL parts; the origin's copy must pass check.
if command -v nginx >/dev/null 2>&1; then
  exec 3< <(python3 tools/lib/nginx-origin.py "$work/nginx")
  npid=$!
  trap 'kill "$npid" 2>/dev/null || true; rm -rf "$work"' EXIT  # no nginx left behind by a failing step
  read -r nport <&3
  ASAN_OPTIONS="detect_leaks=1" "$bin" run --input fixtures/cfr30-640x360.mp4 --output "$work/push" --segment-format fmp4 \
    --playlist-type event --part-duration 0.5 --push "http://127.0.0.1:$nport/live/" --push-delete >/dev/null
  ASAN_OPTIONS="detect_leaks=1" "$bin" check "$work/nginx/www/live" >/dev/null
  kill "$npid"
  exec 3<&-
fi
# Epoch lock (a file paced as live) with backup variants, and a pass-through top rung (docs/redundancy.md).
ASAN_OPTIONS="detect_leaks=1" "$bin" run --input fixtures/cfr30-640x360.mp4 --output "$work/epoch" --realtime --playlist-type event \
  --epoch-lock --segment-format fmp4 --backup-base-url https://b.example/live/ >/dev/null
ASAN_OPTIONS="detect_leaks=1" "$bin" check "$work/epoch" >/dev/null
printf 'renditions:\n  - {name: source, passthrough: true, videoBitrate: 400k}\n  - {name: 90p, height: 90, videoBitrate: 100k, preset: ultrafast}\n' \
  > "$work/passthrough.yaml"
ASAN_OPTIONS="detect_leaks=1" "$bin" run --input fixtures/gop2s-320x180.ts --output "$work/passthrough" --config "$work/passthrough.yaml" >/dev/null
ASAN_OPTIONS="detect_leaks=1" "$bin" check "$work/passthrough" >/dev/null
FUZZ_HTTP_RSS_MIB=1024 ASAN_OPTIONS="detect_leaks=1" python3 tools/fuzz/fuzz.py --ci --binary "$bin" --out "$work/fuzz" --timeout 60
echo "asan: test suite, CLI runs and fuzz seeds clean (no ASan errors, no leaks in the CLI runs)"
