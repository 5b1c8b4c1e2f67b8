/* tests/held/momentum.c: chapter 3, momentum -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check draws instances from what include/momentum.h promises (states
 * of every size, moving or at rest, whose steps are taken several in a row
 * with the configuration changed between them; runs of every method that
 * end each way a run can end; Polyak's tuning for any 0 < mu <= L) and
 * compares the student's results with the reference solution's. The
 * objectives of the runs are the judge's own diagonal quadratics, whose
 * gradient norms along a run the judge computes, so that a stopping
 * threshold is never drawn where two correct implementations could round
 * to different sides of it. */
#include "momentum.h"
#include "held.h"

#include <stdio.h>
#include <string.h>

#define SEE_EMA "chapter 3, section 3.2 'The moving-average form'"
#define SEE_HEAVY "chapter 3, section 3.3 'The heavy ball'"
#define SEE_NESTEROV "chapter 3, section 3.4 'Nesterov momentum'"
#define SEE_RUN "chapter 3, section 3.5 'Running momentum'"
#define SEE_TUNED "chapter 3, section 3.8 'Why momentum wins'"

/* "(1.5, -2, 0.333333333, ... 64 values)": the first 8 of v[n], to 9
 * digits. A check's message holds at most GRADING_MSG_MAX characters and
 * must keep room for the two values it compares and the seed, which
 * replays the instance exactly. */
static const char *brief(const double *v, int n) {
    static char text[6][200];
    static int which;
    char *out = text[which++ % 6];
    size_t used = (size_t)snprintf(out, 200, "(");
    for (int i = 0; i < n && i < 8; i++)
        used += (size_t)snprintf(out + used, 200 - used, "%s%.9g",
                                 i ? ", " : "", v[i]);
    if (n > 8)
        used += (size_t)snprintf(out + used, 200 - used, ", ... %d values", n);
    snprintf(out + used, 200 - used, ")");
    return out;
}

/* ------------------------------------------------------------------------
 * The state's life cycle */

