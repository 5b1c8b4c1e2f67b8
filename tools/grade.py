#!/usr/bin/env python3
"""grade.py: the course's autograder.

For each chapter it builds the chapter's Criterion tests against a folder of
exercises, checks the exercise's object files before linking them (no `main`,
no constructors, no redefined library functions, no calls that leave the
sandbox), runs every graded test in a process of its own under resource
limits, and scores each test from Criterion's JSON report and from a
"finished" mark that the test writes only when its body returns. Nothing the
exercise prints is ever read for the score. A crashed test is run once more
on a sanitizer build to say where it crashed. It prints a table and the
failing checks, and writes a Gradescope results.json and a feedback.txt.

Used by `make grade` (students), `make test` (the course checks itself) and
the instructor's class tools. Standard library only.

How a submission is contained (README.md, "How your code is graded"):
  - before linking: tools/grade.py's symbol check (nm, readelf, objdump) of
    the exercise objects, see check_object();
  - each test runner: its own session (killed as a group), stdin from
    /dev/null, a minimal environment, a private directory, RLIMIT_CPU,
    RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_NOFILE, no core files; when
    the grader runs as root, the runner runs as an unprivileged uid of its
    own (one per parallel slot), and every process of that uid is killed
    after each test;
  - the verdict: a test passes only when Criterion's report, written by the
    runner that exited normally, says PASSED with at least one assertion,
    and the test's finished mark carries this run's secret token.
"""
import argparse
import concurrent.futures as futures
import hashlib
import json
import os
import queue
import re
import resource
import secrets
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exercise_build  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Limits for one graded test process (documented in README.md).
OUTPUT_LIMIT = 4 * 1024 * 1024   # bytes a test may write (RLIMIT_FSIZE, stdout+stderr)
MEMORY_LIMIT = 2 * 1024 ** 3     # address space, bytes (RLIMIT_AS)
PROCESS_LIMIT = 512              # tasks of a sandbox uid (RLIMIT_NPROC, root only): the
                                 # runner's threads and workers and the drivers, some of them
                                 # still dying from the test before
FILE_LIMIT = 64                  # open file descriptors (RLIMIT_NOFILE)
BUILD_TIMEOUT = 120              # seconds to build one chapter
RUNNER_GRACE = 5                 # seconds past the test's own time limit (wall and CPU)
RUNNER_TRIES = 3                 # runs of a test whose runner died without a report
BATCH_LIMIT = 15                 # seconds for a chapter's first run, all tests in one runner
FEEDBACK_OUTPUT = 1500           # characters of a test's output kept
SANDBOX_UID_DEFAULT = 65000      # first uid of the unprivileged sandbox uids (root only)
SANDBOX_UID_RANGE = 500          # uids 65000-65499, one per parallel test slot
# Uninitialised memory is made visible: glibc fills every malloc()ed block
# with MALLOC_PERTURB_ ^ 0xff = 0x7e (a double of 1e301, an int of 2e9, a
# pointer that crashes), and tests/support/grading.c fills the stack below a
# test with the same byte before the test runs.
MALLOC_PERTURB = "129"


class Test:
    """One graded test, as declared by GRADED(...) in tests/SLUG.c, or a
    held-back check, HELD(...) in tests/held/SLUG.c (run for `seeds` seeds)."""

    def __init__(self, chapter, suite, name, points, slow, line, held=False, seeds=1):
        self.chapter, self.suite, self.name = chapter, suite, name
        self.points, self.slow, self.line = points, slow, line
        self.held, self.seeds = held, seeds
        self.passed, self.message, self.crashed = False, "", False
        self.printed = ""
        self.failed_seeds, self.seen_seeds = [], []

    @property
    def id(self):
        return f"{self.suite}::{self.name}"

    @property
    def time_limit(self):
        if self.held:  # HELD_SEED_TIMEOUT (held.h) a seed, and a margin
            return 5.0 * self.seeds + 5.0
        return 20.0 if self.slow else 5.0


class Chapter:
    def __init__(self, number, slug, title, uses):
        self.number, self.slug, self.title, self.uses = number, slug, title, uses
        self.tests, self.build_error, self.warnings = [], None, 0
        self.warning_lines, self.binary, self.driver = [], None, None
        self.held_tests, self.held_binary, self.reference = [], None, None

    @property
    def key(self):
        return f"{self.number}-{self.slug}"

    @property
    def points(self):
        return sum(t.points for t in self.tests if t.passed)

    @property
    def max_points(self):
        return sum(t.points for t in self.tests)

    @property
    def held_points(self):
        return sum(t.points for t in self.held_tests if t.passed)

    @property
    def held_max(self):
        return sum(t.points for t in self.held_tests)

    @property
    def all_tests(self):
        return self.tests + self.held_tests


GRADED_RE = re.compile(
    r"^\s*GRADED(_SLOW)?\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*(\d+)\s*\)", re.M)
HELD_RE = re.compile(r"^\s*HELD\s*\(\s*(\w+)\s*,\s*(\w+)\s*,\s*(\d+)\s*\)", re.M)
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


def read_held(ch, seeds):
    """The held-back checks of a chapter (tests/held/SLUG.c, instructor
    only), or none."""
    path = os.path.join(ROOT, "tests", "held", ch.slug + ".c")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        source = f.read()
    return [Test(ch, m.group(1), m.group(2), int(m.group(3)), False,
                 source.count("\n", 0, m.start()) + 1, held=True, seeds=seeds)
            for m in HELD_RE.finditer(source)]


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
    """The environment for the build: no make state from a parent make."""
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    return env


# ---------------------------------------------------------------------------
# Building. The course's side (each chapter's judge, which is the Criterion
# tests with the proxies and never holds student code, and the drivers' own
# code) is built by make, from the course's files only, once for all
# submissions. The student's side (the exercise objects, checked, and each
# chapter's driver) is built here, by tools/exercise_build.py, without
# make or a shell: no name a student chooses reaches either.

JUDGE = "build/judge"
LIB_NAMES = sorted(n[:-2] for n in os.listdir(os.path.join(ROOT, "lib")) if n.endswith(".c"))


