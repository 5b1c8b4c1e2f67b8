/* tests/adaptive.c: chapter 4, adaptive methods -- graded tests.
 *
 * Each optimizer is checked against a trusted one-coordinate version of its
 * rule written out below. The same trusted code, with a "slip" switched on,
 * computes what each typical mistake gives (no bias correction, t off by
 * one, eps inside the root, L2 in place of decoupled decay...), so that a
 * failing test names the likely cause. The settings of every test are
 * chosen so that each registered slip lands far outside the tolerance. */
#include "adaptive.h"
#include "grading.h"

#include <stdbool.h>
#include <string.h>

#define SEE_ADAGRAD "chapter 4, section 4.2 'Adagrad'"
#define SEE_RMSPROP "chapter 4, section 4.3 'RMSprop'"
#define SEE_ADAM "chapter 4, section 4.4 'Adam'"
#define SEE_NOTES "chapter 4, section 4.5 'Why Adam stops short of 3'"
#define SEE_ADAMW "chapter 4, section 4.6 'AdamW and decoupled weight decay'"
#define SEE_AMSGRAD "chapter 4, section 4.7 'AMSGrad'"
#define SEE_ADADELTA "chapter 4, section 4.8 'Adadelta'"

/* The bytes an init must overwrite: a state that init forgets to set keeps
 * them, and no field of it reads as 0. */
#define GARBAGE 0x5A

/* Values are O(1) and each step is a handful of operations, so any correct
 * ordering of the arithmetic in double agrees to ~1e-15; 1e-9 leaves room
 * and is still far below every slip. */
#define TOL 1e-9

/* ---- trusted rules, one coordinate at a time, with slips -------------- */

enum {
    SLIP_NONE = 0,
    SLIP_NO_BIAS_CORRECTION = 1 << 0, /* mhat = m, vhat = v */
    SLIP_BIAS_M_ONLY = 1 << 1,        /* vhat = v */
    SLIP_BIAS_V_ONLY = 1 << 2,        /* mhat = m */
    SLIP_T_PLUS_ONE = 1 << 3,         /* t = 2 on the first step */
    SLIP_T_FROZEN = 1 << 4,           /* t = 1 on every step */
    SLIP_EPS_INSIDE = 1 << 5,         /* sqrt(vhat + eps) */
    SLIP_EPS_HAT = 1 << 6,            /* (sqrt(v) + eps) / sqrt(1 - b2^t) */
    SLIP_NO_EPS = 1 << 7,             /* sqrt(vhat) alone */
    SLIP_BETAS_SWAPPED = 1 << 8,      /* beta1 on v, beta2 on m */
    SLIP_DECAY_NO_LR = 1 << 9,        /* x -= wd * x */
    SLIP_DECAY_AFTER = 1 << 10,       /* decay the x after the Adam step */
    SLIP_MAX_OF_VHAT = 1 << 11,       /* AMSGrad: max of corrected v */
};

typedef enum { DECAY_NONE, DECAY_L2, DECAY_DECOUPLED } Decay;

/* One coordinate of Adam (with decay as given, AMSGrad when ams) run for
 * `steps` steps from x. The gradient at step k (k = 0, 1, ...) is
 * seq[k] + slope * (x - 3): a fixed sequence, the parabola's 2 (x - 3), or
 * both. */
static double trusted_adam(double x, int steps, const double *seq,
                           double slope, const AdamConfig *c, Decay decay,
                           bool ams, unsigned slips) {
    double m = 0, v = 0, v_max = 0;
    double b1 = c->beta1, b2 = c->beta2;
    if (slips & SLIP_BETAS_SWAPPED) b1 = c->beta2, b2 = c->beta1;
    double wd_rate = (slips & SLIP_DECAY_NO_LR) ? c->weight_decay
                                                : c->lr * c->weight_decay;
    for (int k = 0; k < steps; k++) {
        int t = (slips & SLIP_T_FROZEN) ? 1
                : (slips & SLIP_T_PLUS_ONE) ? k + 2
                                            : k + 1;
        double g = (seq ? seq[k] : 0.0) + slope * (x - 3.0);
        if (decay == DECAY_L2) g += c->weight_decay * x;
        if (decay == DECAY_DECOUPLED && !(slips & SLIP_DECAY_AFTER))
            x -= wd_rate * x;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
        if (slips & (SLIP_NO_BIAS_CORRECTION | SLIP_BIAS_V_ONLY)) bc1 = 1;
        if (slips & (SLIP_NO_BIAS_CORRECTION | SLIP_BIAS_M_ONLY)) bc2 = 1;
        double v_used = v;
        if (ams && (slips & SLIP_MAX_OF_VHAT)) {
            v_max = fmax(v_max, v / bc2);
            v_used = v_max * bc2;
        } else if (ams) {
            v_max = fmax(v_max, v);
            v_used = v_max;
        }
        double denom = sqrt(v_used / bc2) + c->eps;
        if (slips & SLIP_EPS_INSIDE) denom = sqrt(v_used / bc2 + c->eps);
        if (slips & SLIP_EPS_HAT) denom = (sqrt(v_used) + c->eps) / sqrt(bc2);
        if (slips & SLIP_NO_EPS) denom = sqrt(v_used / bc2);
        x -= c->lr * (m / bc1) / denom;
        if (decay == DECAY_DECOUPLED && (slips & SLIP_DECAY_AFTER))
            x -= wd_rate * x;
    }
    return x;
}

