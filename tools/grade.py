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
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Limits for one graded test process (documented in README.md).
OUTPUT_LIMIT = 4 * 1024 * 1024   # bytes a test may write (RLIMIT_FSIZE, stdout+stderr)
MEMORY_LIMIT = 2 * 1024 ** 3     # address space, bytes (RLIMIT_AS)
PROCESS_LIMIT = 64               # tasks of a sandbox uid (RLIMIT_NPROC, root only); Criterion needs 6
FILE_LIMIT = 64                  # open file descriptors (RLIMIT_NOFILE)
BUILD_TIMEOUT = 120              # seconds to build one chapter
RUNNER_GRACE = 5                 # seconds past the test's own time limit (wall and CPU)
BATCH_LIMIT = 15                 # seconds for a chapter's first run, all tests in one runner
FEEDBACK_OUTPUT = 1500           # characters of a test's output kept
SANDBOX_UID_DEFAULT = 65000      # first uid of the unprivileged sandbox uids (root only)
SANDBOX_UID_RANGE = 500          # uids 65000-65499, one per parallel test slot
SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-omit-frame-pointer"
# Uninitialised memory is made visible: glibc fills every malloc()ed block
# with MALLOC_PERTURB_ ^ 0xff = 0x7e (a double of 1e301, an int of 2e9, a
# pointer that crashes), and tests/support/grading.c fills the stack below a
# test with the same byte before the test runs.
MALLOC_PERTURB = "129"


class Test:
    """One graded test, as declared by GRADED(...) in tests/SLUG.c."""

    def __init__(self, chapter, suite, name, points, slow, line):
        self.chapter, self.suite, self.name = chapter, suite, name
        self.points, self.slow, self.line = points, slow, line
        self.passed, self.message, self.crashed = False, "", False
        self.printed = ""

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
        self.warning_lines, self.binary = [], None

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
    """The environment for the build: no make state from a parent make."""
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    return env


# ---------------------------------------------------------------------------
# The symbol check: what an exercise's object file may define and call.

# C library functions an exercise may call: memory, strings, characters,
# printing to stdout/stderr, reading stdin (which is empty while grading),
# and what the compiler itself emits calls to. Plus all of math.h (below)
# and every function the course's own files define (lib/, earlier chapters).
ALLOWED_CALLS = set("""
printf fprintf vprintf vfprintf puts fputs putchar fputc putc fwrite fflush perror fclose
snprintf sprintf vsnprintf vsprintf sscanf vsscanf __isoc99_sscanf __isoc23_sscanf
__isoc99_vsscanf getchar getc fgetc fgets scanf __isoc99_scanf __isoc23_scanf fscanf
__isoc99_fscanf __isoc23_fscanf fread ungetc feof ferror clearerr setvbuf setbuf
stdin stdout stderr
malloc calloc realloc free aligned_alloc posix_memalign reallocarray abort
memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strcpy strncpy strcat
strncat strchr strrchr strstr strspn strcspn strpbrk strtok strtok_r strdup strndup
strerror atoi atol atoll atof strtod strtof strtold strtol strtoll strtoul strtoull
__isoc23_strtol __isoc23_strtoll __isoc23_strtoul __isoc23_strtoull
abs labs llabs div ldiv lldiv qsort bsearch rand srand
isalpha isdigit isspace isupper islower isalnum ispunct isxdigit isprint toupper tolower
__ctype_b_loc __ctype_tolower_loc __ctype_toupper_loc
time clock difftime
__assert_fail __assert_rtn __stack_chk_fail __stack_chk_guard __errno_location
__printf_chk __fprintf_chk __sprintf_chk __snprintf_chk __vprintf_chk __vfprintf_chk
__vsnprintf_chk __vsprintf_chk __memcpy_chk __memmove_chk __memset_chk __strcpy_chk
__strncpy_chk __strcat_chk __strncat_chk __fgets_chk __fread_chk
_GLOBAL_OFFSET_TABLE_
""".split())

