"""Ladder-config mutators: a few valid configs as trees, mutated as trees or as text, emitted as YAML.

mutate(rng) -> (bytes, [descriptions]). Deterministic for a given rng.
"""

from __future__ import annotations

import copy
import random

# The README's example config, verbatim (comments included).
README_EXAMPLE = """\
segmentDuration: 2          # seconds (0.5 … 30)
segmentFormat: ts           # ts | fmp4
allowUpscale: false
renditions:
  - name: 720p              # output folder; [A-Za-z0-9_-]+ only
    width: 1280             # optional when height is given (keep aspect, round to even)
    height: 720
    videoBitrate: 3000k     # k/M suffixes or plain bit/s
    maxBitrate: 3300k       # optional, default 1.1 x videoBitrate
    preset: veryfast        # x264 preset, optional
    profile: high           # baseline | main | high
    tune: zerolatency       # optional x264 tune
audio:
  bitrate: 128k
  sampleRate: 48000         # 44100 | 48000
  channels: stereo          # mono | stereo | keep (source layout, up to 5.1)
"""

# Trees of valid configs that really encode the tiny 160x90 fuzz seed (small sizes, fast presets).
BASES = [
    {  # the README example's shape, scaled to the tiny seed
        "segmentDuration": 2, "segmentFormat": "ts", "allowUpscale": False,
        "renditions": [{"name": "90p", "width": 160, "height": 90, "videoBitrate": "300k", "maxBitrate": "330k",
                        "preset": "veryfast", "profile": "high", "tune": "zerolatency"}],
        "audio": {"bitrate": "128k", "sampleRate": 48000, "channels": "stereo"},
    },
    {  # two rungs, fMP4, height only, mono 44.1k
        "segmentDuration": 1, "segmentFormat": "fmp4",
        "renditions": [{"name": "90p", "height": 90, "videoBitrate": "200k", "profile": "main"},
                       {"name": "small_1", "height": 54, "videoBitrate": "100k", "preset": "ultrafast",
                        "profile": "baseline"}],
        "audio": {"bitrate": "64k", "sampleRate": 44100, "channels": "mono"},
    },
    {  # width only, upscale allowed, plain bit/s numbers, keep channels
        "segmentDuration": 0.5, "allowUpscale": True,
        "renditions": [{"name": "w192", "width": 192, "videoBitrate": 250000, "maxBitrate": 400000}],
        "audio": {"bitrate": 96000, "channels": "keep"},
    },
    {  # audio only given; the standard ladder
        "audio": {"bitrate": "48k"},
    },
    {  # the minimum
        "renditions": [{"name": "a", "height": 90, "videoBitrate": "1M"}],
    },
    {  # a pass-through top rung (docs/passthrough.md) over an encoded one; mutations set it false or garbage
        "segmentDuration": 2,
        "renditions": [{"name": "copy", "passthrough": True, "videoBitrate": "300k"},
                       {"name": "54p", "height": 54, "videoBitrate": "100k", "preset": "ultrafast", "passthrough": False}],
    },
    {  # epoch lock (docs/redundancy.md): a file input is refused (exit 3, one line); mutations break the epoch
        "segmentDuration": 2, "epochLock": True, "epoch": "2026-01-01T00:00:00Z",
        "renditions": [{"name": "90p", "height": 90, "videoBitrate": "200k", "preset": "ultrafast"}],
    },
]

KEYS = ["segmentDuration", "segmentFormat", "partDuration", "allowUpscale", "renditions", "audio", "name", "width", "height",
        "videoBitrate", "maxBitrate", "preset", "profile", "tune", "bitrate", "sampleRate", "channels", "passthrough",
        "epochLock", "epoch"]

NUMBERS = ["9.3e15", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
           "18446744073709551616", "1e309", "-1e309", "4.9e-324", "-1", "-0.0", "0", "0.0", "1e-9",
           ".nan", ".NaN", "nan", "NaN", ".inf", "-.inf", "+.inf", "inf", "Infinity", "0x7fffffff", "0o777",
           "1_000_000", "2147483648", "4294967296", "65536", "8193", "8192", "1", "3", "0.49999999999999994",
           "30.000000000000004", "1e3", "99999999999999999999999999999999", "-2147483649"]
