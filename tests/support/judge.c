/* judge.c: the judge's side of a graded test (judge.h, wire.h). */
#define _GNU_SOURCE
#include "judge.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef double (*JudgeObjectiveFn)(const double *x, void *ctx);
typedef void (*JudgeGradientFn)(double *grad, const double *x, void *ctx);

typedef struct {
    pid_t pid; /* 0: not started */
    Wire wire;
} Driver;

static Driver drivers[2];
static JudgeTarget current = JUDGE_STUDENT;

/* The variables the driver gets: what makes uninitialised memory visible
 * and what the sanitizers read. Nothing of the grader's (no token). */
static const char *const DRIVER_ENV[] = {"MALLOC_PERTURB_", "GLIBC_TUNABLES",
                                         "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                         "LC_ALL"};
#define N_DRIVER_ENV (sizeof DRIVER_ENV / sizeof DRIVER_ENV[0])

/* The arrays sent in the calls in progress, for aliases and for the names
 * in messages: those of the call at depth k start at array_base[k]. */
#define MAX_ARRAYS 256
static struct {
    const void *p;
    size_t bytes;
    const char *what;
} arrays[MAX_ARRAYS];
static int n_arrays;

/* Callbacks the driver may call during the outermost call in progress. */
#define MAX_SLOTS 64
static struct {
    void (*fn)(void);
    JudgeSignature signature;
    long long n;
    void *ctx;
} slots[MAX_SLOTS];
static int n_slots, depth;

/* Names of the calls in progress, innermost last, for messages. */
#define MAX_DEPTH 32
static const char *calls[MAX_DEPTH];
static int array_base[MAX_DEPTH];

/* The judge's copies of buffers the student's code allocated. */
typedef struct {
    void *mine;
    uint64_t handle;
} Mirror;
static Mirror *mirrors;
static size_t n_mirrors, cap_mirrors;

static bool once; /* judge_use_once: back to the student after the call */

void judge_use(JudgeTarget target) {
    current = target;
    once = false;
}

void judge_use_once(JudgeTarget target) {
    current = target;
    once = true;
}

static const char *call_name(void) {
    return depth > 0 ? calls[depth - 1] : "a function";
}

static void (*fail_hook)(const char *message);

void judge_on_fail(void (*hook)(const char *message)) { fail_hook = hook; }

_Noreturn void judge_fail(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (fail_hook) fail_hook(msg); /* does not return */
    cr_assert_fail("%s", msg);
    abort(); /* not reached: cr_assert_fail ends the test */
}

void judge_check_size(const char *fn, const char *field, long long got,
                      long long want, bool zero_ok) {
    if (got == want || (zero_ok && got == 0)) return;
    judge_fail("%s() left %s = %lld; it must be %lld%s (the header says what "
               "each field holds, and the grader sizes the arrays it reads "
               "with it)",
               fn, field, got, want, zero_ok ? " or 0" : "");
}

/* A line in the grader's record of this test (the file only the judge
 * can write), for the reason of a death the report cannot give. */
void judge_note(const char *fate) {
    const char *path = getenv("GRADE_SENTINEL"), *token = getenv("GRADE_TOKEN");
    if (!path || !token) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s %s/%s !%s\n", token, criterion_current_suite->name,
            criterion_current_test->name, fate);
    fclose(f);
}

/* The driver is gone in the middle of a call: this process ends the same
 * way, so that the grader reports a crash as a crash and an exit as an
 * exit, exactly as when the code ran in the test's own process. */
static _Noreturn void lost(Driver *d) {
    int status = 0;
    while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR) {
    }
    d->pid = 0;
    close(d->wire.in);
    close(d->wire.out);
    if (fail_hook) { /* a held-back check: this seed fails, the next runs */
        const char *whose = d == &drivers[JUDGE_STUDENT]
                                ? "your code"
                                : "the reference solution (a fault of the course)";
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
            judge_fail("%s was stopped by the sandbox in %s(): a system call "
                       "an exercise may not make", whose, call_name());
        if (WIFSIGNALED(status))
            judge_fail("%s crashed in %s() (%s): an index outside an array, a "
                       "NULL pointer, an abort() or a failed assert()",
                       whose, call_name(), strsignal(WTERMSIG(status)));
        judge_fail("%s ended the process in %s() (exit status %d)", whose,
                   call_name(), WEXITSTATUS(status));
    }
    fflush(stdout);
    fflush(stderr);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        judge_note(sig == SIGSYS ? "sandbox" : "crash");
        signal(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        _exit(128 + sig); /* a signal that does not kill by default */
    }
    judge_note("exit");
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static Driver *driver_of(Wire *w) {
    return w == &drivers[JUDGE_STUDENT].wire ? &drivers[JUDGE_STUDENT]
                                             : &drivers[JUDGE_REFERENCE];
}

