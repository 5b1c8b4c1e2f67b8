/* tests/fast.c: chapter 9, making it fast -- graded tests, for correctness
 * only: speed is measured (make bench), never graded.
 *
 * Each float kernel is checked against a trusted double-precision copy of
 * the rule of chapters 3, 4 and 6 written out below, run from the very same
 * float inputs, on random instances whose sizes are not multiples of any
 * vector width. The same trusted code, with a "slip" switched on, computes
 * what each typical mistake gives, so that a failing check names the likely
 * cause. Tolerances are float's: see FLOAT_TOL. */
#include "fast.h"
#include "grading.h"
#include "rng.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEE_LIMIT "chapter 9, section 9.1 'The speed limit of a step'"
#define SEE_FLOAT "chapter 9, section 9.2 'Float storage, double scalars'"
#define SEE_PASS "chapter 9, section 9.3 'One pass over memory'"
#define SEE_COMPILER "chapter 9, section 9.4 'What the compiler needs'"
#define SEE_XENT "chapter 9, section 9.5 'A softmax that vectorises'"

/* The bytes an init must overwrite (no field of it reads as 0). */
#define GARBAGE 0x5A

/* How far a correct float kernel may land from the double reference run
 * from the same float inputs. Every stored value is rounded to float
 * (relative 6e-8) at every step, and the ordering of a formula is free
 * (step sizes folded into scalars, sums in float or double); over the few
 * steps of these tests that moves x by up to ~1e-6 of its size. 4e-6 of
 * (1 + |x|) accepts every such implementation; the nearest slip that a
 * test's settings expose is 100 times farther (see each test). */
#define FLOAT_TOL(want) (4e-6 * (1.0 + fabs(want)))

/* ---- random instances, in float --------------------------------------- */

/* n floats from N(0, 1) times `scale`. */
static float *random_floats(Rng *rng, int n, double scale) {
    float *a = malloc((size_t)n * sizeof *a);
    cr_assert(a, "out of memory in the test");
    for (int i = 0; i < n; i++)
        a[i] = (float)(scale * rng_gaussian(rng));
    return a;
}

/* Gradients whose size varies over five decades from one coordinate to the
 * next (1e-3 to 1e2), as in a real network: Adam's eps matters for the
 * smallest. grads[steps * n], step k's gradient at grads + k * n. */
static float *random_grads(Rng *rng, int n, int steps) {
    float *g = malloc((size_t)n * (size_t)steps * sizeof *g);
    cr_assert(g, "out of memory in the test");
    for (int i = 0; i < n; i++) {
        double scale = pow(10.0, -3.0 + 5.0 * rng_uniform(rng));
        for (int k = 0; k < steps; k++)
            g[(size_t)k * (size_t)n + (size_t)i] =
                (float)(scale * (0.5 + rng_gaussian(rng)));
    }
    return g;
}

/* ---- trusted rules, one coordinate at a time, in double, with slips --- */

enum {
    SLIP_NONE = 0,
    SLIP_EMA = 1 << 0,          /* heavy ball: v = beta v + (1 - beta) g */
    SLIP_OLD_V = 1 << 1,        /* heavy ball: x moves by the old v */
    SLIP_NO_BIAS = 1 << 2,      /* mhat = m, vhat = v */
    SLIP_BIAS_M_ONLY = 1 << 3,  /* vhat = v */
    SLIP_T_PLUS_ONE = 1 << 4,   /* t = 2 on the first step */
    SLIP_EPS_INSIDE = 1 << 5,   /* sqrt(vhat + eps) */
    SLIP_EPS_HAT = 1 << 6,      /* (sqrt(v) + eps) / sqrt(1 - b2^t) */
    SLIP_DECAY_COUPLED = 1 << 7, /* adamw with an L2 term instead */
    SLIP_DECAY_AFTER = 1 << 8,  /* adamw decays the x after the step */
    SLIP_DECAY_NO_LR = 1 << 9,  /* adamw: x -= wd x */
    SLIP_NO_DECAY = 1 << 10,    /* weight_decay ignored */
    SLIP_BETAS_SWAPPED = 1 << 11 /* beta1 on v, beta2 on m */
};

/* The heavy ball of chapter 3 on one coordinate from x (v = 0), over the
 * gradients g[0], g[stride], ..., one per step. */