/* One coordinate of Adagrad (sum of g^2) or RMSprop (average, beta < 1)
 * from x over the gradients g[steps]. */
enum {
    SLIP_SQ_EPS_INSIDE = 1 << 0, /* sqrt(s + eps) */
    SLIP_SQ_NO_EPS = 1 << 1,     /* sqrt(s) */
    SLIP_SQ_NO_SQRT = 1 << 2,    /* s + eps */
    SLIP_SQ_AFTER = 1 << 3,      /* s updated after the step uses it */
    SLIP_SQ_ABS = 1 << 4,        /* |g| accumulated instead of g^2 */
    SLIP_SQ_SWAPPED = 1 << 5,    /* beta * g^2 + (1 - beta) * v */
    SLIP_SQ_SUM = 1 << 6,        /* RMSprop with Adagrad's sum */
    SLIP_SQ_START_AT_G2 = 1 << 7 /* v starts at the first g^2 */
};

static double trusted_sq(double x, const double *g, int steps, double lr,
                         double eps, bool average, double beta,
                         unsigned slips) {
    double s = 0;
    if (slips & SLIP_SQ_SUM) average = false;
    for (int k = 0; k < steps; k++) {
        double s_old = s;
        double g2 = (slips & SLIP_SQ_ABS) ? fabs(g[k]) : g[k] * g[k];
        if (!average)
            s += g2;
        else if (k == 0 && (slips & SLIP_SQ_START_AT_G2))
            s = g2;
        else if (slips & SLIP_SQ_SWAPPED)
            s = (1 - beta) * s + beta * g2;
        else
            s = beta * s + (1 - beta) * g2;
        double s_used = (slips & SLIP_SQ_AFTER) ? s_old : s;
        double denom = sqrt(s_used) + eps;
        if (slips & SLIP_SQ_EPS_INSIDE) denom = sqrt(s_used + eps);
        if (slips & SLIP_SQ_NO_EPS) denom = sqrt(s_used);
        if (slips & SLIP_SQ_NO_SQRT) denom = s_used + eps;
        x -= lr * g[k] / denom;
    }
    return x;
}

/* ---- Adagrad ---------------------------------------------------------- */

GRADED(adaptive, adagrad_init_zeroes_the_state_and_free_clears_it, 1) {
    AdagradState s;
    memset(&s, GARBAGE, sizeof s);
    int rc = adagrad_init(&s, 3);
    CHECK_INT(rc, 0, SEE_ADAGRAD, "adagrad_init(&s, 3) return value");
    CHECK(s.sum_sq != NULL && s.n == 3 && s.t == 0, SEE_ADAGRAD,
          "after adagrad_init(&s, 3): want sum_sq allocated, n = 3, t = 0; "
          "got sum_sq %s, n = %d, t = %ld",
          s.sum_sq ? "set" : "NULL", s.n, s.t);
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(s.sum_sq[i], 0.0, 0.0, SEE_ADAGRAD,
                   "sum_sq[%d] after adagrad_init (calloc, not malloc)", i);
    adagrad_free(&s);
    CHECK(s.sum_sq == NULL && s.n == 0 && s.t == 0, SEE_ADAGRAD,
          "adagrad_free must leave the struct zeroed: got sum_sq %s, n = %d, "
          "t = %ld",
          s.sum_sq ? "not NULL" : "NULL", s.n, s.t);
    memset(&s, GARBAGE, sizeof s);
    CHECK(adagrad_init(&s, 0) == -1 && s.sum_sq == NULL && s.n == 0,
          SEE_ADAGRAD,
          "adagrad_init(&s, 0) must return -1 and leave *s zeroed");
}

