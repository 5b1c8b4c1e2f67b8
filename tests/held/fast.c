/* tests/held/fast.c: chapter 9, making it fast -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check draws instances from what include/fast.h promises and
 * compares the student's float kernels with the reference solution's, run
 * on the same float inputs. Two correct float kernels agree to a few float
 * roundings, not to the last bit (chapter 9, section 9.2): every tolerance
 * below is a count of roundings of the unit roundoff U = 2^-24 (6e-8),
 * relative to the magnitudes of the terms that were rounded (never to the
 * result alone, which may be small after a cancellation), and is said
 * where it is used. Every typical mistake moves a value by a fixed
 * fraction of those magnitudes, thousands of roundings away.
 *
 * The optimizer checks run 33 states side by side on every seed, one step
 * of each in turn: every size from 1 to 16, a size of each remainder modulo
 * 16 from 16 to 79, and one of 1000 to 4100, so that every remainder of a
 * 4-, 8- or 16-float vector loop is met on every seed; each state's own
 * gradients and configuration change from step to step. */
#include "fast.h"
#include "held.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SEE_PASS "chapter 9, section 9.3 'One pass over memory'"
#define SEE_XENT "chapter 9, section 9.5 'A softmax that vectorises'"

/* The unit roundoff of float: one correct rounding is within U, relative. */
#define U 0x1p-24

/* ---- drawing, showing --------------------------------------------------- */

static double gaussian(void) {
    return rng_gaussian(held_rng());
}

/* A text of v[0], v[stride], ... (n values) for messages, as %.9g (which
 * gives a float back exactly), in at most about `room` characters. */
static const char *show(const double *v, int n, int stride, int room) {
    static char text[8][400];
    static int which;
    char *out = text[which++ % 8];
    if (room > 360) room = 360;
    int used = snprintf(out, 400, "(");
    for (int i = 0; i < n; i++) {
        if (used > room) {
            used += snprintf(out + used, 400 - (size_t)used, ", ...");
            break;
        }
        used += snprintf(out + used, 400 - (size_t)used, "%s%.9g",
                         i ? ", " : "", v[(size_t)i * (size_t)stride]);
    }
    snprintf(out + used, 400 - (size_t)used, ")");
    return out;
}

static const char *show_floats(const float *v, int n, int stride, int room) {
    double d[64];
    if (n > 64) n = 64;
    for (int i = 0; i < n; i++)
        d[i] = v[(size_t)i * (size_t)stride];
    return show(d, n, 1, room);
}

/* held_near's test: messages are written only for a value that fails it
 * (writing one for every coordinate would cost more than the calls). */
static bool near(double got, double want, double tol) {
    return (isnan(got) && isnan(want)) || got == want ||
           (isfinite(got) && fabs(got - want) <= tol);
}

/* Scratch memory of one seed (a failing seed leaves through a longjmp, so
 * nothing is malloc()ed): taken in order, given back all at once. */
enum { POOL_FLOATS = 1 << 17, POOL_DOUBLES = 1 << 15 };
static float pool_f[POOL_FLOATS];
static double pool_d[POOL_DOUBLES];
static size_t used_f, used_d;

static void pool_reset(void) {
    used_f = used_d = 0;
}

static float *take_floats(long long n) {
    if (n < 0 || used_f + (size_t)n > POOL_FLOATS)
        judge_fail("tests/held/fast.c: the float pool is too small");
    float *p = pool_f + used_f;
    used_f += (size_t)n;
    return p;
}

static double *take_doubles(long long n) {
    if (n < 0 || used_d + (size_t)n > POOL_DOUBLES)
        judge_fail("tests/held/fast.c: the double pool is too small");
    double *p = pool_d + used_d;
    used_d += (size_t)n;
    return memset(p, 0, (size_t)n * sizeof *p);
}

/* ---- init and free ------------------------------------------------------ */

/* The sizes an init is given on every seed: 0, a negative one, and
 * positive ones small, middling and large. (Memory running out is not
 * drawn: the judge would have to mirror the buffers it could not get.) */
enum { N_INIT_SIZES = 5 };
static void init_sizes(int sizes[N_INIT_SIZES]) {
    sizes[0] = 0;
    sizes[1] = -held_int(1, INT_MAX);
    sizes[2] = held_int(1, 16);
    sizes[3] = held_int(17, 200);
    sizes[4] = held_int(1000, 5000);
}

