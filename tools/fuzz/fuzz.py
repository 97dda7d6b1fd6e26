#!/usr/bin/env python3
"""LiveLadder fuzz harness: mutated inputs, ladder configs and output folders, run through the binary.

  tools/fuzz/fuzz.py --seed 1 --count 100                      # 100 cases of each kind
  tools/fuzz/fuzz.py --seed 1 --count inputs=1000,configs=300,playlists=300 --jobs 2
  tools/fuzz/fuzz.py --seed 1 --case inputs-1-42               # one case alone, files kept
  tools/fuzz/fuzz.py --ci                                      # the fixed CI set; exit 1 on crash/hang/undocumented exit

See tools/fuzz/README.md. Python 3 standard library plus the ffmpeg/ffprobe CLIs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import configs  # noqa: E402
import httpfuzz  # noqa: E402
import media  # noqa: E402
import originfuzz  # noqa: E402
import playlists  # noqa: E402
import pushfuzz  # noqa: E402
import seeds  # noqa: E402
import suites  # noqa: E402

KINDS = ["inputs", "configs", "playlists", "suites", "http", "push"]
CLASSES = ["crash", "hang", "undocumented-exit", "error-not-one-line", "exit0-check-fails", "exit0-ffmpeg-warnings",
           "leak", "exit0-not-a-summary", "regress-output-malformed", "junit-mismatch", "writes-outside"]
# The http kind's own classes (per request, then per server: see httpfuzz.py and README.md, "http").
HTTP_CLASSES = ["server-error", "auth-bypass", "auth-lenient", "auth-order", "auth-refused", "malformed-response",
                "error-not-json", "wrong-status", "server-gone", "server-died", "unhealthy-after-batch",
                "metrics-unparsable", "rss-growth", "stop-exit", "output-check-fails",
                # the origin variant's (originfuzz.py)
                "file-leak", "no-cors", "error-not-text", "wrong-range", "wrong-body", "directive",
                "not-producing"]
CLASSES += HTTP_CLASSES
# The push kind's (pushfuzz.py: `run --push` against a hostile origin of the harness).
PUSH_CLASSES = ["push-exit", "push-error-line", "secret-echoed", "local-check-fails", "exit0-incomplete", "push-order",
                "master-early", "sequence-back", "retried-refused", "slow-drain", "timeout-ignored", "push-flag-exit"]
CLASSES += PUSH_CLASSES
# What --ci fails on (the other classes are reported but do not fail it). Every http class fails it.
CI_GATES = {"crash", "hang", "undocumented-exit"} | set(HTTP_CLASSES) | set(PUSH_CLASSES)

# The CI set: a fixed sample of each kind, plus the special config paths (the known hangs).
CI_SEED = 20261201
CI_COUNTS = {"inputs": 24, "configs": 16, "playlists": 12, "suites": 12, "http": 24,
             "push": 0}  # the push kind's CI cases are pinned in ci-cases.txt (deterministic scripts only)
# The push kind's input: the first seconds of the committed fixture (stream copy), made once under OUT/seeds.
PUSH_CLIP_SECONDS = 3
# The http kind's origin variant in the CI set (cases http-origin-SEED-0 … N-1, one server).
CI_ORIGIN_COUNT = 16
HTTP_VARIANTS = ["worker", "origin"]  # --http-variants: worker = the token and open servers of --http
CI_SPECIALS = ["fifo", "zero", "dir"]
# Cases pinned from campaigns: one per distinct bad signature found so far (regressions stay covered).
CI_PINNED_FILE = os.path.join(HERE, "ci-cases.txt")

INPUT_VARIANTS = [
    ("ts", []),
    ("fmp4", ["--segment-format", "fmp4", "--segment-duration", "1"]),
]
SPECIAL_CONFIGS = ["zero", "fifo", "dir", "null", "missing", "urandom"]

SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer)"
                       r"|runtime error: |SUMMARY: \w+Sanitizer")
CRASH_LINE = re.compile(r"Fatal error|ERROR: \w+Sanitizer|Program crashed|Assertion|Precondition failed|"
                        r"Segmentation fault|Illegal instruction|terminate called|\bpanic\b|runtime error:")


# ---------------------------------------------------------------------------------------------------
# Exit codes from the README table
# ---------------------------------------------------------------------------------------------------

def documented_codes():
    """{command: set of codes} read from README.md's exit-code table."""
    table = set()
    try:
        with open(os.path.join(ROOT, "README.md")) as f:
            in_table = False
            for line in f:
                if re.match(r"\|\s*code\s*\|", line):
                    in_table = True
                    continue
                if in_table:
                    m = re.match(r"\|\s*(\d+)\s*\|", line)
                    if m:
                        table.add(int(m.group(1)))
                    elif not line.startswith("|"):
                        break
    except OSError:
        pass
    if not table:
        table = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 64}
    # `check` only ever means these; 1 ("check found rule failures") is check's alone.
    check = {0, 1, 3, 4, 7, 64} & table | ({2} & table)
    # summarize and regress have their own codes (docs/regress.md, `liveladder regress --help`):
    # summarize 0 ok, 4 cannot be summarized, 64 bad command line; regress 0 passed, 1 a regression,
    # 2 a case could not run or the suite/golden is unusable, 64 bad command line.
    return {"run": table - {1}, "check": check, "summarize": {0, 4, 64}, "regress": {0, 1, 2, 64}}


# ---------------------------------------------------------------------------------------------------
# Running one command, bounded in time and memory
# ---------------------------------------------------------------------------------------------------

def _rss_and_cpu(pid):
    rss = cpu = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                    break
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return rss, cpu


def run_bounded(argv, timeout, mem_limit, env=None, keep=200_000):
    """Runs argv; returns a dict with code, signal, timed_out, mem_killed, seconds, cpu, stdout, stderr."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                    start_new_session=True)
        except OSError as e:
            return {"argv": argv, "code": None, "signal": None, "timed_out": False, "mem_killed": False,
                    "seconds": 0, "cpu": 0, "peak_rss": 0, "stdout": "", "stderr": f"cannot start: {e}",
                    "start_error": True}
        timed_out = mem_killed = False
        peak = cpu = 0
        poll = 0.005
        while True:
            try:
                proc.wait(timeout=poll)
                break
            except subprocess.TimeoutExpired:
                pass
            poll = min(poll * 2, 0.1)
            rss, cpu_now = _rss_and_cpu(proc.pid)
            peak, cpu = max(peak, rss), max(cpu, cpu_now)
            elapsed = time.monotonic() - start
            if elapsed > timeout or (mem_limit and rss > mem_limit):
                timed_out = elapsed > timeout
                mem_killed = not timed_out
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
                break
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read(keep).decode("utf-8", "replace")
        stderr = err.read(keep).decode("utf-8", "replace")
    code = proc.returncode
    sig = None
    if code is not None and code < 0:
        sig, code = -code, None
    if timed_out or mem_killed:
        sig = None  # our own SIGKILL
    return {"argv": argv, "pid": proc.pid, "code": code, "signal": sig, "timed_out": timed_out, "mem_killed": mem_killed,
            "seconds": round(seconds, 3), "cpu": round(cpu, 2), "peak_rss": peak, "stdout": stdout,
            "stderr": stderr}


# ---------------------------------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------------------------------

def signame(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def normalize(line, case_dir):
    if case_dir:
        line = line.replace(case_dir, "<case>")
    line = re.sub(r"/tmp/[^\s\"']+", "<path>", line)
    line = re.sub(r'"[^"]*"', '"…"', line)
    line = re.sub(r"0x[0-9a-fA-F]+", "N", line)
    # Numbers, but not the digits inside words (m3u8, h264, MV6, libavutil.so.57 stays recognisable).
    line = re.sub(r"(?<![A-Za-z0-9_.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", "N", line)
    line = re.sub(r"\s+", " ", line).strip()
    return line[:160]


FRAME = re.compile(r"^\s*(?:#\d+|\d+)\s+((?:\[[\w ]+\]\s+)*)0x[0-9a-fA-F]+\s+(?:in\s+)?(.*)$")


def crash_line(stderr):
    """What crashed, from Swift's runtime message and backtracer or an ASan report: 'reason @ top frame'."""
    reason = first_line(stderr, re.compile(r"Fatal error|Precondition failed|Assertion failed|ERROR: \w+Sanitizer"
                                           r"|runtime error:"))
    crashed = re.search(r"\*\*\* (?:Program crashed|Swift runtime failure): (.*?)(?: at 0x[0-9a-fA-F]+)? \*\*\*",
                        stderr)
    if not reason and crashed:
        reason = crashed.group(1)
    frame = ""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.rstrip().endswith("crashed:") or "ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line:
            for follow in lines[i + 1:i + 40]:
                m = FRAME.match(follow)
                # The first frame of our code or a library: not the runtime's own [system] frames.
                if m and "[system]" not in m.group(1) and "Swift runtime failure" not in m.group(2):
                    frame = re.sub(r"\s+\+\s+\d+", "", m.group(2)).strip()
                    frame = re.sub(r"\s+at\s+\S+$", "", frame)
                    break
            break
    if not reason:
        reason = first_line(stderr, CRASH_LINE) or first_line(stderr)
    return f"{reason} @ {frame}" if frame else reason


def tail(line):
    return f": {line}" if line else ""


def first_line(text, pattern=None):
    for line in text.splitlines():
        if line.strip() and (pattern is None or pattern.search(line)):
            return line.strip()
    return ""


