#!/usr/bin/env bash
# What real players do with a master playlist when one rendition has an
# EXT-X-GAP (a rendition that failed and was restarted by the supervisor).
#
#   tools/player-gap.sh [--cases "ts-240p ts-360p fmp4-240p fmp4-360p"]
#                       [--players "gst chromium"] [--media] [--no-install]
#                       [--keep] [--work DIR]
#
# For each case (FORMAT-RENDITION: segment format, rendition that fails) it
#   1. makes a 12 s input (fixtures/cfr30-640x360.mp4 looped twice, 360 video
#      frames at 30 fps) and runs
#        LIVELADDER_FAULTS="RENDITION:encoder-error@3" liveladder run --realtime
#          --playlist-type event [--segment-format fmp4]
#      (~12 s), which gives a 2-rendition ladder (360p, 240p) of six 2 s
#      segments where RENDITION lists segment 1 as #EXT-X-GAP (a stand-in
#      segment at its URI);
#      `liveladder check` must accept it;
#   2. plays master.m3u8 with GStreamer playbin3/hlsdemux2
#      (tools/gst-count-frames.sh, fed an http:// URI of this script's own
#      server so that the player's own reaction to the missing segment is
#      seen, not the tool's 404 watchdog);
#   3. plays master.m3u8 in headless Chromium's native HLS player
#      (<video muted autoplay src=master.m3u8>, real time, playbackRate 1);
#      the page reports to the server: events, currentTime, buffered ranges,
#      videoWidth, getVideoPlaybackQuality().totalVideoFrames. A run ends on
#      `ended`, on `error`, or when currentTime has not advanced for
#      PLAYER_GAP_STALL seconds (default 8) while the element is not paused.
#
# It prints one line per player per case (and, with --media, per media
# playlist too):
#   CASE PLAYER PLAYLIST: VERDICT key=value ...
# VERDICT is one of: played (EOS / ended), error, stalled, timeout, skipped.
# Fields: frames=N/EXPECTED (decoded video frames / frames of the input),
# t= (Chromium currentTime reached) of dur=, sizes= (video sizes decoded, in
# order), fetched= (segments requested per rendition), gap_fetched= (whether
# the player requested the GAP segment's URI, and the HTTP status it got).
#
# Exit status: 0 when every run was made and reported (whatever the players
# did: this is a survey, not a pass/fail test), 1 when a ladder could not be
# made or a player could not be run at all.
#
# Chromium: Debian's `chromium` package. If it is missing and we are root it
# is installed with apt-get (a note is printed; ~146 MB download, ~430 MB on
# disk, about a minute); --no-install (or not root) skips the Chromium runs
# instead.
#
# Environment: LIVELADDER (binary; default .build/debug/liveladder, then
# .build-players/debug/liveladder), PLAYER_GAP_STALL (Chromium stall seconds,
# default 8), PLAYER_GAP_TIMEOUT (per Chromium run, default 60).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cases="ts-240p ts-360p fmp4-240p fmp4-360p"
players="gst chromium"
media=0
install=1
keep=0
work=""
stall_s="${PLAYER_GAP_STALL:-8}"
chrome_timeout="${PLAYER_GAP_TIMEOUT:-60}"

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --players) players="$2"; shift 2 ;;
    --media) media=1; shift ;;
    --no-install) install=0; shift ;;
    --keep) keep=1; shift ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "player-gap: unknown argument $1" >&2; usage ;;
  esac
done

bin="${LIVELADDER:-}"
if [[ -z "$bin" ]]; then
  for cand in "$here/.build/debug/liveladder" "$here/.build-players/debug/liveladder"; do
    [[ -x "$cand" ]] && { bin="$cand"; break; }
  done
fi
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "player-gap: no liveladder binary (set LIVELADDER, or: swift build --scratch-path .build-players)" >&2
  exit 1
fi
for tool in ffmpeg ffprobe python3 timeout setsid; do
  command -v "$tool" >/dev/null || { echo "player-gap: $tool missing" >&2; exit 1; }
done

if [[ -z "$work" ]]; then
  work="$(mktemp -d /tmp/player-gap.XXXXXX)"
else
  mkdir -p "$work"
fi

pids=()        # servers and Chromium process groups we started
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  done
  sleep 0.3
  for p in "${pids[@]}"; do
    kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
  done
  if [[ $keep -eq 0 ]]; then
    rm -rf "$work"
  else
    echo "player-gap: kept $work" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "player-gap: $*" >&2; }

# ---------------------------------------------------------------- helpers --