static double trusted_heavy_ball(double x, const float *g, int stride,
                                 int steps, const MomentumConfig *c,
                                 unsigned slips) {
    double v = 0.0;
    for (int k = 0; k < steps; k++) {
        double gk = g[(size_t)k * (size_t)stride], v_old = v;
        v = (slips & SLIP_EMA) ? c->beta * v + (1 - c->beta) * gk
                               : c->beta * v + gk;
        x -= c->lr * ((slips & SLIP_OLD_V) ? v_old : v);
    }
    return x;
}

typedef enum { DECAY_L2, DECAY_DECOUPLED } Decay;

/* Adam (DECAY_L2) or AdamW (DECAY_DECOUPLED) of chapter 4 on one
 * coordinate from x (m = v = 0), over the gradients g[k * stride]. */
static double trusted_adam(double x, const float *g, int stride, int steps,
                           const AdamConfig *c, Decay decay, unsigned slips) {
    double m = 0, v = 0, b1 = c->beta1, b2 = c->beta2;
    if (slips & SLIP_BETAS_SWAPPED) b1 = c->beta2, b2 = c->beta1;
    double wd = (slips & SLIP_NO_DECAY) ? 0.0 : c->weight_decay;
    if (slips & SLIP_DECAY_COUPLED) decay = DECAY_L2;
    double shrink = (slips & SLIP_DECAY_NO_LR) ? wd : c->lr * wd;
    for (int k = 0; k < steps; k++) {
        int t = (slips & SLIP_T_PLUS_ONE) ? k + 2 : k + 1;
        double gk = g[(size_t)k * (size_t)stride];
        if (decay == DECAY_L2) gk += wd * x;
        if (decay == DECAY_DECOUPLED && !(slips & SLIP_DECAY_AFTER))
            x -= shrink * x;
        m = b1 * m + (1 - b1) * gk;
        v = b2 * v + (1 - b2) * gk * gk;
        double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
        if (slips & SLIP_NO_BIAS) bc1 = bc2 = 1;
        if (slips & SLIP_BIAS_M_ONLY) bc2 = 1;
        double denom = sqrt(v / bc2) + c->eps;
        if (slips & SLIP_EPS_INSIDE) denom = sqrt(v / bc2 + c->eps);
        if (slips & SLIP_EPS_HAT) denom = (sqrt(v) + c->eps) / sqrt(bc2);
        x -= c->lr * (m / bc1) / denom;
        if (decay == DECAY_DECOUPLED && (slips & SLIP_DECAY_AFTER))
            x -= shrink * x;
    }
    return x;
}

/* ---- the heavy ball ---------------------------------------------------- */

GRADED(fast, momentum_init_zeroes_the_state_and_free_clears_it, 1) {
    FastMomentumState s;
    memset(&s, GARBAGE, sizeof s);
    CHECK_INT(fast_momentum_init(&s, 5), 0, SEE_PASS,
              "fast_momentum_init(&s, 5) return value");
    CHECK(s.v != NULL && s.n == 5 && s.t == 0, SEE_PASS,
          "after fast_momentum_init(&s, 5): want v allocated, n = 5, t = 0; "
          "got v %s, n = %d, t = %ld",
          s.v ? "set" : "NULL", s.n, s.t);
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(s.v[i], 0.0, 0.0, SEE_PASS,
                   "v[%d] after fast_momentum_init (calloc, not malloc)", i);
    fast_momentum_free(&s);
    CHECK(s.v == NULL && s.n == 0 && s.t == 0, SEE_PASS,
          "fast_momentum_free must leave the struct zeroed");
    memset(&s, GARBAGE, sizeof s);
    CHECK(fast_momentum_init(&s, 0) == -1 && s.v == NULL && s.n == 0,
          SEE_PASS,
          "fast_momentum_init(&s, 0) must return -1 and leave *s zeroed");
}

