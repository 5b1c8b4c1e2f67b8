#!/usr/bin/env python3
"""test_loop.py: the student's loop works (a step of `make test`).

  - every spelling of a chapter that the README promises (CH=8, 08,
    08-capstone, capstone) names it for make grade, watch and run, for
    every chapter of chapters/, and for chapters 09, 10 and 12 of a made-up
    course (the Makefile compares the text: 08 and 09 are not octal); a
    chapter that does not exist is refused in one line;
  - remembered progress: tools/grade.py --progress, as make grade passes
    it, graded three times (the stubs, a solved chapter, the stubs again)
    shows "new", then the points gained, then the points lost with the
    tests that passed before, and the course's progress line, in 80
    columns; without --progress, no trace of it;
  - make watch (tools/watch.py): a first grade, a re-grade on each save
    (a solved file, one that does not compile, one whose test hangs and is
    saved again before its grade ends, a deleted one), by inotifywait when
    installed and by polling, and Ctrl-C leaves no process behind;
  - the tests' own tests spot a hint for a slip that was not planted
    (tools/test_grader.py's hint check, on made-up messages).

Prints "test_loop: N passed, N failed".
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402
import test_grader  # noqa: E402
import watch  # noqa: E402

WORK = os.path.join(ROOT, "build", "selftest", "loop")
RESULTS = []


def check(ok, text, detail=""):
    RESULTS.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + text + ("" if ok or not detail else
                                                   f"\n     {detail[-1500:]}"), flush=True)


def make_n(target, ch, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(["make", "-n", "--no-print-directory", target, f"CH={ch}"],
                          cwd=cwd, capture_output=True, text=True, env=env)


# ---------------------------------------------------------------------------
def test_spellings():
    chapters = grade.discover_chapters()
    wrong = []
    for ch in chapters:
        for spelling in (str(int(ch.number)), ch.number, ch.key, ch.slug):
            for target in ("grade", "watch"):
                out = make_n(target, spelling)
                if out.returncode != 0 or f"--chapter {ch.key}" not in out.stdout:
                    wrong.append(f"make {target} CH={spelling}: {out.stderr.strip()[-200:]}")
            out = make_n("run", spelling)
            if out.returncode != 0 or f"bin/{ch.slug}-demo build/run/{ch.key}" not in out.stdout:
                wrong.append(f"make run CH={spelling}: {out.stderr.strip()[-200:]}")
    check(not wrong, f"every spelling of each of the {len(chapters)} chapters names it for "
          "make grade, watch and run (e.g. CH=8, 08, 08-capstone, capstone)", "; ".join(wrong))
    refused = [make_n("grade", ch) for ch in ("99", "0", "8x", "01-capstone", "")]
    check(all(r.returncode != 0 and "no chapter" in r.stderr for r in refused[:4])
          and "--chapter" not in refused[4].stdout,
          "a chapter that does not exist is refused in one line (CH=99, 0, 8x, 01-capstone)",
          " | ".join(r.stderr for r in refused))
    # a made-up course with chapters 9, 10 and 12: only the Makefile is read
    fake = os.path.join(WORK, "fake-course")
    shutil.rmtree(fake, ignore_errors=True)
    os.makedirs(os.path.join(fake, "chapters"))
    shutil.copy(os.path.join(ROOT, "Makefile"), fake)
    for name in ("01-gd", "08-capstone", "09-second", "10-tenth", "12-twelfth"):
        open(os.path.join(fake, "chapters", name + ".md"), "w").write("# x\n")
    wrong = []
    for key in ("09-second", "10-tenth", "12-twelfth", "08-capstone"):
        number, slug = key.split("-")
        for spelling in (str(int(number)), number, key, slug):
            out = make_n("grade", spelling, cwd=fake)
            if out.returncode != 0 or f"--chapter {key}" not in out.stdout:
                wrong.append(f"CH={spelling}: {out.stderr.strip()[-200:]}")
    out = make_n("grade", "11", cwd=fake)
    check(not wrong and out.returncode != 0 and "the chapters are 01 08 09 10 12" in out.stderr,
          "chapters 09, 10 and 12 of a made-up course: every spelling works; CH=11 is "
          "refused", "; ".join(wrong) + out.stderr)


# ---------------------------------------------------------------------------
def grade_once(folder, progress=True):
    cmd = [sys.executable, os.path.join(ROOT, "tools", "grade.py"),
           "--build", os.path.relpath(os.path.join(folder, "build"), ROOT),
           "--exercises", os.path.relpath(os.path.join(folder, "exercises"), ROOT),
           "--chapter", "01", "--report", os.path.join(folder, "build", "results.json"),
           "--jobs", "2"]
    if progress:
        cmd += ["--progress", os.path.join(folder, "build", "progress.json")]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout


def table_of(text):
    lines = text.splitlines()
    return lines[:lines.index("")] if "" in lines else lines


def test_progress():
    folder = os.path.join(WORK, "progress")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "exercises"), os.path.join(folder, "exercises"))
    gd = os.path.join(folder, "exercises", "gd.c")
    chapters = grade.discover_chapters()
    ch1 = chapters[0]
    first = table_of(grade_once(folder))
    row = next((l for l in first if l.startswith("01 ")), "")
    check(first[0].rstrip().endswith("Change") and row.rstrip().endswith("new")
          and any(l.startswith("Course: 0/") for l in first),
          "the first grade: a Change column marks the chapter 'new', and a course line",
          "\n".join(first))
    shutil.copy(os.path.join(ROOT, "solutions", "gd.c"), gd)
    second = table_of(grade_once(folder))
    row = next((l for l in second if l.startswith("01 ")), "")
    course = next((l for l in second if l.startswith("Course: ")), "")
    total = sum(c.max_points for c in chapters)
    want = (f"Course: 1/{len(chapters)} chapters at full marks, {ch1.max_points}/{total} "
            "points [")
    check(row.rstrip().endswith(f"+{ch1.max_points}") and course.startswith(want)
          and re.search(r"\[#+\.+\] \d+%$", course),
          f"the second grade, chapter 1 solved: +{ch1.max_points} in its row, and "
          f"'{course}'", "\n".join(second))
    shutil.copy(os.path.join(ROOT, "exercises", "gd.c"), gd)
    third = table_of(grade_once(folder))
    row = next((l for l in third if l.startswith("01 ")), "")
    lost = [l for l in third if l.startswith("! chapter 1: passed at the previous grade")]
    check(row.rstrip().endswith(f"-{ch1.max_points}!") and lost
          and any(l.startswith("Course: 0/") for l in third),
          "the third grade, chapter 1 broken again: its points lost, marked '!', and the "
          "tests that passed before named", "\n".join(third))
    wide = [l for l in first + second + third if len(l) > 80]
    check(not wide, "the table and the progress lines fit in 80 columns", "\n".join(wide))
    with open(os.path.join(folder, "build", "progress.json")) as f:
        saved = json.load(f)["chapters"]
    check(list(saved) == [ch1.key] and not any(saved[ch1.key].values()),
          "build/.../progress.json remembers each test of the chapters graded")
    plain = table_of(grade_once(folder, progress=False))
    check("Change" not in plain[0] and not any(l.startswith("Course:") for l in plain),
          "without --progress (make test, class grading, Gradescope) no trace of it",
          "\n".join(plain))
    out = make_n("grade", "")
    check("--progress build/grade/progress.json" in out.stdout,
          "make grade remembers its grades in build/grade/progress.json (make clean "
          "forgets them)", out.stdout + out.stderr)


# ---------------------------------------------------------------------------
class Watcher:
    """tools/watch.py on a folder of its own, its output read by a thread."""

    def __init__(self, folder, poll):
        cmd = [sys.executable, os.path.join(ROOT, "tools", "watch.py"),
               "--build", os.path.relpath(os.path.join(folder, "build"), ROOT),
               "--exercises", os.path.relpath(os.path.join(folder, "exercises"), ROOT),
               "--chapter", "01"] + (["--poll"] if poll else [])
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.text, self.lock = "", threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.text += line

    def screens(self):
        with self.lock:
            return self.text.split("=" * 80)[1:]

    def wait_screen(self, count, timeout=90):
        """The count-th screen (1-based), once it is complete (each is
        written at once, and ends with the verdict)."""
        ends = ("Every test", "First failing check", "the grader stopped")
        deadline = time.time() + timeout
        while time.time() < deadline:
            screens = self.screens()
            if len(screens) >= count and any(e in screens[count - 1] for e in ends):
                return screens[count - 1]
            time.sleep(0.1)
        return None

    def wait_text(self, text, count=1, timeout=60):
        """Whether text has been printed count times, within timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if self.text.count(text) >= count:
                    return True
            time.sleep(0.1)
        return False