# The static server (tools/lib/hls-serve.py, shared with tools/player-matrix.sh) logs every request
# ("METHOD STATUS PATH"), appends POSTed bodies to a file (the page's reports), and serves the player
# page at GET /__player.html from outside the folder.

# The player page: plays ?src= in <video muted autoplay>, reports as JSON
# lines POSTed to /report; the last one has "ev":"final" and a verdict.
cat >"$work/player.html" <<'HTMLEOF'
<!doctype html>
<html><head><meta charset="utf-8"><title>player-gap</title></head>
<body><video id="v" muted autoplay playsinline></video>
<script>
const params = new URLSearchParams(location.search);
const stallS = parseFloat(params.get('stall') || '8');
const v = document.getElementById('v');
const t0 = performance.now();
const sizes = [];
let lastT = -1, lastAdvance = performance.now(), done = false;
function wall() { return +((performance.now() - t0) / 1000).toFixed(2); }
function quality() { try { return v.getVideoPlaybackQuality(); } catch (e) { return {}; } }
function snap(ev) {
  const q = quality(), b = [];
  for (let i = 0; i < v.buffered.length; i++)
    b.push([+v.buffered.start(i).toFixed(3), +v.buffered.end(i).toFixed(3)]);
  return {ev, wall: wall(), t: +v.currentTime.toFixed(3), dur: v.duration,
          rs: v.readyState, ns: v.networkState, size: v.videoWidth + 'x' + v.videoHeight,
          frames: q.totalVideoFrames, dropped: q.droppedVideoFrames, buffered: b,
          paused: v.paused, ended: v.ended,
          err: v.error ? {code: v.error.code, msg: v.error.message} : null};
}
function send(o) {
  document.title = JSON.stringify(o);
  fetch('/report', {method: 'POST', body: JSON.stringify(o), keepalive: true}).catch(() => {});
}
function finish(verdict, ev) {
  if (done) return;
  done = true;
  const s = snap(ev); s.ev = 'final'; s.verdict = verdict; s.sizes = sizes; s.cause = ev;
  send(s);
}
send({ev: 'canPlayType', hls: v.canPlayType('application/vnd.apple.mpegurl')});
for (const e of ['loadedmetadata', 'playing', 'waiting', 'stalled', 'resize', 'seeking', 'seeked', 'pause'])
  v.addEventListener(e, () => {
    if (e === 'resize' && v.videoWidth) sizes.push(v.videoWidth + 'x' + v.videoHeight);
    send(snap(e));
  });
v.addEventListener('ended', () => finish('played', 'ended'));
v.addEventListener('error', () => finish('error', 'error'));
setInterval(() => {
  if (done) return;
  if (v.currentTime !== lastT) { lastT = v.currentTime; lastAdvance = performance.now(); }
  else if (!v.paused && performance.now() - lastAdvance > stallS * 1000) { finish('stalled', 'no-progress'); return; }
  else if (v.paused && v.readyState >= 2 && performance.now() - lastAdvance > stallS * 1000) { finish('stalled', 'paused'); return; }
  send(snap('tick'));
}, 500);
v.src = params.get('src');
const p = v.play();
if (p) p.catch(e => send({ev: 'play-rejected', msg: String(e)}));
</script></body></html>
HTMLEOF

# start_server DIR TAG -> sets $port, $reqlog, $reports
start_server() {
  local dir="$1" tag="$2"
  reqlog="$work/$tag.requests"
  reports="$work/$tag.reports"
  : >"$reqlog"
  : >"$reports"
  rm -f "$work/$tag.port"
  setsid python3 "$here/tools/lib/hls-serve.py" "$dir" "$work/$tag.port" "$reqlog" "$reports" \
    "$work/player.html" >"$work/$tag.server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  local i
  for i in $(seq 1 50); do
    [[ -s "$work/$tag.port" ]] && break
    sleep 0.1
  done
  if [[ ! -s "$work/$tag.port" ]]; then
    log "server for $dir did not start: $(cat "$work/$tag.server.log")"
    return 1
  fi
  port="$(cat "$work/$tag.port")"
}

