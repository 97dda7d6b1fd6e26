#!/usr/bin/env bash
# Regenerates the small, committed test fixtures in fixtures/ from the ffmpeg
# CLI's lavfi test sources (testsrc2 / testsrc / smptebars / mandelbrot + sine).
#
#   tools/make-fixtures.sh            # (re)writes fixtures/ in the repo root
#   tools/make-fixtures.sh OUTDIR     # writes them somewhere else instead
#
# Settings are deterministic: bit-exact muxers/encoders, no metadata, libx264
# pinned to one thread with fixed GOPs (no scene-cut keyframes). Running it
# twice with the same ffmpeg/x264 build gives byte-identical files.
# See fixtures/README.md for what each file is for.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$root/fixtures}"

for tool in ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "make-fixtures: '$tool' not found (run tools/setup.sh)" >&2
    exit 1
  }
done

DUR=6
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Common flags: quiet, overwrite, deterministic, no metadata/chapters.
FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
DET=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 -map_chapters -1)

# H.264 video: libx264 veryfast, crf 32, one thread (thread count changes the
# bitstream), fixed GOP of $1 frames with no scene-cut keyframes.
x264() {
  local gop="$1"
  echo -c:v libx264 -preset veryfast -crf 32 -pix_fmt yuv420p -profile:v high \
    -threads 1 -x264-params "keyint=${gop}:min-keyint=${gop}:scenecut=0"
}

# AAC audio (ffmpeg's native encoder).
AAC=(-c:a aac -b:a 64k)

# Audio sources. Each channel carries its own tone so channel mix-ups are
# detectable: stereo = 440 Hz left / 660 Hz right.
stereo48k="sine=frequency=440:sample_rate=48000:duration=${DUR}[l];sine=frequency=660:sample_rate=48000:duration=${DUR}[r];[l][r]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR"

# encode NAME VIDEO_LAVFI GOP [AUDIO_FILTERGRAPH]
# Writes $tmp/NAME (audio optional).
encode() {
  local name="$1" video="$2" gop="$3" audio="${4:-}"
  local args=(-f lavfi -i "$video")
  if [[ -n "$audio" ]]; then
    args+=(-filter_complex "$audio[aout]" -map 0:v:0 -map "[aout]")
    # shellcheck disable=SC2207
    args+=($(x264 "$gop") "${AAC[@]}")
  else
    # shellcheck disable=SC2207
    args+=(-map 0:v:0 $(x264 "$gop") -an)
  fi
  "${FF[@]}" "${args[@]}" -t "$DUR" "${DET[@]}" "$tmp/$name"
}

mkdir -p "$tmp/bad"

# 640x360 @ 30 fps, stereo 48 kHz, GOP 30 (1 s; aligned to 2 s segments).
# mp4 muxer defaults are kept on purpose: moov is written at the END of the
# file, which bad/truncated.mp4 relies on.
encode cfr30-640x360.mp4 "testsrc2=size=640x360:rate=30" 30 "$stereo48k"

# Same content remuxed (no re-encode) to MPEG-TS.
"${FF[@]}" -i "$tmp/cfr30-640x360.mp4" -map 0 -c copy "${DET[@]}" "$tmp/cfr30-640x360.ts"

# 640x360 @ 30000/1001 fps, stereo 48 kHz, GOP 45 (~1.5 s, NOT 2 s aligned).
encode ntsc2997-640x360.mp4 "smptebars=size=640x360:rate=30000/1001" 45 "$stereo48k"

# 1000x562 @ 25 fps, stereo 48 kHz, GOP 45 (1.8 s, NOT 2 s aligned).
# Scaling it to ladder heights gives odd widths before rounding.
encode odd-1000x562.mp4 "mandelbrot=size=1000x562:rate=25" 45 "$stereo48k"

# 480x270 @ 30 fps, video only, GOP 30.
encode noaudio-480x270.mp4 "testsrc2=size=480x270:rate=30" 30

# 640x360 @ 30 fps, MONO 44.1 kHz, GOP 45 (1.5 s, NOT 2 s aligned).
encode mono44k-640x360.mp4 "testsrc=size=640x360:rate=30" 45 \
  "sine=frequency=440:sample_rate=44100:duration=${DUR},aformat=channel_layouts=mono"

# 640x360 @ 30 fps, 5.1 (FL FR FC LFE BL BR) 44.1 kHz, GOP 30.
# Tones: FL 440, FR 660, FC 550, LFE 60, BL 330, BR 880 Hz.
surround=""
i=0
for f in 440 660 550 60 330 880; do
  surround+="sine=frequency=${f}:sample_rate=44100:duration=${DUR}[s$i];"
  i=$((i + 1))
