"""Tiny fuzz seeds made with the ffmpeg CLI, and real LiveLadder outputs to mutate for `check`.

Everything is cached under <out>/seeds/. The media seeds are bit-exact (same ffmpeg/x264 build, same
bytes), so a case id reproduces the same mutated file on any machine with that build; seeds.json records
their SHA-256 so a report can tell whether two runs started from the same seeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess

FF = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
DET = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1",
       "-map_chapters", "-1"]


def _x264(gop: int):
    return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "32", "-pix_fmt", "yuv420p", "-threads", "1",
            "-x264-params", f"keyint={gop}:min-keyint={gop}:scenecut=0"]


def _av(size: str, seconds: float, rate: int, channels: int, gop: int, src="testsrc2"):
    return (["-f", "lavfi", "-i", f"{src}=size={size}:rate=30",
             "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={rate}",
             "-t", str(seconds), "-map", "0:v", "-map", "1:a"] + _x264(gop)
            + ["-c:a", "aac", "-b:a", "32k", "-ac", str(channels)])


# name -> (container family for the targeted mutators, ffmpeg arguments after the common ones)
MEDIA_SEEDS = {
    # 160x90, 2 s, stereo 48 kHz; mp4 muxer defaults (moov at the end).
    "tiny-160x90.mp4": ("mp4", _av("160x90", 2, 48000, 2, 15) + DET),
    # 320x180, 1 s, mono 44.1 kHz, moov first.
    "tiny-320x180-faststart.mp4": ("mp4", _av("320x180", 1, 44100, 1, 15, "testsrc") + ["-movflags", "+faststart"] + DET),
    # fragmented MP4 (moof/traf/tfdt/trun) input.
    "tiny-160x90-frag.mp4": ("mp4", _av("160x90", 1, 48000, 2, 15, "smptebars")
                             + ["-movflags", "+frag_keyframe+empty_moov+default_base_moof"] + DET),
    # MPEG-TS, 160x90, 2 s.
    "tiny-160x90.ts": ("ts", _av("160x90", 2, 48000, 2, 15) + DET),
    # FLV (what an RTMP encoder sends), 160x90, 2 s.
    "tiny-160x90.flv": ("flv", _av("160x90", 2, 44100, 2, 15) + DET),
}
# Which seeds the input cases draw from, and how often.
SEED_WEIGHTS = {"tiny-160x90.mp4": 3, "tiny-320x180-faststart.mp4": 2, "tiny-160x90-frag.mp4": 1.5,
                "tiny-160x90.ts": 3, "tiny-160x90.flv": 2.5}
# The clean input for config cases (and the playlist bases).
CONFIG_INPUT = "tiny-160x90.mp4"

# Two rungs so the master playlist has two variants; 1 s segments so each media playlist has two.
BASE_CONFIG = """\
segmentDuration: 1
renditions:
  - name: 90p
    width: 160
    height: 90
    videoBitrate: 150k
  - name: 54p
    height: 54
    videoBitrate: 80k
"""


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_sha256(folder: str) -> str:
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            h.update(os.path.relpath(path, folder).encode() + b"\0")
            if os.path.islink(path):
                h.update(b"-> " + os.readlink(path).encode())
            elif os.path.isfile(path):
                h.update(sha256(path).encode())
    return h.hexdigest()


def media_seeds(out: str, log=print) -> dict:
    """Makes (or reuses) the media seeds; returns {name: path}."""
    folder = os.path.join(out, "seeds")
    os.makedirs(folder, exist_ok=True)
    paths = {}
    for name, (_, args) in MEDIA_SEEDS.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            log(f"fuzz: making seed {name}")
            tmp = path + ".part"
            subprocess.run(FF + args + ["-f", _format(name), tmp], check=True)
            os.replace(tmp, path)
        paths[name] = path
    _record(folder, paths)
    return paths


def _format(name: str) -> str:
    return {"mp4": "mp4", "ts": "mpegts", "flv": "flv"}[name.rsplit(".", 1)[1]]


def playlist_bases(out: str, binary: str, input_path: str, log=print, timeout=120) -> dict:
    """Real LiveLadder outputs (TS and fMP4) of the tiny seed, made once by the binary under test.

    They are cached: later runs (and other binaries) mutate the same bytes, which keeps case ids
    reproducible. Delete <out>/seeds/hls-* to remake them."""
    folder = os.path.join(out, "seeds")
    config = os.path.join(folder, "base-ladder.yaml")
    with open(config, "w") as f:
        f.write(BASE_CONFIG)
    bases = {}
    for fmt in ("ts", "fmp4"):
        path = os.path.join(folder, f"hls-{fmt}")
        if not os.path.exists(os.path.join(path, "master.m3u8")):
            log(f"fuzz: making the {fmt} playlist base with {binary}")
            shutil.rmtree(path, ignore_errors=True)
            subprocess.run([binary, "run", "--input", input_path, "--output", path, "--config", config,
                            "--segment-format", fmt], check=True, timeout=timeout,
                           stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            checked = subprocess.run([binary, "check", path], capture_output=True, text=True, timeout=timeout)
            if checked.returncode != 0:
                log(f"fuzz: warning: the {fmt} base does not pass check: {checked.stdout.strip()[:300]}")
        bases[fmt] = path
    _record(folder, {name: p for name, p in bases.items()}, key="bases")
    return bases


def _record(folder: str, paths: dict, key="media") -> None:
    manifest_path = os.path.join(folder, "seeds.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    entry = manifest.setdefault(key, {})
    for name, path in paths.items():
        entry[name] = tree_sha256(path) if os.path.isdir(path) else sha256(path)
    version = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    manifest["ffmpeg"] = version
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)


def suite_bases(out: str, binary: str, input_path: str, texts: dict, log=print, timeout=300) -> dict:
    """The regress kind's base suites (suites.BASES) with their real goldens, made ONCE by the binary under
    test (`regress suite.yaml --update`) and cached: <out>/seeds/suite-<name>/{suite.yaml,input.mp4,golden/}.
    Delete <out>/seeds/suite-* to remake them. Returns {name: folder}."""
    folders = {}
    for name, text in sorted(texts.items()):
        folder = os.path.join(out, "seeds", f"suite-{name}")
        suite = os.path.join(folder, "suite.yaml")
        done = os.path.join(folder, "golden", ".made")
        if not os.path.exists(done):
            log(f"fuzz: making the goldens of base suite {name} with {binary}")
            shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(folder)
            shutil.copyfile(input_path, os.path.join(folder, "input.mp4"))
            with open(suite, "w") as f:
                f.write(text)
            made = subprocess.run([binary, "regress", suite, "--update"], capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, cwd=folder,
                                  env=dict(os.environ, TMPDIR=folder))
            if made.returncode != 0:
                raise RuntimeError(f"regress --update of base suite {name} exited {made.returncode}: "
                                   f"{(made.stdout + made.stderr).strip()[-600:]}")
            checked = subprocess.run([binary, "regress", suite], capture_output=True, text=True, timeout=timeout,
                                     stdin=subprocess.DEVNULL, env=dict(os.environ, TMPDIR=folder))
            if checked.returncode != 0:
                log(f"fuzz: warning: base suite {name} does not pass against its own goldens: "
                    f"{checked.stdout.strip()[-300:]}")
            open(done, "w").close()
        folders[name] = folder
    _record(os.path.join(out, "seeds"), {f"suite-{n}": p for n, p in folders.items()}, key="suites")
    return folders
