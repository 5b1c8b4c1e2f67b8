/* tests/momentum.c: chapter 3, momentum -- graded tests. */
#include "momentum.h"
#include "gd.h"
#include "grading.h"

#include <stdlib.h>

#define SEE_EMA "chapter 3, section 3.2 'The moving-average form'"
#define SEE_HEAVY "chapter 3, section 3.3 'The heavy ball'"
#define SEE_NESTEROV "chapter 3, section 3.4 'Nesterov momentum'"
#define SEE_RUN "chapter 3, section 3.5 'Running momentum'"
#define SEE_ROSENBROCK "chapter 3, section 3.6 'The Rosenbrock race'"
#define SEE_BOWL "chapter 3, section 3.7 'An ill-conditioned bowl'"
#define SEE_TUNED "chapter 3, section 3.8 'Why momentum wins'"

/* A trusted Rosenbrock, so that these tests do not depend on chapter 1's
 * exercises: (1 - x)^2 + 100 (y - x^2)^2 and its gradient. */
static double ros(const double *x, void *ctx) {
    (void)ctx;
    double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    return a * a + 100.0 * b * b;
}
static void ros_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    double b = x[1] - x[0] * x[0];
    g[0] = -2.0 * (1.0 - x[0]) - 400.0 * x[0] * b;
    g[1] = 200.0 * b;
}
static const Objective ROSENBROCK = {ros, ros_grad, NULL, 2};

/* ||a - b|| / ||b|| for 2-D points: relative to the size of the point, so
 * that a coordinate passing near 0 does not inflate the error. */
static double rel_dist2(const double *a, const double *b) {
    return hypot(a[0] - b[0], a[1] - b[1]) / hypot(b[0], b[1]);
}

/* ------------------------------------------------------------------------
 * The state's life cycle */

GRADED(momentum, init_allocates_a_zero_velocity, 2) {
    /* Leave non-zero garbage where the allocator is likely to reuse it, so
     * that a malloc without zeroing shows. */
    double *junk = malloc(5 * sizeof *junk);
    cr_assert(junk != NULL, "test setup: out of memory");
    for (int i = 0; i < 5; i++)
        junk[i] = 7.0;
    free(junk);
    MomentumState s = {NULL, -1, -1};
    int rc = momentum_init(&s, 5);
    CHECK(rc == 0 && s.v != NULL, SEE_RUN,
          "momentum_init(&s, 5) must return 0 and allocate s.v: got %d, "
          "v=%p",
          rc, (void *)s.v);
    CHECK(s.n == 5 && s.t == 0, SEE_RUN,
          "after momentum_init(&s, 5): want n=5, t=0, got n=%d, t=%ld", s.n,
          s.t);
    for (int i = 0; i < 5; i++)
        CHECK(s.v[i] == 0.0, SEE_RUN,
              "v[%d] after momentum_init is %g: the velocity must start at 0 "
              "(calloc, or set it)",
              i, s.v[i]);
    momentum_free(&s);
}

GRADED(momentum, free_leaves_the_state_zeroed, 1) {
    MomentumState s;
    CHECK(momentum_init(&s, 3) == 0, SEE_RUN, "momentum_init(&s, 3) == 0");
    momentum_free(&s);
    CHECK(s.v == NULL && s.n == 0 && s.t == 0, SEE_RUN,
          "after momentum_free: want v=NULL, n=0, t=0, got v=%p, n=%d, t=%ld",
          (void *)s.v, s.n, s.t);
    momentum_free(&s); /* a second free must be harmless */
    MomentumState e = {NULL, -1, -1};
    CHECK(momentum_init(&e, 0) == -1 && e.v == NULL && e.n == 0, SEE_RUN,
          "momentum_init(&s, 0) must return -1 and leave s zeroed");
}

/* ------------------------------------------------------------------------
 * Single steps, on states built by hand so that each step is tested on its
 * own, from a velocity that is not zero. */

//> example_test
GRADED(momentum, ema_first_step_is_one_minus_beta_times_g, 2) {
    double v[1] = {0.0}, x[1] = {2.0};
    const double g[1] = {1.0};
    MomentumState s = {.v = v, .n = 1, .t = 0};
    const MomentumConfig cfg = {.lr = 0.1, .beta = 0.9};
    momentum_ema_step(&s, x, g, &cfg);
    MISTAKE(1.0, "the (1 - beta) factor on the gradient is missing");
    MISTAKE(0.9, "beta and (1 - beta) are swapped");
    CHECK_NEAR(v[0], 0.1, 1e-12, SEE_EMA,
               "v after one EMA step from v=0, g=1, beta=0.9");
    MISTAKE(1.9, "the (1 - beta) factor on the gradient is missing");
    MISTAKE(2.01, "the step is added instead of subtracted");
    MISTAKE(2.0, "x moved with the old velocity: update v first");
    CHECK_NEAR(x[0], 1.99, 1e-12, SEE_EMA,
               "x after one EMA step from x=2, v=0, g=1, beta=0.9, lr=0.1");
}
//< example_test