/* *s is written, never read: the judge's copy starts as garbage. */
#define GARBAGE 0x5A

HELD(held_fast, init_and_free_keep_the_contract, 1) {
    int sizes[N_INIT_SIZES];
    init_sizes(sizes);
    for (int j = 0; j < N_INIT_SIZES; j++) {
        int n = sizes[j];
        bool ok = n > 0;
        FastMomentumState s, sr;
        memset(&s, GARBAGE, sizeof s);
        int got = STUDENT(fast_momentum_init(&s, n));
        int want = REFERENCE(fast_momentum_init(&sr, n));
        HELD_INT(got, want, SEE_PASS,
                 "fast_momentum_init(&s, %d)'s return value", n);
        HELD_CHECK(ok ? s.v && s.n == n && s.t == 0
                      : !s.v && s.n == 0 && s.t == 0,
                   SEE_PASS,
                   "after fast_momentum_init(&s, %d): want %s; got v %s, "
                   "n = %d, t = %ld",
                   n, ok ? "v allocated, n = n, t = 0" : "*s zeroed",
                   s.v ? "set" : "NULL", s.n, s.t);
        for (int i = 0; ok && i < n; i++)
            HELD_CHECK(s.v[i] == 0.0f, SEE_PASS,
                       "v[%d] after fast_momentum_init(&s, %d): got %.9g, "
                       "want 0 (all zero)",
                       i, n, s.v[i]);
        for (int twice = 0; twice < 2; twice++) {
            STUDENT(fast_momentum_free(&s));
            HELD_CHECK(!s.v && s.n == 0 && s.t == 0, SEE_PASS,
                       "after fast_momentum_init(&s, %d) and "
                       "fast_momentum_free(&s)%s: want *s zeroed; got v %s, "
                       "n = %d, t = %ld",
                       n, twice ? " twice" : "", s.v ? "set" : "NULL", s.n,
                       s.t);
        }
        REFERENCE(fast_momentum_free(&sr));

        FastAdamState a, ar;
        memset(&a, GARBAGE, sizeof a);
        got = STUDENT(fast_adam_init(&a, n));
        want = REFERENCE(fast_adam_init(&ar, n));
        HELD_INT(got, want, SEE_PASS, "fast_adam_init(&s, %d)'s return value",
                 n);
        HELD_CHECK(ok ? a.m && a.v && a.n == n && a.t == 0
                      : !a.m && !a.v && a.n == 0 && a.t == 0,
                   SEE_PASS,
                   "after fast_adam_init(&s, %d): want %s; got m %s, v %s, "
                   "n = %d, t = %ld",
                   n, ok ? "m and v allocated, n = n, t = 0" : "*s zeroed",
                   a.m ? "set" : "NULL", a.v ? "set" : "NULL", a.n, a.t);
        for (int i = 0; ok && i < n; i++)
            HELD_CHECK(a.m[i] == 0.0f && a.v[i] == 0.0f, SEE_PASS,
                       "m[%d] and v[%d] after fast_adam_init(&s, %d): got "
                       "%.9g and %.9g, want 0 (all zero)",
                       i, i, n, a.m[i], a.v[i]);
        for (int twice = 0; twice < 2; twice++) {
            STUDENT(fast_adam_free(&a));
            HELD_CHECK(!a.m && !a.v && a.n == 0 && a.t == 0, SEE_PASS,
                       "after fast_adam_init(&s, %d) and fast_adam_free(&s)%s: "
                       "want *s zeroed; got m %s, v %s, n = %d, t = %ld",
                       n, twice ? " twice" : "", a.m ? "set" : "NULL",
                       a.v ? "set" : "NULL", a.n, a.t);
        }
        REFERENCE(fast_adam_free(&ar));
    }
}

/* ---- the states of a seed ----------------------------------------------- */

enum { RUNS = 33, MAX_STEPS = 12 };

/* Run r's size: 1 to 16, then 16 q + (r - 16) with q from 1 to 4, then
 * one large size. */
static int run_size(int r) {
    if (r < 16) return r + 1;
    if (r < 32) return 16 * held_int(1, 4) + (r - 16);
    return held_int(1000, 4100);
}