MATH_FUNCTIONS = """
acos asin atan atan2 cos sin tan sincos acosh asinh atanh cosh sinh tanh exp exp2 exp10
expm1 frexp ilogb ldexp log log10 log1p log2 logb modf scalbn scalbln cbrt fabs hypot
pow pow10 sqrt erf erfc lgamma lgamma_r tgamma ceil floor nearbyint rint lrint llrint
round lround llround trunc fmod remainder remquo copysign nan nextafter nexttoward fdim
fmax fmin fma significand
""".split()
ALLOWED_CALLS |= {f + suffix for f in MATH_FUNCTIONS for suffix in ("", "f", "l")}
ALLOWED_CALLS |= {f"__{f}_finite" for f in MATH_FUNCTIONS}
ALLOWED_CALLS |= {p + s for p in ("__fpclassify", "__isnan", "__isinf", "__finite",
                                  "__signbit", "__issignaling") for s in ("", "f", "l")}
# libgcc's helpers (__divti3, __powidf2, __muldc3, __popcountdi2, ...)
LIBGCC_HELPER = re.compile(r"^__[a-z]+[0-9]$")

# Why a symbol is refused, for the message. Anything else that is neither
# allowed nor defined by the course gets the generic reason.
DENIED = {}
for _names, _why in [
    ("exit _exit _Exit quick_exit", "ends the whole program; a function returns instead "
     "(an exit inside a test would hide the checks after it)"),
    ("atexit at_quick_exit on_exit __cxa_atexit", "runs code when the program ends"),
    ("fork vfork clone clone3 system popen pclose execl execlp execle execv execvp execve "
     "execvpe fexecve posix_spawn posix_spawnp daemon wait waitpid",
     "starts or waits for other processes"),
    ("getenv secure_getenv environ __environ _environ setenv putenv unsetenv clearenv",
     "reads or changes the grader's environment"),
    ("fopen fopen64 freopen freopen64 fdopen open open64 openat openat64 creat creat64 "
     "remove unlink unlinkat rename renameat mkdir rmdir tmpfile tmpfile64 mkstemp "
     "mkostemp tmpnam chmod fchmod chown truncate ftruncate opendir readdir link symlink "
     "chdir fchdir chroot", "opens or changes files: an exercise prints to stdout or "
     "stderr only"),
    ("read write pread pwrite readv writev close dup dup2 dup3 pipe pipe2 socket connect "
     "bind accept listen send recv sendto recvfrom fileno ioctl fcntl mmap mmap64 munmap "
     "mprotect mremap", "works on raw file descriptors or memory mappings"),
    ("signal sigaction raise kill killpg tgkill alarm setitimer sigprocmask pthread_create "
     "pthread_kill sigsetjmp setjmp _setjmp longjmp _longjmp siglongjmp __longjmp_chk "
     "__sigsetjmp", "uses signals, threads or non-local jumps"),
    ("dlopen dlsym dlvsym syscall ptrace prctl setrlimit prlimit setuid setgid seteuid "
     "setsid setpgid getppid sleep usleep nanosleep", "is not needed by an exercise and "
     "could get around the grader"),
]:
    for _name in _names.split():
        DENIED[_name] = _why

CONSTRUCTOR_SECTIONS = (".init_array", ".fini_array", ".ctors", ".dtors", ".preinit_array")
SYSCALL_INSN = re.compile(r"\t(syscall|sysenter|int\s+\$0x80|svc\s)")
TOOL_CACHE = {}


def have(tool):
    if tool not in TOOL_CACHE:
        TOOL_CACHE[tool] = shutil.which(tool) is not None
    return TOOL_CACHE[tool]