GRADED(adaptive, adagrad_first_step_is_lr_whatever_the_scale_of_g, 1) {
    AdagradState s;
    CHECK_INT(adagrad_init(&s, 3), 0, SEE_ADAGRAD, "adagrad_init(&s, 3)");
    const AdagradConfig cfg = {.lr = 0.1, .eps = 1e-10};
    double x[3] = {1.0, 1.0, 1.0};
    const double g[3] = {1e3, -1.0, 1e-3};
    adagrad_step(&s, x, g, &cfg);
    CHECK_INT(s.t, 1, SEE_ADAGRAD, "s.t after one adagrad_step");
    for (int i = 0; i < 3; i++) {
        /* the sum is g^2, so the step is lr * g / (|g| + eps) */
        MISTAKE(trusted_sq(1.0, &g[i], 1, 0.1, 1e-10, false, 0,
                           SLIP_SQ_NO_SQRT),
                "the step divides by the sum of squares, not its root");
        MISTAKE(trusted_sq(1.0, &g[i], 1, 0.1, 1e-10, false, 0, SLIP_SQ_AFTER),
                "the sum is updated after the step uses it (the first step "
                "then divides by eps)");
        MISTAKE(1.0 + 0.1 * g[i] / (fabs(g[i]) + 1e-10),
                "the step is added instead of subtracted");
        CHECK_NEAR(x[i], trusted_sq(1.0, &g[i], 1, 0.1, 1e-10, false, 0, 0),
                   TOL, SEE_ADAGRAD,
                   "x[%d] after one adagrad_step from 1 with g = %g, "
                   "lr = 0.1, eps = 1e-10 (about 1 - 0.1 * sign(g))",
                   i, g[i]);
    }
    adagrad_free(&s);
}

GRADED(adaptive, adagrad_steps_shrink_as_squared_gradients_add_up, 3) {
    /* eps = 0.01 is large on purpose: coordinate 1's gradients are about
     * 0.01, so where eps goes changes its steps by a factor of 2 or more. */
    enum { N = 2, STEPS = 3 };
    const double seq[N][STEPS] = {{2.0, -1.0, 3.0}, {0.01, 0.02, -0.005}};
    const AdagradConfig cfg = {.lr = 0.1, .eps = 0.01};
    AdagradState s;
    CHECK_INT(adagrad_init(&s, N), 0, SEE_ADAGRAD, "adagrad_init(&s, 2)");
    double x[N] = {0.5, -0.5};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adagrad_step(&s, x, g, &cfg);
    }
    CHECK_INT(s.t, STEPS, SEE_ADAGRAD, "s.t after three adagrad_steps");
    const double x0[N] = {0.5, -0.5};
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0,
                           SLIP_SQ_EPS_INSIDE),
                "eps is added inside the square root, sqrt(s + eps)");
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0,
                           SLIP_SQ_NO_EPS),
                "eps is left out");
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0,
                           SLIP_SQ_NO_SQRT),
                "the step divides by the sum of squares, not its root");
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0, SLIP_SQ_ABS),
                "|g| is accumulated instead of g^2");
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0,
                           SLIP_SQ_AFTER),
                "the sum is updated after the step uses it");
        MISTAKE(trusted_sq(x0[i], q, STEPS, 0.1, 0.01, true, 0.0, 0),
                "only the latest g^2 is used instead of the running sum");
        CHECK_NEAR(x[i],
                   trusted_sq(x0[i], q, STEPS, 0.1, 0.01, false, 0, 0), TOL,
                   SEE_ADAGRAD,
                   "x[%d] after 3 adagrad_steps from %g with g = %g, %g, %g; "
                   "lr = 0.1, eps = 0.01",
                   i, x0[i], q[0], q[1], q[2]);
    }
    adagrad_free(&s);
}

/* ---- RMSprop ---------------------------------------------------------- */

GRADED(adaptive, rmsprop_init_zeroes_the_state_and_free_clears_it, 1) {
    RmspropState s;
    memset(&s, GARBAGE, sizeof s);
    int rc = rmsprop_init(&s, 4);
    CHECK_INT(rc, 0, SEE_RMSPROP, "rmsprop_init(&s, 4) return value");
    CHECK(s.v != NULL && s.n == 4 && s.t == 0, SEE_RMSPROP,
          "after rmsprop_init(&s, 4): want v allocated, n = 4, t = 0; got "
          "v %s, n = %d, t = %ld",
          s.v ? "set" : "NULL", s.n, s.t);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(s.v[i], 0.0, 0.0, SEE_RMSPROP,
                   "v[%d] after rmsprop_init (calloc, not malloc)", i);
    rmsprop_free(&s);
    CHECK(s.v == NULL && s.n == 0 && s.t == 0, SEE_RMSPROP,
          "rmsprop_free must leave the struct zeroed: got v %s, n = %d, "
          "t = %ld",
          s.v ? "not NULL" : "NULL", s.n, s.t);
    memset(&s, GARBAGE, sizeof s);
    CHECK(rmsprop_init(&s, -2) == -1 && s.v == NULL && s.n == 0, SEE_RMSPROP,
          "rmsprop_init(&s, -2) must return -1 and leave *s zeroed");
}