BITRATES = ["3 Mbps", "1e3k", "-5k", "9999999999999999M", "0x10k", "k", "M", "", "1.5M", "NaNk", "infM",
            "0k", "99999999999999999999k", "9223372036854775807k", "18446744073709551615", "3000K", "3m",
            "1kk", "+5k", " 5k", "5k ", "5\u00a0k", "٣٠٠٠k", "５０００k", "1.7976931348623157e308M",
            "4.9e-324M", "0.0000001M", "1e-400k", "-0k", "nan", ".inf"]
STRINGS = ["", " ", "ts ", "TS", "fmp4\0", "mp4", "hls", "../../etc", "a/b", "con", "audio", "AUDIO",
           "720p\n", "名前", "\u202eevil", "e\u0301", "\U0001F4A9" * 10, "x" * 300, "\t", "~", "null", "true",
           "yes", "no", "on", "off", "0", "!!binary aGVsbG8=", "\\", "\"", "'", "#", "-", "?", ":", "*", "&",
           "%", "@", "`"]


def long_string(rng: random.Random) -> str:
    return rng.choice(["A", "é", "\U0001F600", "ab\\n", "-"]) * rng.choice([1000, 70_000, 1_000_000])


def scalar_text(value) -> str:
    """A Python scalar as YAML text (strings are quoted when they need it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, RawYAML):
        return value.text
    s = str(value)
    plain_ok = s and s.strip() == s and all(c.isalnum() or c in "._-" for c in s) and not s[0] in "-."
    if plain_ok:
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\0", "\\0") \
        .replace("\t", "\\t") + '"'


class RawYAML:
    """A value emitted verbatim (a flow collection, an alias, a number spelled oddly, ...)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return f"RawYAML({self.text!r})"


def emit(node, indent=0) -> str:
    pad = " " * indent
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            key_text = key.text if isinstance(key, RawYAML) else scalar_text(key)
            if isinstance(value, dict) and value:
                out.append(f"{pad}{key_text}:\n{emit(value, indent + 2)}")
            elif isinstance(value, list) and value:
                out.append(f"{pad}{key_text}:\n{emit(value, indent + 2)}")
            elif isinstance(value, dict):
                out.append(f"{pad}{key_text}: {{}}\n")
            elif isinstance(value, list):
                out.append(f"{pad}{key_text}: []\n")
            else:
                out.append(f"{pad}{key_text}: {scalar_text(value)}\n")
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and item:
                body = emit(item, indent + 2)
                out.append(f"{pad}- {body.lstrip()}")
            elif isinstance(item, list) and item:
                out.append(f"{pad}-\n{emit(item, indent + 2)}")
            else:
                out.append(f"{pad}- {scalar_text(item) if not isinstance(item, (dict, list)) else ('{}' if isinstance(item, dict) else '[]')}\n")
    else:
        out.append(f"{pad}{scalar_text(node)}\n")
    return "".join(out)


