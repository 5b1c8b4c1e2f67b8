#!/usr/bin/env python3
"""test_grader.py: the grader's own tests, on hostile and broken submissions.

Each fixture in tests/hostile/NAME.fault is a copy of exercises/ with one
fault: the reference solutions, with one piece of code planted in one file
(see tests/hostile/README.md for the format). Every fixture is graded by
tools/grade.py as a student's submission would be, and the test asserts:

  - each test the fixture names scores 0 with the expected message;
  - each test it names under keep: keeps its points (the tests the fault
    cannot reach);
  - the chapters it does not touch keep all their points;
  - no failing message of its chapter names a cause ("This is what you get
    when ...") that the fixture did not plant (an expect: TEXT on that
    cause) or list as another cause of the same value (fits:);
  - the report's total is the sum of the tests, and the grader ended
    within BOUND seconds.

A fixture with runtime: lines is graded twice: as students are (the
grader's check of the compiled objects refuses it first), and with that
check switched off (--no-symbol-check), to show that the run-time defences
(the finished mark, the report checks, the limits) hold on their own.
When the tests run as root, no process of the sandbox uids may survive.

Fixtures run in parallel. Prints "test_grader: N passed, N failed".
Usage: test_grader.py [--jobs N] [--fixtures DIR] [NAME ...]
  (--fixtures tests/mistakes: the typical mistakes and correct variants;
  see tests/mistakes/README.md)
"""
import argparse
import concurrent.futures as futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402  (the chapter list and the sandbox uid range)

FIXTURES = os.path.join(ROOT, "tests", "hostile")
WORK = os.path.join(ROOT, "build", "selftest", "hostile")  # main() may change both
BOUND = 90  # seconds one grading of one fixture may take, at most
SEEDS = "1-20"  # the held-back checks' seeds for the proofs (mistakes, held: yes)
PRELUDE = ("#define _GNU_SOURCE\n#include <assert.h>\n#include <math.h>\n#include <stdio.h>\n"
           "#include <stdlib.h>\n#include <unistd.h>\n")


class Fixture:
    def __init__(self, path):
        self.name = os.path.basename(path)[:-len(".fault")]
        self.expect, self.runtime, self.keep, self.keep_runtime = [], [], [], []
        self.fits = []  # hints that also fit the planted slip: (test, fragment)
        self.any_hint = False
        self.chapters, self.where, self.runtime_needs_root = [], None, False
        self.about, self.helpers, self.absent = "", "", []
        self.held, self.expect_held = False, []
        with open(path) as f:
            text = f.read()
        head, sep, self.code = text.partition("\ncode:\n")
        if not sep:
            raise ValueError(f"{path}: no 'code:' line")
        head, sep, self.helpers = head.partition("\nhelpers:\n")
        head, sep, find = head.partition("\nfind:\n")
        if sep:  # several lines to replace: the text between find: and code:
            self.where = ("replace", find.strip("\n").strip())
        for line in head.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key in ("expect", "runtime", "fits"):
                test, _, fragment = value.partition(" = ")
                getattr(self, key).append((test.strip(), fragment.strip()))
            elif key in ("keep", "keep-runtime"):
                getattr(self, key.replace("-", "_")).append(value)
            elif key in ("in", "top", "replace", "delete"):
                self.where = (key, value)
            elif key == "file":
                self.file = value
            elif key == "chapters":
                self.chapters = value.split()
            elif key == "about":
                self.about = value
            elif key == "absent":
                self.absent.append(value)
            elif key == "held":
                self.held = value == "yes"
            elif key == "expect-held":
                test, _, fragment = value.partition(" = ")
                self.expect_held.append((test.strip(), fragment.strip()))
            elif key == "hints":  # any: garbage may give any value, and so hit a hint
                self.any_hint = value == "any"
            elif key == "runtime-needs-root":
                self.runtime_needs_root = value == "yes"
            else:
                raise ValueError(f"{path}: unknown key {key!r}")
        if not self.where or not (self.expect or self.keep):
            raise ValueError(f"{path}: needs one of in/top/replace/delete, and expect or "
                             f"keep lines")