/* The driver program: given by the grader, or next to this program with
 * "-driver" for its last "-part" (gd-tests -> gd-driver). */
static const char *driver_path(JudgeTarget target, char *buf, size_t size) {
    const char *given = getenv(target == JUDGE_STUDENT ? "GRADE_DRIVER"
                                                       : "GRADE_REFERENCE");
    if (given && *given) return given;
    if (target == JUDGE_REFERENCE)
        judge_fail("no reference driver: held-back checks run under the "
                   "grader only (GRADE_REFERENCE)");
    ssize_t k = readlink("/proc/self/exe", buf, size - 16);
    if (k <= 0) judge_fail("cannot find the driver program (GRADE_DRIVER)");
    buf[k] = '\0';
    char *dash = strrchr(buf, '-');
    if (dash) strcpy(dash, "-driver");
    return buf;
}

static void driver_env(char *env[N_DRIVER_ENV + 1]) {
    size_t k = 0;
    for (size_t i = 0; i < N_DRIVER_ENV; i++) {
        const char *value = getenv(DRIVER_ENV[i]);
        if (!value) continue;
        size_t len = strlen(DRIVER_ENV[i]) + strlen(value) + 2;
        env[k] = malloc(len);
        if (!env[k]) abort();
        snprintf(env[k++], len, "%s=%s", DRIVER_ENV[i], value);
    }
    env[k] = NULL;
}

/* In the child, between fork and exec: the pipes on DRIVER_IN and
 * DRIVER_OUT, every other descriptor but stdout and stderr closed, death
 * with this process, signals as new. */
static _Noreturn void exec_driver(const char *path, int in, int out,
                                  pid_t parent) {
    int a = fcntl(in, F_DUPFD, 16), b = fcntl(out, F_DUPFD, 16);
    if (a < 0 || b < 0 || dup2(a, DRIVER_IN) < 0 || dup2(b, DRIVER_OUT) < 0)
        _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    /* every other descriptor: at once where the kernel can (Linux 5.9),
     * else one by one */
    if (syscall(SYS_close_range, DRIVER_OUT + 1, ~0U, 0) != 0) {
        int open_max = (int)sysconf(_SC_OPEN_MAX);
        for (int fd = DRIVER_OUT + 1; fd < (open_max > 0 ? open_max : 1024); fd++)
            close(fd);
    }
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *env[N_DRIVER_ENV + 1];
    driver_env(env);
    char *argv[] = {(char *)path, NULL};
    execve(path, argv, env);
    _exit(127);
}

static void spawn(Driver *d, JudgeTarget target) {
    char buf[4096];
    const char *path = driver_path(target, buf, sizeof buf);
    int req[2], resp[2];
    if (pipe2(req, O_CLOEXEC) != 0 || pipe2(resp, O_CLOEXEC) != 0)
        judge_fail("the grader could not start your code: no pipe (%s)",
                   strerror(errno));
    signal(SIGPIPE, SIG_IGN); /* a dead driver is seen as EPIPE */
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0)
        judge_fail("the grader could not start your code: fork failed (%s)",
                   strerror(errno));
    if (pid == 0) exec_driver(path, req[0], resp[1], parent);
    close(req[0]);
    close(resp[1]);
    d->pid = pid;
    if (wire_open(&d->wire, resp[0], req[1]) != 0) abort();
    uint32_t hello[2];
    if (wire_get(&d->wire, hello, sizeof hello) != 0) lost(d);
    if (hello[0] != WIRE_HELLO)
        judge_fail("the driver of your code did not start as expected");
    if (hello[1] != WIRE_SANDBOXED && !getenv("GRADE_ALLOW_UNSANDBOXED"))
        judge_fail("the grader could not put your code in its sandbox "
                   "(seccomp is not available here), and it does not run "
                   "code outside it");
}

Wire *judge_begin(unsigned fn, const char *name) {
    Driver *d = &drivers[current];
    if (d->pid == 0) spawn(d, current);
    if (depth == MAX_DEPTH) judge_fail("calls nested too deeply in %s()", name);
    if (depth == 0) n_slots = 0;
    array_base[depth] = n_arrays;
    calls[depth++] = name;
    wire_put_u32(&d->wire, WIRE_CALL);
    wire_put_u32(&d->wire, fn);
    return &d->wire;
}