//> heavy_ball_test
GRADED(fast, heavy_ball_matches_chapter_3_in_float, 3) {
    enum { N = 1003, STEPS = 6 }; /* 1003 = 62 * 16 + 11: a tail */
    Rng rng;
    rng_seed(&rng, 9001);
    float *x = random_floats(&rng, N, 1.0), *g = random_grads(&rng, N, STEPS);
    float *x0 = malloc(N * sizeof *x0);
    memcpy(x0, x, N * sizeof *x0);
    const MomentumConfig cfg = {.lr = 0.01, .beta = 0.9};
    FastMomentumState s;
    CHECK_INT(fast_momentum_init(&s, N), 0, SEE_PASS, "fast_momentum_init");
    for (int k = 0; k < STEPS; k++)
        fast_heavy_ball_step(&s, x, g + k * N, &cfg);
    CHECK_INT(s.t, STEPS, SEE_PASS, "s.t after %d steps", STEPS);
    for (int i = 0; i < N; i++) {
        double want = trusted_heavy_ball(x0[i], g + i, N, STEPS, &cfg, 0);
        MISTAKE(trusted_heavy_ball(x0[i], g + i, N, STEPS, &cfg, SLIP_EMA),
                "v averages the gradients, beta v + (1 - beta) g: that is "
                "chapter 3's EMA form, not the heavy ball");
        MISTAKE(trusted_heavy_ball(x0[i], g + i, N, STEPS, &cfg, SLIP_OLD_V),
                "x moves by the old velocity: update v first");
        MISTAKE(x0[i], "x[i] was never updated");
        CHECK_NEAR(x[i], want, FLOAT_TOL(want), SEE_PASS,
                   "x[%d] after %d heavy-ball steps (lr 0.01, beta 0.9, "
                   "n = %d) from x = %.9g",
                   i, STEPS, N, x0[i]);
    }
    fast_momentum_free(&s);
    free(x), free(g), free(x0);
}
//< heavy_ball_test

/* Sizes 1 to 40 and 1000 to 1016: every remainder of a vectorised loop
 * (4, 8 or 16 floats at a time), and x[n] is a sentinel that must stay. */
static const int SIZES[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,   11,
                            12, 13, 14, 15, 16, 17, 18, 19, 20, 21,   22,
                            23, 24, 25, 26, 27, 28, 29, 30, 31, 32,   33,
                            34, 35, 36, 37, 38, 39, 40, 1000, 1001, 1007,
                            1008, 1015, 1016};
enum { N_SIZES = sizeof SIZES / sizeof SIZES[0] };

GRADED(fast, heavy_ball_updates_every_size_to_the_last_element, 2) {
    Rng rng;
    rng_seed(&rng, 9002);
    const MomentumConfig cfg = {.lr = 0.1, .beta = 0.5};
    for (int j = 0; j < N_SIZES; j++) {
        int n = SIZES[j];
        float *x = random_floats(&rng, n + 1, 1.0);
        float *g = random_floats(&rng, n, 1.0);
        x[n] = 123.0f; /* a sentinel just past the end */
        float *x0 = malloc((size_t)(n + 1) * sizeof *x0);
        memcpy(x0, x, (size_t)(n + 1) * sizeof *x0);
        FastMomentumState s;
        CHECK_INT(fast_momentum_init(&s, n), 0, SEE_PASS,
                  "fast_momentum_init(&s, %d)", n);
        fast_heavy_ball_step(&s, x, g, &cfg);
        fast_heavy_ball_step(&s, x, g, &cfg);
        for (int i = 0; i < n; i++) {
            double want = trusted_heavy_ball(x0[i], g + i, 0, 2, &cfg, 0);
            MISTAKE(x0[i], "x[i] was never updated: the loop stops short "
                           "(a remainder of the vector width left over?)");
            CHECK_NEAR(x[i], want, FLOAT_TOL(want), SEE_COMPILER,
                       "x[%d] of n = %d after two heavy-ball steps", i, n);
        }
        CHECK(x[n] == 123.0f, SEE_COMPILER,
              "x[%d], just past the end of x[%d], was written: got %g", n,
              n, x[n]);
        fast_momentum_free(&s);
        free(x), free(g), free(x0);
    }
}

/* ---- Adam and AdamW --------------------------------------------------- */