GRADED(adaptive, rmsprop_first_step_is_lr_over_sqrt_one_minus_beta, 2) {
    /* v = (1 - beta) g^2 after one step, so the step is
     * lr * g / (sqrt(1 - beta) |g| + eps): ten times lr at beta = 0.99. */
    RmspropState s;
    CHECK_INT(rmsprop_init(&s, 2), 0, SEE_RMSPROP, "rmsprop_init(&s, 2)");
    const RmspropConfig cfg = {.lr = 0.01, .beta = 0.99, .eps = 1e-8};
    double x[2] = {0.0, 0.0};
    const double g[2] = {4.0, -0.5};
    rmsprop_step(&s, x, g, &cfg);
    CHECK_INT(s.t, 1, SEE_RMSPROP, "s.t after one rmsprop_step");
    for (int i = 0; i < 2; i++) {
        MISTAKE(trusted_sq(0, &g[i], 1, 0.01, 1e-8, true, 0.99,
                           SLIP_SQ_START_AT_G2),
                "v is g^2 after the first step: it starts at g^2, is "
                "bias-corrected or is summed (RMSprop starts v at 0 and "
                "averages, with no bias correction)");
        MISTAKE(trusted_sq(0, &g[i], 1, 0.01, 1e-8, true, 0.99,
                           SLIP_SQ_SWAPPED),
                "beta and 1 - beta are swapped in the average");
        MISTAKE(trusted_sq(0, &g[i], 1, 0.01, 1e-8, true, 0.99,
                           SLIP_SQ_NO_SQRT),
                "the step divides by v, not sqrt(v)");
        MISTAKE(trusted_sq(0, &g[i], 1, 0.01, 1e-8, true, 0.99,
                           SLIP_SQ_AFTER),
                "v is updated after the step uses it");
        CHECK_NEAR(x[i], trusted_sq(0, &g[i], 1, 0.01, 1e-8, true, 0.99, 0),
                   TOL, SEE_RMSPROP,
                   "x[%d] after one rmsprop_step from 0 with g = %g, "
                   "lr = 0.01, beta = 0.99 (about -0.1 * sign(g))",
                   i, g[i]);
    }
    rmsprop_free(&s);
}

GRADED(adaptive, rmsprop_averages_squared_gradients, 2) {
    enum { N = 2, STEPS = 4 };
    const double seq[N][STEPS] = {{1.0, 3.0, -2.0, 0.5},
                                  {0.02, -0.01, 0.03, 0.01}};
    const double lr = 0.05, beta = 0.9, eps = 0.01; /* eps large on purpose */
    const RmspropConfig cfg = {.lr = lr, .beta = beta, .eps = eps};
    RmspropState s;
    CHECK_INT(rmsprop_init(&s, N), 0, SEE_RMSPROP, "rmsprop_init(&s, 2)");
    double x[N] = {1.0, 2.0};
    const double x0[N] = {1.0, 2.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        rmsprop_step(&s, x, g, &cfg);
    }
    CHECK_INT(s.t, STEPS, SEE_RMSPROP, "s.t after four rmsprop_steps");
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_sq(x0[i], q, STEPS, lr, eps, true, beta,
                           SLIP_SQ_EPS_INSIDE),
                "eps is added inside the square root, sqrt(v + eps)");
        MISTAKE(trusted_sq(x0[i], q, STEPS, lr, eps, true, beta,
                           SLIP_SQ_NO_EPS),
                "eps is left out");
        MISTAKE(trusted_sq(x0[i], q, STEPS, lr, eps, true, beta,
                           SLIP_SQ_SWAPPED),
                "beta and 1 - beta are swapped in the average");
        MISTAKE(trusted_sq(x0[i], q, STEPS, lr, eps, true, beta, SLIP_SQ_SUM),
                "g^2 is summed as in Adagrad instead of averaged");
        MISTAKE(trusted_sq(x0[i], q, STEPS, lr, eps, true, beta,
                           SLIP_SQ_AFTER),
                "v is updated after the step uses it");
        CHECK_NEAR(x[i], trusted_sq(x0[i], q, STEPS, lr, eps, true, beta, 0),
                   TOL, SEE_RMSPROP,
                   "x[%d] after 4 rmsprop_steps from %g with g = %g, %g, %g, "
                   "%g; lr = 0.05, beta = 0.9, eps = 0.01",
                   i, x0[i], q[0], q[1], q[2], q[3]);
    }
    rmsprop_free(&s);
}