def make(targets, jobs=1):
    """Builds course targets (paths under JUDGE), one make at a time on
    this machine's course (concurrent graders share the judges)."""
    import fcntl
    os.makedirs(os.path.join(ROOT, JUDGE), exist_ok=True)
    cmd = ["make", "--no-print-directory", "-C", ROOT] + \
        ([f"-j{jobs}"] if jobs > 1 else []) + targets
    with open(os.path.join(ROOT, JUDGE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                  timeout=BUILD_TIMEOUT * 4, env=clean_env())
            return proc.returncode == 0, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            return False, f"the course's build took longer than {BUILD_TIMEOUT * 4} s"


def driver_parts(slug, flavor):
    """The driver's own objects (flavor: plain, sanitize, open)."""
    d = f"{JUDGE}/driver-{flavor}"
    return ([f"{d}/driver.o", f"{d}/wire.o", f"{d}/{slug}-serve.o"] +
            [f"{d}/lib/{n}.o" for n in LIB_NAMES])


def build_course(chapters, args, flavors, held=False):
    targets = [f"{JUDGE}/bin/{ch.slug}-{kind}" for ch in chapters
               for kind in ("tests", "nulldriver")]
    if held:  # the held-back judges and the reference drivers
        targets += [f"{JUDGE}/bin/{ch.slug}-{kind}" for ch in chapters if ch.held_tests
                    for kind in ("held", "reference")]
    for flavor in flavors:
        for ch in chapters:
            targets += driver_parts(ch.slug, flavor)
    ok, log = make(sorted(set(targets)), jobs=args.jobs)
    if not ok:
        raise SystemExit("grade: the course's own tests did not build -- a fault of the "
                         "course, not of the exercises:\n" + log[-3000:])


class Policy:
    """What the symbol check knows: the libraries' names and the course's."""

    def __init__(self, args, compiler):
        self.enabled = args.symbol_check
        self.protected = (exercise_build.library_symbols(compiler.cc)
                          | exercise_build.DENIED.keys() | exercise_build.ALLOWED_CALLS
                          if self.enabled else set())
        self.course = set()
        if self.enabled:
            for obj in driver_parts("gd", "plain")[:2] + driver_parts("gd", "plain")[3:]:
                self.course |= exercise_build.nm_symbols(os.path.join(ROOT, obj))[0]
            self.course |= {"driver_dispatch", "driver_direct"}


class Exercises:
    """The student's files, read once, compiled once each per flavor."""

    def __init__(self, args, compiler, sandbox, trusted):
        self.args, self.compiler, self.sandbox = args, compiler, sandbox
        self.trusted = trusted
        self.folder = os.path.join(ROOT, args.exercises)
        self.flags = (exercise_build.CSTD_FLAGS + (["-Werror"] if args.werror else [])
                      + shlex.split(args.extra_cflags))
        self.built = {}
        self.headers = {}  # the student's own .h files, which any file may include
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.endswith(".h") and entry.is_file(follow_symlinks=False):
                data, why = exercise_build.read_student_file(entry.path)
                if data is not None:
                    self.headers[entry.name] = data

    def source(self, slug):
        """(bytes, None) or (None, why) for exercises/slug.c."""
        path = os.path.join(self.folder, slug + ".c")
        if not os.path.lexists(path):
            return None, "is missing"
        return exercise_build.read_student_file(path)

    def get(self, slug, flavor="plain"):
        """The Built of exercises/slug.c in a flavor ('plain', 'sanitize')."""
        if (slug, flavor) in self.built:
            return self.built[(slug, flavor)]
        shown = f"{self.args.exercises}/{slug}.c"
        data, why = self.source(slug)
        if data is None:
            built = exercise_build.Built(error=f"{shown} {why}")
        elif self.trusted:
            built = self._compile_trusted(slug, flavor)
        else:
            sources = dict(self.headers)
            sources[slug + ".c"] = data
            flags = self.flags + (exercise_build.SANITIZE_FLAGS if flavor == "sanitize"
                                  else [])
            plain = self.get(slug) if flavor == "sanitize" else None
            if plain is not None and plain.error:
                built = plain
            else:
                built = self.sandbox.compile(
                    self.compiler, slug + ".c", sources, flags, flavor,
                    preprocessed=plain.preprocessed if plain else None)
        self.built[(slug, flavor)] = built
        return built

    def _compile_trusted(self, slug, flavor):
        """The course's own files, instrumented (coverage): compiled in place,
        so that the coverage data names solutions/... and lands in BUILD."""
        out = os.path.join(ROOT, self.args.build, "ex", f"{slug}.o")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        cmd = ([self.compiler.cc] + self.flags + ["-Iinclude", "-Ilib", "-c",
               os.path.join(self.args.exercises, slug + ".c"), "-o", out])
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        log = proc.stdout + proc.stderr
        if proc.returncode != 0:
            return exercise_build.Built(log=log, error=exercise_build.first_error(log))
        return exercise_build.Built(out, log)


def link_driver(ch, args, objects, flavor):
    """Links the chapter's driver from the checked objects; (path, log)."""
    out = os.path.join(ROOT, args.build, "bin" if flavor != "sanitize" else "sanitize",
                       f"{ch.slug}-driver")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    parts = [os.path.join(ROOT, p) for p in driver_parts(ch.slug, flavor)]
    ldflags = shlex.split(args.extra_ldflags)
    if flavor == "sanitize":
        ldflags += ["-fsanitize=address,undefined"]
    cc = os.environ.get("CC", "cc")
    proc = subprocess.run([cc] + ldflags + parts + objects + ["-o", out, "-lm"],
                          capture_output=True, text=True, errors="replace",
                          timeout=BUILD_TIMEOUT)
    return (out if proc.returncode == 0 else None), proc.stdout + proc.stderr


def check_objects(ch, args, policy, objects, sanitizer=False):
    """The symbol check of every object of a driver; the problems found."""
    if not policy.enabled:
        return []
    link_defined = set()
    for obj in objects:
        link_defined |= exercise_build.nm_symbols(obj)[0]
    problems = []
    for slug, obj in zip([ch.slug] + ch.uses, objects):
        problems += exercise_build.check_object(obj, f"{args.exercises}/{slug}.c",
                                                policy.protected, policy.course,
                                                link_defined, sanitizer=sanitizer)
    return problems


def startup_added(ch, driver):
    """What the student's driver runs at start-up or exit that the course's
    null driver does not (exercise_build.startup), or None. Checked on the
    linked program, whatever the symbol check concluded."""
    mine = exercise_build.startup(driver)
    course = exercise_build.startup(os.path.join(ROOT, JUDGE, "bin", f"{ch.slug}-nulldriver"))
    added = [f"{k} {course.get(k, 0)} -> {v}" for k, v in sorted(mine.items())
             if v != course.get(k, 0)]
    return ", ".join(added) or None


def build_chapter(ch, args, policy, exercises, log_dir):
    """Builds the chapter's driver on the student's files; records why not
    on failure. The judge (ch.binary) is the course's."""
    log, objects = "", []
    for slug in [ch.slug] + ch.uses:
        built = exercises.get(slug)
        log += built.log
        if built.error:
            ch.build_error = (built.error if built.error.endswith("is missing")
                              or re.search(r" (is a|is not a|is larger|cannot be)", built.error)
                              else "did not build: " + built.error)
            break
        objects.append(built.obj)
    if not ch.build_error:
        problems = check_objects(ch, args, policy, objects)
        if problems:
            log += "\nthe grader's check of the compiled exercises refused them:\n  " + \
                "\n  ".join(problems) + "\n"
            also = [re.sub(r"^\S+ ((?:uses|defines) \w+\(\)|has a constructor|contains a "
                           r"system call).*$", r"\1", q) for q in problems[1:]]
            ch.build_error = "was not run: " + problems[0] + (
                f". Also: {'; '.join(also)} (details in the build log)" if also else "")
    driver = None
    if not ch.build_error:
        driver, link_log = link_driver(ch, args, objects,
                                       "open" if exercises.trusted else "plain")
        log += link_log
        if driver and not exercises.trusted:
            extra = startup_added(ch, driver)
            if extra:
                driver, ch.build_error = None, (
                    f"was not run: the compiled exercises add code that runs before the "
                    f"tests or after them ({extra}): a constructor, a destructor or an "
                    f"ifunc, which an exercise may not have")
        if driver is None and not ch.build_error:
            error = exercise_build.first_error(link_log)
            m = re.search(r"undefined reference to `(\w+)'", error)
            ch.build_error = (f"did not build: no function {m.group(1)}() in "
                              f"{args.exercises}/ (the tests call it; its declaration "
                              f"is in include/): {error}" if m else "did not build: " + error)
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, f"build-{ch.key}.log"), "w") as f:
        f.write(log)
    ch.warnings = len(re.findall(r"\bwarning:", log))
    ch.warning_lines = [l.strip() for l in log.splitlines() if re.search(r"\bwarning:", l)]
    if ch.build_error:
        return None
    ch.driver = driver
    if ch.held_tests:
        ch.held_binary = os.path.join(ROOT, JUDGE, "bin", f"{ch.slug}-held")
        ch.reference = os.path.join(ROOT, JUDGE, "bin", f"{ch.slug}-reference")
    return os.path.join(ROOT, JUDGE, "bin", f"{ch.slug}-tests")


