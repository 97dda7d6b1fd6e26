"""Regression-suite mutators for `liveladder regress`: a valid suite and its real goldens, then broken.

The bases are small suites over the harness's tiny clean seed (seeds.CONFIG_INPUT, 160x90, 2 s) with
inline one-rung ladders; their goldens are made once by the binary under test (`regress base.yaml
--update`, seeds.suite_bases) and cached under OUT/seeds/suite-*.

  mutate(rng) -> (plan, [descriptions])     deterministic: which base, the suite's bytes, the golden
                                            operations and the command line, with no file touched
  apply(plan, folder, base_dir) -> notes    writes the case: folder/suite.yaml, input.mp4, golden/…
                                            (the golden operations read the cached base goldens)

A case folder holds everything the suite may name; nothing here writes outside it.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import stat

import configs

# The bases, as trees. `source: input.mp4` is the clean seed copied beside the suite, `goldens: golden`.
RUNG_90P = {"name": "90p", "width": 160, "height": 90, "videoBitrate": "200k", "preset": "ultrafast"}
RUNG_54P = {"name": "54p", "height": 54, "videoBitrate": "100k", "preset": "ultrafast"}
BASES = {
    "one": {
        "goldens": "golden",
        "cases": [
            {"name": "tiny-ts", "source": "input.mp4", "segmentFormat": "ts",
             "options": {"segmentDuration": 1},
             "ladder": {"renditions": [dict(RUNG_90P)], "audio": {"bitrate": "64k"}}},
        ],
    },
    "two": {
        "goldens": "golden",
        "defaults": {
            "segmentFormat": "ts",
            "options": {"segmentDuration": 1, "playlistType": "vod", "listSize": 6},
            "tolerance": {"averageBitrate": "5%", "peakBitrate": "10%", "psnrDrop": 0.3, "ssimDrop": 0.005,
                          "vmafDrop": 1},
            "floors": {"minPSNR": 20, "minSSIM": 0.5},
        },
        "cases": [
            {"name": "tiny-ts", "source": "input.mp4",
             "ladder": {"renditions": [dict(RUNG_90P)], "audio": {"bitrate": "64k"}}},
            {"name": "tiny-fmp4", "source": "input.mp4", "segmentFormat": "fmp4",
             "ladder": {"renditions": [dict(RUNG_90P), dict(RUNG_54P)], "audio": {"bitrate": "64k"}},
             "renditions": {"54p": {"tolerance": {"averageBitrate": "8%"}, "floors": {"minPSNR": 15}},
                            "audio": {"tolerance": {"peakBitrate": "20%"}}}},
        ],
    },
}
BASE_NAMES = sorted(BASES)


def base_text(name: str) -> str:
    return f"# fuzz base suite {name!r}: the tiny seed through one-rung ladders\n" + configs.emit(BASES[name])


SUITE_KEYS = ["goldens", "defaults", "cases", "name", "source", "ladder", "segmentFormat", "options",
              "tolerance", "floors", "renditions", "segmentDuration", "playlistType", "listSize", "averageBitrate",
              "peakBitrate", "psnrDrop", "ssimDrop", "vmafDrop", "minPSNR", "minSSIM", "minVMAF"]
NEAR_MISSES = {"minPSNR": ["minPNSR", "minPsnr", "minPSNR "], "minSSIM": ["minSSMI", "min_ssim"],
               "minVMAF": ["minVAMF"], "averageBitrate": ["averageBitRate", "avgBitrate"],
               "peakBitrate": ["peakBitRate", "peak"], "psnrDrop": ["psnrdrop", "pnsrDrop"],
               "ssimDrop": ["ssimDrops"], "vmafDrop": ["vmafDorp"], "tolerance": ["tolerances", "Tolerance"],
               "floors": ["floor", "Floors"], "cases": ["case", "Cases", "tests"], "goldens": ["golden", "goldenDir"],
               "defaults": ["default", "Defaults"], "segmentFormat": ["segmentformat", "format"],
               "options": ["option", "opts"], "segmentDuration": ["segmentDurations", "duration"],
               "playlistType": ["playlisttype", "type"], "listSize": ["listsize", "size"],
               "renditions": ["rendition", "Renditions"], "source": ["src", "sources", "Source"],
               "ladder": ["ladders", "config"], "name": ["Name", "names"]}
PERCENTS = ["5", "5%", "200%", "100%", "0%", "100.0000001%", "-5%", "5 %", " 5%", "%", "%5", "5%%", "nan%",
            "inf%", "-inf%", "1e400%", "1e-400%", "9223372036854775808%", "٥%", "５%", "5‰", "0x10%", ".5%", "5.%"]
NUMBERS = configs.NUMBERS + ["1e400", "-1e400", "1e-400", "100", "100.0000001", "1.0000001", "60.000001", "0.1",
                             "0.09999999", "3", "2.5", "100000", "100001", "-0", "1e5"]
CASE_NAMES = ["a/b", "..", ".", "../../x", "../golden", "a\0b", "名前", "x" * 10_000, "x" * 100, "x" * 101, "",
              " ", ".hidden", "CON", "a b", "a\nb", "tiny-ts.json", "-", "--update", "golden", "tiny-ts\u200b",
              "\U0001F4A9", "a:b", "*", "tiny-TS", "nul"]
SOURCES = ["/dev/zero", "@fifo", ".", "../../etc/passwd", "/etc/passwd", "missing.mp4", "suite.yaml",
           "/dev/null", "/dev/urandom", "/dev/stdin", "golden", "golden/tiny-ts.json", "", "/", "input.mp4/",
           "./input.mp4", "../input.mp4", "/proc/self/status", "@dir", "@symlink-zero", "@empty", "@unreadable",
           "x" * 5000, "input.mp4\0junk", "file:///etc/passwd", "concat:input.mp4|input.mp4", "pipe:0"]
GOLDENS = ["/", "/dev", "suite.yaml", "input.mp4", "/dev/null", "..", "../..", "", ".", "/proc", "golden/../golden",
           "new/deep/golden", "@fifo", "/dev/zero", "golden/tiny-ts.json", "x" * 5000, "/etc/passwd", "golden\0x"]
LADDER_PATHS = ["missing.yaml", "/dev/zero", "@fifo", "suite.yaml", "/etc/passwd", ".", "input.mp4", "/dev/null",
                "golden/tiny-ts.json", "@dir", "@symlink-zero", ""]
RENDITION_NAMES = ["720p", "nope", "audio", "AUDIO", "90P", "", "..", "54p", "90p", "a/b", "名前", "x" * 1000]
ONLY = ["tiny-ts", "tiny-fmp4", "nope", "", " ", "../tiny-ts", "tiny-ts.json", "名前", "x" * 5000, "-", "--update",
        "*", "TINY-TS", "tiny-ts ", "-x", "--", "=", "\U0001F4A9"]

# Text mutations and special texts, beyond configs.text_mutation's.
SPECIAL_TEXTS = configs.SPECIAL_TEXTS[:10] + [
    (b"cases: []\n", "no cases"),
    (b"cases:\n", "cases: null"),
    (b"cases: {}\n", "cases as a mapping"),
    (b"cases:\n  - name: a\n", "a case with only a name"),
    (b"cases:\n  - source: input.mp4\n", "a case without a name"),
    (b"goldens: golden\n", "no cases key"),
    (b"cases:\n" + b"".join(b"  - {name: c%d, source: /dev/null}\n" % i for i in range(3000)), "3000 cases"),
    (b"cases:\n" + b"  - {name: same, source: input.mp4, ladder: {renditions: [{name: a, height: 90, videoBitrate: 1M}]}}\n" * 2,
     "two cases with one name"),
]


def _alias_suite(rng: random.Random) -> tuple[str, str]:
    which = rng.choice(["bomb_cases", "bomb_ladder", "bomb_key", "reuse_case", "merge", "undefined", "self"])
    if which == "bomb_cases":
        laughs = configs.BILLION_LAUGHS.replace('"lol"', "{name: x, source: input.mp4}").replace("a: &a", "x: &a")
        return laughs + "cases: *i\n", "billion laughs of cases"
    if which == "bomb_ladder":
        return (configs.BILLION_LAUGHS + "cases:\n  - name: a\n    source: input.mp4\n    ladder: *i\n",
                "billion laughs as a ladder")
    if which == "bomb_key":
        return configs.BILLION_LAUGHS + "? *i\n: 1\ncases: []\n", "billion laughs as a mapping key"
    if which == "reuse_case":
        return ("cases:\n  - &c {name: a, source: input.mp4, ladder: {renditions: [{name: r, height: 90, "
                "videoBitrate: 200k, preset: ultrafast}]}}\n  - *c\n", "one case aliased twice (duplicate names)")
    if which == "merge":
        return ("base: &b {source: input.mp4, segmentFormat: ts}\ncases:\n  - <<: *b\n    name: m\n",
                "merge key in a case")
    if which == "undefined":
        return "cases:\n  - *nothing\n", "undefined alias"
    return "cases: &c [*c]\n", "alias inside its own anchor"


# The tree walkers are the config kind's.
_paths = configs._paths
_parent = configs._get_parent


def _odd_value(key, rng):
    """A value aimed at what the key means."""
    if key in ("averageBitrate", "peakBitrate") and rng.random() < 0.7:
        return rng.choice(PERCENTS)
    if key in ("psnrDrop", "ssimDrop", "vmafDrop", "minPSNR", "minSSIM", "minVMAF", "segmentDuration",
               "listSize") and rng.random() < 0.7:
        return configs.RawYAML(rng.choice(NUMBERS))
    if key == "name" and rng.random() < 0.7:
        return rng.choice(CASE_NAMES)
    if key == "source" and rng.random() < 0.8:
        return rng.choice(SOURCES)
    if key == "goldens" and rng.random() < 0.8:
        return rng.choice(GOLDENS)
    if key == "ladder" and rng.random() < 0.6:
        return rng.choice(LADDER_PATHS)
    if key in ("segmentFormat", "playlistType") and rng.random() < 0.6:
        return rng.choice(["ts", "fmp4", "TS", "mp4", "live", "event", "vod", "VOD", "", "cmaf", "ts\0"])
    return configs.random_value(rng)


def tree_mutation(tree, rng: random.Random) -> str:
    paths = [p for p, _ in _paths(tree) if p]
    path = rng.choice(paths)
    parent = _parent(tree, path)
    last = path[-1]
    where = ".".join(str(p) for p in path)
    key = last if isinstance(last, str) else (path[-2] if len(path) > 1 and isinstance(path[-2], str) else "")
    op = rng.choice(["replace", "replace", "replace", "near_miss", "near_miss", "delete", "unknown", "dup_case",
                     "rendition", "wrap", "ladder_tree", "empty"])
    if op == "near_miss" and isinstance(parent, dict) and last in NEAR_MISSES:
        new = rng.choice(NEAR_MISSES[last])
        parent[new] = parent.pop(last)
        return f"rename {where} to {new!r}"
    if op == "delete":
        del parent[last]
        return f"delete {where}"
    if op == "unknown" and isinstance(parent, dict):
        new = rng.choice(SUITE_KEYS + ["unknown", "", "<<", "vmaf", "goldens\u200b", "minPNSR"])
        parent[new] = configs.random_value(rng)
        return f"add key {new[:20]!r} next to {where}"
    if op == "dup_case" and tree.get("cases") and isinstance(tree["cases"], list):
        case = copy.deepcopy(tree["cases"][0])
        if rng.random() < 0.5 and isinstance(case, dict):
            case["name"] = rng.choice(CASE_NAMES)
        tree["cases"].append(case)
        return f"duplicate cases[0] (name {str(case.get('name') if isinstance(case, dict) else case)[:20]!r})"
    if op == "rendition" and isinstance(tree.get("cases"), list) and tree["cases"] and isinstance(tree["cases"][0], dict):
        name = rng.choice(RENDITION_NAMES)
        limits = rng.choice([{"floors": {"minPSNR": configs.RawYAML(rng.choice(NUMBERS))}},
                             {"tolerance": {"averageBitrate": rng.choice(PERCENTS)}}, {}, configs.RawYAML("[]"),
                             {"tolerance": {"minPSNR": 3}}, {"unknown": 1}, configs.RawYAML("~")])
        tree["cases"][0].setdefault("renditions", {})
        if isinstance(tree["cases"][0]["renditions"], dict):
            tree["cases"][0]["renditions"][name] = limits
        return f"renditions {name[:20]!r}: {str(limits)[:40]}"
    if op == "wrap":
        value = parent[last]
        parent[last] = [value] if not isinstance(value, list) else {"x": value}
        return f"wrap {where} in a collection"
    if op == "ladder_tree":
        for p, node in _paths(tree):
            if p and p[-1] == "ladder" and isinstance(node, dict):
                return "ladder: " + configs.tree_mutation(node, rng)
    if op == "empty":
        parent[last] = rng.choice([[], {}, configs.RawYAML("~"), configs.RawYAML("''")])
        return f"empty {where}"
    parent[last] = _odd_value(key, rng)
    return f"replace {where} with {str(parent[last])[:50]!r}"


def targeted_mutation(tree, rng: random.Random) -> str:
    """One field aimed at, the rest of the suite valid: so most such cases get past the reader and run."""
    cases = tree["cases"]
    i = rng.randrange(len(cases))
    case = cases[i]
    what = rng.choice(["source", "source", "source", "goldens", "goldens", "name", "ladder", "rendition",
                       "percent", "number", "near_miss", "dup_name", "format"])
    if what == "source":
        case["source"] = rng.choice(SOURCES)
        return f"cases[{i}].source = {case['source'][:40]!r}"
    if what == "goldens":
        tree["goldens"] = rng.choice(GOLDENS)
        return f"goldens = {tree['goldens'][:40]!r}"
    if what == "name":
        case["name"] = rng.choice(CASE_NAMES)
        return f"cases[{i}].name = {case['name'][:40]!r}"
    if what == "ladder":
        case["ladder"] = rng.choice(LADDER_PATHS)
        return f"cases[{i}].ladder = {case['ladder'][:40]!r}"
    if what == "rendition":
        name = rng.choice(RENDITION_NAMES)
        case.setdefault("renditions", {})[name] = {"floors": {"minPSNR": 10}}
        return f"cases[{i}].renditions.{name[:20]}"
    if what == "percent":
        key = rng.choice(["averageBitrate", "peakBitrate"])
        case.setdefault("tolerance", {})[key] = rng.choice(PERCENTS)
        return f"cases[{i}].tolerance.{key} = {case['tolerance'][key]!r}"
    if what == "number":
        block, key = rng.choice([("tolerance", "psnrDrop"), ("tolerance", "ssimDrop"), ("tolerance", "vmafDrop"),
                                 ("floors", "minPSNR"), ("floors", "minSSIM"), ("floors", "minVMAF"),
                                 ("options", "segmentDuration"), ("options", "listSize")])
        value = rng.choice(NUMBERS)
        case.setdefault(block, {})[key] = configs.RawYAML(value)
        return f"cases[{i}].{block}.{key} = {value}"
    if what == "near_miss":
        block, key = rng.choice([("floors", "minPSNR"), ("floors", "minSSIM"), ("tolerance", "averageBitrate"),
                                 ("tolerance", "psnrDrop"), ("options", "segmentDuration")])
        wrong = rng.choice(NEAR_MISSES[key])
        case.setdefault(block, {})[wrong] = 1
        return f"cases[{i}].{block}.{wrong}"
    if what == "dup_name":
        cases.append(copy.deepcopy(case))
        return f"cases[{i}] twice"
    value = rng.choice(["fmp4", "ts", "TS", "mp4", "", "cmaf"])
    case["segmentFormat"] = value
    return f"cases[{i}].segmentFormat = {value!r}"


# --- goldens ---------------------------------------------------------------------------------------

GOLDEN_OPS = ["truncate", "type", "type", "remove_key", "add_key", "huge_array", "1e400", "deep", "invalid_utf8",
              "fifo", "dir", "symlink_zero", "symlink_passwd", "empty", "missing", "bom", "duplicate_key",
              "number", "format", "nan", "big", "null", "stale"]


def _json_paths(node, prefix=()):
    yield prefix, node
    if isinstance(node, dict):
        for k in sorted(node):
            yield from _json_paths(node[k], prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _json_paths(v, prefix + (i,))


def golden_op(rng: random.Random) -> dict:
    """What to do to one golden (drawn now; applied to the real bytes later, still deterministically)."""
    op = rng.choice(GOLDEN_OPS)
    return {"op": op, "r": rng.random(), "s": rng.random(), "v": rng.randrange(1 << 30)}


def apply_golden(path: str, plan: dict) -> str:
    """Mutates the golden at path (a regular file from the base) by plan; returns a description."""
    op, r, s = plan["op"], plan["r"], plan["s"]
    rng = random.Random(plan["v"])
    with open(path, "rb") as f:
        data = f.read()
    name = os.path.basename(path)
    if op in ("fifo", "dir", "symlink_zero", "symlink_passwd", "missing"):
        os.remove(path)
        if op == "fifo":
            os.mkfifo(path)
        elif op == "dir":
            os.mkdir(path)
        elif op == "symlink_zero":
            os.symlink("/dev/zero", path)
        elif op == "symlink_passwd":
            os.symlink("/etc/passwd", path)
        return f"golden {name}: {op}"
    try:
        tree = json.loads(data)
    except (ValueError, RecursionError):  # an earlier operation broke it already: byte-level operations only
        tree = None
        if op not in ("truncate", "empty", "invalid_utf8", "bom", "deep", "huge_array", "big", "duplicate_key"):
            op = "truncate"
    if op == "truncate":
        data = data[:int(r * len(data))]
    elif op == "empty":
        data = b""
    elif op == "invalid_utf8":
        at = data.find(b'"', int(r * len(data))) + 1
        data = data[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"]) + data[at:]
    elif op == "bom":
        data = b"\xef\xbb\xbf" + data
    elif op == "deep":
        depth = rng.choice([100, 600, 10_000, 200_000])
        data = data.rstrip().rstrip(b"}") + b', "deep" : ' + b"[" * depth + b"]" * depth + b"}\n"
    elif op == "huge_array":
        n = rng.choice([10_000, 1_000_000])
        data = data.rstrip().rstrip(b"}") + b', "huge" : [' + b",".join([b"0"] * n) + b"]}\n"
    elif op == "big":
        data = data.rstrip().rstrip(b"}") + b', "pad" : "' + b"x" * (17 << 20) + b'"}\n'
    elif op == "duplicate_key":
        data = data.rstrip().rstrip(b"}") + b', "format" : 99, "master" : {}}\n'
    elif op == "stale":
        return f"golden {name}: unchanged"
    else:
        paths = [p for p, _ in _json_paths(tree) if p]
        target = paths[int(r * len(paths))]
        parent = tree
        for part in target[:-1]:
            parent = parent[part]
        last = target[-1]
        where = ".".join(str(p) for p in target)
        if op == "type":
            value = parent[last]
            new = rng.choice([str(value), [value], {"x": value}, None, True, 0, -1, "", 1.5])
            parent[last] = new
            desc = f"{where} -> {json.dumps(new)[:40]}"
        elif op == "remove_key" and isinstance(parent, dict):
            del parent[last]
            desc = f"remove {where}"
        elif op == "add_key" and isinstance(parent, dict):
            parent[rng.choice(["unknown", "Format", "", "x" * 1000, "\u0000"])] = rng.choice([1, "x", None, [], {}])
            desc = f"add a key next to {where}"
        elif op == "format":
            tree["format"] = rng.choice([0, 2, -1, 9223372036854775807, "1", 1.5, None])
            desc = f"format {tree['format']!r}"
        elif op == "null":
            parent[last] = None
            desc = f"{where} null"
        else:  # number / 1e400 / nan: a numeric value spelled oddly (as JSON text)
            spelled = {"1e400": "1e400", "nan": rng.choice(["NaN", "Infinity", "-Infinity", "nan"])}.get(
                op, rng.choice(["9223372036854775808", "-9223372036854775809", "1e400", "-1", "4.9e-324", "1.5",
                                "18446744073709551616", "0.0", "-0", "1E2", "00", "1e-400"]))
            marker = "\u0001MARK\u0001"
            parent[last] = marker
            text = json.dumps(tree, indent=2, sort_keys=True).replace(json.dumps(marker), spelled)
            data = text.encode() + b"\n"
            desc = f"{where} = {spelled}"
            with open(path, "wb") as f:
                f.write(data)
            return f"golden {name}: {op} {desc}"
        data = json.dumps(tree, indent=2, sort_keys=True).encode() + b"\n"
        with open(path, "wb") as f:
            f.write(data)
        return f"golden {name}: {op} {desc}"
    with open(path, "wb") as f:
        f.write(data)
    return f"golden {name}: {op}"


# --- a whole case -----------------------------------------------------------------------------------

def mutate(rng: random.Random) -> tuple[dict, list[str]]:
    """The plan of one case: base, suite bytes, golden operations, command-line extras. Touches nothing."""
    base = rng.choice(BASE_NAMES)
    notes = [f"base {base}"]
    roll = rng.random()
    golden_odds = 0.4
    if roll < 0.04:
        data, note = rng.choice(SPECIAL_TEXTS)
        notes.append(note)
    elif roll < 0.10:
        text, note = _alias_suite(rng)
        data = text.encode()
        notes.append(note)
    elif roll < 0.30:
        # The suite as it is: only its goldens (or the command line) are odd.
        data = base_text(base).encode()
        notes.append("suite unchanged")
        golden_odds = 0.8
    elif roll < 0.65:
        tree = copy.deepcopy(BASES[base])
        notes.append(targeted_mutation(tree, rng))
        data = configs.emit(tree).encode("utf-8")
    else:
        tree = copy.deepcopy(BASES[base])
        for _ in range(rng.choice([1, 1, 1, 1, 2])):
            notes.append(tree_mutation(tree, rng))
        text = configs.emit(tree)
        if rng.random() < 0.3:
            data, note = configs.text_mutation(text, rng)
            notes.append(note)
        else:
            data = text.encode("utf-8")
    goldens = []
    if rng.random() < golden_odds:
        for _ in range(rng.choice([1, 1, 2])):
            goldens.append((rng.choice(["tiny-ts.json", "tiny-fmp4.json"]), golden_op(rng)))
    args = []
    update = rng.random() < 0.25
    if update:
        args.append("--update")
    if rng.random() < 0.2:
        args += ["--only", rng.choice(ONLY)]
    junit = None
    if rng.random() < 0.5:
        junit = rng.choice(["j.xml"] * 8 + ["@dir", "missing/j.xml", "/dev/full"])
    if rng.random() < 0.03:
        args += rng.choice([["--bogus"], ["--only"], ["--junit"], ["extra-argument"], ["--update", "--update"]])
    plan = {"base": base, "suite": data, "goldens": goldens, "args": args, "junit": junit, "update": update}
    if args or junit:
        notes.append(" ".join(args + ([f"--junit {junit}"] if junit else [])))
    return plan, notes


def _special(path: str, what: str) -> None:
    """Makes the special file a suite names with `@…` (a FIFO, a folder, a symlink to /dev/zero, …)."""
    if os.path.lexists(path):
        return
    if what == "fifo":
        os.mkfifo(path)
    elif what == "dir":
        os.mkdir(path)
    elif what == "symlink-zero":
        os.symlink("/dev/zero", path)
    elif what == "empty":
        open(path, "wb").close()
    elif what == "unreadable":
        with open(path, "wb") as f:
            f.write(b"\0" * 100)
        os.chmod(path, 0)


SPECIAL_NAMES = {"@fifo": "special.fifo", "@dir": "special.d", "@symlink-zero": "zero.link", "@empty": "empty.mp4",
                 "@unreadable": "unreadable.mp4"}


def apply(plan: dict, folder: str, base_dir: str) -> list[str]:
    """Writes the case into folder (created): suite.yaml, input.mp4, golden/ from the base, then the
    golden operations and the special files the suite names. Returns notes on what was applied."""
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(os.path.join(base_dir, "input.mp4"), os.path.join(folder, "input.mp4"))
    golden = os.path.join(folder, "golden")
    os.makedirs(golden)
    src = os.path.join(base_dir, "golden")
    for name in sorted(os.listdir(src)):
        if name.endswith(".json"):
            shutil.copyfile(os.path.join(src, name), os.path.join(golden, name))
    data = plan["suite"]
    for marker, name in SPECIAL_NAMES.items():
        if marker.encode() in data:
            _special(os.path.join(folder, name), marker[1:])
            data = data.replace(marker.encode(), name.encode())
    with open(os.path.join(folder, "suite.yaml"), "wb") as f:
        f.write(data)
    notes = []
    for name, g in plan["goldens"]:
        path = os.path.join(golden, name)
        if stat.S_ISREG(os.lstat(path).st_mode) if os.path.lexists(path) else False:
            notes.append(apply_golden(path, g))
    return notes


def argv(plan: dict, folder: str) -> tuple[list[str], str | None]:
    """The regress command line (without the binary) and the JUnit path when it is an ordinary one."""
    args = ["regress", os.path.join(folder, "suite.yaml")] + list(plan["args"])
    junit = plan["junit"]
    plain = None
    if junit:
        if junit == "@dir":
            path = os.path.join(folder, "special.d")
            _special(path, "dir")
        elif junit.startswith("/"):
            path = junit
        else:
            path = os.path.join(folder, junit)
            plain = path if junit == "j.xml" else None
        args += ["--junit", path]
    return args, plain