def leaf_chapter(chapters):
    """A chapter other than 1 that no other chapter links with, found at run
    time (chapters are being written): a fault there touches it alone."""
    used = {u for c in chapters for u in c.uses}
    leaves = [c for c in chapters if c.slug != "gd" and c.slug not in used
              and os.path.exists(os.path.join(ROOT, "solutions", c.slug + ".c"))]
    return leaves[-1] if leaves else None


def plant(source, where, code, helpers=""):
    """source with the fixture's code planted (and its helpers at file
    scope, after the #includes)."""
    if helpers:
        includes = list(re.finditer(r"^#include .*$", source, re.M))
        at = includes[-1].end() if includes else 0
        source = source[:at] + "\n" + helpers + "\n" + source[at:]
    kind, arg = where
    if kind == "in":
        m = re.search(r"^[^\n;]*\b" + re.escape(arg) + r"\([^;{]*\)\s*\{", source, re.M)
        if not m:
            raise ValueError(f"no function {arg} in the solution")
        return PRELUDE + source[:m.end()] + "\n" + code + "\n" + source[m.end():]
    if kind == "top":
        includes = list(re.finditer(r"^#include .*$", source, re.M))
        at = includes[-1].end() if includes else 0
        return PRELUDE + source[:at] + "\n" + code + "\n" + source[at:]
    if kind == "replace":
        if arg not in source:
            raise ValueError(f"no {arg!r} in the solution")
        return PRELUDE + source.replace(arg, code.strip(), 1)
    if kind == "delete":
        m = re.search(r"^[^\n;]*\b" + re.escape(arg) + r"\([^;{]*\)\s*\{.*?^\}\n", source,
                      re.M | re.S)
        if not m:
            raise ValueError(f"no function {arg} in the solution")
        return PRELUDE + source[:m.start()] + source[m.end():]
    raise ValueError(kind)


def grade_cmd(build, exercises, chapters, report, extra=()):
    cmd = [sys.executable, os.path.join(ROOT, "tools", "grade.py"),
           "--build", os.path.relpath(build, ROOT),
           "--exercises", os.path.relpath(exercises, ROOT),
           "--report", report, "--quiet", "--jobs", "2"]
    for c in chapters:
        cmd += ["--chapter", c]
    return cmd + list(extra)


def base_dir():
    return os.path.join(WORK, "_base")


def held_proof(fx):
    """Whether a fixture is graded with the held-back checks too: every
    typical mistake and variant, and the hostile fixtures that ask."""
    return (fx is None and FIXTURES.endswith("mistakes")) or \
        (fx is not None and (fx.held or FIXTURES.endswith("mistakes")))


def prepare_base(chapters):
    """Grades the solutions once: the baseline, and the course's judges and
    drivers (plain and sanitizer) and the compile cache that every
    fixture's grading then reuses."""
    base = base_dir()
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    report = os.path.join(base, "results.json")
    proc = subprocess.run(grade_cmd(os.path.join(base, "build"), os.path.join(ROOT, "solutions"),
                                    [c.number for c in chapters], report,
                                    ["--seeds", SEEDS] if held_proof(None) else []),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"test_grader: grading the solutions failed: {proc.stderr}")
    targets = [p for c in chapters for p in grade.driver_parts(c.slug, "sanitize")]
    ok, log = grade.make(sorted(set(targets)), jobs=os.cpu_count() or 2)
    if not ok:
        raise SystemExit(f"test_grader: the sanitizer drivers did not build: {log[-2000:]}")
    with open(report) as f:
        return {t["name"]: t for t in json.load(f)["tests"]}


HINT = "This is what you get when "
HINT_END = re.compile(r"\. See |\.?$", re.M)