HELD(held_momentum, init_and_free_match_the_reference, 1) {
    /* one coordinate, many, none and fewer than none; a state used, freed
     * (twice) and made again, where an allocator hands back the old block */
    enum { N = 64 };
    for (int c = 0; c < 4; c++) {
        int n = c == 0   ? 1
                : c == 1 ? held_int(2, N)
                : c == 2 ? 0
                         : -held_int(1, N);
        MomentumState s, sr;
        for (int life = 1; life <= 2; life++) {
            int rc = STUDENT(momentum_init(&s, n));
            int rc_r = REFERENCE(momentum_init(&sr, n));
            HELD_INT(rc, rc_r, SEE_RUN,
                     "the value of momentum_init(&s, n=%d) (life %d of the "
                     "state)",
                     n, life);
            HELD_CHECK((s.v == NULL) == (sr.v == NULL) && s.n == sr.n &&
                           s.t == sr.t,
                       SEE_RUN,
                       "after momentum_init(&s, n=%d) (life %d of the "
                       "state): got v %s, n=%d, t=%ld; the reference "
                       "solution gives v %s, n=%d, t=%ld",
                       n, life, s.v ? "allocated" : "NULL", s.n, s.t,
                       sr.v ? "allocated" : "NULL", sr.n, sr.t);
            for (int i = 0; s.v && i < s.n; i++)
                HELD_NEAR(s.v[i], sr.v[i], 0.0, SEE_RUN,
                          "v[%d] after momentum_init(&s, n=%d) (life %d of "
                          "the state): the ball starts at rest",
                          i, n, life);
            if (rc_r != 0) break;
            /* set the ball moving, so that the freed block holds a velocity */
            double x[N], g[N];
            held_vector(x, n, -1.0, 1.0);
            held_vector(g, n, -10.0, 10.0);
            const MomentumConfig cfg = {.lr = 0.1, .beta = 0.9};
            STUDENT(heavy_ball_step(&s, x, g, &cfg));
            REFERENCE(heavy_ball_step(&sr, x, g, &cfg));
            for (int twice = 1; twice <= 2; twice++) {
                STUDENT(momentum_free(&s));
                REFERENCE(momentum_free(&sr));
                HELD_CHECK(s.v == NULL && s.n == 0 && s.t == 0, SEE_RUN,
                           "after momentum_free (%s time) of a state of "
                           "n=%d: got v %s, n=%d, t=%ld; want v NULL, n=0, "
                           "t=0",
                           twice == 1 ? "first" : "second", n,
                           s.v ? "not NULL" : "NULL", s.n, s.t);
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * Steps, several in a row */

typedef void StepFn(MomentumState *, double *, const double *,
                    const MomentumConfig *);

/* For each of three states (one coordinate and a moving ball; many and a
 * moving ball from any t; many at rest, as momentum_init leaves them), six
 * steps in a row with the state carried, a new gradient and a new lr and
 * beta at every step, one of them beta = 0. After each step: t, v and x.
 *
 * Tolerances: correct orderings of the update (tests/mistakes has them)
 * round each step's v by a few units of |v_old| + |g| and its x by a few
 * units of |x| + lr (|g| + |v_old| + |v_new|); the velocity's earlier
 * errors are damped by beta < 1 and passed to x through lr. The bounds
 * below add 1e-14 of those sizes per step: the orderings of tests/mistakes
 * stay within 1/65 of them (seeds 1-300), and any slip in a formula moves
 * v or x by a good part of a step. */
static void check_steps(StepFn *step, const char *name, const char *see) {
    enum { N = 64, STEPS = 6 };
    for (int c = 0; c < 3; c++) {
        int n = c == 0 ? 1 : held_int(2, N);
        double v[N] = {0}, vr[N], x[N] = {0}, xr[N], g[N];
        double v0[N], x0[N], size_v[N] = {0}, size_x[N] = {0};
        if (c < 2) held_vector(v, n, -10.0, 10.0);
        long t = c < 2 ? held_int(0, 1000000) : 0;
        memcpy(vr, v, sizeof vr);
        held_vector(x, n, -10.0, 10.0);
        memcpy(xr, x, sizeof xr);
        MomentumState s = {v, n, t}, sr = {vr, n, t};
        int at_zero = held_int(1, STEPS); /* the step with beta = 0 */
        for (int k = 1; k <= STEPS; k++) {
            const MomentumConfig cfg = {
                .lr = held_log_uniform(1e-3, 1.0),
                .beta = k == at_zero ? 0.0 : held_uniform(0.0, 0.999)};
            held_vector(g, n, -10.0, 10.0);
            memcpy(v0, vr, sizeof v0);
            memcpy(x0, xr, sizeof x0);
            long t0 = sr.t;
            STUDENT(step(&s, x, g, &cfg));
            REFERENCE(step(&sr, xr, g, &cfg));
            char what[3000];
            snprintf(what, sizeof what,
                     "%s %d in a row (n=%d, lr=%.17g, beta=%.17g) from "
                     "x=%s, v=%s, t=%ld, with grad=%s",
                     name, k, n, cfg.lr, cfg.beta, brief(x0, n), brief(v0, n),
                     t0, brief(g, n));
            HELD_INT(s.t, sr.t, see, "t after %s", what);
            for (int i = 0; i < n; i++) {
                size_v[i] =
                    fmax(size_v[i], fabs(v0[i]) + fabs(g[i]) + fabs(vr[i]));
                size_x[i] += fabs(x0[i]) + fabs(xr[i]) +
                             cfg.lr * (fabs(g[i]) + fabs(v0[i]) + fabs(vr[i]) +
                                       k * size_v[i]);
                HELD_NEAR(v[i], vr[i], 1e-14 * k * size_v[i], see,
                          "v[%d] after %s", i, what);
                HELD_NEAR(x[i], xr[i], 1e-14 * size_x[i], see, "x[%d] after %s",
                          i, what);
            }
        }
    }
}

HELD(held_momentum, ema_steps_match_the_reference, 2) {
    check_steps(momentum_ema_step, "momentum_ema_step", SEE_EMA);
}

HELD(held_momentum, heavy_ball_steps_match_the_reference, 2) {
    check_steps(heavy_ball_step, "heavy_ball_step", SEE_HEAVY);
}

HELD(held_momentum, nesterov_steps_match_the_reference, 2) {
    check_steps(nesterov_step, "nesterov_step", SEE_NESTEROV);
}

/* ------------------------------------------------------------------------
 * Whole runs */

enum { MAX_N = 8, MAX_STEPS = 150 };

/* f(x) = 1/2 sum_i l_i (x_i - c_i)^2, passed through ctx (held.h). */

static const char *const METHOD[3] = {"EMA", "heavy ball", "Nesterov"};

/* How a run ends, one of each for every method on every seed: by the step
 * budget after a few steps (the ball still moving when the next run
 * starts, which must start at rest), by the gradient test between two
 * steps, at once (already flat), by a longer budget with grad_tol 0, by
 * the budget with a threshold never reached, and from a start whose
 * gradient norm is exactly grad_tol (not below it: the run steps). A run
 * whose budget and gradient test would end it at the same step is never
 * drawn: the header leaves open which one stops it. */
typedef enum {
    SHORT_BUDGET,
    BY_TEST,
    AT_ONCE,
    BY_BUDGET,
    NOT_REACHED,
    AT_THE_BOUNDARY,
    N_ENDS
} RunEnd;
static const char *const RUN_END[N_ENDS] = {
    "ended by a budget of a few steps (grad_tol 0)",
    "stopped by the gradient test",
    "flat at the start",
    "ended by the step budget (grad_tol 0)",
    "ended by the step budget (grad_tol not reached)",
    "started with a gradient norm of exactly grad_tol"};

/* The judge's own run of cfg's method on b from x0 for MAX_STEPS steps,
 * written as the header gives each step: the gradient norm at each x_k,
 * and the largest |x_k,i| on the way. */
static double simulate(double norms[MAX_STEPS + 1], const HeldBowl *b,
                       const double *x0, const MomentumRunConfig *cfg) {
    double x[MAX_N], v[MAX_N] = {0}, g[MAX_N], largest = 0.0;
    const double lr = cfg->step.lr, beta = cfg->step.beta;
    memcpy(x, x0, sizeof x);
    for (int k = 0; k <= MAX_STEPS; k++) {
        held_bowl_grad(g, x, (void *)b);
        double s = 0.0;
        for (int i = 0; i < b->n; i++) {
            s += g[i] * g[i];
            largest = fmax(largest, fabs(x[i]));
        }
        norms[k] = sqrt(s);
        for (int i = 0; i < b->n; i++) {
            if (cfg->method == MOMENTUM_EMA) {
                v[i] = beta * v[i] + (1.0 - beta) * g[i];
                x[i] -= lr * v[i];
            } else if (cfg->method == MOMENTUM_HEAVY_BALL) {
                v[i] = beta * v[i] + g[i];
                x[i] -= lr * v[i];
            } else {
                v[i] = beta * v[i] + g[i];
                x[i] -= lr * (g[i] + beta * v[i]);
            }
        }
    }
    return largest;
}

/* A learning rate at u of the method's stability limit on the stiffest
 * coordinate, lr l < 2 (1 + beta) for the heavy ball, that over (1 - beta)
 * for the EMA form, and 2 (1 + beta) / (1 + 2 beta) for Nesterov. */
static double stable_lr(MomentumMethod m, double beta, double lmax, double u) {
    double limit = 2.0 * (1.0 + beta) / lmax;
    if (m == MOMENTUM_EMA) limit /= 1.0 - beta;
    if (m == MOMENTUM_NESTEROV) limit /= 1.0 + 2.0 * beta;
    return u * limit;
}

/* cfg for a run of `end` with method m on b from x0, from the judge's own
 * run: a threshold is the geometric mean of a gradient norm that is a new
 * smallest by 1e-4 of itself and the smallest before it (the float norms
 * of a correct implementation are off by ~1e-7), so the run stops exactly
 * there; at the boundary, the norm at x0 is exact (boundary_bowl), and
 * every later one up to the run's end is 1e-4 of it away from it. Says in
 * *by_test whether the gradient test ends the run; returns the largest
 * |x_k,i| of the judge's run. */
static double draw_run(MomentumRunConfig *cfg, bool *by_test, RunEnd end,
                       MomentumMethod m, const HeldBowl *b, const double *x0) {
    static double norms[MAX_STEPS + 1];
    double lmax = 0.0;
    for (int i = 0; i < b->n; i++)
        lmax = fmax(lmax, b->l[i]);
    for (int attempt = 0;; attempt++) {
        double beta = held_uniform(0.0, 0.9);
        *cfg = (MomentumRunConfig){
            .method = m,
            .step = {.lr = stable_lr(m, beta, lmax, held_uniform(0.05, 0.9)),
                     .beta = beta},
            .max_steps = held_int(1, MAX_STEPS),
            .grad_tol = 0.0};
        double largest = simulate(norms, b, x0, cfg);
        *by_test = end == BY_TEST || end == AT_ONCE;
        if (end == SHORT_BUDGET) cfg->max_steps = held_int(1, 3);
        if (end == AT_ONCE) cfg->grad_tol = norms[0] * held_uniform(1.01, 3.0);
        if (end == NOT_REACHED) {
            double smallest = norms[0];
            for (int k = 1; k <= cfg->max_steps; k++)
                smallest = fmin(smallest, norms[k]);
            cfg->grad_tol = smallest * held_uniform(0.1, 0.9);
        }
        if (end == AT_THE_BOUNDARY) {
            const double tol = norms[0];
            int s = 1; /* the first step whose norm is below tol, if any */
            while (s <= MAX_STEPS && norms[s] >= tol)
                s++;
            bool clear = true;
            for (int k = 1; k <= s && k <= MAX_STEPS; k++)
                clear = clear && fabs(norms[k] - tol) > 1e-4 * tol;
            if (!clear && attempt < 100) continue;
            if (!clear)
                judge_fail("held-back check: no run of %s leaves the "
                           "boundary clearly (the judge's draw)",
                           METHOD[m]);
            cfg->grad_tol = tol;
            *by_test = s < MAX_STEPS;
            cfg->max_steps = *by_test ? s + held_int(1, MAX_STEPS - s)
                                      : held_int(1, MAX_STEPS - 1);
            return largest;
        }
        if (end != BY_TEST) return largest;
        int stops[MAX_STEPS], count = 0;
        double smallest = norms[0];
        for (int k = 1; k < MAX_STEPS; k++) {
            if (norms[k] * (1 + 1e-4) < smallest) stops[count++] = k;
            smallest = fmin(smallest, norms[k]);
        }
        if (count == 0 && attempt < 100) continue; /* another lr and beta */
        if (count == 0)
            judge_fail("held-back check: no run of %s stops by the gradient "
                       "test (the judge's draw)",
                       METHOD[m]);
        int k = stops[held_int(0, count - 1)];
        double before = norms[0];
        for (int j = 1; j < k; j++)
            before = fmin(before, norms[j]);
        cfg->grad_tol = sqrt(norms[k] * before); /* stops at step k */
        cfg->max_steps = k + held_int(1, MAX_STEPS - k);
        return largest;
    }
}

/* A held_bowl of one coordinate whose gradient at x0 is g = +-m 2^e, m odd
 * below 64: l a power of 2 and c a multiple of 1/64, so that x0 - c and
 * l (x0 - c) are exact, and g^2 is exact even in float. Its norm is then
 * |g| exactly, however a correct implementation computes it. */
static HeldBowl boundary_bowl(double *x0) {
    HeldBowl b = {.n = 1};
    b.l[0] = ldexp(1.0, held_int(-3, 3));
    b.c[0] = held_int(-320, 320) / 64.0;
    double g = (2 * held_int(0, 31) + 1) * ldexp(1.0, held_int(-4, 2));
    x0[0] = b.c[0] + (held_coin(0.5) ? g : -g) / b.l[0];
    return b;
}

static HeldBowl draw_bowl(void) {
    HeldBowl b = {.n = held_int(1, MAX_N)};
    for (int i = 0; i < b.n; i++) {
        b.l[i] = held_log_uniform(0.1, 10.0);
        b.c[i] = held_uniform(-5.0, 5.0);
    }
    return b;
}

HELD(held_momentum, run_matches_the_reference_for_every_method_and_ending, 5) {
    static double traj[(MAX_STEPS + 1) * MAX_N],
        traj_r[(MAX_STEPS + 1) * MAX_N];
    for (MomentumMethod m = MOMENTUM_EMA; m <= MOMENTUM_NESTEROV; m++)
        for (RunEnd end = 0; end < N_ENDS; end++) {
            double x0[MAX_N] = {0};
            HeldBowl b;
            if (end == AT_THE_BOUNDARY)
                b = boundary_bowl(x0);
            else {
                b = draw_bowl();
                held_vector(x0, b.n, -10.0, 10.0);
            }
            const Objective obj = {held_bowl, held_bowl_grad, &b, b.n};
            MomentumRunConfig cfg;
            bool stopped;
            double largest = draw_run(&cfg, &stopped, end, m, &b, x0);
            /* the trajectory on every other run; *converged NULL on one
             * (the header allows both), else holding the wrong answer */
            bool record = (m + end) % 2 == 0;
            bool ask = !(end == BY_BUDGET && m == MOMENTUM_NESTEROV);
            bool conv = !stopped, conv_r = !stopped;
            double xs[MAX_N], xr[MAX_N];
            memcpy(xs, x0, sizeof xs);
            memcpy(xr, x0, sizeof xr);
            int steps = STUDENT(momentum_run(
                xs, &obj, &cfg, record ? traj : NULL, ask ? &conv : NULL));
            int steps_r = REFERENCE(momentum_run(
                xr, &obj, &cfg, record ? traj_r : NULL, ask ? &conv_r : NULL));
            char setting[2000];
            snprintf(setting, sizeof setting,
                     "momentum_run of the %s %s on 1/2 sum l_i (x_i - c_i)^2 "
                     "with n=%d, l=%s, c=%s, from x0=%s, lr=%.17g, "
                     "beta=%.17g, max_steps=%d, grad_tol=%.17g, trajectory "
                     "%s, converged %s",
                     METHOD[m], RUN_END[end], b.n, brief(b.l, b.n),
                     brief(b.c, b.n), brief(x0, b.n), cfg.step.lr,
                     cfg.step.beta, cfg.max_steps, cfg.grad_tol,
                     record ? "given" : "NULL", ask ? "given" : "NULL");
            HELD_INT(steps, steps_r, SEE_RUN, "the steps of %s", setting);
            if (ask)
                HELD_INT(conv, conv_r, SEE_RUN, "*converged after %s", setting);
            /* correct orderings of a step differ by ~1e-16 of the sizes
             * on the way, and a stable run of <= 150 steps with beta <=
             * 0.9 keeps them small: the orderings of tests/mistakes end
             * within 1.6e-15 (1 + the largest |x_k,i|) (seeds 1-1000) */
            double tol = 1e-9 * (1 + largest);
            for (int i = 0; i < b.n; i++)
                HELD_NEAR(xs[i], xr[i], tol, SEE_RUN, "x[%d] at the end of %s",
                          i, setting);
            for (int k = 0; record && k <= steps_r; k++)
                for (int i = 0; i < b.n; i++)
                    HELD_NEAR(traj[k * b.n + i], traj_r[k * b.n + i], tol,
                              SEE_RUN,
                              "trajectory[%d] (x_%d, coordinate %d) of %s",
                              k * b.n + i, k, i, setting);
        }
}

/* ------------------------------------------------------------------------
 * The tuned heavy ball */

HELD(held_momentum, heavy_ball_tuned_matches_the_reference, 2) {
    /* mu = L (beta 0), a condition number near 1, a large one, any one;
     * mu anywhere from 1e-4 to 1e4 */
    for (int c = 0; c < 4; c++) {
        double mu = held_log_uniform(1e-4, 1e4);
        double kappa = c == 0   ? 1.0
                       : c == 1 ? held_uniform(1.0, 2.0)
                       : c == 2 ? held_log_uniform(1e3, 1e8)
                                : held_log_uniform(1.0, 1e3);
        double L = mu * kappa;
        MomentumConfig got = STUDENT(heavy_ball_tuned(mu, L));
        MomentumConfig want = REFERENCE(heavy_ball_tuned(mu, L));
        /* a few roundings of sqrt, sums and quotients: 1e-14 of lr; beta's
         * ratio (sqrt L - sqrt mu) / (sqrt L + sqrt mu) is off by a few
         * units of 1e-16 however it is written (with sqrt(L / mu), too),
         * and beta, below 1, by twice that */
        HELD_NEAR(got.lr, want.lr, 1e-14 * want.lr, SEE_TUNED,
                  "lr of heavy_ball_tuned(mu=%.17g, L=%.17g)", mu, L);
        HELD_NEAR(got.beta, want.beta, 1e-14, SEE_TUNED,
                  "beta of heavy_ball_tuned(mu=%.17g, L=%.17g)", mu, L);
    }
}
