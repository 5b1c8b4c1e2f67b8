"""exercise_build.py: compiles a student's exercise files and checks what
comes out, before any of it runs (used by tools/grade.py).

A student's file is never compiled where it could reach the course: it is
copied, with copies of include/ and lib/'s headers only, into a scratch
folder, and compiled there in three steps, each a process of its own with
CPU, memory, output and time limits (its whole process group is killed at
the limit), as an unprivileged uid when the grader runs as root, and inside
bubblewrap (no view of anything but the system and the scratch folder)
when bwrap works here:

  1. preprocess (cc -E -MD): every file the preprocessor read must be in the
     scratch folder or a system include folder (no #include of
     ../solutions/gd.c, /etc/shadow or /dev/zero);
  2. compile to assembly (cc -S): the assembly may hold only the directives
     the compiler itself writes (no .incbin or .include of a file, which a
     section name or an asm statement could smuggle in) and no inline
     assembly at all;
  3. assemble (cc -c).

The object then passes the symbol check (check_object): no main, no
constructor or ifunc, no name that the C library or the course defines, no
function outside what an exercise may call, and no system call instruction
at any byte offset of its code. The same steps build the sanitizer variant
that locates crashes, from the same preprocessed text, so that code seen
only by the sanitizer build (#ifdef __SANITIZE_ADDRESS__) cannot exist.

Objects are cached by the hash of everything that makes them (sources,
headers, flags, compiler), so an unchanged file is not compiled again.
Standard library only.
"""
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "build", "cache")

SOURCE_LIMIT = 1 << 20        # bytes of one exercise file, at most
COMPILE_CPU = 60              # CPU seconds of one compiler step
COMPILE_WALL = 120            # seconds, wall clock
COMPILE_MEMORY = 2 * 1024 ** 3
COMPILE_OUTPUT = 64 * 1024 ** 2
CSTD_FLAGS = ["-std=c11", "-O2", "-g", "-ffp-contract=off", "-Wall", "-Wextra",
              "-Wpedantic"]
SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer"]

# The directives a C compiler writes (gcc, clang), with the cfi_ family.
DIRECTIVES = set("""
file text data bss section previous pushsection popsection subsection globl global
local weak hidden protected internal type size align p2align balign string ascii asciz
byte short value long quad zero skip comm lcomm ident loc loc_mark_labels uleb128
sleb128 set word int hword 2byte 4byte 8byte float double nops
""".split())