def error_shape_problem(result, command):
    """Why stderr of a failed command is not the documented one `liveladder: error: …` line, or None."""
    if result["code"] in (None, 0):
        return None
    lines = [l for l in result["stderr"].splitlines() if l.strip()]
    errors = [i for i, l in enumerate(lines) if l.startswith("liveladder: error:")]
    if command == "check" and result["code"] == 1:
        return None if lines and re.match(r"liveladder: \d+ rule failures", lines[-1]) else "check's exit 1 without its count line"
    if command == "regress" and result["code"] in (1, 2) and result["stdout"].strip():
        # Cases ran: their verdicts are on stdout (judged by regress_problems). An error line after them
        # (the JUnit report could not be written) must still be one line, the last; none is fine too.
        if not errors:
            return None
    if not errors:
        return "no 'liveladder: error:' line"
    if len(errors) > 1:
        return f"{len(errors)} 'liveladder: error:' lines"
    if errors[0] != len(lines) - 1:
        return "the error message goes on over more lines"
    return None


SUMMARY_KEYS = {"format", "tools", "master", "renditions"}


def summarize_problems(result):
    """summarize exited 0: its stdout (--json) must be one JSON object with the summary's top-level keys."""
    if result["code"] != 0 or result["signal"] or result["timed_out"] or result["mem_killed"]:
        return []
    try:
        doc = json.loads(result["stdout"])
    except ValueError as e:
        return [("exit0-not-a-summary", f"exit0-not-a-summary summarize: stdout is not JSON ({normalize(str(e), None)})")]
    if not isinstance(doc, dict):
        return [("exit0-not-a-summary", f"exit0-not-a-summary summarize: stdout is a JSON {type(doc).__name__}")]
    missing = sorted(SUMMARY_KEYS - set(doc))
    if missing:
        return [("exit0-not-a-summary", f"exit0-not-a-summary summarize: no {', '.join(missing)}")]
    return []


REGRESS_VERDICT = re.compile(r"^(PASS  |FAIL  |ERROR |UPDATED |same )")
REGRESS_TOTAL = re.compile(r"^regress: (\d+) cases, (\d+) passed, (\d+) failed, (\d+) could not run \(")


def regress_problems(result, junit, case_dir):
    """regress's stdout and JUnit report against docs/regress.md: [(class, signature)]."""
    if result["signal"] or result["timed_out"] or result["mem_killed"] or result["code"] not in (0, 1, 2):
        return []
    found = []

    def bad(why):
        found.append(("regress-output-malformed", f"regress-output-malformed regress {result['code']}: {why}"))

    lines = [l for l in result["stdout"].split("\n") if l != ""]
    if not lines:
        if result["code"] != 2:
            bad("nothing on stdout")
        return found  # exit 2 before any case: the one error line is error_shape_problem's
    total = REGRESS_TOTAL.match(lines[-1])
    if not total:
        bad("the last line is not the regress: total line")
    verdicts = {"PASS": 0, "FAIL": 0, "ERROR": 0, "UPDATED": 0, "same": 0}
    for line in lines[:-1]:
        m = REGRESS_VERDICT.match(line)
        if m:
            verdicts[m.group(1).strip()] += 1
        elif not line.startswith("  "):
            bad(f"a line that is no case line: {normalize(line, case_dir)[:80]}")
            break
    if total:
        n, passed, failed, errors = (int(g) for g in total.groups())
        case_lines = sum(verdicts.values())
        if n != case_lines or n != passed + failed + errors or failed != verdicts["FAIL"] or errors != verdicts["ERROR"]:
            bad(f"the total line does not add up ({n} cases, {passed}/{failed}/{errors}; {case_lines} case lines)")
        want = 2 if errors else 1 if failed else 0
        # A JUnit report that cannot be written makes it 2 after the total (one error line on stderr).
        junit_error = "cannot write the JUnit report" in result["stderr"]
        if result["code"] != want and not (junit_error and result["code"] == 2):
            bad(f"exit {result['code']} but the totals say {want}")
        if junit and result["code"] in (0, 1, 2) and not junit_error:
            problem = junit_problem(junit, n, failed, errors)
            if problem:
                found.append(("junit-mismatch", f"junit-mismatch regress {result['code']}: {problem}"))
    return found


def junit_problem(path, cases, failed, errors):
    """Why the JUnit file at path is not the report of this run, or None."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        return "no JUnit file written"
    except (ET.ParseError, OSError, ValueError) as e:
        return f"the JUnit XML does not parse ({normalize(str(e), None)[:60]})"
    if root.tag != "testsuites":
        return f"the root is <{root.tag[:20]}>"
    tests = root.findall("./testsuite/testcase")
    counted = {"tests": len(tests), "failures": sum(1 for t in tests if t.find("failure") is not None),
               "errors": sum(1 for t in tests if t.find("error") is not None),
               "skipped": sum(1 for t in tests if t.find("skipped") is not None)}
    for name, value in counted.items():
        if root.get(name) != str(value):
            return f"testsuites {name}={root.get(name)} but {value} testcases say so"
    for suite in root.findall("testsuite"):
        own = suite.findall("testcase")
        if suite.get("tests") != str(len(own)) or suite.get("failures") != str(sum(1 for t in own if t.find("failure") is not None)) \
                or suite.get("errors") != str(sum(1 for t in own if t.find("error") is not None)):
            return "a testsuite's counts do not match its testcases"
    if len(root.findall("testsuite")) != cases:
        return f"{len(root.findall('testsuite'))} testsuites for {cases} cases"
    suites_failed = sum(1 for s in root.findall("testsuite") if s.get("failures") not in ("0", None) and s.get("errors") == "0")
    if suites_failed != failed or sum(1 for s in root.findall("testsuite") if s.get("errors") not in ("0", None)) != errors:
        return "the failing/erroring testsuites do not match the total line"
    return None


class Classifier:
    def __init__(self, codes, passwd_line):
        self.codes = codes
        self.passwd_line = passwd_line

    def binary_step(self, result, command, case_dir):
        """Classes and signatures for one liveladder invocation."""
        found = []
        text = result["stdout"] + "\n" + result["stderr"]
        sanitizer = SANITIZER.search(result["stderr"])
        if result.get("start_error"):
            found.append(("crash", f"crash {command} cannot start: {normalize(result['stderr'], case_dir)}"))
            return found
        if result["signal"] or sanitizer:
            how = signame(result["signal"]) if result["signal"] else f"exit {result['code']}"
            line = crash_line(result["stderr"])
            found.append(("crash", f"crash {command} {how}{tail(normalize(line, case_dir))}"))
        if result["timed_out"] or result["mem_killed"]:
            why = "timeout" if result["timed_out"] else "memory limit"
            # Idle (blocked, e.g. on a FIFO) or busy (looping, reading forever) tells hangs apart.
            why += ", busy" if result["cpu"] > 0.25 * result["seconds"] else ", idle"
            if result["peak_rss"] > 1 << 30:  # e.g. reading /dev/zero: memory grows without bound
                why += ", memory over 1 GiB"
            found.append(("hang", f"hang {command} ({why}){tail(normalize(first_line(result['stderr']), case_dir))}"))
        if result["code"] is not None and result["code"] not in self.codes[command] and not sanitizer:
            found.append(("undocumented-exit", f"undocumented-exit {command} {result['code']}"
                          f"{tail(normalize(first_line(result['stderr']), case_dir))}"))
        problem = error_shape_problem(result, command) if not sanitizer else None
        if problem:
            error = first_line(result["stderr"], re.compile("^liveladder: error:")) or first_line(result["stderr"])
            found.append(("error-not-one-line", f"error-not-one-line {command} {result['code']} ({problem})"
                          f"{tail(normalize(error, case_dir))}"))
        if self.passwd_line and self.passwd_line in text:
            line = next(l for l in text.splitlines() if self.passwd_line in l)
            found.append(("leak", f"leak {command}: {normalize(line.replace(self.passwd_line, '<passwd line 1>'), case_dir)}"))
        return found


# ---------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------

def case_rng(kind, seed, index):
    if kind == "http" and is_origin_index(index):
        return random.Random(f"liveladder-fuzz:http-origin:{seed}:{index[1:]}")
    return random.Random(f"liveladder-fuzz:{kind}:{seed}:{index}")


def is_origin_index(index):
    """The http kind's origin cases have ids http-origin-S-I, kept internally as index "oI"."""
    return isinstance(index, str) and index.startswith("o") and index[1:].isdigit()


def parse_case_id(case_id):
    kind, _, rest = case_id.partition("-")
    if kind not in KINDS:
        raise ValueError(f"{case_id}: a case id is <kind>-<seed>-<index> or configs-special-<name>")
    if rest.startswith("special-"):
        return kind, None, rest
    if kind == "http" and rest.startswith("origin-"):
        seed, _, index = rest.removeprefix("origin-").rpartition("-")
        return kind, int(seed), f"o{int(index)}"
    seed, _, index = rest.rpartition("-")
    return kind, int(seed), int(index)


def case_id(kind, seed, index):
    if kind == "http" and is_origin_index(index):
        return f"http-origin-{seed}-{index[1:]}"
    return f"{kind}-{index}" if seed is None else f"{kind}-{seed}-{index}"


def copy_tree(src, dst):
    """Like copytree but keeps symlinks, FIFOs and unreadable files as they are (never opens a FIFO)."""
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        mode = os.lstat(s).st_mode
        if stat.S_ISLNK(mode):
            os.symlink(os.readlink(s), d)
        elif stat.S_ISDIR(mode):
            copy_tree(s, d)
        elif stat.S_ISFIFO(mode):
            os.mkfifo(d)
        elif stat.S_ISREG(mode):
            shutil.copyfile(s, d)
            os.chmod(d, stat.S_IMODE(mode))