GRADED(momentum, ema_step_moves_x_with_the_new_velocity, 2) {
    double v[2] = {2.0, -1.0}, x[2] = {0.0, 0.0};
    const double g[2] = {1.0, 3.0};
    MomentumState s = {.v = v, .n = 2, .t = 4};
    const MomentumConfig cfg = {.lr = 0.1, .beta = 0.5};
    momentum_ema_step(&s, x, g, &cfg);
    const double want_v[2] = {1.5, 1.0}, want_x[2] = {-0.15, -0.1};
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(v[i], want_v[i], 1e-12, SEE_EMA,
                   "v[%d] after an EMA step from v=(2,-1), g=(1,3), beta=0.5",
                   i);
        MISTAKE(-0.1 * (i ? -1.0 : 2.0), "x moved with the old velocity: "
                                         "update v first, then x");
        CHECK_NEAR(x[i], want_x[i], 1e-12, SEE_EMA,
                   "x[%d] after the same step from x=(0,0), lr=0.1", i);
    }
    CHECK_INT(s.t, 5, SEE_EMA, "s.t after one step from t=4");
}

GRADED(momentum, heavy_ball_step_adds_the_whole_gradient, 2) {
    double v[2] = {2.0, -1.0}, x[2] = {1.0, 1.0};
    const double g[2] = {1.0, 3.0};
    MomentumState s = {.v = v, .n = 2, .t = 0};
    const MomentumConfig cfg = {.lr = 0.1, .beta = 0.9};
    heavy_ball_step(&s, x, g, &cfg);
    const double want_v[2] = {2.8, 2.1}, want_x[2] = {0.72, 0.79};
    const double ema_x[2] = {0.81, 1.06}, old_x[2] = {0.8, 1.1};
    for (int i = 0; i < 2; i++) {
        /* lr = 1 - beta here: the EMA form and a velocity that holds
         * lr g give the same v */
        MISTAKE(want_v[i] - 0.9 * g[i],
                "the gradient is scaled by (1 - beta), the EMA form, or by "
                "lr, with x -= v: the header's heavy ball is v = beta v + g, "
                "x -= lr v");
        CHECK_NEAR(v[i], want_v[i], 1e-12, SEE_HEAVY,
                   "v[%d] after a heavy-ball step from v=(2,-1), g=(1,3), "
                   "beta=0.9",
                   i);
        MISTAKE(ema_x[i], "the gradient is scaled by (1 - beta): that is "
                          "the EMA form");
        MISTAKE(old_x[i], "x moved with the old velocity: update v first");
        CHECK_NEAR(x[i], want_x[i], 1e-12, SEE_HEAVY,
                   "x[%d] after the same step from x=(1,1), lr=0.1", i);
    }
    CHECK_INT(s.t, 1, SEE_HEAVY, "s.t after one step from t=0");
}

GRADED(momentum, velocity_on_a_constant_slope_settles_at_g_and_10g, 2) {
    /* the demo's first table: g = 1 at every step, beta = 0.9, from rest */
    double ve[1] = {0.0}, vh[1] = {0.0}, xe[1] = {0.0}, xh[1] = {0.0};
    const double g[1] = {1.0};
    MomentumState ema = {.v = ve, .n = 1, .t = 0};
    MomentumState hb = {.v = vh, .n = 1, .t = 0};
    const MomentumConfig cfg = {.lr = 1.0, .beta = 0.9};
    for (int k = 1; k <= 50; k++) {
        momentum_ema_step(&ema, xe, g, &cfg);
        heavy_ball_step(&hb, xh, g, &cfg);
        if (!(k <= 3 || k == 10 || k == 20 || k == 50)) continue;
        /* v_k = (1 - beta^k) g and (1 - beta^k) g / (1 - beta): 0.651322
         * and 6.513216 at k = 10, 0.994846 and 9.948462 at k = 50 */
        const double want = 1.0 - pow(0.9, k);
        MISTAKE(want / 0.1, "the (1 - beta) factor on the gradient is "
                            "missing: that is the heavy ball");
        MISTAKE(1.0 - pow(0.1, k), "beta and (1 - beta) are swapped");
        CHECK_NEAR(ve[0], want, 1e-12, SEE_EMA,
                   "EMA velocity after %d steps on a constant slope g=1 "
                   "from v=0, beta=0.9",
                   k);
        MISTAKE(want, "the gradient is scaled by (1 - beta): that is the "
                      "EMA form");
        CHECK_NEAR(vh[0], want / 0.1, 1e-11, SEE_EMA,
                   "heavy-ball velocity after %d steps on a constant slope "
                   "g=1 from v=0, beta=0.9",
                   k);
    }
}