/* What a run of an optimizer keeps besides its two states: the student's
 * and the reference's x, the start and the gradients of every step (for
 * the messages), and per coordinate the magnitudes that the tolerances
 * are relative to. */
typedef struct {
    int n, steps;
    float *x, *xr, *x0, *g; /* g[steps * n]: step k's gradient at g + k n */
    double *xs;             /* a bound on |x| and on every term added to it */
    double *ms, *vs;        /* the same for the moments (Adam), or v (ball) */
} Run;

static void run_start(Run *run, int r) {
    run->n = run_size(r);
    run->steps = held_int(1, MAX_STEPS);
    int n = run->n;
    run->x = take_floats(n);
    run->xr = take_floats(n);
    run->x0 = take_floats(n);
    run->g = take_floats((long long)run->steps * n);
    run->xs = take_doubles(n);
    run->ms = take_doubles(n);
    run->vs = take_doubles(n);
}

/* x0 of a run: coordinates of size up to `scale`, a few exactly 0. */
static void draw_x0(Run *run, double scale) {
    for (int i = 0; i < run->n; i++) {
        run->x0[i] =
            held_coin(0.05) ? 0.0f : (float)(scale * held_uniform(-1, 1));
        run->x[i] = run->xr[i] = run->x0[i];
        run->xs[i] = fabs(run->x0[i]);
    }
}

/* The gradients of every step: each coordinate has a size of its own,
 * spread over `decades` decades below `top`, and a sign that may change
 * from step to step (N(0.3, 1) times the size); `zeros` puts exact zeros
 * in a few. */
static void draw_grads(Run *run, double top, double decades, bool zeros) {
    for (int i = 0; i < run->n; i++) {
        double size = top * pow(10.0, -decades * held_uniform(0, 1));
        for (int k = 0; k < run->steps; k++)
            run->g[(size_t)k * (size_t)run->n + (size_t)i] =
                zeros && held_coin(0.05) ? 0.0f
                                         : (float)(size * (0.3 + gaussian()));
    }
}

/* The order of the steps: step k of each run that has one, run after run,
 * then step k + 1 of each. Start from k = 0, r = -1. */
static bool next_step(const Run runs[RUNS], int *k, int *r) {
    do {
        if (++*r == RUNS) *r = 0, ++*k;
    } while (*k < MAX_STEPS && *k >= runs[*r].steps);
    return *k < MAX_STEPS;
}

/* s->t after the step k of a run (t counts the state's own steps). */
static void check_t(long t, long t_ref, const char *step, int k, int n) {
    HELD_INT(t, t_ref, SEE_PASS,
             "s.t after %d %s calls on a state of n=%d (33 states take a "
             "step each in turn)",
             k + 1, step, n);
}

/* ---- the heavy ball ----------------------------------------------------- */

static MomentumConfig draw_momentum(const MomentumConfig *old,
                                    double lr_scale) {
    MomentumConfig c = {0.0, 0.0};
    if (old) c = *old;
    /* lr changes at every step (a schedule), beta at some; beta = 0 too */
    c.lr = lr_scale * held_log_uniform(1e-3, 0.1);
    if (!old || held_coin(0.3))
        c.beta = held_coin(0.1) ? 0.0 : held_uniform(0.0, 0.999);
    return c;
}