# ---------------------------------------------------------------------------
# The sandbox a test runs in

class Sandbox:
    """Private directories, resource limits and, when root, unprivileged uids:
    one uid per parallel slot, so that RLIMIT_NPROC counts one test's
    processes only and every process a test leaves behind can be killed."""

    def __init__(self, args, trusted):
        self.root = tempfile.mkdtemp(prefix="grade-")
        os.chmod(self.root, 0o711)
        self.trusted = trusted
        self.scratch = os.path.join(self.root, "compile")
        os.mkdir(self.scratch, 0o711)
        self.memory = not os.environ.get("GRADE_NO_MEMORY_LIMIT")
        self.slots = queue.Queue()
        uids = [None] * args.jobs
        self.locks = []
        if os.geteuid() == 0 and not trusted and os.environ.get("GRADE_SANDBOX_UID") != "0":
            base = int(os.environ.get("GRADE_SANDBOX_UID") or SANDBOX_UID_DEFAULT)
            if self.can_switch(base):
                uids = self.claim_uids(base, args.jobs)
            else:
                print("grade: note: running as root and could not switch to an "
                      "unprivileged uid; tests run as root", file=sys.stderr)
        for uid in uids:
            self.slots.put(uid)
        self.has_uids = any(uid is not None for uid in uids)
        # A core for each parallel slot, held for this grader (a lock file
        # each): a test's runner, its judge and its driver all run there. A
        # call of the student's code wakes the other process twice, and on
        # one core that costs a third of what it costs across two.
        self.cpus = queue.Queue()
        for cpu in self.claim_cpus(args.jobs):
            self.cpus.put(cpu)
        # Without a uid of its own, no RLIMIT_NPROC: it would count all of
        # this user's processes, and when Criterion's runner cannot fork it
        # sends SIGKILL to pid -1, every process of the user (seen with
        # Criterion 2.4.1). The symbol check's refusal of fork() is the
        # defence there.
        self.nproc = None
        self.copies, self.lock = {}, threading.Lock()
        # The data sets, where a sandbox uid can read them: the course may
        # sit in a folder only its owner can enter (mktemp -d is 0700).
        self.data = os.path.join(self.root, "data")
        shutil.copytree(os.path.join(ROOT, "data"), self.data)
        for folder, _, files in os.walk(self.data):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o644)

    def claim_uids(self, base, count):
        """`count` uids from base up that no other grader on this machine is
        using, held until this grader ends."""
        uids, fds = exercise_build.claim_locks("uid", range(base, base + SANDBOX_UID_RANGE),
                                               count)
        self.locks += fds
        return uids

    def claim_cpus(self, count):
        """Up to `count` cores that no other grader here is using, then None
        (not pinned) for the rest."""
        allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        cpus, fds = exercise_build.claim_locks("cpu", allowed, count)
        self.locks += fds
        return cpus

    @staticmethod
    def can_switch(uid):
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os._exit(0)
            except BaseException:
                os._exit(1)
        return os.waitpid(pid, 0)[1] == 0

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for fd in self.locks:
            os.close(fd)

    def binary(self, path):
        """A copy of a runner that the sandbox uid may execute."""
        with self.lock:
            if path not in self.copies:
                folder = tempfile.mkdtemp(dir=self.root)
                os.chmod(folder, 0o755)
                copy = os.path.join(folder, os.path.basename(path))
                # Copied by a cp of its own, not in this process: a test
                # runner forked meanwhile by another thread would inherit
                # our open, writable descriptor of the copy, and executing
                # the copy would then fail with "Text file busy" (ETXTBSY).
                subprocess.run(["cp", path, copy], check=True)
                os.chmod(copy, 0o755)
                self.copies[path] = copy
            return self.copies[path]

    def compile(self, compiler, name, sources, flags, flavor, preprocessed=None):
        """exercise_build.compile_exercise as a sandbox uid of this grader's."""
        uid = self.slots.get()
        try:
            return exercise_build.compile_exercise(
                compiler, name, sources, flags, flavor, self.scratch, uid=uid,
                preprocessed=preprocessed)
        finally:
            if uid is not None:
                self.reap(uid)
            self.slots.put(uid)

    def limits(self, cpu_seconds, uid, memory, cpu=None):
        def apply():
            os.setsid()
            if cpu is not None:
                os.sched_setaffinity(0, {cpu})
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))
            if memory:
                resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                resource.setrlimit(resource.RLIMIT_NPROC, (PROCESS_LIMIT, PROCESS_LIMIT))
        return apply

    @staticmethod
    def reap(uid):
        """Kills every process of the sandbox uid (what a test left behind)."""
        pid = os.fork()
        if pid == 0:
            try:
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:
                pass
            os._exit(0)
        os.waitpid(pid, 0)

    def run(self, binary, driver, test, extra_env=None, memory=True, tests=None,
            view=False, subset=False):
        """Runs one test (or, given `tests`, all the tests of the runner, each
        in its own child process, as Criterion does) of the judge `binary`,
        whose proxies call the student's code in `driver`; with view, inside
        a private view of the machine (bubblewrap). Returns (exit code or
        None on time-out, report path, sentinel path, token, output path,
        output size)."""
        uid, cpu = self.slots.get(), self.cpus.get()
        try:
            folder = tempfile.mkdtemp(dir=self.root)
            if uid is not None:
                os.chown(folder, uid, uid)
            tag = secrets.token_hex(8)
            report = os.path.join(folder, f"report-{tag}.json")
            sentinel = os.path.join(folder, f"finished-{tag}")
            output = os.path.join(self.root, f"output-{tag}")
            token = secrets.token_hex(16)
            env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": folder, "TMPDIR": folder,
                   "GRADE_SENTINEL": sentinel, "GRADE_TOKEN": token,
                   "COURSE_DATA_DIR": self.data,
                   "MALLOC_PERTURB_": MALLOC_PERTURB,
                   "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0",
                   "GRADE_DRIVER": self.binary(driver)}
            if self.trusted or not sys.platform.startswith("linux"):
                env["GRADE_ALLOW_UNSANDBOXED"] = "1"
            env.update(extra_env or {})
            if tests is None:
                limit = test.time_limit + RUNNER_GRACE
                which = [f"--filter={test.suite}/{test.name}"]
            else:
                limit = BATCH_LIMIT + max(t.time_limit for t in tests)
                which = ["--verbose"]  # [RUN ]/[PASS]/[FAIL] lines delimit each test's output
                if subset:  # some of the runner's tests: an extended glob
                    which.append(f"--filter={tests[0].suite}/@("
                                 + "|".join(t.name for t in tests) + ")")
            cmd = [self.binary(binary)] + which + [
                f"--json={report}", "--jobs=1", "--color=never", "--short-filename"]
            if view:
                cmd = exercise_build.bwrap_view([self.root]) + [
                    "--tmpfs", "/dev/shm", "--chdir", folder] + cmd
            with open(output, "wb") as out:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, env=env, cwd=folder,
                                        preexec_fn=self.limits(int(limit) + 1, uid,
                                                               memory and self.memory,
                                                               cpu))
                code = exercise_build.wait_or_kill(proc, limit)
            if uid is not None:
                self.reap(uid)
            return code, report, sentinel, token, output, os.path.getsize(output)
        finally:
            self.cpus.put(cpu)
            self.slots.put(uid)