GRADED(momentum, nesterov_step_adds_the_look_ahead_term, 2) {
    double v[2] = {2.0, -1.0}, x[2] = {1.0, 1.0};
    const double g[2] = {1.0, 3.0};
    MomentumState s = {.v = v, .n = 2, .t = 0};
    const MomentumConfig cfg = {.lr = 0.1, .beta = 0.9};
    nesterov_step(&s, x, g, &cfg);
    /* v = (2.8, 2.1); x = x - lr (g + beta v) = (0.648, 0.511) */
    const double want_v[2] = {2.8, 2.1}, want_x[2] = {0.648, 0.511};
    const double heavy_x[2] = {0.72, 0.79}, minus_x[2] = {1.152, 0.889};
    const double no_beta_x[2] = {0.62, 0.49};
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(v[i], want_v[i], 1e-12, SEE_NESTEROV,
                   "v[%d] after a Nesterov step from v=(2,-1), g=(1,3), "
                   "beta=0.9",
                   i);
        MISTAKE(heavy_x[i], "x moved by lr v only (the heavy ball), or by "
                            "lr (g + beta v_old), which is the same");
        MISTAKE(minus_x[i], "the look-ahead term beta v is subtracted from g "
                            "instead of added");
        MISTAKE(no_beta_x[i], "the look-ahead term is v, not beta v");
        CHECK_NEAR(x[i], want_x[i], 1e-12, SEE_NESTEROV,
                   "x[%d] after the same step from x=(1,1), lr=0.1", i);
    }
    CHECK_INT(s.t, 1, SEE_NESTEROV, "s.t after one step from t=0");
}

/* Nesterov's method in its textbook form: gradient at x - lr beta v. */
static void nesterov_classic(double *x, double *v, double lr, double beta) {
    double y[2] = {x[0] - lr * beta * v[0], x[1] - lr * beta * v[1]}, gy[2];
    ros_grad(gy, y, NULL);
    for (int i = 0; i < 2; i++) {
        v[i] = beta * v[i] + gy[i];
        x[i] -= lr * v[i];
    }
}

GRADED(momentum, nesterov_step_matches_the_look_ahead_form, 3) {
    const double lr = 1e-4, beta = 0.9;
    double x[2] = {-1.5, -1.5}, v[2] = {0.0, 0.0}; /* textbook form */
    double y[2] = {-1.5, -1.5}, vy[2] = {0.0, 0.0}, g[2];
    MomentumState s = {.v = vy, .n = 2, .t = 0};
    const MomentumConfig cfg = {.lr = lr, .beta = beta};
    for (int k = 1; k <= 1000; k++) {
        nesterov_classic(x, v, lr, beta);
        ros_grad(g, y, NULL);
        nesterov_step(&s, y, g, &cfg);
        double look[2] = {x[0] - lr * beta * v[0], x[1] - lr * beta * v[1]};
        /* the orderings of correct code differ by ~1e-15; any slip in the
         * formula shows at the first step, at 1e-4 or more */
        CHECK(rel_dist2(y, look) < 1e-12, SEE_NESTEROV,
              "Rosenbrock from (-1.5,-1.5), lr=1e-4, beta=0.9: at step %d "
              "nesterov_step gives (%.10g, %.10g), the textbook "
              "look-ahead form's look-ahead point x - lr beta v is "
              "(%.10g, %.10g)",
              k, y[0], y[1], look[0], look[1]);
    }
    /* the textbook form's own x is y + lr beta v, with nesterov_step's v */
    const double want_y[2] = {1.16147098, 1.34960136};
    const double want_x[2] = {1.16151649, 1.34970723};
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(y[i], want_y[i], 1e-6, SEE_NESTEROV,
                   "coordinate %d of nesterov_step's y after 1000 steps on "
                   "Rosenbrock from (-1.5,-1.5), lr=1e-4, beta=0.9",
                   i);
        CHECK_NEAR(y[i] + lr * beta * vy[i], want_x[i], 1e-6, SEE_NESTEROV,
                   "coordinate %d of the textbook form's x = y + lr beta v, "
                   "from nesterov_step's y and v after the same 1000 steps",
                   i);
    }
}