def hints(message):
    """The causes a failure message names, as (start, end) spans of the
    message: "This is what you get when A, or when B." gives A and B. What
    the code printed (after the message) is not searched."""
    message = message.split("\n(what your code printed")[0]
    spans, at = [], message.find(HINT)
    while at >= 0:
        start = at + len(HINT)
        end = HINT_END.search(message, start).start()
        for cause in message[start:end].split(", or when "):
            spans.append((start, start + len(cause)))
            start += len(cause) + len(", or when ")
        at = message.find(HINT, end)
    return spans


def unplanted_hints(fx, test, message, expect):
    """The causes the message of `test` names that the fixture neither
    planted (an expect: TEXT on that part of the message) nor lists as also
    fitting (fits: TEST = TEXT): a hint must never blame a slip that is not
    there."""
    fragments = [f for t, f in expect + fx.fits if t in (test, "*") and f != "?"]
    wrong = []
    for start, end in hints(message):
        known = any(start < m.start() + len(f) and m.start() < end
                    for f in fragments for m in re.finditer(re.escape(f), message))
        if not known:
            wrong.append(message[start:end])
    return wrong


def check_report(fx, mode, report, baseline, chapter_of_file, elapsed):
    """The problems with one graded fixture, as a list of strings."""
    expect = fx.expect if mode == "normal" else fx.runtime
    keep = fx.keep if mode == "normal" else fx.keep_runtime
    label = f"{fx.name} ({mode})"
    problems = []
    if elapsed > BOUND:
        problems.append(f"{label}: grading took {elapsed:.0f} s, over the {BOUND} s bound")
    with open(report) as f:
        data = json.load(f)
    tests = {t["name"]: t for t in data["tests"]}
    if data["score"] != sum(t["score"] for t in tests.values()) or \
            data["max_score"] != sum(t["max_score"] for t in tests.values()):
        problems.append(f"{label}: the report's total is not the sum of its tests")
    prefix = f"Chapter {int(chapter_of_file.number)}: "
    held_prefix = f"Chapter {int(chapter_of_file.number)} (held-back): "
    problems += check_held(fx, mode, tests, held_prefix, label)
    for test, fragment in expect:
        if fragment == "?":
            continue
        names = [n for n in tests if n.startswith(prefix)] if test == "*" else [prefix + test]
        wrong = [n for n in names if n not in tests or tests[n]["score"] != 0
                 or fragment not in tests[n]["output"]]
        if not names or wrong:
            t = tests.get(wrong[0]) if wrong else None
            problems.append(f"{label}: {test} should score 0 with a message containing "
                            f"{fragment!r}" + (f" ({len(wrong)} tests do not)" if test == "*"
                                               else "") +
                            (f"; {wrong[0]} got {t['score']} points and: {t['output'][:400]}"
                             if t else "; no such test in the report"))
    for test in keep:
        names = [n for n in tests if n.startswith(prefix)] if test == "*" else [prefix + test]
        for name in names:
            t = tests.get(name)
            if t is None or t["score"] != t["max_score"]:
                problems.append(f"{label}: {name} should keep its points; got: "
                                f"{t['output'][:300] if t else 'no such test'}")
    # Tests the fault may reach lose points as it decides; the chapters it
    # cannot reach must score as they do on the solutions.
    for name, t in tests.items():
        base = baseline.get(name)
        if not name.startswith((prefix, held_prefix)) and base is not None and \
                t["score"] != base["score"]:
            problems.append(f"{label}: {name}, in a chapter the fault does not touch, "
                            f"scored {t['score']} instead of {base['score']}: "
                            f"{t['output'][:300]}")
    for name, t in tests.items():
        if t["score"] > 0 and t["output"] != "passed":
            problems.append(f"{label}: {name} has points and a failure message")
        if t["score"] == 0 and name.startswith(prefix) and not fx.any_hint:
            for cause in unplanted_hints(fx, name[len(prefix):], t["output"], expect):
                problems.append(f"{label}: {name} names a slip the fixture did not plant "
                                f"(list it as fits: if it also gives this value): "
                                f"{cause!r}")
    return problems


