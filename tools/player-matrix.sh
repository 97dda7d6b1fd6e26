#!/usr/bin/env bash
# Rule P1 (../shared/HLS-RULES.md) measured: live TS and live fMP4 outputs of two
# scenarios played in four real players, one table row per (scenario, format,
# player) with the verdict and the evidence.
#
#   tools/player-matrix.sh [--scenarios "drop restart reference"] [--formats "ts fmp4"]
#                          [--players "ffmpeg gst vlc chromium"] [--keep] [--work DIR]
#
# Scenarios (input: fixtures/cfr30-640x360.mp4 looped twice, a 12 s clip of
# 360 frames at 30 fps; the ladder is 360p + 240p):
#   drop     "publisher drop": liveladder run -i rtmp://127.0.0.1:PORT/live/key
#            --listen --playlist-type event --input-timeout 1
#            --reconnect-window 6; an ffmpeg publisher (-re -c copy -f flv) is
#            SIGKILLed after ~5 s, a second one connects ~3 s later and sends
#            the whole clip; liveladder exits 9 when the window closes. The
#            outage (and the 6 s window at the end) is filled with the frozen
#            picture, then the slate. The playlists of an exit-9 run have no
#            #EXT-X-ENDLIST (they stay live for a restarted process), so the
#            players get a COPY of the output in which #EXT-X-ENDLIST is
#            appended to every media playlist: they play it as a whole, not
#            as a live stream that would never end.
#   restart  "rendition restart": LIVELADDER_FAULTS=360p:encoder-error@3
#            liveladder run -i CLIP --realtime --playlist-type event; 360p
#            restarts and lists one #EXT-X-GAP with a stand-in segment at its
#            URI; the run exits 8 by design (an event output with a GAP).
#   reference not LiveLadder: the clip packaged by `ffmpeg -f hls` (one
#            variant, -c copy), to show each player's own baseline (VLC's
#            displayed-picture count falls short on any HLS stream).
#
# Players, each reading master.m3u8 after the run has ended:
#   ffmpeg   `ffmpeg -v warning -i master.m3u8 -map 0 -f null -` on the files:
#            ok only if it prints nothing at all; frames from a second,
#            -v verbose pass ("Output stream ... frames encoded").
#   gst      GStreamer playbin3 (hlsdemux2) via tools/gst-count-frames.sh,
#            warnings logged, not fatal (GST_COUNT_ALLOW_WARNINGS=1).
#   vlc      libvlc 3 via tools/lib/vlc-play.py (dummy outputs, real decoders,
#            normal speed), run as nobody (VLC refuses root); decoded frames,
#            lost pictures, and every warning/error VLC logs. Its verdict
#            counts pictures displayed (by the dummy vout): VLC's "decoded
#            video" counter counts blocks, about twice the frames with HLS.
#   chromium headless Chromium, <video muted autoplay src=master.m3u8>
#            (tools/lib/hls-player.html): canPlayType, currentTime reached,
#            getVideoPlaybackQuality() frames, MediaError; "n/a" if the build
#            has no native HLS.
# gst, vlc and chromium are served over HTTP by tools/lib/hls-serve.py on
# 127.0.0.1 (one server per play, every request logged: 4xx and whether the
# GAP URI was fetched are part of the evidence).
#
# Verdicts: ok (played to the end, every frame, nothing printed), warn (played
# to the end with every frame but printed warnings), short (reached the end
# with fewer frames than the stream has), FAIL (error, stall, timeout, or
# ffmpeg printed something that is an error), n/a. "frames=N/E": E is the
# number of video frames of the stream (ffprobe packet count of 360p's
# playlist; every rendition has the same count).
#
# Exit status: 0 when every cell was measured (whatever the players did: a
# survey), 1 when an output could not be made or a player could not run.
# Environment: LIVELADDER (binary; built into .build-matrix when unset).
# Needs ffmpeg, ffprobe, python3, GStreamer (tools/setup.sh), and for the
# last two columns `vlc-bin vlc-plugin-base` and `chromium` (apt-get).
# No errexit: the survey goes on whatever one step returns (pipelines with head
# would otherwise end it on SIGPIPE); failures that matter are checked.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scenarios="drop restart reference"
formats="ts fmp4"
players="ffmpeg gst vlc chromium"
keep=0
work=""