def nm_symbols(path, dynamic=False):
    """(defined globals, undefined) names of an object or shared library."""
    cmd = ["nm", "-P"] + (["-D"] if dynamic else []) + [path]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace").stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0].split("@")[0], parts[1]
        if sys.platform == "darwin" and name.startswith("_"):
            name = name[1:]
        if kind in ("U", "w", "v"):
            undefined.add(name)
        elif kind.isupper() or kind in ("i", "u"):
            defined.add(name)
    return defined, undefined


def library_symbols():
    """Functions of the C and math libraries and of Criterion, which an
    exercise must not redefine (its definition would replace theirs)."""
    names = set()
    cc = os.environ.get("CC", "cc")
    for lib in ("libc.so.6", "libm.so.6", "libcriterion.so"):
        try:
            path = subprocess.run([cc, f"-print-file-name={lib}"], capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            continue
        if os.path.isabs(path) and os.path.exists(path):
            names |= nm_symbols(path, dynamic=True)[0]
    return names


def sections(path):
    if have("readelf"):
        out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True,
                             text=True, errors="replace").stdout
        return re.findall(r"\]\s+(\.\S+)", out)
    if have("objdump"):
        out = subprocess.run(["objdump", "-h", path], capture_output=True, text=True,
                             errors="replace").stdout
        return re.findall(r"^\s*\d+\s+(\.\S+)", out, re.M)
    return []


def check_object(obj, shown, protected, course_defined, link_defined):
    """The reasons, if any, not to link the exercise object `obj` (shown to
    the student as `shown`) into a test runner."""
    problems = []
    defined, undefined = nm_symbols(obj)
    if "main" in defined:
        problems.append(f"{shown} defines main(): the tests bring their own main; "
                        "remove it (try your code with `make run` instead)")
    for name in sorted(defined - {"main"}):
        if (name in protected or name in course_defined or name.startswith(
                ("criterion_", "cr_", "grading_", "__"))):
            problems.append(f"{shown} defines {name}(), a name that the C library, "
                            "Criterion or the course already defines; yours would "
                            "replace theirs for the tests too. Rename it, or make it "
                            "static")
    for name in sorted(undefined):
        if (name in ALLOWED_CALLS or name in link_defined or name in course_defined
                or LIBGCC_HELPER.match(name) and name not in DENIED):
            continue
        if name.startswith(("criterion_", "cr_", "grading_")):
            why = "belongs to the test harness"
        else:
            why = DENIED.get(name, "is not one of the functions an exercise may use "
                                   "(the C library's math, memory, string, character "
                                   "and printing functions, and the course's own)")
        problems.append(f"{shown} uses {name}(), which {why}")
    bad = sorted({s for s in sections(obj) if s.startswith(CONSTRUCTOR_SECTIONS)
                  or s in (".init", ".fini")})
    if bad:
        problems.append(f"{shown} has a constructor or destructor (section {bad[0]}, "
                        "from __attribute__((constructor)) or similar): code that "
                        "runs outside the tests is not allowed")
    if have("objdump"):
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", obj],
                             capture_output=True, text=True, errors="replace").stdout
        m = SYSCALL_INSN.search(out)
        if m:
            problems.append(f"{shown} contains a system call instruction "
                            f"({m.group(1).strip()}): inline assembly that talks to the "
                            "kernel is not allowed")
    return problems


# ---------------------------------------------------------------------------
# Building

def first_error(log):
    """The line of a build log that a student should read first."""
    lines = log.splitlines()
    for pattern in (r": (fatal )?error: ", r"undefined reference", r"No rule to make",
                    r"multiple definition", r"\berror\b"):
        for line in lines:
            if re.search(pattern, line) and not line.startswith("collect2"):
                return line.strip()
    return next((l.strip() for l in lines if l.strip()), "the build failed")


