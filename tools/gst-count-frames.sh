#!/usr/bin/env bash
# Plays an HLS playlist with GStreamer's playbin3 as fast as possible (fake
# sinks, sync=false) and counts what reaches the sinks:
#
#   tools/gst-count-frames.sh PLAYLIST
#
# PLAYLIST is a path, a file:// URI or an http(s):// URI of a master or media
# .m3u8. On success it prints exactly one line to stdout and exits 0:
#
#   video_frames=N audio_buffers=M
#
# N is the number of decoded video frames and M the number of decoded audio
# buffers, both counted by pad probes on the two fakesinks' sink pads (one
# decoded frame / one decoded AAC frame per buffer; the priming AAC frame is
# counted, HLS segments have no edit list). Per-stream details (caps seen, so
# variant switches show up, first PTS, end time, audio samples) go to stderr.
#
# On any failure it prints one line "error: ..." to stdout (details on
# stderr) and exits non-zero (2 = bad argument, 3 = missing GStreamer/Python
# pieces, 124 = timeout, 1 = anything else). Failures are:
#   - a GStreamer ERROR message on the bus (missing/unreadable segment or init
#     segment, garbage data, unknown playlist type, ...);
#   - a GStreamer WARNING message (set GST_COUNT_ALLOW_WARNINGS=1 to only log
#     them);
#   - decoder errors: libavcodec conceals damaged H.264/AAC data and keeps
#     going without any bus message, so ERROR-level messages of the "libav"
#     debug category are captured and counted as failures;
#   - an HTTP 4xx/5xx for any file the player requested;
#   - EOS without any decoded buffer, or no EOS at all;
#   - no new decoded buffer for GST_COUNT_STALL seconds (default 20): a
#     playlist without #EXT-X-ENDLIST, or some broken streams, make playbin3
#     wait forever instead of failing;
#   - the overall timeout, GST_COUNT_TIMEOUT seconds (default 120).
# A segment that is merely truncated at a packet boundary is NOT an error for
# GStreamer: it just yields fewer frames, so always compare the counts.
#
# Why an HTTP server: in GStreamer 1.22 (Debian bookworm) playbin3 only
# accepts streams-aware adaptive demuxers, i.e. hlsdemux2, and hlsdemux2
# downloads playlists/segments with libsoup, which rejects file:// URIs: a
# file:// playlist just hangs (the legacy hlsdemux supports file:// but
# playbin3 refuses it: "Adaptive demuxer is not streams-aware"). So local
# playlists are served by a throw-away HTTP server on 127.0.0.1 (random port)
# that lives inside this process. It serves the playlist's directory, or
# HLS_SERVE_ROOT if set (needed when a playlist references "../" paths).
#
# A master playlist plays ONE video variant at a time, chosen adaptively:
# hlsdemux2 starts with the FIRST variant listed and, over loopback, switches
# up to the highest-bandwidth one after a segment or so (the stderr caps list
# then shows both sizes). With keyframe-aligned renditions the counts stay
# exact across the switch, so the master run also checks alignment. It never
# touches the other variants, so to check every rendition run this on each
# media playlist too (an audio-only rendition gives video_frames=0).
#
# Needs: gstreamer1.0-plugins-{base,good,bad}, gstreamer1.0-libav, python3-gi,
# gir1.2-gstreamer-1.0 (tools/setup.sh installs them).
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 PLAYLIST(.m3u8 path | file:// URI | http(s):// URI)" >&2
  echo "error: usage: gst-count-frames.sh PLAYLIST"
  exit 2
fi

timeout_s="${GST_COUNT_TIMEOUT:-120}"

# Debian's python3 carries the gi bindings; a python3 earlier on PATH (pyenv,
# venv) usually does not.
py=""
for cand in /usr/bin/python3 python3; do
  if command -v "$cand" >/dev/null 2>&1 &&
    "$cand" -c 'import gi; gi.require_version("Gst", "1.0"); from gi.repository import Gst' >/dev/null 2>&1; then
    py="$cand"
    break
  fi
done
if [[ -z "$py" ]]; then
  echo "gst-count-frames: python3 with GStreamer bindings not found (install python3-gi gir1.2-gstreamer-1.0: tools/setup.sh)" >&2
  echo "error: python3-gi / gir1.2-gstreamer-1.0 missing"
  exit 3
fi

read -r -d '' PY_SRC <<'PYEOF' || true
import os
import sys
import threading
import time
import urllib.parse
import http.server
import functools

import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst, GLib

arg = sys.argv[1]
stall_s = float(os.environ.get("GST_COUNT_STALL", "20"))
allow_warnings = os.environ.get("GST_COUNT_ALLOW_WARNINGS", "") not in ("", "0")


def log(msg):
    print("gst-count-frames: " + msg, file=sys.stderr, flush=True)


def fail(msg, code=1):
    log("ERROR: " + msg)
    print("error: " + " ".join(msg.split()), flush=True)
    sys.exit(code)


http_errors = []
server = None

if arg.startswith(("http://", "https://")):
    uri = arg
else:
    if arg.startswith("file://"):
        path = urllib.parse.unquote(urllib.parse.urlparse(arg).path)
    elif "://" in arg:
        fail("unsupported URI scheme: " + arg, 2)
    else:
        path = arg
    path = os.path.realpath(path)
    if not os.path.isfile(path):
        fail("playlist not found: " + path, 2)
    root = os.path.realpath(os.environ.get("HLS_SERVE_ROOT") or os.path.dirname(path))
    rel = os.path.relpath(path, root)
    if rel.startswith(".."):
        fail("playlist %s is not under HLS_SERVE_ROOT %s" % (path, root), 2)

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map)
        extensions_map.update({
            ".m3u8": "application/vnd.apple.mpegurl",
            ".ts": "video/mp2t",
            ".m4s": "video/iso.segment",
            ".mp4": "video/mp4",
            ".m4a": "audio/mp4",
            ".aac": "audio/aac",
        })

        def log_message(self, fmt, *args):
            pass

        def log_request(self, code="-", size="-"):
            try:
                code = int(code)
            except (TypeError, ValueError):
                return
            if code >= 400:
                http_errors.append("HTTP %d for %s" % (code, urllib.parse.unquote(self.path)))

    http.server.ThreadingHTTPServer.daemon_threads = True
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uri = "http://127.0.0.1:%d/%s" % (server.server_address[1],
                                      urllib.parse.quote(rel.replace(os.sep, "/")))

