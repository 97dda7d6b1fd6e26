#!/usr/bin/env python3
"""Plays one URL with libvlc (VLC 3) and prints one JSON line of what happened.

    python3 tools/lib/vlc-play.py URL [--timeout S] [--stall S]

VLC's command line prints no frame counts, so this drives libvlc.so.5 through
ctypes (no python-vlc needed): dummy video and audio outputs, real decoders,
playback at normal speed. It polls libvlc_media_get_stats() (decoded video
frames and audio blocks, displayed and lost pictures, demux corruptions and
discontinuities) and the player's state and time until the media ends, fails
or stops moving, and collects every warning and error VLC logs (module and
text). Output, on stdout:

    {"state": "ended|error|stalled|timeout", "decoded_video": N, ...,
     "time_s": T, "length_s": L, "warnings": [...], "errors": [...]}

VLC refuses to run as root; run this as an unprivileged user, e.g.
`setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/tmp/x python3 ...`.
Exit status: 0 when it could play at all (whatever the verdict), 2 when libvlc
could not be loaded or started.
"""
import ctypes
import ctypes.util
import json
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    url = args[0]
    timeout_s = 120.0
    stall_s = 10.0
    i = 1
    while i < len(args):
        if args[i] == "--timeout":
            timeout_s = float(args[i + 1]); i += 2
        elif args[i] == "--stall":
            stall_s = float(args[i + 1]); i += 2
        else:
            print("vlc-play: unknown argument " + args[i], file=sys.stderr)
            return 2

    try:
        vlc = ctypes.CDLL(ctypes.util.find_library("vlc") or "libvlc.so.5")
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError as e:
        print(json.dumps({"state": "error", "fatal": "cannot load libvlc: %s" % e}))
        return 2

    class Stats(ctypes.Structure):  # libvlc_media_stats_t, VLC 3
        _fields_ = [("read_bytes", ctypes.c_int), ("input_bitrate", ctypes.c_float),
                    ("demux_read_bytes", ctypes.c_int), ("demux_bitrate", ctypes.c_float),
                    ("demux_corrupted", ctypes.c_int), ("demux_discontinuity", ctypes.c_int),
                    ("decoded_video", ctypes.c_int), ("decoded_audio", ctypes.c_int),
                    ("displayed_pictures", ctypes.c_int), ("lost_pictures", ctypes.c_int),
                    ("played_abuffers", ctypes.c_int), ("lost_abuffers", ctypes.c_int),
                    ("sent_packets", ctypes.c_int), ("sent_bytes", ctypes.c_int),
                    ("send_bitrate", ctypes.c_float)]

    vp = ctypes.c_void_p
    vlc.libvlc_new.restype = vp
    vlc.libvlc_new.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    vlc.libvlc_media_new_location.restype = vp
    vlc.libvlc_media_new_location.argtypes = [vp, ctypes.c_char_p]
    vlc.libvlc_media_player_new_from_media.restype = vp
    vlc.libvlc_media_player_new_from_media.argtypes = [vp]
    vlc.libvlc_media_player_play.argtypes = [vp]
    vlc.libvlc_media_player_stop.argtypes = [vp]
    vlc.libvlc_media_player_release.argtypes = [vp]
    vlc.libvlc_media_release.argtypes = [vp]
    vlc.libvlc_release.argtypes = [vp]
    vlc.libvlc_media_player_get_state.restype = ctypes.c_int
    vlc.libvlc_media_player_get_state.argtypes = [vp]
    vlc.libvlc_media_player_get_time.restype = ctypes.c_int64
    vlc.libvlc_media_player_get_time.argtypes = [vp]
    vlc.libvlc_media_player_get_length.restype = ctypes.c_int64
    vlc.libvlc_media_player_get_length.argtypes = [vp]
    vlc.libvlc_media_get_stats.restype = ctypes.c_int
    vlc.libvlc_media_get_stats.argtypes = [vp, ctypes.POINTER(Stats)]
    vlc.libvlc_video_get_size.restype = ctypes.c_int
    vlc.libvlc_video_get_size.argtypes = [vp, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint),
                                          ctypes.POINTER(ctypes.c_uint)]
    vlc.libvlc_log_get_context.argtypes = [vp, ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_char_p),
                                           ctypes.POINTER(ctypes.c_uint)]
    libc.vsnprintf.restype = ctypes.c_int
    libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, vp]

    opts = [b"--no-video-title-show", b"--vout=dummy", b"--aout=dummy", b"--no-osd",
            b"--no-spu", b"--no-sub-autodetect-file", b"--stats", b"--network-caching=1000"]
    argv = (ctypes.c_char_p * len(opts))(*opts)
    inst = vlc.libvlc_new(len(opts), argv)
    if not inst:
        print(json.dumps({"state": "error", "fatal": "libvlc_new failed (running as root?)"}))
        return 2

    lock = threading.Lock()
    logs = {3: [], 4: []}  # LIBVLC_WARNING, LIBVLC_ERROR

    LOGCB = ctypes.CFUNCTYPE(None, vp, ctypes.c_int, vp, ctypes.c_char_p, vp)

    def on_log(_data, level, ctx, fmt, va):
        if level < 3:
            return
        buf = ctypes.create_string_buffer(1024)
        libc.vsnprintf(buf, 1024, fmt, va)
        mod = ctypes.c_char_p()
        f = ctypes.c_char_p()
        line = ctypes.c_uint()
        vlc.libvlc_log_get_context(ctx, ctypes.byref(mod), ctypes.byref(f), ctypes.byref(line))
        text = "%s: %s" % ((mod.value or b"?").decode("utf-8", "replace"),
                           buf.value.decode("utf-8", "replace"))
        with lock:
            logs[4 if level >= 4 else 3].append(text)

    cb = LOGCB(on_log)
    vlc.libvlc_log_set.argtypes = [vp, LOGCB, vp]
    vlc.libvlc_log_set(inst, cb, None)

    media = vlc.libvlc_media_new_location(inst, url.encode())
    player = vlc.libvlc_media_player_new_from_media(media)
    vlc.libvlc_media_player_play(player)

    # libvlc_state_t: 0 NothingSpecial 1 Opening 2 Buffering 3 Playing 4 Paused
    # 5 Stopped 6 Ended 7 Error
    start = time.monotonic()
    last_move = start
    best = Stats()
    st = Stats()
    last_t = -1
    t = 0
    length = 0
    sizes = []
    verdict = "timeout"
    while time.monotonic() - start < timeout_s:
        time.sleep(0.2)
        if vlc.libvlc_media_get_stats(media, ctypes.byref(st)):
            for name, _ in Stats._fields_:
                if getattr(st, name) > getattr(best, name):
                    setattr(best, name, getattr(st, name))
        w, h = ctypes.c_uint(), ctypes.c_uint()
        if vlc.libvlc_video_get_size(player, 0, ctypes.byref(w), ctypes.byref(h)) == 0 and w.value:
            s = "%dx%d" % (w.value, h.value)
            if not sizes or sizes[-1] != s:
                sizes.append(s)
        state = vlc.libvlc_media_player_get_state(player)
        now_t = vlc.libvlc_media_player_get_time(player)
        if now_t > t:
            t = now_t
        length = max(length, vlc.libvlc_media_player_get_length(player))
        if state == 6:
            verdict = "ended"
            break
        if state == 7:
            verdict = "error"
            break
        if state == 5:
            verdict = "stopped"
            break
        if now_t != last_t:
            last_t = now_t
            last_move = time.monotonic()
        elif time.monotonic() - last_move > stall_s:
            verdict = "stalled"
            break
    # a last look at the counters once it has stopped
    if vlc.libvlc_media_get_stats(media, ctypes.byref(st)):
        for name, _ in Stats._fields_:
            if getattr(st, name) > getattr(best, name):
                setattr(best, name, getattr(st, name))
    wall = time.monotonic() - start
    vlc.libvlc_media_player_stop(player)
    vlc.libvlc_log_unset(inst)
    with lock:
        warnings = list(logs[3])
        errors = list(logs[4])
    out = {"state": verdict, "time_s": round(t / 1000.0, 3), "length_s": round(length / 1000.0, 3),
           "wall_s": round(wall, 1), "sizes": sizes}
    for name in ("decoded_video", "decoded_audio", "displayed_pictures", "lost_pictures",
                 "demux_corrupted", "demux_discontinuity", "lost_abuffers"):
        out[name] = getattr(best, name)
    out["warnings"] = warnings
    out["errors"] = errors
    print(json.dumps(out), flush=True)
    vlc.libvlc_media_player_release(player)
    vlc.libvlc_media_release(media)
    return 0


if __name__ == "__main__":
    sys.exit(main())