def read_student_file(path):
    """(bytes, None) or (None, why): a regular file, opened without
    following a link, no larger than SOURCE_LIMIT."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        if e.errno == 40:  # ELOOP: a symbolic link
            return None, "is a symbolic link; hand in the file itself"
        return None, f"cannot be read ({e.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file"
        if info.st_size > SOURCE_LIMIT:
            return None, f"is larger than {SOURCE_LIMIT >> 10} KiB"
        data = b""
        while len(data) <= SOURCE_LIMIT:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
        if len(data) > SOURCE_LIMIT:
            return None, f"is larger than {SOURCE_LIMIT >> 10} KiB"
        return data, None
    finally:
        os.close(fd)


MAX_ENTRIES = 10000  # files and folders looked at in one submission, at most


def collect_submission(folder, slugs):
    """{slug: path} of the chapter files in a student's folder (an
    exercises/ folder first, then bare files anywhere below), {slug: why}
    for chapter files that cannot be taken, and the other .c/.h files found
    (ignored). Only real folders are entered and only regular files taken:
    no link is followed, no FIFO or device opened."""
    found, refused, others = {}, {}, []
    seen = 0
    preferred = os.path.join(folder, "exercises")
    bases = [preferred] if stat.S_ISDIR(os.lstat(preferred).st_mode
                                        if os.path.lexists(preferred) else 0) else []
    for base in bases + [folder]:
        stack = [base]
        while stack and seen < MAX_ENTRIES:
            try:
                entries = sorted(os.scandir(stack.pop()), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith((".", "__")):
                        stack.append(entry.path)
                    continue
                slug = entry.name[:-2] if entry.name.endswith(".c") else None
                if slug in slugs and slug not in found and slug not in refused:
                    if entry.is_file(follow_symlinks=False):
                        found[slug] = entry.path
                    else:
                        refused[slug] = ("a symbolic link" if entry.is_symlink()
                                         else "not a regular file")
                elif entry.name.endswith((".c", ".h")) and entry.path not in found.values():
                    others.append(os.path.relpath(entry.path, folder))
    return found, refused, sorted(set(others))


# ---------------------------------------------------------------------------
# Running a compiler step under limits

def bwrap_usable():
    """Whether bubblewrap can make a private view of the file system here
    (it needs user namespaces, or root; Docker often has neither)."""
    if not hasattr(bwrap_usable, "answer"):
        path = shutil.which("bwrap")
        ok = False
        if path:
            try:
                ok = subprocess.run(bwrap_view([]) + ["true"],
                                    capture_output=True, timeout=20).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        bwrap_usable.answer = ok
    return bwrap_usable.answer


def bwrap_view(writable, readable=()):
    """bwrap arguments: the system read-only, the given folders, nothing
    else of the machine (no home, no course, no other student), a private
    /tmp, no network, its own PID namespace, dying with the grader."""
    args = ["bwrap"]
    for d in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"):
        if os.path.exists(d):
            args += ["--ro-bind", d, d]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for d in readable:
        args += ["--ro-bind", d, d]
    for d in writable:
        args += ["--bind", d, d]
    return args + ["--unshare-all", "--die-with-parent", "--new-session"]


def limits(uid, cpu, memory, output):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
    return apply


def run_limited(cmd, cwd, uid=None, wall=COMPILE_WALL, cpu=COMPILE_CPU,
                memory=COMPILE_MEMORY, output=COMPILE_OUTPUT, env=None, view=False):
    """(exit code or None when stopped at the wall limit, what it printed).
    The whole process group is killed when it ends or times out."""
    if view and bwrap_usable():
        cmd = bwrap_view([cwd]) + ["--chdir", cwd] + cmd
    log = tempfile.TemporaryFile()
    env = env or {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TMPDIR": cwd, "HOME": cwd}
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=env,
                            preexec_fn=limits(uid, cpu, memory, output))
    code = wait_or_kill(proc, wall)
    log.seek(0)
    text = log.read(1 << 20).decode("utf-8", "replace")
    log.close()
    return code, text


def wait_or_kill(proc, wall):
    """proc's exit code, or None when it outlived `wall` seconds; either way
    its whole process group is killed after (whatever it left running). A
    blocking wait and a timer: Popen.wait(timeout) polls, and would add up
    to 50 ms to every test."""
    stopped = threading.Event()

    def stop():
        stopped.set()
        kill_group(proc.pid)
    timer = threading.Timer(wall, stop)
    timer.start()
    code = proc.wait()
    timer.cancel()
    kill_group(proc.pid)
    return None if stopped.is_set() else code


def claim_locks(kind, candidates, count):
    """Up to `count` of candidates that no other grader on this machine
    holds (a lock file each, kept until this process ends): (the claimed,
    padded with None to count; their descriptors)."""
    import fcntl
    claimed, fds = [], []
    for item in candidates:
        if len(claimed) == count:
            break
        try:
            fd = os.open(os.path.join(tempfile.gettempdir(), f".grade-{kind}-{item}.lock"),
                         os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue
        fds.append(fd)
        claimed.append(item)
    return claimed + [None] * (count - len(claimed)), fds


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


# ---------------------------------------------------------------------------
# The compiler

class Compiler:
    """The C compiler and what a compilation depends on besides the source."""

    def __init__(self, cc=None):
        self.cc = cc or os.environ.get("CC", "cc")
        path = shutil.which(self.cc) or self.cc
        version = subprocess.run([self.cc, "--version"], capture_output=True,
                                 text=True).stdout.splitlines()
        self.identity = f"{os.path.realpath(path)} {version[0] if version else ''}"
        self.system_dirs = self._system_dirs()
        self.headers = self._headers()

    def _system_dirs(self):
        out = subprocess.run([self.cc, "-E", "-v", "-x", "c", "/dev/null", "-o",
                              "/dev/null"], capture_output=True, text=True).stderr
        dirs, inside = [], False
        for line in out.splitlines():
            if line.startswith("#include <...> search starts here"):
                inside = True
            elif line.startswith("End of search list"):
                inside = False
            elif inside:
                dirs.append(os.path.realpath(line.strip()))
        return dirs

    def _headers(self):
        """{relative path: bytes} of the headers a scratch folder gets."""
        found = {}
        for folder in ("include", "lib"):
            for name in sorted(os.listdir(os.path.join(ROOT, folder))):
                if name.endswith(".h"):
                    with open(os.path.join(ROOT, folder, name), "rb") as f:
                        found[f"{folder}/{name}"] = f.read()
        return found


class Built:
    """The outcome of compiling one exercise file."""

    def __init__(self, obj=None, log="", error=None, preprocessed=None):
        self.obj, self.log, self.error = obj, log, error
        self.preprocessed = preprocessed


def cache_key(compiler, flags, sources, flavor):
    h = hashlib.sha256()
    h.update(compiler.identity.encode() + b"\0" + flavor.encode() + b"\0")
    h.update("\0".join(flags).encode() + b"\0")
    for name, data in sorted(compiler.headers.items()) + sorted(sources.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()[:32]


def scratch_folder(parent, compiler, sources, uid):
    """A fresh folder holding include/, lib/ (headers) and exercises/."""
    work = tempfile.mkdtemp(dir=parent, prefix="cc-")
    for rel, data in list(compiler.headers.items()) + [
            (f"exercises/{n}", d) for n, d in sources.items()]:
        path = os.path.join(work, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    for folder, dirs, files in os.walk(work):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
        if uid is not None:
            os.chown(folder, uid, uid)
    return work


def outside_dependencies(depfile, work, system_dirs):
    """The files the preprocessor read that are neither in the scratch
    folder nor in a system include folder."""
    try:
        with open(depfile) as f:
            text = f.read().replace("\\\n", " ")
    except OSError:
        return ["(no dependency list)"]
    _, _, deps = text.partition(":")
    bad = []
    roots = [os.path.realpath(work)] + system_dirs
    for dep in deps.split():
        real = os.path.realpath(os.path.join(work, dep))
        if not any(real == r or real.startswith(r + os.sep) for r in roots):
            bad.append(dep)
    return bad


def check_assembly(text):
    """Why the compiler's assembly output is refused, or None."""
    for number, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s == "#APP":
            return ("contains inline assembly (asm or __asm__): an exercise is "
                    "written in C only")
        m = re.match(r"^\.([A-Za-z_][\w.]*)\b(?!\s*:)", s)
        if not m or s.startswith(".L") and s.endswith(":"):
            continue
        name = m.group(1)
        if name in ("incbin", "include"):
            return (f"makes the assembler read a file (.{name}, line {number} of "
                    f"the assembly): not allowed")
        if name not in DIRECTIVES and not name.startswith("cfi_"):
            return (f"makes the compiler write the assembler directive .{name} "
                    f"(line {number} of the assembly), which C code does not "
                    f"produce: a section name or symbol name with assembly in it?")
    return None