void judge_put_presence(Wire *w, const void *p) {
    unsigned char present = p != NULL;
    wire_put(w, &present, 1);
}

/* Each array argument: 0 NULL, 1 its elements follow, 2 + k the same as
 * array argument k of this call. */
void judge_put_array(Wire *w, const void *p, long long count, size_t size,
                     bool nullable, const char *what) {
    size_t bytes = wire_array_bytes(count, size);
    if (bytes == SIZE_MAX)
        judge_fail("%s of %lld elements is too large to pass to %s()", what,
                   count, call_name());
    if (n_arrays == MAX_ARRAYS) judge_fail("too many arrays for %s()", call_name());
    unsigned char tag = 1;
    if (!p && !nullable)
        judge_fail("the test passed NULL as %s to %s()", what, call_name());
    int base = array_base[depth - 1];
    for (int k = base; p && k < n_arrays; k++)
        if (arrays[k].p == p && arrays[k].bytes == bytes)
            tag = (unsigned char)(2 + k - base);
    if (!p) tag = 0;
    arrays[n_arrays].p = p;
    arrays[n_arrays].bytes = bytes;
    arrays[n_arrays++].what = what;
    wire_put(w, &tag, 1);
    if (tag == 1) wire_put(w, p, bytes);
}

void judge_put_callbacks(Wire *w, int count, void (*const fns[])(void),
                         const JudgeSignature signatures[], long long n,
                         void *ctx) {
    if (wire_array_bytes(n, sizeof(double)) == SIZE_MAX)
        judge_fail("a function of %lld variables is too large for %s()", n,
                   call_name());
    unsigned char ctx_given = ctx != NULL;
    long long count_n = n;
    wire_put(w, &ctx_given, 1);
    wire_put(w, &count_n, sizeof count_n);
    for (int i = 0; i < count; i++) {
        unsigned char kind = 0; /* NULL */
        uint32_t id = 0;
        for (unsigned k = 0; fns[i] && k < judge_proxy_count; k++)
            if (judge_proxies[k].fn == fns[i] &&
                judge_proxies[k].signature == signatures[i]) {
                kind = 1; /* the student's own function */
                id = judge_proxies[k].id;
            }
        if (fns[i] && kind == 0) {
            if (n_slots == MAX_SLOTS) judge_fail("too many callbacks");
            slots[n_slots].fn = fns[i];
            slots[n_slots].signature = signatures[i];
            slots[n_slots].n = n;
            slots[n_slots].ctx = ctx;
            kind = 2; /* a function of the test */
            id = (uint32_t)n_slots++;
        }
        wire_put(w, &kind, 1);
        wire_put_u32(w, id);
    }
}

static Mirror *find_mirror(const void *mine) {
    for (size_t i = 0; i < n_mirrors; i++)
        if (mirrors[i].mine == mine) return &mirrors[i];
    return NULL;
}

void judge_put_owned(Wire *w, const void *p, long long count, size_t size) {
    judge_put_presence(w, p);
    if (!p) return;
    size_t bytes = wire_array_bytes(count, size);
    if (bytes == SIZE_MAX)
        judge_fail("a state buffer of %lld elements is too large for %s()",
                   count, call_name());
    Mirror *m = find_mirror(p);
    uint64_t handle = m ? m->handle : 0;
    long long sent = count < 0 ? 0 : count;
    wire_put(w, &handle, sizeof handle);
    wire_put(w, &sent, sizeof sent);
    wire_put(w, p, bytes);
}

void judge_take(Wire *w, void *p, size_t n) {
    if (wire_get(w, p, n) != 0) lost(driver_of(w));
}

bool judge_take_bool(Wire *w) {
    unsigned char b;
    judge_take(w, &b, 1);
    return b != 0;
}

void judge_take_array(Wire *w, void *p, long long count, size_t size) {
    size_t bytes = wire_array_bytes(count, size);
    if (p && bytes) judge_take(w, p, bytes);
}