/* ---- Adam ------------------------------------------------------------- */

GRADED(adaptive, adam_init_zeroes_the_state_and_free_clears_it, 1) {
    AdamState s;
    memset(&s, GARBAGE, sizeof s);
    int rc = adam_init(&s, 5);
    CHECK_INT(rc, 0, SEE_ADAM, "adam_init(&s, 5) return value");
    CHECK(s.m && s.v && s.v_max && s.n == 5 && s.t == 0, SEE_ADAM,
          "after adam_init(&s, 5): want m, v, v_max allocated, n = 5, "
          "t = 0; got m %s, v %s, v_max %s, n = %d, t = %ld",
          s.m ? "set" : "NULL", s.v ? "set" : "NULL",
          s.v_max ? "set" : "NULL", s.n, s.t);
    for (int i = 0; i < 5; i++)
        CHECK(s.m[i] == 0.0 && s.v[i] == 0.0 && s.v_max[i] == 0.0, SEE_ADAM,
              "m[%d], v[%d], v_max[%d] after adam_init: want 0, got %g, %g, "
              "%g (calloc, not malloc)",
              i, i, i, s.m[i], s.v[i], s.v_max[i]);
    adam_free(&s);
    CHECK(!s.m && !s.v && !s.v_max && s.n == 0 && s.t == 0, SEE_ADAM,
          "adam_free must leave the struct zeroed: got m %s, v %s, v_max "
          "%s, n = %d, t = %ld",
          s.m ? "not NULL" : "NULL", s.v ? "not NULL" : "NULL",
          s.v_max ? "not NULL" : "NULL", s.n, s.t);
    memset(&s, GARBAGE, sizeof s);
    CHECK(adam_init(&s, 0) == -1 && !s.m && !s.v && !s.v_max && s.n == 0,
          SEE_ADAM, "adam_init(&s, 0) must return -1 and leave *s zeroed");
}

GRADED(adaptive, adam_first_step_is_lr_against_the_sign_of_g, 2) {
    /* mhat = g and vhat = g^2 after one step, whatever the scale of g. */
    enum { N = 3 };
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAM, "adam_init(&s, 3)");
    double x[N] = {0.0, 0.0, 0.0};
    const double g[N] = {1e-3, -1.0, 1e3};
    adam_step(&s, x, g, &cfg);
    CHECK(isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]), SEE_ADAM,
          "x after the first adam_step is (%g, %g, %g), not finite: the "
          "step counter must be 1 on the first step (increment s->t before "
          "computing 1 - beta^t; with t = 0 the bias corrections divide by "
          "0)",
          x[0], x[1], x[2]);
    CHECK_INT(s.t, 1, SEE_ADAM, "s.t after one adam_step");
    for (int i = 0; i < N; i++) {
        const double *q = &g[i];
        MISTAKE(trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_NO_BIAS_CORRECTION),
                "the bias corrections are missing");
        MISTAKE(trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BIAS_M_ONLY),
                "only m is bias-corrected (v needs 1 / (1 - beta2^t) too)");
        MISTAKE(trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BIAS_V_ONLY),
                "only v is bias-corrected (m needs 1 / (1 - beta1^t) too)");
        MISTAKE(trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_T_PLUS_ONE),
                "the first step uses t = 2: t starts at 1 and is incremented "
                "before use (start at 0)");
        MISTAKE(trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BETAS_SWAPPED),
                "beta1 and beta2 are swapped");
        MISTAKE(0.1 * g[i] / (fabs(g[i]) + 1e-8),
                "the step is added instead of subtracted");
        CHECK_NEAR(x[i],
                   trusted_adam(0, 1, q, 0, &cfg, DECAY_NONE, false, 0), TOL,
                   SEE_ADAM,
                   "x[%d] after one adam_step from 0 with g = %g, lr = 0.1, "
                   "default betas and eps (about -0.1 * sign(g))",
                   i, g[i]);
    }
    adam_free(&s);
}