GRADED(momentum, ema_equals_heavy_ball_with_rescaled_lr, 3) {
    const double lr = 1e-4, beta = 0.9;
    double xa[2] = {-1.5, -1.5}, va[2] = {0.0, 0.0};
    double xb[2] = {-1.5, -1.5}, vb[2] = {0.0, 0.0}, g[2];
    MomentumState a = {.v = va, .n = 2, .t = 0};
    MomentumState b = {.v = vb, .n = 2, .t = 0};
    const MomentumConfig ema = {.lr = lr, .beta = beta};
    const MomentumConfig heavy = {.lr = lr * (1.0 - beta), .beta = beta};
    int first = 0; /* the first step at which the two disagree, if any */
    double at_a[2] = {NAN, NAN}, at_b[2] = {NAN, NAN};
    for (int k = 1; k <= 1000; k++) {
        ros_grad(g, xa, NULL);
        momentum_ema_step(&a, xa, g, &ema);
        ros_grad(g, xb, NULL);
        heavy_ball_step(&b, xb, g, &heavy);
        /* measured ~5e-16 for the reference; 1e-12 leaves room for any
         * ordering of the arithmetic and rejects every wrong formula */
        if (first == 0 && !(rel_dist2(xb, xa) < 1e-12)) {
            first = k;
            at_a[0] = xa[0], at_a[1] = xa[1];
            at_b[0] = xb[0], at_b[1] = xb[1];
        }
    }
    /* The EMA run's end first, so that a slip in the EMA step is named;
     * then the agreement, which a slip in the heavy ball breaks. */
    MISTAKE(1.17829746, "the (1 - beta) factor of the EMA form is missing");
    MISTAKE(0.27295276, "the EMA step moved x with the old velocity: "
                        "update v first");
    MISTAKE(0.11214027, "beta and (1 - beta) are swapped in the EMA step");
    CHECK_NEAR(xa[0], 0.24226556, 1e-6, SEE_HEAVY,
               "x after 1000 EMA steps (lr=1e-4, beta=0.9) from (-1.5,-1.5)");
    CHECK(first == 0, SEE_HEAVY,
          "Rosenbrock from (-1.5,-1.5): after %d steps EMA (lr=1e-4, "
          "beta=0.9) is at (%.12g, %.12g), heavy ball (lr=1e-5, beta=0.9) "
          "at (%.12g, %.12g); they must agree",
          first, at_a[0], at_a[1], at_b[0], at_b[1]);
}

/* ------------------------------------------------------------------------
 * Whole runs */

/* L(theta) = (theta - 3)^2, chapter 1's parabola. */
static double parabola(const double *x, void *ctx) {
    (void)ctx;
    return (x[0] - 3.0) * (x[0] - 3.0);
}
static void parabola_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 2.0 * (x[0] - 3.0);
}
static const Objective PARABOLA = {parabola, parabola_grad, NULL, 1};

/* The heavy ball on the parabola, written out: theta_k for k = 0..steps. */
static void heavy_ball_parabola(double *theta, int steps, double lr,
                                double beta) {
    double x = 0.0, v = 0.0;
    theta[0] = x;
    for (int k = 1; k <= steps; k++) {
        v = beta * v + 2.0 * (x - 3.0);
        x -= lr * v;
        theta[k] = x;
    }
}

GRADED(momentum, run_takes_max_steps_and_records_the_trajectory, 2) {
    enum { STEPS = 10 };
    double traj[STEPS + 2], want[STEPS + 1];
    for (int i = 0; i < STEPS + 2; i++)
        traj[i] = NAN;
    heavy_ball_parabola(want, STEPS, 0.1, 0.5);
    double theta = 0.0;
    bool converged = true;
    const MomentumRunConfig cfg = {.method = MOMENTUM_HEAVY_BALL,
                                   .step = {.lr = 0.1, .beta = 0.5},
                                   .max_steps = STEPS,
                                   .grad_tol = 0.0};
    int steps = momentum_run(&theta, &PARABOLA, &cfg, traj, &converged);
    CHECK_INT(steps, STEPS, SEE_RUN,
              "steps of a heavy-ball run on (theta-3)^2 with max_steps=10, "
              "grad_tol=0");
    CHECK(!converged, SEE_RUN,
          "*converged must be false when the run stops at max_steps");
    for (int k = 0; k <= STEPS; k++)
        CHECK_NEAR(traj[k], want[k], 1e-12, SEE_RUN,
                   "trajectory[%d] of the heavy ball (lr=0.1, beta=0.5) on "
                   "(theta-3)^2 from 0",
                   k);
    CHECK_NEAR(theta, want[STEPS], 1e-12, SEE_RUN,
               "theta at the end of the same run");
    CHECK(isnan(traj[STEPS + 1]), SEE_RUN,
          "trajectory[%d] was written: a run of %d steps records %d points",
          STEPS + 1, STEPS, STEPS + 1);
}

GRADED(momentum, run_starts_each_run_at_rest, 1) {
    double want[21];
    heavy_ball_parabola(want, 20, 0.1, 0.5);
    /* what run 2 gives when it starts with run 1's last velocity */
    double carried = 0.0, v = 0.0;
    for (int k = 0; k < 40; k++) {
        if (k == 20) carried = 0.0;
        v = 0.5 * v + 2.0 * (carried - 3.0);
        carried -= 0.1 * v;
    }
    const MomentumRunConfig cfg = {.method = MOMENTUM_HEAVY_BALL,
                                   .step = {.lr = 0.1, .beta = 0.5},
                                   .max_steps = 20};
    for (int r = 1; r <= 2; r++) {
        double theta = 0.0;
        momentum_run(&theta, &PARABOLA, &cfg, NULL, NULL);
        if (r == 2)
            MISTAKE(carried, "the velocity is carried over from the last "
                             "run: each run starts at v = 0");
        CHECK_NEAR(theta, want[20], 1e-12, SEE_RUN,
                   "theta after run %d of 20 heavy-ball steps on (theta-3)^2 "
                   "from 0 (each run starts with v = 0)",
                   r);
    }
}