void *judge_take_owned(Wire *w, void *sent, long long count, size_t size) {
    if (!judge_take_bool(w)) return NULL;
    uint64_t handle;
    unsigned char same;
    judge_take(w, &handle, sizeof handle);
    judge_take(w, &same, 1);
    size_t bytes = wire_array_bytes(count, size);
    if (bytes == SIZE_MAX)
        judge_fail("a state buffer of %lld elements is too large for %s()",
                   count, call_name());
    if (same && sent) {
        judge_take(w, sent, bytes);
        return sent;
    }
    void *mine = malloc(bytes ? bytes : 1);
    if (!mine) judge_fail("out of memory for a copy of a state buffer");
    judge_take(w, mine, bytes);
    if (n_mirrors == cap_mirrors) {
        cap_mirrors = cap_mirrors ? 2 * cap_mirrors : 16;
        mirrors = realloc(mirrors, cap_mirrors * sizeof *mirrors);
        if (!mirrors) abort();
    }
    mirrors[n_mirrors++] = (Mirror){mine, handle};
    return mine;
}

/* The driver calls a function of the test: x (and for a gradient, the
 * student's grad buffer) in, the function's results out. */
static void serve_callback(Wire *w) {
    uint32_t slot;
    unsigned char ctx_ok;
    judge_take(w, &slot, sizeof slot);
    judge_take(w, &ctx_ok, 1);
    if (slot >= (uint32_t)n_slots)
        judge_fail("your code called a function that the test did not give "
                   "to %s()",
                   call_name());
    size_t bytes = wire_array_bytes(slots[slot].n, sizeof(double));
    double *x = malloc(bytes + sizeof(double)), *g = malloc(bytes + sizeof(double));
    if (!x || !g) judge_fail("out of memory for a callback");
    judge_take(w, x, bytes);
    void *ctx = ctx_ok ? slots[slot].ctx : NULL;
    if (slots[slot].signature == JUDGE_OBJECTIVE) {
        double f = ((JudgeObjectiveFn)slots[slot].fn)(x, ctx);
        wire_put_u32(w, WIRE_CB_RETURN);
        wire_put(w, &f, sizeof f);
    } else {
        judge_take(w, g, bytes);
        ((JudgeGradientFn)slots[slot].fn)(g, x, ctx);
        wire_put_u32(w, WIRE_CB_RETURN);
        wire_put(w, g, bytes);
    }
    free(x);
    free(g);
    if (wire_flush(w) != 0) lost(driver_of(w));
}

void judge_wait(Wire *w) {
    if (wire_flush(w) != 0) lost(driver_of(w));
    for (;;) {
        uint32_t kind;
        judge_take(w, &kind, sizeof kind);
        if (kind == WIRE_CALLBACK) {
            serve_callback(w);
            continue;
        }
        if (kind == WIRE_RETURN) break;
        if (kind == WIRE_ERROR) {
            char text[256] = {0};
            judge_take(w, text, sizeof text - 1);
            judge_fail("the driver could not run %s(): %s", call_name(), text);
        }
        judge_fail("while running %s(), your code's process sent the grader "
                   "something it did not ask for (it may not write to the "
                   "grader's pipe)",
                   call_name());
    }
    uint32_t overrun; /* 1 + the array argument written past its end */
    judge_take(w, &overrun, sizeof overrun);
    /* A write past the end of an argument: the call's results are taken
     * as usual and the test goes on, so that its own checks can name the
     * slip; the grader fails the test with this note in any case. */
    int k = array_base[depth - 1] + (int)overrun - 1;
    if (overrun > 0 && k < n_arrays) {
        char note[512];
        snprintf(note, sizeof note,
                 "overrun %s() wrote past the end of %s, which has room for "
                 "%zu bytes (the length its header gives): an index one too "
                 "far, or a loop bound that is off by one",
                 call_name(), arrays[k].what, arrays[k].bytes);
        judge_note(note);
    }
}

void judge_end(Wire *w) {
    (void)w;
    if (depth > 0) n_arrays = array_base[--depth];
    if (depth == 0 && once) judge_use(JUDGE_STUDENT);
}

void judge_close(void) {
    depth = n_arrays = n_slots = 0; /* a held-back seed may end mid-call */
    for (int t = 0; t < 2; t++) {
        Driver *d = &drivers[t];
        if (d->pid == 0) continue;
        /* An instrumented (coverage) driver writes its data as it exits. */
        if (getenv("GRADE_ALLOW_UNSANDBOXED")) {
            wire_put_u32(&d->wire, WIRE_BYE);
            wire_flush(&d->wire);
        } else {
            kill(d->pid, SIGKILL);
        }
        close(d->wire.out);
        close(d->wire.in);
        while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        d->pid = 0;
    }
}