GRADED(adaptive, adam_bias_correction_follows_the_step_count, 3) {
    /* Gradients that change size and sign, so that every t-dependent slip
     * moves x by a different amount within four steps. */
    enum { N = 2, STEPS = 4 };
    const double seq[N][STEPS] = {{1.0, -0.5, 2.0, 0.25},
                                  {-3.0, -3.0, 1.0, -2.0}};
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAM, "adam_init(&s, 2)");
    double x[N] = {0.0, 1.0};
    const double x0[N] = {0.0, 1.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adam_step(&s, x, g, &cfg);
    }
    CHECK_INT(s.t, STEPS, SEE_ADAM,
              "s.t after four adam_steps (each step increments t once)");
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_NO_BIAS_CORRECTION),
                "the bias corrections are missing");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_T_PLUS_ONE),
                "t is one ahead (t = 2 on the first step)");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_T_FROZEN),
                "t is never incremented (the corrections use t = 1 on every "
                "step)");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BIAS_M_ONLY),
                "only m is bias-corrected");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BIAS_V_ONLY),
                "only v is bias-corrected");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_BETAS_SWAPPED),
                "beta1 and beta2 are swapped");
        CHECK_NEAR(x[i],
                   trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false,
                                0),
                   TOL, SEE_ADAM,
                   "x[%d] after 4 adam_steps from %g with g = %g, %g, %g, "
                   "%g; lr = 0.1, default betas and eps",
                   i, x0[i], q[0], q[1], q[2], q[3]);
    }
    adam_free(&s);
}

GRADED(adaptive, adam_adds_eps_outside_the_square_root, 2) {
    /* eps = 0.1 against sqrt(vhat) of 0.02 to 3: eps's place matters. */
    enum { N = 2, STEPS = 3 };
    const double seq[N][STEPS] = {{0.05, 0.02, -0.04}, {2.0, 1.0, 3.0}};
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    cfg.eps = 0.1;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAM, "adam_init(&s, 2)");
    double x[N] = {0.0, 0.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adam_step(&s, x, g, &cfg);
    }
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_EPS_INSIDE),
                "eps is added inside the square root, sqrt(vhat + eps)");
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_EPS_HAT),
                "eps is added to sqrt(v) before the bias correction of v");
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, false,
                             SLIP_NO_EPS),
                "eps is left out");
        CHECK_NEAR(x[i],
                   trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, false, 0),
                   TOL, SEE_ADAM,
                   "x[%d] after 3 adam_steps from 0 with g = %g, %g, %g; "
                   "lr = 0.1, eps = 0.1, default betas",
                   i, q[0], q[1], q[2]);
    }
    adam_free(&s);
}

//> notes_run_test
GRADED(adaptive, adam_reproduces_the_source_notes_run, 3) {
    /* theta = 0, loss (theta - 3)^2, lr 0.01, PyTorch's defaults, 100
     * steps. The notes print 0.9375530481 (float32); double gives
     * 0.9375536000. The tolerance accepts both and nothing else. */
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    AdamState s;
    CHECK_INT(adam_init(&s, 1), 0, SEE_ADAM, "adam_init(&s, 1)");
    double theta = 0.0;
    for (int k = 0; k < 100; k++) {
        const double g = 2.0 * (theta - 3.0);
        adam_step(&s, &theta, &g, &cfg);
    }
    adam_free(&s);
    const unsigned slips[5] = {SLIP_NO_BIAS_CORRECTION, SLIP_T_PLUS_ONE,
                               SLIP_T_FROZEN, SLIP_BIAS_M_ONLY,
                               SLIP_BIAS_V_ONLY};
    const char *causes[5] = {
        "the bias corrections are missing",
        "t is one ahead (t = 2 on the first step)",
        "t is never incremented (t = 1 on every step)",
        "only m is bias-corrected", "only v is bias-corrected"};
    for (int k = 0; k < 5; k++)
        MISTAKE(trusted_adam(0, 100, NULL, 2.0, &cfg, DECAY_NONE, false,
                             slips[k]),
                causes[k]);
    CHECK_NEAR(theta, 0.9375536000, 1e-6, SEE_NOTES,
               "theta after 100 adam_steps on (theta - 3)^2 from 0, "
               "lr = 0.01, betas (0.9, 0.999), eps = 1e-8");
}
//< notes_run_test