say() { echo "player-matrix: $*" >&2; }
die() { say "$*"; exit 1; }
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenarios) scenarios="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --players) players="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) say "unknown argument $1"; usage ;;
  esac
done

# shellcheck source=tools/lib/find-liveladder.sh
source "$root/tools/lib/find-liveladder.sh"
find_liveladder "$root/.build-matrix" nice -n 19
bin="$LIVELADDER"
for tool in ffmpeg ffprobe python3 timeout setsid ss; do
  command -v "$tool" >/dev/null || die "$tool missing"
done

[[ -n "$work" ]] || work="$(mktemp -d /tmp/player-matrix.XXXXXX)" || die "mktemp failed"
mkdir -p "$work" || die "cannot make $work"
chmod 755 "$work"   # VLC runs as nobody; it reads over HTTP, but its HOME is in here

pids=()   # every background process we started (servers, publishers, browsers)
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; done
  if [[ $keep -eq 0 ]]; then rm -rf "$work"; else say "kept $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

chrome="$(command -v chromium || true)"
vlcok=0
[[ -r /usr/lib/x86_64-linux-gnu/libvlc.so.5 || -n "$(ldconfig -p 2>/dev/null | grep libvlc.so.5)" ]] && vlcok=1
for p in $players; do
  case "$p" in
    vlc) [[ $vlcok -eq 1 ]] || say "note: libvlc missing (apt-get install -y vlc-bin vlc-plugin-base): VLC cells skipped" ;;
    chromium) [[ -n "$chrome" ]] && say "$("$chrome" --version 2>/dev/null | head -1)" ||
      say "note: chromium missing (apt-get install -y chromium): Chromium cells skipped" ;;
  esac
done

# ---------------------------------------------------------------- servers --

# start_server DIR TAG -> $port, $reqlog, $reports, $server_pid
start_server() {
  local dir="$1" tag="$2" i
  reqlog="$work/$tag.requests"; reports="$work/$tag.reports"
  : >"$reqlog"; : >"$reports"; rm -f "$work/$tag.port"
  setsid python3 "$root/tools/lib/hls-serve.py" "$dir" "$work/$tag.port" "$reqlog" "$reports" \
    "$root/tools/lib/hls-player.html" >"$work/$tag.server.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for i in $(seq 1 50); do [[ -s "$work/$tag.port" ]] && break; sleep 0.1; done
  [[ -s "$work/$tag.port" ]] || { say "server for $dir did not start: $(cat "$work/$tag.server.log")"; return 1; }
  port="$(cat "$work/$tag.port")"
}
stop_server() {
  kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
# requests_summary REQLOG GAPURI -> "http4xx=… gap_fetched=…"
requests_summary() {
  python3 - "$1" "$2" <<'PYEOF'
import sys
reqlog, gap = sys.argv[1:3]
bad, gapc, segs = [], [], 0
for line in open(reqlog):
    p = line.split()
    if len(p) < 3 or p[0] != "GET":
        continue
    if p[1].isdigit() and int(p[1]) >= 400:
        bad.append("%s %s" % (p[1], p[2]))
    if p[2].endswith((".ts", ".m4s")):
        segs += 1
    if gap != "-" and p[2].lstrip("/") == gap:
        gapc.append(p[1])
out = "segments_fetched=%d http_errors=%s" % (segs, ",".join(bad[:3]) + ("…" if len(bad) > 3 else "") if bad else "none")
if gap != "-":
    out += " gap_uri_fetched=%s" % (("yes(%s)" % "/".join(gapc)) if gapc else "no")
print(out)
PYEOF
}

# ---------------------------------------------------------------- outputs --

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

clip="$work/clip12.mp4"
ffmpeg -nostdin -v error -y -stream_loop 1 -i "$root/fixtures/cfr30-640x360.mp4" -c copy "$clip" ||
  die "cannot make the 12 s clip"
say "clip $clip: $(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$clip") video frames; liveladder $bin"