GRADED(momentum, run_stops_before_stepping_once_gradient_is_small, 2) {
    /* The Nesterov run written out, to find the first small gradient. */
    double x = 0.0, v = 0.0;
    int want = 0;
    while (fabs(2.0 * (x - 3.0)) >= 1e-3) {
        double g = 2.0 * (x - 3.0);
        v = 0.5 * v + g;
        x -= 0.1 * (g + 0.5 * v);
        want++;
    }
    double theta = 0.0;
    bool converged = false;
    const MomentumRunConfig cfg = {.method = MOMENTUM_NESTEROV,
                                   .step = {.lr = 0.1, .beta = 0.5},
                                   .max_steps = 1000,
                                   .grad_tol = 1e-3};
    int steps = momentum_run(&theta, &PARABOLA, &cfg, NULL, &converged);
    MISTAKE(want + 1, "the run steps once more after the gradient is "
                      "already small: test the norm before stepping");
    CHECK_INT(steps, want, SEE_RUN,
              "steps of Nesterov (lr=0.1, beta=0.5) on (theta-3)^2 from 0 "
              "with grad_tol=1e-3");
    CHECK(converged, SEE_RUN,
          "*converged must be true when the gradient test stopped the run");
    CHECK_NEAR(theta, x, 1e-12, SEE_RUN, "theta when the same run stops");
    theta = 3.0;
    steps = momentum_run(&theta, &PARABOLA, &cfg, NULL, &converged);
    CHECK(steps == 0 && converged && theta == 3.0, SEE_RUN,
          "started at the minimum theta=3: want 0 steps, converged, theta "
          "unchanged; got %d steps, converged=%d, theta=%g",
          steps, (int)converged, theta);
}

GRADED(momentum, rosenbrock_ema_reaches_documented_point, 3) {
    static double traj[1001 * 2];
    double x[2] = {-1.5, -1.5};
    const MomentumRunConfig cfg = {.method = MOMENTUM_EMA,
                                   .step = {.lr = 1e-4, .beta = 0.9},
                                   .max_steps = 1000,
                                   .grad_tol = 1e-6};
    bool converged = true;
    int steps = momentum_run(x, &ROSENBROCK, &cfg, traj, &converged);
    CHECK(steps == 1000 && !converged, SEE_ROSENBROCK,
          "EMA momentum from (-1.5,-1.5) with lr=1e-4 hits the 1000-step "
          "cap: got %d steps, converged=%d",
          steps, (int)converged);
    MISTAKE(1.17829746, "the (1 - beta) factor is missing: that is the "
                        "heavy ball");
    MISTAKE(0.27295276, "x moved with the old velocity: update v first");
    MISTAKE(0.11214027, "beta and (1 - beta) are swapped");
    CHECK_NEAR(x[0], 0.24226556, 1e-6, SEE_ROSENBROCK,
               "x after 1000 EMA-momentum steps on Rosenbrock from "
               "(-1.5,-1.5), lr=1e-4, beta=0.9");
    CHECK_NEAR(x[1], 0.05572710, 1e-6, SEE_ROSENBROCK, "y after the same run");
    CHECK_NEAR(ros(x, NULL), 0.57504090, 1e-6, SEE_ROSENBROCK,
               "f at the end of the same run");
    CHECK(traj[2 * 1000] == x[0] && traj[2 * 1000 + 1] == x[1], SEE_ROSENBROCK,
          "the last trajectory point (index 1000) must be the final x");
}

GRADED(momentum, rosenbrock_heavy_ball_and_nesterov_reach_documented_points,
       2) {
    const MomentumMethod methods[2] = {MOMENTUM_HEAVY_BALL, MOMENTUM_NESTEROV};
    const char *names[2] = {"heavy ball", "Nesterov"};
    const double want[2][2] = {{1.17829746, 1.38902613},
                               {1.16147098, 1.34960136}};
    const double want_f[2] = {0.03183110, 0.02610728};
    /* x at the end when the heavy ball's gradient carries (1 - beta): the
     * EMA run (rosenbrock_ema_reaches_documented_point) */
    const double ema_x = 0.24226556;
    for (int m = 0; m < 2; m++) {
        double x[2] = {-1.5, -1.5};
        const MomentumRunConfig cfg = {.method = methods[m],
                                       .step = {.lr = 1e-4, .beta = 0.9},
                                       .max_steps = 1000,
                                       .grad_tol = 1e-6};
        momentum_run(x, &ROSENBROCK, &cfg, NULL, NULL);
        MISTAKE(want[1 - m][0], "this is the other method's result: check "
                                "momentum_run's dispatch on cfg->method and "
                                "the look-ahead term of nesterov_step");
        MISTAKE(1.20950085, "Nesterov's look-ahead term is v, not beta v");
        if (m == 0)
            MISTAKE(ema_x, "the heavy ball's gradient is scaled by (1 - "
                           "beta): that is the EMA form");
        CHECK_NEAR(x[0], want[m][0], 1e-6, SEE_ROSENBROCK,
                   "x after 1000 %s steps on Rosenbrock from (-1.5,-1.5), "
                   "lr=1e-4, beta=0.9",
                   names[m]);
        CHECK_NEAR(x[1], want[m][1], 1e-6, SEE_ROSENBROCK,
                   "y after the same %s run", names[m]);
        MISTAKE(want_f[1 - m], "this is the other method's result");
        CHECK_NEAR(ros(x, NULL), want_f[m], 1e-6, SEE_ROSENBROCK,
                   "f at the end of the same %s run", names[m]);
    }
}

