#!/usr/bin/env python3
"""grade.py: the course's autograder.

For each chapter it builds the chapter's Criterion tests against a folder of
exercises, runs every graded test in a process of its own (time, memory and
output limits), and scores each test from Criterion's JSON report and from a
"finished" mark that the test writes only when its body returns. Nothing the
exercise prints is ever read for the score. It prints a table, the failing
checks with their messages, and writes a Gradescope results.json.

Used by `make grade` (students), `make test` (the course checks itself) and
the instructor's class tools. Standard library only.
"""
import argparse
import concurrent.futures as futures
import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Limits for one graded test process (documented in README.md).
OUTPUT_LIMIT = 4 * 1024 * 1024   # bytes a test may write to stdout+stderr
MEMORY_LIMIT = 2 * 1024 ** 3     # address space, bytes
BUILD_TIMEOUT = 120              # seconds to build one chapter
RUNNER_GRACE = 10                # seconds past the test's own time limit
FEEDBACK_OUTPUT = 1500           # characters of a test's output kept


class Test:
    """One graded test, as declared by GRADED(...) in tests/SLUG.c."""

    def __init__(self, chapter, suite, name, points, slow, line):
        self.chapter, self.suite, self.name = chapter, suite, name
        self.points, self.slow, self.line = points, slow, line
        self.passed, self.message = False, ""

    @property
    def id(self):
        return f"{self.suite}::{self.name}"

    @property
    def time_limit(self):
        return 20.0 if self.slow else 5.0


class Chapter:
    def __init__(self, number, slug, title, uses):
        self.number, self.slug, self.title, self.uses = number, slug, title, uses
        self.tests, self.build_error, self.warnings = [], None, 0

    @property
    def key(self):
        return f"{self.number}-{self.slug}"

    @property
    def points(self):
        return sum(t.points for t in self.tests if t.passed)

    @property
    def max_points(self):
        return sum(t.points for t in self.tests)


GRADED_RE = re.compile(
    r"^\s*GRADED(_SLOW)?\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*(\d+)\s*\)", re.M)
USES_RE = re.compile(r"^USES_(\w+)\s*:=(.*)$", re.M)


def discover_chapters():
    """Chapters in reading order, from chapters/NN-slug.md with tests."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        uses = {m.group(1): m.group(2).split() for m in USES_RE.finditer(f.read())}
    chapters = []
    for name in sorted(os.listdir(os.path.join(ROOT, "chapters"))):
        m = re.match(r"^(\d\d)-(\w+)\.md$", name)
        if not m or not os.path.exists(os.path.join(ROOT, "tests", m.group(2) + ".c")):
            continue
        with open(os.path.join(ROOT, "chapters", name)) as f:
            first = f.readline()
        title = re.sub(r"\s*\{.*\}\s*$", "", first.lstrip("# ").strip())
        ch = Chapter(m.group(1), m.group(2), title, uses.get(m.group(2), []))
        ch.tests = read_manifest(ch)
        chapters.append(ch)
    return chapters


def read_manifest(ch):
    """The graded tests of a chapter and their points, from the test source."""
    path = os.path.join(ROOT, "tests", ch.slug + ".c")
    with open(path) as f:
        source = f.read()
    tests = []
    for m in GRADED_RE.finditer(source):
        line = source.count("\n", 0, m.start()) + 1
        tests.append(Test(ch, m.group(2), m.group(3), int(m.group(4)),
                          bool(m.group(1)), line))
    return tests


def clean_env():
    """The environment for sub-processes: no make state from a parent make."""
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    return env


def first_error(log):
    """The line of a build log that a student should read first."""
    lines = log.splitlines()
    for pattern in (r"\berror\b", r"undefined reference", r"No rule to make",
                    r"multiple definition"):
        for line in lines:
            if re.search(pattern, line):
                return line.strip()
    return next((l.strip() for l in lines if l.strip()), "the build failed")


def build_chapter(ch, args):
    """Builds the chapter's test runner; records why not on failure."""
    for slug in [ch.slug] + ch.uses:
        if not os.path.exists(os.path.join(args.exercises, slug + ".c")):
            ch.build_error = f"{args.exercises}/{slug}.c is missing"
            return None
    target = f"{args.build}/bin/{ch.slug}-tests"
    cmd = ["make", "--no-print-directory", "-C", ROOT, f"BUILD={args.build}",
           f"EXERCISES={args.exercises}", f"WERROR={1 if args.werror else 0}",
           f"EXTRA_CFLAGS={args.extra_cflags}", f"EXTRA_LDFLAGS={args.extra_ldflags}",
           target]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=BUILD_TIMEOUT, env=clean_env())
        log, ok = proc.stdout + proc.stderr, proc.returncode == 0
    except subprocess.TimeoutExpired:
        log, ok = f"the build took longer than {BUILD_TIMEOUT} s", False
    os.makedirs(os.path.join(ROOT, args.build), exist_ok=True)
    with open(os.path.join(ROOT, args.build, f"build-{ch.key}.log"), "w") as f:
        f.write(log)
    ch.warnings = len(re.findall(r"\bwarning:", log))
    if not ok:
        ch.build_error = "did not build: " + first_error(log)
        return None
    return os.path.join(ROOT, target)