# make_drop FMT OUT -> sets $run_rc
make_drop() {
  local fmt="$1" out="$2" port llpid p1 i
  port="$(free_port)"
  local url="rtmp://127.0.0.1:$port/live/key"
  timeout --kill-after=5 120 "$bin" run -i "$url" --listen -o "$out" --segment-format "$fmt" \
    --playlist-type event --input-timeout 1 --reconnect-window 6 --overwrite >"$out.run.log" 2>&1 &
  llpid=$!
  for i in $(seq 1 100); do
    ss -ltnH "sport = :$port" 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  ss -ltnH "sport = :$port" | grep -q . || { say "liveladder never listened on $port"; kill "$llpid" 2>/dev/null; wait "$llpid" 2>/dev/null; run_rc=99; return; }
  ffmpeg -nostdin -v error -re -i "$clip" -c copy -f flv "$url" >"$out.pub1.log" 2>&1 &
  p1=$!
  pids+=("$p1")
  sleep 5
  kill -KILL "$p1" 2>/dev/null || true
  wait "$p1" 2>/dev/null || true
  sleep 3
  timeout --kill-after=5 40 ffmpeg -nostdin -v error -re -i "$clip" -c copy -f flv "$url" >"$out.pub2.log" 2>&1 || say "publisher 2 exited $?"
  run_rc=0
  wait "$llpid" || run_rc=$?
}

# make_reference FMT OUT -> sets $run_rc: the same clip packaged by the ffmpeg
# CLI's own HLS muxer (one 640x360 variant, stream copy, 2 s segments, VOD), so
# each player's own baseline shows beside LiveLadder's cells.
make_reference() {
  local fmt="$1" out="$2" ext=ts type=mpegts
  [[ "$fmt" == fmp4 ]] && { ext=m4s; type=fmp4; }
  mkdir -p "$out/360p"
  run_rc=0
  (cd "$out/360p" && ffmpeg -nostdin -v error -y -i "$clip" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_segment_type "$type" -hls_segment_filename "segment-%d.$ext" \
    index.m3u8) >"$out.run.log" 2>&1 || run_rc=$?
  printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"\n360p/index.m3u8\n' \
    >"$out/master.m3u8"
}

# make_restart FMT OUT -> sets $run_rc
make_restart() {
  local fmt="$1" out="$2"
  run_rc=0
  LIVELADDER_FAULTS="360p:encoder-error@3" timeout --kill-after=5 90 "$bin" run -i "$clip" -o "$out" \
    --realtime --playlist-type event --segment-format "$fmt" --overwrite >"$out.run.log" 2>&1 || run_rc=$?
}

# ---------------------------------------------------------------- players --

row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5"; }

# frames_verdict N EXPECTED ENDED(0/1) WARNINGS(0/1)
frames_verdict() {
  local n="$1" e="$2" ended="$3" warned="$4"
  if [[ "$ended" -ne 1 ]]; then echo FAIL
  elif [[ "$n" =~ ^[0-9]+$ && "$n" -lt "$e" ]]; then echo short
  elif [[ "$warned" -eq 1 ]]; then echo warn
  else echo ok; fi
}

play_ffmpeg() {   # DIR EXPECTED -> "VERDICT|EVIDENCE"
  local dir="$1" e="$2" rc=0 out frames
  out="$(cd "$dir" && timeout 120 ffmpeg -nostdin -v warning -i master.m3u8 -map 0 -f null - 2>&1)" || rc=$?
  frames="$(cd "$dir" && timeout 120 ffmpeg -nostdin -v verbose -i master.m3u8 -map 0 -f null - 2>&1 |
    sed -nE 's/.*Output stream #0:[0-9]+ \(video\): ([0-9]+) frames encoded.*/\1/p' | paste -sd, -)"
  local lines n
  n="$(printf '%s' "$out" | grep -c . || true)"
  lines="$(printf '%s' "$out" | sed -E 's/0x[0-9a-f]+/0x…/g' | sort | uniq -c | sort -rn | head -3 |
    sed -E 's/^ *([0-9]+) /\1x "/; s/$/"/' | paste -sd';' -)"
  local v
  if [[ $rc -ne 0 ]]; then v=FAIL
  elif [[ $n -eq 0 ]]; then v=ok
  else v=warn; fi
  local minf
  minf="$(tr ',' '\n' <<<"$frames" | sort -n | head -1)"
  [[ "$v" == ok && -n "$minf" && "$minf" -lt "$e" ]] && v=short
  echo "$v|exit $rc; video frames per variant ${frames:-?} of $e; printed $n lines${lines:+: $lines}"
}

