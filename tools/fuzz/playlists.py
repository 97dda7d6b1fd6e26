"""Output-folder mutators for `liveladder check`: a real LiveLadder output copied and then broken.

mutate_dir(folder, rng) mutates the folder in place and returns [descriptions] and the check arguments.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import stat

import media

EXTREMES = ["9.3e15", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-1", "-0",
            "4.9e-324", "1e309", "nan", "NaN", "inf", "-inf", "0", "0.0", "18446744073709551615",
            "99999999999999999999999999999", "1e-7", "0x10", "1,5", "", " ", "1e3", "2147483648",
            "4294967296", "00000000000000000000000000001", "1." , ".5", "+3", "٣"]

BAD_URIS = ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "..%2f..%2f..%2f..%2fetc%2fpasswd", "/dev/stdin", "/dev/tty", "/dev/null", "/etc/shadow",
            "../../../../../../../../etc/passwd", "....//....//etc/passwd", "segment-0.ts/../../../etc/passwd",
            "/proc/self/environ", "/proc/self/cmdline", "data:text/plain;base64,aGVsbG8=",
            "http://127.0.0.1:9/x.ts", "tcp://127.0.0.1:9", "pipe:0", "concat:/etc/passwd|/etc/passwd",
            "subfile,,start,0,end,0,,:/etc/passwd", "", " ", "index.m3u8", "../master.m3u8", "master.m3u8",
            "a" * 5000, "segment-0.ts?x=1#frag", "SEGMENT-0.TS", "./segment-0.ts", "segment-%d.ts",
            "\u00e9.ts", "nul\0.ts", "C:\\windows\\win.ini", "//etc/passwd"]

TAGS = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-VERSION:99", "#EXT-X-TARGETDURATION:0",
        "#EXT-X-TARGETDURATION:9223372036854775807", "#EXT-X-MEDIA-SEQUENCE:-1",
        "#EXT-X-MEDIA-SEQUENCE:18446744073709551615", "#EXT-X-DISCONTINUITY", "#EXT-X-DISCONTINUITY-SEQUENCE:9e15",
        "#EXT-X-GAP", "#EXT-X-ENDLIST", "#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-PLAYLIST-TYPE:LIVE", "#EXT-X-INDEPENDENT-SEGMENTS", "#EXTINF:nan,", "#EXTINF:-1,",
        "#EXTINF:4.9e-324,", "#EXTINF:9.3e15,", "#EXTINF:", "#EXT-X-BYTERANGE:9223372036854775807@0",
        "#EXT-X-BYTERANGE:10@9223372036854775807", "#EXT-X-BYTERANGE:0", "#EXT-X-MAP:URI=\"/etc/passwd\"",
        "#EXT-X-MAP:URI=\"../../etc/passwd\",BYTERANGE=\"9223372036854775807@0\"", "#EXT-X-MAP:URI=\"init.mp4\"",
        "#EXT-X-PROGRAM-DATE-TIME:9999-99-99T99:99:99.999Z", "#EXT-X-PROGRAM-DATE-TIME:2026-12-01T00:00:00.000Z",
        "#EXT-X-PROGRAM-DATE-TIME:", "#EXT-X-KEY:METHOD=AES-128,URI=\"/etc/passwd\"",
        "#EXT-X-PART-INF:PART-TARGET=nan", "#EXT-X-PART:DURATION=9.3e15,URI=\"../../etc/passwd\"",
        "#EXT-X-PART:DURATION=-1,URI=\"segment-0.ts\",INDEPENDENT=YES", "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"x\"",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=-1", "#EXT-X-SKIP:SKIPPED-SEGMENTS=9223372036854775807",
        "#EXT-X-RENDITION-REPORT:URI=\"/etc/passwd\",LAST-MSN=-1", "#EXT-X-START:TIME-OFFSET=nan",
        "#EXT-X-STREAM-INF:BANDWIDTH=1", "#EXT-X-STREAM-INF:BANDWIDTH=-1,RESOLUTION=0x0,FRAME-RATE=nan",
        "#EXT-X-STREAM-INF:BANDWIDTH=9223372036854775807,AVERAGE-BANDWIDTH=9223372036854775808,CODECS=\"\"",
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"a\",URI=\"/etc/passwd\"",
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"a\",URI=\"../../etc/passwd\",CHANNELS=\"-1\"",
        "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"/etc/passwd\"", "#EXT-X-SESSION-DATA:DATA-ID=\"x\",URI=\"/etc/passwd\"",
        "#EXT-X-DEFINE:NAME=\"x\",VALUE=\"../../etc/passwd\"", "#EXT", "#", "#EXTINF:2.000,\u202e", "#EXTM3U\0"]


def _regular_files(folder, suffixes):
    """Regular files only (never through a symlink: a mutation must not write to /etc/passwd, nor open a FIFO)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.endswith(suffixes) and stat.S_ISREG(os.lstat(path).st_mode):
                found.append(path)
    return found