def check_held(fx, mode, tests, held_prefix, label):
    """The held-back layer's proofs, where the fixture was graded on SEEDS:
    a mistake is caught by some held-back check on every seed; a correct
    variant passes every one of its chapter's on every seed; expect-held:
    TEST (or *) fails on every seed."""
    held = {n: t for n, t in tests.items() if "held-back" in t.get("tags", [])}
    mine = {n: t for n, t in held.items() if n.startswith(held_prefix)}
    if not held or mode != "normal":
        return []
    first, last = (int(v) for v in SEEDS.split("-"))
    problems = []
    if fx.expect and not fx.keep == ["*"] and FIXTURES.endswith("mistakes"):
        missed = [s for s in range(first, last + 1)
                  if not any(s in t.get("seeds_failed", []) for t in held.values())]
        if missed:
            problems.append(f"{label}: no held-back check catches it on seeds {missed}")
    if "*" in fx.keep and FIXTURES.endswith("mistakes"):
        for name, t in mine.items():
            if t.get("seeds_failed"):
                problems.append(f"{label}: {name} fails on seeds {t['seeds_failed']}: "
                                f"{t['output'][:300]}")
    for test, fragment in fx.expect_held:
        names = list(mine) if test == "*" else [held_prefix + test]
        for name in names:
            t = mine.get(name)
            if t is None or len(t.get("seeds_failed", [])) != last - first + 1 \
                    or fragment not in t["output"]:
                problems.append(f"{label}: {name} should fail on every seed with "
                                f"{fragment!r}; failed on "
                                f"{t.get('seeds_failed') if t else 'no such test'}: "
                                f"{t['output'][:200] if t else ''}")
    return problems


def run_fixture(fx, mode, chapters, baseline):
    by_number = {c.number: c for c in chapters}
    by_slug = {c.slug: c for c in chapters}
    leaf = leaf_chapter(chapters)
    filename = fx.file
    if filename == "@leaf":
        if leaf is None:
            return None  # only chapter 1 exists yet
        filename = leaf.slug + ".c"
    target = by_slug.get(filename[:-2])
    if target is None:
        return [f"{fx.name}: no chapter for {filename}"]
    wanted = [leaf.number if c == "@leaf" else c for c in fx.chapters] or [target.number]
    if fx.keep == ["*"] and FIXTURES.endswith("mistakes"):
        # a correct variant keeps its points in the chapters built on it too
        # (the capstone trains with chapter 4's Adam): they are graded, and
        # must score as on the solutions
        wanted += [c.number for c in chapters if target.slug in c.uses]
    wanted = [c for c in wanted if c in by_number]
    folder = os.path.join(WORK, fx.name + ("" if mode == "normal" else "-runtime"))
    shutil.rmtree(folder, ignore_errors=True)
    exercises = os.path.join(folder, "exercises")
    shutil.copytree(os.path.join(ROOT, "solutions"), exercises)
    path = os.path.join(exercises, filename)
    with open(path) as f:
        source = f.read()
    try:
        for path_ in fx.absent:
            if os.path.lexists(path_):
                os.remove(path_)
        planted = plant(source, fx.where, fx.code, fx.helpers)
    except ValueError as e:
        return [f"{fx.name}: cannot plant the fault: {e}"]
    with open(path, "w") as f:
        f.write(planted)
    build = os.path.join(folder, "build")
    report = os.path.join(folder, "results.json")
    extra = ["--no-symbol-check"] if mode == "runtime" else []
    if held_proof(fx) and mode == "normal":
        extra += ["--seeds", SEEDS]
    start = time.time()
    try:
        proc = subprocess.run(grade_cmd(build, exercises, wanted, report, extra),
                              capture_output=True, text=True, timeout=BOUND * 2)
    except subprocess.TimeoutExpired:
        return [f"{fx.name} ({mode}): the grader did not end within {BOUND * 2} s"]
    elapsed = time.time() - start
    if proc.returncode != 0 or not os.path.exists(report):
        return [f"{fx.name} ({mode}): the grader exited with {proc.returncode}: "
                f"{proc.stderr.strip()[-500:]}"]
    problems = check_report(fx, mode, report, baseline, target, elapsed)
    return problems + [f"{fx.name} ({mode}): the submission wrote {p}, outside its folder"
                       for p in fx.absent if os.path.lexists(p)]