HELD(held_fast, heavy_ball_runs_match_the_reference, 1) {
    pool_reset();
    static Run runs[RUNS];
    static FastMomentumState s[RUNS], sr[RUNS];
    static MomentumConfig cfg[RUNS][MAX_STEPS];
    for (int r = 0; r < RUNS; r++) {
        Run *run = &runs[r];
        run_start(run, r);
        /* lr of 1e-3 to 0.1 of x_scale / g_top: steps of up to a tenth of
         * x, times the coordinate's share of g_top (3 decades) and the
         * velocity's growth */
        double x_scale = held_log_uniform(1e-3, 1e3);
        double g_top = held_log_uniform(1e-3, 1e3);
        draw_x0(run, x_scale);
        draw_grads(run, g_top, 3.0, true);
        for (int k = 0; k < run->steps; k++)
            cfg[r][k] =
                draw_momentum(k ? &cfg[r][k - 1] : NULL, x_scale / g_top);
        HELD_INT(STUDENT(fast_momentum_init(&s[r], run->n)), 0, SEE_PASS,
                 "fast_momentum_init(&s, %d)'s return value", run->n);
        REFERENCE(fast_momentum_init(&sr[r], run->n));
    }
    for (int k = 0, r = -1; next_step(runs, &k, &r);) {
        Run *run = &runs[r];
        const int n = run->n;
        const float *g = run->g + (size_t)k * (size_t)n;
        const MomentumConfig c = cfg[r][k];
        STUDENT(fast_heavy_ball_step(&s[r], run->x, g, &c));
        REFERENCE(fast_heavy_ball_step(&sr[r], run->xr, g, &c));
        check_t(s[r].t, sr[r].t, "fast_heavy_ball_step", k, n);
        double lrs[MAX_STEPS], betas[MAX_STEPS];
        for (int j = 0; j <= k; j++)
            lrs[j] = cfg[r][j].lr, betas[j] = cfg[r][j].beta;
        for (int i = 0; i < n; i++) {
            /* vs and xs bound |v| and |x| and every term added to
             * them. v = beta v + g rounds 3 times (beta to float, the
             * product, the sum), x -= lr v 3 times (lr to float, the
             * product, the difference), and a v off by e moves x by
             * lr e: after k steps each kernel is within 3k U of vs and
             * 6k U of xs; both kernels, and a factor 2 to spare. */
            const int steps = k + 1;
            run->vs[i] = c.beta * run->vs[i] + fabs(g[i]);
            run->xs[i] += c.lr * run->vs[i];
            const double tol_v = 4.0 * 3 * steps * U * run->vs[i];
            const double tol_x = 4.0 * 6 * steps * U * run->xs[i];
            if (near(run->x[i], run->xr[i], tol_x) &&
                near(s[r].v[i], sr[r].v[i], tol_v))
                continue;
            char what[720];
            snprintf(what, sizeof what,
                     "step %d of fast_heavy_ball_step on a state of n=%d "
                     "(33 states take a step each in turn), from "
                     "x[%d]=%.9g, with g[%d] = %s, lr = %s and beta = %s "
                     "at steps 1 to %d",
                     k + 1, n, i, run->x0[i], i,
                     show_floats(g - (size_t)k * (size_t)n + i, k + 1, n, 170),
                     show(lrs, k + 1, 1, 170), show(betas, k + 1, 1, 170),
                     k + 1);
            HELD_NEAR(run->x[i], run->xr[i], tol_x, SEE_PASS, "x[%d] after %s",
                      i, what);
            HELD_NEAR(s[r].v[i], sr[r].v[i], tol_v, SEE_PASS,
                      "s.v[%d] after %s", i, what);
        }
    }
    for (int r = 0; r < RUNS; r++) {
        STUDENT(fast_momentum_free(&s[r]));
        REFERENCE(fast_momentum_free(&sr[r]));
    }
}

/* ---- Adam and AdamW ----------------------------------------------------- */

typedef enum { DECAY_L2, DECAY_DECOUPLED } Decay;

/* A beta that float holds exactly, and 1 - beta too (a multiple of 2^-16).
 * The header lets a kernel round beta to float, or combine the doubles
 * first, and for a beta near 1 the two differ by far more than a rounding
 * of the moment: 1 - (float)0.9999 is 1.7e-4 of itself away from
 * 1 - 0.9999. The bias corrections 1 - beta^t are combined in double, once
 * per step (the header; section 9.2 and the exercise's TODO). */
static double exact_beta(double beta) {
    return floor(beta * 65536.0) / 65536.0;
}

/* How a run's configuration is drawn: lr about lr_scale (1e-4 to 0.3 of x,
 * each step's own: Adam's steps are about lr), betas in [0, 1) with 0
 * included, eps about the gradients' sizes or far below them, or 0 when
 * eps_zero (the header's eps >= 0; never with a zero gradient, where
 * 0 / 0 is the header's answer), weight decay 0 or of a size that shows:
 * an L2 term as large as the gradients (g_top / x_scale), a decoupled
 * shrink lr weight_decay of 1e-4 to 0.3 per step. */
typedef struct {
    Decay decay;
    double lr_scale, g_top, x_scale;
    bool eps_zero;
    double shrink; /* AdamW: lr * weight_decay, kept when lr changes */
} AdamDraw;