GRADED(fast, adam_init_zeroes_the_state_and_free_clears_it, 1) {
    FastAdamState s;
    memset(&s, GARBAGE, sizeof s);
    CHECK_INT(fast_adam_init(&s, 7), 0, SEE_PASS,
              "fast_adam_init(&s, 7) return value");
    CHECK(s.m != NULL && s.v != NULL && s.n == 7 && s.t == 0, SEE_PASS,
          "after fast_adam_init(&s, 7): want m and v allocated, n = 7, "
          "t = 0; got m %s, v %s, n = %d, t = %ld",
          s.m ? "set" : "NULL", s.v ? "set" : "NULL", s.n, s.t);
    for (int i = 0; i < 7; i++)
        CHECK(s.m[i] == 0.0f && s.v[i] == 0.0f, SEE_PASS,
              "m[%d] and v[%d] after fast_adam_init: got %g and %g, want 0 "
              "(calloc, not malloc)",
              i, i, s.m[i], s.v[i]);
    fast_adam_free(&s);
    CHECK(s.m == NULL && s.v == NULL && s.n == 0 && s.t == 0, SEE_PASS,
          "fast_adam_free must leave the struct zeroed");
    memset(&s, GARBAGE, sizeof s);
    CHECK(fast_adam_init(&s, -3) == -1 && s.m == NULL && s.v == NULL &&
              s.n == 0,
          SEE_PASS, "fast_adam_init(&s, -3) must return -1 and leave *s "
                    "zeroed");
}

/* Adam's settings for the random instances: eps = 1e-3 is as large as the
 * smallest gradients, so that eps inside the root or before the bias
 * correction changes their steps by a factor of 10 or more; weight decay
 * 0.1 and lr 0.01 make the decay's place visible (1e-3 of x per step). */
static const AdamConfig ADAM_TEST = {.lr = 0.01, .beta1 = 0.9,
                                     .beta2 = 0.999, .eps = 1e-3,
                                     .weight_decay = 0.1};

static void check_adam_run(Decay decay, uint64_t seed) {
    enum { N = 1003, STEPS = 5 };
    Rng rng;
    rng_seed(&rng, seed);
    float *x = random_floats(&rng, N, 1.0), *g = random_grads(&rng, N, STEPS);
    float *x0 = malloc(N * sizeof *x0), *g0 = malloc(STEPS * N * sizeof *g0);
    memcpy(x0, x, N * sizeof *x0);
    memcpy(g0, g, STEPS * N * sizeof *g0);
    FastAdamState s;
    CHECK_INT(fast_adam_init(&s, N), 0, SEE_PASS, "fast_adam_init");
    for (int k = 0; k < STEPS; k++) {
        if (decay == DECAY_L2)
            fast_adam_step(&s, x, g + k * N, &ADAM_TEST);
        else
            fast_adamw_step(&s, x, g + k * N, &ADAM_TEST);
    }
    const char *name = decay == DECAY_L2 ? "fast_adam_step" : "fast_adamw_step";
    CHECK(memcmp(g, g0, STEPS * N * sizeof *g) == 0, SEE_PASS,
          "%s changed its gradient: grad is read only", name);
    for (int i = 0; i < N; i++) {
        const float *gi = g + i;
        double want = trusted_adam(x0[i], gi, N, STEPS, &ADAM_TEST, decay, 0);
#define SLIP(flags) trusted_adam(x0[i], gi, N, STEPS, &ADAM_TEST, decay, flags)
        MISTAKE(SLIP(SLIP_NO_BIAS), "the bias corrections are missing");
        if (decay == DECAY_L2) /* at most 8 hints per check */
            MISTAKE(SLIP(SLIP_BIAS_M_ONLY),
                    "v is not bias-corrected (only m is)");
        MISTAKE(SLIP(SLIP_T_PLUS_ONE),
                "the step counter is one ahead: t must be 1 on the first "
                "step");
        MISTAKE(SLIP(SLIP_EPS_INSIDE),
                "eps is added inside the square root, sqrt(vhat + eps)");
        MISTAKE(SLIP(SLIP_EPS_HAT),
                "eps is added to sqrt(v) before the bias correction");
        MISTAKE(SLIP(SLIP_BETAS_SWAPPED), "beta1 and beta2 are swapped");
        if (decay == DECAY_L2) {
            MISTAKE(SLIP(SLIP_NO_DECAY),
                    "weight_decay is ignored: Adam adds weight_decay * x to "
                    "the gradient");
        } else {
            MISTAKE(SLIP(SLIP_DECAY_COUPLED),
                    "the decay is coupled (an L2 term in the gradient, as "
                    "in Adam): AdamW shrinks x itself");
            MISTAKE(SLIP(SLIP_DECAY_AFTER),
                    "the decay shrinks the x after the Adam step, not the x "
                    "the gradient was taken at");
        }
#undef SLIP
        MISTAKE(x0[i], "x[i] was never updated");
        CHECK_NEAR(x[i], want, FLOAT_TOL(want), SEE_PASS,
                   "x[%d] after %d steps of %s (lr 0.01, betas 0.9 and "
                   "0.999, eps 1e-3, weight_decay 0.1, n = %d) from x = "
                   "%.9g with gradients of size %.2g",
                   i, STEPS, name, N, x0[i], fabs(gi[0]));
    }
    CHECK_INT(s.t, STEPS, SEE_PASS, "s.t after %d calls of %s", STEPS, name);
    fast_adam_free(&s);
    free(x), free(g), free(x0), free(g0);
}