def limit_resources(cpu_seconds):
    """Runs in the test process before exec: caps what the exercise can use."""
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not os.environ.get("GRADE_NO_MEMORY_LIMIT"):
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    return apply


def run_test(binary, test, workdir):
    """Runs one test in isolation and sets test.passed and test.message."""
    tag = f"{test.suite}.{test.name}"
    report = os.path.join(workdir, tag + ".json")
    sentinel = os.path.join(workdir, tag + ".done")
    output = os.path.join(workdir, tag + ".out")
    token = secrets.token_hex(16)
    env = clean_env()
    env.update(GRADE_SENTINEL=sentinel, GRADE_TOKEN=token)
    limit = test.time_limit + RUNNER_GRACE
    cmd = [binary, f"--filter={test.suite}/{test.name}", f"--json={report}",
           "--jobs=1", "--color=never", "--short-filename"]
    with open(output, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=workdir,
                                preexec_fn=limit_resources(int(limit) + 1))
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
    test.passed, test.message = verdict(test, report, sentinel, token, code)
    if not test.passed:
        printed = read_head(output, FEEDBACK_OUTPUT)
        if printed and code is not None and "[FAIL]" not in printed:
            test.message += "\n(what the program printed, first lines:)\n" + printed


def read_head(path, limit):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def verdict(test, report, sentinel, token, code):
    """(passed, message) from the JSON report, the finished mark and the
    runner's exit status."""
    if code is None:
        return False, (f"the test runner was stopped after {test.time_limit + RUNNER_GRACE:.0f} s: "
                       "an endless loop, or code that blocks (reading input?)")
    entry = None
    try:
        with open(report) as f:
            data = json.load(f)
        for suite in data.get("test_suites", []):
            for t in suite.get("tests", []):
                if suite.get("name") == test.suite and t.get("name") == test.name:
                    entry = t
    except (OSError, ValueError):
        pass
    if entry is None:
        why = describe_exit(code)
        return False, ("the test runner ended without a report" + (f" ({why})" if why else "")
                       + ": the exercise stopped the whole program (exit(), a crash "
                       "outside the test, or a constructor)")
    status = entry.get("status")
    messages = [strip_location(m) for m in entry.get("messages", [])]
    finished = f"{token} {test.suite}/{test.name}" in read_head(sentinel, 1 << 16).splitlines()
    if status == "PASSED":
        if not finished or entry.get("assertions", 0) < 1:
            return False, ("the test did not run to its end: the exercise ended the test "
                           "process early (exit(), _exit(), quick_exit() or similar), so "
                           "nothing was checked; scored 0")
        return True, ""
    if status == "ERRORED":
        text = " ".join(messages)
        if "timed out" in text:
            return False, (f"timed out after {test.time_limit:.0f} s: an endless loop, or far "
                           "too many steps")
        if "crash" in text:
            return False, ("crashed: a segmentation fault (an index outside an array, a NULL "
                           "pointer), an abort() or a failed assert(). Run the test alone under "
                           "gdb to see where: see README.md, 'When a test crashes'")
        return False, text or "errored"
    if status == "FAILED":
        return False, "\n".join(messages) or "failed"
    return False, f"unexpected status {status!r}"


def strip_location(message):
    """Criterion prefixes 'file.c:12: '; keep it short and readable."""
    return re.sub(r"^(\S+\.c):(\d+): ", r"tests/\1:\2: ", message)


def describe_exit(code):
    if code is None or code == 0:
        return "exit status 0" if code == 0 else ""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def grade_chapter(ch, args, workroot):
    binary = build_chapter(ch, args)
    if binary is None:
        for t in ch.tests:
            t.passed, t.message = False, f"chapter {int(ch.number)} {ch.build_error}"
        return
    workdir = os.path.join(workroot, ch.key)
    os.makedirs(workdir)
    with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(lambda t: run_test(binary, t, workdir), ch.tests))


# ---------------------------------------------------------------------------
# Reports

def table(chapters):
    lines = [f"{'Chapter':<38} {'Tests':>7} {'Points':>9}"]
    lines.append("-" * len(lines[0]))
    for ch in chapters:
        passed = sum(t.passed for t in ch.tests)
        row = (f"{ch.number} {ch.title[:35]:<35} {passed:>3}/{len(ch.tests):<3} "
               f"{ch.points:>4}/{ch.max_points:<4}")
        if ch.build_error:
            row += "  (did not build)" if ch.build_error.startswith("did not") else "  (missing)"
        lines.append(row)
    lines.append("-" * len(lines[0]))
    total = sum(c.points for c in chapters)
    maximum = sum(c.max_points for c in chapters)
    lines.append(f"{'Total':<38} {sum(sum(t.passed for t in c.tests) for c in chapters):>3}/"
                 f"{sum(len(c.tests) for c in chapters):<3} {total:>4}/{maximum:<4}")
    return "\n".join(lines)


