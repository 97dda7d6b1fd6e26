#!/usr/bin/env bash
# The test suite under AddressSanitizer, in its own build folder (.build-asan) so the normal build stays.
# FFmpeg misuse (double free, use after free, overflow) shows up here first. tools/lsan.supp silences
# only what XCTest and Foundation keep alive until exit; leaks of FFmpeg objects still fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
  swift test --sanitize=address --scratch-path .build-asan "$@"