/* Gradient descent is the heavy ball (or Nesterov) with beta = 0: the
 * velocity is then the gradient itself. The tests below run it that way, so
 * that they grade chapter 3's momentum_run and not chapter 1's gd_run. */
GRADED(momentum, rosenbrock_ema_leads_gd_by_step_50_and_nesterov_overshoots,
       2) {
    enum { STEPS = 1000 };
    static double gd[(STEPS + 1) * 2], ema[(STEPS + 1) * 2],
        nag[(STEPS + 1) * 2];
    double *traj[3] = {gd, ema, nag};
    const MomentumRunConfig cfg[3] = {
        {MOMENTUM_HEAVY_BALL, {.lr = 1e-4, .beta = 0.0}, STEPS, 1e-6},
        {MOMENTUM_EMA, {.lr = 1e-4, .beta = 0.9}, STEPS, 1e-6},
        {MOMENTUM_NESTEROV, {.lr = 1e-4, .beta = 0.9}, STEPS, 1e-6}};
    double gd_x[2] = {NAN, NAN};
    for (int m = 0; m < 3; m++) {
        for (int i = 0; i < (STEPS + 1) * 2; i++)
            traj[m][i] = NAN;
        double x[2] = {-1.5, -1.5};
        momentum_run(x, &ROSENBROCK, &cfg[m], traj[m], NULL);
        if (m == 0) gd_x[0] = x[0], gd_x[1] = x[1];
    }
    MISTAKE(-1.5, "with beta = 0 the heavy ball did not move: check the "
                  "velocity update v = beta v + g");
    CHECK_NEAR(gd_x[0], 0.11120148, 1e-6, SEE_ROSENBROCK,
               "x after 1000 steps of gradient descent (momentum_run's heavy "
               "ball with beta=0) on Rosenbrock from (-1.5,-1.5), lr=1e-4");
    CHECK_NEAR(gd_x[1], 0.01059534, 1e-6, SEE_ROSENBROCK,
               "y after the same run");
    CHECK_NEAR(ros(gd_x, NULL), 0.79027626, 1e-6, SEE_ROSENBROCK,
               "f at the end of the same run");
    CHECK_NEAR(gd[2 * 50], -0.15549851, 1e-6, SEE_ROSENBROCK,
               "x at step 50 of the same gradient-descent run");
    CHECK_NEAR(ema[2 * 50], 0.20988272, 1e-6, SEE_ROSENBROCK,
               "x at step 50 of EMA momentum (lr=1e-4, beta=0.9) on "
               "Rosenbrock from (-1.5,-1.5)");
    int far = 0;
    for (int k = 1; k <= STEPS; k++)
        if (nag[2 * k] > nag[2 * far]) far = k;
    /* x at steps 77 and 79 is 3e-6 and 2e-5 below x at step 78: far more
     * than any correct ordering of the arithmetic can change */
    CHECK_INT(far, 78, SEE_ROSENBROCK,
              "the step at which Nesterov (lr=1e-4, beta=0.9) from "
              "(-1.5,-1.5) reaches its largest x");
    CHECK_NEAR(nag[2 * far], 1.21298411, 1e-6, SEE_ROSENBROCK,
               "Nesterov's largest x on the same run");
    CHECK_NEAR(nag[2 * far + 1], 1.47188736, 1e-6, SEE_ROSENBROCK,
               "y at the same step");
}

/* f = 0.1 x^2 + 2 y^2, the chapter's ill-conditioned bowl. */
static double bowl(const double *x, void *ctx) {
    (void)ctx;
    return 0.1 * x[0] * x[0] + 2.0 * x[1] * x[1];
}
static void bowl_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = 0.2 * x[0];
    g[1] = 4.0 * x[1];
}