Gst.init(None)

counts = {"video": 0, "audio": 0}
lock = threading.Lock()
state = {"error": None, "eos": False, "last_change": time.monotonic()}
warnings = []

# Decoder errors: libavcodec conceals damaged H.264/AAC data and keeps
# outputting frames, so gst-libav posts no bus message for them; it only
# forwards libav's av_log() errors to the GStreamer debug log (category
# "libav", level ERROR). Capture ERROR-level debug messages ourselves.
# A clean stream produces none.
decode_errors = []
other_debug_errors = []
if not os.environ.get("GST_DEBUG"):
    Gst.debug_remove_log_function(None)  # keep stderr clean
    Gst.debug_set_default_threshold(Gst.DebugLevel.ERROR)
Gst.debug_set_active(True)
if Gst.debug_get_default_threshold() < Gst.DebugLevel.ERROR:
    Gst.debug_set_default_threshold(Gst.DebugLevel.ERROR)


def on_debug(category, level, _file, _function, _line, _obj, message, *_user):
    if level > Gst.DebugLevel.ERROR:
        return
    try:
        text = message.get()
    except Exception:
        text = str(message)
    name = category.get_name()
    with lock:
        if name == "libav":
            decode_errors.append(text)
        else:
            other_debug_errors.append("%s: %s" % (name, text))


Gst.debug_add_log_function(on_debug, None)

# Per-stream details for stderr: caps seen, first PTS, end time, samples.
details = {"video": {"caps": [], "first": None, "end": None},
           "audio": {"caps": [], "first": None, "end": None, "samples": 0, "bpf": 0}}