# Hostile fixtures graded once more through the Gradescope zip (each grades
# the whole course there: a few, one of each kind of door).
THROUGH_GRADESCOPE = ("criterion-lookup", "include-outside", "section-name-incbin",
                      "syscall-bytes-in-text", "sanitizer-only", "hardcoded-visible")


def scores(path):
    """{test name: score} of a results.json, or {} when there is none."""
    try:
        with open(path) as f:
            return {t["name"]: t["score"] for t in json.load(f)["tests"]}
    except (OSError, ValueError, KeyError):
        return {}


def same_scores(name, how, mine, theirs):
    """The problems when a fixture's tests score otherwise than on make grade."""
    if not theirs:
        return [f"{name} ({how}): no results"]
    return [f"{name} ({how}): {test} scored {theirs[test]}, on make grade {score}"
            for test, score in sorted(mine.items())
            if test in theirs and theirs[test] != score] + \
        ([f"{name} ({how}): {len(mine)} tests on make grade, none in common"]
         if not set(mine) & set(theirs) else [])


def through_class_and_gradescope(fixtures):
    """Every fixture graded again as a student of a class (grade_class.py)
    and a few through the Gradescope zip: each test must earn exactly what
    make grade gave it. Returns (checks passed, problems)."""
    import gradescope
    work = os.path.join(WORK, "_through")
    shutil.rmtree(work, ignore_errors=True)
    subs = os.path.join(work, "class")
    graded = {}
    for fx in fixtures:
        folder = os.path.join(WORK, fx.name, "exercises")
        mine = scores(os.path.join(WORK, fx.name, "results.json"))
        if os.path.isdir(folder) and mine:
            shutil.copytree(folder, os.path.join(subs, fx.name, "exercises"))
            graded[fx.name] = mine
    numbers = sorted({re.match(r"Chapter (\d+)", t).group(1).zfill(2)
                      for mine in graded.values() for t in mine})
    out = os.path.join(work, "out")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "grade_class.py"), subs, "--out", out,
           "--jobs", "2", "--quiet", "--no-held"] + [a for n in numbers
                                                      for a in ("--chapter", n)]
    subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    passed, problems = 0, []
    for name, mine in sorted(graded.items()):
        found = same_scores(name, "class grading", mine,
                            scores(os.path.join(out, "students", name, "results.json")))
        problems += found
        passed += not found
    zip_path = os.path.join(work, "autograder.zip")
    gradescope.build_zip(zip_path)
    root = os.path.join(work, "autograder")
    gradescope.unzip(zip_path, os.path.join(root, "source"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env["AUTOGRADER_ROOT"] = root
    gradescope.prepare(root, env)
    for name in THROUGH_GRADESCOPE:
        if name not in graded:
            continue
        shutil.rmtree(os.path.join(root, "submission"), ignore_errors=True)
        shutil.rmtree(os.path.join(root, "results"), ignore_errors=True)
        shutil.copytree(os.path.join(subs, name, "exercises"),
                        os.path.join(root, "submission", "exercises"))
        subprocess.run(["bash", os.path.join(root, "source", "run_autograder")], env=env,
                       capture_output=True, text=True, timeout=1200)
        found = same_scores(name, "Gradescope", graded[name],
                            scores(os.path.join(root, "results", "results.json")))
        problems += found
        passed += not found
    return passed, problems


def sandbox_leftovers():
    """Processes still running under the grader's sandbox uids."""
    low = grade.SANDBOX_UID_DEFAULT
    for _ in range(50):  # killed processes take a moment to go
        left = []
        for pid in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else []):
            try:
                with open(f"/proc/{pid}/status") as f:
                    status = f.read()
            except OSError:
                continue
            # a process of a sandbox uid that outlived its grader: reparented
            # to init (another grader's live processes still have theirs)
            m = re.search(r"^Uid:\s+(\d+)", status, re.M)
            parent = re.search(r"^PPid:\s+(\d+)", status, re.M)
            if (m and low <= int(m.group(1)) < low + grade.SANDBOX_UID_RANGE
                    and parent and parent.group(1) in ("0", "1")
                    and not re.search(r"^State:\s+[ZX]", status, re.M)):
                left.append(pid)
        if not left:
            break
        time.sleep(0.1)
    return left


def main():
    global FIXTURES, WORK
    p = argparse.ArgumentParser(description="the grader's tests on hostile submissions")
    p.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    p.add_argument("--fixtures", default=FIXTURES,
                   help="the folder of .fault files (default: tests/hostile)")
    p.add_argument("names", nargs="*", help="fixtures to run (default: all)")
    args = p.parse_args()
    os.chdir(ROOT)
    FIXTURES = os.path.abspath(args.fixtures)
    WORK = os.path.join(ROOT, "build", "selftest", os.path.basename(FIXTURES))
    paths = sorted(os.path.join(FIXTURES, n) for n in os.listdir(FIXTURES)
                   if n.endswith(".fault"))
    fixtures = [Fixture(path) for path in paths]
    if args.names:
        fixtures = [fx for fx in fixtures if fx.name in args.names]
    chapters = grade.discover_chapters()
    leaf = leaf_chapter(chapters)
    files = {fx.file[:-2] for fx in fixtures}
    base_chapters = [c for c in chapters if c.slug == "gd" or c is leaf or c.slug in files
                     or FIXTURES.endswith("mistakes") and set(c.uses) & files]
    start = time.time()
    baseline = prepare_base(base_chapters)
    root = os.geteuid() == 0
    runs = [(fx, "normal") for fx in fixtures] + [(fx, "runtime") for fx in fixtures
                                                  if fx.runtime and (root or not
                                                                     fx.runtime_needs_root)]
    skipped_runtime = [fx.name for fx in fixtures if fx.runtime and fx.runtime_needs_root
                       and not root]
    passed, failed, skipped = 0, [], []
    with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = pool.map(lambda r: (r, run_fixture(r[0], r[1], chapters, baseline)), runs)
        for (fx, mode), problems in results:
            if problems is None:
                skipped.append(fx.name)
            elif problems:
                failed += problems
                print(f"FAIL {fx.name} ({mode}): {fx.about}", flush=True)
            else:
                passed += 1
                print(f"ok   {fx.name} ({mode}): {fx.about}", flush=True)
    if not FIXTURES.endswith("mistakes") and not args.names:
        ok, problems = through_class_and_gradescope(fixtures)
        passed += ok
        failed += problems
        print(f"{'ok  ' if not problems else 'FAIL'} every fixture earns on class grading "
              f"(and {len(THROUGH_GRADESCOPE)} through the Gradescope zip) what it earns on "
              f"make grade")
    if os.geteuid() == 0:
        left = sandbox_leftovers()
        if left:
            failed.append(f"processes of the sandbox uids still run: {', '.join(left)}")
        else:
            passed += 1
            print("ok   no process of the sandbox uids is left running")
    for name in skipped:
        print(f"skip {name}: needs a chapter other than 1 that no chapter links with")
    for name in skipped_runtime:
        print(f"skip {name} (runtime): only as root, where each test has a uid of its own")
    for problem in failed:
        print("FAIL " + problem)
    print(f"({time.time() - start:.0f} s)")
    print(f"test_grader: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