GRADED(momentum, bowl_momentum_beats_gd_at_the_same_lr, 3) {
    const Objective obj = {bowl, bowl_grad, NULL, 2};
    /* f(x_100) from (-10, 1) with lr = 0.1, beta = 0.9; GD reaches 0.176 */
    const double want[3] = {0.10442912737322278, 0.00023351568034338238,
                            3.254414520918231e-05};
    const double want_99[3] = {0.11017945366304949, 0.00028933829714897452,
                               4.0088995004115558e-05};
    const double want_101[3] = {0.09897967104106993, 0.00014814004292036087,
                                2.5379229623555635e-05};
    const char *names[3] = {"EMA", "heavy ball", "Nesterov"};
    for (int m = 0; m < 3; m++) {
        double x[2] = {-10.0, 1.0};
        const MomentumRunConfig cfg = {.method = (MomentumMethod)m,
                                       .step = {.lr = 0.1, .beta = 0.9},
                                       .max_steps = 100};
        momentum_run(x, &obj, &cfg, NULL, NULL);
        for (int o = 0; o < 3; o++)
            if (o != m)
                MISTAKE(want[o], "this is another method's result: check "
                                 "momentum_run's dispatch on cfg->method "
                                 "and each step's formula");
        MISTAKE(want_99[m], "the run takes 99 steps instead of 100");
        MISTAKE(want_101[m], "the run takes 101 steps instead of 100");
        CHECK_REL(bowl(x, NULL), want[m], 1e-9, SEE_BOWL,
                  "f after 100 %s steps on 0.1 x^2 + 2 y^2 from (-10, 1), "
                  "lr=0.1, beta=0.9",
                  names[m]);
    }
}

GRADED(momentum, bowl_table_matches_at_every_printed_step, 2) {
    enum { STEPS = 200 };
    static double traj[(STEPS + 1) * 2];
    const Objective obj = {bowl, bowl_grad, NULL, 2};
    /* f(x_k) for k = 25, 50, 100, 200: the demo's table, to all digits */
    const int ks[4] = {25, 50, 100, 200};
    const double want[4][4] = {{3.6416968008873369, 1.3261955589475323,
                                0.17587946605721558, 0.0030933586580571253},
                               {4.8499119588903605, 1.4680475098036092,
                                0.10442912737322278, 0.00048856748202572541},
                               {0.82696346819125965, 0.055185998575753688,
                                0.00023351568034338238, 1.5271415442005435e-09},
                               {0.45666212777823822, 0.019875209905715681,
                                3.254414520918231e-05, 4.0135138176922916e-11}};
    const char *names[4] = {"gradient descent (the heavy ball with beta=0)",
                            "EMA", "heavy ball", "Nesterov"};
    const MomentumMethod methods[4] = {MOMENTUM_HEAVY_BALL, MOMENTUM_EMA,
                                       MOMENTUM_HEAVY_BALL, MOMENTUM_NESTEROV};
    for (int m = 0; m < 4; m++) {
        for (int i = 0; i < (STEPS + 1) * 2; i++)
            traj[i] = NAN;
        double x[2] = {-10.0, 1.0};
        const MomentumRunConfig cfg = {
            .method = methods[m],
            .step = {.lr = 0.1, .beta = m == 0 ? 0.0 : 0.9},
            .max_steps = STEPS};
        CHECK_INT(momentum_run(x, &obj, &cfg, traj, NULL), STEPS, SEE_RUN,
                  "steps of a %s run with max_steps=200, grad_tol=0", names[m]);
        for (int c = 0; c < 4; c++) {
            for (int o = 0; o < 4; o++)
                if (o != m)
                    MISTAKE(want[o][c], "this is another method's result: "
                                        "check momentum_run's dispatch on "
                                        "cfg->method and each step's formula");
            /* the iteration is linear and stable: correct orderings agree
             * to ~1e-14 relative even at k = 200 */
            CHECK_REL(bowl(&traj[2 * ks[c]], NULL), want[m][c], 1e-8, SEE_BOWL,
                      "f at step %d of %s on 0.1 x^2 + 2 y^2 from (-10, 1), "
                      "lr=0.1, beta=%g",
                      ks[c], names[m], cfg.step.beta);
        }
    }
}

/* ------------------------------------------------------------------------
 * The tuned heavy ball */

GRADED(momentum, heavy_ball_tuned_follows_polyak, 2) {
    MomentumConfig c = heavy_ball_tuned(1.0, 100.0);
    MISTAKE(2.0 / 11.0, "the learning rate is not squared");
    MISTAKE(4.0 / (101.0 * 101.0), "the square roots of mu and L are "
                                   "missing: (2 / (mu + L))^2");
    CHECK_NEAR(c.lr, 4.0 / 121.0, 1e-12, SEE_TUNED,
               "lr of heavy_ball_tuned(mu=1, L=100) = (2/(1+10))^2");
    MISTAKE(9.0 / 11.0, "the momentum is not squared");
    CHECK_NEAR(c.beta, 81.0 / 121.0, 1e-12, SEE_TUNED,
               "beta of heavy_ball_tuned(mu=1, L=100) = ((10-1)/(10+1))^2");
    c = heavy_ball_tuned(0.2, 4.0);
    CHECK_NEAR(c.lr, 0.66790737340724882, 1e-12, SEE_TUNED,
               "lr of heavy_ball_tuned(mu=0.2, L=4)");
    CHECK_NEAR(c.beta, 0.40260548415522257, 1e-12, SEE_TUNED,
               "beta of heavy_ball_tuned(mu=0.2, L=4)");
}