def make(targets, args, build, extra_cflags, extra_ldflags, jobs=1, keep_going=False):
    cmd = ["make", "--no-print-directory", "-C", ROOT, f"BUILD={build}",
           f"EXERCISES={args.exercises}", f"WERROR={1 if args.werror else 0}",
           f"EXTRA_CFLAGS={extra_cflags}", f"EXTRA_LDFLAGS={extra_ldflags}"]
    cmd += ([f"-j{jobs}"] if jobs > 1 else []) + (["-k"] if keep_going else []) + targets
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                              timeout=BUILD_TIMEOUT, env=clean_env())
        return proc.returncode == 0, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        return False, f"the build took longer than {BUILD_TIMEOUT} s"


def exercise_objects(ch, build):
    return [f"{build}/ex/{s}.o" for s in [ch.slug] + ch.uses]


def build_all(chapters, args):
    """Builds every chapter's runner in one parallel make that goes on past
    errors; build_chapter() then finds each chapter's own error, if any."""
    targets = []
    for ch in chapters:
        if all(os.path.exists(os.path.join(args.exercises, s + ".c"))
               for s in [ch.slug] + ch.uses):
            targets += exercise_objects(ch, args.build)
    if targets:
        make(sorted(set(targets)), args, args.build, args.extra_cflags,
             args.extra_ldflags, jobs=args.jobs, keep_going=True)
    # tests/, support and lib objects, in parallel; student objects are
    # linked only after the check, in build_chapter.
    others = [f"{args.build}/tests/{ch.slug}.o" for ch in chapters]
    others += [f"{args.build}/lib/{n[:-2]}.o" for n in os.listdir(os.path.join(ROOT, "lib"))
               if n.endswith(".c")]
    others += [f"{args.build}/support/{n[:-2]}.o"
               for n in os.listdir(os.path.join(ROOT, "tests", "support")) if n.endswith(".c")]
    make(others, args, args.build, args.extra_cflags, args.extra_ldflags,
         jobs=args.jobs, keep_going=True)


class Policy:
    """What the symbol check knows: the library's names and the course's."""

    def __init__(self, args):
        self.enabled = args.symbol_check
        self.protected = library_symbols() | DENIED.keys() | ALLOWED_CALLS if self.enabled else set()
        self.course = set()
        if self.enabled:
            for folder in ("lib", "support"):
                for obj in sorted(os.listdir(os.path.join(ROOT, args.build, folder))
                                  if os.path.isdir(os.path.join(ROOT, args.build, folder))
                                  else []):
                    if obj.endswith(".o"):
                        self.course |= nm_symbols(os.path.join(ROOT, args.build, folder, obj))[0]


def build_chapter(ch, args, policy, log_dir):
    """Builds the chapter's test runner; records why not on failure."""
    for slug in [ch.slug] + ch.uses:
        if not os.path.exists(os.path.join(args.exercises, slug + ".c")):
            ch.build_error = f"{args.exercises}/{slug}.c is missing"
            return None
    objects = exercise_objects(ch, args.build)
    ok, log = make(objects, args, args.build, args.extra_cflags, args.extra_ldflags)
    if ok and policy.enabled:
        problems, link_defined = [], set()
        for obj in objects:
            link_defined |= nm_symbols(os.path.join(ROOT, obj))[0]
        test_defined = nm_symbols(os.path.join(ROOT, f"{args.build}/tests/{ch.slug}.o"))[0] \
            if os.path.exists(os.path.join(ROOT, f"{args.build}/tests/{ch.slug}.o")) else set()
        for slug, obj in zip([ch.slug] + ch.uses, objects):
            problems += check_object(os.path.join(ROOT, obj), f"{args.exercises}/{slug}.c",
                                     policy.protected, policy.course | test_defined,
                                     link_defined)
        if problems:
            log += "\nthe grader's check of the compiled exercises refused them:\n  " + \
                "\n  ".join(problems) + "\n"
            also = [re.sub(r"^\S+ ((?:uses|defines) \w+\(\)|has a constructor|contains a "
                           r"system call).*$", r"\1", q) for q in problems[1:]]
            ch.build_error = "was not run: " + problems[0] + (
                f". Also: {'; '.join(also)} (details in the build log)" if also else "")
    target = f"{args.build}/bin/{ch.slug}-tests"
    if ok and not ch.build_error:
        ok, link_log = make([target], args, args.build, args.extra_cflags,
                            args.extra_ldflags)
        log += link_log
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, f"build-{ch.key}.log"), "w") as f:
        f.write(log)
    ch.warnings = len(re.findall(r"\bwarning:", log))
    ch.warning_lines = [l.strip() for l in log.splitlines() if re.search(r"\bwarning:", l)]
    if ch.build_error:
        return None
    if not ok:
        error = first_error(log)
        m = re.search(r"undefined reference to `(\w+)'", error)
        if m:
            ch.build_error = (f"did not build: no function {m.group(1)}() in "
                              f"{args.exercises}/ (the tests call it; its declaration "
                              f"is in include/): {error}")
        else:
            ch.build_error = "did not build: " + error
        return None
    return os.path.join(ROOT, target)