static AdamConfig draw_adam(const AdamConfig *old, AdamDraw *d) {
    AdamConfig c = {0};
    if (old) c = *old;
    c.lr = d->lr_scale * exp(held_uniform(-0.7, 0.7));
    if (!old || held_coin(0.3))
        c.beta1 = held_coin(0.1) ? 0.0 : exact_beta(held_uniform(0.0, 0.99));
    if (!old || held_coin(0.3))
        c.beta2 = held_coin(0.1)
                      ? 0.0
                      : exact_beta(1.0 - pow(10.0, held_uniform(-4.0, -0.3)));
    if (!old || held_coin(0.3))
        c.eps = d->eps_zero && held_coin(0.3)
                    ? 0.0
                    : d->g_top * pow(10.0, held_uniform(-7.0, 0.0));
    if (!old || held_coin(0.3)) {
        bool zero = held_coin(0.2);
        c.weight_decay =
            zero ? 0.0 : d->g_top / d->x_scale * pow(10.0, held_uniform(-3, 1));
        d->shrink = zero ? 0.0 : pow(10.0, held_uniform(-4.0, -0.5));
    }
    if (d->decay == DECAY_DECOUPLED) c.weight_decay = d->shrink / c.lr;
    return c;
}

/* Appends " name = (v_1, ..., v_k)" to text when the field changed during
 * the run (the message shows the last step's value in any case). */
static void append_history(char *text, size_t size, const char *name,
                           const double *v, int k) {
    bool changed = false;
    for (int j = 0; j + 1 < k; j++)
        changed |= v[j] != v[k - 1];
    size_t used = strlen(text);
    if (changed && used < size)
        snprintf(text + used, size - used, ", %s = %s", name,
                 show(v, k, 1, 90));
}