play_gst() {   # DIR EXPECTED GAPURI TAG
  local dir="$1" e="$2" gap="$3" tag="$4" rc=0 out
  start_server "$dir" "$tag-gst" || { echo "FAIL|server did not start"; return; }
  out="$(GST_COUNT_STALL=15 GST_COUNT_TIMEOUT=120 GST_COUNT_ALLOW_WARNINGS=1 \
    "$root/tools/gst-count-frames.sh" "http://127.0.0.1:$port/master.m3u8" 2>"$work/$tag.gst.err")" || rc=$?
  stop_server
  local vline frames sizes nwarn firstw req
  vline="$(grep -E '^gst-count-frames: video: ' "$work/$tag.gst.err" | tail -1 || true)"
  frames="$(sed -nE 's/.*video: buffers=([0-9]+).*/\1/p' <<<"$vline")"
  sizes="$(sed -nE 's/.*caps=\[([^]]*)\].*/\1/p' <<<"$vline" | sed 's/, />/g')"
  nwarn="$(grep -c 'GStreamer warning' "$work/$tag.gst.err" || true)"
  firstw="$(grep -m1 'GStreamer warning' "$work/$tag.gst.err" | sed 's/^gst-count-frames: //' || true)"
  req="$(requests_summary "$reqlog" "$gap")"
  local v
  if [[ $rc -ne 0 ]]; then v=FAIL
  else v="$(frames_verdict "${frames:-0}" "$e" 1 "$([[ $nwarn -gt 0 ]] && echo 1 || echo 0)")"; fi
  echo "$v|${out}; frames=${frames:-?}/$e sizes=${sizes:--}; warnings=$nwarn${firstw:+ (first: $firstw)}; $req"
}

play_vlc() {   # DIR EXPECTED GAPURI TAG
  local dir="$1" e="$2" gap="$3" tag="$4" rc=0 out
  [[ $vlcok -eq 1 ]] || { echo "n/a|libvlc not installed"; return; }
  start_server "$dir" "$tag-vlc" || { echo "FAIL|server did not start"; return; }
  local home="$work/$tag.vlchome"
  mkdir -p "$home"; chown nobody:nogroup "$home" 2>/dev/null || chmod 777 "$home"
  out="$(timeout --kill-after=5 150 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env HOME="$home" XDG_RUNTIME_DIR="$home" python3 "$root/tools/lib/vlc-play.py" \
    "http://127.0.0.1:$port/master.m3u8" --timeout 120 --stall 10 2>"$work/$tag.vlc.err")" || rc=$?
  stop_server
  local req
  req="$(requests_summary "$reqlog" "$gap")"
  printf '%s\n' "$out" >"$work/$tag.vlc.json"
  python3 - "$work/$tag.vlc.json" "$e" "$rc" "$req" <<'PYEOF'
import collections, json, re, sys
path, e, rc, req = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    j = json.loads(open(path).read().strip().splitlines()[-1])
except Exception:
    print("FAIL|vlc-play exited %s without a report" % rc)
    sys.exit(0)
def top(msgs):
    c = collections.Counter(re.sub(r"\b\d+\b", "N", m) for m in msgs)
    return "; ".join('%dx "%s"' % (n, m) for m, n in c.most_common(3))
ended = j.get("state") == "ended"
n = j.get("displayed_pictures", 0)
if not ended:
    v = "FAIL"
elif n < e:
    v = "short"
elif j["errors"] or j["warnings"]:
    v = "warn"
else:
    v = "ok"
ev = "state=%s time=%.2f/%.2f s displayed=%d/%d decoded_counter=%d lost=%d demux_corrupted=%d discontinuities=%d sizes=%s" % (
    j.get("state"), j.get("time_s", 0), j.get("length_s", 0), n, e, j.get("decoded_video", 0),
    j.get("lost_pictures", 0), j.get("demux_corrupted", 0), j.get("demux_discontinuity", 0),
    ">".join(j.get("sizes") or []) or "-")
ev += "; errors=%d%s; warnings=%d%s; %s" % (
    len(j["errors"]), (" (" + top(j["errors"]) + ")") if j["errors"] else "",
    len(j["warnings"]), (" (" + top(j["warnings"]) + ")") if j["warnings"] else "", req)
print("%s|%s" % (v, ev))
PYEOF
}