def inotify_pids(w):
    """The watcher's inotifywait, which runs as long as it does."""
    found = []
    for pid in watch.children_of(w.proc.pid):
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                if "inotifywait" in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def children():
    """This process's live children (orphans come back to it: it is a child
    subreaper, like the watcher)."""
    return [p for p in watch.children_of(os.getpid())]


def test_watch(poll):
    how = "polling" if poll else "inotifywait"
    folder = os.path.join(WORK, "watch-" + how)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "exercises"), os.path.join(folder, "exercises"))
    gd = os.path.join(folder, "exercises", "gd.c")
    solution = open(os.path.join(ROOT, "solutions", "gd.c")).read()
    w = Watcher(folder, poll)
    label = f"make watch ({how})"
    first = w.wait_screen(1)
    check(first and "first grade: graded in" in first
          and "First failing check, chapter 1" in first and f"({how}; Ctrl-C" in first,
          f"{label}: a first grade, the table and the first failing check", w.text)
    with open(gd, "w") as f:
        f.write(solution)
    second = w.wait_screen(2)
    check(second and "gd.c saved" in second and "Every test of this chapter passes" in second
          and re.search(r"^01 .* \+\d+\s*$", second, re.M),
          f"{label}: a save re-grades the chapter, with the points gained", w.text)
    with open(gd, "w") as f:
        f.write(solution + "\nthis line is not C\n")
    third = w.wait_screen(3)
    check(third and "did not build" in third,
          f"{label}: a file that does not compile shows in the table and the watch goes on",
          w.text)
    # a test that hangs, saved again before its grade ends: that grade stops
    hanging = re.sub(r"(void gd_step\([^)]*\)\s*\{)", r"\1\n    for (volatile int i = 1; "
                     r"i;) {}", solution, count=1)
    with open(gd, "w") as f:
        f.write(hanging)
    started = w.wait_text("grading chapter(s) 1 (gd.c saved)", count=3, timeout=30)
    time.sleep(4)  # built and hanging by now
    with open(gd, "w") as f:
        f.write(solution)
    saved = time.time()
    fourth = w.wait_screen(4)
    took = time.time() - saved
    time.sleep(0.5)
    left = [p for p in watch.descendants(w.proc.pid) if p not in inotify_pids(w)]
    check(started and fourth and "Every test of this chapter passes" in fourth
          and "timed out" not in w.text and took < 30 and not left,
          f"{label}: a save during a grade whose test hangs stops that grade, all of "
          f"it, and grades the new file ({took:.0f} s)", f"left: {left}\n" + w.text)
    os.unlink(gd)
    fifth = w.wait_screen(5)
    check(fifth and "gd.c deleted" in fifth and "(missing)" in fifth,
          f"{label}: a deleted file shows as missing", w.text)
    # Ctrl-C during a grade whose test hangs
    with open(gd, "w") as f:
        f.write(hanging)
    w.wait_text("grading chapter(s) 1 (gd.c saved)", count=5, timeout=10)
    time.sleep(4)
    os.killpg(w.proc.pid, signal.SIGINT)
    try:
        code = w.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        code = None
    time.sleep(0.5)
    left = [p for p in children()]
    for pid in left:  # do not leave them to the next step either
        watch.signal_tree([pid], signal.SIGKILL)
    watch.reap()
    check(code == 0 and "make watch: stopped." in w.text and not left,
          f"{label}: Ctrl-C during a grade whose test hangs stops it and leaves no "
          "process behind"
          + (f" (left: {left})" if left else ""), w.text[-800:])


def test_hint_check():
    fx = test_grader.Fixture.__new__(test_grader.Fixture)
    fx.fits = [("s::t", "B is done")]
    message = ("x: got 1, want 2 (tolerance 0). This is what you get when A is done, or "
               "when B is done, or when C is done. See chapter 1, section 1.1 'X'.")
    wrong = test_grader.unplanted_hints(fx, "s::t", message, [("s::t", "A is done")])
    check(wrong == ["C is done"], "the tests' own tests report a hint for a slip the "
          "fixture did not plant, and accept the planted one and those listed as fits:",
          repr(wrong))


def main():
    os.chdir(ROOT)
    os.makedirs(WORK, exist_ok=True)
    start = time.time()
    watch.become_subreaper()
    test_hint_check()
    test_spellings()
    test_progress()
    if shutil.which("inotifywait"):
        test_watch(poll=False)
    test_watch(poll=True)
    help_text = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    check(re.search(r"make watch\s+\S", help_text), "make help lists make watch")
    print(f"({time.time() - start:.0f} s)")
    failed = RESULTS.count(False)
    print(f"test_loop: {len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