# ---------------------------------------------------------------------------
# The sandbox a test runs in

def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


class Sandbox:
    """Private directories, resource limits and, when root, unprivileged uids:
    one uid per parallel slot, so that RLIMIT_NPROC counts one test's
    processes only and every process a test leaves behind can be killed."""

    def __init__(self, args, trusted):
        self.root = tempfile.mkdtemp(prefix="grade-")
        os.chmod(self.root, 0o711)
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
        using (a lock file each, held until this grader ends)."""
        import fcntl
        uids = []
        for uid in range(base, base + SANDBOX_UID_RANGE):
            if len(uids) == count:
                break
            try:
                fd = os.open(os.path.join(tempfile.gettempdir(), f".grade-uid-{uid}.lock"),
                             os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue
            self.locks.append(fd)
            uids.append(uid)
        return uids + [None] * (count - len(uids))

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

    def limits(self, cpu_seconds, uid, memory):
        def apply():
            os.setsid()
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

    def run(self, binary, test, extra_env=None, memory=True, tests=None):
        """Runs one test (or, given `tests`, all the tests of the runner, each
        in its own child process, as Criterion does); returns (exit code or
        None on time-out, report path, sentinel path, token, output path,
        output size)."""
        uid = self.slots.get()
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
                   "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}
            env.update(extra_env or {})
            if tests is None:
                limit = test.time_limit + RUNNER_GRACE
                which = [f"--filter={test.suite}/{test.name}"]
            else:
                limit = BATCH_LIMIT + max(t.time_limit for t in tests)
                which = ["--verbose"]  # [RUN ]/[PASS]/[FAIL] lines delimit each test's output
            cmd = [self.binary(binary)] + which + [
                f"--json={report}", "--jobs=1", "--color=never", "--short-filename"]
            with open(output, "wb") as out:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, env=env, cwd=folder,
                                        preexec_fn=self.limits(int(limit) + 1, uid,
                                                               memory and self.memory))
                # A blocking wait and a timer: Popen.wait(timeout) polls, and
                # would add up to 50 ms to every test.
                stopped = threading.Event()

                def stop():
                    stopped.set()
                    kill_group(proc.pid)
                timer = threading.Timer(limit, stop)
                timer.start()
                code = proc.wait()
                timer.cancel()
                kill_group(proc.pid)  # whatever the test left running
                if stopped.is_set():
                    code = None
            if uid is not None:
                self.reap(uid)
            return code, report, sentinel, token, output, os.path.getsize(output)
        finally:
            self.slots.put(uid)


# ---------------------------------------------------------------------------
# Verdicts

def run_chapter(sandbox, ch):
    """The fast path: all the chapter's tests in one runner (Criterion still
    runs each in a child process of its own). The tests that pass cleanly
    there (in a report of a runner that ended normally, PASSED, with
    assertions, with their finished mark) are scored; returns the others,
    to be run one by one."""
    code, report, sentinel, token, output, size = sandbox.run(ch.binary, None, tests=ch.tests)
    if code not in (0, 1) or size >= OUTPUT_LIMIT:
        return list(ch.tests)
    finished = set(read_head(sentinel, 1 << 20).splitlines())
    printed = batch_output(read_head(output, OUTPUT_LIMIT))
    again = []
    for t in ch.tests:
        entry = read_report(report, t)
        status = entry.get("status") if entry else None
        if (status == "PASSED" and entry.get("assertions", 0) >= 1
                and f"{token} {t.suite}/{t.name}" in finished):
            t.passed, t.message = True, ""
        elif status == "ERRORED" and "timed out" in " ".join(entry.get("messages", [])):
            # Criterion stopped it at its time limit: no need to wait again
            t.passed, t.message = verdict(t, report, sentinel, token, code, size)
            t.printed = format_printed(printed.get(t.id, ""))
        elif status == "FAILED" and entry.get("messages"):
            # a check failed, cleanly: the report says which and why
            t.passed = False
            t.message = "\n".join(strip_location(m) for m in entry["messages"])
            t.printed = format_printed(printed.get(t.id, ""))
        else:  # crashed, timed out, exited early, missing: alone, for the reason
            again.append(t)
    return again


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


def run_test(sandbox, binary, test, exercises):
    """Runs one test in isolation and sets test.passed and test.message."""
    code, report, sentinel, token, output, size = sandbox.run(binary, test)
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
    finished = f"{token} {test.suite}/{test.name}" in read_head(sentinel, 1 << 16).splitlines()
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


# ---------------------------------------------------------------------------
# Where a crash happened: the crashed tests again, on a sanitizer build

SAN_SUMMARY = re.compile(r"SUMMARY: (\w+Sanitizer): (\S+)(?: (\S+:\d+))?(?: in (\w+))?")
SAN_FRAME = re.compile(r"#\d+ 0x[0-9a-f]+ in (\w+) (\S+?):(\d+)")
UB_ERROR = re.compile(r"^(\S+?):(\d+):\d+: runtime error: (.*)$", re.M)


def locate_crashes(chapters, args, sandbox):
    crashed = [(ch, t) for ch in chapters for t in ch.tests if t.crashed]
    if not crashed or not args.sanitize:
        return
    build = os.path.join(args.build, "sanitize")
    exercises = os.path.realpath(os.path.join(ROOT, args.exercises))
    for ch in {ch for ch, _ in crashed}:
        ok, _ = make([f"{build}/bin/{ch.slug}-tests"], args, build,
                     f"{args.extra_cflags} {SANITIZE_FLAGS}".strip(),
                     f"{args.extra_ldflags} -fsanitize=address,undefined".strip(),
                     jobs=args.jobs)
        if not ok:
            continue
        binary = os.path.join(ROOT, build, "bin", f"{ch.slug}-tests")
        env = {"ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:allocator_may_return_null=1:"
                               "max_allocation_size_mb=2048:hard_rss_limit_mb=2048:"
                               "handle_abort=1:print_summary=1",
               "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}

        def one(t):
            for _ in range(2):
                code, _, _, _, output, _ = sandbox.run(binary, t, extra_env=env, memory=False)
                where = sanitizer_finding(read_head(output, 1 << 20), exercises, args.exercises)
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


def sanitizer_finding(text, exercises, shown):
    """'heap-buffer-overflow (WRITE of size 8) in gd_step at exercises/gd.c:11'
    from a sanitizer's report, or None."""
    def show(path):
        real = os.path.realpath(os.path.join(ROOT, path))
        if real.startswith(exercises + os.sep):
            return os.path.join(shown, os.path.relpath(real, exercises))
        return None
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