def compile_exercise(compiler, source_name, sources, flags, flavor, scratch_parent,
                     uid=None, use_cache=True, preprocessed=None):
    """Compiles exercises/source_name (sources: {name: bytes} of the student's
    .c and .h files) into an object. flavor names the variant ('plain',
    'sanitize'); preprocessed, when given, is the text to compile (the
    sanitizer variant reuses the plain build's). Returns a Built."""
    key = cache_key(compiler, flags, sources, flavor + ":" + source_name)
    cached = os.path.join(CACHE, "objects", key)
    if use_cache and os.path.exists(os.path.join(cached, "ok")):
        with open(os.path.join(cached, "log"), encoding="utf-8", errors="replace") as f:
            return Built(os.path.join(cached, "object.o"), f.read(),
                         preprocessed=os.path.join(cached, "source.i"))
    work = scratch_folder(scratch_parent, compiler, sources, uid)
    try:
        built = _compile_in(compiler, work, source_name, flags, uid, preprocessed)
        if built.error or not use_cache:
            if built.obj:  # not cached (coverage builds): keep it beside the build
                keep = os.path.join(scratch_parent, f"{flavor}-{source_name}.o")
                shutil.copy(built.obj, keep)
                built.obj = keep
            return built
        os.makedirs(os.path.join(CACHE, "objects"), exist_ok=True)
        tmp = tempfile.mkdtemp(dir=os.path.join(CACHE, "objects"), prefix=".tmp-")
        shutil.copy(built.obj, os.path.join(tmp, "object.o"))
        shutil.copy(built.preprocessed, os.path.join(tmp, "source.i"))
        with open(os.path.join(tmp, "log"), "w") as f:
            f.write(built.log)
        open(os.path.join(tmp, "ok"), "w").close()
        try:
            os.rename(tmp, cached)
        except OSError:  # another grader made it meanwhile: the same bytes
            shutil.rmtree(tmp, ignore_errors=True)
        return Built(os.path.join(cached, "object.o"), built.log,
                     preprocessed=os.path.join(cached, "source.i"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _step(cmd, work, uid, log, what):
    code, text = run_limited(cmd, work, uid=uid, view=True)
    log.append(text)
    if code is None:
        return (f"{what} took longer than {COMPILE_WALL} s and was stopped (a file "
                f"that includes itself, or a huge one?)")
    if code != 0:
        return first_error(text) if code > 0 else (
            f"{what} was stopped by a limit ({COMPILE_MEMORY >> 30} GiB of memory, "
            f"{COMPILE_CPU} s of CPU): {first_error(text)}")
    return None


def _compile_in(compiler, work, name, flags, uid, preprocessed):
    src = f"exercises/{name}"
    stem = os.path.splitext(name)[0]
    log = []
    if preprocessed is None:
        err = _step([compiler.cc, "-E"] + flags + ["-Iinclude", "-Ilib", "-MD", "-MF",
                    f"{stem}.d", "-o", f"{stem}.i", src], work, uid, log, "preprocessing")
        if err:
            return Built(log="".join(log), error=err)
        bad = outside_dependencies(os.path.join(work, f"{stem}.d"), work,
                                   compiler.system_dirs)
        if bad:
            return Built(log="".join(log), error=(
                f"{src} includes {bad[0]}, a file outside your exercises and the "
                f"course's headers: refused"))
    else:
        shutil.copy(preprocessed, os.path.join(work, f"{stem}.i"))
        if uid is not None:
            os.chown(os.path.join(work, f"{stem}.i"), uid, uid)
    # The scratch folder's name stays out of the object (and of messages):
    # the same source gives the same object wherever it was compiled.
    err = _step([compiler.cc, "-S", "-fpreprocessed", f"-fdebug-prefix-map={work}=."] +
                flags + ["-o", f"{stem}.s", f"{stem}.i"], work, uid, log, "compiling")
    if err:
        return Built(log="".join(log), error=err)
    with open(os.path.join(work, f"{stem}.s"), encoding="utf-8", errors="replace") as f:
        why = check_assembly(f.read())
    if why:
        return Built(log="".join(log), error=f"{src} {why}")
    err = _step([compiler.cc, "-c"] + flags + ["-o", f"{stem}.o", f"{stem}.s"], work, uid,
                log, "assembling")
    if err:
        return Built(log="".join(log), error=err)
    return Built(os.path.join(work, f"{stem}.o"), "".join(log),
                 preprocessed=os.path.join(work, f"{stem}.i"))


def first_error(log):
    """The line of a build log that a student should read first."""
    lines = log.splitlines()
    for pattern in (r": (fatal )?error: ", r"undefined reference", r"multiple definition",
                    r"\berror\b"):
        for line in lines:
            if re.search(pattern, line) and not line.startswith("collect2"):
                return line.strip()
    return next((l.strip() for l in lines if l.strip()), "the build failed")


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
# What a sanitizer build of an exercise calls besides: its runtime.
SANITIZER_CALL = re.compile(r"^__(asan|ubsan|sanitizer|lsan)_\w+$")

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
     "setsid setpgid getppid sleep usleep nanosleep dl_iterate_phdr _r_debug _DYNAMIC "
     "__libc_start_main", "is not needed by an exercise and could get around the grader"),
]:
    for _name in _names.split():
        DENIED[_name] = _why