def make_sink(kind):
    sink = Gst.ElementFactory.make("fakesink", kind + "-counter")
    if sink is None:
        fail("cannot create fakesink (gstreamer1.0 core missing?)", 3)
    sink.set_property("sync", False)
    sink.set_property("async", True)
    sink.set_property("enable-last-sample", False)
    pad = sink.get_static_pad("sink")

    d = details[kind]

    def note(buf):
        pts = buf.pts
        if pts != Gst.CLOCK_TIME_NONE:
            if d["first"] is None:
                d["first"] = pts
            end = pts + (buf.duration if buf.duration != Gst.CLOCK_TIME_NONE else 0)
            if d["end"] is None or end > d["end"]:
                d["end"] = end
        if kind == "audio" and d["bpf"]:
            d["samples"] += buf.get_size() // d["bpf"]

    def on_data(_pad, info):
        t = info.type
        if t & Gst.PadProbeType.EVENT_DOWNSTREAM:
            ev = info.get_event()
            if ev.type == Gst.EventType.CAPS:
                caps = ev.parse_caps()
                st = caps.get_structure(0)
                if kind == "video":
                    desc = "%dx%d" % (st.get_int("width")[1], st.get_int("height")[1])
                else:
                    ch = st.get_int("channels")[1]
                    rate = st.get_int("rate")[1]
                    desc = "%dHz/%dch/%s" % (rate, ch, st.get_string("format"))
                    fmt = st.get_string("format") or ""
                    width = int("".join(c for c in fmt[1:4] if c.isdigit()) or 0)
                    d["bpf"] = (width // 8) * ch
                if desc not in d["caps"]:
                    d["caps"].append(desc)
            return Gst.PadProbeReturn.OK
        n = 0
        if t & Gst.PadProbeType.BUFFER:
            n = 1
            note(info.get_buffer())
        elif t & Gst.PadProbeType.BUFFER_LIST:
            lst = info.get_buffer_list()
            n = lst.length() if lst is not None else 0
            for i in range(n):
                note(lst.get(i))
        if n:
            with lock:
                counts[kind] += n
                state["last_change"] = time.monotonic()
        return Gst.PadProbeReturn.OK

    pad.add_probe(Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST |
                  Gst.PadProbeType.EVENT_DOWNSTREAM, on_data)
    return sink


playbin = Gst.ElementFactory.make("playbin3", "player")
if playbin is None:
    fail("cannot create playbin3 (gstreamer1.0-plugins-base missing?)", 3)
playbin.set_property("uri", uri)
playbin.set_property("video-sink", make_sink("video"))
playbin.set_property("audio-sink", make_sink("audio"))
text_sink = Gst.ElementFactory.make("fakesink", "text-sink")
text_sink.set_property("sync", False)
playbin.set_property("text-sink", text_sink)

loop = GLib.MainLoop()


def src_name(msg):
    return msg.src.get_path_string() if msg.src is not None else "?"


def on_message(_bus, msg):
    t = msg.type
    if t == Gst.MessageType.EOS:
        state["eos"] = True
        loop.quit()
    elif t == Gst.MessageType.ERROR:
        err, dbg = msg.parse_error()
        log("GStreamer error from %s: %s" % (src_name(msg), err.message))
        state["error"] = "GStreamer error from %s: %s" % (
            msg.src.get_name() if msg.src is not None else "?", err.message)
        if dbg:
            log("debug: " + dbg)
        loop.quit()
    elif t == Gst.MessageType.WARNING:
        err, dbg = msg.parse_warning()
        log("GStreamer warning from %s: %s" % (src_name(msg), err.message))
        warnings.append("GStreamer warning from %s: %s" % (
            msg.src.get_name() if msg.src is not None else "?", err.message))
        if dbg:
            log("debug: " + dbg)
    return True


bus = playbin.get_bus()
bus.add_signal_watch()
bus.connect("message", on_message)


def watchdog():
    if http_errors:
        # A missing playlist/segment; hlsdemux2 may otherwise retry or skip it.
        state["error"] = state["error"] or "; ".join(http_errors[:3])
        loop.quit()
        return False
    with lock:
        idle = time.monotonic() - state["last_change"]
    if idle > stall_s:
        state["error"] = "stalled: no decoded buffer for %.0f s (video_frames=%d audio_buffers=%d)" % (
            idle, counts["video"], counts["audio"])
        loop.quit()
        return False
    return True


GLib.timeout_add(200, watchdog)

log("playing " + uri)
if playbin.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
    state["error"] = state["error"] or "playbin3 failed to start"
else:
    loop.run()

playbin.set_state(Gst.State.NULL)
bus.remove_signal_watch()
if server is not None:
    server.shutdown()

def fmt_t(ns):
    return "-" if ns is None else "%.3f" % (ns / 1e9)


for kind in ("video", "audio"):
    d = details[kind]
    extra = (" samples=%d" % d["samples"]) if kind == "audio" else ""
    log("%s: buffers=%d caps=[%s] first_pts=%s end=%s%s" % (
        kind, counts[kind], ", ".join(d["caps"]), fmt_t(d["first"]), fmt_t(d["end"]), extra))
for text in other_debug_errors[:5]:
    log("debug-log error: " + text)

if http_errors and not state["error"]:
    state["error"] = "; ".join(http_errors[:3])
if decode_errors and not state["error"]:
    for text in decode_errors[:5]:
        log("decoder error: " + text)
    state["error"] = "%d decoder error(s) (libav), first: %s" % (len(decode_errors), decode_errors[0])
if state["error"]:
    fail(state["error"])
if warnings and not allow_warnings:
    fail("%d GStreamer warning(s), first: %s" % (len(warnings), warnings[0]))
if not state["eos"]:
    fail("playback ended without EOS")
if counts["video"] == 0 and counts["audio"] == 0:
    fail("EOS without any decoded buffer")
print("video_frames=%d audio_buffers=%d" % (counts["video"], counts["audio"]), flush=True)
PYEOF

set +e
timeout --kill-after=10 "$timeout_s" "$py" -c "$PY_SRC" "$1"
rc=$?
set -e
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  echo "gst-count-frames: timed out after ${timeout_s}s" >&2
  echo "error: timed out after ${timeout_s}s"
fi
exit "$rc"