stop_server() {
  kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# Summaries of a request log: segments fetched per rendition folder, and how
# the GAP segment's URI was answered.
summarize_requests() {
  local reqlog="$1" gapuri="$2"
  python3 - "$reqlog" "$gapuri" <<'PYEOF'
import collections, re, sys
reqlog, gapuri = sys.argv[1:3]
seen = collections.OrderedDict()
gap = []
for line in open(reqlog):
    parts = line.split()
    if len(parts) < 3 or parts[0] != "GET":
        continue
    code, path = parts[1], parts[2].lstrip("/")
    m = re.match(r"([^/]+)/segment-(\d+)\.(ts|m4s)$", path)
    if m:
        seen.setdefault(m.group(1), [])
        n = m.group(2) + ("" if code == "200" else "(" + code + ")")
        if n not in seen[m.group(1)]:
            seen[m.group(1)].append(n)
    if path == gapuri:
        gap.append(code)
fetched = ";".join("%s:%s" % (k, ",".join(v)) for k, v in seen.items()) or "none"
gapf = "yes(%dx%s)" % (len(gap), "/".join(sorted(set(gap)))) if gap else "no"
print("fetched=%s gap_fetched=%s" % (fetched, gapf))
PYEOF
}

# ------------------------------------------------------------- chromium --

chrome=""
want_chrome=0
[[ " $players " == *" chromium "* ]] && want_chrome=1
if [[ $want_chrome -eq 1 ]]; then
  chrome="$(command -v chromium || true)"
  if [[ -z "$chrome" ]]; then
    if [[ $install -eq 1 && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      log "note: chromium is missing; installing Debian's chromium with apt-get (~146 MB download, ~430 MB on disk, about a minute)"
      if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$work/apt.log" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >>"$work/apt.log" 2>&1; then
        chrome="$(command -v chromium || true)"
      else
        log "apt-get install chromium failed (see below); Chromium runs skipped"
        tail -5 "$work/apt.log" >&2
      fi
    else
      log "note: chromium is missing and not installed (--no-install or not root): Chromium runs skipped"
    fi
  fi
  [[ -n "$chrome" ]] && log "$("$chrome" --version 2>/dev/null | head -1)"
fi

# play_chromium CASEDIR TAG PLAYLIST GAPURI EXPECTED
play_chromium() {
  local dir="$1" tag="$2" pl="$3" gapuri="$4" expected="$5"
  start_server "$dir" "$tag-chromium" || return 1
  local ud="$work/$tag.chrome-profile"
  rm -rf "$ud"
  setsid "$chrome" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$ud" --no-first-run --no-default-browser-check --mute-audio \
    --autoplay-policy=no-user-gesture-required \
    --disable-background-timer-throttling --disable-renderer-backgrounding \
    --disable-backgrounding-occluded-windows \
    "http://127.0.0.1:$port/__player.html?src=/$pl&stall=$stall_s" \
    >"$work/$tag.chrome.out" 2>"$work/$tag.chrome.err" &
  local cpid=$!
  pids+=("$cpid")
  local start=$SECONDS verdict=""
  while (( SECONDS - start < chrome_timeout )); do
    if grep -q '"ev":"final"' "$reports" 2>/dev/null; then verdict=final; break; fi
    if ! kill -0 "$cpid" 2>/dev/null; then verdict=exited; break; fi
    sleep 0.5
  done
  kill -TERM -- "-$cpid" 2>/dev/null || kill -TERM "$cpid" 2>/dev/null || true
  sleep 0.5
  kill -KILL -- "-$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  stop_server
  local req
  req="$(summarize_requests "$reqlog" "$gapuri")"
  python3 - "$reports" "$verdict" "$expected" "$tag" "$pl" "$req" <<'PYEOF'
import json, sys
reports, how, expected, tag, pl, req = sys.argv[1:7]
lines = []
for l in open(reports):
    try:
        lines.append(json.loads(l))
    except ValueError:
        pass
final = [l for l in lines if l.get("ev") == "final"]
last = final[-1] if final else ([l for l in lines if "t" in l] or [{}])[-1]
cpt = next((l.get("hls") for l in lines if l.get("ev") == "canPlayType"), None)
if final:
    verdict = last["verdict"]
elif how == "exited":
    verdict = "error(chromium exited)"
elif not lines:
    verdict = "error(page never reported)"
else:
    verdict = "timeout"
if verdict == "error" and last.get("err"):
    verdict = "error(code %s: %s)" % (last["err"].get("code"), last["err"].get("msg"))
sizes = last.get("sizes") or sorted({l["size"] for l in lines if l.get("size") and l["size"] != "0x0"})
buf = " ".join("%.2f-%.2f" % (a, b) for a, b in (last.get("buffered") or []))
stall = ""
if verdict == "stalled":
    stall = " stalled_at=%.3f" % last.get("t", 0)
print("%s chromium %s: %s t=%s dur=%s frames=%s/%s dropped=%s sizes=%s buffered=[%s]%s canPlayType=%s %s" % (
    tag, pl, verdict, last.get("t"), last.get("dur"), last.get("frames"), expected,
    last.get("dropped"), ">".join(sizes) or "-", buf, stall, cpt, req))
PYEOF
}

# play_gst CASEDIR TAG PLAYLIST GAPURI EXPECTED
play_gst() {
  local dir="$1" tag="$2" pl="$3" gapuri="$4" expected="$5"
  start_server "$dir" "$tag-gst" || return 1
  local out rc=0
  out="$(GST_COUNT_STALL=10 GST_COUNT_TIMEOUT=60 GST_COUNT_ALLOW_WARNINGS=1 \
    "$here/tools/gst-count-frames.sh" "http://127.0.0.1:$port/$pl" 2>"$work/$tag.gst.err")" || rc=$?
  stop_server
  local req vline frames sizes verdict
  req="$(summarize_requests "$reqlog" "$gapuri")"
  vline="$(grep -E '^gst-count-frames: video: ' "$work/$tag.gst.err" | tail -1 || true)"
  frames="$(sed -nE 's/.*video: buffers=([0-9]+).*/\1/p' <<<"$vline")"
  sizes="$(sed -nE 's/.*caps=\[([^]]*)\].*/\1/p' <<<"$vline" | sed 's/, />/g')"
  if [[ $rc -eq 0 ]]; then
    verdict="played"
  else
    verdict="error(${out#error: })"
  fi
  echo "$tag gst $pl: $verdict frames=${frames:-?}/$expected sizes=${sizes:--} $req"
}

# ------------------------------------------------------------------ main --

input="$work/in12.mp4"
ffmpeg -v error -y -stream_loop 1 -i "$here/fixtures/cfr30-640x360.mp4" -c copy "$input"
expected="$(ffprobe -v error -count_frames -select_streams v:0 \
  -show_entries stream=nb_read_frames -of csv=p=0 "$input" | head -1)"
log "input $input: $expected video frames; liveladder: $bin"

failed=0
for c in $cases; do
  fmt="${c%%-*}"
  rend="${c#*-}"
  case "$fmt" in
    ts) fmtargs=(); ext=ts ;;
    fmp4) fmtargs=(--segment-format fmp4); ext=m4s ;;
    *) log "bad case $c (want ts-R or fmp4-R)"; failed=1; continue ;;
  esac
  out="$work/$c"
  log "$c: making the ladder (LIVELADDER_FAULTS=$rend:encoder-error@3, ~12 s)"
  # An event output that keeps a GAP exits 8 by design (docs/supervision.md); anything else is a failure.
  status=0
  LIVELADDER_FAULTS="$rend:encoder-error@3" timeout --kill-after=5 90 "$bin" run \
    --input "$input" --output "$out" --realtime --playlist-type event --overwrite \
    "${fmtargs[@]}" >"$work/$c.run.log" 2>&1 || status=$?
  if [[ "$status" -ne 8 ]]; then
    log "$c: liveladder run exited $status, expected 8 (a GAP kept):"; tail -5 "$work/$c.run.log" >&2; failed=1; continue
  fi
  if ! "$bin" check "$out" >"$work/$c.check.log" 2>&1; then
    log "$c: liveladder check failed:"; tail -5 "$work/$c.check.log" >&2; failed=1; continue
  fi
  gapseg="$(awk '/^#EXT-X-GAP/{g=1; next} g && !/^#/{print; exit}' "$out/$rend/index.m3u8")"
  if [[ -z "$gapseg" ]]; then
    log "$c: $rend/index.m3u8 has no EXT-X-GAP entry; skipped"; failed=1; continue
  fi
  gapuri="$rend/$gapseg"
  log "$c: GAP at $gapuri ($(tr '\n' ' ' <"$work/$c.check.log"))"
  playlists=(master.m3u8)
  if [[ $media -eq 1 ]]; then
    for d in "$out"/*/; do
      [[ -f "$d/index.m3u8" ]] && playlists+=("$(basename "$d")/index.m3u8")
    done
  fi
  for pl in "${playlists[@]}"; do
    for p in $players; do
      case "$p" in
        gst)
          play_gst "$out" "$c" "$pl" "$gapuri" "$expected" || { failed=1; echo "$c gst $pl: skipped (server)"; } ;;
        chromium)
          if [[ -z "$chrome" ]]; then
            echo "$c chromium $pl: skipped (chromium not installed)"
          else
            play_chromium "$out" "$c" "$pl" "$gapuri" "$expected" || { failed=1; echo "$c chromium $pl: skipped (server)"; }
          fi ;;
        *) log "unknown player $p"; failed=1 ;;
      esac
    done
  done
done
exit "$failed"