CONSTRUCTOR_SECTIONS = (".init_array", ".fini_array", ".ctors", ".dtors", ".preinit_array")


def nm_symbols(path, dynamic=False):
    """(defined globals, undefined, ifuncs) names of an object or library."""
    cmd = ["nm", "-P"] + (["-D"] if dynamic else []) + [path]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace").stdout
    defined, undefined, ifuncs = set(), set(), set()
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
        if kind == "i":
            ifuncs.add(name)
    return defined, undefined, ifuncs


def library_symbols(cc):
    """Functions of the C and math libraries and of Criterion, which an
    exercise must not redefine; cached by the libraries' identity (path,
    size, time), since listing them takes longer than a grade."""
    paths = []
    for lib in ("libc.so.6", "libm.so.6", "libcriterion.so"):
        try:
            path = subprocess.run([cc, f"-print-file-name={lib}"], capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            continue
        if os.path.isabs(path) and os.path.exists(path):
            paths.append(os.path.realpath(path))
    ident = hashlib.sha256(json.dumps([(p, os.stat(p).st_size, os.stat(p).st_mtime_ns)
                                       for p in paths]).encode()).hexdigest()[:24]
    cached = os.path.join(CACHE, f"libsyms-{ident}.json")
    try:
        with open(cached) as f:
            return set(json.load(f))
    except (OSError, ValueError):
        pass
    names = set()
    for path in paths:
        names |= nm_symbols(path, dynamic=True)[0]
    os.makedirs(CACHE, exist_ok=True)
    tmp = f"{cached}.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(sorted(names), f)
    os.replace(tmp, cached)
    return names


def elf_sections(path):
    """[(name, flags, bytes)] of an ELF64 little-endian object, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
               for i in range(shnum)]
    strtab = headers[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    out = []
    for h in headers:
        name = names[h[0]:names.index(b"\0", h[0])].decode("ascii", "replace")
        body = data[h[4]:h[4] + h[5]] if h[1] != 8 else b""  # 8: SHT_NOBITS
        out.append((name, h[2], body))
    return out


STARTUP_SECTIONS = (".preinit_array", ".init_array", ".fini_array", ".ctors", ".dtors",
                    ".init", ".fini")
IRELATIVE = {62: 37, 183: 1032}  # e_machine -> R_*_IRELATIVE (x86-64, aarch64)


def startup(path):
    """What a linked program runs before main and at exit, besides main's
    own calls: the sizes of its constructor and destructor tables and of
    .init/.fini, and how many ifunc resolvers its loader calls. A student's
    object that adds any of them changes this, whatever it is named."""
    sections = elf_sections(path) or []
    with open(path, "rb") as f:
        head = f.read(20)
    machine, = struct.unpack_from("<H", head, 18)
    sizes = {name: len(body) for name, _, body in sections if name in STARTUP_SECTIONS}
    resolvers = 0
    for name, _, body in sections:
        if name.startswith(".rela"):
            for at in range(0, len(body) - 23, 24):
                info, = struct.unpack_from("<Q", body, at + 8)
                resolvers += (info & 0xFFFFFFFF) == IRELATIVE.get(machine)
    sizes["ifunc resolvers"] = resolvers
    return sizes


# x86: syscall, sysenter, int $0x80; aarch64: svc (aligned words).
X86_SYSCALLS = (b"\x0f\x05", b"\x0f\x34", b"\xcd\x80")


def syscall_bytes(path):
    """(section, offset, kind) of the first bytes of a system call
    instruction at any offset of an executable section, or None."""
    sections = elf_sections(path)
    if sections is None:
        return None
    for name, flags, body in sections:
        if not flags & 0x4:  # SHF_EXECINSTR
            continue
        for pattern in X86_SYSCALLS:
            at = body.find(pattern)
            if at >= 0:
                return name, at, pattern.hex(" ")
        for at in range(0, len(body) - 3, 4):
            word, = struct.unpack_from("<I", body, at)
            if word & 0xFFE0001F == 0xD4000001 and os.uname().machine == "aarch64":
                return name, at, "svc"
    return None


def check_object(obj, shown, protected, course_defined, link_defined, sanitizer=False):
    """The reasons, if any, not to link the exercise object `obj` (shown to
    the student as `shown`) into a driver."""
    problems = []
    defined, undefined, ifuncs = nm_symbols(obj)
    if "main" in defined:
        problems.append(f"{shown} defines main(): the tests bring their own main; "
                        "remove it (try your code with `make run` instead)")
    for name in sorted(ifuncs):
        problems.append(f"{shown} defines {name}() as an indirect function (ifunc), whose "
                        "resolver runs before the tests: not allowed")
    for name in sorted(defined - {"main"} - ifuncs):
        if sanitizer and name.startswith("__odr_asan"):
            continue
        if (name in protected or name in course_defined or name.startswith(
                ("criterion_", "cr_", "grading_", "judge_", "drv_", "driver_", "wire_",
                 "__"))):
            problems.append(f"{shown} defines {name}(), a name that the C library, "
                            "Criterion or the course already defines; yours would "
                            "replace theirs for the tests too. Rename it, or make it "
                            "static")
    for name in sorted(undefined):
        if (name in ALLOWED_CALLS or name in link_defined or name in course_defined
                or LIBGCC_HELPER.match(name) and name not in DENIED
                or sanitizer and SANITIZER_CALL.match(name)):
            continue
        if name.startswith(("criterion_", "cr_", "grading_", "judge_")):
            why = "belongs to the test harness"
        else:
            why = DENIED.get(name, "is not one of the functions an exercise may use "
                                   "(the C library's math, memory, string, character "
                                   "and printing functions, and the course's own)")
        problems.append(f"{shown} uses {name}(), which {why}")
    sections = elf_sections(obj) or []
    # A sanitizer build registers its globals from a constructor of its own;
    # the plain build of the same preprocessed text has none (checked).
    bad = sorted({s for s, _, _ in sections if s.startswith(CONSTRUCTOR_SECTIONS)
                  or s in (".init", ".fini")})
    if bad and not sanitizer:
        problems.append(f"{shown} has a constructor or destructor (section {bad[0]}, "
                        "from __attribute__((constructor)) or similar): code that "
                        "runs outside the tests is not allowed")
    found = syscall_bytes(obj)
    if found:
        problems.append(f"{shown} contains a system call instruction ({found[2]}, at byte "
                        f"{found[1]} of {found[0]}): code that talks to the kernel "
                        "directly is not allowed")
    return problems