play_chromium() {   # DIR EXPECTED GAPURI TAG DURATION
  local dir="$1" e="$2" gap="$3" tag="$4" dur="$5"
  [[ -n "$chrome" ]] || { echo "n/a|chromium not installed"; return; }
  start_server "$dir" "$tag-chromium" || { echo "FAIL|server did not start"; return; }
  local ud="$work/$tag.chrome-profile" limit
  limit=$(( ${dur%.*} + 45 ))
  rm -rf "$ud"
  setsid "$chrome" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$ud" --no-first-run --no-default-browser-check --mute-audio \
    --autoplay-policy=no-user-gesture-required --disable-background-timer-throttling \
    --disable-renderer-backgrounding --disable-backgrounding-occluded-windows \
    "http://127.0.0.1:$port/__player.html?src=/master.m3u8&stall=8" \
    >"$work/$tag.chrome.out" 2>"$work/$tag.chrome.err" &
  local cpid=$! start=$SECONDS how=timeout
  pids+=("$cpid")
  while (( SECONDS - start < limit )); do
    if grep -q '"ev":"final"' "$reports" 2>/dev/null; then how=final; break; fi
    if ! kill -0 "$cpid" 2>/dev/null; then how=exited; break; fi
    sleep 0.5
  done
  kill -TERM -- "-$cpid" 2>/dev/null || true
  sleep 0.5
  kill -KILL -- "-$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  stop_server
  local req
  req="$(requests_summary "$reqlog" "$gap")"
  python3 - "$reports" "$how" "$e" "$req" <<'PYEOF'
import json, sys
reports, how, e, req = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
lines = []
for l in open(reports):
    try:
        lines.append(json.loads(l))
    except ValueError:
        pass
cpt = next((l.get("hls") for l in lines if l.get("ev") == "canPlayType"), None)
final = [l for l in lines if l.get("ev") == "final"]
last = final[-1] if final else ([l for l in lines if "t" in l] or [{}])[-1]
if final and last.get("verdict") == "nohls":
    print("n/a|no native HLS in this Chromium build (canPlayType('application/vnd.apple.mpegurl') = %r)" % cpt)
    sys.exit(0)
verdict = last.get("verdict") if final else ("chromium exited" if how == "exited" else "timeout")
frames = last.get("frames") or 0
if verdict == "played":
    v = "short" if frames < e else "ok"
else:
    v = "FAIL"
err = last.get("err")
ev = "%s: currentTime %s of duration %s, frames=%s/%d dropped=%s" % (
    {"played": "ended", "stalled": "stalled (currentTime still 8 s)"}.get(verdict, verdict),
    last.get("t"), last.get("dur"), frames, e, last.get("dropped"))
if err:
    ev += ", MediaError %s: %s" % (err.get("code"), err.get("msg"))
else:
    ev += ", no MediaError"
evs = [x for x in (last.get("events") or []) if not x.startswith(("playing", "loadedmetadata"))]
if evs:
    ev += ", events " + " ".join(evs[:6])
b = last.get("buffered") or []
ev += ", buffered [%s], sizes %s, canPlayType %r; %s" % (
    " ".join("%.2f-%.2f" % (x, y) for x, y in b), ">".join(last.get("sizes") or []) or "-", cpt, req)
print("%s|%s" % (v, ev))
PYEOF
}

# ------------------------------------------------------------------ main --