done
surround+="[s0][s1][s2][s3][s4][s5]join=inputs=6:channel_layout=5.1:map=0.0-FL|1.0-FR|2.0-FC|3.0-LFE|4.0-BL|5.0-BR"
encode surround51-640x360.mp4 "smptebars=size=640x360:rate=30" 30 "$surround"

# Pass-through sources (docs/passthrough.md), MPEG-TS (Annex B, SPS in band), 320x180 @ 30 fps, stereo:
# GOP 60 (2 s, on the 2 s segment grid), 8 s; and GOP 300 (10 s keyframes, too far apart to copy), 12 s.
passthrough_ts() {
  local name="$1" gop="$2" dur="$3"
  # shellcheck disable=SC2046
  "${FF[@]}" -f lavfi -i "testsrc2=size=320x180:rate=30" \
    -filter_complex "sine=frequency=440:sample_rate=48000:duration=${dur}[l];sine=frequency=660:sample_rate=48000:duration=${dur}[r];[l][r]join=inputs=2:channel_layout=stereo:map=0.0-FL|1.0-FR[aout]" \
    -map 0:v:0 -map "[aout]" $(x264 "$gop") "${AAC[@]}" -t "$dur" "${DET[@]}" "$tmp/$name"
}
passthrough_ts gop2s-320x180.ts 60 8
passthrough_ts gop10s-320x180.ts 300 12

# ---- bad inputs -------------------------------------------------------------
# First 20 KB of cfr30: mdat comes first and moov is at the end, so this
# cannot be opened ("moov atom not found").
head -c 20480 "$tmp/cfr30-640x360.mp4" >"$tmp/bad/truncated.mp4"

cat >"$tmp/bad/not-media.txt" <<'EOF'
This is not a media file.
LiveLadder must reject it with a clear error instead of crashing.
It is plain UTF-8 text and contains no audio or video streams.
EOF

# 3 s AAC stereo sine, no video stream.
"${FF[@]}" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=3" \
  -ac 2 "${AAC[@]}" -t 3 "${DET[@]}" "$tmp/bad/audio-only.m4a"

# 1 s of video in a codec FFmpeg can encode but not decode (a64multi, the Commodore 64 format), in NUT:
# the "unsupported codec" error path.
"${FF[@]}" -f lavfi -i "testsrc=size=320x200:rate=25:duration=1" -pix_fmt gray -c:v a64multi \
  "${DET[@]}" -f nut "$tmp/bad/undecodable-video.nut"

# An AAC stream whose configuration gives 31 channels, which libswresample refuses (swr_init): every audio
# frame is skipped, the run carries on with silence. Made by the fuzz harness (case inputs-1-529 of seed 1,
# byte-exact from its bit-exact seeds).
python3 "$(dirname "$0")/fuzz/fuzz.py" --case inputs-1-529 --generate-only --out "$tmp/fuzz" >/dev/null
cp "$tmp/fuzz/cases/inputs-1-529/input.mp4" "$tmp/bad/audio-31-channels.mp4"

# ---- sanity checks ----------------------------------------------------------
if ffprobe -v quiet "$tmp/bad/truncated.mp4" 2>/dev/null; then
  echo "make-fixtures: bad/truncated.mp4 is unexpectedly openable (moov at the front?)" >&2
  exit 1
fi
for f in cfr30-640x360.mp4 cfr30-640x360.ts ntsc2997-640x360.mp4 odd-1000x562.mp4 \
  noaudio-480x270.mp4 mono44k-640x360.mp4 surround51-640x360.mp4 gop2s-320x180.ts gop10s-320x180.ts bad/audio-only.m4a; do
  ffprobe -v error "$tmp/$f" >/dev/null || {
    echo "make-fixtures: $f does not probe cleanly" >&2
    exit 1
  }
done

total=$(du -cb "$tmp"/*.mp4 "$tmp"/*.ts "$tmp"/bad/* | tail -n1 | cut -f1)
if ((total > 3 * 1024 * 1024)); then
  echo "make-fixtures: fixtures total ${total} bytes, over the 3 MB budget" >&2
  exit 1
fi

# ---- install ----------------------------------------------------------------
mkdir -p "$out/bad"
for f in cfr30-640x360.mp4 cfr30-640x360.ts ntsc2997-640x360.mp4 odd-1000x562.mp4 \
  noaudio-480x270.mp4 mono44k-640x360.mp4 surround51-640x360.mp4 gop2s-320x180.ts gop10s-320x180.ts \
  bad/truncated.mp4 bad/not-media.txt bad/audio-only.m4a bad/undecodable-video.nut; do
  cp "$tmp/$f" "$out/$f"
done
echo "make-fixtures: wrote fixtures to $out (${total} bytes total)"