GRADED(fast, adam_matches_chapter_4_in_float, 3) {
    check_adam_run(DECAY_L2, 9003);
}

GRADED(fast, adamw_matches_chapter_4_in_float, 3) {
    check_adam_run(DECAY_DECOUPLED, 9004);
}

GRADED(fast, adam_and_adamw_update_every_size_to_the_last_element, 2) {
    Rng rng;
    rng_seed(&rng, 9005);
    for (int j = 0; j < N_SIZES; j++) {
        int n = SIZES[j];
        float *x = random_floats(&rng, n + 1, 1.0);
        float *g = random_floats(&rng, n, 1.0);
        x[n] = 123.0f;
        float *x0 = malloc((size_t)(n + 1) * sizeof *x0);
        memcpy(x0, x, (size_t)(n + 1) * sizeof *x0);
        for (int w = 0; w < 2; w++) {
            FastAdamState s;
            CHECK_INT(fast_adam_init(&s, n), 0, SEE_PASS,
                      "fast_adam_init(&s, %d)", n);
            memcpy(x, x0, (size_t)(n + 1) * sizeof *x);
            if (w == 0)
                fast_adam_step(&s, x, g, &ADAM_TEST);
            else
                fast_adamw_step(&s, x, g, &ADAM_TEST);
            for (int i = 0; i < n; i++) {
                double want = trusted_adam(x0[i], g + i, 0, 1, &ADAM_TEST,
                                           w ? DECAY_DECOUPLED : DECAY_L2, 0);
                MISTAKE(x0[i], "x[i] was never updated: the loop stops short "
                               "(a remainder of the vector width left over?)");
                CHECK_NEAR(x[i], want, FLOAT_TOL(want), SEE_COMPILER,
                           "x[%d] of n = %d after one %s step", i, n,
                           w ? "AdamW" : "Adam");
            }
            CHECK(x[n] == 123.0f, SEE_COMPILER,
                  "x[%d], just past the end of x[%d], was written by %s: got "
                  "%g",
                  n, n, w ? "fast_adamw_step" : "fast_adam_step", x[n]);
            fast_adam_free(&s);
        }
        free(x), free(g), free(x0);
    }
}

//> tutorial_run_test
GRADED(fast, adam_in_float_lands_on_the_tutorial_run, 2) {
    /* chapter 4's run: (theta - 3)^2 from 0, lr 0.01, 100 steps; the
     * tutorial printed PyTorch's float32 result, 0.9375530481 */
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    FastAdamState s;
    CHECK_INT(fast_adam_init(&s, 1), 0, SEE_FLOAT, "fast_adam_init(&s, 1)");
    float theta = 0.0f;
    for (int k = 0; k < 100; k++) {
        const float g = 2.0f * (theta - 3.0f);
        fast_adam_step(&s, &theta, &g, &cfg);
    }
    MISTAKE(0.0, "theta never moved");
    MISTAKE(1.0, "each step moves exactly lr: is m/sqrt(v) rounded to 1?");
    CHECK_NEAR(theta, 0.9375530481, 1e-6, SEE_FLOAT,
               "theta after 100 fast_adam_step on (theta-3)^2 from 0, "
               "lr 0.01 (chapter 4: 0.9375536000 in double)");
    fast_adam_free(&s);
}
//< tutorial_run_test

/* ---- the softmax cross-entropy ---------------------------------------- */

/* Chapter 6's loss in double, from the float logits: the value, and
 * grad[batch * classes] when grad is not NULL. Slips: zy_after, the label's
 * logit read after the row was replaced by its exponentials (in place);
 * width > 0, a sum of the exponentials that leaves out the tail of the row
 * beyond the last multiple of width. */
