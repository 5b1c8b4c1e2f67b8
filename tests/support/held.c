/* held.c: the runner and checks of the held-back layer (held.h). */
#define _GNU_SOURCE
#include "held.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf seed_end;
static uint64_t seed;
static Rng rng;
static char failure[GRADING_MSG_MAX + 64];

Rng *held_rng(void) { return &rng; }

double held_uniform(double lo, double hi) {
    return lo + (hi - lo) * rng_uniform(&rng);
}

double held_log_uniform(double lo, double hi) {
    return exp(held_uniform(log(lo), log(hi)));
}

int held_int(int lo, int hi) {
    return lo + (int)rng_below(&rng, (uint64_t)(hi - lo + 1));
}

bool held_coin(double p_true) { return rng_uniform(&rng) < p_true; }

void held_vector(double *v, int n, double lo, double hi) {
    for (int i = 0; i < n; i++)
        v[i] = held_uniform(lo, hi);
}

const char *held_show_at_most(const double *v, int n, int chars) {
    static char text[4][640];
    static int which;
    char *out = text[which++ % 4];
    size_t used = 0, limit = chars < 0 ? 0 : chars < 560 ? (size_t)chars : 560;
    int i = 0; /* at least one number, then as many as fit in the limit */
    out[used++] = '(';
    for (; i < n && (i == 0 || used < limit); i++)
        used += (size_t)snprintf(out + used, 640 - used, "%s%.17g",
                                 i ? ", " : "", v[i]);
    snprintf(out + used, 640 - used, "%s)", i < n ? ", ..." : "");
    return out;
}

const char *held_show(const double *v, int n) {
    return held_show_at_most(v, n, 560);
}

static const HeldBowl *bowl_of(void *ctx) {
    if (!ctx)
        judge_fail("the objective was called with a ctx other than obj->ctx "
                   "(include/gd.h: ctx is passed to f and grad)");
    return ctx;
}

double held_bowl(const double *x, void *ctx) {
    const HeldBowl *b = bowl_of(ctx);
    double f = 0.0;
    for (int i = 0; i < b->n; i++)
        f += 0.5 * b->l[i] * (x[i] - b->c[i]) * (x[i] - b->c[i]);
    return f;
}

void held_bowl_grad(double *g, const double *x, void *ctx) {
    const HeldBowl *b = bowl_of(ctx);
    for (int i = 0; i < b->n; i++)
        g[i] = b->l[i] * (x[i] - b->c[i]);
    g[0] *= 1.0 + b->tilt;
}

/* The seed's first failure: its message, and the end of the seed. */
static _Noreturn void fail_seed(const char *see, const char *what, va_list ap,
                                const char *detail) {
    char head[GRADING_MSG_MAX];
    vsnprintf(head, sizeof head, what, ap);
    snprintf(failure, sizeof failure, "%s%s (held-back check, seed %" PRIu64
             "). See %s.", head, detail, seed, see);
    siglongjmp(seed_end, 1);
}

static const char *number(char buf[32], double v) {
    for (int precision = 6; precision <= 17; precision++) {
        snprintf(buf, 32, "%.*g", precision, v);
        if (strtod(buf, NULL) == v || !isfinite(v)) break;
    }
    return buf;
}

void held_near(double got, double want, double tol, const char *see,
               const char *what, ...) {
    bool same = (isnan(got) && isnan(want)) || got == want ||
                (isfinite(got) && fabs(got - want) <= tol);
    if (same) return;
    char g[32], w[32], detail[160];
    snprintf(detail, sizeof detail,
             ": got %s, the reference solution gives %s (tolerance %.3g)",
             number(g, got), number(w, want), tol);
    va_list ap;
    va_start(ap, what);
    fail_seed(see, what, ap, detail);
}

void held_int_equal(long long got, long long want, const char *see,
                    const char *what, ...) {
    if (got == want) return;
    char detail[128];
    snprintf(detail, sizeof detail,
             ": got %lld, the reference solution gives %lld", got, want);
    va_list ap;
    va_start(ap, what);
    fail_seed(see, what, ap, detail);
}

void held_check(bool ok, const char *see, const char *what, ...) {
    if (ok) return;
    va_list ap;
    va_start(ap, what);
    fail_seed(see, what, ap, "");
}

/* A call the judge could not complete (a crash, the sandbox, a broken
 * contract): this seed fails with its message. */
static _Noreturn void seed_failed(const char *message) {
    snprintf(failure, sizeof failure, "%s (held-back check, seed %" PRIu64 ")",
             message, seed);
    siglongjmp(seed_end, 1);
}

static void on_alarm(int sig) {
    (void)sig;
    snprintf(failure, sizeof failure,
             "timed out after %d s (held-back check, seed %" PRIu64 "): an "
             "endless loop, or far too many steps",
             HELD_SEED_TIMEOUT, seed);
    siglongjmp(seed_end, 1);
}

/* The seeds to run: GRADE_SEEDS "A-B", else GRADE_SEED, else 1. */
static void seeds(uint64_t *first, uint64_t *last) {
    const char *range = getenv("GRADE_SEEDS"), *one = getenv("GRADE_SEED");
    *first = *last = one ? strtoull(one, NULL, 10) : 1;
    if (range && sscanf(range, "%" SCNu64 "-%" SCNu64, first, last) != 2)
        *last = *first;
}

/* A stream of its own for each test: FNV-1a of its name, mixed with the
 * seed, so that adding a test does not change the others' instances. */
static uint64_t stream(uint64_t s) {
    uint64_t h = 1469598103934665603u;
    for (const char *c = criterion_current_test->name; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    return h ^ (s * 0x9e3779b97f4a7c15u);
}

void held_run(void (*body)(void)) {
    uint64_t first, last;
    seeds(&first, &last);
    char verdict[sizeof failure] = "";
    signal(SIGALRM, on_alarm);
    judge_on_fail(seed_failed);
    for (seed = first; seed <= last; seed++) {
        rng_seed(&rng, stream(seed));
        judge_use(JUDGE_STUDENT);
        failure[0] = '\0';
        if (sigsetjmp(seed_end, 1) == 0) {
            alarm(HELD_SEED_TIMEOUT);
            body();
        }
        alarm(0);
        judge_close(); /* fresh drivers for the next seed */
        char note[64];
        snprintf(note, sizeof note, "seed %" PRIu64 " %s", seed,
                 failure[0] ? "fail" : "pass");
        judge_note(note);
        if (failure[0] && !verdict[0]) strcpy(verdict, failure);
    }
    judge_on_fail(NULL);
    cr_assert(!verdict[0], "%s", verdict);
}
