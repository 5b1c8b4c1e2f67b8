/* driver.c: the driver of a graded test: the sandbox, the serve loop and
 * the helpers of the generated serve code (driver.h, wire.h). */
#define _GNU_SOURCE
#include "driver.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

/* ------------------------------------------------------------------------
 * The sandbox: a seccomp filter that lets the process use memory, read
 * its calls, write its results, stdout and stderr, and end (abort() too,
 * which signals the process itself); any other system call kills it. */

#ifdef __linux__
#if defined(__x86_64__)
#define DRIVER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define DRIVER_ARCH AUDIT_ARCH_AARCH64
#endif
#endif

#ifdef DRIVER_ARCH
enum { MAX_FILTER = 160 };
typedef struct {
    struct sock_filter code[MAX_FILTER];
    unsigned short len;
} Filter;

static void emit(Filter *f, struct sock_filter insn) {
    if (f->len < MAX_FILTER) f->code[f->len++] = insn;
}

#define NR_OFFSET offsetof(struct seccomp_data, nr)
#define ARG_OFFSET(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define STMT(code, k) ((struct sock_filter)BPF_STMT((code), (k)))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP((code), (k), (jt), (jf)))
#define RET_ALLOW STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_KILL STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

/* System call nr is allowed whatever its arguments. */
static void allow(Filter *f, long nr) {
    emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFFSET));
    emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1));
    emit(f, RET_ALLOW);
}

/* System call nr is allowed when (the low 32 bits of) argument `arg` is one
 * of values[n]: the kernel reads these arguments as ints. */
static void allow_if(Filter *f, long nr, int arg, const unsigned *values,
                     int n) {
    emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFFSET));
    emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0,
                 (unsigned char)(n + 3)));
    emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_OFFSET(arg)));
    for (int i = 0; i < n; i++)
        emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, values[i],
                     (unsigned char)(n - i), 0));
    emit(f, RET_KILL);
    emit(f, RET_ALLOW);
}

#ifdef __SANITIZE_ADDRESS__
/* System call nr (open or openat) is allowed when its flags, argument
 * `arg`, ask to read only; otherwise the process is killed. */
static void allow_read_only_open(Filter *f, long nr, int arg) {
    emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFFSET));
    emit(f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 4));
    emit(f, STMT(BPF_LD | BPF_W | BPF_ABS, ARG_OFFSET(arg)));
    emit(f, JUMP(BPF_JMP | BPF_JSET | BPF_K,
                 O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 1, 0));
    emit(f, RET_ALLOW);
    emit(f, RET_KILL);
}
#endif