/* f = (x^2 + 100 y^2) / 2: mu = 1, L = 100. */
static double kappa100(const double *x, void *ctx) {
    (void)ctx;
    return 0.5 * (x[0] * x[0] + 100.0 * x[1] * x[1]);
}
static void kappa100_grad(double *g, const double *x, void *ctx) {
    (void)ctx;
    g[0] = x[0];
    g[1] = 100.0 * x[1];
}

/* ||x_k|| / ||x_0|| of the tuned heavy ball from (1, 1), in closed form. */
static double tuned_error(int k) {
    double rho = 9.0 / 11.0, e1 = 1.0 + 2.0 * k / 11.0,
           e2 = 1.0 + 20.0 * k / 11.0;
    return pow(rho, k) * sqrt((e1 * e1 + e2 * e2) / 2.0);
}

GRADED(momentum, tuned_heavy_ball_gains_six_digits_in_93_steps, 3) {
    enum { STEPS = 200 };
    static double traj[(STEPS + 1) * 2];
    const Objective obj = {kappa100, kappa100_grad, NULL, 2};
    /* Polyak's parameters for mu = 1, L = 100, written out so that this
     * test checks the run, not heavy_ball_tuned */
    const MomentumRunConfig cfg = {
        .method = MOMENTUM_HEAVY_BALL,
        .step = {.lr = 4.0 / 121.0, .beta = 81.0 / 121.0},
        .max_steps = STEPS};
    double x[2] = {1.0, 1.0};
    int steps = momentum_run(x, &obj, &cfg, traj, NULL);
    CHECK_INT(steps, STEPS, SEE_TUNED, "steps of the tuned heavy-ball run");
    const int ks[] = {1, 10, 20, 50, 69, 93, 100}; /* the demo's rows */
    for (int c = 0; c < 7; c++) {
        int k = ks[c];
        CHECK_REL(hypot(traj[2 * k], traj[2 * k + 1]) / sqrt(2.0),
                  tuned_error(k), 1e-9, SEE_TUNED,
                  "||x_%d|| / ||x_0|| of the tuned heavy ball on "
                  "(x^2 + 100 y^2)/2 from (1, 1)",
                  k);
    }
    int last_far = 0; /* the ball speeds up before it brakes */
    while (last_far < STEPS && hypot(traj[2 * (last_far + 1)],
                                     traj[2 * (last_far + 1) + 1]) > sqrt(2.0))
        last_far++;
    CHECK_INT(last_far, 14, SEE_TUNED,
              "the last step k of the run's first stretch with ||x_k - x*|| "
              "> ||x_0 - x*|| (the tuned heavy ball from (1, 1))");
    int first = -1;
    for (int k = 0; k <= STEPS && first < 0; k++)
        if (hypot(traj[2 * k], traj[2 * k + 1]) <= 1e-6 * sqrt(2.0)) first = k;
    CHECK_INT(first, 93, SEE_TUNED,
              "the first k with ||x_k - x*|| <= 1e-6 ||x_0 - x*|| for the "
              "tuned heavy ball on (x^2 + 100 y^2)/2 from (1, 1)");
}

GRADED(momentum, gd_at_its_best_step_needs_691_steps, 1) {
    /* gradient descent at lr = 2/(mu + L), run as momentum_run's heavy ball
     * with beta = 0 (the velocity is then the gradient), so that this test
     * grades chapter 3's code and not chapter 1's gd_run */
    enum { STEPS = 1000 };
    static double traj[(STEPS + 1) * 2];
    for (int i = 0; i < (STEPS + 1) * 2; i++)
        traj[i] = NAN;
    const Objective obj = {kappa100, kappa100_grad, NULL, 2};
    const MomentumRunConfig cfg = {.method = MOMENTUM_HEAVY_BALL,
                                   .step = {.lr = 2.0 / 101.0, .beta = 0.0},
                                   .max_steps = STEPS};
    double x[2] = {1.0, 1.0};
    CHECK_INT(momentum_run(x, &obj, &cfg, traj, NULL), STEPS, SEE_RUN,
              "steps of a run with max_steps=1000, grad_tol=0");
    /* both coordinates are multiplied by +-99/101 at every step */
    CHECK_REL(hypot(traj[2 * 691], traj[2 * 691 + 1]) / sqrt(2.0),
              pow(99.0 / 101.0, 691), 1e-9, SEE_TUNED,
              "||x_691|| / ||x_0|| of gradient descent (the heavy ball with "
              "beta=0), lr=2/101, on (x^2 + 100 y^2)/2 from (1, 1)");
    int first = -1;
    for (int k = 0; k <= STEPS && first < 0; k++)
        if (hypot(traj[2 * k], traj[2 * k + 1]) <= 1e-6 * sqrt(2.0)) first = k;
    CHECK_INT(first, 691, SEE_TUNED,
              "the first k with ||x_k - x*|| <= 1e-6 ||x_0 - x*|| for the "
              "same gradient-descent run");
}