class Harness:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        self.binary = os.path.abspath(args.binary)
        self.findings = os.path.abspath(args.findings or os.path.join(self.out, "findings"))
        self.cases_dir = os.path.join(self.out, "cases")
        os.makedirs(self.cases_dir, exist_ok=True)
        passwd = ""
        try:
            with open("/etc/passwd") as f:
                passwd = f.readline().strip()
        except OSError:
            pass
        self.classifier = Classifier(documented_codes(), passwd)
        self.env = dict(os.environ)
        # The crashed thread's top frames only: cheap, and it tells one crash from another.
        self.env.setdefault("SWIFT_BACKTRACE", "enable=no" if args.no_backtrace else
                            "enable=yes,threads=crashed,limit=12,interactive=no,color=no,registers=none,images=none")
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        self.seed_paths = None
        self.bases = None
        self.suite_bases = None
        self.lock = threading.Lock()
        # `regress --update` cases run one at a time, so a file they write outside their folder is theirs.
        self.outside_lock = threading.Lock()

    def log(self, msg):
        with self.lock:
            print(msg, flush=True)

    # --- seeds ---------------------------------------------------------------------------------

    def prepare(self, kinds):
        if "push" in kinds:
            self.push_clip = self.make_push_clip()
        if not set(kinds) - {"http", "push"}:
            return  # the http and push kinds read a committed fixture
        self.seed_paths = seeds.media_seeds(self.out, self.log)
        if "playlists" in kinds:
            self.bases = seeds.playlist_bases(self.out, self.binary, self.seed_paths[seeds.CONFIG_INPUT], self.log)
        if "suites" in kinds:
            self.suite_bases = seeds.suite_bases(self.out, self.binary, self.seed_paths[seeds.CONFIG_INPUT],
                                                 {n: suites.base_text(n) for n in suites.BASE_NAMES}, self.log)

    # --- making a case's files -------------------------------------------------------------------

    def build(self, kind, seed, index, folder):
        """Writes the case's mutated file(s) into folder; returns (case dict without results)."""
        cid = case_id(kind, seed, index)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        case = {"id": cid, "kind": kind, "seed": seed, "index": index}
        if kind == "configs" and seed is None:
            return self.build_special_config(case, index.removeprefix("special-"), folder)
        rng = case_rng(kind, seed, index)
        if kind == "push":
            made = pushfuzz.draw_case(rng, self.push_clip, os.path.join(folder, "out"))
            blob = json.dumps(made, sort_keys=True).replace(folder, "<case>").replace(self.out, "<out>").encode()
            case.update(push=made, file=folder, sha256=hashlib.sha256(blob).hexdigest(),
                        notes=[made["flavour"], " ".join(made["flags"])] + [pushfuzz.describe(s) for s in made["scripts"]]
                        + ([f"bad flag {made['bad_flag']}: { ' '.join(pushfuzz.bad_flag_args(made['bad_flag']))[:80]}"]
                           if made.get("bad_flag") is not None else []))
            return case
        if kind == "http":
            return self.build_http(case, rng, folder, origin=is_origin_index(index),
                                   ll=is_origin_index(index) and originfuzz.is_ll(index))
        if kind == "inputs":
            names = sorted(seeds.SEED_WEIGHTS)
            name = rng.choices(names, [seeds.SEED_WEIGHTS[n] for n in names])[0]
            container = seeds.MEDIA_SEEDS[name][0]
            with open(self.seed_paths[name], "rb") as f:
                data, notes = media.mutate(f.read(), container, rng)
            path = os.path.join(folder, "input." + name.rsplit(".", 1)[1])
            with open(path, "wb") as f:
                f.write(data)
            case.update(seed_file=name, notes=notes, file=path, sha256=hashlib.sha256(data).hexdigest())
            case["commands"] = [
                (variant, ["run", "--input", path, "--output", os.path.join(folder, f"out-{variant}"), "--overwrite"]
                 + extra) for variant, extra in INPUT_VARIANTS]
        elif kind == "configs":
            data, notes = configs.mutate(rng)
            path = os.path.join(folder, "config.yaml")
            with open(path, "wb") as f:
                f.write(data)
            case.update(notes=notes, file=path, sha256=hashlib.sha256(data).hexdigest())
            case["commands"] = [("config", ["run", "--config", path, "--input", self.seed_paths[seeds.CONFIG_INPUT],
                                            "--output", os.path.join(folder, "out"), "--overwrite"])]
        elif kind == "suites":
            plan, notes = suites.mutate(rng)
            where = os.path.join(folder, "suite")
            notes += suites.apply(plan, where, self.suite_bases[plan["base"]])
            cmd, junit = suites.argv(plan, where)
            case.update(notes=notes, file=where, sha256=seeds.tree_sha256(where), junit=junit, update=plan["update"],
                        special=any(m in plan["suite"] for m in (b"@", b"/dev/", b"/proc/"))
                        or any(g["op"] in ("fifo", "symlink_zero") for _, g in plan["goldens"]))
            case["commands"] = [("regress", cmd)]
        else:
            fmt = rng.choice(["ts", "fmp4"])
            hls = os.path.join(folder, "hls")
            copy_tree(self.bases[fmt], hls)
            notes = [f"base {fmt}"] + playlists.mutate_dir(hls, rng)
            case.update(notes=notes, file=hls, sha256=seeds.tree_sha256(hls))
            check = playlists.check_args(hls, rng)
            case["commands"] = [("check", ["check"] + check)]
            # summarize reads the same folder (or master); sometimes with --source, the clean input the
            # bases were made from (seeds.playlist_bases), which adds the quality pass.
            summarize = ["summarize", "--json", check[0]]
            if rng.random() < 0.3:
                summarize += ["--source", self.seed_paths[seeds.CONFIG_INPUT]]
            case["commands"].append(("summarize", summarize))
        return case

    def make_push_clip(self):
        path = os.path.join(self.out, "seeds", f"push-clip-{PUSH_CLIP_SECONDS}s.mp4")
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", HTTP_FIXTURE, "-t", str(PUSH_CLIP_SECONDS),
                            "-c", "copy", "-fflags", "+bitexact", "-map_metadata", "-1", path + ".tmp.mp4"], check=True)
            os.replace(path + ".tmp.mp4", path)
        return path

    def run_push_case(self, case, folder, keep):
        """One `run --push` against the case's hostile origins (pushfuzz.Origin, threads of this process)."""
        made = case.pop("push")
        seg = made["segment_duration"]
        timeout = min(max(seg, 1), 10)
        origins = []
        for i, script in enumerate(made["scripts"]):
            store = os.path.join(folder, f"origin-{i + 1}")
            os.makedirs(store)
            origins.append(pushfuzz.Origin(script, timeout, store))
        t0, t0_wall = time.monotonic(), time.time()
        for o in origins:
            o.t0 = t0
        cmd = pushfuzz.argv(made, self.binary, [o.port for o in origins], folder)
        mem = self.args.mem_limit * 1024 * 1024
        before = self.outside_snapshot(extra=[ROOT, HERE])
        result = run_bounded(cmd, self.args.push_timeout, mem, self.env)
        result["end_t"] = round(time.monotonic() - t0, 3)
        outside = self.outside_changes(before, extra=[ROOT, HERE])
        for o in origins:
            o.close()
        records = [o.record() for o in origins]
        local = pushfuzz.local_files(made["out"])
        mtimes = [os.stat(p).st_mtime for p in local.values()]
        result["pipeline_t"] = round(max(mtimes) - t0_wall, 3) if mtimes else None
        found = self.classifier.binary_step(result, "run", folder)
        check = run_bounded([self.binary, "check", made["out"]], self.args.timeout, mem, self.env)
        found += [(c, s.replace("check", "check (of run's output)", 1))
                  for c, s in self.classifier.binary_step(check, "check", folder)]
        found += pushfuzz.judge(made, records, result, check, ci=self.args.ci)
        for change in outside:
            where = change.replace(folder, "<case>").replace(self.cases_dir, "<cases>").replace(self.out, "<out>")
            found.append(("writes-outside", f"writes-outside run --push: {re.sub(r'[0-9]+', 'N', where)}"))
        for i, rec in enumerate(records):
            with open(os.path.join(folder, f"origin-{i + 1}.json"), "w") as f:
                json.dump(rec, f, indent=1)
        statuses = {}
        for rec in records:
            for r in rec["requests"]:
                statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
        steps = []
        for name, r in (("main", result), ("check", check)):
            steps.append({"step": name, "argv": [os.path.basename(r["argv"][0])] + r["argv"][1:],
                          **{k: r.get(k) for k in ("code", "signal", "timed_out", "mem_killed", "seconds", "cpu",
                                                   "peak_rss", "end_t", "pipeline_t")},
                          "stdout": r["stdout"][:2000], "stderr": r["stderr"][-4000:]})
        run = {"variant": made["flavour"], "classes": sorted({c for c, _ in found}), "signatures": [s for _, s in found],
               "steps": steps, "requests": sum(len(r["requests"]) for r in records), "statuses": statuses,
               "outages": sum(len(r["outages"]) for r in records),
               "actions": sorted({q["action"] for r in records for q in r["requests"]})}
        case["runs"] = [run]
        case["classes"] = run["classes"]
        case["signatures"] = list(dict.fromkeys(run["signatures"]))
        case["push"] = {k: v for k, v in made.items() if k != "out"}
        ports = {str(o.port): f"PORT{i + 1}" for i, o in enumerate(origins)}
        by_hand = [re.sub(r":(\d+)/", lambda m: f":{ports.get(m.group(1), m.group(1))}/", a) for a in cmd]
        serve = "  ".join(f"python3 {os.path.join(HERE, 'pushfuzz.py')} serve --case {case['id']} --target {i + 1} &"
                          for i in range(len(origins)))
        repro = [f"tools/fuzz/fuzz.py --case {case['id']} --binary {self.binary}",
                 f"{serve}  {shlex.join(by_hand).replace(folder, os.path.join(self.args.repro_dir, case['id']))}"]
        case["reproduce"] = repro
        if case["classes"]:
            dest = os.path.join(self.findings, case["id"])
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest, symlinks=True)
            case["finding"] = dest
            with open(os.path.join(dest, "case.json"), "w") as f:
                json.dump(case, f, indent=2)
        if not keep and not self.args.keep_cases:
            shutil.rmtree(folder, ignore_errors=True)
        return case

    def build_special_config(self, case, name, folder):
        path = {"zero": "/dev/zero", "null": "/dev/null", "urandom": "/dev/urandom",
                "missing": os.path.join(folder, "missing.yaml")}.get(name)
        if name == "fifo":
            path = os.path.join(folder, "config.fifo")
            os.mkfifo(path)
        elif name == "dir":
            path = os.path.join(folder, "config.d")
            os.mkdir(path)
        elif path is None:
            raise ValueError(f"unknown special config {name!r} (known: {', '.join(SPECIAL_CONFIGS)})")
        case.update(notes=[f"special config path: {name}"], file=path, special=True)
        case["commands"] = [("config", ["run", "--config", path, "--input", self.seed_paths[seeds.CONFIG_INPUT],
                                        "--output", os.path.join(folder, "out"), "--overwrite"])]
        return case

    # --- the http kind -------------------------------------------------------------------------

    def build_http(self, case, rng, folder, origin=False, ll=False):
        made = originfuzz.make_case(rng, ll) if origin else httpfuzz.make_case(rng)
        path = os.path.join(folder, "request.bin")
        with open(path, "wb") as f:
            f.write(made["wire"])
        plan = {"variant": made["variant"], **({"flavour": "ll"} if made.get("flavour") else {}), "shutdown": made["shutdown"], "framed": made["framed"],
                "chunks": [[len(data), pause] for data, pause in made["chunks"]], "requests": made["requests"]}
        with open(os.path.join(folder, "plan.json"), "w") as f:
            json.dump(plan, f, indent=1)
        case.update(notes=[made["variant"]] + made["notes"], file=path, variant=made["variant"],
                    sha256=hashlib.sha256(made["wire"] + json.dumps(plan, sort_keys=True).encode()).hexdigest(),
                    http=made)
        return case

    def run_http(self, items, keep=False, progress=None):
        """Runs the http cases in order, a batch of --http-batch cases of one variant per server. Returns the
        case records, then one record per server (kind http-server)."""
        built = []
        for kind, seed, index in items:
            folder = os.path.join(self.cases_dir, case_id(kind, seed, index))
            built.append((self.build(kind, seed, index, folder), folder))
        results, servers = [], []
        lock = threading.Lock()
        serials = iter(range(1, 1 << 30))

        def locked(case):
            with lock:
                if progress:
                    progress(case)

        def one_variant(variant):
            # One server at a time per variant; with --jobs 2 the two variants run side by side.
            mine = [b for b in built if b[0]["variant"] == variant]
            out, mine_results = [], []
            # The origin's two flavours (TS without parts, fMP4 with LL-HLS parts) each get their own servers.
            batches = []
            for flavour in (None, "ll"):
                group = [b for b in mine if b[0]["http"].get("flavour") == flavour]
                batches += [group[i:i + self.args.http_batch] for i in range(0, len(group), self.args.http_batch)]
            for batch in batches:
                pos = 0
                while pos < len(batch):
                    with lock:
                        serial = next(serials)
                    server, pos = self.http_session(variant, batch, pos, serial, mine_results, keep, locked)
                    out.append(server)
            return mine_results, out

        with concurrent.futures.ThreadPoolExecutor(max_workers=min(3, max(1, self.args.jobs))) as pool:
            for mine_results, out in pool.map(one_variant, ("token", "open", "origin")):
                results += mine_results
                servers += out
        return results, sorted(servers, key=lambda s: int(s["id"].rsplit("-", 1)[1]))

    def http_session(self, variant, batch, pos, serial, results, keep, progress):
        """One server over batch[pos:], until the batch ends or a case stops the run. Returns (record, next pos)."""
        seed = batch[pos][0]["seed"]
        sid = f"http-server-{seed}-{serial}"
        folder = os.path.join(self.cases_dir, sid)
        if variant == "origin":
            server = OriginHttpServer(self, variant, folder, ll=batch[pos][0]["http"].get("flavour") == "ll")
        else:
            server = HttpServer(self, variant, folder)
        try:
            return self._http_session(server, sid, seed, serial, variant, batch, pos, results, keep, progress)
        except BaseException:
            # A harness bug (or ^C) must not leave the server running.
            if server.alive():
                os.killpg(server.proc.pid, signal.SIGKILL)
                server.proc.wait()
            raise

    def _http_session(self, server, sid, seed, serial, variant, batch, pos, results, keep, progress):
        folder = server.folder
        found = []
        first = pos
        problem = server.wait_ready(max(30.0, self.args.timeout))
        if problem:
            found.append(("unhealthy-after-batch", f"unhealthy-after-batch: {normalize(problem, folder)}"))
        while pos < len(batch) and not problem:
            case, case_folder = batch[pos]
            pos += 1
            self.http_case(case, case_folder, server, keep)
            if httpfuzz.restart_accepted(case["_result"]):
                server.restarts += 1
            if httpfuzz.stop_accepted(case["http"], case["_result"]):
                server.stopped_by = case["id"]
                server.notes.append(f"stopped by {case['id']}")
            elif server.alive():
                server.rss_after = server.rss()  # a case that stops the run: its RSS before that case counts
            case.pop("_result", None)
            case.pop("http", None)
            results.append(case)
            if progress:
                progress(case)
            if server.stopped_by:
                break
            if not server.alive():
                break
        if server.alive() and not server.stopped_by and not problem:
            found += server.health_after()
        elif server.stopped_by:
            found += server.rss_check()
        found += server.finish(max(30.0, self.args.timeout))
        if problem:
            # The cases this server never ran still get their records (as harness errors), then the next server.
            for case, _ in batch[pos:]:
                case.update(runs=[], classes=[], signatures=[], harness_error=f"{sid}: {problem}")
                case.pop("http", None)
                results.append(case)
                if progress:
                    progress(case)
            pos = len(batch)
        record = {"id": sid, "kind": "http-server", "variant": variant, "notes": server.notes,
                  "cases_run": [c["id"] for c, _ in batch[first:pos]], "argv": server.argv[1:],
                  "rss_before": server.rss_before, "rss_after": server.rss_after,
                  "rss_growth_mib": round((server.rss_after - server.rss_before) / (1 << 20), 1)
                  if server.rss_before and server.rss_after else None,
                  "exit": server.code, "check": getattr(server, "check", None),
                  "seconds": round(time.monotonic() - server.started, 1)}
        record["runs"] = [{"variant": variant, "classes": sorted({c for c, _ in found}),
                           "signatures": [s for _, s in found],
                           "steps": [{"step": "server", "argv": ["liveladder"] + server.argv[1:], "code": server.code,
                                      "seconds": record["seconds"], "stderr": server.stderr_head}]}]
        record["classes"] = record["runs"][0]["classes"]
        record["signatures"] = list(dict.fromkeys(record["runs"][0]["signatures"]))
        record["reproduce"] = [f"tools/fuzz/fuzz.py --kinds http --seed {seed} --count N (server {serial})"]
        if found:
            dest = os.path.join(self.findings, sid)
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest, symlinks=True)
            record["finding"] = dest
        if not keep and not self.args.keep_cases or not found and not keep:
            shutil.rmtree(folder, ignore_errors=True)
        return record, pos

    def http_case(self, case, folder, server, keep):
        made = case["http"]
        if made["variant"] == "origin":
            result = originfuzz.exchange(server.origin_port, made)
            found = originfuzz.judge(made, result, server.out, server.secrets, server.seen)
        else:
            result = httpfuzz.exchange(server.port, made)
            found = httpfuzz.judge(made, result)
        if result.get("connect_error") or not server.alive():
            # Did the server die under this case? Give it a moment to be reaped.
            try:
                server.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            if not server.alive():
                code = server.proc.returncode
                with open(os.path.join(server.folder, "stderr.txt"), "rb") as f:
                    stderr = f.read(400_000).decode("utf-8", "replace")
                how = signame(-code) if code < 0 else f"exit {code}"
                found = [f for f in found if f[0] != "server-gone"]
                found.append(("crash", f"crash http server {how}{tail(normalize(crash_line(stderr), server.folder))}"))
        run = {"variant": made["variant"], "classes": sorted({c for c, _ in found}), "signatures": [s for _, s in found],
               "steps": [{"step": "exchange", "seconds": result.get("seconds", 0), "closed": result["closed"],
                          "timed_out": result["timed_out"], "problem": result["problem"],
                          "send_error": result.get("send_error"), "connect_error": result.get("connect_error"),
                          "responses": [r.summary() for r in result["responses"]][:4],
                          "raw_head": result.get("raw_head", "")}]}
        case["runs"] = [run]
        case["classes"] = run["classes"]
        case["signatures"] = list(dict.fromkeys(run["signatures"]))
        case["_result"] = result
        send = ["python3", os.path.join(HERE, "httpfuzz.py"), "send", "--port", "PORT", "--plan",
                os.path.join(folder, "plan.json"), os.path.join(folder, "request.bin")]
        server_argv = [a if a != server.out else os.path.join(self.args.repro_dir, case["id"], "out") for a in server.argv]
        if made["variant"] == "origin":
            # Two ports: --serve (the one the case talks to) and --http (health, metrics).
            server_argv = [re.sub(r":\d+$", ":PORT" if prev == "--serve" else ":HTTP_PORT", a)
                           if a.startswith("127.0.0.1:") else a for prev, a in zip([""] + server_argv, server_argv)]
            send += ["--out", os.path.join(self.args.repro_dir, case["id"], "out")]
        else:
            server_argv = [re.sub(r":\d+$", ":PORT", a) if a.startswith("127.0.0.1:") else a for a in server_argv]
        if case["classes"]:
            dest = os.path.join(self.findings, case["id"])
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest)
            case["finding"] = os.path.join(dest, "request.bin")
            send = [a.replace(folder, dest) for a in send]
            with open(os.path.join(dest, "case.json"), "w") as f:
                json.dump({k: v for k, v in case.items() if k not in ("http", "_result")}, f, indent=2)
        if case["classes"] or keep or self.args.keep_cases:
            case["reproduce"] = [f"{shlex.join(server_argv)} &  {shlex.join(send)}"]
        if not keep and not self.args.keep_cases:
            shutil.rmtree(folder, ignore_errors=True)

    # --- running a case ------------------------------------------------------------------------

    def run_case(self, kind, seed, index, keep=False):
        cid = case_id(kind, seed, index)
        folder = os.path.join(self.cases_dir, cid)
        case = self.build(kind, seed, index, folder)
        if kind == "push":
            return self.run_push_case(case, folder, keep)
        timeout = self.args.special_timeout if case.get("special") else self.args.timeout
        mem = self.args.mem_limit * 1024 * 1024
        case["runs"] = []
        classes, signatures = set(), []
        for variant, cmd in case.pop("commands"):
            command = cmd[0]
            steps = []
            env = self.env
            if command == "regress":
                # regress's workspace (Foundation's temporaryDirectory) inside the case folder.
                env = dict(self.env, TMPDIR=os.path.join(folder, "tmp"))
                os.makedirs(env["TMPDIR"], exist_ok=True)
            guard = self.outside_lock if case.get("update") else contextlib.nullcontext()
            with guard:
                before = self.outside_snapshot() if case.get("update") else None
                result = run_bounded([self.binary] + cmd, timeout, mem, env)
                outside = self.outside_changes(before) if before is not None else []
            if command == "regress" and result.get("pid"):
                # Its workspace is /tmp/liveladder-regress-<pid>-<random> when TMPDIR is not honoured.
                outside += [f"new file {e.path}" for e in os.scandir("/tmp")
                            if e.name.startswith(f"liveladder-regress-{result['pid']}-")]
            steps.append(("main", command, result))
            found = self.classifier.binary_step(result, command, folder)
            if command == "summarize":
                found += summarize_problems(result)
            if command == "regress":
                found += regress_problems(result, case.get("junit"), folder)
                for change in outside:
                    # The path stays (it is the finding), with case and output folders named.
                    where = change.replace(folder, "<case>").replace(self.cases_dir, "<cases>").replace(self.out, "<out>")
                    found.append(("writes-outside", f"writes-outside regress: {re.sub(r'[0-9]+', 'N', where)}"))
            if command == "run" and result["code"] == 0 and not found:
                out_dir = cmd[cmd.index("--output") + 1]
                checked = run_bounded([self.binary, "check", out_dir], timeout, mem, self.env)
                steps.append(("check", "check", checked))
                check_found = self.classifier.binary_step(checked, "check", folder)
                found += [(c, s.replace("check", "check (of run's output)", 1)) for c, s in check_found]
                if checked["code"] != 0 and not checked["timed_out"]:
                    line = first_line(checked["stdout"]) or first_line(checked["stderr"])
                    found.append(("exit0-check-fails", f"exit0-check-fails: {normalize(line, folder)}"))
                master = os.path.join(out_dir, "master.m3u8")
                ff = run_bounded(["ffmpeg", "-nostdin", "-hide_banner", "-v", "warning", "-i", master, "-f", "null",
                                  "-"], timeout, mem, self.env)
                steps.append(("ffmpeg", "ffmpeg", ff))
                if ff["code"] != 0 or ff["stderr"].strip():
                    line = first_line(ff["stderr"]) or f"ffmpeg exit {ff['code']}"
                    found.append(("exit0-ffmpeg-warnings", f"exit0-ffmpeg-warnings: {normalize(line, folder)}"))
            run_record = {"variant": variant, "classes": sorted({c for c, _ in found}),
                          "signatures": [s for _, s in found],
                          "steps": [{"step": name, "argv": [os.path.basename(r["argv"][0])] + r["argv"][1:],
                                     **{k: r[k] for k in ("code", "signal", "timed_out", "mem_killed", "seconds",
                                                          "cpu", "peak_rss")},
                                     "stdout": r["stdout"][:2000], "stderr": r["stderr"][:4000]}
                                    for name, _, r in steps]}
            case["runs"].append(run_record)
            classes |= {c for c, _ in found}
            signatures += [s for _, s in found]
        case["classes"] = sorted(classes)
        case["signatures"] = list(dict.fromkeys(signatures))
        if classes:
            self.keep_finding(case, folder)
        if not keep and not self.args.keep_cases:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            case["reproduce"] = self.reproduce_commands(case, folder)
        return case

    def keep_finding(self, case, folder):
        dest = os.path.join(self.findings, case["id"])
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest, exist_ok=True)
        src = case["file"]
        if case["kind"] == "suites":
            # The case as built (a run with --update has rewritten its goldens): made again, deterministically.
            plan, _ = suites.mutate(case_rng("suites", case["seed"], case["index"]))
            target = os.path.join(dest, "suite")
            suites.apply(plan, target, self.suite_bases[plan["base"]])
            suites.argv(plan, target)
        elif case.get("special") and case["kind"] == "configs":
            target = src
            if src.startswith(folder):
                target = os.path.join(dest, os.path.basename(src))
                if os.path.exists(target) or os.path.islink(target):
                    os.remove(target)
                if stat.S_ISFIFO(os.lstat(src).st_mode):
                    os.mkfifo(target)
                elif os.path.isdir(src):
                    os.makedirs(target, exist_ok=True)
        elif os.path.isdir(src):
            target = os.path.join(dest, os.path.basename(src))
            copy_tree(src, target)
        else:
            target = os.path.join(dest, os.path.basename(src))
            shutil.copyfile(src, target)
        case["finding"] = target
        case["reproduce"] = self.reproduce_commands(case, folder, dest)
        # Config cases read the clean tiny seed: keep a copy beside the findings so they stand alone.
        clean = self.seed_paths[seeds.CONFIG_INPUT]
        if any(clean in command for command in case["reproduce"]):
            kept = os.path.join(self.findings, "seeds", os.path.basename(clean))
            with self.lock:
                if not os.path.exists(kept):
                    os.makedirs(os.path.dirname(kept), exist_ok=True)
                    shutil.copyfile(clean, kept)
            case["reproduce"] = [command.replace(clean, kept) for command in case["reproduce"]]
        with open(os.path.join(dest, "case.json"), "w") as f:
            json.dump({k: v for k, v in case.items()}, f, indent=2)

    # --- writes outside a case folder (regress --update) -------------------------------------------

    def outside_places(self, extra=()):
        """Folders a regress case must never write into: /, /dev, the cases folder itself (`goldens: ../..`),
        the seeds, and the repository's fixtures/regress (and golden/)."""
        return ["/", "/dev", self.cases_dir, os.path.join(self.out, "seeds"), self.out,
                os.path.join(ROOT, "fixtures", "regress"), os.path.join(ROOT, "fixtures", "regress", "golden")] + list(extra)

    def outside_snapshot(self, extra=()):
        snap = {}
        for place in self.outside_places(extra):
            try:
                with os.scandir(place) as entries:
                    for e in entries:
                        if place in ("/dev", self.cases_dir, self.out, ROOT, HERE) and e.is_dir(follow_symlinks=False):
                            continue  # other cases' folders, devices' subfolders
                        try:
                            st = e.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        snap[e.path] = (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else (-1, 0)
            except OSError:
                pass
        return snap

    def outside_changes(self, before, extra=()):
        after = self.outside_snapshot(extra)
        changes = []
        for path, sig in sorted(after.items()):
            if path.startswith("/dev/") and not path.endswith((".json", ".tmp")):
                continue  # device nodes come and go (ptys)
            if path == os.path.join(ROOT, "Package.resolved"):
                continue  # rewritten by a `swift build` in this worktree, not by a case
            if os.path.dirname(path) == self.out and os.path.basename(path) in ("results.jsonl", "manifest.txt", "report.json", "summary.txt"):
                continue  # the harness's own files, written as other cases finish
            if path.startswith("/tmp/"):
                continue  # /tmp is shared (other regress runs on the machine): run_case looks for this PID's workspace
            if path not in before:
                changes.append(f"new file {path}")
                # Ours to clean up: a golden the binary wrote where it must not (never a file that was there).
                if stat.S_ISREG(os.lstat(path).st_mode) and path.endswith((".json", ".tmp")):
                    os.remove(path)
            elif before[path] != sig and before[path][0] >= 0 and os.path.dirname(path) not in (ROOT, HERE):
                # (ROOT and HERE, watched for the push kind: new files only; a developer edits the harness)
                changes.append(f"changed file {path}")
        return changes

    def reproduce_commands(self, case, folder, dest=None):
        """The exact liveladder commands, with the case's files where a developer finds them."""
        commands = []
        for run in case["runs"]:
            argv = list(run["steps"][0]["argv"])
            argv[0] = self.binary
            if dest:
                argv = [a.replace(folder, dest) for a in argv]
                argv = [a.replace(os.path.join(dest, "out"), os.path.join(self.args.repro_dir, case["id"], "out"))
                        for a in argv]
            commands.append(shlex.join(argv))
        return commands


# ---------------------------------------------------------------------------------------------------
# The http kind: one `liveladder run --http` per batch, raw requests over sockets
# ---------------------------------------------------------------------------------------------------

HTTP_FIXTURE = os.path.join(ROOT, "fixtures", "cfr30-640x360.mp4")
# RSS the server may gain over a batch (after its warm-up) before it counts as a leak. Measured: a batch of
# clean requests gains under 2 MiB; a connection whose request the parser refuses with 400 while the client
# is still sending (a 1 MiB header) is half-closed by Hummingbird and held with ~180 KiB of buffers until
# the 60 s idle timeout, so 100-case batches gained up to ~50 MiB; that memory is reused afterwards (100
# such requests, 65 s, 100 more: 140 -> 143 -> 143 MiB), not leaked.
# FUZZ_HTTP_RSS_MIB overrides it: under AddressSanitizer (tools/asan.sh) freed memory sits in ASan's
# quarantine (256 MiB by default) and every block carries redzones, so RSS says nothing about leaks there;
# LeakSanitizer at the server's exit does.
HTTP_RSS_BOUND = int(os.environ.get("FUZZ_HTTP_RSS_MIB", "96")) << 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """One `liveladder run --realtime --loop --playlist-type event --http PORT [--http-token T]`."""

    def __init__(self, harness, variant, folder):
        self.harness, self.variant, self.folder = harness, variant, folder
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        self.port = free_port()
        self.token = httpfuzz.TOKEN if variant == "token" else None
        self.out = os.path.join(folder, "out")
        self.argv = self.command(harness.binary)
        self.stdout = open(os.path.join(folder, "stdout.txt"), "wb")
        self.stderr = open(os.path.join(folder, "stderr.txt"), "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.stdout, stderr=self.stderr,
                                     env=harness.env, start_new_session=True)
        self.found = []
        self.notes = []
        self.stopped_by = None
        self.restarts = 0  # restart commands the run took (202)
        self.rss_before = self.rss_after = 0
        self.started = time.monotonic()

    def command(self, binary):
        return [binary, "run", "--input", HTTP_FIXTURE, "--output", self.out, "--overwrite",
                "--realtime", "--loop", "--playlist-type", "event", "--segment-duration", "1",
                "--http", f"127.0.0.1:{self.port}"] + (["--http-token", self.token] if self.token else [])

    def alive(self):
        return self.proc.poll() is None

    def rss(self):
        return _rss_and_cpu(self.proc.pid)[0]

    def wait_ready(self, timeout):
        """Waits for /readyz 200 (every rendition published): the batch starts on a running pipeline."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if not self.alive():
                return f"exited {self.proc.returncode} before ready"
            status, _, body = httpfuzz.simple_get(self.port, "/readyz", timeout=2)
            if status == 200:
                # Warm-up: one of each answer, so the first allocations of each path are not a "leak".
                for path in ("/metrics", "/v1/status", "/livez", "/nope"):
                    httpfuzz.simple_get(self.port, path, self.token, timeout=5)
                self.rss_before = self.rss()
                return None
            last = (status, body[:100] if isinstance(body, bytes) else body)
            time.sleep(0.2)
        return f"not ready within {timeout:.0f} s (last: {last})"

    def health_after(self):
        """/livez 200, /metrics parses, RSS bounded: [(class, signature)]."""
        found = []
        status = None
        for _ in range(10):  # a busy machine may miss the liveness window once; not ten times
            status, _, body = httpfuzz.simple_get(self.port, "/livez", timeout=5)
            if status == 200:
                break
            time.sleep(0.5)
        if status != 200:
            found.append(("unhealthy-after-batch", f"unhealthy-after-batch: /livez {status}"))
        status, headers, body = httpfuzz.simple_get(self.port, "/metrics", timeout=5)
        if status != 200:
            found.append(("unhealthy-after-batch", f"unhealthy-after-batch: /metrics {status}"))
        else:
            problem = metrics_problem(body)
            if problem:
                found.append(("metrics-unparsable", f"metrics-unparsable: {normalize(problem, None)}"))
        self.rss_after = self.rss()
        return found + self.rss_check()

    def rss_check(self):
        if self.rss_before and self.rss_after and self.rss_after - self.rss_before > HTTP_RSS_BOUND:
            return [("rss-growth", f"rss-growth: more than {HTTP_RSS_BOUND >> 20} MiB over a batch")]
        return []

    def finish(self, timeout):
        """Stops the run (POST /v1/stop, unless a case did), checks exit 0 and `liveladder check` of the output."""
        found = []
        if self.alive() and not self.stopped_by:
            status, _, body = httpfuzz.simple_post(self.port, "/v1/stop", self.token, timeout=5)
            if status != 202:
                self.notes.append(f"POST /v1/stop answered {status}; SIGTERM")
                self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            found.append(("stop-exit", f"stop-exit: still running {timeout:.0f} s after the stop"))
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.stdout.close()
        self.stderr.close()
        code = self.proc.returncode
        with open(os.path.join(self.folder, "stderr.txt"), "rb") as f:
            stderr = f.read(400_000).decode("utf-8", "replace")
        self.code = code
        self.stderr_head = stderr[-4000:]
        if code is not None and code < 0 and not found:
            line = crash_line(stderr)
            found.append(("server-died", f"server-died: {signame(-code)}{tail(normalize(line, self.folder))}"))
        elif code not in (0, None) and not found:
            line = first_line(stderr, re.compile("^liveladder: error:")) or first_line(stderr)
            if code == 8 and self.restarts and "GAP segments where renditions were restarting" in line:
                # Documented (README): an event output left with GAP entries exits 8, and a requested restart
                # leaves its rendition's segments until the next boundary as GAPs.
                self.notes.append(f"exit 8 after {self.restarts} accepted restart command(s): documented")
            else:
                found.append(("stop-exit", f"stop-exit: exit {code}{tail(normalize(line, self.folder))}"))
        if SANITIZER.search(stderr):
            found.append(("server-died", f"server-died: {normalize(crash_line(stderr), self.folder)}"))
        if code == 0 or code == 8 and self.restarts and not found:
            checked = run_bounded([self.harness.binary, "check", self.out], timeout, 0, self.harness.env)
            self.check = {k: checked[k] for k in ("code", "signal", "seconds")} | {"stdout": checked["stdout"][:2000]}
            if checked["code"] != 0:
                line = first_line(checked["stdout"]) or first_line(checked["stderr"]) or f"exit {checked['code']}"
                found.append(("output-check-fails", f"output-check-fails: {normalize(line, self.folder)}"))
        return found


class OriginHttpServer(HttpServer):
    """The origin variant: `liveladder run --realtime --loop --playlist-type live --serve PORT --http PORT2`.
    The cases talk to --serve; --http (open, loopback) gives the health and metrics checks. Files the run never
    published are planted in the output folder for the leak oracle (and removed before `check`)."""

    def __init__(self, harness, variant, folder, ll=False):
        self.origin_port = free_port()
        self.ll = ll  # the parts flavour: fMP4 with --part-duration 0.5 (originfuzz.LL_ARGS)
        super().__init__(harness, "open", folder)  # --http without a token (loopback)
        self.variant = "origin"
        self.secrets = []
        self.seen = {}
        self.edge_before = None

    def command(self, binary):
        # The default segment duration (2 s): a blocked reload's 503 comes after 3 × 2 s.
        return [binary, "run", "--input", HTTP_FIXTURE, "--output", self.out, "--overwrite",
                "--realtime", "--loop", "--playlist-type", "live",
                "--serve", f"127.0.0.1:{self.origin_port}", "--http", f"127.0.0.1:{self.port}"] + \
            (originfuzz.LL_ARGS if self.ll else [])

    def wait_ready(self, timeout):
        problem = super().wait_ready(timeout)
        if problem:
            return problem
        state = originfuzz.live_state(self.origin_port)
        if state is None:
            return "the origin serves no 360p/index.m3u8 once ready"
        # Warm-up on the origin too: each kind of answer once.
        ext = "m4s" if self.ll else "ts"
        if self.ll and "part_target" not in state:
            return "the parts flavour's 360p/index.m3u8 has no EXT-X-PART-INF once ready"
        for path in ("/master.m3u8", "/240p/index.m3u8", f"/360p/segment-{state['sequence']}.{ext}", "/nope"):
            httpfuzz.simple_get(self.origin_port, path, timeout=5)
        originfuzz.plant(self.out)
        self.secrets = originfuzz.secrets(self.out)
        self.edge_before = state["edge"]
        self.rss_before = self.rss()
        return None

    def health_after(self):
        found = super().health_after()
        # Still producing: the live edge moves past where it was before the batch (a segment is 2 s).
        deadline = time.monotonic() + 10
        state = None
        while time.monotonic() < deadline:
            state = originfuzz.live_state(self.origin_port)
            if state and state["edge"] > self.edge_before:
                break
            time.sleep(0.5)
        else:
            found.append(("not-producing", f"not-producing: the live edge did not move in 10 s after the batch "
                                           f"({'no playlist' if state is None else 'stuck'})"))
        if state:
            self.notes.append(f"live edge {self.edge_before} -> {state['edge']}")
        return found

    def finish(self, timeout):
        # SIGTERM (not /v1/stop): a player-facing run is stopped by its supervisor; exit 0 is documented.
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            self.stopped_by = "SIGTERM"
        originfuzz.unplant(self.out)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        originfuzz.unplant(self.out)
        return super().finish(timeout)


def metrics_problem(body):
    """Why /metrics' text does not parse as the Prometheus exposition, or None; 'skipped' without the parser."""
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        return None
    try:
        families = list(text_string_to_metric_families(body.decode("utf-8")))
    except Exception as e:  # the parser raises ValueError and friends
        return f"{type(e).__name__}: {e}"
    if not any(f.name == "liveladder_build_info" for f in families):
        return "no liveladder_build_info family"
    return None


def have_prometheus_parser():
    try:
        import prometheus_client.parser  # noqa: F401
        return True
    except ImportError:
        return False


# ---------------------------------------------------------------------------------------------------
# Campaign, report
# ---------------------------------------------------------------------------------------------------

def parse_counts(text, kinds):
    if "=" not in text:
        return {k: int(text) for k in kinds}
    counts = {}
    for part in text.split(","):
        k, _, n = part.partition("=")
        if k not in KINDS:
            raise SystemExit(f"fuzz: --count: unknown kind {k!r}")
        counts[k] = int(n)
    return {k: counts.get(k, 0) for k in kinds}


def summarize(cases, meta):
    per_kind = {}
    for kind in KINDS + ["http-server"]:
        mine = [c for c in cases if c["kind"] == kind]
        if not mine:
            continue
        runs = [r for c in mine for r in c["runs"]]
        row = {"cases": len(mine), "runs": len(runs), "bad_cases": sum(1 for c in mine if c["classes"])}
        for cls in CLASSES:
            row[cls] = sum(1 for r in runs if cls in r["classes"])
        per_kind[kind] = row
    signatures = {}
    for c in cases:
        for run in c["runs"]:
            for sig in run["signatures"]:
                entry = signatures.setdefault(sig, {"signature": sig, "class": sig.split(" ")[0].rstrip(":"),
                                                    "runs": 0, "cases": [], "kinds": []})
                entry["runs"] += 1
                if c["id"] not in entry["cases"]:
                    entry["cases"].append(c["id"])
                if c["kind"] not in entry["kinds"]:
                    entry["kinds"].append(c["kind"])
    for entry in signatures.values():
        first = next(c for c in cases if c["id"] == entry["cases"][0])
        run_index = next(i for i, r in enumerate(first["runs"]) if entry["signature"] in r["signatures"])
        entry["reproduce"] = (first.get("reproduce") or [""])[run_index] if first.get("reproduce") else ""
        entry["reproduce_case"] = f"tools/fuzz/fuzz.py --case {first['id']} --binary {meta['binary']}" \
            if first["kind"] != "http-server" else entry["reproduce"]
        entry["notes"] = first.get("notes", [])
        by_id = {c["id"]: c for c in cases}
        entry["examples"] = [(cid, by_id[cid].get("notes", [])) for cid in entry["cases"][:4]]
    order = {c: i for i, c in enumerate(CLASSES)}
    sig_list = sorted(signatures.values(), key=lambda e: (order.get(e["class"], 99), -e["runs"], e["signature"]))
    return per_kind, sig_list


GDB_FRAME = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \((.*?)\)(?: at (\S+))?(?: from (\S+))?")


def gdb_backtrace(argv, env, timeout=90):
    """The crashing thread's frames under gdb ('function (file:line)' or 'function in lib'), or []."""
    if not shutil.which("gdb"):
        return []
    env = dict(env, SWIFT_BACKTRACE="enable=no")
    cmd = ["gdb", "-q", "-nx", "-batch", "-ex", "set pagination off", "-ex", "set print thread-events off",
           "-ex", "run", "-ex", "bt 24", "--args"] + argv
    result = run_bounded(cmd, timeout, 0, env, keep=400_000)
    frames = []
    for line in result["stdout"].splitlines():
        m = GDB_FRAME.match(line)
        if not m:
            continue
        func, where, lib = m.group(2), m.group(4), m.group(5)
        frames.append((func, where or (os.path.basename(lib) if lib else "")))
    if not frames:
        return []
    demangler = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
    names = [f for f, _ in frames]
    if os.path.exists(demangler):
        try:
            out = subprocess.run([demangler, "--simplified", "--compact"], input="\n".join(names) + "\n",
                                 capture_output=True, text=True, timeout=30).stdout.splitlines()
            if len(out) == len(names):
                names = out
        except (OSError, subprocess.SubprocessError):
            pass
    rendered = []
    for name, (_, where) in zip(names, frames):
        where = re.sub(r"^.*?/Sources/", "Sources/", where)
        rendered.append(f"{name[:120]} ({where})" if where else name[:120])
    return rendered


def gdb_pass(harness, cases, sig_list, per_signature=3, limit=12):
    """Backtraces under gdb for the first cases of each crash signature (the Swift backtracer stops in FFmpeg)."""
    by_id = {c["id"]: c for c in cases}
    for entry in [e for e in sig_list if e["class"] == "crash"][:limit]:
        stacks = []
        for cid in entry["cases"][:per_signature]:
            case = by_id[cid]
            if case["kind"] == "push":
                continue  # its run needs the harness's origin: `fuzz.py --case` reproduces it
            folder = os.path.join(harness.cases_dir, cid)
            run = next(r for r in case["runs"] if entry["signature"] in r["signatures"])
            index = case["runs"].index(run)
            argv = shlex.split(case["reproduce"][index]) if case.get("reproduce") else None
            if not argv:
                continue
            if "--output" in argv:
                out_dir = argv[argv.index("--output") + 1]
                shutil.rmtree(out_dir, ignore_errors=True)
            frames = gdb_backtrace(argv, harness.env)
            if frames and frames[:6] not in [s["frames"][:6] for s in stacks]:
                stacks.append({"case": cid, "frames": frames})
        entry["gdb"] = stacks
        harness.log(f"fuzz: gdb on {entry['signature'][:80]}: {len(stacks)} distinct stacks")


def render_summary(per_kind, sig_list, meta):
    out = []
    out.append(f"LiveLadder fuzz: seed {meta['seed']}, binary {meta['binary']} (sha256 {meta['binary_sha256'][:12]})")
    out.append(f"wall time {meta['wall_seconds']:.0f} s, jobs {meta['jobs']}, timeout {meta['timeout']} s "
               f"(special configs {meta['special_timeout']} s), memory limit {meta['mem_limit_mib']} MiB")
    out.append("")
    # The file kinds' classes always; the http ones when an http case ran.
    shown = CLASSES[:CLASSES.index(HTTP_CLASSES[0])]
    if any(k.startswith("http") for k in per_kind):
        shown = shown + HTTP_CLASSES
    if "push" in per_kind:
        shown = shown + PUSH_CLASSES
    header = ["kind", "cases", "runs", "bad"] + shown
    widths = [max(len(h), 9) for h in header]
    out.append("  ".join(h.rjust(w) for h, w in zip(header, widths)))
    for kind, row in per_kind.items():
        values = [kind, row["cases"], row["runs"], row["bad_cases"]] + [row[c] for c in shown]
        out.append("  ".join(str(v).rjust(w) for v, w in zip(values, widths)))
    out.append("")
    out.append("(class counts are runs: one liveladder run/check invocation with its follow-up check and ffmpeg)")
    out.append("")
    out.append(f"{len(sig_list)} distinct bad signatures:")
    for e in sig_list:
        out.append("")
        out.append(f"[{e['class']}] {e['signature']}")
        out.append(f"    {e['runs']} runs in {len(e['cases'])} cases ({', '.join(e['kinds'])}): "
                   f"{', '.join(e['cases'][:8])}{' …' if len(e['cases']) > 8 else ''}")
        for cid, notes in e["examples"]:
            out.append(f"    {cid}: {'; '.join(notes)[:180]}")
        for stack in e.get("gdb", []):
            out.append(f"    gdb ({stack['case']}): " + " <- ".join(stack["frames"][:7]))
        out.append(f"    reproduce: {e['reproduce']}")
        out.append(f"    or:        {e['reproduce_case']}")
    return "\n".join(out) + "\n"


def binary_sha(path):
    try:
        return seeds.sha256(path)
    except OSError:
        return "missing"


def write_ci_cases(report_path, limit=24):
    """One case per CI-gating signature of a campaign report, cheapest first, into ci-cases.txt."""
    with open(report_path) as f:
        report = json.load(f)
    by_id = {c["id"]: c for c in report["cases"]}
    lines, seen = [], set()
    for entry in report["signatures"]:
        if entry["class"] not in CI_GATES:
            continue
        def cost(cid):
            return sum(s["seconds"] for r in by_id[cid]["runs"] for s in r["steps"])
        cid = min(entry["cases"], key=cost)
        if cid in seen:
            continue
        seen.add(cid)
        lines.append(f"{cid:28} # {entry['signature'][:110]}")
    lines = lines[:limit]
    header = [f"# Cases pinned into `fuzz.py --ci` from {os.path.basename(report_path)} (seed {report['meta']['seed']}, "
              f"binary sha256 {report['meta']['binary_sha256'][:12]}):",
              "# one per distinct crash / hang / undocumented-exit signature. They fail CI until the defect is fixed;",
              "# do not delete a line to make CI green. Regenerate: fuzz.py --write-ci-cases REPORT."]
    with open(CI_PINNED_FILE, "w") as f:
        f.write("\n".join(header + lines) + "\n")
    print(f"fuzz: pinned {len(lines)} cases into {CI_PINNED_FILE}")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description="LiveLadder fuzz harness (see tools/fuzz/README.md)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", default="100", help="cases per kind, or inputs=N,configs=N,playlists=N")
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--binary", default=os.environ.get("LIVELADDER"))
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--findings", help="where the bad cases' files are kept (default OUT/findings)")
    p.add_argument("--repro-dir", default="/tmp/fuzz-repro", help="output folder root in printed commands")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, help="seconds per liveladder/ffmpeg invocation (default 30; 15 with --ci)")
    p.add_argument("--special-timeout", type=float, default=5.0,
                   help="timeout for the special config paths (/dev/zero, a FIFO, ...): known hangs")
    p.add_argument("--mem-limit", type=int, default=3072, help="MiB of RSS before a case is killed as a hang; 0: none")
    p.add_argument("--no-specials", action="store_true", help="leave out the special config paths")
    p.add_argument("--case", action="append", help="run only this case id (repeatable); its files are kept")
    p.add_argument("--generate-only", action="store_true", help="write the mutated files and a manifest; run nothing")
    p.add_argument("--keep-cases", action="store_true", help="keep every case's folder, not only bad ones")
    p.add_argument("--no-gdb", action="store_true",
                   help="skip the gdb backtraces of the first cases of each crash signature after the run")
    p.add_argument("--no-backtrace", action="store_true",
                   help="turn off the Swift runtime's crash backtrace (used for crash signatures)")
    p.add_argument("--nice", type=int, default=10)
    p.add_argument("--push-timeout", type=float, default=90.0,
                   help="seconds a push case's run may take (encode + drains against a hostile origin) before it is a hang")
    p.add_argument("--http-batch", type=int, default=100,
                   help="http cases per liveladder server (one server at a time; a case that stops the run ends it early)")
    p.add_argument("--http-variants", default=",".join(HTTP_VARIANTS),
                   help="the http kind's servers: worker (--http, token and open variants), origin (--serve); "
                        "--count N gives N cases of each")
    p.add_argument("--verbose", dest="verbose_bad", action="store_true", help="print each bad case as it finishes")
    p.add_argument("--ci", action="store_true",
                   help="the fixed CI set; exits 1 if any case crashes, hangs or exits with an undocumented code")
    p.add_argument("--write-ci-cases", metavar="REPORT",
                   help=f"pin one case per crash/hang/undocumented-exit signature of REPORT into {os.path.relpath(CI_PINNED_FILE, ROOT)}")
    args = p.parse_args(argv)

    if args.timeout is None:
        args.timeout = 15.0 if args.ci else 30.0
    if args.write_ci_cases:
        return write_ci_cases(args.write_ci_cases)
    if args.nice:
        os.nice(args.nice)
    kinds = [k for k in args.kinds.split(",") if k]
    http_variants = [v for v in args.http_variants.split(",") if v]
    for v in http_variants:
        if v not in HTTP_VARIANTS:
            raise SystemExit(f"fuzz: unknown http variant {v!r} (use {', '.join(HTTP_VARIANTS)})")
    for k in kinds:
        if k not in KINDS:
            raise SystemExit(f"fuzz: unknown kind {k!r} (use {', '.join(KINDS)})")
    if args.binary is None:
        args.binary = os.path.join(ROOT, ".build", "debug", "liveladder") if args.ci else \
            os.path.join(ROOT, ".build-fuzz", "release", "liveladder")
    if args.ci and not os.path.exists(args.binary):
        build = ["swift", "build", "--product", "liveladder"]
        print(f"fuzz: {args.binary} missing; building: {shlex.join(build)}", flush=True)
        subprocess.run(build, cwd=ROOT, check=True)
    if not args.generate_only and not os.access(args.binary, os.X_OK):
        raise SystemExit(f"fuzz: {args.binary} is not an executable (build it, or pass --binary)")

    harness = Harness(args)
    work = []  # (kind, seed, index)
    expected = {}  # pinned case id -> the exact classes it must have (ci-cases.txt's `ID = CLASS`)
    if args.case:
        for cid in args.case:
            kind, seed, index = parse_case_id(cid)
            work.append((kind, seed if seed is not None else None, index))
        kinds = sorted({w[0] for w in work}, key=KINDS.index)
    elif args.ci:
        args.seed = CI_SEED
        for kind in kinds:
            work += [(kind, CI_SEED, i) for i in range(CI_COUNTS[kind])]
        if "http" in kinds:
            work += [("http", CI_SEED, f"o{i}") for i in range(CI_ORIGIN_COUNT)]
        if "configs" in kinds:
            work += [("configs", None, f"special-{n}") for n in CI_SPECIALS]
        if os.path.exists(CI_PINNED_FILE):
            with open(CI_PINNED_FILE) as f:
                for line in f:
                    line = line.split("#", 1)[0].strip()
                    if line:
                        # `ID` (fails on a gating class) or `ID = CLASS[,CLASS…]|clean` (exactly those classes).
                        cid, _, want = line.partition("=")
                        kind, seed, index = parse_case_id(cid.strip())
                        if want.strip():
                            expected[case_id(kind, seed, index)] = sorted(
                                c.strip() for c in want.split(",") if c.strip() and c.strip() != "clean")
                        if kind in kinds and (kind, seed, index) not in work:
                            work.append((kind, seed, index))
    else:
        counts = parse_counts(args.count, kinds)
        for kind in kinds:
            if kind == "http":
                # --count N gives N cases of each selected http variant (worker: token and open; origin).
                if "worker" in http_variants:
                    work += [(kind, args.seed, i) for i in range(counts[kind])]
                if "origin" in http_variants:
                    work += [(kind, args.seed, f"o{i}") for i in range(counts[kind])]
                continue
            work += [(kind, args.seed, i) for i in range(counts[kind])]
        if "configs" in kinds and not args.no_specials and counts.get("configs"):
            work += [("configs", None, f"special-{n}") for n in SPECIAL_CONFIGS]

    needs_bases = any(k in ("playlists", "suites") for k, _, _ in work)
    if needs_bases and not os.access(args.binary, os.X_OK):
        raise SystemExit("fuzz: the playlist cases need the binary to make their base outputs")
    harness.prepare(sorted({k for k, _, _ in work}))

    if args.generate_only:
        manifest = []
        for kind, seed, index in work:
            folder = os.path.join(harness.cases_dir, case_id(kind, seed, index))
            case = harness.build(kind, seed, index, folder)
            manifest.append(f"{case.get('sha256', '-')}  {case['id']}  {'; '.join(case['notes'])[:120]}")
        path = os.path.join(harness.out, "manifest.txt")
        with open(path, "w") as f:
            f.write("\n".join(manifest) + "\n")
        print(f"fuzz: wrote {len(work)} cases under {harness.cases_dir}; manifest {path}")
        return 0

    started = time.time()
    meta = {"seed": args.seed, "binary": harness.binary, "binary_sha256": binary_sha(harness.binary),
            "jobs": args.jobs, "timeout": args.timeout, "special_timeout": args.special_timeout,
            "mem_limit_mib": args.mem_limit, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "command": shlex.join([sys.argv[0]] + (argv if argv is not None else sys.argv[1:])),
            "documented_exit_codes": {k: sorted(v) for k, v in harness.classifier.codes.items()},
            "ci": args.ci}
    os.makedirs(harness.out, exist_ok=True)
    jsonl = open(os.path.join(harness.out, "results.jsonl"), "w")
    results = []
    done = 0
    keep = bool(args.case)

    def one(item):
        kind, seed, index = item
        try:
            return harness.run_case(kind, seed, index, keep=keep)
        except Exception as e:  # a harness bug must not stop the campaign
            cid = case_id(kind, seed, index)
            return {"id": cid, "kind": kind, "runs": [], "classes": [], "signatures": [],
                    "harness_error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}

    def finished(case):
        nonlocal done
        results.append(case)
        jsonl.write(json.dumps(case) + "\n")
        jsonl.flush()
        done += 1
        if case.get("harness_error"):
            harness.log(f"fuzz: harness error in {case['id']}: {case['harness_error']}")
        if case["classes"] and (args.case or args.ci or args.verbose_bad):
            harness.log(f"  BAD {case['id']}: {', '.join(case['signatures'])[:300]}")
        if done % 50 == 0 or args.case:
            bad = sum(1 for c in results if c["classes"])
            harness.log(f"fuzz: {done}/{len(work)} cases, {bad} bad, {time.time() - started:.0f} s")

    http_work = [w for w in work if w[0] == "http"]
    file_work = [w for w in work if w[0] != "http"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for case in pool.map(one, file_work):
            finished(case)
    if http_work:
        if not have_prometheus_parser():
            harness.log("fuzz: http: prometheus_client is not installed: the /metrics parse check is skipped")
        meta["metrics_parser"] = have_prometheus_parser()
        try:
            _, servers = harness.run_http(http_work, keep=keep, progress=finished)
        except Exception as e:  # a harness bug: every http case not yet reported is a harness error
            servers = []
            seen = {c["id"] for c in results}
            for kind, seed, index in http_work:
                if case_id(kind, seed, index) not in seen:
                    finished({"id": case_id(kind, seed, index), "kind": kind, "runs": [], "classes": [],
                              "signatures": [], "harness_error": f"{type(e).__name__}: {e}",
                              "traceback": traceback.format_exc()})
        for server in servers:
            results.append(server)
            jsonl.write(json.dumps(server) + "\n")
            if server["classes"]:
                harness.log(f"  BAD {server['id']}: {', '.join(server['signatures'])[:300]}")
        meta["http_servers"] = [{k: s[k] for k in ("id", "variant", "rss_before", "rss_after", "rss_growth_mib",
                                                    "exit", "seconds", "notes")} | {"cases": len(s["cases_run"])}
                                for s in servers]
    jsonl.close()
    meta["wall_seconds"] = round(time.time() - started, 1)
    per_kind, sig_list = summarize(results, meta)
    if not args.no_gdb:
        gdb_pass(harness, results, sig_list)
    report = {"meta": meta, "per_kind": per_kind, "signatures": sig_list, "cases": results}
    with open(os.path.join(harness.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    summary = render_summary(per_kind, sig_list, meta)
    with open(os.path.join(harness.out, "summary.txt"), "w") as f:
        f.write(summary)
    print(summary)
    if args.case:
        for case in results:
            print(f"{case['id']}: {', '.join(case['classes']) or 'ok'}; files in "
                  f"{case.get('finding') or os.path.join(harness.cases_dir, case['id'])}")
            for command in case.get("reproduce", []):
                print(f"  {command}")
    print(f"report: {os.path.join(harness.out, 'report.json')}; summary: {os.path.join(harness.out, 'summary.txt')}")
    if args.ci:
        def fails(c):
            if c.get("harness_error"):
                return True
            if c["id"] in expected:
                return sorted(c["classes"]) != expected[c["id"]]
            return bool(set(c["classes"]) & CI_GATES)
        failed = [c for c in results if fails(c)]
        # `check http://…` against a hostile server (remotefuzz.py): its fixed set, about 10 s.
        import remotefuzz
        remote = remotefuzz.ci(harness.binary, os.path.join(harness.out, "remote"))
        for finding in remote:
            print(f"FAIL {finding}")
        for c in failed:
            if c["id"] in expected:
                print(f"FAIL {c['id']}: expected {', '.join(expected[c['id']]) or 'clean'}, got "
                      f"{', '.join(c['classes']) or 'clean'}: {'; '.join(c['signatures'])[:240]}")
            else:
                print(f"FAIL {c['id']}: {c.get('harness_error') or ''}"
                      f"{'; '.join(s for s in c['signatures'] if s.split(' ')[0].rstrip(':') in CI_GATES)[:300]}")
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed; "
              f"{remotefuzz.CI_COUNT - len(remote)} of {remotefuzz.CI_COUNT} remote cases clean")
        return 1 if failed or remote else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