static int install(const Filter *f) {
    struct sock_fprog prog = {f->len, (struct sock_filter *)f->code};
    if (f->len >= MAX_FILTER) return -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int sandbox(void) {
    Filter f = {.len = 0};
    emit(&f, STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    emit(&f, JUMP(BPF_JMP | BPF_JEQ | BPF_K, DRIVER_ARCH, 1, 0));
    emit(&f, RET_KILL);
    /* stdin (/dev/null while grading) and the calls */
    const unsigned in[] = {0, DRIVER_IN}, out[] = {1, 2, DRIVER_OUT};
    const unsigned self[] = {(unsigned)getpid()};
#ifdef __SANITIZE_ADDRESS__
    (void)in;
    allow(&f, SYS_read); /* any descriptor it opened (read-only, below) */
#else
    allow_if(&f, SYS_read, 0, in, 2);
#endif
    allow_if(&f, SYS_write, 0, out, 3);
    /* abort(): the process signals itself, and no one else */
    allow_if(&f, SYS_tgkill, 0, self, 1);
    const long always[] = {
        SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_madvise,
        SYS_exit, SYS_exit_group, SYS_rt_sigreturn, SYS_rt_sigprocmask,
        SYS_rt_sigaction, SYS_getpid, SYS_gettid, SYS_clock_gettime,
        SYS_gettimeofday,
#ifdef __SANITIZE_ADDRESS__
        /* what the sanitizers' runtime does to report an error: read its
         * own maps and binary (read-only: see openat below), find its
         * frames, and print */
        SYS_close, SYS_lseek, SYS_pread64, SYS_fstat, SYS_newfstatat,
        SYS_readlinkat, SYS_getrlimit, SYS_prlimit64, SYS_sigaltstack,
        SYS_sched_yield, SYS_prctl, SYS_futex, SYS_getdents64, SYS_uname,
        SYS_sysinfo, SYS_getppid, SYS_statx,
#ifdef SYS_readlink
        SYS_readlink,
#endif
#endif
    };
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        allow(&f, always[i]);
#ifdef __SANITIZE_ADDRESS__
    /* The sanitizer build opens files for reading only (the grader runs it
     * where there is nothing else to read: see tools/grade.py). */
    const unsigned tcgets[] = {0x5401}; /* TCGETS: isatty(), for colours */
    allow_if(&f, SYS_ioctl, 1, tcgets, 1);
    const unsigned fd_flags[] = {F_GETFD, F_SETFD, F_GETFL};
    allow_if(&f, SYS_fcntl, 1, fd_flags, 3);
    allow_read_only_open(&f, SYS_openat, 2);
#ifdef SYS_open
    allow_read_only_open(&f, SYS_open, 1);
#endif
#endif
    emit(&f, RET_KILL);
    return install(&f);
}
#else
static int sandbox(void) { return -1; /* no seccomp here */ }
#endif

/* ------------------------------------------------------------------------
 * Arguments: every array of a call is allocated with a guard after it, so
 * that a write past its end is seen, and released when the call ends. */

enum { GUARD = 64, GUARD_BYTE = 0xa5 };

typedef struct {
    unsigned char *p;
    size_t bytes;
    bool guarded;
} Block;

static Block *blocks;
static size_t n_blocks, cap_blocks;
#define MAX_DEPTH 32
static size_t block_base[MAX_DEPTH]; /* blocks of the call at depth k */
static size_t arg_base[MAX_DEPTH];   /* its array arguments start here */
static int depth;

/* The array arguments of the calls in progress (indices into blocks, or
 * -1 for NULL), for aliases and for the overrun check. */
static long *args;
static size_t n_args, cap_args;

static void *grow(void *p, size_t *cap, size_t n, size_t size) {
    if (n < *cap) return p;
    *cap = *cap ? 2 * *cap : 64;
    p = realloc(p, *cap * size);
    if (!p) abort();
    return p;
}

static unsigned char *new_block(size_t bytes, bool guarded) {
    blocks = grow(blocks, &cap_blocks, n_blocks, sizeof *blocks);
    unsigned char *p = malloc(bytes + GUARD);
    if (!p) abort();
    memset(p + bytes, GUARD_BYTE, GUARD);
    blocks[n_blocks++] = (Block){p, bytes, guarded};
    return p;
}

void drv_take(Wire *w, void *p, size_t n) {
    if (wire_get(w, p, n) != 0) _exit(0); /* the judge is gone */
}

bool drv_take_bool(Wire *w) {
    unsigned char b;
    drv_take(w, &b, 1);
    return b != 0;
}

void *drv_take_array(Wire *w, long long count, size_t size) {
    unsigned char tag;
    drv_take(w, &tag, 1);
    args = grow(args, &cap_args, n_args, sizeof *args);
    size_t base = arg_base[depth > 0 ? depth - 1 : 0];
    long index = -1;
    if (tag >= 2 && base + tag - 2 < n_args) {
        index = args[base + tag - 2];
    } else if (tag == 1) {
        size_t bytes = wire_array_bytes(count, size);
        if (bytes == SIZE_MAX) abort();
        unsigned char *p = new_block(bytes, true);
        drv_take(w, p, bytes);
        index = (long)n_blocks - 1;
    }
    args[n_args++] = index;
    return index < 0 ? NULL : blocks[index].p;
}

/* Buffers the student's code allocated and handed to the judge. */
static uint64_t *handles;
static size_t n_handles, cap_handles;

static bool known_handle(uint64_t h) {
    for (size_t i = 0; i < n_handles; i++)
        if (handles[i] == h) return true;
    return false;
}

void *drv_take_owned(Wire *w, long long *count, size_t size) {
    *count = 0;
    if (!drv_take_bool(w)) return NULL;
    uint64_t handle;
    drv_take(w, &handle, sizeof handle);
    drv_take(w, count, sizeof *count);
    size_t bytes = wire_array_bytes(*count, size);
    if (bytes == SIZE_MAX) abort();
    /* A buffer the test made itself gets a copy the student's code may
     * keep (or free): it is never released here. */
    unsigned char *p = known_handle(handle) ? (unsigned char *)(uintptr_t)handle
                                            : malloc(bytes + 1);
    if (!p) abort();
    drv_take(w, p, bytes);
    return p;
}

/* ------------------------------------------------------------------------
 * Callbacks: the student's code calls a function of the test through a
 * trampoline that finds the callback in its ctx, a record of this call. */

typedef double (*ObjectiveFn)(const double *x, void *ctx);
typedef void (*GradientFn)(double *grad, const double *x, void *ctx);

typedef struct {
    Wire *w;
    long long n;
    bool ctx_given;
    unsigned char kind[3]; /* by signature: 0 none, 1 direct, 2 test's */
    uint32_t id[3];
} Record;

#define MAX_RECORDS 64
static Record records[MAX_RECORDS];
static int n_records;
static int record_base[MAX_DEPTH];

static void serve(Wire *w, uint32_t fn);

/* The record a trampoline was called with; a ctx the student's code made
 * up (not obj->ctx) gets the innermost record, and the test's function
 * then gets a NULL ctx. */
static Record *record_of(void *ctx, bool *ctx_ok) {
    for (int i = 0; i < n_records; i++)
        if (ctx == &records[i]) {
            *ctx_ok = records[i].ctx_given;
            return &records[i];
        }
    *ctx_ok = false;
    if (n_records == 0) abort();
    return &records[n_records - 1];
}

/* Sends a callback and serves the judge's calls until its results come. */
static void callback(Record *r, int signature, bool ctx_ok, const double *x,
                     double *grad) {
    size_t bytes = wire_array_bytes(r->n, sizeof(double));
    unsigned char ok = ctx_ok;
    wire_put_u32(r->w, WIRE_CALLBACK);
    wire_put_u32(r->w, r->id[signature]);
    wire_put(r->w, &ok, 1);
    wire_put(r->w, x, bytes);
    if (grad) wire_put(r->w, grad, bytes);
    if (wire_flush(r->w) != 0) _exit(0);
    for (;;) {
        uint32_t kind, fn;
        drv_take(r->w, &kind, sizeof kind);
        if (kind == WIRE_CB_RETURN) return;
        if (kind != WIRE_CALL) _exit(0);
        drv_take(r->w, &fn, sizeof fn);
        serve(r->w, fn);
    }
}

static double objective_trampoline(const double *x, void *ctx) {
    bool ctx_ok;
    Record *r = record_of(ctx, &ctx_ok);
    if (r->kind[1] == 1)
        return ((ObjectiveFn)driver_direct(r->id[1], 1))(x, NULL);
    double f;
    callback(r, 1, ctx_ok, x, NULL);
    drv_take(r->w, &f, sizeof f);
    return f;
}

static void gradient_trampoline(double *grad, const double *x, void *ctx) {
    bool ctx_ok;
    Record *r = record_of(ctx, &ctx_ok);
    if (r->kind[2] == 1) {
        ((GradientFn)driver_direct(r->id[2], 2))(grad, x, NULL);
        return;
    }
    callback(r, 2, ctx_ok, x, grad);
    drv_take(r->w, grad, wire_array_bytes(r->n, sizeof(double)));
}

void drv_take_callbacks(Wire *w, int count, const int signatures[],
                        void (*fns[])(void), void **ctx) {
    if (n_records == MAX_RECORDS) abort();
    Record *r = &records[n_records];
    memset(r, 0, sizeof *r);
    r->w = w;
    r->ctx_given = drv_take_bool(w);
    drv_take(w, &r->n, sizeof r->n);
    bool all_direct = !r->ctx_given;
    for (int i = 0; i < count; i++) {
        int s = signatures[i] == 1 ? 1 : 2;
        drv_take(w, &r->kind[s], 1);
        drv_take(w, &r->id[s], sizeof r->id[s]);
        if (r->kind[s] == 1 && !driver_direct(r->id[s], s)) r->kind[s] = 0;
        if (r->kind[s] == 2) all_direct = false;
    }
    for (int i = 0; i < count; i++) {
        int s = signatures[i] == 1 ? 1 : 2;
        if (r->kind[s] == 0)
            fns[i] = NULL;
        else if (all_direct) /* the student's own functions, called as is */
            fns[i] = driver_direct(r->id[s], s);
        else
            fns[i] = s == 1 ? (void (*)(void))objective_trampoline
                            : (void (*)(void))gradient_trampoline;
    }
    if (all_direct) {
        *ctx = NULL;
    } else {
        *ctx = r;
        n_records++;
    }
}

void *drv_take_opaque(Wire *w) {
    static unsigned char dummy;
    return drv_take_bool(w) ? &dummy : NULL;
}

/* ------------------------------------------------------------------------
 * Results */

void drv_begin_return(Wire *w) {
    uint32_t overrun = 0;
    size_t base = arg_base[depth - 1];
    for (size_t k = base; k < n_args && !overrun; k++) {
        if (args[k] < 0) continue;
        const Block *b = &blocks[args[k]];
        for (size_t i = 0; i < GUARD; i++)
            if (b->p[b->bytes + i] != GUARD_BYTE) {
                overrun = (uint32_t)(k - base + 1);
                break;
            }
    }
    wire_put_u32(w, WIRE_RETURN);
    wire_put_u32(w, overrun);
}

void drv_put(Wire *w, const void *p, size_t n) { wire_put(w, p, n); }

void drv_put_bool(Wire *w, bool b) {
    unsigned char v = b;
    wire_put(w, &v, 1);
}

void drv_put_array(Wire *w, const void *p, long long count, size_t size) {
    if (p) wire_put(w, p, wire_array_bytes(count, size));
}

void drv_put_owned(Wire *w, const void *now, const void *sent,
                   long long count, size_t size) {
    drv_put_bool(w, now != NULL);
    if (!now) return;
    uint64_t handle = (uint64_t)(uintptr_t)now;
    unsigned char same = now == sent;
    wire_put(w, &handle, sizeof handle);
    wire_put(w, &same, 1);
    wire_put(w, now, wire_array_bytes(count, size));
    if (!known_handle(handle)) {
        handles = grow(handles, &cap_handles, n_handles, sizeof *handles);
        handles[n_handles++] = handle;
    }
}

/* ------------------------------------------------------------------------
 * The serve loop */

static void serve(Wire *w, uint32_t fn) {
    if (depth == MAX_DEPTH) abort();
    block_base[depth] = n_blocks;
    arg_base[depth] = n_args;
    record_base[depth] = n_records;
    depth++;
    if (driver_dispatch(w, fn) != 0) {
        char text[255] = {0};
        snprintf(text, sizeof text, "no function number %u", (unsigned)fn);
        wire_put_u32(w, WIRE_ERROR);
        wire_put(w, text, sizeof text);
    }
    if (wire_flush(w) != 0) _exit(0);
    depth--;
    for (size_t i = block_base[depth]; i < n_blocks; i++)
        free(blocks[i].p);
    n_blocks = block_base[depth];
    n_args = arg_base[depth];
    n_records = record_base[depth];
}

/* Fills the stack that the student's code will use with the byte 0x7e
 * (as a double 1e301, as an int 2122219134, as a pointer an address that
 * crashes), the byte the grader's MALLOC_PERTURB_ gives fresh heap blocks:
 * a variable read before it is written then gives a wrong answer every
 * time, instead of passing by luck on a zeroed page. */
#define POISON_BYTES (256 * 1024)
__attribute__((noinline)) static void poison_stack(void) {
    volatile unsigned char garbage[POISON_BYTES];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = 0x7e;
}

int main(void) {
    /* stdout line by line, in a buffer of its own: what the code printed
     * before a crash is kept; stdin (empty) with one too. Given buffers,
     * stdio needs no system call (fstat) to set them up. */
    static char out[BUFSIZ], in[BUFSIZ];
    setvbuf(stdout, out, _IOLBF, sizeof out);
    setvbuf(stdin, in, _IOFBF, sizeof in);
    Wire w;
    if (wire_open(&w, DRIVER_IN, DRIVER_OUT) != 0) return 1;
    poison_stack();
    /* An unsandboxed driver (coverage builds of the solutions only) must
     * write its coverage data as it exits. */
    bool unsandboxed = false;
#ifdef DRIVER_UNSANDBOXED
    unsandboxed = true;
#endif
    uint32_t hello[2] = {WIRE_HELLO, !unsandboxed && sandbox() == 0
                                         ? WIRE_SANDBOXED
                                         : WIRE_UNSANDBOXED};
    wire_put(&w, hello, sizeof hello);
    if (wire_flush(&w) != 0) return 0;
    for (;;) {
        uint32_t kind, fn;
        if (wire_get(&w, &kind, sizeof kind) != 0 || kind != WIRE_CALL) break;
        drv_take(&w, &fn, sizeof fn);
        serve(&w, fn);
    }
    fflush(stdout);
    return 0;
}