def playlists_in(folder):
    return _regular_files(folder, (".m3u8",))


def segments_in(folder):
    return _regular_files(folder, (".ts", ".m4s", ".mp4"))


def _read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "surrogateescape")


def _write(path, text):
    with open(path, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))


def _rel(folder, path):
    return os.path.relpath(path, folder)


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
URI_ATTR = re.compile(r'URI="([^"]*)"')
ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def op_number(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    spots = [(i, m) for i, line in enumerate(lines) if line.startswith("#EXT")
             for m in NUMBER.finditer(line) if ":" in line[:m.start()] or "=" in line[:m.start()]]
    if not spots:
        return None
    count = rng.choice([1, 1, 1, 3, 100])
    new = rng.choice(EXTREMES)
    picked = rng.sample(spots, min(count, len(spots)))
    by_line = {}
    for i, m in picked:
        by_line.setdefault(i, []).append(m)
    for i, matches in by_line.items():
        line = lines[i]
        for m in sorted(matches, key=lambda m: -m.start()):  # from the right: offsets stay valid
            line = line[:m.start()] + new + line[m.end():]
        lines[i] = line
    _write(path, "\n".join(lines))
    sample = lines[picked[0][0]][:80]
    return f"{_rel(folder, path)}: {len(picked)} numbers -> {new!r} (e.g. {sample!r})"


def op_tag_remove(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    tags = sorted({l.split(":")[0] for l in lines if l.startswith("#")})
    if not tags:
        return None
    tag = rng.choice(tags)
    if rng.random() < 0.5:
        lines = [l for l in lines if l.split(":")[0] != tag]
        what = "all"
    else:
        where = [i for i, l in enumerate(lines) if l.split(":")[0] == tag]
        del lines[rng.choice(where)]
        what = "one"
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: remove {what} {tag}"


def op_tag_duplicate(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    where = [i for i, l in enumerate(lines) if l.startswith("#")]
    if not where:
        return None
    i = rng.choice(where)
    times = rng.choice([1, 1, 2, 1000])
    at = rng.choice([i, len(lines), rng.randrange(len(lines) + 1)])
    lines[at:at] = [lines[i]] * times
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: duplicate {lines[i][:60]!r} x{times}"


def op_lines(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    what = rng.choice(["swap", "delete", "duplicate", "reverse", "shuffle", "first_line"])
    if len(lines) < 2:
        return None
    if what == "swap":
        a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    elif what == "delete":
        del lines[rng.randrange(len(lines))]
    elif what == "duplicate":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif what == "reverse":
        lines.reverse()
    elif what == "shuffle":
        rng.shuffle(lines)
    else:
        lines[0] = rng.choice(["", "#EXTM3U ", "#extm3u", "\ufeff#EXTM3U", "#EXTM3U\r", "EXTM3U"])
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: lines {what}"


def op_insert_tag(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    tag = rng.choice(TAGS)
    at = rng.randrange(len(lines) + 1)
    lines.insert(at, tag)
    uri = ""
    if rng.random() < 0.3:
        uri = rng.choice(BAD_URIS)
        lines.insert(at + 1, uri)
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: insert {tag[:70]!r}{f' + URI line {uri[:40]!r}' if uri else ''} at line {at}"


def op_uri(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    spots = [("line", i) for i, l in enumerate(lines) if l and not l.startswith("#")]
    spots += [("attr", i) for i, l in enumerate(lines) if URI_ATTR.search(l)]
    if not spots:
        return None
    kind, i = rng.choice(spots)
    uri = rng.choice(BAD_URIS)
    if kind == "line":
        lines[i] = uri
    else:
        lines[i] = URI_ATTR.sub(lambda m: f'URI="{uri}"', lines[i], count=1)
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: URI -> {uri[:60]!r}"


def op_attr(folder, rng):
    path = rng.choice(playlists_in(folder))
    lines = _read(path).split("\n")
    spots = [i for i, l in enumerate(lines) if l.startswith("#EXT") and ATTR.search(l.split(":", 1)[-1])]
    if not spots:
        return None
    i = rng.choice(spots)
    head, _, body = lines[i].partition(":")
    attrs = ATTR.findall(body)
    name, value = rng.choice(attrs)
    what = rng.choice(["value", "value", "remove", "duplicate", "unquote", "garbage"])
    if what == "value":
        new = rng.choice(EXTREMES + ['""', '"avc1.zz"', '"mp4a.40.2,avc1.640028,x"', "0x0", "99999999x99999999",
                                     "-1x-1", '"' + "a" * 10000 + '"', "YES", "NO", "aud"])
        attrs = [(n, new if n == name else v) for n, v in attrs]
    elif what == "remove":
        attrs = [(n, v) for n, v in attrs if n != name]
    elif what == "duplicate":
        attrs = attrs + [(name, rng.choice(["1", '"x"', value]))]
    elif what == "unquote":
        attrs = [(n, v.strip('"') if n == name else v) for n, v in attrs]
    else:
        lines[i] = head + ":" + body + rng.choice([",", ",,", ",=", ",X", '"', "=,=", ",A=\"unterminated"])
        _write(path, "\n".join(lines))
        return f"{_rel(folder, path)}: garbage after attributes of {head}"
    lines[i] = head + ":" + ",".join(f"{n}={v}" for n, v in attrs)
    _write(path, "\n".join(lines))
    return f"{_rel(folder, path)}: {head} {name} {what}"


def op_encoding(folder, rng):
    path = rng.choice(playlists_in(folder))
    with open(path, "rb") as f:
        data = f.read()
    what = rng.choice(["bom", "crlf", "cr", "nul", "invalid_utf8", "long_line", "empty", "delete", "truncate",
                       "huge_lines", "utf16"])
    if what == "bom":
        data = b"\xef\xbb\xbf" + data
    elif what == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif what == "cr":
        data = data.replace(b"\n", b"\r")
    elif what == "nul":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\0" + data[at:]
    elif what == "invalid_utf8":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\xff\xc3(" + data[at:]
    elif what == "long_line":
        data += b"#" + b"X" * rng.choice([100_000, 5_000_000]) + b"\n"
    elif what == "empty":
        data = b""
    elif what == "truncate":
        data = data[:rng.randrange(max(1, len(data)))]
    elif what == "huge_lines":
        data += b"#EXT-X-DISCONTINUITY\n" * 200_000
    elif what == "utf16":
        data = data.decode("utf-8", "replace").encode("utf-16")
    if what == "delete":
        os.remove(path)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return f"{_rel(folder, path)}: encoding {what}"


def op_symlink(folder, rng):
    targets = segments_in(folder) + playlists_in(folder)
    targets += [os.path.dirname(p) for p in playlists_in(folder) if os.path.dirname(p) != folder]
    path = rng.choice(targets)
    link = rng.choice(["/etc/passwd", "/etc", "/", "../../../../etc/passwd", "/dev/null", "/dev/stdin",
                       "/nonexistent", os.path.basename(path), "/proc/self/status", "/dev/zero"])  # basename: a loop
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)
    os.symlink(link, path)
    return f"{_rel(folder, path)}: symlink -> {link}"


def op_special_file(folder, rng):
    path = rng.choice(segments_in(folder) + playlists_in(folder))
    what = rng.choice(["fifo", "directory", "unreadable"])
    os.remove(path)
    if what == "fifo":
        os.mkfifo(path)
    elif what == "directory":
        os.mkdir(path)
    else:
        with open(path, "wb"):
            pass
        os.chmod(path, 0)
    return f"{_rel(folder, path)}: replaced by a {what}"


def op_segment(folder, rng):
    segments = segments_in(folder)
    if not segments:
        return None
    path = rng.choice(segments)
    with open(path, "rb") as f:
        data = f.read()
    container = "ts" if path.endswith(".ts") else "mp4"
    mutated, notes = media.mutate(data, container, rng)
    if rng.random() < 0.1:
        mutated = b""
        notes = ["empty"]
    with open(path, "wb") as f:
        f.write(mutated)
    return f"{_rel(folder, path)}: " + "; ".join(notes)


OPS = [(op_number, 5), (op_tag_remove, 3), (op_tag_duplicate, 2), (op_lines, 2), (op_insert_tag, 3),
       (op_uri, 4), (op_attr, 3), (op_encoding, 2), (op_symlink, 2), (op_special_file, 0.3), (op_segment, 3)]


# Masters with redundant variants (`run --backup-base-url`, rule MV9): the master gets a backup of every
# variant, then sometimes one thing broken. The bases: URLs and paths a backup may name (outside the folder:
# never read) and `b`, a copy inside the folder (read as renditions), and some the checker must refuse (URI1).
BACKUP_SHARE = 0.3
BACKUP_BASES = ["http://127.0.0.1:9/b", "https://b.example/live", "../b", "/live/b", "b", "ftp://127.0.0.1/b",
                "%2e%2e/b", "http://user:pw@127.0.0.1:9/b", "../../../../../../etc", "HTTP://127.0.0.1:9"]
BACKUP_BREAKS = ["none", "none", "bandwidth", "codecs", "no-primary", "same-group", "no-group", "media-name",
                 "interleaved", "extra-attr", "twice"]


def with_backups(folder, rng):
    """master.m3u8 with a backup after all primaries (LiveLadder's layout), then maybe one break."""
    master = os.path.join(folder, "master.m3u8")
    lines = _read(master).splitlines()
    base = rng.choice(BACKUP_BASES)
    if base == "b":
        for name in sorted(os.listdir(folder)):
            source = os.path.join(folder, name)
            if stat.S_ISDIR(os.lstat(source).st_mode) and os.path.exists(os.path.join(source, "index.m3u8")):
                os.makedirs(os.path.join(folder, "b"), exist_ok=True)
                shutil.copytree(source, os.path.join(folder, "b", name), symlinks=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF:"))
    head = lines[:first]
    pairs = [(lines[i], lines[i + 1]) for i in range(first, len(lines) - 1) if lines[i].startswith("#EXT-X-STREAM-INF:")]
    media = [line for line in head if line.startswith("#EXT-X-MEDIA:")]
    copies = [re.sub(r'GROUP-ID="([^"]*)"', r'GROUP-ID="\1-backup"',
                     URI_ATTR.sub(lambda m: f'URI="{base}/{m.group(1)}"', line)) for line in media]
    backups = [(re.sub(r'AUDIO="([^"]*)"', r'AUDIO="\1-backup"', tag), f"{base}/{uri}") for tag, uri in pairs]
    broken = rng.choice(BACKUP_BREAKS)
    pick = rng.randrange(len(backups))
    tag, uri = backups[pick]
    if broken == "bandwidth":
        backups[pick] = (re.sub(r"BANDWIDTH=(\d+)", lambda m: f"BANDWIDTH={int(m.group(1)) + 1}", tag, count=1), uri)
    elif broken == "codecs":
        backups[pick] = (re.sub(r'CODECS="[^"]*"', 'CODECS="avc1.42e00a"', tag), uri)
    elif broken == "no-primary":
        del pairs[pick]
    elif broken == "same-group":
        backups = [(re.sub(r'AUDIO="([^"]*)-backup"', r'AUDIO="\1"', t), u) for t, u in backups]
    elif broken == "no-group":
        copies = []
    elif broken == "media-name" and copies:
        copies[0] = re.sub(r'NAME="[^"]*"', 'NAME="other"', copies[0])
    elif broken == "extra-attr":
        backups[pick] = (tag + ",HDCP-LEVEL=NONE", uri)
    elif broken == "twice":
        backups += backups
    body = [line for pair in (zip(pairs, backups) if broken == "interleaved" else [])
            for two in pair for line in two]
    if not body:
        body = [line for tag, uri in pairs + backups for line in (tag, uri)]
    _write(master, "\n".join(head + copies + body) + "\n")
    return f"master.m3u8: backups at {base} ({broken})"


def mutate_dir(folder: str, rng: random.Random) -> list[str]:
    notes = []
    # Drawn from its own generator, seeded by the case's state (not advancing it): every draw after it,
    # and so every case id made before it existed, stays what it was.
    side = random.Random(repr(rng.getstate()) + ":backups")
    if side.random() < BACKUP_SHARE:
        try:
            notes.append(with_backups(folder, side))
        except (StopIteration, ValueError, OSError):
            pass  # no variant to back up (still deterministic)
    ops = [op for op, _ in OPS]
    weights = [w for _, w in OPS]
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        for _attempt in range(6):
            op = rng.choices(ops, weights)[0]
            try:
                note = op(folder, rng)
            except Exception:  # not applicable to this folder (still deterministic): try another
                note = None
            if note:
                notes.append(note)
                break
    return notes


def check_args(folder: str, rng: random.Random) -> list[str]:
    roll = rng.random()
    target = folder if roll < 0.75 else os.path.join(folder, "master.m3u8")
    args = [target]
    if rng.random() < 0.15:
        args.append("--live")
    return args
