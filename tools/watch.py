#!/usr/bin/env python3
"""watch.py: `make watch`, a re-grade on every save of an exercise.

Grades once, then watches the exercises folder. When a chapter file
(exercises/SLUG.c) is saved, created or deleted, it grades again the
chapters that file affects: the chapter of that slug and every chapter that
links with it (the Makefile's USES_slug lines), or only the chapter given
with --chapter. Each grade is tools/grade.py, run as `make grade` runs it
(so the score table shows what changed since the previous grade, and the
course's progress), in a process group and a session of its own. The
screen is cleared and shows the table and the first failing check. Runs
until Ctrl-C.

A save during a grade stops that grade (and every process it started) and
starts a new one with the chapters of both. A file that does not compile, a
test that hangs (the grader's own limits stop it) or a deleted file only
show in the table. Ctrl-C stops the grade in progress and leaves no process
behind: on Linux this process is the "child subreaper" of everything it
starts, so that even the test runners that the grader starts in sessions of
their own come back to it to be killed.

Changes are seen by polling the files' contents twice a second, and at once
when inotifywait (inotify-tools) is installed: nothing to install.
Standard library only.
"""
import argparse
import ctypes
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import grade  # noqa: E402  (the chapters, and the slugs each one links with)

POLL = 0.5      # seconds between two looks at the files
SETTLE = 0.15   # seconds to let an editor finish writing before grading
TERM_GRACE = 1.0  # seconds between SIGTERM (make deletes half-built files) and SIGKILL
WIDTH = 80
CLEAR = "\033[H\033[2J\033[3J"


def affected(chapters, slugs):
    """The chapters that compile any of these exercise slugs, in order."""
    return [c for c in chapters if c.slug in slugs or set(c.uses) & set(slugs)]


def snapshot(folder, slugs):
    """{slug: a digest of exercises/SLUG.c, or None when it is missing}."""
    state = {}
    for slug in slugs:
        try:
            with open(os.path.join(folder, slug + ".c"), "rb") as f:
                state[slug] = hashlib.sha1(f.read()).hexdigest()
        except OSError:
            state[slug] = None
    return state


class Wakeup:
    """Wakes the watcher up when something in the folder changes: at once
    with inotifywait when it is installed, after POLL seconds otherwise."""

    def __init__(self, folder, use_inotify=True):
        self.event, self.proc = threading.Event(), None
        self.folder = folder
        if use_inotify and shutil.which("inotifywait"):
            self.start_inotify()

    def start_inotify(self):
        try:
            self.proc = subprocess.Popen(
                ["inotifywait", "-q", "-m", "-e", "close_write,moved_to,moved_from,create,"
                 "delete,delete_self,move_self", "--format", "%e %f", self.folder],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                start_new_session=True)
        except OSError:
            self.proc = None
            return
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for _ in self.proc.stdout:
            self.event.set()
        # inotifywait ended (the folder was deleted, say): polling goes on

    @property
    def how(self):
        return "inotifywait" if self.proc and self.proc.poll() is None else "polling"

    def wait(self, timeout=POLL):
        if self.event.wait(timeout):
            time.sleep(SETTLE)
        self.event.clear()

    def close(self):
        if self.proc:
            stop_group(self.proc)


# ---------------------------------------------------------------------------
# Processes: a grade runs in a session of its own; all of it is stopped.

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Linux: orphaned descendants (the grader's test runners, which it
    starts in sessions of their own) are reparented to this process rather
    than to init, so that stop_grade() can find and kill them."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def children_of(pid):
    """The pids whose parent is pid (Linux /proc; [] elsewhere)."""
    kids = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return kids
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(name))
    return kids


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        for kid in children_of(todo.pop()):
            if kid not in found:
                found.append(kid)
                todo.append(kid)
    return found


def signal_tree(pids, sig):
    for pid in pids:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, sig)
            except OSError:
                pass


def stop_group(proc):
    """Stops a process that leads a group of its own, and the group."""
    signal_tree([proc.pid], signal.SIGKILL)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def reap():
    """Collects the exit status of every finished child (orphans included)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def sandbox_dirs(pids):
    """The grader's scratch folders (tempdir/grade-XXXX) that these
    processes work in: a stopped grader leaves them behind."""
    base = os.path.join(tempfile.gettempdir(), "grade-")
    found = set()
    for pid in pids:
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd.startswith(base):
            found.add(base + cwd[len(base):].split(os.sep)[0])
    return found


def stop_grade(proc, keep=()):
    """Stops a grade and everything it started: SIGTERM first (make then
    deletes a half-written object file, which would otherwise look up to
    date), SIGKILL after a moment, then every orphan that came back to this
    process (see become_subreaper), until none is left. Removes the scratch
    folders its tests were running in."""
    tree = [proc.pid] + descendants(proc.pid)
    scratch = sandbox_dirs(tree)
    signal_tree(tree, signal.SIGTERM)
    deadline = time.time() + TERM_GRACE
    while proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    for _ in range(100):
        tree = [p for p in [proc.pid] + descendants(proc.pid)
                + descendants(os.getpid()) if p not in keep and p != os.getpid()]
        signal_tree(tree, signal.SIGKILL)
        try:
            proc.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            pass
        reap()
        if proc.poll() is not None and not [p for p in descendants(os.getpid())
                                            if p not in keep]:
            break
        time.sleep(0.05)
    for folder in scratch:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------
# One grade

class Grade:
    """tools/grade.py on some chapters, in a session of its own, its output
    collected by a thread."""

    def __init__(self, args, chapters, tmp):
        self.chapters, self.started = chapters, time.time()
        cmd = [sys.executable, os.path.join(ROOT, "tools", "grade.py"),
               "--build", args.build, "--exercises", args.exercises,
               "--report", os.path.join(args.build, "results.json"),
               "--progress", os.path.join(args.build, "progress.json")]
        for ch in chapters:
            cmd += ["--chapter", ch.key]
        env = dict(os.environ)
        if tmp:  # the grader's scratch folders, removed if it is stopped
            env["TMPDIR"] = tmp
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     text=True, errors="replace", env=env,
                                     start_new_session=True)
        self.output = []
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            self.output.append(line.rstrip("\n"))

    def done(self):
        if self.proc.poll() is None:
            return False
        self.reader.join(timeout=5)
        return True


def first_failure(report_path, chapters):
    """(test name, points, message) of the first failing check of these
    chapters in the grader's results.json, or None."""
    try:
        with open(report_path) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError):
        return None
    numbers = {f"Chapter {int(c.number)}" for c in chapters}
    for t in tests:
        if (t.get("score", 0) < t.get("max_score", 0)
                and str(t.get("name")).split(":")[0] in numbers):
            return t["name"], t["max_score"], t.get("output", "")
    return None