# ---------------------------------------------------------------------------
# Verdicts

def runner_units(chapters, jobs, held):
    """The runners to start: (chapter, held?, group of tests or None for
    all). A chapter graded alone (make grade CH=NN) is split over the
    cores, so that a re-grade after a save takes the time of half its
    tests; many chapters keep a runner each."""
    units = [(ch, False, None) for ch in chapters]
    units += [(ch, True, None) for ch in chapters if held and ch.held_tests]
    if 0 < len(units) < jobs:
        split = []
        for ch, is_held, _ in units:
            tests = ch.held_tests if is_held else ch.tests
            parts = max(1, min(len(tests), jobs // len(units)))
            split += [(ch, is_held, tests[k::parts]) for k in range(parts)]
        units = split
    return units


def judge_of(sandbox, ch, held, seeds):
    """(judge program, extra environment) for a chapter's visible tests or
    its held-back checks (the reference driver and the seeds)."""
    if not held:
        return ch.binary, {}
    env = {"GRADE_REFERENCE": sandbox.binary(ch.reference)}
    env["GRADE_SEEDS" if "-" in seeds else "GRADE_SEED"] = seeds
    return ch.held_binary, env


SEED_LINE = re.compile(r"^(\S+) (\w+)/(\w+) !seed (\d+) (pass|fail)$")


def read_seeds(lines, token, tests):
    """Each held-back check's seeds, as the judge recorded them."""
    by_id = {(t.suite, t.name): t for t in tests}
    for line in lines:
        m = SEED_LINE.match(line)
        t = by_id.get((m.group(2), m.group(3))) if m and m.group(1) == token else None
        if t and int(m.group(4)) not in t.seen_seeds:
            t.seen_seeds.append(int(m.group(4)))
            if m.group(5) == "fail":
                t.failed_seeds.append(int(m.group(4)))


def run_chapter(sandbox, ch, held=False, seeds="1", group=None):
    """The fast path: all the chapter's tests (or its held-back checks, or
    the group of them given) in one runner (Criterion still runs each in a
    child process of its own). The tests that pass cleanly there (in a
    report of a runner that ended normally, PASSED, with assertions, with
    their finished mark) are scored; returns the others, to be run one by
    one."""
    tests = group or (ch.held_tests if held else ch.tests)
    binary, env = judge_of(sandbox, ch, held, seeds)
    code, report, sentinel, token, output, size = sandbox.run(
        binary, ch.driver, None, extra_env=env, tests=tests, subset=group is not None)
    if code not in (0, 1) or size >= OUTPUT_LIMIT:
        return list(tests)
    finished = set(read_head(sentinel, 1 << 20).splitlines())
    read_seeds(finished, token, tests)
    printed = batch_output(read_head(output, OUTPUT_LIMIT))
    again = []
    for t in tests:
        entry = read_report(report, t)
        status = entry.get("status") if entry else None
        overrun = fate(finished, token, t, "overrun")
        if (status == "PASSED" and entry.get("assertions", 0) >= 1
                and f"{token} {t.suite}/{t.name}" in finished and not overrun):
            t.passed, t.message = True, ""
        elif status == "PASSED" and overrun:
            t.passed, t.message = False, overrun
        elif status == "ERRORED" and "timed out" in " ".join(entry.get("messages", [])):
            # Criterion stopped it at its time limit: no need to wait again
            t.passed, t.message = verdict(t, report, sentinel, token, code, size)
            t.printed = format_printed(printed.get(t.id, ""))
        elif status == "FAILED" and entry.get("messages"):
            # a check failed, cleanly: the report says which and why
            t.passed = False
            t.message = "\n".join(strip_location(m) for m in entry["messages"])
            if overrun:
                t.message += "\nAlso: " + overrun
            t.printed = format_printed(printed.get(t.id, ""))
        else:  # crashed, timed out, exited early, missing: alone, for the reason
            again.append(t)
    return again


def fate(lines, token, test, kind):
    """What the judge noted of a test in its record (judge.c's note_fate):
    the text after '!kind ', or None."""
    prefix = f"{token} {test.suite}/{test.name} !{kind}"
    for line in lines:
        if line == prefix or line.startswith(prefix + " "):
            return line[len(prefix):].strip() or kind
    return None


TEST_END = re.compile(r"^\[(PASS|FAIL)\] (\w+::\w+)")


def batch_output(text):
    """{suite::name: what that test printed} from a --verbose --jobs=1 run:
    each test's lines end with Criterion's [PASS] or [FAIL] line for it."""
    found, lines = {}, []
    for line in text.splitlines():
        m = TEST_END.match(line)
        if m:
            found[m.group(2)] = "\n".join(lines).strip()
            lines = []
        elif not CRITERION_LINE.match(line):
            lines.append(line)
    return found


def format_printed(printed):
    if not printed:
        return ""
    more = " (cut)" if len(printed) > FEEDBACK_OUTPUT else ""
    return (f"\n(what your code printed{more}, each line after '| ':)\n"
            + "\n".join("| " + l for l in printed[:FEEDBACK_OUTPUT].splitlines()))


def run_test(sandbox, ch, test, exercises, seeds="1"):
    """Runs one test in isolation and sets test.passed and test.message."""
    binary, env = judge_of(sandbox, ch, test.held, seeds)
    for _ in range(RUNNER_TRIES):
        code, report, sentinel, token, output, size = sandbox.run(binary, ch.driver, test,
                                                                  extra_env=env)
        # The runner holds none of the student's code: when it dies without
        # a report (and no flood of output stopped it), that was the machine
        # (Criterion's runner aborting under heavy load was seen), not the
        # exercise. Run it again.
        if not (code is not None and code < 0 and size < OUTPUT_LIMIT
                and read_report(report, test) is None):
            break
    if test.held:
        read_seeds(read_head(sentinel, 1 << 20).splitlines(), token, [test])
    test.passed, test.message = verdict(test, report, sentinel, token, code, size)
    printed = student_output(read_head(output, 1 << 16))
    assertion = re.search(r"^(?:boxfort-worker: )?(.*Assertion `.*' failed\.?)$", printed, re.M)
    if test.crashed and assertion:
        test.message = ("crashed: an assert() in your code failed: " + assertion.group(1))
        test.crashed = False  # located already: no sanitizer run
        printed = printed.replace(assertion.group(0), "").strip()
    test.printed = ""
    if not test.passed and code is not None and size < OUTPUT_LIMIT:
        test.printed = format_printed(printed)


CRITERION_LINE = re.compile(r"^\[(----|====|FAIL|PASS|SKIP|RUN |WARN|ERR )\]( |$)")


def student_output(text):
    """What the test printed, without Criterion's own lines (the runner's
    report of the test is in the message already)."""
    return "\n".join(l for l in text.splitlines() if not CRITERION_LINE.match(l)).strip()


def read_head(path, limit):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def read_report(report, test):
    try:
        with open(report) as f:
            data = json.load(f)
        for suite in data.get("test_suites", []):
            for t in suite.get("tests", []):
                if suite.get("name") == test.suite and t.get("name") == test.name:
                    return t
    except (OSError, ValueError, AttributeError):
        pass
    return None


def verdict(test, report, sentinel, token, code, output_size):
    """(passed, message) from the JSON report, the finished mark, the runner's
    exit status and the size of what the test printed."""
    if output_size >= OUTPUT_LIMIT:
        return False, (f"printed {OUTPUT_LIMIT // (1024 * 1024)} MiB or more, the limit: "
                       "the test was stopped and scores 0. Print less (a line per "
                       "epoch, not per step)")
    if code is None:
        return False, (f"the test runner was stopped after {test.time_limit + RUNNER_GRACE:.0f} s: "
                       "an endless loop, far too many steps, or code that waits for "
                       "input (stdin is empty while grading)")
    entry = read_report(report, test)
    if entry is None or code not in (0, 1):
        why = describe_exit(code)
        if code == -signal.SIGXCPU:
            return False, (f"used more than {test.time_limit + RUNNER_GRACE:.0f} s of CPU "
                           "time: an endless loop, or far too many steps")
        return False, ("the test runner ended without a report" + (f" ({why})" if why else "")
                       + ": the exercise stopped the whole program (exit(), a crash "
                       "outside the test, a constructor or its own main)")
    status = entry.get("status")
    messages = [strip_location(m) for m in entry.get("messages", [])]
    record = read_head(sentinel, 1 << 16).splitlines()
    finished = f"{token} {test.suite}/{test.name}" in record
    overrun = fate(record, token, test, "overrun")
    if status == "PASSED" and overrun:
        return False, overrun
    if status == "FAILED" and overrun:
        return False, "\n".join(messages + ["Also: " + overrun])
    if status == "PASSED":
        if not finished or entry.get("assertions", 0) < 1 or code != 0:
            return False, ("the test did not run to its end: the exercise ended the test "
                           "process early (exit(), _exit(), quick_exit() or similar), so "
                           "nothing was checked; scored 0")
        return True, ""
    if status == "ERRORED":
        text = " ".join(messages)
        if "timed out" in text:
            return False, (f"timed out after {test.time_limit:.0f} s: an endless loop, far "
                           "too many steps, or code that waits for input (stdin is empty "
                           "while grading)")
        if fate(record, token, test, "sandbox"):
            return False, ("stopped by the sandbox: your code made a system call that an "
                           "exercise may not make (open a file, start a process, signal "
                           "another process...), by a way the check of your compiled "
                           "file could not see; scored 0")
        if "crash" in text:
            test.crashed = True
            return False, ("crashed: a segmentation fault (an index outside an array, a NULL "
                           "pointer, a recursion that never ends), an abort() or a failed "
                           "assert(). Run the test alone under gdb to see where: see "
                           "README.md, 'When a test crashes'")
        return False, text or "errored"
    if status == "FAILED":
        return False, "\n".join(messages) or "failed"
    return False, f"unexpected status {status!r}"


def strip_location(message):
    """Criterion prefixes 'file.c:12: '; keep it short and readable (and
    drop it for the held-back checks, whose line is the framework's)."""
    if message.startswith(("held.c:", "judge.c:")):
        return message.split(": ", 1)[1]
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


# ---------------------------------------------------------------------------
# Where a crash happened: the crashed tests again, on a sanitizer build

SAN_SUMMARY = re.compile(r"SUMMARY: (\w+Sanitizer): (\S+)(?: (\S+:\d+))?(?: in (\w+))?")
SAN_FRAME = re.compile(r"#\d+ 0x[0-9a-f]+ in (\w+) (\S+?):(\d+)")
UB_ERROR = re.compile(r"^(\S+?):(\d+):\d+: runtime error: (.*)$", re.M)


def locate_crashes(chapters, args, sandbox, exercises, policy):
    """Runs each crashed test again with a driver built with the sanitizers,
    to say where it crashed. That driver's filter must let the sanitizers'
    runtime read its own files, so it runs where it can read nothing else:
    inside bubblewrap, or as a sandbox uid; when this grader can have
    neither and grades others' code (--strict-isolation), it is skipped."""
    crashed = [(ch, t) for ch in chapters for t in ch.tests if t.crashed]
    if not crashed or not args.sanitize:
        return
    view = exercise_build.bwrap_usable()
    if args.strict_isolation and not view and not sandbox.has_uids:
        print("grade: note: crashes are not located with the sanitizers: this machine "
              "has neither bubblewrap nor root to isolate that run", file=sys.stderr)
        return
    build_course([ch for ch, _ in crashed], args, ["sanitize"])
    for ch in {ch for ch, _ in crashed}:
        objects = []
        for slug in [ch.slug] + ch.uses:
            built = exercises.get(slug, "sanitize")
            if built.error:
                break
            objects.append(built.obj)
        if len(objects) != 1 + len(ch.uses) or check_objects(ch, args, policy, objects,
                                                             sanitizer=True):
            continue
        driver, _ = link_driver(ch, args, objects, "sanitize")
        if driver is None:
            continue
        env = {"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:allocator_may_return_null=1:"
                               "max_allocation_size_mb=2048:hard_rss_limit_mb=2048:"
                               "handle_abort=1:print_summary=1",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}

        def one(t, ch=ch, driver=driver):
            for _ in range(2):
                code, _, _, _, output, _ = sandbox.run(ch.binary, driver, t, extra_env=env,
                                                       memory=False, view=view)
                where = sanitizer_finding(read_head(output, 1 << 20), args.exercises)
                # A SIGABRT from outside the exercise's code (seen once on a
                # heavily loaded machine, before the sanitizer reported the
                # overflow) says nothing about the exercise: look once more.
                if not (where and where.startswith("ABRT") and " at " not in where):
                    break
            if where:
                t.message = (t.message.split(". Run the test alone")[0] +
                             f". The sanitizer build (-fsanitize=address,undefined) "
                             f"found: {where}")
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(one, [t for c, t in crashed if c is ch]))


def sanitizer_finding(text, shown):
    """'heap-buffer-overflow (WRITE of size 8) in gd_step at exercises/gd.c:11'
    from a sanitizer's report, or None. Exercises are compiled as
    exercises/NAME.c in a scratch folder: that is how frames name them."""
    def show(path):
        m = re.search(r"(?:^|/)exercises/([\w.-]+\.[ch])$", path)
        return f"{shown}/{m.group(1)}" if m else None
    frame = next((f for f in SAN_FRAME.finditer(text) if show(f.group(2))), None)
    where = f" in {frame.group(1)}() at {show(frame.group(2))}:{frame.group(3)}" if frame else ""
    null = " (did malloc() return NULL? the memory limit is 2 GiB)"
    for m in UB_ERROR.finditer(text):
        if show(m.group(1)):
            return (m.group(3) + (null if "null pointer" in m.group(3) else "")
                    + (where or f" at {show(m.group(1))}:{m.group(2)}"))
    m = SAN_SUMMARY.search(text)
    if not m:
        return None
    kind = m.group(2)
    access = re.search(r"^(READ|WRITE) of size (\d+)", text, re.M)
    detail = f" ({access.group(1)} of {access.group(2)} bytes)" if access else ""
    if kind == "SEGV" and re.search(r"address 0x0+\b", text):
        detail = " (a NULL pointer" + null[1:]
    return f"{kind}{detail}{where}"


# ---------------------------------------------------------------------------
# Reports

def table(chapters, seed=None, progress=None):
    """The score table; with held-back checks (seed given), a column of
    their own; with progress, what changed since the previous grade."""
    held = seed is not None and any(c.held_tests for c in chapters)
    head = f"{'Chapter':<46} {'Tests':>7} {'Points':>9}" + (f" {'Held':>9}" if held else "")
    head += progress.heading() if progress else ""  # (loop) tools/progress.py
    lines = [head, "-" * len(head)]
    for ch in chapters:
        passed = sum(t.passed for t in ch.tests)
        row = (f"{ch.number} {ch.title[:43]:<43} {passed:>3}/{len(ch.tests):<3} "
               f"{ch.points:>4}/{ch.max_points:<4}")
        if held:
            row += f" {ch.held_points:>4}/{ch.held_max:<4}"
        row += progress.cell(ch) if progress else ""  # (loop)
        if ch.build_error:
            row += ("  (missing)" if ch.build_error.endswith("is missing") else
                    "  (refused)" if ch.build_error.startswith("was not run") else
                    "  (did not build)")
        lines.append(row)
    lines.append("-" * len(head))
    total = sum(c.points for c in chapters)
    maximum = sum(c.max_points for c in chapters)
    last = (f"{'Total':<46} {sum(sum(t.passed for t in c.tests) for c in chapters):>3}/"
            f"{sum(len(c.tests) for c in chapters):<3} {total:>4}/{maximum:<4}")
    if held:
        last += (f" {sum(c.held_points for c in chapters):>4}/"
                 f"{sum(c.held_max for c in chapters):<4}")
    if progress:  # (loop) the change since the last grade, the course's progress
        last += progress.total_cell()
    lines.append(last)
    if progress:
        lines += progress.lines()
    if held:
        lines.append(f"Held: the held-back checks of the grade of record, on instances "
                     + (f"drawn from seeds {seed} (each check passes only on all)"
                        if "-" in str(seed) else
                        f"drawn from seed {seed} (the same seed gives the same grade: "
                        f"--seed {seed})"))
    return "\n".join(lines)


def failures(chapters, per_chapter, exercises="exercises"):
    """The failing checks, a few per chapter unless per_chapter is None."""
    out = []
    for ch in chapters:
        failing = [t for t in ch.all_tests if not t.passed]
        if not failing:
            continue
        out.append(f"\nChapter {int(ch.number)} ({ch.title}), {exercises}/{ch.slug}.c:")
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
        uninit = [l for l in ch.warning_lines if "uninitialized" in l]
        if uninit:
            out.append("  note: the compiler warns of memory read before it is written, "
                       "a likely cause:")
            out += ["    " + l for l in uninit[:3]]
    return "\n".join(out)


def overview(chapters, exercises="exercises"):
    """The console view of several chapters: the first chapter with failing
    tests in detail (a few of them), every other one in a line, and what to
    do next. All the messages are in feedback.txt."""
    failing = [c for c in chapters if any(not t.passed for t in c.tests)]
    if not failing:
        return "\nEvery test passes. Well done!"
    first, rest = failing[0], failing[1:]
    out = [failures([first], 3, exercises)]
    broken = [c for c in rest if c.build_error]
    others = [c for c in rest if not c.build_error]
    for ch in broken:
        out.append(f"\nChapter {int(ch.number)} ({ch.title}): {ch.build_error}")
    if others:
        out.append("\nStill to do: " + ", ".join(
            f"chapter {int(c.number)} ({sum(not t.passed for t in c.tests)} failing)"
            for c in others) + "; make grade CH=NN shows a chapter's messages.")
    if first.build_error:
        out.append(f"\nNext: make {exercises}/{first.slug}.c build, then make grade "
                   f"CH={first.number}.")
    else:
        t = next(t for t in first.tests if not t.passed)
        out.append(f"\nNext: {exercises}/{first.slug}.c, test {t.id}; "
                   f"make grade CH={first.number} to grade that chapter alone.")
    return "\n".join(out)


def results_json(chapters, elapsed, summary, seed=None):
    tests = []
    for ch in chapters:
        for i, t in enumerate(ch.all_tests, 1):
            entry = {
                "name": f"Chapter {int(ch.number)}{' (held-back)' if t.held else ''}: "
                        f"{t.id}",
                "number": f"{int(ch.number)}.{i}",
                "score": t.points if t.passed else 0,
                "max_score": t.points,
                "status": "passed" if t.passed else "failed",
                "output": t.message if not t.passed else "passed",
                "tags": [ch.slug] + (["held-back"] if t.held else []),
                "visibility": "visible",
            }
            if t.held and t.seeds > 1:
                entry["seeds_failed"] = sorted(t.failed_seeds)
                entry["seeds_run"] = sorted(t.seen_seeds)
            tests.append(entry)
    data = {
        "score": sum(c.points + c.held_points for c in chapters),
        "max_score": sum(c.max_points + c.held_max for c in chapters),
        "execution_time": round(elapsed, 2),
        "output": summary,
        "stdout_visibility": "visible",
        "tests": tests,
    }
    if seed is not None:
        data["seed"] = seed
    return data


def check_expectation(chapters, expect):
    """For `make test`: every test must pass (solutions) or fail (stubs)."""
    wrong = []
    for ch in chapters:
        for t in ch.all_tests:
            if t.held and t.seeds > 1 and len(t.seen_seeds) != t.seeds and t.passed:
                wrong.append(f"{ch.key} {t.id}: ran {len(t.seen_seeds)} of {t.seeds} seeds")
            if expect == "full" and not t.passed:
                wrong.append(f"{ch.key} {t.id} fails on the solutions: {t.message}")
            if expect == "zero" and t.held and t.seeds > 1 and \
                    len(t.failed_seeds) != t.seeds:
                wrong.append(f"{ch.key} {t.id} passes on the stubs for seeds "
                             f"{sorted(set(t.seen_seeds) - set(t.failed_seeds))}")
            if expect == "zero" and t.passed:
                wrong.append(f"{ch.key} {t.id} passes on the stubs: it asserts nothing "
                             "a stub cannot satisfy")
            if expect == "zero" and t.message.startswith(("crashed", "timed out", "the test",
                                                          "printed", "used more")):
                wrong.append(f"{ch.key} {t.id} does not fail cleanly on the stubs: {t.message}")
            if ch.build_error and ch.build_error.startswith("was not run"):
                wrong.append(f"{ch.key} {t.id}: the symbol check refuses the course's own "
                             f"code: {ch.build_error}")
    return wrong


def course_digest():
    """A checksum of what decides a grade (tests, support, grader, Makefile),
    printed with every grade so that an edited copy can be spotted."""
    h = hashlib.sha256()
    files = ["Makefile", "tools/grade.py", "tools/exercise_build.py", "tools/rpcgen.py",
             "tests/support/api.txt"]
    for folder in ("tests", "tests/support", "lib", "include"):
        path = os.path.join(ROOT, folder)
        if os.path.isdir(path):
            files += sorted(f"{folder}/{n}" for n in os.listdir(path)
                            if n.endswith((".c", ".h")))
    for name in files:
        try:
            with open(os.path.join(ROOT, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read() + b"\0")
        except OSError:
            h.update(name.encode() + b"\0missing\0")
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------
# Reuse: `make grade` on files that did not change since the last grade gives
# the last grade's results again, without building or running anything.
# Only clean outcomes are kept (passed, or failed by a check): a crash, a
# time-out or a limit is graded again each time.

UNCLEAN = ("crashed", "timed out", "the test", "printed", "used more", "stopped by")


def chapter_key(ch, args, digest):
    """What a chapter's grade depends on: the course's files, the flags, the
    compiler, and the bytes of the student's files the chapter uses."""
    h = hashlib.sha256(f"{digest}\0{args.werror}\0{args.extra_cflags}\0".encode())
    cc = shutil.which(os.environ.get("CC", "cc")) or ""
    if cc:
        info = os.stat(os.path.realpath(cc))
        h.update(f"{os.path.realpath(cc)}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    folder = os.path.join(ROOT, args.exercises)
    names = sorted(n for n in os.listdir(folder) if n.endswith(".h")) \
        if os.path.isdir(folder) else []
    for name in [s + ".c" for s in [ch.slug] + ch.uses] + names:
        data, why = exercise_build.read_student_file(os.path.join(folder, name))
        h.update(name.encode() + b"\0" + (data if data is not None else why.encode()) + b"\0")
    return h.hexdigest()


def reuse_results(path, chapters, keys):
    """Restores the chapters whose key (chapter_key, taken before grading:
    a file saved meanwhile is graded next time) is in the reuse file;
    returns them."""
    try:
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        return []
    reused = []
    for ch in chapters:
        entry = saved.get(ch.key)
        if not entry or entry.get("key") != keys[ch.key]:
            continue
        outcomes = entry["tests"]
        if [t["id"] for t in outcomes] != [t.id for t in ch.tests]:
            continue
        for t, o in zip(ch.tests, outcomes):
            t.passed, t.message = o["passed"], o["message"]
        ch.build_error, ch.warnings = entry["build_error"], entry["warnings"]
        ch.warning_lines = entry["warning_lines"]
        reused.append(ch)
    return reused


def save_results(path, chapters, keys):
    """Keeps the clean outcomes of the chapters just graded, for reuse."""
    try:
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        saved = {}
    for ch in chapters:
        if any(t.message.startswith(UNCLEAN) or t.crashed for t in ch.tests):
            saved.pop(ch.key, None)
            continue
        saved[ch.key] = {"key": keys[ch.key], "build_error": ch.build_error,
                         "warnings": ch.warnings, "warning_lines": ch.warning_lines,
                         "tests": [{"id": t.id, "passed": t.passed, "message": t.message}
                                   for t in ch.tests]}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(saved, f)
    os.replace(path + ".tmp", path)


def grade_chapters(chapters, args, seed, instrumented, log_dir):
    """Builds, checks and runs the chapters' tests (and held-back checks):
    sets every test's outcome."""
    build_course(chapters, args, ["open" if instrumented else "plain"], held=seed is not None)
    compiler = exercise_build.Compiler()
    policy = Policy(args, compiler)
    sandbox = Sandbox(args, trusted=bool(instrumented))
    try:
        exercises = Exercises(args, compiler, sandbox, trusted=bool(instrumented))
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            # every file once, in parallel; then each chapter's driver
            list(pool.map(exercises.get, sorted({s for ch in chapters
                                                 for s in [ch.slug] + ch.uses})))
            binaries = list(pool.map(
                lambda ch: build_chapter(ch, args, policy, exercises, log_dir), chapters))
        for ch, binary in zip(chapters, binaries):
            ch.binary = binary
            if ch.binary is None:
                for t in ch.all_tests:
                    t.passed, t.message = False, f"chapter {int(ch.number)} {ch.build_error}"
        built = [ch for ch in chapters if ch.binary]
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            units = runner_units(built, args.jobs, seed is not None)
            again = list(pool.map(lambda u: run_chapter(sandbox, u[0], u[1], seed, u[2]),
                                  units))
            runs = [(u[0], t) for u, tests in zip(units, again) for t in tests]
            # the slow tests first, so that they overlap with the rest
            runs.sort(key=lambda r: -r[1].time_limit)
            list(pool.map(lambda r: run_test(sandbox, r[0], r[1], args.exercises, seed),
                          runs))
        locate_crashes(chapters, args, sandbox, exercises, policy)
        for ch in built:
            for t in ch.all_tests:
                t.message += t.printed
    finally:
        sandbox.close()


def main(argv=None):
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
    p.add_argument("--no-symbol-check", dest="symbol_check", action="store_false",
                   help="skip the check of the exercise objects (the grader's own tests "
                        "use it to exercise the run-time defences alone)")
    p.add_argument("--no-sanitize", dest="sanitize", action="store_false",
                   help="do not rebuild with sanitizers to locate a crash")
    p.add_argument("--shown-as", help="the name the messages give the exercises folder "
                   "(class tools grade a copy: --shown-as exercises)")
    p.add_argument("--held", action="store_true",
                   help="the grade of record: add the held-back checks (tests/held/, "
                        "instructor only), on instances drawn from a seed")
    p.add_argument("--seed", type=int, help="the held-back checks' seed (default: drawn "
                   "anew; the table prints it, so that a grade can be replayed)")
    p.add_argument("--seeds", help="A-B: every seed from A to B in one run (the course's "
                   "own proofs; each check passes only if it passes on all)")
    p.add_argument("--strict-isolation", action="store_true",
                   help="grading others' code (class, Gradescope): skip what cannot be "
                        "isolated here, and say so")
    p.add_argument("--build-course-only", action="store_true",
                   help="build the course's side (judges, drivers, and with --held the "
                        "reference) and stop: the Gradescope image does it once")
    p.add_argument("--progress", help="remember this grade in this file and show what "
                   "changed since the last one (make grade: build/grade/progress.json)")
    p.add_argument("--reuse", help="a file of the last grades: a chapter whose files did "
                   "not change is not graded again (make grade: build/grade/reuse.json)")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    args.jobs = max(1, args.jobs)
    # Instrumented builds (coverage, sanitizers) carry the compiler's own
    # constructors and calls, and write their data next to the objects: the
    # symbol check and the uid switch are for plain builds.
    instrumented = re.search(r"--coverage|-fprofile|-fsanitize|-pg\b", args.extra_cflags)
    if instrumented:
        args.symbol_check, args.sanitize = False, False
    if args.symbol_check and not shutil.which("nm"):
        print("grade: note: nm (binutils) not found; the exercise objects are not "
              "checked", file=sys.stderr)
        args.symbol_check = False

    chapters = all_chapters = discover_chapters()
    if args.chapter:
        wanted = {c.split("-")[0].zfill(2) for c in args.chapter}
        unknown = wanted - {c.number for c in chapters}
        if unknown:
            print(f"grade: no chapter {', '.join(sorted(unknown))}; the chapters are "
                  f"{' '.join(c.number for c in chapters)}", file=sys.stderr)
            return 2
        chapters = [c for c in chapters if c.number in wanted]
    seed = None
    if args.held or args.seeds:
        if not os.path.isdir(os.path.join(ROOT, "solutions")):
            print("grade: the held-back checks need the reference solutions (solutions/), "
                  "which the student release does not have", file=sys.stderr)
            return 2
        seed = args.seeds or str(args.seed if args.seed is not None
                                 else secrets.randbelow(10 ** 9))
        count = (int(seed.split("-")[1]) - int(seed.split("-")[0]) + 1
                 if "-" in seed else 1)
        for ch in chapters:
            ch.held_tests = read_held(ch, count)

    if args.build_course_only:
        build_course(chapters, args, ["plain", "sanitize"], held=seed is not None)
        return 0
    start = time.time()
    log_dir = os.path.join(ROOT, args.build)
    digest = course_digest()
    graded = chapters
    reuse = args.reuse and seed is None and not instrumented
    if reuse:
        keys = {ch.key: chapter_key(ch, args, digest) for ch in chapters}
        reused = reuse_results(args.reuse, chapters, keys)
        chapters, graded = [c for c in chapters if c not in reused], chapters
    if chapters:
        grade_chapters(chapters, args, seed, instrumented, log_dir)
    if reuse:
        save_results(args.reuse, chapters, keys)
    chapters = graded
    if args.shown_as:
        folder = args.exercises.rstrip("/")
        real = os.path.realpath(os.path.join(ROOT, folder))
        for ch in chapters:
            for t in ch.all_tests:
                for name in (real, os.path.join(ROOT, folder), folder):
                    t.message = t.message.replace(name + "/", args.shown_as + "/")
            if ch.build_error:
                for name in (real, os.path.join(ROOT, folder), folder):
                    ch.build_error = ch.build_error.replace(name + "/", args.shown_as + "/")
        args.exercises = args.shown_as
    elapsed = time.time() - start

    progress = None  # (loop) remembered progress, tools/progress.py
    if args.progress:
        from progress import update
        progress = update(args.progress, all_chapters, chapters)
    summary = table(chapters, seed, progress)
    detail = failures(chapters, None, args.exercises)
    digest = f"course files: {digest}"
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, "w") as f:
            json.dump(results_json(chapters, elapsed, summary + "\n" + digest, seed), f,
                      indent=2)
        with open(os.path.join(os.path.dirname(os.path.abspath(args.report)),
                               "feedback.txt"), "w") as f:
            f.write(summary + "\n" + detail + "\n\n" + digest + "\n")

    if args.expect:
        wrong = check_expectation(chapters, args.expect)
        print(summary if not args.quiet else summary.splitlines()[-1])
        for w in wrong:
            print("  " + w)
        total = sum(len(c.all_tests) for c in chapters)
        bad = len({w.split(" ")[1] for w in wrong})
        print(f"expect-{args.expect}: {total - bad} passed, {bad} failed")
        return 1 if wrong else 0

    print(summary)
    if not args.quiet:
        print(failures(chapters, None, args.exercises) if len(chapters) == 1
              else overview(chapters, args.exercises))
        warned = [c for c in chapters if c.warnings and not c.build_error]
        for c in warned:
            print(f"\nnote: {args.exercises}/{c.slug}.c and the files it uses gave "
                  f"{c.warnings} compiler warning(s); see {args.build}/build-{c.key}.log")
        if args.report:
            print(f"\nReport: {args.report} (Gradescope format); all messages: "
                  f"{os.path.join(os.path.dirname(args.report), 'feedback.txt')}")
        print(digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