static void check_adam_runs(Decay decay) {
    const char *name = decay == DECAY_L2 ? "fast_adam_step" : "fast_adamw_step";
    void (*step)(FastAdamState *, float *, const float *, const AdamConfig *) =
        decay == DECAY_L2 ? fast_adam_step : fast_adamw_step;
    pool_reset();
    static Run runs[RUNS];
    static FastAdamState s[RUNS], sr[RUNS];
    static AdamConfig cfg[RUNS][MAX_STEPS];
    static double *em[RUNS], *ev[RUNS], *ex[RUNS]; /* error bounds */
    for (int r = 0; r < RUNS; r++) {
        Run *run = &runs[r];
        run_start(run, r);
        AdamDraw d = {.decay = decay,
                      .x_scale = held_log_uniform(1e-3, 1e3),
                      .g_top = held_log_uniform(1e-3, 1e3),
                      .eps_zero = held_coin(0.3)};
        d.lr_scale = d.x_scale * held_log_uniform(1e-4, 0.3);
        draw_x0(run, d.x_scale);
        draw_grads(run, d.g_top, 3.0, !d.eps_zero);
        for (int k = 0; k < run->steps; k++)
            cfg[r][k] = draw_adam(k ? &cfg[r][k - 1] : NULL, &d);
        em[r] = take_doubles(run->n);
        ev[r] = take_doubles(run->n);
        ex[r] = take_doubles(run->n);
        HELD_INT(STUDENT(fast_adam_init(&s[r], run->n)), 0, SEE_PASS,
                 "fast_adam_init(&s, %d)'s return value", run->n);
        REFERENCE(fast_adam_init(&sr[r], run->n));
    }
    for (int k = 0, r = -1; next_step(runs, &k, &r);) {
        Run *run = &runs[r];
        const int n = run->n;
        const float *g = run->g + (size_t)k * (size_t)n;
        const AdamConfig c = cfg[r][k];
        STUDENT(step(&s[r], run->x, g, &c));
        REFERENCE(step(&sr[r], run->xr, g, &c));
        check_t(s[r].t, sr[r].t, name, k, n);
        const double bc1 = 1.0 - pow(c.beta1, k + 1);
        const double bc2 = 1.0 - pow(c.beta2, k + 1);
        const double l2 = decay == DECAY_L2 ? c.weight_decay : 0.0;
        const double shrink =
            decay == DECAY_DECOUPLED ? c.lr * c.weight_decay : 0.0;
        for (int i = 0; i < n; i++) {
            /* First-order bounds on each kernel's error (ex, em, ev),
             * carried from step to step, in roundings of the sizes of
             * the terms: ga bounds |grad + l2 x| and its terms, ms and
             * vs the moments and theirs, xs x and its. g = grad + l2 x
             * rounds 3 times (l2 to float, the product, the sum) at
             * an x off by ex; m = b1 m + (1 - b1) g 3 times more, v 4
             * (the square), the betas being exact; the denominator
             * sqrt(v) / sqrt(bc2) + eps 5 times, at a v off by ev; the
             * quotient times lr / bc1 4 times; x's decay and step 3
             * times. Both kernels, and a factor 2 to spare. */
            const double ga = fabs(g[i]) + l2 * run->xs[i];
            const double eg = 3 * U * ga + l2 * ex[r][i];
            const double b1 = c.beta1, b2 = c.beta2;
            run->ms[i] = b1 * run->ms[i] + (1 - b1) * ga;
            run->vs[i] = b2 * run->vs[i] + (1 - b2) * ga * ga;
            em[r][i] = b1 * em[r][i] + (1 - b1) * eg + 3 * U * run->ms[i];
            ev[r][i] =
                b2 * ev[r][i] + (1 - b2) * 2 * ga * eg + 4 * U * run->vs[i];
            const double v = sr[r].v[i];
            const double root = sqrt(v / bc2), den = root + c.eps;
            double ratio = 0.0, eq = 0.0;
            if (den > 0) {
                const double er =
                    fmin(v > 0 ? ev[r][i] / (2 * sqrt(v * bc2)) : INFINITY,
                         sqrt(ev[r][i] / bc2)) +
                    5 * U * den;
                ratio = run->ms[i] / bc1 / den;
                eq = (em[r][i] / den + run->ms[i] * er / (den * den)) / bc1 +
                     4 * U * ratio;
            }
            ex[r][i] = ex[r][i] * (1 + shrink) + c.lr * eq +
                       3 * U * (run->xs[i] * (1 + shrink) + c.lr * ratio);
            run->xs[i] = run->xs[i] * (1 + shrink) + c.lr * ratio;
            const double tol_x = 4 * ex[r][i], tol_m = 4 * em[r][i],
                         tol_v = 4 * ev[r][i];
            if (near(run->x[i], run->xr[i], tol_x) &&
                near(s[r].m[i], sr[r].m[i], tol_m) &&
                near(s[r].v[i], sr[r].v[i], tol_v))
                continue;
            double hist[5][MAX_STEPS];
            for (int j = 0; j <= k; j++) {
                hist[0][j] = cfg[r][j].lr, hist[1][j] = cfg[r][j].beta1;
                hist[2][j] = cfg[r][j].beta2, hist[3][j] = cfg[r][j].eps;
                hist[4][j] = cfg[r][j].weight_decay;
            }
            char what[760];
            snprintf(what, sizeof what,
                     "step %d of %s on a state of n=%d (33 states take a "
                     "step each in turn), from x[%d]=%.9g, with grad[%d] "
                     "= %s at steps 1 to %d; the last with lr=%.9g, "
                     "beta1=%.9g, beta2=%.9g, eps=%.9g, weight_decay=%.9g",
                     k + 1, name, n, i, run->x0[i], i,
                     show_floats(g - (size_t)k * (size_t)n + i, k + 1, n, 150),
                     k + 1, c.lr, c.beta1, c.beta2, c.eps, c.weight_decay);
            static const char *const field[5] = {"lr", "beta1", "beta2", "eps",
                                                 "weight_decay"};
            for (int f = 0; f < 5; f++)
                append_history(what, sizeof what, field[f], hist[f], k + 1);
            HELD_NEAR(run->x[i], run->xr[i], tol_x, SEE_PASS, "x[%d] after %s",
                      i, what);
            HELD_NEAR(s[r].m[i], sr[r].m[i], tol_m, SEE_PASS,
                      "s.m[%d] after %s", i, what);
            HELD_NEAR(s[r].v[i], sr[r].v[i], tol_v, SEE_PASS,
                      "s.v[%d] after %s", i, what);
        }
    }
    for (int r = 0; r < RUNS; r++) {
        STUDENT(fast_adam_free(&s[r]));
        REFERENCE(fast_adam_free(&sr[r]));
    }
}

HELD(held_fast, adam_runs_match_the_reference, 2) {
    check_adam_runs(DECAY_L2);
}