def table(chapters, progress=None):
    lines = [f"{'Chapter':<46} {'Tests':>7} {'Points':>9}"]
    lines[0] += progress.heading() if progress else ""  # (loop) tools/progress.py
    lines.append("-" * len(lines[0]))
    for ch in chapters:
        passed = sum(t.passed for t in ch.tests)
        row = (f"{ch.number} {ch.title[:43]:<43} {passed:>3}/{len(ch.tests):<3} "
               f"{ch.points:>4}/{ch.max_points:<4}")
        row += progress.cell(ch) if progress else ""  # (loop)
        if ch.build_error:
            row += ("  (missing)" if ch.build_error.endswith("is missing") else
                    "  (refused)" if ch.build_error.startswith("was not run") else
                    "  (did not build)")
        lines.append(row)
    lines.append("-" * len(lines[0]))
    total = sum(c.points for c in chapters)
    maximum = sum(c.max_points for c in chapters)
    lines.append(f"{'Total':<46} {sum(sum(t.passed for t in c.tests) for c in chapters):>3}/"
                 f"{sum(len(c.tests) for c in chapters):<3} {total:>4}/{maximum:<4}")
    if progress:  # (loop) the change since the last grade, the course's progress
        lines[-1] += progress.total_cell()
        lines += progress.lines()
    return "\n".join(lines)