GRADED(adaptive, adam_weight_decay_is_an_l2_term_in_the_gradient, 2) {
    /* In coordinate 1 the L2 term flips the gradient's sign (0.05 - 0.1),
     * so coupled and decoupled decay move it in opposite directions. */
    enum { N = 2, STEPS = 3 };
    const double seq[N][STEPS] = {{0.5, 0.3, -0.1}, {0.05, 0.08, 0.02}};
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    cfg.weight_decay = 0.1;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAMW, "adam_init(&s, 2)");
    double x[N] = {2.0, -1.0};
    const double x0[N] = {2.0, -1.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adam_step(&s, x, g, &cfg);
    }
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_DECOUPLED,
                             false, 0),
                "adam_step applies AdamW's decoupled decay (adam_step's "
                "weight_decay is L2: add weight_decay * x to g)");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false, 0),
                "weight_decay is ignored");
        CHECK_NEAR(x[i],
                   trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_L2, false, 0),
                   TOL, SEE_ADAMW,
                   "x[%d] after 3 adam_steps from %g with g = %g, %g, %g; "
                   "lr = 0.01, weight_decay = 0.1 (L2), default betas, eps",
                   i, x0[i], q[0], q[1], q[2]);
    }
    adam_free(&s);
}

/* ---- AdamW ------------------------------------------------------------ */

GRADED(adaptive, adamw_shrinks_x_by_lr_times_decay_when_g_is_zero, 3) {
    /* With g = 0, m and v stay 0 and Adam's step is 0 / (0 + eps) = 0:
     * only the decay acts, x <- (1 - lr wd) x, ten times. */
    enum { N = 2, STEPS = 10 };
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.01;
    cfg.weight_decay = 0.5;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAMW, "adam_init(&s, 2)");
    double x[N] = {1.0, -2.0};
    const double x0[N] = {1.0, -2.0};
    const double zeros[STEPS] = {0};
    for (int k = 0; k < STEPS; k++)
        adamw_step(&s, x, zeros, &cfg);
    CHECK_INT(s.t, STEPS, SEE_ADAMW, "s.t after ten adamw_steps");
    for (int i = 0; i < N; i++) {
        MISTAKE(x0[i] * pow(1.0 - 0.5, STEPS),
                "the decay is not multiplied by lr (x -= wd * x instead of "
                "x -= lr * wd * x)");
        MISTAKE(trusted_adam(x0[i], STEPS, zeros, 0, &cfg, DECAY_L2, false,
                             0),
                "the decay is added to the gradient as an L2 term (that is "
                "Adam's weight_decay, not AdamW's)");
        MISTAKE(x0[i], "the decay is never applied");
        CHECK_NEAR(x[i], x0[i] * pow(1.0 - 0.01 * 0.5, STEPS), TOL,
                   SEE_ADAMW,
                   "x[%d] after 10 adamw_steps from %g with g = 0, "
                   "lr = 0.01, weight_decay = 0.5 (want x0 (1 - lr wd)^10)",
                   i, x0[i]);
    }
    adam_free(&s);
}

GRADED(adaptive, adamw_decays_the_x_the_gradient_was_taken_at, 2) {
    /* Large lr and decay, so that decaying before or after the Adam step
     * differ by lr * wd * (Adam's step) = 5e-3 per step. */
    enum { N = 2, STEPS = 3 };
    const double seq[N][STEPS] = {{1.0, 0.5, -1.0}, {-0.2, 0.4, 0.1}};
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    cfg.weight_decay = 0.5;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_ADAMW, "adam_init(&s, 2)");
    double x[N] = {1.5, -0.5};
    const double x0[N] = {1.5, -0.5};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adamw_step(&s, x, g, &cfg);
    }
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_DECOUPLED,
                             false, SLIP_DECAY_AFTER),
                "the decay is applied after the Adam step, to the new x "
                "(decay the x at which g was computed)");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_L2, false, 0),
                "the decay is added to the gradient as an L2 term");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_DECOUPLED,
                             false, SLIP_DECAY_NO_LR),
                "the decay is not multiplied by lr");
        MISTAKE(trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_NONE, false, 0),
                "the decay is never applied");
        CHECK_NEAR(x[i],
                   trusted_adam(x0[i], STEPS, q, 0, &cfg, DECAY_DECOUPLED,
                                false, 0),
                   TOL, SEE_ADAMW,
                   "x[%d] after 3 adamw_steps from %g with g = %g, %g, %g; "
                   "lr = 0.1, weight_decay = 0.5, default betas, eps",
                   i, x0[i], q[0], q[1], q[2]);
    }
    adam_free(&s);
}

/* ---- AMSGrad ---------------------------------------------------------- */