static double trusted_xent_slip(double *grad, const float *z,
                                const int *labels, int batch, int classes,
                                bool zy_after, int width) {
    double total = 0.0;
    for (int b = 0; b < batch; b++) {
        const float *row = z + (size_t)b * (size_t)classes;
        double max = row[0];
        for (int c = 1; c < classes; c++)
            max = fmax(max, row[c]);
        double sum = 0.0;
        int summed = width > 0 ? classes / width * width : classes;
        for (int c = 0; c < summed; c++)
            sum += exp(row[c] - max);
        double zy = row[labels[b]];
        if (zy_after) zy = exp(zy - max);
        total += log(sum) + max - zy;
        if (!grad) continue;
        for (int c = 0; c < classes; c++)
            grad[(size_t)b * (size_t)classes + (size_t)c] =
                (exp(row[c] - max) / sum - (c == labels[b])) / batch;
    }
    return total / batch;
}

static double trusted_xent(double *grad, const float *z, const int *labels,
                           int batch, int classes) {
    return trusted_xent_slip(grad, z, labels, batch, classes, false, 0);
}

/* logits[batch * classes] of spread `scale` around `offset`, labels[batch]. */
static void random_batch(Rng *rng, float *z, int *labels, int batch,
                         int classes, double offset, double scale) {
    for (int i = 0; i < batch * classes; i++)
        z[i] = (float)(offset + scale * rng_gaussian(rng));
    for (int b = 0; b < batch; b++)
        labels[b] = (int)rng_below(rng, (uint64_t)classes);
}

/* The loss's tolerance: a log-sum-exp of float logits as large as zmax is
 * known to the float ulp of zmax (1.2e-7 relative), whatever the order of
 * its terms; sums in float add a few 1e-7 of the value. */
static double xent_tol(double want, double zmax) {
    return 1e-6 * (1.0 + fabs(want)) + 4e-7 * zmax;
}

/* Gradient entries are p / batch, each p known to ~1e-6 in float. */
#define GRAD_TOL(batch) (2e-6 / (batch))

static double max_abs(const float *z, int n) {
    double m = 0.0;
    for (int i = 0; i < n; i++)
        m = fmax(m, fabs(z[i]));
    return m;
}

static void check_xent(const float *logits, const int *labels, int batch,
                       int classes, bool in_place, const char *what) {
    const size_t n = (size_t)batch * (size_t)classes;
    float *z = malloc(n * sizeof *z), *g = malloc((n + 1) * sizeof *g);
    double *want_g = malloc(n * sizeof *want_g);
    memcpy(z, logits, n * sizeof *z);
    for (size_t i = 0; i <= n; i++)
        g[i] = 7.0f; /* an entry the loss forgets to write stays 7 */
    float *out = in_place ? z : g;
    float *copy = malloc(n * sizeof *copy);
    memcpy(copy, logits, n * sizeof *copy);
    double want = trusted_xent(want_g, copy, labels, batch, classes);
    double zmax = max_abs(copy, (int)n);
    float got = fast_softmax_xent(out, z, labels, batch, classes);
    CHECK(isfinite(got), SEE_XENT,
          "the loss of %s is %g: not finite. %s", what, got,
          got > 0 ? "exp of a logit above 88.7 overflows a float: subtract "
                    "the row's max first"
                  : "the log of a sum of 0: are all the classes summed?");
    if (in_place)
        MISTAKE(trusted_xent_slip(NULL, copy, labels, batch, classes, true, 0),
                "the label's logit was read after the row was overwritten "
                "(grad_logits is logits here): read it first");
    for (int width = 4; width <= 16; width *= 2)
        if (classes % width != 0 && classes > width)
            MISTAKE(trusted_xent_slip(NULL, copy, labels, batch, classes,
                                      false, width),
                    "the sum of the exponentials leaves out the row's tail "
                    "(classes not a multiple of the vector width)");
    MISTAKE(want * batch, "the loss is summed over the batch, not averaged");
    CHECK_NEAR(got, want, xent_tol(want, zmax), SEE_XENT, "the loss of %s",
               what);
    if (!in_place)
        CHECK(memcmp(z, copy, n * sizeof *z) == 0, SEE_XENT,
              "%s: the logits changed; they are read only unless "
              "grad_logits is logits",
              what);
    for (size_t i = 0; i < n; i++) {
        int b = (int)(i / (size_t)classes), c = (int)(i % (size_t)classes);
        double p = want_g[i] * batch + (c == labels[b]);
        MISTAKE(in_place ? copy[i] : 7.0,
                "this entry was never written: the loop stops short (a "
                "remainder of the vector width left over?)");
        MISTAKE(want_g[i] * batch, "the gradient is not divided by batch");
        MISTAKE(p / batch, "the one-hot label is not subtracted");
        CHECK_NEAR(out[i], want_g[i], GRAD_TOL(batch), SEE_XENT,
                   "dL/dlogits[%d, %d] of %s (label %d)", b, c, what,
                   labels[b]);
    }
    if (!in_place)
        CHECK(g[n] == 7.0f, SEE_XENT,
              "%s: grad_logits[%zu], just past its end, was written", what, n);
    free(z), free(g), free(want_g), free(copy);
}