def _paths(node, prefix=()):
    """Every (path, value) in the tree, collections included."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


def _get_parent(tree, path):
    node = tree
    for part in path[:-1]:
        node = node[part]
    return node


def random_value(rng: random.Random, depth=0):
    kind = rng.choice(["number", "number", "bitrate", "string", "long", "bool", "null", "list", "map",
                       "nested", "raw"])
    if kind == "number":
        return RawYAML(rng.choice(NUMBERS))
    if kind == "bitrate":
        return rng.choice(BITRATES)
    if kind == "string":
        return rng.choice(STRINGS)
    if kind == "long":
        return long_string(rng)
    if kind == "bool":
        return rng.choice([True, False, RawYAML("yes"), RawYAML("off"), RawYAML("TRUE")])
    if kind == "null":
        return rng.choice([None, RawYAML("~"), RawYAML("")])
    if kind == "list":
        return RawYAML(rng.choice(["[]", "[1, 2]", "[[]]", "[{}]", "[a, [b, [c]]]"]))
    if kind == "map":
        return RawYAML(rng.choice(["{}", "{a: 1}", "{name: x, height: 90}", "{? [a]: b}"]))
    if kind == "nested":
        return RawYAML(deep_flow(rng))
    return RawYAML(rng.choice(["!!str 5", "!!int 3000k", "!!float .nan", "!!binary aGk=", "!custom x",
                               "!!map {}", "!!seq []", "!!null ''", "&x 5", "'2'", "\"\\u0000\"",
                               "\"\\uD800\"", "|\n    multi\n    line", ">-\n    folded"]))


def deep_flow(rng: random.Random) -> str:
    depth = rng.choice([64, 512, 5000, 50_000, 200_000])
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return "{a: " * depth + "1" + "}" * depth


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def alias_config(rng: random.Random) -> tuple[str, str]:
    """Configs built around anchors and aliases."""
    which = rng.choice(["bomb_value", "bomb_key", "bomb_key_nested", "bomb_renditions", "alias_key",
                        "reuse", "undefined", "self", "merge"])
    if which == "bomb_value":
        key = rng.choice(["segmentDuration", "renditions", "audio", "allowUpscale"])
        return BILLION_LAUGHS + f"{key}: *i\n", f"billion laughs under {key}"
    if which == "bomb_key":
        # The expanded alias used as a mapping key: hashing/comparing keys walks the whole tree.
        return BILLION_LAUGHS + "? *i\n: 1\n" + "? *h\n: 2\n", "billion laughs as mapping keys"
    if which == "bomb_key_nested":
        return BILLION_LAUGHS + "audio:\n  ? *i\n  : 1\n", "billion laughs as a key under audio"
    if which == "bomb_renditions":
        return (BILLION_LAUGHS.replace('"lol"', '{name: a, height: 90, videoBitrate: 1M}')
                .replace("a: &a", "x: &a") + "renditions: *i\n", "billion laughs of renditions")
    if which == "alias_key":
        return ("k: &k segmentDuration\n*k : 2\nrenditions:\n  - &r {name: a, height: 90, videoBitrate: 1M}\n"
                "audio: {*k : 3}\n", "alias used as a mapping key")
    if which == "reuse":
        return ("renditions:\n  - &r {name: a, height: 90, videoBitrate: 1M}\n  - *r\n  - *r\n",
                "the same rendition aliased three times")
    if which == "undefined":
        return "segmentDuration: *nothing\n", "undefined alias"
    if which == "self":
        return "renditions: &r [*r]\n", "alias inside its own anchor"
    return ("base: &base {videoBitrate: 1M, height: 90}\nrenditions:\n  - <<: *base\n    name: a\n",
            "merge key")


def tree_mutation(tree, rng: random.Random) -> str:
    paths = [p for p, _ in _paths(tree) if p]
    if not paths:
        tree["x"] = 1
        return "add key to empty tree"
    path = rng.choice(paths)
    parent = _get_parent(tree, path)
    last = path[-1]
    where = ".".join(str(p) for p in path)
    op = rng.choice(["delete", "replace", "replace", "replace", "rename", "add_unknown", "dup_list",
                     "swap_type", "empty_collection"])
    if op == "delete":
        del parent[last]
        return f"delete {where}"
    if op == "replace":
        parent[last] = random_value(rng)
        return f"replace {where} with {str(parent[last])[:60]!r}"
    if op == "rename" and isinstance(parent, dict):
        value = parent.pop(last)
        new = rng.choice([str(last).lower(), str(last).upper(), str(last) + " ", "_" + str(last),
                          str(last)[:-1], rng.choice(KEYS), "ségmentDuration", "renditions\u200b"])
        parent[new] = value
        return f"rename {where} to {new!r}"
    if op == "add_unknown" and isinstance(parent, dict):
        parent[rng.choice(KEYS + ["unknown", "Renditions", "", "<<", "!!", "?"])] = random_value(rng)
        return f"add key next to {where}"
    if op == "dup_list" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
        return f"duplicate list item {where}"
    if op == "swap_type":
        value = parent[last]
        parent[last] = [value] if not isinstance(value, list) else {"x": value}
        return f"wrap {where} in a collection"
    parent[last] = rng.choice([[], {}, RawYAML("[]"), RawYAML("{}")])
    return f"empty collection at {where}"


def text_mutation(text: str, rng: random.Random) -> tuple[bytes, str]:
    lines = text.split("\n")
    op = rng.choice(["dup_line", "del_line", "dup_key_line", "swap_lines", "indent", "tabs", "crlf",
                     "bom", "truncate", "binary", "nul", "invalid_utf8", "second_document", "comment_out",
                     "long_line", "insert_char"])
    i = rng.randrange(len(lines)) if lines else 0
    if op == "dup_line" and lines:
        lines.insert(i, lines[i])
    elif op == "del_line" and lines:
        del lines[i]
    elif op == "dup_key_line":
        # Same key twice at the top level: the duplicate-key error path.
        keyed = [l for l in lines if l and not l.startswith(" ") and ":" in l]
        if keyed:
            lines.append(rng.choice(keyed))
    elif op == "swap_lines" and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent" and lines:
        lines[i] = " " * rng.choice([1, 3, 7]) + lines[i]
    elif op == "tabs":
        lines = [l.replace("  ", "\t") for l in lines]
    elif op == "comment_out" and lines:
        lines[i] = "# " + lines[i]
    elif op == "long_line":
        lines.insert(i, "# " + "x" * rng.choice([10_000, 1_000_000]))
    elif op == "second_document":
        lines += ["---", "segmentDuration: 4"] if rng.random() < 0.5 else ["...", "---", ""]
    elif op == "insert_char" and lines:
        line = lines[i]
        at = rng.randrange(len(line) + 1)
        lines[i] = line[:at] + rng.choice(list(":-?[]{}&*!|>'\"%@`,#") + ["\u0085", "\u2028", "\ufeff"]) + line[at:]
    joined = "\n".join(lines)
    data = joined.encode("utf-8")
    if op == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif op == "bom":
        data = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + data
    elif op == "truncate" and data:
        data = data[:rng.randrange(len(data))]
    elif op == "binary":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 8, 64]))) + data[at:]
    elif op == "nul":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\0" + data[at:]
    elif op == "invalid_utf8":
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice([b"\xc3", b"\xff", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]) + data[at:]
    return data, f"text {op}"


SPECIAL_TEXTS = [
    (b"", "empty file"),
    (b"\n\n", "blank lines"),
    (b"# only a comment\n", "only a comment"),
    (b"---\n", "document marker only"),
    (b"~\n", "null document"),
    (b"[]\n", "a list at the top"),
    (b"42\n", "a number at the top"),
    (b"'just a string'\n", "a string at the top"),
    (b"{", "unclosed flow mapping"),
    (b"\xff\xfe\x00\x00", "UTF-32 BOM"),
    (b"renditions:\n" + b"  - {name: r, height: 90, videoBitrate: 1M}\n" * 3, "three renditions with one name"),
    (b"renditions:\n" + b"".join(b"  - {name: r%d, height: 90, videoBitrate: 1M}\n" % i for i in range(200)),
     "200 renditions"),
]


def mutate(rng: random.Random) -> tuple[bytes, list[str]]:
    roll = rng.random()
    if roll < 0.05:
        data, note = rng.choice(SPECIAL_TEXTS)
        return data, [note]
    if roll < 0.15:
        text, note = alias_config(rng)
        return text.encode(), [note]
    if roll < 0.22:
        base = README_EXAMPLE
        notes = ["README example"]
        data, note = text_mutation(base, rng)
        return data, notes + [note]
    index = rng.randrange(len(BASES))
    tree = copy.deepcopy(BASES[index])
    notes = [f"base {index}"]
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        notes.append(tree_mutation(tree, rng))
    text = emit(tree)
    if rng.random() < 0.25:
        data, note = text_mutation(text, rng)
        notes.append(note)
    else:
        data = text.encode("utf-8")
    return data, notes
