/* tests/held/gd.c: chapter 1, gradient descent -- held-back checks
 * (instructor only; see tests/support/held.h).
 *
 * Each check draws an instance from what include/gd.h promises and
 * compares the student's results with the reference solution's. The
 * objectives are the judge's own: diagonal quadratics, whose gradient
 * norms along a run are known, so that a stopping threshold is never drawn
 * where two correct implementations could round to different sides of
 * it. */
#include "gd.h"
#include "held.h"

#include <stdio.h>
#include <string.h>

#define SEE_UPDATE "chapter 1, section 1.2 'The update rule'"
#define SEE_RUN "chapter 1, section 1.5 'Running to convergence'"
#define SEE_ROSENBROCK "chapter 1, section 1.6 'A harder valley'"
#define SEE_CHECK "chapter 1, section 1.7 'Checking gradients numerically'"

enum { MAX_N = 8, MAX_STEPS = 300 };

/* f(x) = 1/2 sum_i l_i (x_i - c_i)^2, passed through ctx (held.h). */

static double norm(const double *v, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

static HeldBowl draw_bowl(void) {
    HeldBowl b = {.n = held_int(1, MAX_N), .tilt = 0.0};
    for (int i = 0; i < b.n; i++) {
        b.l[i] = held_log_uniform(0.1, 10.0);
        b.c[i] = held_uniform(-5.0, 5.0);
    }
    return b;
}

HELD(held_gd, step_matches_the_reference, 2) {
    enum { N = 64 };
    for (int trial = 0; trial < 4; trial++) {
        int n = held_int(1, N);
        double x[N], xr[N], x0[N], g[N];
        held_vector(x0, n, -1e3, 1e3);
        held_vector(g, n, -1e3, 1e3);
        if (held_coin(0.3)) g[held_int(0, n - 1)] = 0.0;
        memcpy(x, x0, sizeof x);
        memcpy(xr, x0, sizeof xr);
        double lr = held_log_uniform(1e-6, 10.0);
        STUDENT(gd_step(x, g, n, lr));
        REFERENCE(gd_step(xr, g, n, lr));
        for (int i = 0; i < n; i++)
            HELD_NEAR(x[i], xr[i], 1e-14 * (fabs(xr[i]) + fabs(lr * g[i])),
                      SEE_UPDATE,
                      "x[%d] after gd_step(n=%d, lr=%.17g) with x[%d]=%.17g, "
                      "grad[%d]=%.17g",
                      i, n, lr, i, x0[i], i, g[i]);
    }
}

/* How a run ends, one of each on every seed: stopped by the gradient test
 * between two steps, at once (already flat), by the step budget with
 * grad_tol 0 or with a threshold never reached, and past the stability
 * limit (the budget ends a divergent run). */
typedef enum {
    BY_TEST,
    AT_ONCE,
    BY_BUDGET,
    NOT_REACHED,
    DIVERGES,
    N_ENDS
} RunEnd;
static const char *const RUN_END[N_ENDS] = {
    "stopped by the gradient test", "flat at the start",
    "ended by the step budget (grad_tol 0)",
    "ended by the step budget (grad_tol not reached)", "diverging"};

/* cfg for a run of `end` on b from x0, from the gradient norms of the
 * judge's own run: a threshold is the geometric mean of two norms, never
 * one that two correct roundings could put on different sides. */
static GdConfig draw_run(RunEnd end, const HeldBowl *b, double x0[MAX_N]) {
    double lmax = 0.0;
    for (int i = 0; i < b->n; i++)
        lmax = fmax(lmax, b->l[i]);
    /* one draw a statement: the order of an initializer's is unspecified */
    GdConfig cfg = {.lr = held_uniform(0.05, 1.9) / lmax};
    cfg.max_steps = held_int(1, MAX_STEPS - 1);
    if (end == DIVERGES) cfg.lr = held_uniform(2.05, 2.5) / lmax;
    static double norms[MAX_STEPS + 1];
    double x[MAX_N], g[MAX_N];
    memcpy(x, x0, sizeof x);
    for (int k = 0; k <= MAX_STEPS; k++) {
        held_bowl_grad(g, x, (void *)b);
        norms[k] = norm(g, b->n);
        for (int i = 0; i < b->n; i++)
            x[i] -= cfg.lr * g[i];
    }
    if (end == AT_ONCE) cfg.grad_tol = 1.5 * norms[0] + held_uniform(1e-9, 1.0);
    if (end == NOT_REACHED)
        cfg.grad_tol = norms[cfg.max_steps] * held_uniform(0.1, 0.9);
    if (end == BY_TEST) {
        int k = held_int(0, cfg.max_steps - 1);
        if (norms[k] > norms[k + 1] * (1 + 1e-6)) {
            cfg.grad_tol = sqrt(norms[k] * norms[k + 1]); /* stops at k + 1 */
            cfg.max_steps = k + 1 + held_int(1, MAX_STEPS - k - 1);
        }
    }
    return cfg;
}

HELD(held_gd, run_matches_the_reference_on_random_quadratics, 5) {
    for (RunEnd end = 0; end < N_ENDS; end++) {
        HeldBowl b = draw_bowl();
        const Objective obj = {held_bowl, held_bowl_grad, &b, b.n};
        double x0[MAX_N] = {0};
        held_vector(x0, b.n, -10.0, 10.0);
        GdConfig cfg = draw_run(end, &b, x0);
        bool record = end == BY_TEST || held_coin(0.5);
        static double traj[(MAX_STEPS + 2) * MAX_N],
            traj_r[(MAX_STEPS + 2) * MAX_N];
        double xs[MAX_N], xr[MAX_N];
        memcpy(xs, x0, sizeof xs);
        memcpy(xr, x0, sizeof xr);
        bool conv = !held_coin(0.5), conv_r = false;
        int steps =
            STUDENT(gd_run(xs, &obj, &cfg, record ? traj : NULL, &conv));
        int steps_r =
            REFERENCE(gd_run(xr, &obj, &cfg, record ? traj_r : NULL, &conv_r));
        char setting[1600];
        snprintf(
            setting, sizeof setting,
            "gd_run %s on 1/2 sum l_i (x_i - c_i)^2 with n=%d, l=%s, c=%s, "
            "from x0=%s, lr=%.17g, max_steps=%d, grad_tol=%.17g",
            RUN_END[end], b.n, held_show(b.l, b.n), held_show(b.c, b.n),
            held_show(x0, b.n), cfg.lr, cfg.max_steps, cfg.grad_tol);
        HELD_INT(steps, steps_r, SEE_RUN, "the steps of %s", setting);
        HELD_INT(conv, conv_r, SEE_RUN, "*converged after %s", setting);
        for (int i = 0; i < b.n; i++)
            HELD_NEAR(xs[i], xr[i], 1e-10 * (1 + fabs(xr[i])), SEE_RUN,
                      "x[%d] at the end of %s", i, setting);
        for (int k = 0; record && k <= steps_r; k++)
            for (int i = 0; i < b.n; i++)
                HELD_NEAR(traj[k * b.n + i], traj_r[k * b.n + i],
                          1e-10 * (1 + fabs(traj_r[k * b.n + i])), SEE_RUN,
                          "trajectory[%d] (x_%d, coordinate %d) of %s",
                          k * b.n + i, k, i, setting);
    }
}

HELD(held_gd, rosenbrock_and_its_gradient_match_the_reference, 2) {
    for (int trial = 0; trial < 8; trial++) {
        double x[2];
        x[0] = held_uniform(-3, 3);
        x[1] = held_uniform(-3, 3);
        double f = STUDENT(rosenbrock(x, NULL));
        double fr = REFERENCE(rosenbrock(x, NULL));
        HELD_NEAR(f, fr, 1e-13 * (1 + fabs(fr)), SEE_ROSENBROCK,
                  "rosenbrock(%.17g, %.17g)", x[0], x[1]);
        double g[2] = {NAN, NAN}, gr[2];
        STUDENT(rosenbrock_grad(g, x, NULL));
        REFERENCE(rosenbrock_grad(gr, x, NULL));
        for (int j = 0; j < 2; j++)
            HELD_NEAR(g[j], gr[j], 1e-12 * (1 + fabs(gr[j])), SEE_ROSENBROCK,
                      "d f / d %s of rosenbrock at (%.17g, %.17g)",
                      j ? "y" : "x", x[0], x[1]);
    }
}

/* A smooth function with curvature and a third derivative, through ctx:
 * f(x) = sum_i a_i x_i^2 + b_i x_i^3 + sum_i x_i x_{i+1}. */
typedef struct {
    int n;
    double a[16], b[16];
} Cubic;

static double cubic(const double *x, void *ctx) {
    if (!ctx) judge_fail("f was called with a ctx other than the one given");
    const Cubic *c = ctx;
    double f = 0.0;
    for (int i = 0; i < c->n; i++) {
        f += c->a[i] * x[i] * x[i] + c->b[i] * x[i] * x[i] * x[i];
        if (i + 1 < c->n) f += x[i] * x[i + 1];
    }
    return f;
}

HELD(held_gd, grad_numeric_matches_the_reference, 3) {
    for (int trial = 0; trial < 3; trial++) {
        Cubic c = {.n = held_int(1, 16)};
        held_vector(c.a, c.n, -2, 2);
        held_vector(c.b, c.n, -1, 1);
        double x[16], x0[16], xr[16], g[16], gr[16];
        held_vector(x0, c.n, -3, 3);
        memcpy(x, x0, sizeof x);
        memcpy(xr, x0, sizeof xr);
        double h = held_log_uniform(1e-4, 1e-2);
        for (int i = 0; i < c.n; i++)
            g[i] = NAN;
        STUDENT(grad_numeric(g, cubic, &c, x, c.n, h));
        REFERENCE(grad_numeric(gr, cubic, &c, xr, c.n, h));
        for (int i = 0; i < c.n; i++) {
            /* a perturbation rounded another way moves f by ~eps |x| |f'|: the
             * tolerance covers that, not a forward difference's h f''/2 */
            HELD_NEAR(g[i], gr[i], 1e-9 * (1 + fabs(gr[i])), SEE_CHECK,
                      "grad_numeric(n=%d, h=%.17g) coordinate %d of sum a x^2 "
                      "+ b x^3 "
                      "+ x_i x_(i+1), a=%s, b=%s, at x=%s",
                      c.n, h, i, held_show(c.a, c.n), held_show(c.b, c.n),
                      held_show(x0, c.n));
            HELD_CHECK(
                x[i] == x0[i], SEE_CHECK,
                "x[%d] after grad_numeric(n=%d, h=%.17g): got %.17g, want "
                "exactly %.17g (x is restored exactly)",
                i, c.n, h, x[i], x0[i]);
        }
    }
}

HELD(held_gd, grad_check_matches_the_reference, 2) {
    /* right and wrong gradients, small and large (the error is relative to
     * the larger of the two gradients, or to 1) */
    for (int trial = 0; trial < 4; trial++) {
        HeldBowl b = draw_bowl();
        b.tilt = trial % 2 ? held_uniform(-0.9, 2.0) : 0.0;
        double scale =
            trial < 2 ? held_log_uniform(1e-2, 0.5) : held_log_uniform(20, 1e3);
        for (int i = 0; i < b.n; i++)
            b.l[i] *= scale;
        const Objective obj = {held_bowl, held_bowl_grad, &b, b.n};
        double x0[MAX_N], x[MAX_N], xr[MAX_N];
        held_vector(x0, b.n, -4, 4);
        memcpy(x, x0, sizeof x);
        memcpy(xr, x0, sizeof xr);
        double h = held_log_uniform(1e-5, 1e-3);
        double e = STUDENT(grad_check(&obj, x, h));
        double er = REFERENCE(grad_check(&obj, xr, h));
        /* a right gradient's error is rounding noise: compared to 1e-7; a
         * wrong one's is O(tilt): to 1e-9 of itself */
        HELD_NEAR(e, er, 1e-7 + 1e-9 * fabs(er), SEE_CHECK,
                  "grad_check with h=%.17g on 1/2 sum l_i (x_i - c_i)^2 (n=%d, "
                  "l=%s, c=%s) at x=%s, whose grad_0 is scaled by %.17g",
                  h, b.n, held_show(b.l, b.n), held_show(b.c, b.n),
                  held_show(x0, b.n), 1 + b.tilt);
        for (int i = 0; i < b.n; i++)
            HELD_CHECK(
                x[i] == x0[i], SEE_CHECK,
                "x[%d] after grad_check: got %.17g, want exactly %.17g (x "
                "is restored exactly)",
                i, x[i], x0[i]);
    }
}