//> xent_test
GRADED(fast, xent_matches_chapter_6_in_float, 3) {
    Rng rng;
    rng_seed(&rng, 9006);
    static const int shapes[][2] = {{7, 13}, {5, 37}, {3, 100}, {2, 1}};
    for (int j = 0; j < 4; j++) {
        int batch = shapes[j][0], classes = shapes[j][1];
        float z[300];
        int labels[7];
        random_batch(&rng, z, labels, batch, classes, 0.0, 3.0);
        char what[64];
        snprintf(what, sizeof what, "a batch of %d rows of %d classes",
                 batch, classes);
        check_xent(z, labels, batch, classes, false, what);
    }
}
//< xent_test

GRADED(fast, xent_is_finite_and_right_for_logits_near_100, 2) {
    /* e^100 = 2.7e43 is beyond float's largest, 3.4e38 (in double, the
     * limit is e^709): float overflows much sooner */
    Rng rng;
    rng_seed(&rng, 9007);
    float z[4 * 19];
    int labels[4];
    random_batch(&rng, z, labels, 4, 19, 100.0, 2.0);
    check_xent(z, labels, 4, 19, false,
               "4 rows of 19 logits around 100 (spread 2)");
    random_batch(&rng, z, labels, 4, 19, -100.0, 2.0);
    check_xent(z, labels, 4, 19, false,
               "4 rows of 19 logits around -100 (spread 2)");
}

GRADED(fast, xent_in_place_overwrites_the_logits_with_the_gradient, 2) {
    Rng rng;
    rng_seed(&rng, 9008);
    float z[6 * 21];
    int labels[6];
    random_batch(&rng, z, labels, 6, 21, 1.0, 4.0);
    check_xent(z, labels, 6, 21, true,
               "6 rows of 21 classes, in place (grad_logits == logits)");
}

GRADED(fast, xent_without_gradient_returns_the_same_loss, 1) {
    Rng rng;
    rng_seed(&rng, 9009);
    float z[5 * 23], copy[5 * 23];
    int labels[5];
    random_batch(&rng, z, labels, 5, 23, 0.0, 3.0);
    memcpy(copy, z, sizeof z);
    double want = trusted_xent(NULL, z, labels, 5, 23);
    float got = fast_softmax_xent(NULL, z, labels, 5, 23);
    CHECK_NEAR(got, want, xent_tol(want, max_abs(z, 5 * 23)), SEE_XENT,
               "fast_softmax_xent(NULL, ...) of 5 rows of 23 classes");
    CHECK(memcmp(z, copy, sizeof z) == 0, SEE_XENT,
          "fast_softmax_xent(NULL, ...) changed the logits");
}

GRADED(fast, xent_rows_of_every_width_to_the_last_class, 2) {
    Rng rng;
    rng_seed(&rng, 9010);
    for (int classes = 40; classes >= 1; classes--) { /* widest first */
        float z[3 * 40];
        int labels[3];
        random_batch(&rng, z, labels, 3, classes, 0.0, 3.0);
        labels[2] = classes - 1; /* the last class is a label somewhere */
        char what[64];
        snprintf(what, sizeof what, "3 rows of %d classes", classes);
        check_xent(z, labels, 3, classes, false, what);
        snprintf(what, sizeof what, "3 rows of %d classes, in place", classes);
        check_xent(z, labels, 3, classes, true, what);
    }
}