HELD(held_fast, adamw_runs_match_the_reference, 2) {
    check_adam_runs(DECAY_DECOUPLED);
}

/* ---- the softmax cross-entropy ------------------------------------------ */

/* The batches of a seed: rows of every width from 1 to 16, of each
 * remainder modulo 16 from 16 to 79, and one of 1000 to 1100 classes;
 * one row on every eighth batch, 2 to 6 on the others. Rows are of four
 * kinds in turn: logits around 0, around +89 to +1000 and -89 to -1000 (e^z
 * is beyond float's range either way: the header's +-1000), and spread
 * over [-1000, 1000]; labels are in turn anywhere, the last class, the
 * first, and the row's largest logit. */
enum { SHAPES = 33 };

typedef struct {
    int batch, classes;
    float *z;    /* [batch * classes] */
    int *labels; /* [batch] */
} Batch;

static int label_pool[SHAPES * 8];

static Batch draw_batch(int j) {
    Batch x;
    x.classes = j < 16   ? j + 1
                : j < 32 ? 16 * held_int(1, 4) + (j - 16)
                         : held_int(1000, 1100);
    x.batch = j % 8 == 0 ? 1 : held_int(2, j < 32 ? 6 : 3);
    x.z = take_floats((long long)x.batch * x.classes);
    x.labels = label_pool + 8 * j;
    for (int b = 0; b < x.batch; b++) {
        float *row = x.z + (size_t)b * (size_t)x.classes;
        const int kind = (b + j) % 4;
        int best = 0;
        double offset = kind == 0   ? held_uniform(-10, 10)
                        : kind == 1 ? held_uniform(89, 1000)
                        : kind == 2 ? -held_uniform(89, 1000)
                                    : 0.0;
        double spread = held_coin(0.1) ? 0.0 : held_log_uniform(1e-3, 30);
        for (int c = 0; c < x.classes; c++) {
            row[c] = kind == 3 ? (float)held_uniform(-1000, 1000)
                               : (float)(offset + spread * gaussian());
            if (row[c] > row[best]) best = c;
        }
        int which = (b + j / 4) % 4;
        x.labels[b] = which == 0   ? held_int(0, x.classes - 1)
                      : which == 1 ? x.classes - 1
                      : which == 2 ? 0
                                   : best;
    }
    return x;
}

/* Row b's loss and softmax in double, from the float logits: the row's
 * max, the log of its sum of exponentials after the shift, p[classes]. */
typedef struct {
    double max, lse, loss;
} RowLoss;

static RowLoss row_loss(const float *row, int classes, int label, double *p) {
    RowLoss l = {row[0], 0.0, 0.0};
    for (int c = 1; c < classes; c++)
        l.max = fmax(l.max, row[c]);
    double sum = 0.0;
    for (int c = 0; c < classes; c++)
        sum += p[c] = exp(row[c] - l.max);
    for (int c = 0; c < classes; c++)
        p[c] /= sum;
    l.lse = log(sum);
    l.loss = l.lse + l.max - row[label];
    return l;
}

/* How far two correct float kernels' losses may be apart. A row's loss,
 * log(sum) + (max - z_y): the k exponentials are each within 2 roundings
 * of e^(z - max), and their sum, in any order and in float or double,
 * within (k + 2) U of its size; the log, max - z_y and their sum round once
 * each, within U of |max| + |z_y| + log(sum) each. The mean of the rows
 * adds (batch + 1) U of the sum of their sizes (a total in float). Both
 * kernels, and a factor 2 to spare. */
static double loss_tol(const Batch *x, const RowLoss *rows, double loss) {
    double tol = 0.0, sizes = 0.0;
    for (int b = 0; b < x->batch; b++) {
        const RowLoss *l = &rows[b];
        const float zy =
            x->z[(size_t)b * (size_t)x->classes + (size_t)x->labels[b]];
        tol +=
            4 * U * (x->classes + 2 + 3 * (fabs(l->max) + fabs(zy) + l->lse));
        sizes += fabs(l->loss);
    }
    return tol / x->batch +
           4 * U * ((x->batch + 1) * sizes / x->batch + fabs(loss));
}