GRADED(adaptive, amsgrad_keeps_the_largest_second_moment, 2) {
    /* A large first gradient, then small ones: v decays, v_max does not. */
    enum { N = 2, STEPS = 4 };
    const double seq[N][STEPS] = {{1.0, 0.01, 0.01, 0.01},
                                  {-2.0, -0.1, 0.5, 0.01}};
    AdamConfig cfg = ADAM_DEFAULTS;
    cfg.lr = 0.1;
    AdamState s;
    CHECK_INT(adam_init(&s, N), 0, SEE_AMSGRAD, "adam_init(&s, 2)");
    double x[N] = {0.0, 0.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        amsgrad_step(&s, x, g, &cfg);
    }
    CHECK_INT(s.t, STEPS, SEE_AMSGRAD, "s.t after four amsgrad_steps");
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, false, 0),
                "v_max is not used: this is plain Adam");
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, true,
                             SLIP_MAX_OF_VHAT),
                "the max is taken over the bias-corrected vhat (keep the max "
                "of the raw v, then correct it as PyTorch does)");
        MISTAKE(trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, true,
                             SLIP_NO_BIAS_CORRECTION),
                "the bias corrections are missing");
        CHECK_NEAR(x[i], trusted_adam(0, STEPS, q, 0, &cfg, DECAY_NONE, true,
                                      0),
                   TOL, SEE_AMSGRAD,
                   "x[%d] after 4 amsgrad_steps from 0 with g = %g, %g, %g, "
                   "%g; lr = 0.1, default betas and eps",
                   i, q[0], q[1], q[2], q[3]);
    }
    adam_free(&s);
}

/* ---- Adadelta --------------------------------------------------------- */

/* One coordinate of Adadelta; eps_outside and u_with_g2 are the slips. */
static double trusted_adadelta(double x, const double *g, int steps,
                               const AdadeltaConfig *c, bool eps_outside,
                               bool u_with_g2) {
    double v = 0, u = 0;
    for (int k = 0; k < steps; k++) {
        v = c->rho * v + (1 - c->rho) * g[k] * g[k];
        double d = sqrt(u + c->eps) / sqrt(v + c->eps) * g[k];
        if (eps_outside) d = (sqrt(u) + c->eps) / (sqrt(v) + c->eps) * g[k];
        double d2 = u_with_g2 ? g[k] * g[k] : d * d;
        u = c->rho * u + (1 - c->rho) * d2;
        x -= c->lr * d;
    }
    return x;
}

GRADED(adaptive, adadelta_init_and_steps_follow_zeilers_rule, 2) {
    enum { N = 2, STEPS = 3 };
    const double seq[N][STEPS] = {{1.0, 2.0, -1.0}, {-0.3, 0.1, 0.2}};
    const AdadeltaConfig cfg = {.lr = 0.5, .rho = 0.9, .eps = 1e-2};
    AdadeltaState s;
    memset(&s, GARBAGE, sizeof s);
    CHECK_INT(adadelta_init(&s, N), 0, SEE_ADADELTA, "adadelta_init(&s, 2)");
    CHECK(s.v && s.u && s.n == N && s.t == 0 && s.v[0] == 0 && s.v[1] == 0 &&
              s.u[0] == 0 && s.u[1] == 0,
          SEE_ADADELTA,
          "after adadelta_init(&s, 2): want v and u allocated and zero, "
          "n = 2, t = 0");
    double x[N] = {0.0, 0.0};
    for (int k = 0; k < STEPS; k++) {
        double g[N] = {seq[0][k], seq[1][k]};
        adadelta_step(&s, x, g, &cfg);
    }
    CHECK_INT(s.t, STEPS, SEE_ADADELTA, "s.t after three adadelta_steps");
    for (int i = 0; i < N; i++) {
        const double *q = seq[i];
        AdadeltaConfig lr_one = cfg;
        lr_one.lr = 1.0;
        MISTAKE(trusted_adadelta(0, q, STEPS, &cfg, true, false),
                "eps is added outside the square roots (Adadelta puts it "
                "inside both)");
        MISTAKE(trusted_adadelta(0, q, STEPS, &cfg, false, true),
                "u averages g^2 instead of the squared steps d^2");
        MISTAKE(trusted_adadelta(0, q, STEPS, &lr_one, false, false),
                "lr is ignored");
        CHECK_NEAR(x[i], trusted_adadelta(0, q, STEPS, &cfg, false, false),
                   TOL, SEE_ADADELTA,
                   "x[%d] after 3 adadelta_steps from 0 with g = %g, %g, %g; "
                   "lr = 0.5, rho = 0.9, eps = 0.01",
                   i, q[0], q[1], q[2]);
    }
    adadelta_free(&s);
    CHECK(!s.v && !s.u && s.n == 0 && s.t == 0, SEE_ADADELTA,
          "adadelta_free must leave the struct zeroed");
}