failed=0
results="$work/rows.txt"
: >"$results"
for sc in $scenarios; do
  for fmt in $formats; do
    case "$fmt" in ts|fmp4) ;; *) say "bad format $fmt"; failed=1; continue ;; esac
    tag="$sc-$fmt"
    out="$work/$tag"
    case "$sc" in
      drop) name="publisher drop"; want=9
        say "$tag: publisher drop over RTMP (~30 s: 5 s, kill, 3 s, 12 s, 1 s timeout + 6 s window)"
        make_drop "$fmt" "$out" ;;
      restart) name="rendition restart"; want=8
        say "$tag: LIVELADDER_FAULTS=360p:encoder-error@3, --realtime event (~13 s)"
        make_restart "$fmt" "$out" ;;
      reference) name="reference: ffmpeg -f hls of the clip"; want=0
        say "$tag: the clip packaged by ffmpeg -f hls (each player's baseline)"
        make_reference "$fmt" "$out" ;;
      *) say "unknown scenario $sc"; failed=1; continue ;;
    esac
    say "$tag: the run exited $run_rc (expected $want); last lines: $(tail -2 "$out.run.log" | tr '\n' ' ')"
    if [[ ! -f "$out/master.m3u8" ]]; then
      say "$tag: no master.m3u8; skipped"; failed=1
      for p in $players; do row "$name" "$fmt" "$p" "n/a" "no output (liveladder exited $run_rc)" >>"$results"; done
      continue
    fi
    play="$out"
    if [[ "$sc" == drop ]]; then
      # Copies with #EXT-X-ENDLIST appended, so the players play it as a whole.
      play="$out.play"
      rm -rf "$play"; cp -a "$out" "$play"
      for m in "$play"/*/index.m3u8; do
        grep -q '^#EXT-X-ENDLIST' "$m" || echo '#EXT-X-ENDLIST' >>"$m"
      done
    fi
    for m in "$play"/*/index.m3u8; do
      grep -q '^#EXT-X-ENDLIST' "$m" || say "$tag: note: $m has no #EXT-X-ENDLIST"
    done
    chmod -R a+rX "$out" "$play"
    checkout="(not LiveLadder's output: not checked)"
    [[ "$sc" == reference ]] || checkout="$("$bin" check "$play" 2>&1 | tr '\n' ' ')"
    gap="-"
    g="$(awk '/^#EXT-X-GAP/{g=1; next} g && !/^#/{print; exit}' "$play/360p/index.m3u8" 2>/dev/null || true)"
    [[ -n "$g" ]] && gap="360p/$g"
    expected="$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets \
      -of csv=p=0 "$play/360p/index.m3u8" 2>/dev/null | head -1)"
    dur="$(awk -F'[:,]' '/^#EXTINF/{s+=$2} END{printf "%.3f", s}' "$play/360p/index.m3u8")"
    ngap="$(cd "$play" && { grep -c '^#EXT-X-GAP' */index.m3u8 || true; } | paste -sd' ' -)"
    ndisc="$(cat "$play"/*/index.m3u8 | grep -c '^#EXT-X-DISCONTINUITY$' || true)"
    say "$tag: exit $run_rc; 360p: ${expected:-?} frames, ${dur} s; GAP entries: $ngap; discontinuities: $ndisc; GAP URI: $gap; check: ${checkout:-ok}"
    echo "context|$name|$fmt|exit $run_rc (expected $want); 360p ${expected:-?} frames, $dur s; GAPs $ngap; DISCONTINUITY tags $ndisc; check: ${checkout:-(nothing printed)}" >>"$work/context.txt"
    for p in $players; do
      say "$tag: playing in $p"
      case "$p" in
        ffmpeg) res="$(play_ffmpeg "$play" "$expected")" ;;
        gst) res="$(play_gst "$play" "$expected" "$gap" "$tag")" ;;
        vlc) res="$(play_vlc "$play" "$expected" "$gap" "$tag")" ;;
        chromium) res="$(play_chromium "$play" "$expected" "$gap" "$tag" "$dur")" ;;
        *) say "unknown player $p"; failed=1; continue ;;
      esac
      row "$name" "$fmt" "$p" "${res%%|*}" "${res#*|}" | tee -a "$results" >&2
    done
  done
done

echo "| scenario | format | player | verdict | evidence |"
echo "| --- | --- | --- | --- | --- |"
cat "$results"
echo
[[ -f "$work/context.txt" ]] && sed -E 's/^context\|([^|]*)\|([^|]*)\|/- \1, \2: /' "$work/context.txt"
exit "$failed"