def failures(chapters, per_chapter, exercises="exercises"):
    """The failing checks, a few per chapter unless per_chapter is None."""
    out = []
    for ch in chapters:
        failing = [t for t in ch.tests if not t.passed]
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
    files = ["Makefile", "tools/grade.py"]
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
    p.add_argument("--progress", help="remember this grade in this file and show what "
                   "changed since the last one (make grade: build/grade/progress.json)")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    args.jobs = max(1, args.jobs)
    # Instrumented builds (coverage, sanitizers) carry the compiler's own
    # constructors and calls, and write their data next to the objects: the
    # symbol check and the uid switch are for plain builds.
    instrumented = re.search(r"--coverage|-fprofile|-fsanitize|-pg\b", args.extra_cflags)
    if instrumented:
        args.symbol_check, args.sanitize = False, False
    if args.symbol_check and not have("nm"):
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

    start = time.time()
    log_dir = os.path.join(ROOT, args.build)
    build_all(chapters, args)
    policy = Policy(args)
    for ch in chapters:
        ch.binary = build_chapter(ch, args, policy, log_dir)
        if ch.binary is None:
            for t in ch.tests:
                t.passed, t.message = False, f"chapter {int(ch.number)} {ch.build_error}"
    sandbox = Sandbox(args, trusted=bool(instrumented))
    try:
        built = [ch for ch in chapters if ch.binary]
        with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            again = list(pool.map(lambda ch: run_chapter(sandbox, ch), built))
            runs = [(ch, t) for ch, tests in zip(built, again) for t in tests]
            # the slow tests first, so that they overlap with the rest
            runs.sort(key=lambda r: -r[1].time_limit)
            list(pool.map(lambda r: run_test(sandbox, r[0].binary, r[1], args.exercises),
                          runs))
        locate_crashes(chapters, args, sandbox)
        for ch in built:
            for t in ch.tests:
                t.message += t.printed
    finally:
        sandbox.close()
    if args.shown_as:
        folder = args.exercises.rstrip("/")
        real = os.path.realpath(os.path.join(ROOT, folder))
        for ch in chapters:
            for t in ch.tests:
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
    summary = table(chapters, progress)
    detail = failures(chapters, None, args.exercises)
    digest = f"course files: {course_digest()}"
    if args.report:
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        with open(args.report, "w") as f:
            json.dump(results_json(chapters, elapsed, summary + "\n" + digest), f, indent=2)
        with open(os.path.join(os.path.dirname(os.path.abspath(args.report)),
                               "feedback.txt"), "w") as f:
            f.write(summary + "\n" + detail + "\n\n" + digest + "\n")

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