def screen(args, g, why, how):
    """The text shown after a grade: the table, the course's progress line
    and the first failing check."""
    tail = (f": graded in {time.time() - g.started:.1f} s at {time.strftime('%H:%M:%S')} "
            f"({how}; Ctrl-C stops)")
    if len(why) + len(tail) > WIDTH:
        why = why[:WIDTH - len(tail) - 3] + "..."
    out = [why + tail, ""]
    lines = g.output
    if g.proc.returncode != 0 or not any(l.startswith("Total") for l in lines):
        out.append(f"the grader stopped with exit status {g.proc.returncode}:")
        out += lines[-30:]
        return "\n".join(out)
    end = lines.index("") if "" in lines else len(lines)
    out += lines[:end]  # the table, what changed, the course's progress
    fail = first_failure(os.path.join(ROOT, args.build, "results.json"), g.chapters)
    if fail is None:
        out += ["", "Every test of "
                + ("this chapter" if len(g.chapters) == 1 else "these chapters")
                + " passes."]
    else:
        name, points, message = fail
        chapter, _, test = name.partition(": ")
        out += ["", f"First failing check, {chapter.lower()} "
                    f"({points} pt{'s' if points != 1 else ''}): {test}"]
        if len(out[-1]) > WIDTH:
            out[-1:] = [out[-1][:-len(test) - 1], "  " + test]
        for para in message.splitlines()[:24]:
            out += textwrap.wrap(para, WIDTH - 2, initial_indent="  ",
                                 subsequent_indent="  ", break_on_hyphens=False) or [""]
    return "\n".join(out)


def show(text, tty):
    if tty:
        sys.stdout.write(CLEAR)
    else:
        sys.stdout.write("\n" + "=" * WIDTH + "\n")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def describe(changed):
    parts = [f"{slug}.c {'deleted' if gone else 'saved'}" for slug, gone in changed]
    return ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else "")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build/grade")
    p.add_argument("--exercises", default="exercises")
    p.add_argument("--chapter", action="append", help="NN-slug or NN; repeatable")
    p.add_argument("--poll", action="store_true", help="poll, even when inotifywait is "
                   "installed")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    chapters = grade.discover_chapters()
    if args.chapter:
        wanted = {c.split("-")[0].zfill(2) for c in args.chapter}
        chapters = [c for c in chapters if c.number in wanted]
        if not chapters:
            print(f"watch: no chapter {', '.join(args.chapter)}", file=sys.stderr)
            return 2
    slugs = sorted({s for c in chapters for s in [c.slug] + c.uses})
    folder = os.path.join(ROOT, args.exercises)
    tty = sys.stdout.isatty()
    subreaper = become_subreaper()
    # The grader's scratch folders go in a folder of ours, emptied after a
    # stopped grade; not as root, whose sandbox uids must reach them.
    tmp = None if os.geteuid() == 0 else tempfile.mkdtemp(prefix="watch-")
    wake = Wakeup(folder, use_inotify=not args.poll)
    keep = [wake.proc.pid] if wake.proc else []
    state = snapshot(folder, slugs)
    pending, why, current = list(chapters), "first grade", None
    # Ctrl-C (even when started where SIGINT is ignored), a closed terminal
    # and SIGTERM all end the watch the same way
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    try:
        while True:
            if pending and current is None:
                current = Grade(args, pending, tmp)
                current_why, pending = why, []
                numbers = ", ".join(str(int(c.number)) for c in current.chapters)
                sys.stdout.write(f"\ngrading chapter(s) {numbers} ({current_why}) ...\n")
                sys.stdout.flush()
            if current is not None and current.done():
                show(screen(args, current, current_why, wake.how), tty)
                current = None
                reap()
            wake.wait(0.1 if current is not None else POLL)
            now = snapshot(folder, slugs)
            changed = [(s, now[s] is None) for s in slugs if now[s] != state[s]]
            state = now
            if not changed:
                continue
            hit = affected(chapters, [s for s, _ in changed])
            if not hit:
                continue
            if current is not None:  # a newer save: stop this grade, merge
                stop_grade(current.proc, keep)
                if tmp:
                    clear_folder(tmp)
                hit = [c for c in chapters if c in hit or c in current.chapters]
                current = None
            pending = [c for c in chapters if c in hit or c in pending]
            why = describe(changed)
    except KeyboardInterrupt:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C: clean up still
        if current is not None:
            stop_grade(current.proc, keep)
        print("\nmake watch: stopped.")
        return 0
    finally:
        wake.close()
        if not subreaper and current is not None and current.proc.poll() is None:
            stop_group(current.proc)
        reap()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def interrupted(signum, frame):
    raise KeyboardInterrupt


def clear_folder(folder):
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