def failures(chapters, per_chapter):
    """The failing checks, a few per chapter unless per_chapter is None."""
    out = []
    for ch in chapters:
        failing = [t for t in ch.tests if not t.passed]
        if not failing:
            continue
        out.append(f"\nChapter {int(ch.number)} ({ch.title}), exercises/{ch.slug}.c:")
        if ch.build_error:
            out.append(f"  {ch.build_error}")
            out.append(f"  (full log: build-{ch.key}.log in the build folder)")
            continue
        shown = failing if per_chapter is None else failing[:per_chapter]
        for t in shown:
            out.append(f"  FAIL {t.id} ({t.points} pt{'s' if t.points != 1 else ''})")
            for line in t.message.splitlines():
                out.append("       " + line)
        if len(shown) < len(failing):
            out.append(f"  ... and {len(failing) - len(shown)} more: make grade CH={ch.number}")
    return "\n".join(out)


def results_json(chapters, elapsed, summary):
    tests = []
    for ch in chapters:
        for i, t in enumerate(ch.tests, 1):
            tests.append({
                "name": f"Chapter {int(ch.number)}: {t.id}",
                "number": f"{int(ch.number)}.{i}",
                "score": t.points if t.passed else 0,
                "max_score": t.points,
                "status": "passed" if t.passed else "failed",
                "output": t.message if not t.passed else "passed",
                "tags": [ch.slug],
                "visibility": "visible",
            })
    return {
        "score": sum(c.points for c in chapters),
        "max_score": sum(c.max_points for c in chapters),
        "execution_time": round(elapsed, 2),
        "output": summary,
        "stdout_visibility": "visible",
        "tests": tests,
    }


def check_expectation(chapters, expect):
    """For `make test`: every test must pass (solutions) or fail (stubs)."""
    wrong = []
    for ch in chapters:
        for t in ch.tests:
            if expect == "full" and not t.passed:
                wrong.append(f"{ch.key} {t.id} fails on the solutions: {t.message}")
            if expect == "zero" and t.passed:
                wrong.append(f"{ch.key} {t.id} passes on the stubs: it asserts nothing "
                             "a stub cannot satisfy")
            if expect == "zero" and t.message.startswith(("crashed", "timed out", "the test")):
                wrong.append(f"{ch.key} {t.id} does not fail cleanly on the stubs: {t.message}")
    return wrong


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build/grade")
    p.add_argument("--exercises", default="exercises")
    p.add_argument("--chapter", action="append", help="NN-slug or NN; repeatable")
    p.add_argument("--report", help="path of the Gradescope results.json")
    p.add_argument("--werror", action="store_true")
    p.add_argument("--extra-cflags", default="")
    p.add_argument("--extra-ldflags", default="")
    p.add_argument("--expect", choices=["full", "zero"])
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--quiet", action="store_true", help="only the table and the verdict")
    args = p.parse_args()
    os.chdir(ROOT)

    chapters = discover_chapters()
    if args.chapter:
        wanted = {c.split("-")[0].zfill(2) for c in args.chapter}
        unknown = wanted - {c.number for c in chapters}
        if unknown:
            print(f"grade: no chapter {', '.join(sorted(unknown))}; the chapters are "
                  f"{' '.join(c.number for c in chapters)}", file=sys.stderr)
            return 2
        chapters = [c for c in chapters if c.number in wanted]

    start = time.time()
    workroot = tempfile.mkdtemp(prefix="grade-")
    try:
        for ch in chapters:
            grade_chapter(ch, args, workroot)
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    elapsed = time.time() - start

    summary = table(chapters)
    detail = failures(chapters, None)
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, "w") as f:
            json.dump(results_json(chapters, elapsed, summary), f, indent=2)
        with open(os.path.join(os.path.dirname(os.path.abspath(args.report)),
                               "feedback.txt"), "w") as f:
            f.write(summary + "\n" + detail + "\n")

    if args.expect:
        wrong = check_expectation(chapters, args.expect)
        print(summary if not args.quiet else summary.splitlines()[-1])
        for w in wrong:
            print("  " + w)
        total = sum(len(c.tests) for c in chapters)
        bad = len({w.split(" ")[1] for w in wrong})
        print(f"expect-{args.expect}: {total - bad} passed, {bad} failed")
        return 1 if wrong else 0

    print(summary)
    if not args.quiet:
        print(failures(chapters, None if len(chapters) == 1 else 2))
        warned = [c for c in chapters if c.warnings and not c.build_error]
        for c in warned:
            print(f"\nnote: exercises/{c.slug}.c and the files it uses gave {c.warnings} "
                  f"compiler warning(s); see {args.build}/build-{c.key}.log")
        if args.report:
            print(f"\nReport: {args.report} (Gradescope format); all messages: "
                  f"{os.path.join(os.path.dirname(args.report), 'feedback.txt')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