/* An entry of the gradient, (p - [c == y]) / batch: p within (k + 7) U of
 * itself (the exponential, the sum, the scale 1 / (sum batch), the
 * product), or within 2 U (|max| + log(sum)) more when computed as
 * e^(z - lse) with lse = max + log(sum) rounded to float (a log-softmax
 * first, as frameworks do), and the subtraction of 1 / batch within
 * 2 U / batch; both kernels, and a factor 2 to spare. (e^(z - max) below
 * 2^-126 may be 0 in one kernel and not in the other: far below 2 U.) */
static double grad_tol(int classes, int batch, const RowLoss *l, double p) {
    const double rel = classes + 7 + 2 * (fabs(l->max) + l->lse);
    return 4 * U * (rel * p + 2) / batch;
}

typedef enum { GRAD_NULL, GRAD_SEPARATE, GRAD_IN_PLACE } GradMode;
static const char *const MODE[] = {
    "NULL", "a separate array (filled with NaN before the call)",
    "logits itself (in place)"};

/* The call of one mode on batch x, by the student and by the reference,
 * and the comparison of the loss and of every entry of the gradient. */
static void check_xent(const Batch *x, GradMode mode) {
    const int batch = x->batch, classes = x->classes;
    const long long n = (long long)batch * classes;
    double *p = take_doubles(classes);
    RowLoss rows[8];
    double want_loss = 0.0;
    for (int b = 0; b < batch; b++) {
        rows[b] = row_loss(x->z + (size_t)b * (size_t)classes, classes,
                           x->labels[b], p);
        want_loss += rows[b].loss / batch;
    }
    float *z = take_floats(n), *zr = take_floats(n);
    float *g = take_floats(n), *gr = take_floats(n);
    memcpy(z, x->z, (size_t)n * sizeof *z);
    memcpy(zr, x->z, (size_t)n * sizeof *z);
    for (long long i = 0; i < n; i++)
        g[i] = gr[i] =
            NAN; /* an entry left unwritten, or added to, stays NaN */
    float *out = mode == GRAD_NULL ? NULL : mode == GRAD_SEPARATE ? g : z;
    float *out_r = mode == GRAD_NULL ? NULL : mode == GRAD_SEPARATE ? gr : zr;
    float got = STUDENT(fast_softmax_xent(out, z, x->labels, batch, classes));
    float want =
        REFERENCE(fast_softmax_xent(out_r, zr, x->labels, batch, classes));
    double labels[8];
    for (int b = 0; b < batch; b++)
        labels[b] = x->labels[b];
    char call[200];
    snprintf(call, sizeof call,
             "fast_softmax_xent with grad_logits %s, batch=%d, classes=%d, "
             "labels=%s",
             MODE[mode], batch, classes, show(labels, batch, 1, 60));
    const double tol = loss_tol(x, rows, want_loss);
    if (!near(got, want, tol)) {
        int b = 0; /* the row of the largest loss */
        for (int k = 1; k < batch; k++)
            if (rows[k].loss > rows[b].loss) b = k;
        HELD_NEAR(
            got, want, tol, SEE_XENT,
            "the loss of %s, whose row %d (of loss %.6g) is %s", call, b,
            rows[b].loss,
            show_floats(x->z + (size_t)b * (size_t)classes, classes, 1, 300));
    }
    for (int b = 0; mode != GRAD_NULL && b < batch; b++) {
        const float *row = x->z + (size_t)b * (size_t)classes;
        const RowLoss l = row_loss(row, classes, x->labels[b], p);
        for (int c = 0; c < classes; c++) {
            const size_t i = (size_t)b * (size_t)classes + (size_t)c;
            const double t = grad_tol(classes, batch, &l, p[c]);
            if (!near(out[i], out_r[i], t))
                HELD_NEAR(out[i], out_r[i], t, SEE_XENT,
                          "dL/dlogits[%d, %d] from %s, whose row %d is %s", b,
                          c, call, b, show_floats(row, classes, 1, 300));
        }
    }
}

HELD(held_fast, xent_matches_the_reference, 2) {
    pool_reset();
    for (int j = 0; j < SHAPES; j++) {
        const Batch x = draw_batch(j);
        check_xent(&x, GRAD_NULL);
        check_xent(&x, GRAD_SEPARATE);
    }
}

HELD(held_fast, xent_in_place_matches_the_reference, 1) {
    pool_reset();
    for (int j = 0; j < SHAPES; j++) {
        const Batch x = draw_batch(j);
        check_xent(&x, GRAD_IN_PLACE);
    }
}
